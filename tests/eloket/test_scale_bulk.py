"""``seed_scale`` on PostgreSQL as ``seed_demo --scale`` runs it: worker processes, COPY, indexes and
constraints set aside and rebuilt (``eloket.scale.bulk``), payments and submissions beside the dossiers."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from stdnum.be import ogm_vcs
from wagtail.models import Locale, Page

from bench.run import bench_user
from eloket.constants import DossierStatus, PaymentStatus
from eloket.models import Dossier, Party, Payment, PaymentAccount, PaymentItem, TimelineEvent
from eloket.scale import bulk, loaded_tables, seed_scale
from eloket.scale import dossiers as scale_dossiers
from forms.constants import CONTESTING_PURPOSES
from forms.models import Submission

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("COPY, worker processes and index rebuilding are the PostgreSQL path (DATABASE_URL)")


@pytest.fixture
def root_page(postgres):
    """Submissions hang under a page; a flushed transactional test database may have lost Wagtail's root."""
    if not Page.objects.exists():
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        Page.add_root(instance=Page(title="Root", slug="root"))


def schema() -> set[tuple]:
    """Every index and constraint of the loaded tables, by name and definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(%s::regclass[])",
            [loaded_tables()],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint"
            " WHERE conrelid = ANY(%s::regclass[])",
            [loaded_tables()],
        )
        return indexes | set(cursor.fetchall())


@pytest.fixture
def seeded(root_page, monkeypatch):
    monkeypatch.setattr(scale_dossiers, "CHUNK", 500)
    monkeypatch.setattr(scale_dossiers, "WORKERS", 2)
    before = schema()
    result = seed_scale(dossiers=2000, submissions=300, progress=False)
    return before, result


def test_a_bulk_load_gives_back_every_index_and_constraint_validated(seeded):
    before, _result = seeded

    assert schema() == before
    assert all(row[2] for row in before if len(row) == 3)  # every constraint validated
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [bulk.PENDING_TABLE])
        assert cursor.fetchone()[0] is None


def test_counts_are_what_was_asked_and_foreign_keys_hold(seeded):
    _before, result = seeded

    assert Dossier.objects.count() == result.dossiers == 2000
    assert Party.objects.count() == result.parties == 600
    assert Submission.objects.count() == result.submissions == 300
    assert TimelineEvent.objects.count() == result.timeline_events
    assert Payment.objects.count() == PaymentItem.objects.count() == result.payments > 0
    # The rebuilt foreign keys were validated; the joins below say the same from the data's side.
    assert not Dossier.objects.exclude(party__in=Party.objects.all()).exists()
    assert not Submission.objects.exclude(dossier__in=Dossier.objects.all()).exists()
    assert len(set(Dossier.objects.values_list("ogm", flat=True))) == 2000
    assert all(ogm_vcs.is_valid(o) for o in Dossier.objects.values_list("ogm", flat=True)[:500])


def test_payments_and_submissions_agree_with_their_dossiers(seeded):
    for item in PaymentItem.objects.select_related("payment", "dossier"):
        assert item.dossier.status == DossierStatus.PAID
        assert item.payment.status == PaymentStatus.SUCCEEDED
        assert item.payment.party_id == item.dossier.party_id
        assert item.amount_cents == item.payment.amount_cents == item.dossier.amount_paid_cents
    assert PaymentAccount.objects.filter(organisation__slug__startswith="scale-").exists()
    for submission in Submission.objects.select_related("dossier")[:300]:
        assert submission.organisation_id == submission.dossier.organisation_id
        assert submission.party_id == submission.dossier.party_id
        if submission.purpose in CONTESTING_PURPOSES:
            events = set(
                TimelineEvent.objects.filter(dossier=submission.dossier).values_list("status_to", flat=True)
            )
            assert events & {DossierStatus.CONTESTED, DossierStatus.DEFENCE}
    for model in (Payment, PaymentItem, Submission):
        for obj in model.objects.order_by("?")[:10]:
            obj.full_clean(exclude=["form_data"])


def test_a_seeded_citizen_logs_in_and_sees_their_dossiers(seeded):
    _before, result = seeded
    client = Client()
    client.force_login(bench_user(party_id=result.bench_party_id))

    response = client.get(reverse("eloket:overview"))

    assert response.status_code == 200
    newest = Dossier.objects.filter(party_id=result.bench_party_id).order_by("-created_at").first()
    assert newest.reference in response.content.decode()
    detail = client.get(reverse("eloket:dossier_detail", args=[newest.reference]))
    assert detail.status_code == 200


def test_a_second_run_on_a_big_table_keeps_the_indexes_and_adds(seeded, monkeypatch):
    _before, first = seeded
    schema_before = schema()

    again = seed_scale(dossiers=500, submissions=50, progress=False)  # 500 < 2000: no bulk

    assert schema() == schema_before
    assert Dossier.objects.count() == 2500
    assert Submission.objects.count() == 350
    assert again.bench_party_id != first.bench_party_id


def test_an_interrupted_bulk_load_is_repaired_by_the_next_run(root_page, monkeypatch):
    before = schema()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bulk, "_rebuild", crash)  # the process dies before it rebuilds anything
    with pytest.raises(KeyboardInterrupt):
        seed_scale(dossiers=100, progress=False, bulk=True)
    monkeypatch.undo()
    assert schema() != before

    bulk.restore_pending(progress=False)

    assert schema() == before
