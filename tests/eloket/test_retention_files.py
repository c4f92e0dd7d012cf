"""The retention dry run names the stored files that would go, also those deleted along with a dossier
or submission whose own period ends before the attachments period; the real run then removes exactly
those files from storage and leaves every other file alone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.utils import timezone

from eloket.models import Dossier, Evidence
from eloket.models.retention import RetentionAction, RetentionCategory
from eloket.retention import retention_apply
from forms.models import Submission, SubmissionAttachment
from tests.eloket.test_retention import (
    _organisation,
    closed_dossier,
    closed_submission,
    policy,
    with_evidence,
)

C, A = RetentionCategory, RetentionAction


@pytest.fixture
def storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(SubmissionAttachment._meta.get_field("file"), "storage", storage)
    return storage


def stored(storage) -> set[str]:
    root = Path(storage.location)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def due_and_kept(db, storage):
    """Genk anonymises dossiers and submissions after 30 days but keeps files 10 years; Hasselt
    deletes dossiers after 30 days. Returns the file names that must go and those that must stay."""
    genk, hasselt = _organisation("Genk"), _organisation("Hasselt")
    policy(C.ATTACHMENTS, action=A.DELETE, period=120, unit="months", organisation=genk)
    policy(C.ATTACHMENTS, action=A.DELETE, period=120, unit="months", organisation=hasselt)
    policy(C.DOSSIERS, action=A.ANONYMISE, period=30, organisation=genk)
    policy(C.SUBMISSIONS, action=A.ANONYMISE, period=30, organisation=genk)
    policy(C.DOSSIERS, action=A.DELETE, period=30, organisation=hasselt)

    with_anonymised_dossier = with_evidence(closed_dossier(genk, days_ago=400)).file.name
    with_deleted_dossier = with_evidence(closed_dossier(hasselt, days_ago=400)).file.name
    past_attachments_period = with_evidence(closed_dossier(genk, days_ago=4000)).file.name
    with_anonymised_submission = closed_submission(genk, days_ago=400).attachments.get().file.name
    recent_dossier = with_evidence(closed_dossier(genk, days_ago=10)).file.name
    recent_submission = closed_submission(genk, days_ago=10).attachments.get().file.name
    going = {
        with_anonymised_dossier,
        with_deleted_dossier,
        past_attachments_period,
        with_anonymised_submission,
    }
    staying = {recent_dossier, recent_submission}
    assert stored(storage) == going | staying
    return going, staying


def test_the_dry_run_names_the_files_that_go_with_their_records_and_deletes_nothing(due_and_kept, storage):
    going, staying = due_and_kept
    before = (Evidence.objects.count(), SubmissionAttachment.objects.count(), Dossier.objects.count())

    report = retention_apply(now=timezone.now(), dry_run=True)

    assert report.file_names() == sorted(going)
    assert report.total(category=C.ATTACHMENTS, action=A.DELETE) == len(going)
    side = {name: n for name, cat, act, n in report.rows() if cat == C.ATTACHMENTS}
    assert side == {"Stad Genk": 1, "—": 3}  # its own period; and three with their record
    assert stored(storage) == going | staying
    assert (Evidence.objects.count(), SubmissionAttachment.objects.count(), Dossier.objects.count()) == before
    assert not Submission.objects.filter(contact_name="Geanonimiseerd").exists()


def test_the_real_run_removes_exactly_the_files_the_dry_run_named(
    due_and_kept, storage, django_capture_on_commit_callbacks
):
    going, staying = due_and_kept
    now = timezone.now()
    dry = retention_apply(now=now, dry_run=True)

    with django_capture_on_commit_callbacks(execute=True):
        real = retention_apply(now=now, dry_run=False)

    assert stored(storage) == staying
    assert set(dry.file_names()) == going
    assert dry.counts == real.counts
    assert not real.files  # the real run keeps counts only
    assert (
        set(Evidence.objects.values_list("file", flat=True))
        | set(SubmissionAttachment.objects.values_list("file", flat=True))
        == staying
    )


def test_a_file_due_on_its_own_and_with_its_dossier_is_named_and_counted_once(db, storage):
    genk = _organisation("Genk")
    policy(C.DOSSIERS, action=A.ANONYMISE, period=30, organisation=genk)
    name = with_evidence(closed_dossier(genk, days_ago=4000)).file.name

    report = retention_apply(now=timezone.now(), dry_run=True)

    assert report.file_names() == [name]
    assert report.total(category=C.ATTACHMENTS) == 1


def test_the_command_lists_the_files_of_a_dry_run_and_refuses_the_list_without_one(due_and_kept):
    going, _staying = due_and_kept
    out = io.StringIO()

    call_command("retention", "--dry-run", "--files", stdout=out)

    listed = [line.strip() for line in out.getvalue().splitlines() if line.startswith("  ")]
    assert listed == sorted(going)
    assert f"Files that would be removed: {len(going)}" in out.getvalue()
    with pytest.raises(CommandError, match="--dry-run"):
        call_command("retention", "--files", stdout=io.StringIO())
