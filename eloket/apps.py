from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EloketConfig(AppConfig):
    name = "eloket"
    verbose_name = _("E-loket")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse

        from eloket.actions import action_register
        from eloket.constants import CitizenAction
        from eloket.payments.schedules import schedules_ensure

        action_register(CitizenAction.PAY, lambda dossier: reverse("payments:pay", args=[dossier.reference]))
        # The payment reconciliation schedule, declared in code (STYLE 7), kept current by every migrate.
        post_migrate.connect(schedules_ensure, sender=self, dispatch_uid="eloket_schedules_ensure")
