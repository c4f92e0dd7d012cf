"""Coordinator screens in the Wagtail admin (/beheer/): the organisation's API keys and webhooks, and
each webhook's delivery log with "redeliver".

Only coordinators of an organisation (and superusers) see these screens, and only for the
organisations they coordinate (``eloket.integrations.coordinator_organisations``): another
organisation's key, webhook or delivery is a 404. Clerks do not see them (docs/webhooks.md). Every
write goes through ``eloket.integrations`` or ``eloket.webhooks.services``, which check the same rule
again and write the audit log. Keys and webhooks are never deleted here: a key is revoked, a webhook
switched off, so their history stays.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from eloket.admin_columns import YesNoColumn
from eloket.constants import StaffRole
from eloket.integrations import (
    api_key_create,
    api_key_revoke,
    api_key_scopes_clean,
    api_key_update,
    coordinator_organisations,
    user_is_coordinator,
)
from eloket.models import ApiKey, ApiScope, EventType, User, WebhookDelivery, WebhookEndpoint
from eloket.webhooks.delivery import previous_secrets
from eloket.webhooks.services import (
    RedeliveryRefused,
    delivery_redeliver,
    endpoint_create,
    endpoint_secret_rotate,
    endpoint_update,
    webhook_url_validate,
)

# -- Who may: coordinators, for their own organisations ---------------------------------------------------


class CoordinatorPolicy(BasePermissionPolicy):
    """Coordinators see, add and change their organisations' rows; nobody deletes them here."""

    ACTIONS = frozenset({"add", "change", "view"})

    def user_has_permission(self, user, action):
        return action in self.ACTIONS and _is_coordinator(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            action in self.ACTIONS
            and coordinator_organisations(user=user).filter(pk=instance.organisation_id).exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.ACTIONS.intersection(actions):
            return self.model.objects.none()
        return self.model.objects.filter(organisation__in=coordinator_organisations(user=user).values("pk"))

    def users_with_any_permission(self, actions):
        if not self.ACTIONS.intersection(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(staff_memberships__role=StaffRole.COORDINATOR), is_active=True
        ).distinct()


def _is_coordinator(user) -> bool:
    """Asked several times per page (menu, buttons): remembered on the request's user."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_eloket_is_coordinator", None)
    if cached is None:
        cached = user_is_coordinator(user=user)
        user._eloket_is_coordinator = cached
    return cached


for _model in (ApiKey, WebhookEndpoint):
    register_permission_policy(_model, CoordinatorPolicy(_model))


def _scoped(request, queryset):
    return queryset.filter(organisation__in=coordinator_organisations(user=request.user).values("pk"))


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return _scoped(self.request, super().get_base_queryset()).select_related("organisation")


class ScopedObjectMixin:
    def get_queryset(self):
        return _scoped(self.request, super().get_queryset())


class ScopedHistoryView(HistoryView):
    def get_base_object_queryset(self):
        return _scoped(self.request, super().get_base_object_queryset())


class ScopedUsageView(UsageView):
    def get_base_object_queryset(self):
        return _scoped(self.request, super().get_base_object_queryset())


class CoordinatorForm(WagtailAdminModelForm):
    """Organisation choices limited to those the user coordinates (Wagtail passes ``for_user``)."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if "organisation" in self.fields and for_user is not None:
            self.fields["organisation"].queryset = coordinator_organisations(user=for_user).order_by(
                "name_nl"
            )


def _require_coordinator(request) -> None:
    if not _is_coordinator(request.user):
        raise PermissionDenied


# -- API keys -----------------------------------------------------------------------------------------


class ApiKeyForm(CoordinatorForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Rechten"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ["organisation", "name", "scopes", "rights_check_per_minute"]

    def clean(self):
        """Scopes that do not fit the organisation (sessions:write is a provider's alone) are the
        field's error on the form, not a failure when the key is saved."""
        cleaned = super().clean()
        organisation = cleaned.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is not None and cleaned.get("scopes"):
            try:
                api_key_scopes_clean(cleaned["scopes"], organisation=organisation)
            except ValidationError as error:
                for message in error.message_dict.get("scopes", []):
                    self.add_error("scopes", message)
        return cleaned


class ApiKeyEditForm(ApiKeyForm):
    class Meta(ApiKeyForm.Meta):
        fields = ["name", "scopes", "rights_check_per_minute"]


class ApiKeyCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        self.created = api_key_create(
            organisation=data["organisation"],
            name=data["name"],
            scopes=data["scopes"],
            rights_check_per_minute=data["rights_check_per_minute"],
            user=self.request.user,
        )
        return self.created.key

    def save_action(self):
        """The token, shown this once and never stored (only its hash is): no redirect, no cache."""
        response = TemplateResponse(
            self.request,
            "eloket/integrations/api_key_token.html",
            {
                "key": self.created.key,
                "token": self.created.token,
                "header_title": _("Nieuwe API-sleutel"),
                "index_url": reverse("eloket_api_keys:index"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class ApiKeyEditView(ScopedObjectMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return api_key_update(
            key_id=self.object.pk,
            name=data["name"],
            scopes=data["scopes"],
            rights_check_per_minute=data["rights_check_per_minute"],
            user=self.request.user,
        )

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object.revoked_at is None:
            buttons.append(
                HeaderButton(
                    _("Intrekken"),
                    url=reverse("eloket_api_keys:revoke", args=[self.object.pk]),
                    icon_name="bin",
                )
            )
        return buttons


class ApiKeyIndexView(ScopedIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.revoked_at is None:
            buttons.append(
                MenuItem(
                    _("Intrekken"), url=reverse("eloket_api_keys:revoke", args=[instance.pk]), icon_name="bin"
                )
            )
        return buttons


def _scopes_label(key: ApiKey) -> str:
    labels = dict(ApiScope.choices)
    return ", ".join(str(labels.get(scope, scope)) for scope in key.scopes or [])


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    name = "eloket_api_keys"
    url_prefix = "eloket/api-keys"
    icon = "key"
    menu_label = gettext_lazy("API-sleutels")
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = ApiKeyIndexView
    add_view_class = ApiKeyCreateView
    edit_view_class = ApiKeyEditView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    list_display = [
        "name",
        "organisation",
        "prefix",
        Column("scopes", label=gettext_lazy("Rechten"), accessor=_scopes_label),
        "rights_check_per_minute",
        "last_used_at",
        "revoked_at",
        "created_at",
    ]
    list_filter = ["organisation"]
    search_fields = ["name", "prefix"]

    def get_form_class(self, for_update=False):
        return ApiKeyEditForm if for_update else ApiKeyForm

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/revoke/", api_key_revoke_view, name="revoke")]


def api_key_revoke_view(request, pk: int):
    """Confirm, then revoke: the key stops working from its next request on."""
    _require_coordinator(request)
    key = _scoped(request, ApiKey.objects.select_related("organisation")).filter(pk=pk).first()
    if key is None:
        raise Http404
    if request.method == "POST":
        api_key_revoke(key_id=key.pk, user=request.user)
        messages.success(request, _("De sleutel %(name)s is ingetrokken.") % {"name": key.name})
        return redirect("eloket_api_keys:index")
    return TemplateResponse(
        request,
        "eloket/integrations/api_key_revoke.html",
        {"key": key, "header_title": _("API-sleutel intrekken")},
    )


# -- Webhooks -----------------------------------------------------------------------------------------


class WebhookEndpointForm(CoordinatorForm):
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Gebeurtenissen"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organisation", "url", "events", "active"]

    def clean_url(self):
        try:
            return webhook_url_validate(self.cleaned_data["url"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["url"]) from None


class WebhookEndpointEditForm(WebhookEndpointForm):
    class Meta(WebhookEndpointForm.Meta):
        fields = ["url", "events", "active"]


class WebhookEndpointCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return endpoint_create(
            organisation=data["organisation"],
            url=data["url"],
            events=data["events"],
            active=data["active"],
            user=self.request.user,
        )

    def get_success_url(self):
        return reverse("eloket_webhooks:edit", args=[self.object.pk])  # where its secret is shown


class WebhookEndpointEditView(ScopedObjectMixin, generic.EditView):
    template_name = "eloket/integrations/webhook_edit.html"

    def save_instance(self):
        data = self.form.cleaned_data
        return endpoint_update(
            endpoint_id=self.object.pk,
            url=data["url"],
            events=data["events"],
            active=data["active"],
            user=self.request.user,
        )

    @property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            HeaderButton(
                _("Afleveringen"),
                url=reverse("eloket_webhooks:deliveries", args=[self.object.pk]),
                icon_name="list-ul",
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoint"] = self.object
        context["rotate_url"] = reverse("eloket_webhooks:rotate", args=[self.object.pk])
        if previous_secrets(self.object, now=timezone.now()):
            context["previous_secret_until"] = self.object.previous_secret_until
        context["deliveries_url"] = reverse("eloket_webhooks:deliveries", args=[self.object.pk])
        return context


class WebhookEndpointIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(
                failing=Count(
                    "deliveries",
                    filter=Q(
                        deliveries__status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.GAVE_UP]
                    ),
                )
            )
        )

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            MenuItem(
                _("Afleveringen"),
                url=reverse("eloket_webhooks:deliveries", args=[instance.pk]),
                icon_name="list-ul",
            ),
        ]


def _events_label(endpoint: WebhookEndpoint) -> str:
    labels = dict(EventType.choices)
    return ", ".join(str(labels.get(event, event)) for event in endpoint.events or [])


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    name = "eloket_webhooks"
    url_prefix = "eloket/webhooks"
    icon = "link-external"
    menu_label = gettext_lazy("Webhooks")
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = WebhookEndpointIndexView
    add_view_class = WebhookEndpointCreateView
    edit_view_class = WebhookEndpointEditView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    list_display = [
        "url",
        "organisation",
        YesNoColumn("active", label=capfirst(gettext_lazy("actief"))),
        Column("events", label=gettext_lazy("Gebeurtenissen"), accessor=_events_label),
        Column("failing", label=gettext_lazy("Mislukte afleveringen")),
        DateColumn("created_at", label=gettext_lazy("Aangemaakt")),
    ]
    list_filter = ["organisation", "active"]
    search_fields = ["url"]

    def get_form_class(self, for_update=False):
        return WebhookEndpointEditForm if for_update else WebhookEndpointForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/secret/", endpoint_rotate_view, name="rotate"),
            path("<int:pk>/deliveries/", endpoint_deliveries_view, name="deliveries"),
            path("deliveries/<int:delivery_id>/redeliver/", redeliver_view, name="redeliver"),
        ]


class IntegrationsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Koppelingen")
    menu_icon = "link"
    menu_order = 950
    items = (ApiKeyViewSet, WebhookEndpointViewSet)


def _endpoint_or_404(request, pk: int) -> WebhookEndpoint:
    _require_coordinator(request)
    endpoint = _scoped(request, WebhookEndpoint.objects.select_related("organisation")).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def endpoint_rotate_view(request, pk: int):
    """Confirm, then give the webhook a new secret (the receiver must take it over at once)."""
    endpoint = _endpoint_or_404(request, pk)
    if request.method == "POST":
        endpoint_secret_rotate(endpoint_id=endpoint.pk, user=request.user)
        messages.success(request, _("De webhook heeft een nieuw geheim."))
        return redirect("eloket_webhooks:edit", endpoint.pk)
    return TemplateResponse(
        request,
        "eloket/integrations/webhook_rotate.html",
        {
            "endpoint": endpoint,
            "header_title": _("Nieuw geheim voor de webhook"),
            "overlap_hours": max(settings.WEBHOOK_SECRET_OVERLAP_HOURS, 0),
        },
    )


DELIVERY_PAGE_SIZE = 50


def endpoint_deliveries_view(request, pk: int):
    """The webhook's deliveries, newest first, filterable by status."""
    endpoint = _endpoint_or_404(request, pk)
    deliveries = endpoint.deliveries.select_related("event").order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, DELIVERY_PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "eloket/integrations/webhook_deliveries.html",
        {
            "endpoint": endpoint,
            "page": page,
            "status": status,
            "statuses": WebhookDelivery.Status.choices,
            "redeliverable": {
                s for s in WebhookDelivery.Status.values if s != WebhookDelivery.Status.SENDING
            },
            "header_title": _("Afleveringen van %(url)s") % {"url": endpoint.url},
        },
    )


@require_POST
def redeliver_view(request, delivery_id: int):
    _require_coordinator(request)
    delivery = (
        WebhookDelivery.objects.filter(
            endpoint__organisation__in=coordinator_organisations(user=request.user).values("pk")
        )
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise Http404
    try:
        delivery_redeliver(delivery_id=delivery.pk, user=request.user)
        messages.success(request, _("De melding wordt opnieuw verstuurd."))
    except RedeliveryRefused as refused:
        messages.error(request, " ".join(refused.messages))
    return redirect("eloket_webhooks:deliveries", delivery.endpoint_id)
