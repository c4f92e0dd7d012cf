"""Retention (eloket.retention): what is due is anonymised or deleted per organisation and kind, and
nothing that is still open, owed or contested is touched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone

from eloket.constants import DossierKind, NotificationStatus, PaymentChannel, PaymentStatus
from eloket.models import (
    Dossier,
    Evidence,
    Notification,
    Party,
    Payment,
    PaymentItem,
    RetentionPolicy,
    TimelineEvent,
)
from eloket.models.retention import RetentionAction, RetentionCategory, months_before
from eloket.retention import ANONYMISED_NAME, SENTINEL_HASHES, retention_apply
from eloket.services import evidence_add
from forms.models import Submission, SubmissionAttachment, SubmissionMessage
from tests.factories import DossierFactory, MunicipalityFactory, OrganisationFactory, person_party
from tests.forms.triage_helpers import submission_make

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
C, A = RetentionCategory, RetentionAction


@pytest.fixture
def storage(tmp_path, monkeypatch):
    """Evidence and attachments in a folder of this test, to see what is left behind."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(SubmissionAttachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def apply(django_capture_on_commit_callbacks):
    """``retention_apply`` with the after-commit callbacks (file removal) run, as a real commit would."""

    def run(*, now, dry_run):
        with django_capture_on_commit_callbacks(execute=True):
            return retention_apply(now=now, dry_run=dry_run)

    return run


def _organisation(name):
    municipality = MunicipalityFactory(name_nl=name)
    return OrganisationFactory(name_nl=f"Stad {name}", municipalities=[municipality])


@pytest.fixture
def genk(db):
    return _organisation("Genk")


@pytest.fixture
def hasselt(db):
    return _organisation("Hasselt")


def closed_dossier(
    organisation, *, days_ago: int, kind=DossierKind.PARKING_RETRIBUTION, party=None, **traits
):
    """A paid dossier of ``organisation`` whose last change (and contest term) lie ``days_ago`` back."""
    traits = traits or {"paid": True}
    dossier = DossierFactory(
        party=party or person_party(name="Piet Peeters"),
        organisation=organisation,
        municipality=organisation.municipalities.first(),
        kind=kind,
        **traits,
    )
    return age(dossier, days_ago)


def age(dossier, days_ago: int):
    then = timezone.now() - dt.timedelta(days=days_ago)
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=then, contest_by=then.date())
    dossier.refresh_from_db()
    return dossier


def with_evidence(dossier) -> Evidence:
    return evidence_add(dossier=dossier, content=PNG, filename="foto.png", content_type="image/png")


def policy(category, *, action, period, unit="days", organisation=None, kind=""):
    row = RetentionPolicy(
        organisation=organisation,
        dossier_kind=kind,
        category=category,
        action=action,
        period=period,
        unit=unit,
    )
    row.full_clean()
    row.save()
    return row


def closed_submission(organisation, *, days_ago: int, dossier=None, **fields):
    submission = submission_make(organisation=organisation, dossier=dossier, status="closed", **fields)
    SubmissionMessage.objects.create(
        submission=submission, author_kind="citizen", body="Mijn verhaal", author_label="Jan"
    )
    attachment = SubmissionAttachment(
        submission=submission, original_name="ticket.png", content_type="image/png", size=len(PNG)
    )
    attachment.file.save("ticket.png", ContentFile(PNG), save=False)
    attachment.save()
    then = timezone.now() - dt.timedelta(days=days_ago)
    Submission.objects.filter(pk=submission.pk).update(closed_at=then, updated_at=then)
    return submission


def counts(report, category, action):
    return {name: n for name, cat, act, n in report.rows() if cat == category and act == action}


# -- dry run -------------------------------------------------------------------------------------------


def test_dry_run_changes_nothing_and_counts_what_is_due_per_organisation(genk, hasselt, storage, now):
    old_genk = closed_dossier(genk, days_ago=2000)
    evidence = with_evidence(old_genk)
    closed_dossier(genk, days_ago=1900)
    closed_dossier(hasselt, days_ago=2000)
    closed_dossier(hasselt, days_ago=30)  # closed, but recently
    DossierFactory(
        party=person_party(), organisation=genk, municipality=genk.municipalities.first(), notified=True
    )

    report = retention_apply(now=now, dry_run=True)

    assert counts(report, C.DOSSIERS, A.ANONYMISE) == {"Stad Genk": 2, "Stad Hasselt": 1}
    assert counts(report, C.ATTACHMENTS, A.DELETE) == {"Stad Genk": 1}
    old_genk.refresh_from_db()
    assert old_genk.plate == "1-ABC-123"
    assert old_genk.party.display_name == "Piet Peeters"
    assert storage.exists(evidence.file.name)
    assert not Party.objects.filter(identifier_hash__in=SENTINEL_HASHES.values()).exists()


