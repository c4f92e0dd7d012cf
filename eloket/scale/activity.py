"""What citizens did with their dossiers: online payments of paid dossiers and submissions (contests,
defences, questions, complaints), built beside the dossiers of a chunk and written in its transaction.

Rows look like the services' (``payment_start`` and the webhook's booking; ``forms.services`` filing a
submission), without calling them (see ``eloket.scale``). References are made from the dossier id with
one letter more than real ones, so they are unique without a lookup and never equal a real one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from eloket.constants import Decision, PaymentChannel, PaymentStatus
from eloket.constants import DossierStatus as S
from eloket.models import Dossier, Payment, PaymentItem
from eloket.scale.synthetic import pick, synthetic_payment_reference, synthetic_submission_reference
from forms.constants import ContestReason, Purpose, SubmissionStatus
from forms.models import Submission
from forms.scale import COLUMNS, STATUS_WEIGHTS

QUESTION_OPEN_DAYS = dt.timedelta(days=60)
ONLINE_SHARE = 0.45  # of paid dossiers, paid online (the rest by bank transfer with the OGM)
PAYMENT_COLUMNS = (
    "id",
    "reference",
    "channel",
    "status",
    "party_id",
    "organisation_id",
    "amount_cents",
    "provider_account",
    "provider_session_id",
    "provider_payment_id",
    "checkout_url",
    "method",
    "created_at",
    "updated_at",
    "succeeded_at",
)
PAYMENT_ITEM_COLUMNS = ("payment_id", "dossier_id", "amount_cents", "applied")
SUBMISSION_COLUMNS = (*COLUMNS, "decided_at")
CONTESTED = {"contested": Purpose.CONTEST, "defence": Purpose.DEFENCE}
OPEN_WEIGHTS = {
    SubmissionStatus.RECEIVED: 12,
    SubmissionStatus.IN_PROGRESS: 18,
    SubmissionStatus.INFO_REQUESTED: 8,
    SubmissionStatus.INFO_RECEIVED: 4,
}
ANY_STATUSES = list(STATUS_WEIGHTS)
ANY_CUM = list(itertools.accumulate(STATUS_WEIGHTS.values()))
OPEN_STATUSES = list(OPEN_WEIGHTS)
OPEN_CUM = list(itertools.accumulate(OPEN_WEIGHTS.values()))

__all__ = [
    "PAYMENT_COLUMNS",
    "PAYMENT_ITEM_COLUMNS",
    "SUBMISSION_COLUMNS",
    "Payment",
    "PaymentItem",
    "Submission",
    "online_payments",
    "submissions",
]


def online_payments(rng: random.Random, paid: list[Dossier], paid_at: dict, accounts: dict, ids: list[int]):
    """(payment rows, item rows): one succeeded online payment per dossier in ``paid`` (from
    ``online_candidates``), with the ids ``Writer.allocate_ids`` gave for them."""
    payments, items = [], []
    for dossier, payment_id in zip(paid, ids, strict=True):
        at = paid_at[dossier.pk]
        amount = dossier.amount_paid_cents
        payments.append(
            (
                payment_id,
                synthetic_payment_reference(dossier.pk),
                PaymentChannel.STRIPE,
                PaymentStatus.SUCCEEDED,
                dossier.party_id,
                dossier.organisation_id,
                amount,
                accounts[dossier.organisation_id],
                f"cs_scale_{payment_id}",
                f"pi_scale_{payment_id}",
                "",
                rng.choice(("bancontact", "card")),
                at - dt.timedelta(minutes=2),
                at,
                at,
            )
        )
        items.append((payment_id, dossier.pk, amount, True))
    return payments, items


def online_candidates(rng: random.Random, dossiers: list[Dossier], accounts: dict) -> list[Dossier]:
    """The paid dossiers that were paid online: about ONLINE_SHARE of them, where online payment is on."""
    return [
        d
        for d in dossiers
        if d.status == S.PAID
        and d.amount_paid_cents > 0
        and d.organisation_id in accounts
        and rng.random() < ONLINE_SHARE
    ]


def submissions(rng: random.Random, dossiers: list[Dossier], paths: dict, count: int, page_id: int, now):
    """``count`` submission rows about dossiers of the chunk: every contested dossier first (a contest
    or a GAS defence, open while the dossier waits for it, decided once it moved on), then questions
    and complaints about others."""
    contested = [d for d in dossiers if any(step in CONTESTED for step in paths[d.pk])]
    others = [d for d in dossiers if not any(step in CONTESTED for step in paths[d.pk])]
    chosen = contested[:count] + rng.sample(others, min(len(others), max(0, count - len(contested))))
    rows = []
    for dossier in chosen:
        steps = paths[dossier.pk]
        purpose = next((CONTESTED[s] for s in steps if s in CONTESTED), None)
        if purpose is None:
            purpose = Purpose.QUESTION if rng.random() < 0.7 else Purpose.COMPLAINT
            # Open work is what came in lately: a question about an older dossier was answered.
            recent = now - dossier.created_at < QUESTION_OPEN_DAYS
            status = pick(rng, ANY_STATUSES, ANY_CUM) if recent else SubmissionStatus.CLOSED
        elif dossier.status in (S.CONTESTED, S.DEFENCE):
            status = pick(rng, OPEN_STATUSES, OPEN_CUM)
        else:
            status = SubmissionStatus.DECIDED if rng.random() < 0.6 else SubmissionStatus.CLOSED
        rows.append(_submission(rng, dossier, purpose, status, page_id, now))
    return rows


def _submission(rng, dossier: Dossier, purpose: str, status: str, page_id: int, now) -> tuple:
    received = min(now, dossier.created_at + dt.timedelta(minutes=rng.randrange(20 * 24 * 60)))
    contesting = purpose in (Purpose.CONTEST, Purpose.DEFENCE)
    legal_due = (dossier.created_at + dt.timedelta(days=30)).date() if contesting else None
    reference = synthetic_submission_reference(dossier.pk)
    decided = status == SubmissionStatus.DECIDED
    return (
        page_id,
        {},
        received,
        reference,
        f"scale-{reference}",
        dossier.organisation_id,
        dossier.municipality_id,
        purpose,
        dossier.pk,
        dossier.kind,
        dossier.plate_normalised,
        dossier.party_id,
        "Synthetische burger",
        "",
        dossier.language,
        rng.choice(ContestReason.values) if contesting else "",
        "Synthetisch bericht.",
        status,
        (received + dt.timedelta(days=14)).date(),
        legal_due,
        bool(legal_due and legal_due < received.date()),
        (Decision.REJECTED if rng.random() < 0.6 else Decision.UPHELD) if decided else "",
        "",
        max(received, dossier.updated_at),
        max(received, dossier.updated_at) if decided else None,
    )
