from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EloketConfig(AppConfig):
    name = "eloket"
    verbose_name = _("E-loket")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import eloket.api.schema  # noqa: F401 (registers the API key's OpenAPI security scheme)
        from eloket.actions import action_register
        from eloket.admin_csp import install as admin_csp_install
        from eloket.constants import CitizenAction
        from eloket.observability.tasks import task_signals_connect
        from eloket.payments.views import pay_url
        from eloket.schedules import schedules_ensure

        # "Betalen" where the organisation takes online payments; bank transfer is shown on every
        # payable dossier regardless.
        action_register(CitizenAction.PAY, pay_url)
        # The periodic jobs (eloket.schedules), declared in code (STYLE 7), kept current by every migrate.
        post_migrate.connect(schedules_ensure, sender=self, dispatch_uid="eloket_schedules_ensure")
        # Tasks carry the request id of the request that queued them (docs/observability.md).
        task_signals_connect()
        # Wagtail's choosers write their inline script with the admin's CSP nonce (eloket.admin_csp).
        admin_csp_install()
