"""Form pages that city editors build, the submissions citizens send through them, and what clerks
need to triage those submissions (teams, routing rules, terms, standard replies, saved filters).

A form page belongs to the organisation that handles what comes in (``FormPage.organisation``); every
clerk-side read is scoped to the clerk's organisations (``eloket.selectors.staff_organisations``).
Submission data is keyed by the form field's ``clean_name``, which is set once from the Dutch label
and synchronised (never translated) by wagtail-localize, so submissions through the French or English
translation of a form land under the same keys.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import (
    FORM_FIELD_CHOICES,
    AbstractForm,
    AbstractFormField,
    AbstractFormSubmission,
)
from wagtail.fields import RichTextField
from wagtail.models import Page, TranslatableMixin
from wagtail.models.audit_log import BaseLogEntry, BaseLogEntryManager
from wagtail_localize.fields import SynchronizedField, TranslatableField

from eloket.constants import DossierKind
from eloket.models.dossiers import private_storage
from forms.builder import EloketFormBuilder, FormPageAdminForm
from forms.constants import (
    DEFAULT_MAX_FILE_MB,
    DEFAULT_MAX_FILES,
    DOSSIER_PURPOSES,
    SCAN_STATUS_EXPLAINED,
    ContestReason,
    FileFieldType,
    MessageAuthor,
    Purpose,
    ScanStatus,
    SubmissionStatus,
)

TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]
FIELD_TYPE_CHOICES = [*FORM_FIELD_CHOICES, (FileFieldType.FILES, FileFieldType.LABEL)]


class FormField(TranslatableMixin, AbstractFormField):
    """A field of a form page. Translatable with its page (wagtail-localize translates the label, help
    text and choices); the key, type and "required" stay those of the source."""

    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(_("soort veld"), max_length=16, choices=FIELD_TYPE_CHOICES)

    panels = [
        *AbstractFormField.panels,
        FieldPanel(
            "clean_name",
            read_only=True,
            heading=_("sleutel"),
            help_text=_(
                "Wordt eenmaal gemaakt uit het Nederlandse label en verandert daarna niet meer, ook niet "
                "in vertalingen: zo blijven alle antwoorden op dit veld samen, in elke taal."
            ),
        ),
    ]

    # The key stays what it was when the field was made, in every language.
    override_translatable_fields = [
        SynchronizedField("clean_name"),
        SynchronizedField("field_type"),
        SynchronizedField("required"),
    ]

    class Meta(TranslatableMixin.Meta, AbstractFormField.Meta):
        verbose_name = _("formulierveld")
        verbose_name_plural = _("formuliervelden")
        constraints = [
            models.UniqueConstraint(fields=["page", "clean_name"], name="form_field_key_unique_per_page"),
        ]


class FormPage(AbstractForm):
    """A question, complaint, contest, defence, driver or payment-plan form of one organisation.

    Served by ``forms.views``: a form about a dossier is reached from the dossier page (the URL carries
    the dossier); a question form may be filled in straight from the city's page tree.
    """

    form_builder = EloketFormBuilder
    base_form_class = FormPageAdminForm

    organisation = models.ForeignKey(
        "eloket.Organisation",
        on_delete=models.PROTECT,
        related_name="form_pages",
        verbose_name=_("behandelende organisatie"),
    )
    purpose = models.CharField(_("doel"), max_length=32, choices=Purpose.choices)
    dossier_kinds = models.JSONField(
        _("soorten dossier"),
        default=list,
        blank=True,
        help_text=_("Voor welke soorten dossier dit formulier dient. Leeg: een vraag zonder dossier."),
    )
    intro = RichTextField(_("inleiding"), features=TEXT_FEATURES, blank=True)
    confirmation_text = RichTextField(_("tekst na het versturen"), features=TEXT_FEATURES, blank=True)
    email_subject = models.CharField(_("onderwerp van de ontvangstbevestiging"), max_length=200, blank=True)
    email_text = models.TextField(
        _("tekst van de ontvangstbevestiging"),
        blank=True,
        help_text=_("Komt bovenaan de e-mail; de referentie en een link naar het e-loket volgen vanzelf."),
    )
    allow_anonymous = models.BooleanField(
        _("ook zonder aanmelden"),
        default=False,
        help_text=_("Voor algemene vragen: wie niet aangemeld is, geeft een naam en e-mailadres."),
    )
    max_file_size_mb = models.PositiveSmallIntegerField(
        _("grootste bestand (MB)"),
        default=DEFAULT_MAX_FILE_MB,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
    )
    max_files = models.PositiveSmallIntegerField(
        _("meeste bestanden"),
        default=DEFAULT_MAX_FILES,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )

    content_panels = [
        *AbstractForm.content_panels,
        MultiFieldPanel(
            [FieldPanel("organisation"), FieldPanel("purpose"), FieldPanel("dossier_kinds"),
             FieldPanel("allow_anonymous")],
            heading=_("Waarvoor dient het formulier"),
        ),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Velden")),
        FieldPanel("confirmation_text"),
        MultiFieldPanel(
            [FieldPanel("email_subject"), FieldPanel("email_text")],
            heading=_("Ontvangstbevestiging per e-mail"),
        ),
        FieldRowPanel([FieldPanel("max_file_size_mb"), FieldPanel("max_files")], heading=_("Bijlagen")),
    ]  # fmt: skip

    override_translatable_fields = [
        SynchronizedField("organisation"),
        SynchronizedField("purpose"),
        SynchronizedField("dossier_kinds"),
        SynchronizedField("allow_anonymous"),
        SynchronizedField("max_file_size_mb"),
        SynchronizedField("max_files"),
        TranslatableField("intro"),
        TranslatableField("confirmation_text"),
        TranslatableField("email_subject"),
        TranslatableField("email_text"),
    ]

    parent_page_types = ["home.CityPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("formulier")
        verbose_name_plural = _("formulieren")

    def get_submission_class(self):
        return Submission

    def get_form_class(self):
        from forms.uploads import UploadLimits

        builder = self.form_builder(self.get_form_fields(), limits=UploadLimits.for_page(self))
        return builder.get_form_class()

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        # The real confirmation is forms.views.submission_confirmation; this serves the admin preview.
        from django.template.response import TemplateResponse

        context = {"form_page": self, "submission": form_submission}
        return TemplateResponse(request, self.get_landing_page_template(request), context)

    def serve(self, request, *args, **kwargs):
        # Not Wagtail's serve: the view needs the request for the party, the one-time token, the rate
        # limit and the redirect to the confirmation (see forms.views).
        from forms.views import form_page_serve

        return form_page_serve(request, page=self)

    def clean(self) -> None:
        super().clean()
        errors = form_page_errors(
            purpose=self.purpose,
            dossier_kinds=self.dossier_kinds or [],
            organisation=self.organisation if self.organisation_id else None,
            parent=self.get_parent().specific if self.path and self.depth else None,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def dossier_kind_labels(self) -> list[str]:
        names = dict(DossierKind.choices)
        return [str(names[kind]) for kind in self.dossier_kinds if kind in names]


REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def kinds_for_purpose(purpose: str) -> set[str]:
    """The dossier kinds a form of this purpose can serve: those whose policy offers the citizen the
    matching action in some status (contest: retributions; defence and naming the driver: GAS)."""
    from eloket.constants import CitizenAction
    from eloket.policies import policy_for
    from forms.constants import PURPOSE_FOR_ACTION

    action = {purpose_: action for action, purpose_ in PURPOSE_FOR_ACTION.items()}.get(purpose)
    if purpose == Purpose.PAYMENT_PLAN:
        action = CitizenAction.PAY
    if action is None:
        return set(DossierKind.values)
    return {
        kind
        for kind in DossierKind.values
        if any(action in actions for actions in policy_for(kind).actions_by_status.values())
    }


def form_page_errors(*, purpose: str, dossier_kinds: list[str], organisation, parent) -> dict[str, str]:
    """What is wrong with a form page's purpose, kinds and organisation, by field (empty: nothing).

    ``parent`` is the city page it sits under (None while unknown)."""
    errors: dict[str, str] = {}
    if purpose in DOSSIER_PURPOSES and not dossier_kinds:
        errors["dossier_kinds"] = _("Kies voor welke soorten dossier dit formulier dient.")
    unfit = set(dossier_kinds) - kinds_for_purpose(purpose) if purpose else set()
    if unfit:
        names = dict(DossierKind.choices)
        errors["dossier_kinds"] = _("Een formulier met dit doel kan niet dienen voor: %(kinds)s.") % {
            "kinds": ", ".join(str(names.get(kind, kind)) for kind in sorted(unfit))
        }
    municipality_id = getattr(parent, "municipality_id", None)
    serves = (
        organisation is None
        or municipality_id is None
        or organisation.municipalities.filter(pk=municipality_id).exists()
    )
    if not serves:
        errors["organisation"] = _(
            "%(organisation)s behandelt geen dossiers van %(municipality)s. Kies een organisatie die "
            "deze gemeente bedient."
        ) % {"organisation": organisation, "municipality": parent.municipality}
    return errors


def short_reference() -> str:
    """``V-7KQ3X9``: short enough to read out on the phone, no 0/O or 1/I to confuse."""
    return "V-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


class Submission(AbstractFormSubmission):
    """What a citizen sent through a form page, and its triage up to a decision.

    The organisation, municipality and dossier kind are copied in when it arrives, so the inbox filters
    on one table; ``form_data`` holds the editor's fields by their stable keys.
    """

    # Deleting a form page must never delete what citizens sent through it.
    page = models.ForeignKey(Page, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("referentie"), max_length=12, unique=True, default=short_reference)
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    organisation = models.ForeignKey(
        "eloket.Organisation",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("organisatie"),
    )
    municipality = models.ForeignKey(
        "eloket.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("gemeente"),
    )
    purpose = models.CharField(_("doel"), max_length=32, choices=Purpose.choices)
    dossier = models.ForeignKey(
        "eloket.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    dossier_kind = models.CharField(
        _("soort dossier"), max_length=32, choices=DossierKind.choices, blank=True
    )
    plate_normalised = models.CharField(max_length=16, blank=True, editable=False)
    party = models.ForeignKey(
        "eloket.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("naam"), max_length=200)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("taal"), max_length=2, default="nl")
    contest_reason = models.CharField(_("reden"), max_length=32, choices=ContestReason.choices, blank=True)
    message = models.TextField(_("bericht"), blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED
    )
    team = models.ForeignKey(
        "Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_submissions",
        verbose_name=_("behandelaar"),
    )
    clerk_due = models.DateField(_("te behandelen voor"), null=True, blank=True)
    legal_due = models.DateField(_("wettelijke termijn"), null=True, blank=True)
    filed_late = models.BooleanField(_("laattijdig ingediend"), default=False)

    decision = models.CharField(_("beslissing"), max_length=16, blank=True)
    decision_amount_cents = models.PositiveIntegerField(_("nieuw bedrag (cent)"), null=True, blank=True)
    decision_motivation = models.TextField(_("motivering"), blank=True)
    decided_at = models.DateTimeField(_("beslist op"), null=True, blank=True)
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inzending")
        verbose_name_plural = _("inzendingen")
        indexes = [
            # The clerk inbox: one organisation's work by status in the inbox's order (oldest deadline
            # first); the page's ids come from this index alone (forms.inbox.InboxRows).
            models.Index(
                fields=["organisation", "status", "clerk_due", "submit_time", "id"], name="submission_inbox"
            ),
            # The newest change per organisation: what the cached inbox counts are keyed on.
            models.Index(fields=["organisation", "updated_at"], name="submission_org_changed"),
            models.Index(fields=["organisation", "-submit_time"], name="submission_org_recent"),
            models.Index(fields=["organisation", "plate_normalised"], name="submission_org_plate"),
            models.Index(fields=["party", "-submit_time"], name="submission_party_recent"),
        ]

    def __str__(self) -> str:
        return self.reference


def attachment_upload_to(instance: SubmissionAttachment, filename: str) -> str:
    # A random name: the citizen's file name is kept in a column, never in the storage path.
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"submissions/{instance.submission_id}/{secrets.token_hex(16)}{suffix}"


class SubmissionMessage(models.Model):
    """The thread of a submission: the citizen's text, the clerk's replies and information requests."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=16, choices=MessageAuthor.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("bericht"))
    requests_information = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bericht")
        verbose_name_plural = _("berichten")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.author_kind}"


class SubmissionAttachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        SubmissionMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(storage=private_storage, upload_to=attachment_upload_to)
    original_name = models.CharField(_("bestandsnaam"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    scan_status = models.CharField(max_length=16, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bijlage")
        verbose_name_plural = _("bijlagen")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def scan_status_explained(self) -> str:
        return str(SCAN_STATUS_EXPLAINED.get(self.scan_status, self.get_scan_status_display()))


class Team(models.Model):
    organisation = models.ForeignKey(
        "eloket.Organisation", on_delete=models.CASCADE, related_name="teams", verbose_name=_("organisatie")
    )
    name = models.CharField(_("naam"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name=_("leden")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """New submissions that match go to this team or clerk; the first matching rule (by priority) wins.
    An empty purpose, kind or municipality matches any."""

    organisation = models.ForeignKey(
        "eloket.Organisation", on_delete=models.CASCADE, related_name="routing_rules"
    )
    priority = models.PositiveSmallIntegerField(_("volgorde"), default=100)
    purpose = models.CharField(_("doel"), max_length=32, choices=Purpose.choices, blank=True)
    dossier_kind = models.CharField(
        _("soort dossier"), max_length=32, choices=DossierKind.choices, blank=True
    )
    municipality = models.ForeignKey(
        "eloket.Municipality", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("gemeente")
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("team"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("behandelaar"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("verdeelregel")
        verbose_name_plural = _("verdeelregels")
        ordering = ["organisation", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=False) | models.Q(assignee__isnull=False),
                name="routing_rule_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} #{self.priority}"


class ResponseTerm(models.Model):
    """How many working days the organisation gives itself to handle a submission of this purpose."""

    organisation = models.ForeignKey(
        "eloket.Organisation", on_delete=models.CASCADE, related_name="response_terms"
    )
    purpose = models.CharField(_("doel"), max_length=32, choices=Purpose.choices)
    working_days = models.PositiveSmallIntegerField(_("werkdagen"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("behandeltermijn")
        verbose_name_plural = _("behandeltermijnen")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "purpose"], name="response_term_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.purpose}: {self.working_days}"


class StandardReply(models.Model):
    """A reply text clerks pick instead of typing it; ``{reference}``, ``{dossier}`` and ``{name}`` are
    filled in."""

    organisation = models.ForeignKey(
        "eloket.Organisation", on_delete=models.CASCADE, related_name="standard_replies"
    )
    purpose = models.CharField(_("doel"), max_length=32, choices=Purpose.choices, blank=True)
    language = models.CharField(_("taal"), max_length=2, default="nl")
    title = models.CharField(_("titel"), max_length=100)
    body = models.TextField(_("tekst"))

    class Meta:
        verbose_name = _("standaardantwoord")
        verbose_name_plural = _("standaardantwoorden")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SavedFilter(models.Model):
    """A clerk's named inbox filter (the query string of the inbox)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("naam"), max_length=100)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bewaarde filter")
        verbose_name_plural = _("bewaarde filters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique")]

    def __str__(self) -> str:
        return self.name


class OrganisationLogEntryManager(BaseLogEntryManager):
    """Audit-log entries of one organisation's submissions and triage settings. Wagtail's site history
    shows a user only the entries of their own organisations (``viewable_by_user``), so a clerk never
    reads another organisation's references or actions there."""

    def log_action(self, instance, action, **kwargs):
        kwargs.update(object_id=str(instance.pk), organisation_id=instance.organisation_id)
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user):
        from eloket.selectors import staff_organisations

        if user.is_superuser and user.is_active:
            return self.all()
        return self.filter(organisation_id__in=staff_organisations(user=user).values("pk"))

    def for_instance(self, instance):
        return self.filter(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
            object_id=str(instance.pk),
        )


class OrganisationLogEntry(BaseLogEntry):
    """Registered (``forms.wagtail_hooks``) for Submission, Team, RoutingRule, ResponseTerm and
    StandardReply: every model here that belongs to one organisation."""

    object_id = models.CharField(max_length=255, db_index=True)
    organisation = models.ForeignKey(
        "eloket.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    objects = OrganisationLogEntryManager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("logboekregel")
        verbose_name_plural = _("logboek")
        indexes = [models.Index(fields=["organisation", "-timestamp"], name="org_log_entry_recent")]