def test_the_dry_run_counts_what_the_real_run_then_does(genk, hasselt, storage, now, apply):
    closed_dossier(genk, days_ago=2000)
    with_evidence(closed_dossier(hasselt, days_ago=2000))
    closed_submission(genk, days_ago=2000)
    policy(C.DOSSIERS, action=A.DELETE, period=30, organisation=hasselt)

    dry = retention_apply(now=now, dry_run=True)
    real = apply(now=now, dry_run=False)

    assert dry.counts == real.counts
    assert real.total() > 0


def test_the_dry_run_foresees_a_dossier_deleted_because_its_payments_go_in_the_same_run(
    genk, storage, now, apply
):
    """Payment records go first; a dossier whose money records are gone is then deleted rather than
    anonymised. The dry run deletes no payment, and must still count the dossier as deleted."""
    party = person_party(name="Piet Peeters")
    dossier = closed_dossier(genk, days_ago=3000, party=party)
    payment = Payment.objects.create(
        reference="P-OLD", channel=PaymentChannel.STRIPE, status=PaymentStatus.SUCCEEDED, party=party,
        organisation=genk, amount_cents=dossier.amount_paid_cents,
    )  # fmt: skip
    PaymentItem.objects.create(
        payment=payment, dossier=dossier, amount_cents=payment.amount_cents, applied=True
    )
    Payment.objects.filter(pk=payment.pk).update(created_at=now - dt.timedelta(days=3000))
    policy(C.PAYMENTS, action=A.DELETE, period=84, unit="months", organisation=genk)
    policy(C.DOSSIERS, action=A.DELETE, period=30, organisation=genk)

    dry = retention_apply(now=now, dry_run=True)
    real = apply(now=now, dry_run=False)

    assert real.total(category=C.DOSSIERS, action=A.DELETE) == 1
    assert real.total(category=C.PAYMENTS, action=A.DELETE) == 1
    assert dry.counts == real.counts
    assert not Dossier.objects.filter(pk=dossier.pk).exists()


# -- anonymise and delete ---------------------------------------------------------------------------------


def test_anonymising_keeps_amounts_status_and_organisation_and_wipes_the_person(genk, storage, now, apply):
    party = person_party(name="Piet Peeters")
    dossier = closed_dossier(genk, days_ago=2000, party=party)
    evidence = with_evidence(dossier)
    payment = Payment.objects.create(
        reference="P-1", channel=PaymentChannel.STRIPE, status=PaymentStatus.SUCCEEDED, party=party,
        organisation=genk, amount_cents=dossier.amount_paid_cents, checkout_url="https://pay.example/x",
    )  # fmt: skip
    PaymentItem.objects.create(
        payment=payment, dossier=dossier, amount_cents=dossier.amount_paid_cents, applied=True
    )
    amounts = (dossier.amount_original_cents, dossier.costs_cents, dossier.amount_paid_cents)

    report = apply(now=now, dry_run=False)

    dossier.refresh_from_db()
    assert report.total(category=C.DOSSIERS, action=A.ANONYMISE) == 1
    assert (dossier.amount_original_cents, dossier.costs_cents, dossier.amount_paid_cents) == amounts
    assert (dossier.status, dossier.organisation_id, dossier.kind) == (
        "paid",
        genk.pk,
        DossierKind.PARKING_RETRIBUTION,
    )
    assert (dossier.plate, dossier.plate_normalised, dossier.street) == ("", "", "")
    assert dossier.party.identifier_hash == SENTINEL_HASHES["person"]
    assert dossier.party.display_name == ANONYMISED_NAME
    assert not Evidence.objects.filter(dossier=dossier).exists()
    assert not storage.exists(evidence.file.name)
    assert (
        not TimelineEvent.objects.filter(dossier=dossier).exclude(note="", actor_label="", data={}).exists()
    )
    payment.refresh_from_db()
    assert payment.amount_cents == amounts[2]  # kept for the accounts, without the person
    assert payment.party_id == dossier.party_id
    assert payment.checkout_url == ""
    assert not Party.objects.filter(pk=party.pk).exists()  # nothing left of the person


