"""One validator for a session line (eloket.sessions.validate): errors per field, with a code and a
Dutch message, for the single call and the bulk stream alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from eloket.api.session_serializers import SessionLineSerializer
from eloket.ingest import LineError
from eloket.sessions.validate import SESSION_FIELDS, SessionContext, session_validate
from tests.factories import MunicipalityFactory

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def context(session_api):
    return SessionContext(session_api.city.provider)


def line(session_api, **fields) -> dict:
    values = {
        "session_id": "4411-1",
        "plate": "1-abc-123",
        "municipality": session_api.nis,
        "area": "gnk-c1",
        "start": "2026-12-07T11:00:00+01:00",
        "end": "2026-12-07T13:00:00+01:00",
        "amount_paid_cents": 350,
    }
    values.update(fields)
    return {k: v for k, v in values.items() if v is not ...}


def errors_of(data, context) -> dict:
    with pytest.raises(LineError) as raised:
        session_validate(data, context, now=NOW)
    return {name: [e["code"] for e in errors] for name, errors in raised.value.errors.items()}


def test_a_valid_line_is_cleaned(session_api, context):
    clean = session_validate(line(session_api), context, 7, now=NOW)
    assert clean.line == 7 and clean.session_id == "4411-1"
    assert clean.plate == "1-abc-123" and clean.plate_normalised == "1ABC123"
    assert clean.plate_country == "BE"
    assert clean.area.pk == session_api.city.area.pk and clean.area.code == "GNK-C1"
    assert clean.start_at == dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    assert clean.end_at == dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    assert clean.amount_paid_cents == 350 and clean.party_hash == ""


def test_a_running_session_has_no_end_and_a_late_one_starts_days_ago(session_api, context):
    clean = session_validate(line(session_api, end=None, start="2026-12-01T08:00:00+01:00"), context, now=NOW)
    assert clean.end_at is None and clean.start_at.day == 1


def test_every_required_field_is_reported_at_once(session_api, context):
    data = line(session_api, session_id=..., plate=..., municipality=..., area=..., start=...)
    assert errors_of(data, context) == {
        "session_id": ["required"],
        "plate": ["required"],
        "municipality": ["required"],
        "area": ["required"],
        "start": ["required"],
    }


def test_bad_values_get_an_error_on_their_field(session_api, context):
    data = line(
        session_api,
        session_id="x" * 101,
        plate="1-ABC-123-TOO-LONG",
        plate_country="Belgium",
        amount_paid_cents=-1,
        start="yesterday",
        extra="?",
    )
    assert errors_of(data, context) == {
        "line": ["unknown_field"],
        "session_id": ["too_long"],
        "plate": ["too_long"],
        "plate_country": ["invalid_country"],
        "start": ["invalid_datetime"],
        "amount_paid_cents": ["invalid_integer"],
    }


def test_end_before_start_too_long_or_a_start_in_the_future_is_refused(session_api, context):
    assert errors_of(line(session_api, end="2026-12-07T10:59:00+01:00"), context) == {"end": ["before_start"]}
    assert errors_of(line(session_api, end="2026-12-14T11:00:01+01:00"), context) == {"end": ["too_long"]}
    eleven = (NOW + dt.timedelta(minutes=11)).isoformat()
    assert errors_of(line(session_api, start=eleven, end=None), context) == {"start": ["in_future"]}
    nine = (NOW + dt.timedelta(minutes=9)).isoformat()
    assert session_validate(line(session_api, start=nine, end=None), context, now=NOW).start_at > NOW


def test_the_area_must_exist_be_active_and_the_municipality_served(session_api, context):
    assert errors_of(line(session_api, area="GNK-X9"), context) == {"area": ["unknown_area"]}
    area = session_api.city.area
    area.active = False
    area.save()
    assert errors_of(line(session_api), SessionContext(session_api.city.provider)) == {
        "area": ["unknown_area"]
    }
    other = MunicipalityFactory()
    assert errors_of(line(session_api, municipality=other.nis_code), context) == {
        "municipality": ["not_served"]
    }
    assert errors_of(line(session_api, municipality="00000"), context) == {
        "municipality": ["unknown_municipality"]
    }


def test_the_customer_number_is_validated_and_only_its_hash_kept(session_api, context):
    clean = session_validate(line(session_api, customer_national_number="85073003328"), context, now=NOW)
    assert clean.party_hash and "85073003328" not in clean.party_hash
    assert clean.identifier.masked.endswith("28")
    assert errors_of(line(session_api, customer_national_number="85073003329"), context).keys() == {
        "customer_national_number"
    }
    assert errors_of(
        line(session_api, customer_national_number="85073003328", customer_enterprise_number="0403170701"),
        context,
    ) == {"customer_national_number": ["both_given"]}
    enterprise = session_validate(
        line(session_api, customer_enterprise_number="0403.170.701"), context, now=NOW
    )
    assert enterprise.party_hash and enterprise.party_hash != clean.party_hash


def test_nul_characters_and_lone_surrogates_are_one_error_for_the_line(session_api, context):
    assert errors_of(line(session_api, plate="1ABC\x00123"), context) == {"line": ["null_character"]}
    assert errors_of(line(session_api, area="GNK\ud800"), context) == {"line": ["invalid_unicode"]}


def test_messages_are_in_dutch(session_api, context):
    with pytest.raises(LineError) as raised:
        session_validate(line(session_api, end="2026-12-07T10:00:00+01:00"), context, now=NOW)
    assert raised.value.errors["end"][0]["message"] == "Het einde ligt voor het begin."


def test_the_documented_line_is_the_validated_line():
    assert set(SessionLineSerializer().fields) == SESSION_FIELDS


def test_a_start_just_now_is_accepted_with_the_real_clock(session_api, context):
    start = timezone.now().isoformat()
    assert session_validate(line(session_api, start=start, end=None), context).end_at is None
