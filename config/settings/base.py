"""Settings shared by every environment.

Values come from the environment through ``config.env.env``; the dev, test and production modules only
change defaults. Every variable read here is listed in docs/configuration.md.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import environ

from config.env import BASE_DIR, env


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.secret("DJANGO_SECRET_KEY")
# Keyed hash for national register and enterprise numbers: parties are matched on HMAC(key, number),
# the number itself is never stored. Rotating it needs a re-hash from the source systems.
IDENTIFIER_HASH_KEY = env.secret("IDENTIFIER_HASH_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DEMO_MODE = env.bool("ELOKET_DEMO_MODE", default=False)
SITE_URL = env.str("ELOKET_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "home",
    "eloket",
    "forms.apps.FormsConfig",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular",
    "django_q",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Logins: citizens through the government's OpenID Connect provider (ACM/IDM), staff with a
    # password and TOTP. See eloket/auth and docs/login.md.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
]

MIDDLEWARE = [
    # First: the request id, the latency histogram, /health/, /ready/ and /metrics/ (eloket.observability).
    "eloket.observability.middleware.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "eloket.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "eloket.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "eloket.auth.middleware.IdleTimeoutMiddleware",
    "eloket.auth.middleware.StaffMfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "eloket.middleware.AdminContentSecurityPolicyMiddleware",
    "eloket.middleware.ActingPartyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "eloket.User"
LOGIN_URL = "eloket:login"
LOGIN_REDIRECT_URL = "eloket:overview"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "eloket.context_processors.eloket",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'eloket.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# A kept connection is checked before its first use in each request or task (django-q2 workers close
# old connections before every task): after a database restart, the next request or task reconnects
# instead of failing on the dead connection (tests/faults/test_postgres_restart.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write the same SQLite file. A transaction that reads first and
    # writes later cannot wait for the write lock ("database is locked" at once); taking it at BEGIN
    # makes it wait (up to the timeout) instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
# A read replica for the lag-tolerant reads (eloket.db): the metrics' counts, the clerks' exports.
from config.databases import with_replica  # noqa: E402

DATABASES = with_replica(DATABASES, env.str("DATABASE_REPLICA_URL", default=""))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Dutch is the source language and the official one; French, English and German follow.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English"), ("de", "Deutsch")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The admin is in Dutch by default (eloket.middleware.LocaleMiddleware); a staff member may choose one
# of the site's languages in their account preferences.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Evidence and uploads never live under MEDIA_URL: they are served by views that check who asks.
PRIVATE_MEDIA_ROOT = env.path("ELOKET_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")

# Object storage (config/storage.py): evidence and uploads, and Wagtail's images and documents.
from config.storage import media_origin, s3_storage  # noqa: E402

_s3_bucket = env.str("ELOKET_S3_BUCKET", default="")
_s3_endpoint = env.str("ELOKET_S3_ENDPOINT_URL", default="") or None
_s3_region = env.str("ELOKET_S3_REGION", default="") or None
MEDIA_ORIGIN = ""  # where images are served from when that is not this site (CSP img-src)
if _s3_bucket:
    _private_storage = s3_storage(bucket=_s3_bucket, endpoint_url=_s3_endpoint, region=_s3_region)
    _default_storage = s3_storage(
        bucket=_s3_bucket, endpoint_url=_s3_endpoint, region=_s3_region, location="media"
    )
    MEDIA_ORIGIN = media_origin(
        bucket=_s3_bucket, endpoint_url=_s3_endpoint, origin=env.str("ELOKET_S3_MEDIA_ORIGIN", default="")
    )
else:
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "private": _private_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "E-loket Vlaanderen"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILEMBEDS_FINDERS = []  # no outbound calls from the CMS
# No avatars from gravatar.com: each would tell a third party which staff member opened the admin
# (the hash of their e-mail address), and the CSP's img-src refuses it anyway. Initials instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Staff passwords are reset through allauth (its mail goes through the outbox), not Wagtail's own form.
WAGTAIL_PASSWORD_RESET_ENABLED = False

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="e-loket <no-reply@eloket.localhost>")

# Background work: the ORM broker on the embedded default, Redis when REDIS_URL is set.
_redis_url = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "eloket",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 300,
    "retry": 360,
    "max_attempts": 5,
    "ack_failures": True,
    "catch_up": False,
    "label": "Taken",
}
if _redis_url:
    Q_CLUSTER["redis"] = _redis_url
else:
    Q_CLUSTER["orm"] = "default"
Q_CLUSTER["sync"] = env.bool("Q_SYNC", default=False)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("ELOKET_SESSION_AGE_SECONDS", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Permissions-Policy (eloket.middleware.PermissionsPolicyMiddleware): no page of the e-loket uses a
# camera, microphone, location, sensors, USB or the Payment Request API (Stripe's checkout is its own
# page), so they are denied to our pages and to any frame in them. Staff WebAuthn (allauth.mfa) would
# need "publickey-credentials-get=(self)" here if it is ever turned on.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Online payments: Stripe Checkout through Stripe Connect (docs/decisions/0004-stripe-connect-accounts.md).
# The secrets are required only when online payments are on; the API base defaults to Stripe itself
# (the dev settings point it at the local stand-in, eloket.payments.standin).
PAYMENTS_ONLINE = env.bool("ELOKET_ONLINE_PAYMENTS", default=False)
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# Where Checkout's hosted page lives: the pay form's redirect goes there, so CSP form-action allows it.
STRIPE_CHECKOUT_ORIGIN = env.str("STRIPE_CHECKOUT_ORIGIN", default="https://checkout.stripe.com")
STRIPE_SECRET_KEY = env.secret("STRIPE_SECRET_KEY") if PAYMENTS_ONLINE else ""
STRIPE_WEBHOOK_SECRET = env.secret("STRIPE_WEBHOOK_SECRET") if PAYMENTS_ONLINE else ""
# One Stripe call waits at most this long, and is retried this often: (retries + 1) × timeout must stay
# well below gunicorn's worker timeout (30 s), so a Stripe that hangs gets the citizen a "try again
# later" page instead of a killed worker (tests/faults/test_stripe_down.py).
STRIPE_TIMEOUT_SECONDS = env.float("ELOKET_STRIPE_TIMEOUT_SECONDS", default=10.0)
STRIPE_NETWORK_RETRIES = env.int("ELOKET_STRIPE_NETWORK_RETRIES", default=1)
# How long a checkout session stays open (Stripe allows 30 minutes to 24 hours).
PAYMENT_SESSION_MINUTES = env.int("ELOKET_PAYMENT_SESSION_MINUTES", default=60)
# The reconciliation job asks Stripe about payments still unfinished after this many minutes; it runs
# every PAYMENT_RECONCILE_EVERY_MINUTES (a django-q2 schedule declared in eloket.payments.schedules).
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("ELOKET_PAYMENT_RECONCILE_AFTER_MINUTES", default=15)
PAYMENT_RECONCILE_EVERY_MINUTES = env.int("ELOKET_PAYMENT_RECONCILE_EVERY_MINUTES", default=5)

# The outbox of events for webhooks and e-mails (eloket.outbox): dispatched after each commit that
# writes to it, and by a schedule that picks up what a crashed worker left.
OUTBOX_DISPATCH_EVERY_MINUTES = env.int("ELOKET_OUTBOX_DISPATCH_EVERY_MINUTES", default=1)
OUTBOX_DISPATCH_BATCH = env.int("ELOKET_OUTBOX_DISPATCH_BATCH", default=2000)

# E-mail to citizens (eloket.mail, docs/mail.md). A stuck SMTP server must not hold a worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Outbox e-mails per sending task (one SMTP connection each).
MAIL_SEND_BATCH = env.int("ELOKET_MAIL_SEND_BATCH", default=200)
# A row still "sending" after this long belonged to a worker that died: it is queued again. Longer
# than django-q's task timeout (Q_CLUSTER["timeout"], 5 minutes), so no live worker still holds it.
MAIL_SENDING_TIMEOUT_MINUTES = env.int("ELOKET_MAIL_SENDING_TIMEOUT_MINUTES", default=10)
# A pending row this old lost its task (a broker or worker failure): queued again.
MAIL_REQUEUE_AFTER_MINUTES = env.int("ELOKET_MAIL_REQUEUE_AFTER_MINUTES", default=15)
# A failed send is retried after MAIL_RETRY_MINUTES × 2^(attempts − 1), up to MAIL_MAX_ATTEMPTS tries.
MAIL_RETRY_MINUTES = env.int("ELOKET_MAIL_RETRY_MINUTES", default=5)
MAIL_MAX_ATTEMPTS = env.int("ELOKET_MAIL_MAX_ATTEMPTS", default=6)
MAIL_RECOVER_LIMIT = env.int("ELOKET_MAIL_RECOVER_LIMIT", default=20000)
MAIL_RECOVER_EVERY_MINUTES = env.int("ELOKET_MAIL_RECOVER_EVERY_MINUTES", default=5)
# Digests and deadline reminders: an hourly job that starts sending from this hour (local time).
MAIL_DAILY_HOUR = env.int("ELOKET_MAIL_DAILY_HOUR", default=8)
MAIL_DAILY_EVERY_MINUTES = env.int("ELOKET_MAIL_DAILY_EVERY_MINUTES", default=60)

# Outbound webhooks (eloket.webhooks, docs/webhooks.md): a short timeout per request, retries after
# these minutes (the last one repeats) until WEBHOOK_MAX_ATTEMPTS attempts, then "gave up". A delivery
# still "sending" after WEBHOOK_CLAIM_TIMEOUT_SECONDS (its worker died) is tried again. The retry job
# runs every WEBHOOK_RETRY_EVERY_MINUTES. WEBHOOK_ALLOW_LOCAL admits http:// and local or private
# addresses (dev and tests; production settings refuse it).
WEBHOOK_TIMEOUT_SECONDS = env.float("ELOKET_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_MINUTES = [
    int(m) for m in env.list("ELOKET_WEBHOOK_RETRY_MINUTES", default=["1", "5", "30", "120", "720"])
]
WEBHOOK_MAX_ATTEMPTS = env.int("ELOKET_WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_CLAIM_TIMEOUT_SECONDS = env.int("ELOKET_WEBHOOK_CLAIM_TIMEOUT_SECONDS", default=300)
WEBHOOK_RETRY_EVERY_MINUTES = env.int("ELOKET_WEBHOOK_RETRY_EVERY_MINUTES", default=1)
WEBHOOK_TASK_BUDGET_SECONDS = env.float("ELOKET_WEBHOOK_TASK_BUDGET_SECONDS", default=240.0)
WEBHOOK_ALLOW_LOCAL = env.bool("ELOKET_WEBHOOK_ALLOW_LOCAL", default=False)
# After a secret rotation the replaced secret signs next to the new one this long (0: not at all).
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("ELOKET_WEBHOOK_SECRET_OVERLAP_HOURS", default=24)

# Announcements to the citizen's Mijn Burgerprofiel (eloket.profile, docs/profile.md). No public API of
# Mijn Burgerprofiel for cases was found: PROFILE_ANNOUNCER is the dotted path of the adapter (empty:
# nothing is announced, nothing recorded); eloket.profile.announcer.StandinAnnouncer speaks the local
# stand-in's API at PROFILE_API_BASE. Plain http:// and local addresses need ELOKET_WEBHOOK_ALLOW_LOCAL
# (dev and tests). Retries after these minutes (the last one repeats) until PROFILE_MAX_ATTEMPTS.
PROFILE_ANNOUNCER = env.str("ELOKET_PROFILE_ANNOUNCER", default="")
PROFILE_API_BASE = env.str("ELOKET_PROFILE_API_BASE", default="").rstrip("/")
PROFILE_TIMEOUT_SECONDS = env.float("ELOKET_PROFILE_TIMEOUT_SECONDS", default=5.0)
PROFILE_RETRY_MINUTES = [
    int(m) for m in env.list("ELOKET_PROFILE_RETRY_MINUTES", default=["1", "5", "30", "120", "720"])
]
PROFILE_MAX_ATTEMPTS = env.int("ELOKET_PROFILE_MAX_ATTEMPTS", default=6)
PROFILE_CLAIM_TIMEOUT_SECONDS = env.int("ELOKET_PROFILE_CLAIM_TIMEOUT_SECONDS", default=300)
PROFILE_RETRY_EVERY_MINUTES = env.int("ELOKET_PROFILE_RETRY_EVERY_MINUTES", default=1)

# The citizen's login: the government's OpenID Connect provider (ACM/IDM), configured only from the
# environment (docs/login.md). Without ELOKET_OIDC_SERVER_URL there is no government login (the demo
# login remains in demo mode). The client authenticates with a secret (client_secret_basic) or with a
# signed JWT (private_key_jwt: ELOKET_OIDC_PRIVATE_KEY, a PEM, or ELOKET_OIDC_PRIVATE_KEY_FILE).
OIDC_SERVER_URL = env.str("ELOKET_OIDC_SERVER_URL", default="").rstrip("/")
OIDC_PROVIDER_ID = "acmidm"
OIDC_PRIVATE_KEY = env.str("ELOKET_OIDC_PRIVATE_KEY", default="")
if not OIDC_PRIVATE_KEY and env.str("ELOKET_OIDC_PRIVATE_KEY_FILE", default=""):
    OIDC_PRIVATE_KEY = env.path("ELOKET_OIDC_PRIVATE_KEY_FILE").read_text()
OIDC_TOKEN_AUTH_METHOD = env.str(
    "ELOKET_OIDC_TOKEN_AUTH_METHOD", default="private_key_jwt" if OIDC_PRIVATE_KEY else "client_secret_basic"
)
PRIVATE_KEY_JWT = "private_key_jwt"
OIDC_APP = None
if OIDC_SERVER_URL:
    OIDC_APP = {
        "provider_id": OIDC_PROVIDER_ID,
        "name": env.str("ELOKET_OIDC_NAME", default="Vlaamse overheid"),
        "client_id": env.secret("ELOKET_OIDC_CLIENT_ID"),
        "secret": ""
        if OIDC_TOKEN_AUTH_METHOD == PRIVATE_KEY_JWT
        else env.secret("ELOKET_OIDC_CLIENT_SECRET"),
        "settings": {
            "server_url": OIDC_SERVER_URL,
            "token_auth_method": OIDC_TOKEN_AUTH_METHOD,
            "scope": env.list("ELOKET_OIDC_SCOPES", default=["openid", "profile", "vo", "rrn"]),
            "private_key": OIDC_PRIVATE_KEY,
            "private_key_id": env.str("ELOKET_OIDC_PRIVATE_KEY_ID", default=""),
            # ACM/IDM wants the issuer as audience of the client's JWT; other providers the token URL.
            "assertion_audience": env.str("ELOKET_OIDC_ASSERTION_AUDIENCE", default=OIDC_SERVER_URL),
            "fetch_userinfo": env.bool("ELOKET_OIDC_FETCH_USERINFO", default=True),
        },
    }
    if OIDC_TOKEN_AUTH_METHOD == PRIVATE_KEY_JWT and not OIDC_PRIVATE_KEY:
        raise environ.ImproperlyConfigured("private_key_jwt needs ELOKET_OIDC_PRIVATE_KEY(_FILE)")
# The login form and the logout form end in a redirect to the provider: CSP form-action must allow it.
OIDC_FORM_ACTION = [_origin(OIDC_SERVER_URL)] if OIDC_SERVER_URL else []

SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # The generic provider with ACM/IDM's claims, nonce and private_key_jwt (eloket/auth/provider.py).
        "provider_class": "eloket.auth.provider.AcmIdmProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [OIDC_APP] if OIDC_APP else [],
    }
}
ACCOUNT_ADAPTER = "eloket.auth.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "eloket.auth.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]  # sign-up itself is closed (adapter)
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_REQUIRED = False
# Rate limits are allauth's (in the cache: production needs a shared cache, CACHE_URL). Failed staff
# logins: 10 a minute per address and 5 per 5 minutes per account.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"
# Staff: a password and TOTP (allauth.mfa), enforced by eloket.auth.middleware.StaffMfaMiddleware.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("ELOKET_TOTP_ISSUER", default="E-loket")
# Citizens (and a visitor with one dossier opened without login) are logged out after this many idle
# minutes; the page warns a few minutes before.
SESSION_IDLE_MINUTES = env.int("ELOKET_SESSION_IDLE_MINUTES", default=30)
SESSION_IDLE_WARNING_MINUTES = env.int("ELOKET_SESSION_IDLE_WARNING_MINUTES", default=2)

# Mijn Burgerprofiel's global header (the Flemish government's header with the citizen's profile): off
# unless a widget id is set; when on, the Content-Security-Policy also allows the widget's origin.
BURGERPROFIEL_WIDGET_ID = env.str("ELOKET_BURGERPROFIEL_WIDGET_ID", default="")
BURGERPROFIEL_WIDGET_ORIGIN = env.str(
    "ELOKET_BURGERPROFIEL_WIDGET_ORIGIN", default="https://widgets.vlaanderen.be"
).rstrip("/")

# The PTR-pas (eloket.embed, docs/login.md): the summary of the acting party's dossiers that a city's
# website or Mijn Burgerprofiel shows in a frame. Only that view may be framed, by our own pages and by
# these origins (CSP frame-ancestors; the rest of the site keeps 'none'), e.g.
# "https://www.genk.be,https://mijn.vlaanderen.be". Empty: only our own pages (the demo city page).
ELOKET_EMBED_PARENT_ORIGINS = [
    origin.rstrip("/") for origin in env.list("ELOKET_EMBED_PARENT_ORIGINS", default=[])
]
# Mijn Burgerprofiel's embed SDK (config/static/js/mbp-embed.js): the module to load and the client id
# Digitaal Vlaanderen gives at onboarding. Either one empty: the script does nothing.
ELOKET_MBP_EMBED_SDK_URL = env.str("ELOKET_MBP_EMBED_SDK_URL", default="")
ELOKET_MBP_EMBED_CLIENT_ID = env.str("ELOKET_MBP_EMBED_CLIENT_ID", default="")

# One dossier without login (reference, plate and check value): attempts per client address.
GUEST_ACCESS_RATE = env.str("ELOKET_GUEST_ACCESS_RATE", default="10/h")
GUEST_ACCESS_REFERENCE_RATE = env.str("ELOKET_GUEST_ACCESS_REFERENCE_RATE", default="5/h")

# Content-Security-Policy: everything from our own origin, no inline scripts, no CDN.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        # Our own forms, and the redirect of the pay form to the hosted checkout page.
        "form-action": [SELF, *([STRIPE_CHECKOUT_ORIGIN] if PAYMENTS_ONLINE else []), *OIDC_FORM_ACTION],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if BURGERPROFIEL_WIDGET_ID:
    # The header's loader script, what it fetches (profile, menu), its styles, images and iframes.
    for _directive in ("script-src", "style-src", "img-src", "font-src", "connect-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive].append(BURGERPROFIEL_WIDGET_ORIGIN)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"] = [SELF, BURGERPROFIEL_WIDGET_ORIGIN]

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "E-loket API voor stads- en gemeentesystemen",
    "DESCRIPTION": "Dossiers aanleveren en opvolgen, bewijsstukken, statuswijzigingen, "
    "vergunningscontrole en inzendingen. Zie docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["eloket.api.schema.only_api_v1"],
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "eloket.constants.DossierStatus",
        "DossierKindEnum": "eloket.constants.DossierKind",
        "LanguageEnum": "eloket.constants.Language",
        "DecisionEnum": "eloket.constants.Decision",
        "LineStatusEnum": ["created", "updated", "unchanged", "error"],
    },
}
# Bulk NDJSON: lines per request and per transaction; evidence uploads (eloket.api).
API_BULK_MAX_LINES = env.int("ELOKET_API_BULK_MAX_LINES", default=200_000)
API_BULK_BATCH_SIZE = env.int("ELOKET_API_BULK_BATCH_SIZE", default=5000)
API_EVIDENCE_MAX_MB = env.int("ELOKET_API_EVIDENCE_MAX_MB", default=10)
# On PostgreSQL, a bulk import writes one batch in a thread while it validates the next.
API_BULK_PIPELINE = env.bool("ELOKET_API_BULK_PIPELINE", default=True)

# Logs (eloket.observability.logs, docs/observability.md): every record carries the request id (a
# filter on the handler); both formatters mask e-mail addresses and national and enterprise numbers.
# "json" writes one JSON object per line with a named event (the production default), "plain" one line.
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("ELOKET_LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("json", "plain"):
    raise environ.ImproperlyConfigured("ELOKET_LOG_FORMAT must be json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "eloket.observability.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "eloket.observability.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "eloket.observability.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # fontTools (eloket.pdf's font subsetting) logs a dozen INFO lines per PDF: only its warnings.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# /metrics/ (eloket.observability.metrics) answers these networks (the client address as
# ELOKET_CLIENT_IP_HEADER gives it behind a proxy), and anyone who sends ELOKET_METRICS_TOKEN as a
# bearer token. Checked here so that a typo stops the process at start-up.
METRICS_ALLOWED_NETWORKS = [
    str(ipaddress.ip_network(network, strict=False))
    for network in env.list("ELOKET_METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])
]
METRICS_TOKEN = env.str("ELOKET_METRICS_TOKEN", default="")

ELOKET_PAGE_SIZE = env.int("ELOKET_PAGE_SIZE", default=20)

# Letters by post (eloket.letters, docs/letters.md): a party with no verified e-mail whose logins have
# not logged in for this many days gets the legally required letters on paper, in a daily batch.
ELOKET_LETTERS_OFFLINE_DAYS = env.int("ELOKET_LETTERS_OFFLINE_DAYS", default=180)
# How often the letter batches are topped up, and how long one run may take (under django-q2's 300 s).
LETTERS_EVERY_MINUTES = env.int("ELOKET_LETTERS_EVERY_MINUTES", default=60)
LETTERS_TASK_BUDGET_SECONDS = env.float("ELOKET_LETTERS_TASK_BUDGET_SECONDS", default=240.0)

# Virus scan of uploads (forms.scan): ClamAV's clamd over a Unix socket, or over TCP when a host is
# set. Without either, uploads are stored as "not scanned".
ELOKET_CLAMAV_SOCKET = env.str("ELOKET_CLAMAV_SOCKET", default="")
ELOKET_CLAMAV_HOST = env.str("ELOKET_CLAMAV_HOST", default="")
ELOKET_CLAMAV_PORT = env.int("ELOKET_CLAMAV_PORT", default=3310)
ELOKET_CLAMAV_TIMEOUT = env.float("ELOKET_CLAMAV_TIMEOUT", default=15.0)
# The public question form is limited per client address (django-ratelimit, in the cache). Behind a
# proxy, name the request header that holds the client address (e.g. HTTP_X_REAL_IP, set by the proxy).
ELOKET_PUBLIC_FORM_RATE = env.str("ELOKET_PUBLIC_FORM_RATE", default="5/10m")
RATELIMIT_IP_META_KEY = env.str("ELOKET_CLIENT_IP_HEADER", default="") or None

# "Translate this page" must not publish a copy that still holds the Dutch text.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
