from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    """Questions, complaints and contests built by city editors. Its own label: ``django.forms``
    would otherwise clash on ``forms``."""

    name = "forms"
    label = "eloket_forms"
    verbose_name = _("Formulieren")
    default_auto_field = "django.db.models.BigAutoField"
