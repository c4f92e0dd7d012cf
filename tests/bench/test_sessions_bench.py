"""``python -m bench --only sessions`` (``bench.sessions``) at a tiny size, on SQLite and PostgreSQL: it
checks that the benchmark runs, that its data set is what it claims (exactly the retributions built
covered are covered) and that what it rolls back leaves the data as it found it. Not how fast: that is
the benchmark's own run, at a size where the ratios mean something (docs/performance.md)."""

import pytest

from bench import sessions, sessions_data
from eloket.constants import DossierKind, DossierStatus
from eloket.models import Dossier, SessionMatch
from eloket.models.parking import ParkingSession
from eloket.sessions.cross_check import session_cross_check

pytestmark = pytest.mark.django_db(transaction=True)

SESSIONS, RETRIBUTIONS, INGEST = 3000, 400, 300


def retributions():
    return Dossier.objects.filter(kind=DossierKind.PARKING_RETRIBUTION)


def test_the_benchmark_prints_its_four_ratios_and_leaves_the_data_as_it_found_it(capsys):
    sessions.main(sessions=SESSIONS, retributions=RETRIBUTIONS, ingest=INGEST, checks=5)

    out = capsys.readouterr().out
    assert "FAILED" not in out
    for name in ("rights_check_one", "rights_check_batch", "session_cross_check", "session_ingest"):
        assert f"bench {name}: " in out, name
    assert ParkingSession.objects.count() == SESSIONS + INGEST  # the raw COPY was rolled back
    assert retributions().count() == RETRIBUTIONS
    assert set(retributions().values_list("status", flat=True)) == {DossierStatus.NOTIFIED}
    assert not SessionMatch.objects.exists()  # the cross-check and the UPDATE by hand were rolled back


def test_exactly_the_retributions_built_covered_are_cancelled_by_the_cross_check():
    ctx = sessions_data.setup(parties=5)
    sessions_data.ensure_sessions(ctx=ctx, count=SESSIONS)
    sessions_data.ensure_retributions(ctx=ctx, count=RETRIBUTIONS)
    built_covered = set(retributions().filter(external_id__startswith="BSR-C-").values_list("id", flat=True))

    result = session_cross_check()

    assert built_covered  # 5% of 400: the data set has covered ones at all
    assert result.cancelled == len(built_covered)
    cancelled = set(
        retributions().filter(status=DossierStatus.CANCELLED_BY_SESSION).values_list("id", flat=True)
    )
    assert cancelled == built_covered


def test_a_second_run_reuses_the_data_set_it_built():
    ctx = sessions_data.setup(parties=5)
    sessions_data.ensure_sessions(ctx=ctx, count=SESSIONS)

    again = sessions_data.ensure_sessions(ctx=ctx, count=SESSIONS)

    assert again == f"reused {SESSIONS}"
    assert ParkingSession.objects.count() == SESSIONS


def test_the_hand_written_update_cancels_what_the_select_join_finds():
    ctx = sessions_data.setup(parties=5)
    sessions_data.ensure_sessions(ctx=ctx, count=SESSIONS)
    sessions_data.ensure_retributions(ctx=ctx, count=RETRIBUTIONS)
    expected = retributions().filter(external_id__startswith="BSR-C-").count()

    check = sessions.run_cross_check()

    assert check["cancelled"] == check["by_hand"] == check["select"] == expected
