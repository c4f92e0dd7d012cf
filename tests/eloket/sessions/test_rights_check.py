"""The rights check answers from permits and sessions, with the reason and the grace minutes
(eloket.sessions.coverage, GET /api/v1/rights-check/), for one plate or many; plates stay out of logs."""

from __future__ import annotations

import datetime as dt
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eloket.constants import SESSION_GRACE_MAX_MINUTES, DossierKind, OrganisationKind
from eloket.models import ApiScope
from eloket.observability.logs import JsonFormatter, PlainFormatter
from eloket.permits import permit_scope_rebuild
from eloket.sessions.areas import grace_minutes_for
from eloket.sessions.coverage import rights_check
from tests.eloket.sessions.conftest import api_client, area_make
from tests.factories import DossierFactory, OrganisationFactory, RegulationFactory, person_party

ROOT = Path(__file__).resolve().parents[3]


def ask(session_api, *plates, at=None, client=None, **place):
    query = [("plate", plate) for plate in plates] + [("municipality", session_api.nis)]
    query += list((place or {"zone": "GNK-C1"}).items())
    if at is not None:
        query.append(("at", at.isoformat()))
    return (client or session_api.enforcement).get("/api/v1/rights-check/", query)


def answer(session_api, *plates, **kwargs) -> dict:
    response = ask(session_api, *plates, **kwargs)
    assert response.status_code == 200, response.content
    return response.json()


def permit_make(city, plate="1-ABC-123", **fields):
    values = {
        "kind": DossierKind.RESIDENT_PERMIT,
        "organisation": city.organisation,
        "municipality": city.municipality,
        "party": person_party(),
        "plate": plate,
        "zone_code": city.area.code,
        "street": "",
        "occurred_at": None,
        "valid_from": city.observed_at - dt.timedelta(days=30),
        "active": True,
    }
    values.update(fields)
    permit = DossierFactory(**values)
    permit_scope_rebuild(permit_ids=[permit.pk])
    return permit


def test_a_permit_answers_with_its_reference(session_api):
    city = session_api.city
    permit = permit_make(city)
    city.session()  # a session too: the permit answers first
    body = answer(session_api, "1abc123", at=city.observed_at)
    assert body["covered"] is True and body["reason"] == "permit"
    assert body["permit"]["reference"] == permit.reference and body["permit"]["kind"] == permit.kind
    assert body["session"] is None and body["plate"] == "1abc123"
    assert body["results"] == [{k: v for k, v in body.items() if k != "results"}]


