"""The synthetic data set of ``seed_demo --scale N`` and ``make bench``: valid, unique, deterministic."""

import datetime as dt
import io
import itertools
import re
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from stdnum.be import nn, ogm_vcs

from eloket.constants import DossierKind, DossierStatus, TimelineEventKind
from eloket.identifiers import identifier_hash
from eloket.models import Dossier, Municipality, Organisation, Party, Regulation, TimelineEvent
from eloket.policies import policy_for
from eloket.references import ALPHABET
from eloket.scale import ScaleResult, seed_scale, synthetic_national_number
from eloket.scale import dossiers as scale_dossiers

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
PILOT_NIS_CODES = {"71016", "23088", "11002", "71022", "12025"}


@pytest.fixture
def seeded() -> ScaleResult:
    return seed_scale(dossiers=400, progress=False, now=NOW)


def test_seed_scale_creates_as_many_dossiers_as_asked(seeded):
    assert seeded.dossiers == 400
    assert Dossier.objects.count() == 400
    assert Party.objects.count() == seeded.parties == 120


def test_one_party_has_exactly_50_dossiers_and_the_result_says_which(seeded):
    assert Dossier.objects.filter(party_id=seeded.bench_party_id).count() == 50


def test_every_ogm_is_valid_mod_97_and_unique(seeded):
    ogms = list(Dossier.objects.values_list("ogm", flat=True))

    assert all(ogm_vcs.is_valid(ogm) for ogm in ogms)
    assert len(set(ogms)) == len(ogms)


def test_references_are_unique_and_never_look_like_a_real_one(seeded):
    references = list(Dossier.objects.values_list("reference", flat=True))

    assert len(set(references)) == len(references)
    # reference_new makes 8 letters; 9 keeps synthetic ones apart from real ones forever.
    assert all(re.fullmatch(rf"(RB|G4|G5|BK|WV|IOD)-\d\d-[{ALPHABET}]{{9}}", r) for r in references)


def test_all_six_kinds_appear_in_statuses_their_policy_knows(seeded):
    kinds = Counter(Dossier.objects.values_list("kind", flat=True))

    assert set(kinds) == set(DossierKind.values)
    for kind, status in Dossier.objects.values_list("kind", "status").distinct():
        policy = policy_for(kind)
        assert status in policy.statuses() | {policy.initial_status}


def test_each_timeline_walks_the_transition_table_to_the_dossiers_status(seeded):
    for dossier in Dossier.objects.order_by("id")[:150]:
        events = list(TimelineEvent.objects.filter(dossier=dossier).order_by("occurred_at", "id"))
        assert events[0].kind == TimelineEventKind.ISSUED
        assert events[0].status_to == dossier.policy.initial_status
        for before, event in itertools.pairwise(events):
            assert event.status_from == before.status_to
            assert event.kind == dossier.policy.event_for(event.status_from, event.status_to)
        assert events[-1].status_to == dossier.status


def test_paid_dossiers_owe_nothing_and_amounts_follow_the_regulation(seeded):
    for dossier in Dossier.objects.filter(status=DossierStatus.PAID):
        assert dossier.amount_due_cents == 0
    for dossier in Dossier.objects.filter(kind=DossierKind.GAS4).select_related("regulation"):
        assert dossier.amount_original_cents == dossier.regulation.tariff[f"category_{dossier.gas_category}"]
    for dossier in Dossier.objects.filter(kind=DossierKind.GAS5):
        assert dossier.amount_original_cents == dossier.policy.compute_amount_cents(dossier) > 0


def test_a_sample_of_every_generated_model_passes_full_clean(seeded):
    for model in (Municipality, Organisation, Regulation, Party, Dossier, TimelineEvent):
        for obj in model.objects.order_by("?")[:25]:
            obj.full_clean()


def test_synthetic_municipalities_keep_clear_of_real_nis_codes(seeded):
    municipalities = list(Municipality.objects.all())

    assert 3 <= len(municipalities) <= 285
    for municipality in municipalities:
        assert re.fullmatch(r"09\d{3}", municipality.nis_code)
        assert municipality.nis_code not in PILOT_NIS_CODES
        assert municipality.slug == f"scale-{municipality.nis_code}"


def test_parties_are_keyed_hashes_of_valid_synthetic_national_numbers(seeded):
    numbers = [synthetic_national_number(counter) for counter in range(seeded.parties)]

    assert all(nn.is_valid(number) for number in numbers)
    assert set(Party.objects.values_list("identifier_hash", flat=True)) == {
        identifier_hash(n) for n in numbers
    }
    assert not Party.objects.exclude(email="").exists()


def test_a_second_run_adds_to_the_first_without_collisions(seeded):
    again = seed_scale(dossiers=100, progress=False, now=NOW)

    assert Dossier.objects.count() == 500
    assert Dossier.objects.values("reference").distinct().count() == 500
    assert Dossier.objects.values("ogm").distinct().count() == 500
    assert Party.objects.values("identifier_hash").distinct().count() == seeded.parties + again.parties
    assert again.bench_party_id != seeded.bench_party_id
    assert Municipality.objects.count() == seeded.municipalities


def test_the_same_seed_gives_the_same_dossiers():
    def snapshot() -> list[tuple]:
        first_party = Party.objects.order_by("id").first().pk
        return [
            (
                d.kind,
                d.status,
                d.amount_original_cents,
                d.costs_cents,
                d.amount_paid_cents,
                d.party_id - first_party,
            )
            for d in Dossier.objects.order_by("id")
        ]

    with transaction.atomic():
        seed_scale(dossiers=120, progress=False, now=NOW)
        first = snapshot()
        transaction.set_rollback(True)
    seed_scale(dossiers=120, progress=False, now=NOW)

    assert snapshot() == first


def test_dossiers_are_spread_over_time_and_parties():
    result = seed_scale(dossiers=1000, progress=False, now=timezone.now())
    per_party = Counter(
        n for n in Dossier.objects.values("party").annotate(n=Count("id")).values_list("n", flat=True)
    )

    assert Dossier.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=365)).exists()
    assert Dossier.objects.filter(created_at__gt=timezone.now() - dt.timedelta(days=30)).exists()
    assert per_party[1] > result.parties / 10  # most people have one or two dossiers
    assert max(per_party) >= 10  # and a few have many


def test_the_summary_goes_to_stdout_and_too_few_dossiers_are_refused():
    out = io.StringIO()
    seed_scale(dossiers=50, progress=False, stdout=out)

    assert "50 dossiers, 1 parties" in out.getvalue()
    with pytest.raises(ValueError, match="at least 50 dossiers"):
        seed_scale(dossiers=10, progress=False)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_worker_processes_write_the_chunks_side_by_side(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY and worker processes are the PostgreSQL path (set DATABASE_URL to run this)")
    monkeypatch.setattr(scale_dossiers, "CHUNK", 100)
    monkeypatch.setattr(scale_dossiers, "WORKERS", 2)

    result = seed_scale(dossiers=450, progress=False)

    assert Dossier.objects.count() == 450
    assert Dossier.objects.filter(party_id=result.bench_party_id).count() == 50
    assert TimelineEvent.objects.count() == result.timeline_events
    assert all(ogm_vcs.is_valid(ogm) for ogm in Dossier.objects.values_list("ogm", flat=True))


def test_submissions_are_open_only_while_there_is_work_left(seeded):
    from forms.constants import CONTESTING_PURPOSES, OPEN_STATUSES
    from forms.models import Submission

    submissions = list(Submission.objects.select_related("dossier"))

    assert len(submissions) == seeded.submissions == 40
    for submission in submissions:
        if submission.status not in OPEN_STATUSES:
            continue
        if submission.purpose in CONTESTING_PURPOSES:  # the dossier still waits for the decision
            assert submission.dossier.status in (DossierStatus.CONTESTED, DossierStatus.DEFENCE)
        else:  # a question about an older dossier was answered long ago
            assert NOW - submission.dossier.created_at < dt.timedelta(days=60)
