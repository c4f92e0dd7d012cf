from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from eloket import admin_edge
from eloket.auth.views import staff_login
from eloket.payments.webhooks import stripe_webhook

# The database or Redis unreachable: 503 with Retry-After instead of 500 (eloket.errors).
handler500 = "eloket.errors.server_error"

urlpatterns = [
    # Staff log in with password and TOTP through allauth, not with Wagtail's password-only form.
    path("beheer/login/", staff_login, name="eloket_staff_login"),
    # Before Wagtail's admin: malformed chooser requests answer 404/400, logout takes a POST only.
    path("beheer/", include(admin_edge)),
    path("beheer/", include(wagtailadmin_urls)),
    # allauth: the staff login and TOTP pages, and the OpenID Connect login and callback
    # (/account/oidc/acmidm/login/callback/ is the redirect URI to register with ACM/IDM).
    path("account/", include("allauth.urls")),
    path("documenten/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("betalingen/webhook/stripe/", stripe_webhook, name="stripe_webhook"),
    path("api/v1/", include("eloket.api.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("eloket.urls")),
    path("", include("forms.urls")),
    path("", include("eloket.payments.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
