"""Retention periods in the Wagtail admin (/beheer/): coordinators set their organisation's rows,
platform operators (superusers) the rows for every organisation (organisation left empty).

Scoped like ``eloket.integrations_admin``: a coordinator sees and edits only the rows of the
organisations they coordinate; another organisation's row, or a platform row, is a 404. Deleting a
row is allowed: the organisation then follows the platform row or the code default again. Writes go
through ``eloket.retention.retention_policy_save`` (which checks the same rule and writes the audit log).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from eloket.constants import StaffRole
from eloket.integrations import coordinator_organisations
from eloket.integrations_admin import _is_coordinator
from eloket.models import RetentionPolicy, User
from eloket.retention import retention_policy_save, retention_policy_visible


class RetentionPermissionPolicy(BasePermissionPolicy):
    ACTIONS = frozenset({"add", "change", "view", "delete"})

    def user_has_permission(self, user, action):
        return action in self.ACTIONS and _is_coordinator(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return action in self.ACTIONS and retention_policy_visible(user=user).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.ACTIONS.intersection(actions):
            return RetentionPolicy.objects.none()
        return retention_policy_visible(user=user)

    def users_with_any_permission(self, actions):
        if not self.ACTIONS.intersection(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(staff_memberships__role=StaffRole.COORDINATOR), is_active=True
        ).distinct()


register_permission_policy(RetentionPolicy, RetentionPermissionPolicy(RetentionPolicy))


class RetentionPolicyForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and "organisation" in self.fields:
            self.fields["organisation"].queryset = coordinator_organisations(user=for_user).order_by(
                "name_nl"
            )
            # Only platform operators set the rows that hold for every organisation.
            self.fields["organisation"].required = not for_user.is_superuser

    class Meta:
        model = RetentionPolicy
        fields = ["organisation", "dossier_kind", "category", "period", "unit", "action", "reason"]


class ScopedMixin:
    def get_queryset(self):
        return retention_policy_visible(user=self.request.user)


class RetentionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return retention_policy_visible(user=self.request.user).select_related("organisation")


class RetentionCreateView(generic.CreateView):
    def save_instance(self):
        return retention_policy_save(policy=self.form.save(commit=False), user=self.request.user)


class RetentionEditView(ScopedMixin, generic.EditView):
    def save_instance(self):
        return retention_policy_save(policy=self.form.save(commit=False), user=self.request.user)


class RetentionDeleteView(ScopedMixin, generic.DeleteView):
    pass


class RetentionHistoryView(HistoryView):
    def get_base_object_queryset(self):
        return retention_policy_visible(user=self.request.user)


class RetentionUsageView(UsageView):
    def get_base_object_queryset(self):
        return retention_policy_visible(user=self.request.user)


def _organisation_label(policy: RetentionPolicy) -> str:
    return str(policy.organisation) if policy.organisation_id else str(gettext_lazy("Alle organisaties"))


def _kind_label(policy: RetentionPolicy) -> str:
    return policy.get_dossier_kind_display() if policy.dossier_kind else str(gettext_lazy("Alle soorten"))


def _period_label(policy: RetentionPolicy) -> str:
    return f"{policy.period} {policy.get_unit_display()}"


class RetentionPolicyViewSet(ModelViewSet):
    model = RetentionPolicy
    name = "eloket_retention"
    url_prefix = "eloket/retention"
    icon = "time"
    menu_label = gettext_lazy("Bewaartermijnen")
    menu_order = 960
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = RetentionPolicyForm.Meta.fields
    index_view_class = RetentionIndexView
    add_view_class = RetentionCreateView
    edit_view_class = RetentionEditView
    delete_view_class = RetentionDeleteView
    history_view_class = RetentionHistoryView
    usage_view_class = RetentionUsageView
    list_display = [
        "category",
        Column("organisation", label=gettext_lazy("Organisatie"), accessor=_organisation_label),
        Column("dossier_kind", label=gettext_lazy("Soort dossier"), accessor=_kind_label),
        Column("period", label=gettext_lazy("Bewaartermijn"), accessor=_period_label),
        "action",
    ]
    list_filter = ["category", "organisation", "action"]

    def get_form_class(self, for_update=False):
        return RetentionPolicyForm
