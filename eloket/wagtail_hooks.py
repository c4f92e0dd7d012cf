"""Admin screens for the platform operator: municipalities, organisations and their regulations.

Dossiers arrive from city systems (API, later issue) and are not edited by hand here.
"""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from eloket.models import Municipality, Organisation, Regulation


class MunicipalityViewSet(ModelViewSet):
    model = Municipality
    name = "municipalities"
    url_prefix = "eloket/municipality"
    icon = "site"
    menu_label = "Gemeenten"
    list_display = ["name_nl", "nis_code", "slug"]
    search_fields = ["name_nl", "name_fr", "nis_code"]
    form_fields = ["nis_code", "slug", "name_nl", "name_fr", "name_en", "name_de", "postal_codes"]


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    name = "organisations"
    url_prefix = "eloket/organisation"
    icon = "group"
    menu_label = "Organisaties"
    list_display = ["name_nl", "kind", "iban", "email"]
    list_filter = ["kind"]
    search_fields = ["name_nl", "slug", "email"]
    form_fields = [
        "slug", "kind", "name_nl", "name_fr", "name_en", "name_de", "municipalities", "enterprise_number",
        "iban", "bic", "account_holder", "email", "phone", "website", "address",
    ]  # fmt: skip


class RegulationViewSet(ModelViewSet):
    model = Regulation
    name = "regulations"
    url_prefix = "eloket/regulation"
    icon = "doc-full"
    menu_label = "Reglementen"
    list_display = ["code", "title", "organisation", "kind", "valid_from"]
    list_filter = ["kind", "organisation"]
    search_fields = ["code", "title"]
    form_fields = [
        "organisation", "municipality", "kind", "code", "title", "url", "valid_from", "valid_until",
        "pay_term_days", "contest_term_days", "reminder_term_days", "formal_notice_term_days",
        "reminder_cost_cents", "formal_notice_cost_cents", "tariff", "session_grace_minutes",
        "session_near_minutes",
    ]  # fmt: skip


class OnboardingGroup(ViewSetGroup):
    menu_label = "E-loket"
    menu_icon = "cogs"
    items = (MunicipalityViewSet, OrganisationViewSet, RegulationViewSet)


@hooks.register("register_admin_viewset")
def register_onboarding():
    return OnboardingGroup()


@hooks.register("register_admin_viewset")
def register_payments():
    from eloket.payments.admin_views import PaymentsGroup

    return PaymentsGroup()


@hooks.register("register_admin_urls")
def payment_admin_urls():
    from django.urls import path

    from eloket.payments import admin_views

    return [
        path("eloket/coda/", admin_views.coda_upload, name="eloket_payments_coda_upload"),
        path(
            "eloket/bank-movements/<int:pk>/resolve/",
            admin_views.movement_resolve,
            name="eloket_payments_movement_resolve",
        ),
        path("eloket/refunds/<int:pk>/done/", admin_views.refund_done, name="eloket_payments_refund_done"),
    ]


@hooks.register("register_admin_menu_item")
def coda_upload_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy
    from wagtail.admin.menu import MenuItem

    class CodaMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm("eloket.add_codaimport")

    return CodaMenuItem(
        gettext_lazy("CODA inlezen"), reverse("eloket_payments_coda_upload"), icon_name="upload", order=900
    )


@hooks.register("register_admin_viewset")
def register_integrations():
    """API keys and webhooks, for the organisations' coordinators (eloket.integrations_admin)."""
    from eloket.integrations_admin import IntegrationsGroup

    return IntegrationsGroup()


@hooks.register("register_admin_viewset")
def register_retention():
    """Retention periods, for coordinators and platform operators (eloket.retention_admin)."""
    from eloket.retention_admin import RetentionPolicyViewSet

    return RetentionPolicyViewSet()


@hooks.register("register_admin_viewset")
def register_parking():
    """Parking areas and the sessions reported in them, for city staff and operators
    (eloket.sessions.admin)."""
    from eloket.sessions.admin import ParkingGroup

    return ParkingGroup()


@hooks.register("register_log_actions")
def register_integration_log_actions(actions):
    from django.utils.translation import gettext_lazy

    from eloket import integrations
    from eloket.webhooks import services as webhooks

    for action, label, message in (
        (
            integrations.ACTION_API_KEY_CREATE,
            gettext_lazy("Sleutel gemaakt"),
            gettext_lazy("API-sleutel gemaakt"),
        ),
        (
            integrations.ACTION_API_KEY_EDIT,
            gettext_lazy("Sleutel gewijzigd"),
            gettext_lazy("API-sleutel gewijzigd"),
        ),
        (
            integrations.ACTION_API_KEY_REVOKE,
            gettext_lazy("Sleutel ingetrokken"),
            gettext_lazy("API-sleutel ingetrokken"),
        ),
        (webhooks.ACTION_ENDPOINT_CREATE, gettext_lazy("Webhook gemaakt"), gettext_lazy("Webhook gemaakt")),
        (webhooks.ACTION_ENDPOINT_EDIT, gettext_lazy("Webhook gewijzigd"), gettext_lazy("Webhook gewijzigd")),
        (
            webhooks.ACTION_SECRET_ROTATE,
            gettext_lazy("Nieuw geheim"),
            gettext_lazy("Nieuw geheim voor de webhook"),
        ),
        (
            webhooks.ACTION_REDELIVER,
            gettext_lazy("Opnieuw verstuurd"),
            gettext_lazy("Melding opnieuw verstuurd"),
        ),
    ):
        actions.register_action(action, label, message)


@hooks.register("register_admin_viewset")
def register_letter_texts():
    """Each organisation's own letter texts (eloket.letters.admin)."""
    from eloket.letters.admin import letter_text_viewset

    return letter_text_viewset()


@hooks.register("register_admin_urls")
def letters_admin_urls():
    from eloket.letters import admin

    return admin.urlpatterns


@hooks.register("register_admin_menu_item")
def letters_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy
    from wagtail.admin.menu import MenuItem

    from eloket.letters.admin import VIEW_BATCHES

    class LettersMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(VIEW_BATCHES)

    return LettersMenuItem(
        gettext_lazy("Brieven per post"), reverse("eloket_letters_batches"), icon_name="mail", order=910
    )