def test_delete_removes_dossiers_without_money_records_and_anonymises_those_with(genk, storage, now, apply):
    policy(C.DOSSIERS, action=A.DELETE, period=365)
    cancelled = DossierFactory(
        party=person_party(), organisation=genk, municipality=genk.municipalities.first(), notified=True
    )
    from eloket.services import dossier_transition

    dossier_transition(dossier_id=cancelled.pk, to_status="cancelled")
    age(cancelled, 400)
    evidence = with_evidence(cancelled)
    paid = closed_dossier(genk, days_ago=400)
    payment = Payment.objects.create(
        reference="P-2", channel=PaymentChannel.BANK_TRANSFER, status=PaymentStatus.SUCCEEDED,
        party=paid.party, organisation=genk, amount_cents=paid.amount_paid_cents,
    )  # fmt: skip
    PaymentItem.objects.create(
        payment=payment, dossier=paid, amount_cents=paid.amount_paid_cents, applied=True
    )

    report = apply(now=now, dry_run=False)

    assert not Dossier.objects.filter(pk=cancelled.pk).exists()
    assert not storage.exists(evidence.file.name)
    assert Dossier.objects.filter(pk=paid.pk, plate="").exists()
    assert report.total(category=C.DOSSIERS, action=A.DELETE) == 1
    assert report.total(category=C.DOSSIERS, action=A.ANONYMISE) == 1


def test_organisation_and_kind_policies_override_the_defaults(genk, hasselt, storage, now, apply):
    policy(C.DOSSIERS, action=A.DELETE, period=30, organisation=genk)
    policy(C.DOSSIERS, action=A.ANONYMISE, period=30, kind=DossierKind.GAS4)
    policy(C.DOSSIERS, action=A.ANONYMISE, period=1000, organisation=genk, kind=DossierKind.GAS5)
    genk_retribution = closed_dossier(genk, days_ago=100)
    genk_gas4 = closed_dossier(genk, days_ago=100, kind=DossierKind.GAS4)
    genk_gas5 = closed_dossier(genk, days_ago=100, kind=DossierKind.GAS5)
    hasselt_gas4 = closed_dossier(hasselt, days_ago=100, kind=DossierKind.GAS4)
    hasselt_retribution = closed_dossier(hasselt, days_ago=100)

    report = apply(now=now, dry_run=False)

    # Genk's own row (delete after 30 days) beats the platform's GAS 4 row; Genk's GAS 5 row beats both.
    assert not Dossier.objects.filter(pk__in=[genk_retribution.pk, genk_gas4.pk]).exists()
    assert Dossier.objects.get(pk=genk_gas5.pk).plate == "1-ABC-123"
    # Hasselt has no rows: the platform's GAS 4 row, and the 5-year default for retributions.
    assert Dossier.objects.get(pk=hasselt_gas4.pk).plate == ""
    assert Dossier.objects.get(pk=hasselt_retribution.pk).plate == "1-ABC-123"
    assert counts(report, C.DOSSIERS, A.DELETE) == {"Stad Genk": 2}
    assert counts(report, C.DOSSIERS, A.ANONYMISE) == {"Stad Hasselt": 1}


def test_open_unpaid_and_contested_dossiers_are_never_touched(genk, storage, now, apply):
    policy(C.DOSSIERS, action=A.DELETE, period=1)
    policy(C.ATTACHMENTS, action=A.DELETE, period=1)
    make = {"organisation": genk, "municipality": genk.municipalities.first(), "party": person_party()}
    unpaid = age(DossierFactory(**make, notified=True), 500)
    reminded = age(DossierFactory(**make, reminded=True), 500)
    contested = age(DossierFactory(**make, contested=True), 500)
    defence = age(DossierFactory(**make, kind=DossierKind.GAS4, defence=True), 500)
    paid_but_contest_open = closed_dossier(genk, days_ago=500)
    Dossier.objects.filter(pk=paid_but_contest_open.pk).update(
        contest_by=timezone.localdate() + dt.timedelta(days=5)
    )
    paid_with_open_question = closed_dossier(genk, days_ago=500)
    submission_make(organisation=genk, dossier=paid_with_open_question, status="in_progress")
    paid_with_refund_to_do = closed_dossier(genk, days_ago=500)
    from eloket.models import Refund

    Refund.objects.create(dossier=paid_with_refund_to_do, amount_cents=100, status="to_do", source_key="x")
    permit = age(
        DossierFactory(**make, kind=DossierKind.RESIDENT_PERMIT, active=True, plate="9-ZZZ-999"), 500
    )
    untouched = [unpaid, reminded, contested, defence, permit, paid_but_contest_open, paid_with_open_question,
                 paid_with_refund_to_do]  # fmt: skip
    files = [with_evidence(d).file.name for d in untouched]

    report = apply(now=now, dry_run=False)

    assert report.total(category=C.DOSSIERS) == 0
    assert report.total(category=C.ATTACHMENTS) == 0
    assert Dossier.objects.filter(pk__in=[d.pk for d in untouched]).exclude(plate="").count() == len(
        untouched
    )
    assert all(storage.exists(name) for name in files)


