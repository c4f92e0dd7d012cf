"""Synthetic submissions at scale for the clerk-inbox benchmark (``make bench``).

Like ``eloket.scale`` it writes rows directly (COPY on PostgreSQL, ``executemany`` on SQLite) instead of
calling ``forms.services``: a service files one submission with its e-mails and timeline events, which
at 200,000 rows is a long wait and mail for nobody. The rows look like the service's: the dossier's
organisation, municipality, kind and plate copied in, a clerk deadline, and a status spread like a
year of real work (most decided or closed, some open and overdue). Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction
from django.utils import timezone

from eloket.models import Dossier
from eloket.scale.writer import Writer
from forms.constants import ContestReason, Purpose, SubmissionStatus
from forms.models import REFERENCE_ALPHABET, Submission

CHUNK = 20_000
STATUS_WEIGHTS = {
    SubmissionStatus.RECEIVED: 12,
    SubmissionStatus.IN_PROGRESS: 18,
    SubmissionStatus.INFO_REQUESTED: 8,
    SubmissionStatus.INFO_RECEIVED: 4,
    SubmissionStatus.DECIDED: 33,
    SubmissionStatus.CLOSED: 25,
}
PURPOSE_WEIGHTS = {Purpose.CONTEST: 45, Purpose.DEFENCE: 20, Purpose.QUESTION: 25, Purpose.COMPLAINT: 10}
COLUMNS = (
    "page_id", "form_data", "submit_time", "reference", "idempotency_key", "organisation_id",
    "municipality_id", "purpose", "dossier_id", "dossier_kind", "plate_normalised", "party_id",
    "contact_name", "contact_email", "language", "contest_reason", "message", "status", "clerk_due",
    "legal_due", "filed_late", "decision", "decision_motivation", "updated_at",
)  # fmt: skip


def seed_submissions(*, organisation_id: int, page_id: int, count: int, seed: int = 3) -> int:
    """Add ``count`` submissions to the organisation's inbox, about its own dossiers."""
    dossiers = list(
        Dossier.objects.filter(organisation_id=organisation_id)
        .order_by("id")
        .values_list("id", "party_id", "kind", "municipality_id", "plate_normalised")[:count]
    )
    if not dossiers:
        raise ValueError(f"organisation {organisation_id} has no dossiers to write submissions about")
    writer = Writer()
    now = timezone.now()
    references: set[str] = set(Submission.objects.values_list("reference", flat=True))
    written = 0
    for start in range(0, count, CHUNK):
        rng = random.Random(f"{seed}:{start}")
        size = min(CHUNK, count - start)
        rows = [
            _row(rng, dossiers, page_id, organisation_id, now, references, n)
            for n in range(start, start + size)
        ]
        with transaction.atomic():
            writer.write((Submission, COLUMNS, rows))
        written += size
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Submission._meta.db_table}")
    return written


def _row(rng, dossiers, page_id, organisation_id, now, references, n) -> tuple:
    dossier_id, party_id, kind, municipality_id, plate = dossiers[n % len(dossiers)]
    received = now - dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    purpose = rng.choices(list(PURPOSE_WEIGHTS), weights=list(PURPOSE_WEIGHTS.values()))[0]
    reference = ""
    while not reference or reference in references:
        reference = "V-" + "".join(rng.choices(REFERENCE_ALPHABET, k=6))
    references.add(reference)
    contesting = purpose in (Purpose.CONTEST, Purpose.DEFENCE)
    legal_due = (received - dt.timedelta(days=rng.randrange(-20, 40))).date() if contesting else None
    return (
        page_id, {}, received, reference, f"scale-{reference}", organisation_id, municipality_id, purpose,
        dossier_id, kind, plate, party_id, "Synthetische burger", "", "nl",
        rng.choice(ContestReason.values) if contesting else "", "Synthetisch bericht.", status,
        (received + dt.timedelta(days=14)).date(), legal_due,
        bool(legal_due and legal_due < received.date()),
        "rejected" if status == SubmissionStatus.DECIDED else "", "", now,
    )  # fmt: skip
