from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EloketConfig(AppConfig):
    name = "eloket"
    verbose_name = _("E-loket")
    default_auto_field = "django.db.models.BigAutoField"
