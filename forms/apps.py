from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    """Questions, complaints and contests built by city editors. Its own label: ``django.forms``
    would otherwise clash on ``forms``."""

    name = "forms"
    label = "eloket_forms"
    verbose_name = _("Formulieren")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from eloket.actions import action_register
        from forms import page_hooks
        from forms.constants import PURPOSE_FOR_ACTION
        from forms.views import dossier_form_url

        # The dossier page shows these actions only where the organisation has a live form for them.
        for action in PURPOSE_FOR_ACTION:
            action_register(
                action, lambda dossier, action=action: dossier_form_url(dossier=dossier, action=action)
            )
        page_hooks.register()
