"""The clerk side in the Wagtail admin: the inbox ("Inzendingen"), the audit-log labels of the clerk
actions, and each organisation's triage settings (routing rules, response terms, standard replies,
teams), every screen scoped to the user's organisations (``eloket.selectors.staff_organisations``).
"""

from __future__ import annotations

from django.forms import modelform_factory
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import models as generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from eloket.selectors import staff_organisations
from forms import admin_paid_by_app, admin_views, inbox, triage
from forms.admin_forms import OrganisationScopedForm, StandardReplyForm
from forms.models import OrganisationLogEntry, ResponseTerm, RoutingRule, StandardReply, Submission, Team
from forms.paid_by_app import ACTION_NEAR_MATCH_ACCEPT

# --- the inbox ----------------------------------------------------------------------------------------

inbox_urls = [
    path("", admin_views.inbox_view, name="inbox"),
    path("export.<str:fmt>", admin_views.inbox_export_view, name="export"),
    path("toewijzen/", admin_views.bulk_assign_view, name="bulk_assign"),
    path("filters/", admin_views.saved_filter_create_view, name="saved_filter_create"),
    path("filters/<int:saved_filter_id>/verwijderen/", admin_views.saved_filter_delete_view,
         name="saved_filter_delete"),
    path("<str:reference>/", admin_views.submission_detail_view, name="detail"),
    path("<str:reference>/nemen/", admin_views.submission_take_view, name="take"),
    path("<str:reference>/toewijzen/", admin_views.submission_assign_view, name="assign"),
    path("<str:reference>/bericht/", admin_views.submission_message_view, name="message"),
    path("<str:reference>/beslissen/", admin_views.submission_decide_view, name="decide"),
    path("<str:reference>/afsluiten/", admin_views.submission_close_view, name="close"),
    path("<str:reference>/bijlage/<int:attachment_id>/", admin_views.attachment_view, name="attachment"),
    path("<str:reference>/bewijs/<int:evidence_id>/", admin_views.evidence_view, name="evidence"),
    path("<str:reference>/app-sessies/<int:near_match_id>/aanvaarden/",
         admin_views.clerk_required(admin_views.CHANGE_PERMISSION)(admin_paid_by_app.near_match_accept_view),
         name="near_match_accept"),
    path("<str:reference>/app-sessies/zoeken/",
         admin_views.clerk_required(admin_views.CHANGE_PERMISSION)(admin_paid_by_app.near_matches_search_view),
         name="near_matches_search"),
]  # fmt: skip


@hooks.register("register_admin_urls")
def register_inbox_urls():
    return [path("inzendingen/", include((inbox_urls, "eloket_forms_admin"), namespace="eloket_forms_admin"))]


class InboxMenuItem(MenuItem):
    """Shown to clerks; the label counts the open submissions of their organisations (one COUNT on an
    indexed column per admin page)."""

    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW_PERMISSION)

    def render_component(self, request):
        component = super().render_component(request)
        count = inbox.inbox_open_count(user=request.user)
        if count:
            component.label = f"{self.label} ({count})"
        return component


@hooks.register("eloket_admin_sidebar_key")
def inbox_badge_sidebar_key(request):
    """The cached admin sidebar (eloket.admin_chrome) shows the badge's count, so the count is part of
    its key: the sidebar is made again when the count changes, not at every change of a submission."""
    if not request.user.has_perm(admin_views.VIEW_PERMISSION):
        return None
    return inbox.inbox_open_count(user=request.user)


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return InboxMenuItem(_("Inzendingen"), reverse("eloket_forms_admin:inbox"), icon_name="mail", order=150)


@hooks.register("register_log_actions")
def register_clerk_log_actions(actions):
    # Their audit-log entries carry the organisation, so the site history is scoped like the inbox.
    for model in (Submission, Team, RoutingRule, ResponseTerm, StandardReply):
        actions.register_model(model, OrganisationLogEntry)
    actions.register_action(triage.ACTION_ASSIGN, _("Toegewezen"), _("Inzending toegewezen"))
    actions.register_action(
        triage.ACTION_REQUEST_INFORMATION, _("Informatie gevraagd"), _("Bijkomende informatie gevraagd")
    )
    actions.register_action(triage.ACTION_REPLY, _("Beantwoord"), _("Antwoord verstuurd"))
    actions.register_action(triage.ACTION_DECIDE, _("Beslist"), _("Beslissing genomen"))
    actions.register_action(triage.ACTION_CLOSE, _("Afgesloten"), _("Inzending afgesloten"))
    actions.register_action(triage.ACTION_ANSWER, _("Informatie ontvangen"), _("De burger antwoordde"))
    actions.register_action(
        ACTION_NEAR_MATCH_ACCEPT, _("Parkeersessie aanvaard"), _("Parkeersessie via app of sms aanvaard")
    )


@hooks.register("filter_form_submissions_for_user")
def form_submissions_only_for_clerks(user, editable_forms):
    """Wagtail's own "Forms" screens list a form page's submissions to whoever may edit the page. Here
    submissions are personal data for the organisation's clerks only: an editor sees none there, a
    clerk only their organisations' (in practice they use the inbox)."""
    if user.is_superuser:
        return editable_forms
    return editable_forms.filter(formpage__organisation__in=staff_organisations(user=user).values("pk"))


# --- the organisation's triage settings -----------------------------------------------------------


def _scoped(request, queryset):
    return queryset.filter(organisation__in=staff_organisations(user=request.user).values("pk"))


class ScopedListingMixin:
    """The listing shows only rows of the user's organisations."""

    def get_base_queryset(self):
        return _scoped(self.request, super().get_base_queryset())


class ScopedObjectMixin:
    """Edit and delete find their row only among the user's organisations' (else a 404)."""

    def get_queryset(self):
        return _scoped(self.request, super().get_queryset())


class ScopedBaseObjectMixin:
    """History and usage likewise (they look their object up through ``get_base_object_queryset``)."""

    def get_base_object_queryset(self):
        return _scoped(self.request, super().get_base_object_queryset())


class ScopedIndexView(ScopedListingMixin, generic.IndexView):
    pass


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    pass


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class ScopedHistoryView(ScopedBaseObjectMixin, HistoryView):
    pass


class ScopedUsageView(ScopedBaseObjectMixin, UsageView):
    pass


class OrganisationScopedViewSet(ModelViewSet):
    """A triage setting of one organisation: listed, created and edited only within the user's own."""

    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    form_base = OrganisationScopedForm

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model,
            form=self.form_base,
            fields=self.form_fields,
            formfield_callback=self.formfield_for_dbfield,
        )


class RoutingRuleViewSet(OrganisationScopedViewSet):
    model = RoutingRule
    name = "routing_rules"
    url_prefix = "inzendingen-instellingen/verdeelregels"
    icon = "arrow-right"
    menu_label = _("Verdeelregels")
    list_display = ["organisation", "priority", "purpose", "dossier_kind", "municipality", "team", "assignee"]
    list_filter = ["purpose"]
    form_fields = ["organisation", "priority", "purpose", "dossier_kind", "municipality", "team", "assignee"]


class ResponseTermViewSet(OrganisationScopedViewSet):
    model = ResponseTerm
    name = "response_terms"
    url_prefix = "inzendingen-instellingen/termijnen"
    icon = "time"
    menu_label = _("Behandeltermijnen")
    list_display = ["organisation", "purpose", "working_days"]
    form_fields = ["organisation", "purpose", "working_days"]


class StandardReplyViewSet(OrganisationScopedViewSet):
    model = StandardReply
    name = "standard_replies"
    url_prefix = "inzendingen-instellingen/standaardantwoorden"
    icon = "openquote"
    menu_label = _("Standaardantwoorden")
    list_display = ["title", "organisation", "purpose", "language"]
    list_filter = ["purpose", "language"]
    search_fields = ["title", "body"]
    form_fields = ["organisation", "purpose", "language", "title", "body"]
    form_base = StandardReplyForm


class TeamViewSet(OrganisationScopedViewSet):
    model = Team
    name = "teams"
    url_prefix = "inzendingen-instellingen/teams"
    icon = "group"
    menu_label = _("Teams")
    list_display = ["name", "organisation"]
    form_fields = ["organisation", "name", "members"]


class TriageSettingsGroup(ViewSetGroup):
    menu_label = _("Behandeling")
    menu_icon = "cogs"
    menu_order = 151
    items = (RoutingRuleViewSet, ResponseTermViewSet, StandardReplyViewSet, TeamViewSet)


@hooks.register("register_admin_viewset")
def register_triage_settings():
    return TriageSettingsGroup()
