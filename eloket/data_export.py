"""The citizen's copy of everything the e-loket holds about the party they act as (GDPR art. 15, 20).

``party_export_write`` writes a ZIP to a file object: ``data.json`` (party, mail preferences,
dossiers with their timeline and evidence list, payments, submissions with answers and messages,
e-mails sent to the party, the logins that act as the party) and, under ``bijlagen/``, the evidence
and attachment files. Every read is scoped to ``party``: a company representative acting for a
company gets the company's data, never their own or another party's. The national or enterprise
number is not stored (only a keyed hash), so the JSON carries only its masked form
(docs/retention.md). Reads in chunks; files are streamed into the ZIP one at a time.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO

from django.db.models import Prefetch
from django.utils import timezone

from eloket.models import Dossier, Evidence, Notification, Party, Payment, PaymentItem, TimelineEvent

CHUNK = 500


def _iso(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _row(instance, fields: list[str]) -> dict:
    return {name: _iso(getattr(instance, name)) for name in fields}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "bestand"


PARTY_FIELDS = ["kind", "display_name", "identifier_masked", "establishment_unit", "email", "email_verified",
                "language", "created_at"]  # fmt: skip
PREFERENCE_FIELDS = ["mail_new_dossier", "mail_updates", "mail_reminders", "mail_frequency", "language",
                     "preferences_updated_at"]  # fmt: skip
DOSSIER_FIELDS = [
    "reference", "kind", "status", "language", "plate", "extra_plates", "street", "house_number", "zone_code",
    "occurred_at", "valid_from", "valid_until", "offence_code", "offence_description", "gas_category",
    "speed_limit_kmh", "measured_speed_kmh", "built_up_area", "amount_original_cents", "costs_cents",
    "amount_paid_cents", "ogm", "pay_by", "contest_by", "created_at", "updated_at",
]  # fmt: skip
TIMELINE_FIELDS = ["kind", "status_from", "status_to", "occurred_at", "actor_label", "note"]
PAYMENT_FIELDS = ["reference", "channel", "status", "amount_cents", "refunded_cents", "currency", "method",
                  "created_at", "succeeded_at"]  # fmt: skip
SUBMISSION_FIELDS = ["reference", "purpose", "status", "dossier_kind", "contact_name", "contact_email",
                     "language",
                     "contest_reason", "message", "submit_time", "decision", "decision_amount_cents",
                     "decision_motivation", "decided_at", "closed_at"]  # fmt: skip
NOTIFICATION_FIELDS = ["template", "to_email", "language", "subject", "body_text", "status", "created_at",
                       "sent_at"]  # fmt: skip


def party_export_write(*, party: Party, fileobj: IO[bytes]) -> None:
    """Write the ZIP of ``party``'s data to ``fileobj`` (seekable). ``data.json`` is written row by
    row to a temporary file (the files go into the archive meanwhile) and added last, so memory holds
    one chunk of rows, never the whole export."""
    with (
        zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        tempfile.TemporaryFile() as raw,
    ):
        text = io.TextIOWrapper(raw, encoding="utf-8")
        _json_write(
            text,
            [
                ("exported_at", timezone.now().isoformat()),
                ("party", _row(party, PARTY_FIELDS)),
                ("mail_preferences", _row(party, PREFERENCE_FIELDS)),
                ("dossiers", _dossiers(party, archive)),
                ("payments", _payments(party)),
                ("submissions", _submissions(party, archive)),
                ("emails", _emails(party)),
                ("logins", _logins(party)),
            ],
        )
        text.flush()
        raw.seek(0)
        with archive.open("data.json", "w") as target:
            shutil.copyfileobj(raw, target, 64 * 1024)
        text.detach()


def _json_write(out: IO[str], items: list[tuple[str, object]]) -> None:
    """One JSON object; a generator value becomes an array written item by item."""

    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False, default=str)

    out.write("{")
    for index, (key, value) in enumerate(items):
        out.write(("," if index else "") + f"\n  {dump(key)}: ")
        if isinstance(value, Iterator):
            out.write("[")
            for position, item in enumerate(value):
                out.write(("," if position else "") + "\n    " + dump(item))
            out.write("\n  ]")
        else:
            out.write(dump(value))
    out.write("\n}\n")


def _logins(party: Party):
    """The login accounts of the party (a person: their own; a company: the people who act for it,
    named only by their role) with what the login keeps: the e-mail address, when it was made and last
    used, the identity providers it is linked to (the provider's subject identifier is left out: for
    the government login it may be derived from the national number) and the second factors set up
    (their kind and dates, never their secrets)."""
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    representations = party.representations.select_related("user").order_by("created_at", "id")
    for representation in representations.iterator(CHUNK):
        user = representation.user
        if representation.role != "self":
            yield {"role": representation.role, "since": _iso(representation.created_at)}
            continue
        yield {
            "role": representation.role,
            "since": _iso(representation.created_at),
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "identities": [
                {
                    "provider": account.provider,
                    "linked_at": _iso(account.date_joined),
                    "last_login": _iso(account.last_login),
                }
                for account in SocialAccount.objects.filter(user=user).order_by("id")
            ],
            "second_factors": [
                {"type": key.type, "created_at": _iso(key.created_at), "last_used_at": _iso(key.last_used_at)}
                for key in Authenticator.objects.filter(user=user).order_by("id")
            ],
        }


def _emails(party: Party):
    for notification in Notification.objects.filter(party=party).order_by("created_at", "id").iterator(CHUNK):
        yield _row(notification, NOTIFICATION_FIELDS)


def _copy(archive: zipfile.ZipFile, field_file, arcname: str) -> str | None:
    """Stream one stored file into the archive; None when it is gone from the storage."""
    try:
        source = field_file.open("rb")
    except (FileNotFoundError, OSError):
        return None
    with source, archive.open(arcname, "w") as target:
        for chunk in iter(lambda: source.read(64 * 1024), b""):
            target.write(chunk)
    return arcname


def _dossiers(party: Party, archive: zipfile.ZipFile):
    dossiers = (
        Dossier.objects.filter(party=party)
        .select_related("municipality", "organisation")
        .prefetch_related(
            Prefetch("timeline", TimelineEvent.objects.order_by("occurred_at", "id")),
            Prefetch("evidence", Evidence.objects.order_by("id")),
        )
        .order_by("id")
    )
    for dossier in dossiers.iterator(CHUNK):
        row = _row(dossier, DOSSIER_FIELDS)
        row["municipality"] = dossier.municipality.name_nl
        row["organisation"] = dossier.organisation.name_nl
        row["timeline"] = [_row(event, TIMELINE_FIELDS) for event in dossier.timeline.all()]
        row["evidence"] = []
        for evidence in dossier.evidence.all():
            suffix = PurePath(evidence.file.name).suffix
            path = _copy(
                archive, evidence.file, f"bijlagen/dossiers/{_safe(dossier.reference)}/{evidence.pk}{suffix}"
            )
            row["evidence"].append(
                {"caption": evidence.caption, "taken_at": _iso(evidence.taken_at), "file": path}
            )
        yield row


def _payments(party: Party):
    payments = (
        Payment.objects.filter(party=party)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "items",
                PaymentItem.objects.select_related("dossier").only("payment_id", "dossier__reference"),
            )
        )
        .order_by("id")
    )
    for payment in payments.iterator(CHUNK):
        row = _row(payment, PAYMENT_FIELDS)
        row["organisation"] = payment.organisation.name_nl
        row["dossiers"] = [item.dossier.reference for item in payment.items.all()]
        yield row


def _submissions(party: Party, archive: zipfile.ZipFile):
    from forms.models import Submission
    from forms.selectors import submission_answers

    submissions = Submission.objects.filter(party=party).select_related("organisation", "dossier", "page")
    for submission in submissions.order_by("id").iterator(CHUNK):
        row = _row(submission, SUBMISSION_FIELDS)
        row["organisation"] = submission.organisation.name_nl
        row["dossier"] = submission.dossier.reference if submission.dossier_id else None
        row["answers"] = [{"question": q, "answer": a} for q, a in submission_answers(submission=submission)]
        row["messages"] = [
            {"from": m.author_kind, "body": m.body, "at": _iso(m.created_at)}
            for m in submission.messages.order_by("created_at", "id")
        ]
        row["attachments"] = []
        for attachment in submission.attachments.order_by("id"):
            folder = f"bijlagen/berichten/{_safe(submission.reference)}"
            arcname = f"{folder}/{attachment.pk}-{_safe(attachment.original_name)}"
            row["attachments"].append(
                {"name": attachment.original_name, "file": _copy(archive, attachment.file, arcname)}
            )
        yield row
