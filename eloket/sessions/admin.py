"""Parking areas and the sessions reported in them, in the Wagtail admin (/beheer/).

Platform operators (superusers) manage every area; city staff (a ``StaffMembership``) manage the
areas of their organisations only, scoped like the payment screens through
``eloket.selectors.staff_organisations``: another organisation's area is a 404. Every write goes
through ``eloket.sessions.areas`` (``parking_area_save``, ``parking_area_delete``); an area in which
sessions were reported is never deleted (switch it off instead). The sessions list is read-only.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from eloket.admin_columns import YesNoColumn
from eloket.constants import OrganisationKind
from eloket.models import Municipality, Organisation, User
from eloket.models.parking import ParkingArea, ParkingSession
from eloket.places import zone_code_normalise
from eloket.selectors import staff_organisations
from eloket.sessions.areas import (
    AreaInUse,
    parking_area_delete,
    parking_area_save,
    parking_areas_for_staff,
    parking_sessions_for_staff,
)

# -- Who may: staff of the area's organisation, and operators ---------------------------------------------


def _is_staff_member(user) -> bool:
    """Asked several times per page (menu, buttons): remembered on the request's user."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_eloket_has_staff_organisations", None)
    if cached is None:
        cached = staff_organisations(user=user).exists()
        user._eloket_has_staff_organisations = cached
    return cached


class StaffScopedPolicy(BasePermissionPolicy):
    """Staff see (and, for areas, add, change and delete) the rows of their organisations only."""

    actions = frozenset({"add", "change", "view", "delete"})

    def scope(self, user):
        return parking_areas_for_staff(user=user)

    def user_has_permission(self, user, action):
        return action in self.actions and _is_staff_member(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if action not in self.actions or not self.scope(user).filter(pk=instance.pk).exists():
            return False
        return not (action == "delete" and isinstance(instance, ParkingArea) and instance.sessions.exists())

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.actions.intersection(actions):
            return self.model.objects.none()
        return self.scope(user)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(staff_memberships__isnull=False), is_active=True
        ).distinct()


class SessionsPolicy(StaffScopedPolicy):
    actions = frozenset({"view"})

    def scope(self, user):
        return parking_sessions_for_staff(user=user)


register_permission_policy(ParkingArea, StaffScopedPolicy(ParkingArea))
register_permission_policy(ParkingSession, SessionsPolicy(ParkingSession))


# -- Areas ------------------------------------------------------------------------------------------------


def _managed_organisations(user):
    return staff_organisations(user=user).exclude(kind=OrganisationKind.PARKING_PROVIDER).order_by("name_nl")


class ParkingAreaForm(WagtailAdminModelForm):
    streets_text = forms.CharField(
        label=gettext_lazy("straten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Eén straat per regel; een vaststelling in deze straten ligt in de zone."),
    )
    neighbour_areas = forms.ModelMultipleChoiceField(
        label=gettext_lazy("aangrenzende zones"),
        queryset=ParkingArea.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Zones van dezelfde gemeente die eraan grenzen (voor een bezwaar 'betaald via app')."
        ),
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        organisations = _managed_organisations(for_user) if for_user else Organisation.objects.none()
        self.fields["organisation"].queryset = organisations
        self.fields["municipality"].queryset = Municipality.objects.filter(
            organisations__in=organisations.values("pk")
        ).distinct()
        areas = parking_areas_for_staff(user=for_user) if for_user else ParkingArea.objects.none()
        if self.instance.pk:
            areas = areas.filter(municipality_id=self.instance.municipality_id).exclude(pk=self.instance.pk)
            self.initial.setdefault(
                "neighbour_areas", list(self.instance.neighbours.values_list("pk", flat=True))
            )
        self.fields["neighbour_areas"].queryset = areas.order_by("municipality__name_nl", "code")
        self.initial.setdefault("streets_text", "\n".join(self.instance.streets or []))

    def clean_code(self):
        return zone_code_normalise(self.cleaned_data.get("code", ""))

    def clean(self):
        data = super().clean()
        organisation, municipality = data.get("organisation"), data.get("municipality")
        if (
            organisation
            and municipality
            and not organisation.municipalities.filter(pk=municipality.pk).exists()
        ):
            self.add_error("organisation", gettext_lazy("Deze organisatie bedient die gemeente niet."))
        if municipality and any(
            n.municipality_id != municipality.pk for n in data.get("neighbour_areas") or []
        ):
            self.add_error("neighbour_areas", gettext_lazy("Aangrenzende zones liggen in dezelfde gemeente."))
        return data

    def area_save(self) -> ParkingArea:
        streets = [line for line in self.cleaned_data.get("streets_text", "").splitlines() if line.strip()]
        return parking_area_save(
            area=self.save(commit=False),
            streets=streets,
            neighbour_codes=[area.code for area in self.cleaned_data.get("neighbour_areas") or []],
        )

    class Meta:
        model = ParkingArea
        fields = [
            "municipality", "organisation", "code", "name_nl", "name_fr", "name_en", "name_de",
            "tariff_zone", "polygon", "active",
        ]  # fmt: skip


class _SavesThroughService:
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                form.add_error(name if name in form.fields else None, messages)
            return self.form_invalid(form)

    def save_instance(self):
        return self.form.area_save()


class ScopedMixin:
    def get_queryset(self):
        return parking_areas_for_staff(user=self.request.user)


class AreaIndexView(generic.IndexView):
    def get_base_queryset(self):
        return parking_areas_for_staff(user=self.request.user)


class AreaCreateView(_SavesThroughService, generic.CreateView):
    pass


class AreaEditView(_SavesThroughService, ScopedMixin, generic.EditView):
    pass


class AreaDeleteView(ScopedMixin, generic.DeleteView):
    def delete_action(self):
        try:
            parking_area_delete(area=self.object)
        except AreaInUse:
            raise PermissionDenied from None


class AreaHistoryView(HistoryView):
    def get_base_object_queryset(self):
        return parking_areas_for_staff(user=self.request.user)


class AreaUsageView(UsageView):
    def get_base_object_queryset(self):
        return parking_areas_for_staff(user=self.request.user)


class ParkingAreaViewSet(ModelViewSet):
    model = ParkingArea
    name = "eloket_parking_areas"
    url_prefix = "eloket/parking-areas"
    icon = "site"
    menu_label = gettext_lazy("Parkeerzones")
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ParkingAreaForm.Meta.fields
    index_view_class = AreaIndexView
    add_view_class = AreaCreateView
    edit_view_class = AreaEditView
    delete_view_class = AreaDeleteView
    history_view_class = AreaHistoryView
    usage_view_class = AreaUsageView
    list_display = [
        "code",
        "name_nl",
        "municipality",
        "organisation",
        "tariff_zone",
        YesNoColumn("active", label=capfirst(gettext_lazy("actief"))),
    ]
    list_filter = ["active"]
    search_fields = ["code", "name_nl", "name_fr"]

    def get_form_class(self, for_update=False):
        return ParkingAreaForm


# -- Sessions reported in the organisation's areas (read-only) ------------------------------------------


class SessionFilterSet(WagtailFilterSet):
    provider = django_filters.ModelChoiceFilter(
        label=gettext_lazy("aanbieder"),
        queryset=lambda request: Organisation.objects.filter(kind=OrganisationKind.PARKING_PROVIDER).order_by(
            "name_nl"
        ),
    )
    area = django_filters.ModelChoiceFilter(
        label=gettext_lazy("zone"),
        queryset=lambda request: parking_areas_for_staff(user=request.user).order_by("code"),
    )
    start_at = django_filters.DateFromToRangeFilter(label=gettext_lazy("begin"), widget=DateRangePickerWidget)

    class Meta:
        model = ParkingSession
        fields = ["provider", "area", "start_at"]


class SessionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return parking_sessions_for_staff(user=self.request.user)


def _time(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _start_label(session: ParkingSession) -> str:
    return _time(session.start_at)


def _end_label(session: ParkingSession) -> str:
    return _time(session.end_at) if session.end_at else str(gettext_lazy("loopt nog"))


class ParkingSessionViewSet(ModelViewSet):
    model = ParkingSession
    name = "eloket_parking_sessions"
    url_prefix = "eloket/parking-sessions"
    icon = "time"
    menu_label = gettext_lazy("Parkeersessies")
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["end_at"]  # required by ModelViewSet; the policy allows no add, edit or delete
    index_view_class = SessionIndexView
    filterset_class = SessionFilterSet
    search_fields = ["plate", "plate_normalised", "provider_session_id"]
    list_display = [
        "provider",
        "plate",
        "area",
        Column("start_at", label=gettext_lazy("Begin"), accessor=_start_label),
        Column("end_at", label=gettext_lazy("Einde"), accessor=_end_label),
    ]


class ParkingGroup(ViewSetGroup):
    menu_label = gettext_lazy("Mobiel parkeren")
    menu_icon = "site"
    menu_order = 950
    items = (ParkingAreaViewSet, ParkingSessionViewSet)