def test_a_session_answers_with_its_provider_and_times(session_api):
    city = session_api.city
    session = city.session(plate="1-ABC-123")
    body = answer(session_api, "1ABC123", at=city.observed_at)
    assert body["covered"] is True and body["reason"] == "session" and body["permit"] is None
    assert body["session"] == {
        "provider": "4411",
        "session_id": session.provider_session_id,
        "area": "GNK-C1",
        "start": session.start_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "end": session.end_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    assert body["grace_minutes"] == 5
    # Another area of the same city, or no session at all: not covered.
    area_make(city.municipality, city.organisation, "GNK-C2")
    assert answer(session_api, "1ABC123", at=city.observed_at, zone="GNK-C2")["covered"] is False
    nothing = answer(session_api, "9-ZZZ-999", at=city.observed_at)
    assert nothing["covered"] is False and nothing["reason"] is None and nothing["session"] is None


def test_the_place_may_be_a_street_of_the_area(session_api):
    city = session_api.city
    city.session()
    assert answer(session_api, "1ABC123", at=city.observed_at, street="markt")["reason"] == "session"
    assert answer(session_api, "1ABC123", at=city.observed_at, street="Elders")["covered"] is False


def test_the_grace_minutes_of_the_regulation_widen_the_session(session_api):
    city = session_api.city
    start, end = city.observed_at, city.observed_at + dt.timedelta(hours=1)
    city.session(start=start, end=end)
    for at, covered in [
        (start - dt.timedelta(minutes=5), True),
        (start - dt.timedelta(minutes=6), False),
        (end + dt.timedelta(minutes=5), True),
        (end + dt.timedelta(minutes=6), False),
    ]:
        body = answer(session_api, "1ABC123", at=at)
        assert body["covered"] is covered, at
        assert body["grace_minutes"] == 5
    # A running session covers from its start on, whatever the time since.
    city.session(plate="2-XYZ-999", start=start, end_at=None)
    assert answer(session_api, "2XYZ999", at=start + dt.timedelta(days=3))["covered"] is True


def test_no_regulation_that_day_means_no_grace(session_api):
    city = session_api.city
    city.regulation.valid_from = dt.date(2100, 1, 1)
    city.regulation.save()
    city.session(start=city.observed_at, end=city.observed_at + dt.timedelta(hours=1))
    body = answer(session_api, "1ABC123", at=city.observed_at - dt.timedelta(minutes=1))
    assert body["covered"] is False and body["grace_minutes"] == 0
    # A newer version of the regulation, for this municipality, gives its own grace.
    RegulationFactory(
        organisation=city.organisation,
        municipality=city.municipality,
        valid_from=dt.date(2020, 1, 1),
        session_grace_minutes=2,
    )
    body = answer(session_api, "1ABC123", at=city.observed_at - dt.timedelta(minutes=1))
    assert body["covered"] is True and body["grace_minutes"] == 2


@pytest.mark.parametrize(
    "versions",
    [
        # (for this municipality?, valid from, valid until, grace): the one valid that day wins,
        # this municipality's before the one for all, the latest version first.
        [(False, dt.date(2020, 1, 1), None, 7), (True, dt.date(2021, 1, 1), None, 3)],
        [(True, dt.date(2020, 1, 1), None, 9), (False, dt.date(2024, 1, 1), None, 4)],
        [(False, dt.date(2020, 1, 1), None, 6), (False, dt.date(2022, 1, 1), None, 11)],
        [(True, dt.date(2020, 1, 1), dt.date(2021, 1, 1), 8), (False, dt.date(2019, 1, 1), None, 1)],
    ],
)
def test_the_rights_check_takes_the_grace_by_the_same_rule_as_grace_minutes_for(session_api, versions):
    """The rights check reads the grace in its one SQL query; ``grace_minutes_for`` is the rule."""
    city = session_api.city
    city.regulation.delete()
    for local, valid_from, valid_until, grace in versions:
        RegulationFactory(
            organisation=city.organisation,
            municipality=city.municipality if local else None,
            valid_from=valid_from,
            valid_until=valid_until,
            session_grace_minutes=grace,
        )
    expected = grace_minutes_for(
        organisation_id=city.organisation.pk,
        municipality_id=city.municipality.pk,
        on=timezone.localtime(city.observed_at).date(),
    )
    (right,) = rights_check(
        municipality_id=city.municipality.pk, plates=["1-ABC-123"], at=city.observed_at, zone_code="GNK-C1"
    )
    assert right.grace_minutes == expected and expected in {grace for *_, grace in versions}


def test_a_grace_longer_than_a_day_is_refused_where_it_is_entered(session_api):
    regulation = session_api.city.regulation
    regulation.session_grace_minutes = SESSION_GRACE_MAX_MINUTES + 1
    with pytest.raises(ValidationError) as refused:
        regulation.full_clean()
    assert "session_grace_minutes" in refused.value.message_dict


def test_many_plates_in_one_request_in_the_order_asked(session_api):
    city = session_api.city
    permit = permit_make(city, plate="3-PER-333")
    city.session(plate="1-ABC-123")
    body = answer(session_api, "9ZZZ999", "1-abc-123", "3PER333", "9ZZZ999", at=city.observed_at)
    assert "covered" not in body  # only a single plate has its answer at the top level
    assert [(r["plate"], r["reason"]) for r in body["results"]] == [
        ("9ZZZ999", None),
        ("1-abc-123", "session"),
        ("3PER333", "permit"),
        ("9ZZZ999", None),
    ]
    assert body["results"][2]["permit"]["reference"] == permit.reference


def test_a_batch_takes_as_many_queries_as_one_plate(session_api):
    city = session_api.city
    for n in range(30):
        city.session(plate=f"1-ABC-{n:03d}")
    permit_make(city, plate="1-ABC-007")

    def queries(plates):
        with CaptureQueriesContext(connection) as captured:
            rights = rights_check(
                municipality_id=city.municipality.pk, plates=plates, at=city.observed_at, zone_code="GNK-C1"
            )
        return len(captured), rights

    one, _rights = queries(["1ABC001"])
    many, rights = queries([f"1ABC{n:03d}" for n in range(100)])
    assert many == one <= 5
    assert sum(r.covered for r in rights) == 30 and rights[7].reason == "permit"


def test_more_than_a_hundred_plates_is_a_clear_400(session_api):
    response = ask(session_api, *[f"1ABC{n:03d}" for n in range(101)])
    assert response.status_code == 400
    [error] = response.json()["errors"]["plate"]
    assert "100" in error["message"] and "nummerplaten" in error["message"]


def test_a_bad_plate_among_many_is_named_by_its_place_in_the_list(session_api):
    response = ask(session_api, "1ABC001", "", "X" * 17)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"plate.1", "plate.2"}
    assert [e["code"] for e in errors["plate.1"]] == ["blank"]
    assert [e["code"] for e in errors["plate.2"]] == ["max_length"]


def test_the_rate_limit_counts_plates_not_requests(session_api):
    client = api_client(session_api.city.organisation, rights_check_per_minute=5)
    assert ask(session_api, "1A", "2B", "3C", client=client).status_code == 200
    assert ask(session_api, "4D", "5E", client=client).status_code == 200
    assert ask(session_api, "6F", client=client).status_code == 429


def test_another_citys_municipality_is_not_found(session_api):
    other = OrganisationFactory()
    client = api_client(other)
    assert ask(session_api, "1ABC123", client=client).status_code == 404


def test_a_key_without_rights_check_or_a_providers_key_is_refused(session_api):
    assert ask(session_api, "1ABC123", client=session_api.provider).status_code == 403
    city_only = api_client(session_api.city.organisation, scopes=[ApiScope.DOSSIERS_READ])
    assert ask(session_api, "1ABC123", client=city_only).status_code == 403
    provider = OrganisationFactory(kind=OrganisationKind.PARKING_PROVIDER)
    forced = api_client(provider, scopes=[ApiScope.RIGHTS_CHECK, ApiScope.SESSIONS_WRITE])
    assert ask(session_api, "1ABC123", client=forced).status_code == 403


# -- plates never in logs ------------------------------------------------------------------------

PLATE = "7QWE842"


def test_a_rights_check_logs_no_plate(session_api, caplog):
    city = session_api.city
    city.session(plate=PLATE)
    limited = api_client(city.organisation, rights_check_per_minute=2)
    with caplog.at_level(logging.DEBUG):
        assert answer(session_api, PLATE, at=city.observed_at)["covered"] is True
        assert ask(session_api, PLATE, zone="").status_code == 400
        assert ask(session_api, PLATE, client=api_client(OrganisationFactory())).status_code == 404
        assert ask(session_api, PLATE, PLATE, client=limited).status_code == 200
        assert ask(session_api, PLATE, client=limited).status_code == 429
        assert session_api.enforcement.get(f"/api/v1/sessions/?plate={PLATE}").status_code == 200
    assert any("rights-check" in record.getMessage() for record in caplog.records), "4xx are logged"
    # What the configured formatters write (django.request passes the request as ``extra``, whose
    # repr holds the query string: neither formatter writes it).
    formatters = [PlainFormatter(settings.LOGGING["formatters"]["plain"]["format"]), JsonFormatter()]
    for record in caplog.records:
        record.request_id = "-"
        assert PLATE not in record.getMessage()
        for formatter in formatters:
            assert PLATE not in formatter.format(record), (record.name, formatter)


def test_the_access_log_writes_paths_without_query_or_referrer():
    """gunicorn reads gunicorn.conf.py from the working directory; its access log format must not
    write the query string (the rights check's plates) nor the referrer."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", conf["access_log_format"])
    logger = Logger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/rights-check/?plate={PLATE}&municipality=44021&zone=A",
        "PATH_INFO": "/api/v1/rights-check/",
        "QUERY_STRING": f"plate={PLATE}&municipality=44021&zone=A",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.8",
        "HTTP_REFERER": f"https://scan.example/?plate={PLATE}",
        "HTTP_USER_AGENT": "scanwagen/2",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=120)
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "abc123")])
    atoms = logger.atoms_wrapper_class(logger.atoms(response, request, environ, dt.timedelta(seconds=0.01)))
    line = config.access_log_format % atoms
    assert '"GET /api/v1/rights-check/ HTTP/1.1" 200' in line and "abc123" in line
    assert PLATE not in line


@pytest.mark.parametrize("flag", ["%(r)s", "%(q)s", "%(f)s"])
def test_the_access_log_format_has_no_request_line_query_or_referrer(flag):
    assert flag not in runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]


def test_now_is_the_default_time(session_api):
    city = session_api.city
    city.session(start=timezone.now() - dt.timedelta(minutes=10), end_at=None, plate="5-NOW-555")
    assert answer(session_api, "5NOW555")["covered"] is True
