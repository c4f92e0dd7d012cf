"""Demo data of the clerk side: clerks of Genk and Antwerp, a team, routing rules, response terms,
standard replies in Dutch and French, and submissions in every triage status for the company of the
second demo citizen (Limburg Logistiek NV), made through the services so that dossier timelines, the
thread, the audit log and the e-mails are as they would be.

``seed_triage()`` runs after the dossier seed (``eloket.demo.seed``) and the form pages of the forms
demo: a submission whose form page does not exist is skipped. Idempotent: a second run creates
nothing (submissions are keyed, clerk actions only follow a new submission).

Demo logins (``DEMO_MODE`` only; elsewhere the clerks exist without a usable password):
``behandelaar-genk`` / ``demo-behandelaar`` (OPC Genk, Stad Genk, GAS Genk) and
``behandelaar-antwerpen`` / ``demo-behandelaar`` (AGMP and Stad Antwerpen), ``behandelaar-mechelen`` /
``demo-behandelaar`` (Stad Mechelen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from eloket import services as dossier_services
from eloket.constants import DossierKind, DossierStatus, PartyKind
from eloket.models import Dossier, Municipality, Organisation, Party, Regulation, StaffMembership, User
from forms import triage
from forms.constants import Purpose
from forms.models import FormPage, ResponseTerm, RoutingRule, StandardReply, Team

DEMO_PASSWORD = "demo-behandelaar"  # noqa: S105 - demo logins only, set only in DEMO_MODE

CLERKS = {
    # username: (first name, last name, organisation slugs)
    "behandelaar-genk": ("Greet", "Vanhove", ("opc-genk", "stad-genk", "gas-genk")),
    "collega-genk": ("Karim", "El Amrani", ("opc-genk",)),
    "behandelaar-antwerpen": ("Sofie", "Janssens", ("agmp-antwerpen", "stad-antwerpen")),
    "behandelaar-mechelen": ("Lotte", "Wouters", ("stad-mechelen",)),
}

RESPONSE_TERMS = [
    # organisation, purpose, working days
    ("opc-genk", Purpose.CONTEST, 15),
    ("opc-genk", Purpose.QUESTION, 5),
    ("stad-genk", Purpose.DEFENCE, 20),
    ("stad-genk", Purpose.QUESTION, 5),
    ("stad-genk", Purpose.COMPLAINT, 10),
    ("agmp-antwerpen", Purpose.CONTEST, 15),
]

STANDARD_REPLIES = [
    # organisation, purpose, language, title, body
    (
        "opc-genk", Purpose.CONTEST, "nl", "Ticket nodig",
        "Beste {name},\n\nOm uw bezwaar tegen {dossier} te beoordelen, hebben we een foto of scan van uw "
        "parkeerticket nodig. U kunt die hier in het e-loket toevoegen.\n\nMet vriendelijke groeten,\n"
        "OPC Genk",
    ),
    (
        "opc-genk", Purpose.CONTEST, "fr", "Ticket nécessaire",
        "Bonjour {name},\n\nPour examiner votre contestation du dossier {dossier}, nous avons besoin d'une "
        "photo ou d'un scan de votre ticket de stationnement. Vous pouvez l'ajouter ici dans l'e-guichet."
        "\n\nSalutations distinguées,\nOPC Genk",
    ),
    (
        "opc-genk", Purpose.CONTEST, "nl", "Bewonerskaart bevestigd",
        "Beste {name},\n\nUw bewonerskaart was geldig op het moment van de vaststelling. Uw bezwaar is "
        "gegrond en de retributie {dossier} wordt geannuleerd.",
    ),
    (
        "stad-genk", Purpose.DEFENCE, "nl", "Verweer ontvangen",
        "Beste {name},\n\nWe hebben uw verweer ({reference}) ontvangen. De sanctionerend ambtenaar neemt "
        "binnen de wettelijke termijn een beslissing.",
    ),
    (
        "stad-genk", Purpose.DEFENCE, "fr", "Moyens de défense reçus",
        "Bonjour {name},\n\nNous avons bien reçu vos moyens de défense ({reference}). Le fonctionnaire "
        "sanctionnateur prendra une décision dans le délai légal.",
    ),
    (
        "stad-genk", "", "nl", "Algemeen antwoord",
        "Beste {name},\n\nBedankt voor uw bericht ({reference}). ",
    ),
    (
        "stad-genk", "", "fr", "Réponse générale",
        "Bonjour {name},\n\nMerci pour votre message ({reference}). ",
    ),
]  # fmt: skip


@dataclass(frozen=True)
class DemoSubmission:
    key: str
    organisation: str
    purpose: str
    message: str
    kind: str = ""  # a new demo dossier of this kind (none: a question without dossier)
    regulation: str = ""
    plate: str = ""
    street: str = ""
    notified_days_ago: int = 3
    contest_reason: str = ""
    # What the clerk does next: ("take",), ("request", text), ("reply", text, close), ("decide", decision,
    # motivation), ("assign", username)
    steps: tuple[tuple, ...] = field(default_factory=tuple)


SUBMISSIONS = [
    DemoSubmission(
        "ret-open", "opc-genk", Purpose.CONTEST,
        "Ik had een geldig ticket uit de automaat aan de Stalenstraat; de foto ligt in de bestelwagen.",
        kind=DossierKind.PARKING_RETRIBUTION, regulation="GENK-RET-2018", plate="1-LLN-401",
        street="Stalenstraat", contest_reason="valid_ticket",
    ),
    DemoSubmission(
        "ret-info", "opc-genk", Purpose.CONTEST,
        "Onze chauffeur heeft een werknemersvergunning voor deze zone.",
        kind=DossierKind.PARKING_RETRIBUTION, regulation="GENK-RET-2018", plate="1-LLN-402",
        street="Hasseltweg", contest_reason="permit",
        steps=(("take",), ("request", "Kunt u een kopie van de vergunning van uw chauffeur toevoegen?")),
    ),
    DemoSubmission(
        "ret-late", "opc-genk", Purpose.CONTEST,
        "De parkeerautomaat aan het Europaplein nam geen kaarten aan.",
        kind=DossierKind.PARKING_RETRIBUTION, regulation="GENK-RET-2018", plate="1-LLN-403",
        street="Europaplein", notified_days_ago=45, contest_reason="broken_meter",
        steps=(("assign", "collega-genk"),),
    ),
    DemoSubmission(
        "gas-open", "stad-genk", Purpose.DEFENCE,
        "Ik stond er om te laden en te lossen, met de waarschuwingslichten aan.",
        kind=DossierKind.GAS4, regulation="GAS4-GENK", plate="1-LLN-404", street="Europalaan",
        contest_reason="loading", steps=(("take",),),
    ),
    DemoSubmission(
        "gas-upheld", "stad-genk", Purpose.DEFENCE,
        "Het voertuig was op dat moment al verkocht; het verkoopcontract zit erbij.",
        kind=DossierKind.GAS4, regulation="GAS4-GENK", plate="1-LLN-405", street="Grote Ring",
        contest_reason="vehicle_stolen_or_sold",
        steps=(
            ("take",),
            ("decide", "upheld",
             "Uit het verkoopcontract blijkt dat het voertuig op het moment van de feiten niet meer van u "
             "was."),
        ),
    ),
    DemoSubmission(
        "question", "stad-genk", Purpose.QUESTION,
        "Kunnen onze bestelwagens een werknemersvergunning krijgen voor de zone rond het station?",
        steps=(
            ("take",),
            ("reply", "Ja: een werknemersvergunning vraagt u aan via het e-loket, per nummerplaat.", True),
        ),
    ),
]  # fmt: skip


@dataclass
class TriageSeedResult:
    clerks: int = 0
    submissions_created: int = 0
    submissions_skipped: list[str] = field(default_factory=list)


def seed_triage(*, stdout=None) -> TriageSeedResult:
    """The clerk side of the demo (see the module docstring). Returns what it did."""
    result = TriageSeedResult()
    organisations = {org.slug: org for org in Organisation.objects.all()}
    with transaction.atomic():
        group = triage.clerk_group_ensure()
        clerks = _clerks_ensure(organisations=organisations, group=group)
        result.clerks = len(clerks)
        _settings_ensure(organisations=organisations, clerks=clerks)
    party, representative = _demo_company()
    for spec in SUBMISSIONS:
        if spec.organisation not in organisations or party is None:
            result.submissions_skipped.append(spec.key)
            continue
        outcome = _submission_ensure(
            spec,
            organisation=organisations[spec.organisation],
            party=party,
            user=representative,
            clerks=clerks,
        )
        if outcome is None:
            result.submissions_skipped.append(spec.key)
        elif outcome:
            result.submissions_created += 1
    if stdout is not None:
        stdout.write(
            f"triage: {result.clerks} clerks, {result.submissions_created} new submissions"
            + (
                f" (skipped, no form page: {', '.join(result.submissions_skipped)})"
                if result.submissions_skipped
                else ""
            )
        )
    return result


def _clerks_ensure(*, organisations, group) -> dict[str, User]:
    clerks = {}
    for username, (first_name, last_name, slugs) in CLERKS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first_name, last_name=last_name, is_staff=True)
            if settings.DEMO_MODE:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
        user.groups.add(group)
        for slug in slugs:
            if slug in organisations:
                StaffMembership.objects.get_or_create(user=user, organisation=organisations[slug])
        clerks[username] = user
    return clerks


def _settings_ensure(*, organisations, clerks) -> None:
    opc = organisations.get("opc-genk")
    if opc is not None:
        team, _created = Team.objects.get_or_create(organisation=opc, name="Bezwaren parkeren")
        team.members.add(*(clerks[name] for name in ("behandelaar-genk", "collega-genk") if name in clerks))
        if not RoutingRule.objects.filter(organisation=opc).exists():
            RoutingRule.objects.create(organisation=opc, priority=10, purpose=Purpose.CONTEST, team=team)
    city = organisations.get("stad-genk")
    if (
        city is not None
        and "behandelaar-genk" in clerks
        and not RoutingRule.objects.filter(organisation=city).exists()
    ):
        RoutingRule.objects.create(
            organisation=city, priority=10, purpose=Purpose.DEFENCE, assignee=clerks["behandelaar-genk"]
        )
    for slug, purpose, days in RESPONSE_TERMS:
        if slug in organisations:
            ResponseTerm.objects.get_or_create(
                organisation=organisations[slug], purpose=purpose, defaults={"working_days": days}
            )
    for slug, purpose, language, title, body in STANDARD_REPLIES:
        if slug in organisations:
            StandardReply.objects.get_or_create(
                organisation=organisations[slug],
                purpose=purpose,
                language=language,
                title=title,
                defaults={"body": body},
            )


def _demo_company() -> tuple[Party | None, User | None]:
    representative = User.objects.filter(demo_key="company-rep").first()
    if representative is None:
        return None, None
    party = Party.objects.filter(kind=PartyKind.ENTERPRISE, representations__user=representative).first()
    return party, representative


def _form_page(organisation: Organisation, purpose: str) -> FormPage | None:
    return (
        FormPage.objects.live()
        .filter(organisation=organisation, purpose=purpose, locale__language_code=settings.LANGUAGE_CODE)
        .order_by("pk")
        .first()
    )


def _dossier_ensure(spec: DemoSubmission, *, organisation: Organisation, party: Party) -> Dossier:
    external_id = f"DEMO-TRIAGE-{spec.key}"
    dossier = Dossier.objects.filter(organisation=organisation, external_id=external_id).first()
    if dossier is not None:
        return dossier
    municipality = organisation.municipalities.order_by("pk").first() or Municipality.objects.get(slug="genk")
    regulation = Regulation.objects.get(organisation=organisation, code=spec.regulation)
    now = timezone.now()
    occurred = now - dt.timedelta(days=spec.notified_days_ago + 2)
    fields = {"gas_category": 1, "offence_code": "GAS4-CAT1"} if spec.kind == DossierKind.GAS4 else {}
    with transaction.atomic():
        dossier = dossier_services.dossier_create(
            kind=spec.kind,
            party=party,
            organisation=organisation,
            municipality=municipality,
            regulation=regulation,
            external_id=external_id,
            occurred_at=occurred,
            plate=spec.plate,
            street=spec.street,
            actor_label=str(organisation),
            **fields,
        )
        dossier_services.dossier_transition(
            dossier_id=dossier.pk,
            to_status=DossierStatus.NOTIFIED,
            actor_label=str(organisation),
            at=now - dt.timedelta(days=spec.notified_days_ago),
        )
    dossier.refresh_from_db()
    return dossier


def _submission_ensure(spec: DemoSubmission, *, organisation, party, user, clerks) -> bool | None:
    """True when created now, False when it was there, None when its form page is missing."""
    from forms.services import SubmissionRefused, submission_create

    page = _form_page(organisation, spec.purpose)
    if page is None:
        return None
    key = f"demo-triage-{spec.key}"
    from forms.models import Submission

    if Submission.objects.filter(idempotency_key=key).exists():
        return False
    dossier = _dossier_ensure(spec, organisation=organisation, party=party) if spec.kind else None
    try:
        result = submission_create(
            page=page,
            idempotency_key=key,
            form_data={},
            message=spec.message,
            contest_reason=spec.contest_reason,
            dossier=dossier,
            party=party,
            user=user,
            language="nl",
        )
    except SubmissionRefused:
        return None
    if result.created:
        _clerk_steps(spec, submission=result.submission, clerks=clerks)
    return result.created


def _clerk_steps(spec: DemoSubmission, *, submission, clerks) -> None:
    clerk = clerks.get("behandelaar-genk")
    if clerk is None:
        return
    for step in spec.steps:
        submission.refresh_from_db()
        action = step[0]
        if action == "take":
            triage.submission_assign(submission=submission, assignee=clerk, actor=clerk)
        elif action == "assign":
            triage.submission_assign(submission=submission, assignee=clerks[step[1]], actor=clerk)
        elif action == "request":
            triage.submission_request_information(submission=submission, body=step[1], actor=clerk)
        elif action == "reply":
            triage.submission_reply(submission=submission, body=step[1], actor=clerk, close=step[2])
        elif action == "decide":
            triage.submission_decide(submission=submission, decision=step[1], motivation=step[2], actor=clerk)