def test_files_are_removed_only_when_the_transaction_commits(
    genk, storage, now, django_capture_on_commit_callbacks
):
    evidence = with_evidence(closed_dossier(genk, days_ago=2000))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retention_apply(now=now, dry_run=False)
        assert storage.exists(evidence.file.name)
    assert callbacks
    for callback in callbacks:
        callback()
    assert not storage.exists(evidence.file.name)


def test_a_second_run_finds_nothing_more_to_do(genk, hasselt, storage, now, apply):
    policy(C.DOSSIERS, action=A.DELETE, period=30, organisation=hasselt)
    with_evidence(closed_dossier(genk, days_ago=2000))
    closed_dossier(hasselt, days_ago=2000)
    closed_submission(genk, days_ago=2000)
    Notification.objects.create(
        key="k1",
        template="t",
        to_email="a@example.be",
        subject="s",
        body_text="b",
        status=NotificationStatus.SENT,
    )
    Notification.objects.filter(key="k1").update(created_at=now - dt.timedelta(days=1000))

    first = apply(now=now, dry_run=False)
    second = apply(now=now, dry_run=False)

    assert first.total() >= 4
    assert second.counts == {}


# -- submissions, e-mails, payments -------------------------------------------------------------------


def test_closed_submissions_are_anonymised_with_their_files_and_open_ones_kept(genk, storage, now, apply):
    party = person_party(name="Piet Peeters")
    dossier = closed_dossier(genk, days_ago=2000, party=party)
    old = closed_submission(
        genk, days_ago=2000, dossier=dossier, message="Ik had een ticket.", form_data={"x": "y"}
    )
    old_file = old.attachments.get().file.name
    recent = closed_submission(genk, days_ago=10, dossier=dossier)
    open_one = submission_make(organisation=genk, status="received")
    Submission.objects.filter(pk=open_one.pk).update(updated_at=now - dt.timedelta(days=3000))

    report = apply(now=now, dry_run=False)

    old.refresh_from_db()
    assert (old.contact_name, old.contact_email, old.message, old.form_data, old.party_id) == (
        ANONYMISED_NAME, "", "", {}, None,
    )  # fmt: skip
    assert old.messages.get().body == ""
    assert not old.attachments.exists() and not storage.exists(old_file)
    assert (old.organisation_id, old.purpose, old.status) == (genk.pk, "question", "closed")
    assert Submission.objects.get(pk=recent.pk).contact_email == "jan@example.be"
    assert Submission.objects.get(pk=open_one.pk).contact_email == "jan@example.be"
    assert counts(report, C.SUBMISSIONS, A.ANONYMISE) == {"Stad Genk": 1}


def test_submission_delete_policy_removes_the_row(genk, storage, now, apply):
    policy(C.SUBMISSIONS, action=A.DELETE, period=365, organisation=genk)
    old = closed_submission(genk, days_ago=400)

    apply(now=now, dry_run=False)

    assert not Submission.objects.filter(pk=old.pk).exists()


def test_sent_emails_are_deleted_or_anonymised_after_their_period(genk, now, apply):
    dossier = closed_dossier(genk, days_ago=10)
    policy(C.EMAILS, action=A.ANONYMISE, period=30, organisation=genk)
    mine = Notification.objects.create(
        key="genk", template="t", to_email="a@example.be", subject="Uw dossier", body_text="b",
        dossier=dossier, status=NotificationStatus.SENT,
    )  # fmt: skip
    platform = Notification.objects.create(
        key="plain",
        template="t",
        to_email="b@example.be",
        subject="s",
        body_text="b",
        status=NotificationStatus.SENT,
    )
    pending = Notification.objects.create(
        key="p", template="t", to_email="c@example.be", subject="s", body_text="b"
    )
    Notification.objects.update(created_at=now - dt.timedelta(days=800))

    apply(now=now, dry_run=False)

    mine.refresh_from_db()
    assert (mine.to_email, mine.subject, mine.status) == ("", "", NotificationStatus.SENT)
    assert not Notification.objects.filter(pk=platform.pk).exists()  # default: deleted after 24 months
    assert Notification.objects.filter(pk=pending.pk, to_email="c@example.be").exists()


def test_payment_records_cannot_be_deleted_before_seven_years(db):
    row = RetentionPolicy(category=C.PAYMENTS, action=A.DELETE, period=60, unit="months")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "period" in error.value.message_dict
    RetentionPolicy(category=C.PAYMENTS, action=A.DELETE, period=84, unit="months").full_clean()


