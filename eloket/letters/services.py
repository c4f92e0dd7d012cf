"""Letters by post for parties who are not digital, made in a daily batch per organisation.

A dossier is due a letter when its party has no verified e-mail address and none of its logins logged
in within ``ELOKET_LETTERS_OFFLINE_DAYS``, and

- it is an issued retribution or GAS fine with no notification letter yet: the letter is the
  notification (GAS) or the invoice (retribution), and sending it moves the dossier to "notified"
  with its terms counted from the sending day (``DossierPolicy.apply_entry``); or
- it is "reminded" with no reminder letter yet: the new payment term counts from the sending day.

``letters_batch_build`` takes the due dossiers of one organisation one at a time: it locks the row,
checks again that it is still due (paid or cancelled in between: no letter), renders the PDF, stores
it, records the letter (unique per dossier and kind: never twice), moves the dossier and adds "Brief
verstuurd" to its timeline, all in one transaction. A dossier without a postal address is named in
the batch's ``skipped`` list. Running the batch again the same day adds only what became due since.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
import time
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.letters.document import letter_pdf
from eloket.models import (
    Dossier,
    Letter,
    LetterBatch,
    LetterKind,
    Organisation,
    PostalAddress,
    Representation,
)
from eloket.services import _timeline_append, dossier_transition

logger = logging.getLogger(__name__)

LETTER_KINDS_OF_DOSSIERS = (DossierKind.PARKING_RETRIBUTION, DossierKind.GAS4, DossierKind.GAS5)
# The status a dossier is in when it is due each kind of letter.
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
DUE_STATUS = {LetterKind.NOTIFICATION: DossierStatus.ISSUED, LetterKind.REMINDER: DossierStatus.REMINDED}


def _offline_condition(now: dt.datetime) -> Q:
    """Parties the e-loket cannot reach digitally: no verified e-mail, no recent login."""
    since = now - dt.timedelta(days=settings.ELOKET_LETTERS_OFFLINE_DAYS)
    recent_login = Representation.objects.filter(party_id=OuterRef("party_id"), user__last_login__gte=since)
    reachable = (Q(party__email_verified=True) & ~Q(party__email="")) | Exists(recent_login)
    return ~reachable


def letters_due(*, organisation_id: int, kind: str, now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """The organisation's dossiers due a letter of ``kind`` now (unordered)."""
    now = now or timezone.now()
    already = Letter.objects.filter(dossier_id=OuterRef("pk"), kind=kind)
    return Dossier.objects.filter(
        _offline_condition(now),
        organisation_id=organisation_id,
        kind__in=LETTER_KINDS_OF_DOSSIERS,
        status=DUE_STATUS[kind],
    ).exclude(Exists(already))


@dataclass
class BatchResult:
    batch: LetterBatch
    made: int = 0
    skipped: int = 0


def letters_batch_build(
    *, organisation: Organisation, day: dt.date | None = None, deadline: float | None = None
) -> BatchResult:
    """Make today's letters of one organisation (see the module docstring); idempotent per day.
    ``deadline`` (``time.monotonic()``): take no further dossier after it."""
    now = timezone.now()
    day = day or timezone.localdate(now)
    batch, _created = LetterBatch.objects.get_or_create(organisation=organisation, day=day)
    result = BatchResult(batch=batch)
    # A run that goes through every due dossier knows the whole list of those without an address; a
    # run cut short by its deadline only adds to what the previous runs found.
    skipped: set[str] = set()
    complete = True
    for kind in (LetterKind.NOTIFICATION, LetterKind.REMINDER):
        ids = list(
            letters_due(organisation_id=organisation.pk, kind=kind, now=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for dossier_id in ids:
            if deadline is not None and time.monotonic() > deadline:
                complete = False
                break
            outcome = _letter_make(batch=batch, dossier_id=dossier_id, kind=kind, now=now)
            if outcome == "made":
                result.made += 1
            elif outcome is not None:
                skipped.add(outcome)
    if not complete:
        skipped |= set(batch.skipped)
    result.skipped = len(skipped)
    if skipped != set(batch.skipped):
        batch.skipped = sorted(skipped)
        batch.save(update_fields=["skipped"])
    logger.info(
        "letters_batch_built organisation=%s day=%s made=%s skipped=%s",
        organisation.pk,
        day,
        result.made,
        result.skipped,
    )
    return result


def _letter_make(*, batch: LetterBatch, dossier_id: int, kind: str, now: dt.datetime) -> str | None:
    """One letter in one transaction: "made", the reference of a dossier without address, or None
    when the dossier is no longer due (paid, cancelled, lettered by a concurrent run)."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).filter(pk=dossier_id).first()
        if (
            dossier is None
            or not letters_due(organisation_id=batch.organisation_id, kind=kind, now=now)
            .filter(pk=dossier_id)
            .exists()
        ):
            return None
        address = PostalAddress.objects.filter(dossier_id=dossier_id).first()
        if address is None:
            return dossier.reference
        sent_at = timezone.make_aware(dt.datetime.combine(batch.day, dt.time(hour=9)))
        if kind == LetterKind.NOTIFICATION:
            dossier = dossier_transition(
                dossier_id=dossier_id,
                to_status=DossierStatus.NOTIFIED,
                at=sent_at,
                event_kind=TimelineEventKind.LETTER_SENT,
                actor_label=batch.organisation.name_nl,
                data={"letter": kind, "channel": "post"},
            )
        else:
            regulation = dossier.regulation
            if regulation is not None:
                dossier.pay_by = batch.day + dt.timedelta(days=regulation.reminder_term_days)
                dossier.save(update_fields=["pay_by", "updated_at"])
            _timeline_append(
                dossier=dossier,
                kind=TimelineEventKind.LETTER_SENT,
                occurred_at=sent_at,
                actor_label=batch.organisation.name_nl,
                data={"letter": kind, "channel": "post"},
            )
        dossier = Dossier.objects.select_related("organisation", "municipality", "regulation").get(
            pk=dossier_id
        )
        pdf = letter_pdf(dossier, address=address, kind=kind, sent_on=batch.day)
        letter = Letter(
            batch=batch,
            dossier=dossier,
            kind=kind,
            language=dossier.language,
            pages=len(PAGE.findall(pdf)),
            amount_cents=dossier.amount_due_cents,
        )
        # The file is written first; should the row not be, the file goes again (no orphan PDFs).
        letter.file.save(f"{dossier.reference}-{kind}.pdf", ContentFile(pdf), save=False)
        try:
            letter.save()
        except Exception:
            letter.file.storage.delete(letter.file.name)
            raise
    return "made"


# -- the print house's view of a batch ------------------------------------------------------------------

MANIFEST_FIELDS = (
    "letter_id", "file", "dossier", "kind", "language", "pages", "amount_cents",
    "name", "street", "postal_code", "town", "country",
)  # fmt: skip


def batch_manifest(batch: LetterBatch) -> list[dict]:
    """One row per letter: its file name in the batch's zip and the addressing data."""
    rows = []
    letters = batch.letters.select_related("dossier__postal_address").order_by("id")
    for letter in letters:
        address = letter.dossier.postal_address
        rows.append(
            {
                "letter_id": letter.pk,
                "file": _file_name(letter),
                "dossier": letter.dossier.reference,
                "kind": letter.kind,
                "language": letter.language,
                "pages": letter.pages,
                "amount_cents": letter.amount_cents,
                "name": address.name,
                "street": address.street,
                "postal_code": address.postal_code,
                "town": address.town,
                "country": address.country,
            }
        )
    return rows


def _file_name(letter: Letter) -> str:
    return f"{letter.pk:08d}-{letter.dossier.reference}-{letter.kind}.pdf"


def batch_manifest_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def batch_zip(batch: LetterBatch) -> bytes:
    """The batch for the print house: every letter's PDF and the manifest as CSV and JSON."""
    rows = batch_manifest(batch)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for letter in batch.letters.select_related("dossier").order_by("id"):
            with letter.file.open("rb") as handle:
                archive.writestr(_file_name(letter), handle.read())
        archive.writestr("manifest.csv", batch_manifest_csv(rows))
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "organisation": batch.organisation.slug,
                    "day": batch.day.isoformat(),
                    "letters": rows,
                    "skipped": batch.skipped,
                },
                indent=2,
            ),
        )
    return buffer.getvalue()


def letters_nightly(*, budget_seconds: float | None = None) -> int:
    """The scheduled run: every organisation's batch of today, until ``LETTERS_TASK_BUDGET_SECONDS``
    (what is left waits for the next run, the same day's batch); returns the letters made."""
    budget = settings.LETTERS_TASK_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    due = Dossier.objects.filter(status__in=DUE_STATUS.values(), kind__in=LETTER_KINDS_OF_DOSSIERS)
    made = 0
    for organisation in Organisation.objects.filter(pk__in=due.values("organisation_id")).order_by("pk"):
        if time.monotonic() > deadline:
            break
        made += letters_batch_build(organisation=organisation, deadline=deadline).made
    return made