def test_attachments_and_logs_can_only_be_deleted_and_logs_have_no_kind(db):
    with pytest.raises(ValidationError) as error:
        RetentionPolicy(category=C.ATTACHMENTS, action=A.ANONYMISE, period=1).full_clean()
    assert "action" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        RetentionPolicy(
            category=C.LOGS, action=A.DELETE, period=1, dossier_kind=DossierKind.GAS4
        ).full_clean()
    assert "dossier_kind" in error.value.message_dict


def test_payment_records_are_deleted_after_the_accounting_period_and_then_the_dossier(
    genk, storage, now, apply
):
    policy(C.DOSSIERS, action=A.DELETE, period=365)
    policy(C.PAYMENTS, action=A.DELETE, period=120, unit="months")
    dossier = closed_dossier(genk, days_ago=4000)
    payment = Payment.objects.create(
        reference="P-3", channel=PaymentChannel.STRIPE, status=PaymentStatus.SUCCEEDED, party=dossier.party,
        organisation=genk, amount_cents=dossier.amount_paid_cents,
    )  # fmt: skip
    PaymentItem.objects.create(
        payment=payment, dossier=dossier, amount_cents=dossier.amount_paid_cents, applied=True
    )
    recent_payment = Payment.objects.create(
        reference="P-4", channel=PaymentChannel.STRIPE, status=PaymentStatus.SUCCEEDED, party=dossier.party,
        organisation=genk, amount_cents=100,
    )  # fmt: skip
    Payment.objects.filter(pk=payment.pk).update(created_at=now - dt.timedelta(days=4000))

    report = apply(now=now, dry_run=False)

    assert not Payment.objects.filter(pk=payment.pk).exists()
    assert not Dossier.objects.filter(pk=dossier.pk).exists()
    assert Payment.objects.filter(pk=recent_payment.pk).exists()
    assert report.total(category=C.PAYMENTS, action=A.DELETE) == 1


# -- the command, the schedule, the calendar ----------------------------------------------------------------


def test_the_command_prints_the_dry_run_report_and_changes_nothing(genk, storage, capsys):
    dossier = closed_dossier(genk, days_ago=2000)

    call_command("retention", "--dry-run")

    out = capsys.readouterr().out
    assert "dry run" in out
    assert "Stad Genk" in out and "dossiers" in out and "anonymise" in out
    assert Dossier.objects.get(pk=dossier.pk).plate == "1-ABC-123"


def test_the_command_without_dry_run_applies_the_policies(genk, storage, capsys):
    dossier = closed_dossier(genk, days_ago=2000)

    call_command("retention")

    assert Dossier.objects.get(pk=dossier.pk).plate == ""
    assert "Stad Genk" in capsys.readouterr().out


def test_the_retention_job_is_scheduled_nightly(db):
    from django_q.models import Schedule

    from eloket.schedules import schedules_ensure

    schedules_ensure()

    schedule = Schedule.objects.get(name="eloket.retention.nightly")
    assert schedule.func == "eloket.tasks.retention_nightly"
    assert schedule.schedule_type == Schedule.DAILY
    assert timezone.localtime(schedule.next_run).hour == 3


def test_the_nightly_task_logs_counts_only(genk, storage, caplog):
    from eloket.tasks import retention_nightly

    closed_dossier(genk, days_ago=2000)
    with caplog.at_level("INFO", logger="eloket.retention"):
        totals = retention_nightly()

    assert totals == {"dossiers:anonymise": 1}
    assert "retention_applied category=dossiers dry_run=False anonymised=1 deleted=0" in caplog.text
    assert "Piet" not in caplog.text and "1-ABC-123" not in caplog.text


def test_a_spent_time_budget_starts_no_batch_and_the_next_run_carries_on(genk, storage, now, apply):
    dossier = closed_dossier(genk, days_ago=2000)

    stopped = retention_apply(now=now, dry_run=False, time_budget_s=0)

    assert not stopped.complete
    assert Dossier.objects.get(pk=dossier.pk).plate == "1-ABC-123"
    assert apply(now=now, dry_run=False).complete
    assert Dossier.objects.get(pk=dossier.pk).plate == ""


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (dt.datetime(2026, 3, 31, 12), 1, dt.datetime(2026, 2, 28, 12)),
        (dt.datetime(2026, 1, 15), 13, dt.datetime(2024, 12, 15)),
        (dt.datetime(2028, 3, 31), 1, dt.datetime(2028, 2, 29)),
    ],
)
def test_months_are_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected
