"""The session cross-check: a parking retribution that a provider's session covers (same municipality,
normalised plate, area by zone or street, time with the regulation's grace) is cancelled, at import of
the retribution and retroactively when the session comes later; a paid one is refunded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from eloket import services
from eloket.constants import DossierStatus, RefundStatus, TimelineEventKind
from eloket.ingest import Importer, dossier_upsert
from eloket.models import (
    ApiScope,
    Dossier,
    EventType,
    Notification,
    OutboxEvent,
    PaymentAccount,
    Refund,
    TimelineEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from eloket.models.integrations import webhook_events_default
from eloket.models.parking import SessionMatch
from eloket.outbox import outbox_dispatch
from eloket.payments import services as payment_services
from eloket.sessions.cross_check import ACTOR_LABEL, session_cross_check
from eloket.webhooks.payload import payload_for
from tests.eloket.mail.conftest import party_with_address
from tests.eloket.payments.conftest import stripe_standin, webhooks_deliver  # noqa: F401 - fixture
from tests.eloket.sessions.conftest import api_client
from tests.factories import MunicipalityFactory, national_number, person_party

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)
MILLISECOND = dt.timedelta(milliseconds=1)


def statuses(*dossiers) -> list[str]:
    for dossier in dossiers:
        dossier.refresh_from_db()
    return [dossier.status for dossier in dossiers]


def test_sessions_of_plates_never_fined_there_cost_one_probe_and_no_matching_join(session_city):
    session_city.retribution()
    session = session_city.session(plate="9-ZZZ-999")

    with CaptureQueriesContext(connection) as captured:
        result = session_cross_check(session_ids=[session.pk])

    assert (result.cancelled, result.refunded) == (0, 0)
    assert len(captured.captured_queries) == 1


def test_a_session_reported_after_the_retribution_cancels_it_retroactively(session_city):
    covered = session_city.retribution()
    session = session_city.session()

    with CaptureQueriesContext(connection) as captured:  # logged as with DEBUG: the SQL must format
        result = session_cross_check(session_ids=[session.pk])

    assert (result.cancelled, result.refunded) == (1, 0)
    # the probe for retributions of the plate, savepoint, four writes, the paid ones, release
    assert len(captured.captured_queries) <= 8
    assert statuses(covered) == [DossierStatus.CANCELLED_BY_SESSION]
    assert covered.amount_due_cents == 0
    match = SessionMatch.objects.get(dossier=covered)
    assert (match.session, match.status_from, match.grace_minutes, match.run) == (
        session,
        DossierStatus.NOTIFIED,
        5,
        result.run,
    )
    event = covered.timeline.get(kind=TimelineEventKind.CANCELLED_BY_SESSION)
    expected = {
        "provider": "4411",
        "session_id": session.provider_session_id,
        "start": session.start_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": session.end_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "area": "GNK-C1",
    }
    assert event.data == expected
    assert (event.status_from, event.status_to, event.actor_label) == (
        DossierStatus.NOTIFIED,
        DossierStatus.CANCELLED_BY_SESSION,
        ACTOR_LABEL,
    )
    outbox = OutboxEvent.objects.get(type=EventType.DOSSIER_CANCELLED_BY_SESSION)
    assert (outbox.dossier_id, outbox.party_id, outbox.organisation_id) == (
        covered.pk,
        covered.party_id,
        covered.organisation_id,
    )
    assert outbox.data == expected


def retribution_line(city, external_id="SCAN-1", **overrides) -> dict:
    """A retribution as a city system sends it (eloket.ingest), observed at the city's usual moment."""
    value = {
        "external_id": external_id,
        "kind": "parking_retribution",
        "municipality": city.municipality.nis_code,
        "party": {"national_number": national_number(), "name": "Jan Janssens"},
        "plate": "1-abc-123",
        "street": "Elders",
        "zone_code": "gnk-c1",
        "occurred_at": city.observed_at.isoformat(),
        "regulation": city.regulation.code,
        "status": "notified",
    }
    value.update(overrides)
    return value


def test_a_retribution_imported_after_the_session_is_cancelled_at_import(session_city):
    session_city.session()

    result = dossier_upsert(organisation=session_city.organisation, data=retribution_line(session_city))

    assert (result.status, result.dossier_status) == ("created", DossierStatus.CANCELLED_BY_SESSION)
    match = SessionMatch.objects.get()
    assert match.dossier.reference == result.reference
    assert match.dossier.status == DossierStatus.CANCELLED_BY_SESSION
    assert OutboxEvent.objects.filter(type=EventType.DOSSIER_CANCELLED_BY_SESSION).count() == 1


def test_an_import_batch_counts_what_sessions_cancelled_and_leaves_the_rest(session_city):
    session_city.session()
    importer = Importer(organisation=session_city.organisation, source="api", batch_size=10)
    lines = [
        retribution_line(session_city, "A"),
        retribution_line(session_city, "B", plate="2-XYZ-999"),
        retribution_line(session_city, "C", zone_code="GNK-C9"),
    ]

    results = list(importer.feed(enumerate(lines, start=1)))
    run = importer.finish()

    assert [r.dossier_status for r in results] == [
        DossierStatus.CANCELLED_BY_SESSION,
        DossierStatus.NOTIFIED,
        DossierStatus.NOTIFIED,
    ]
    run.refresh_from_db()
    assert (run.created, run.cancelled_by_session, run.cancelled_by_permit) == (3, 1, 0)


def test_the_bulk_api_summary_counts_what_sessions_cancelled(session_city):
    session_city.session()
    client = api_client(session_city.organisation, scopes=[ApiScope.DOSSIERS_WRITE])
    body = "\n".join(
        json.dumps(line)
        for line in [
            retribution_line(session_city, "A"),
            retribution_line(session_city, "B", plate="2-XYZ-999"),
        ]
    )

    response = client.generic(
        "POST", "/api/v1/dossiers/bulk/", body.encode(), content_type="application/x-ndjson"
    )

    *results, summary = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [r["status"] for r in results] == ["created", "created"]
    assert (summary["summary"]["cancelled_by_session"], summary["summary"]["cancelled_by_permit"]) == (1, 0)
    assert Dossier.objects.get(external_id="A").status == DossierStatus.CANCELLED_BY_SESSION


def test_a_retribution_created_one_by_one_is_checked_against_the_sessions_too(session_city):
    session_city.session()
    dossier = services.dossier_create(
        kind="parking_retribution",
        party=person_party(),
        organisation=session_city.organisation,
        municipality=session_city.municipality,
        regulation=session_city.regulation,
        external_id="ONE-1",
        plate="1-ABC-123",
        zone_code=session_city.area.code,
        street="Elders",
        occurred_at=session_city.observed_at,
    )

    assert dossier.status == DossierStatus.CANCELLED_BY_SESSION
    assert SessionMatch.objects.filter(dossier=dossier).exists()


def test_retributions_whose_plates_were_never_parked_by_app_cost_one_probe(session_city):
    session_city.session(plate="9-OTH-999")
    dossiers = [session_city.retribution() for _ in range(3)]
    with CaptureQueriesContext(connection) as captured:
        result = session_cross_check(dossier_ids=[d.pk for d in dossiers])
    assert result.cancelled == 0
    assert len(captured.captured_queries) == 1
    assert "eloket_parkingsession" in captured.captured_queries[0]["sql"]


GRACE_CASES = {
    # (session start, session end) relative to the observation, regulation grace 5 minutes
    "starts exactly at the end of the grace": (5 * MINUTE, 60 * MINUTE, True),
    "starts a second after the grace": (5 * MINUTE + SECOND, 60 * MINUTE, False),
    "ended exactly at the start of the grace": (-60 * MINUTE, -5 * MINUTE, True),
    "ended a second before the grace": (-60 * MINUTE, -5 * MINUTE - SECOND, False),
    "ended a millisecond before the grace": (-60 * MINUTE, -5 * MINUTE - MILLISECOND, False),
    "still running": (-3 * 60 * MINUTE, None, True),
    "still running but started after the grace": (6 * MINUTE, None, False),
}


@pytest.mark.parametrize("case", GRACE_CASES)
def test_the_grace_minutes_of_the_regulation_widen_the_session_to_the_boundary(session_city, case):
    start, end, covered = GRACE_CASES[case]
    at = session_city.observed_at
    dossier = session_city.retribution()
    session = session_city.session(start=at + start, end_at=at + end if end is not None else None)

    result = session_cross_check(session_ids=[session.pk])

    assert result.cancelled == int(covered)
    expected = DossierStatus.CANCELLED_BY_SESSION if covered else DossierStatus.NOTIFIED
    assert statuses(dossier) == [expected]


def test_without_a_regulation_there_is_no_grace(session_city):
    at = session_city.observed_at.replace(microsecond=250000)
    exact = session_city.retribution(regulation=None, occurred_at=at, amount_original_cents=2000)
    late = session_city.retribution(
        regulation=None, occurred_at=at, plate="2-XYZ-999", amount_original_cents=2000
    )
    session_city.session(start=at, end=at + 60 * MINUTE)
    session_city.session(start=at + SECOND, end=at + 60 * MINUTE, plate="2XYZ999")

    assert session_cross_check().cancelled == 1

    assert statuses(exact, late) == [DossierStatus.CANCELLED_BY_SESSION, DossierStatus.NOTIFIED]
    assert SessionMatch.objects.get().grace_minutes == 0


def test_a_street_of_the_area_matches_when_the_retribution_names_no_zone(session_city):
    dossier = session_city.retribution(zone_code="", street="St. Jansstraat")
    session = session_city.session()
    assert session_cross_check(session_ids=[session.pk]).cancelled == 1
    assert statuses(dossier) == [DossierStatus.CANCELLED_BY_SESSION]


def test_another_area_street_municipality_or_plate_is_not_covered(session_city):
    other_area = session_city.area_make("GNK-C2", streets=["Kerkstraat"])
    elsewhere = MunicipalityFactory()
    far_area = session_city.area_make("GNK-C1", municipality=elsewhere)  # the same code in another city
    in_other_area = session_city.retribution(zone_code="GNK-C2", street="Kerkstraat")
    in_other_street = session_city.retribution(zone_code="", street="Kerkstraat")
    other_plate = session_city.retribution(plate="1-ABC-124")
    session_city.session()  # GNK-C1, street Markt and Sint-Jansstraat, plate 1-ABC-123
    session_city.session(area=far_area, plate="1ABC124")
    session_city.session(area=other_area, plate="7-NOT-777")

    assert session_cross_check().cancelled == 0

    assert set(statuses(in_other_area, in_other_street, other_plate)) == {DossierStatus.NOTIFIED}
    assert not SessionMatch.objects.exists()


def test_plates_are_compared_normalised(session_city):
    dossier = session_city.retribution(plate="1 abc.123")
    session = session_city.session(plate="1-ABC-123")
    assert session_cross_check(session_ids=[session.pk]).cancelled == 1
    assert statuses(dossier) == [DossierStatus.CANCELLED_BY_SESSION]


def test_contested_and_closed_retributions_are_not_touched(session_city):
    contested = session_city.retribution(contested=True)
    collection = session_city.retribution(reminded=True)
    cancelled = session_city.retribution()
    services.dossier_transition(dossier_id=cancelled.pk, to_status=DossierStatus.CANCELLED)
    for status in (DossierStatus.FORMAL_NOTICE, DossierStatus.IN_COLLECTION):
        services.dossier_transition(dossier_id=collection.pk, to_status=status)
    session = session_city.session()

    assert session_cross_check(session_ids=[session.pk]).cancelled == 0

    assert statuses(contested, collection, cancelled) == [
        DossierStatus.CONTESTED,
        DossierStatus.IN_COLLECTION,
        DossierStatus.CANCELLED,
    ]


def test_every_status_the_policy_allows_is_cancelled_and_a_second_run_finds_nothing(
    session_city, django_assert_max_num_queries
):
    issued = session_city.retribution(notified=False)
    notified = session_city.retribution()
    reminded = session_city.retribution(reminded=True)
    session_city.session()

    first = session_cross_check()

    assert first.cancelled == 3
    assert set(statuses(issued, notified, reminded)) == {DossierStatus.CANCELLED_BY_SESSION}
    assert sorted(SessionMatch.objects.values_list("status_from", flat=True)) == sorted(
        [DossierStatus.ISSUED, DossierStatus.NOTIFIED, DossierStatus.REMINDED]
    )
    with django_assert_max_num_queries(4):
        again = session_cross_check()
    assert again.cancelled == 0 and again.run != first.run
    assert SessionMatch.objects.count() == 3
    assert OutboxEvent.objects.filter(type=EventType.DOSSIER_CANCELLED_BY_SESSION).count() == 3
    assert TimelineEvent.objects.filter(kind=TimelineEventKind.CANCELLED_BY_SESSION).count() == 3


def test_a_running_session_is_in_the_events_with_no_end(session_city):
    dossier = session_city.retribution()
    session_city.session(end_at=None)
    session_cross_check()
    event = dossier.timeline.get(kind=TimelineEventKind.CANCELLED_BY_SESSION)
    assert event.data["end"] is None and event.data["provider"] == "4411"


def test_a_paid_retribution_a_late_session_covers_is_cancelled_and_refunded(
    session_city, django_capture_on_commit_callbacks
):
    paid = session_city.retribution(paid=True)
    assert (paid.status, paid.amount_paid_cents) == (DossierStatus.PAID, 2000)
    session = session_city.session()

    result = session_cross_check(session_ids=[session.pk])

    assert (result.cancelled, result.refunded) == (1, 1)
    paid.refresh_from_db()
    assert (paid.status, paid.amount_paid_cents, paid.amount_due_cents) == (
        DossierStatus.CANCELLED_BY_SESSION,
        0,
        0,
    )
    event = paid.timeline.get(kind=TimelineEventKind.CANCELLED_BY_SESSION)
    assert event.data["refund_due_cents"] == 2000 and event.actor_label == ACTOR_LABEL
    assert SessionMatch.objects.get(dossier=paid).status_from == DossierStatus.PAID
    outbox = OutboxEvent.objects.get(type=EventType.DOSSIER_CANCELLED_BY_SESSION)
    assert (
        outbox.data["refund_due_cents"] == 2000 and outbox.data["session_id"] == session.provider_session_id
    )

    with django_capture_on_commit_callbacks(execute=True):
        outbox_dispatch()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_dispatch()  # once, however often the dispatch runs
    refund = Refund.objects.get(dossier=paid)
    assert (refund.amount_cents, refund.status) == (2000, RefundStatus.TO_DO)  # paid outside the e-loket
    assert refund.source_key == f"decision-{event.pk}:outside"
    assert session_cross_check().cancelled == 0


def test_the_city_systems_webhook_hears_of_the_cancellation(session_city):
    endpoint = WebhookEndpoint.objects.create(
        organisation=session_city.organisation,
        url="https://stad.example/hook",
        events=webhook_events_default(),
    )
    dossier = session_city.retribution()
    session_city.session()
    session_cross_check()

    outbox_dispatch()

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event.type == EventType.DOSSIER_CANCELLED_BY_SESSION
    assert delivery.event.dossier_id == dossier.pk
    payload = payload_for(delivery.event)
    assert payload["data"]["dossier"]["status"] == DossierStatus.CANCELLED_BY_SESSION
    assert payload["data"]["provider"] == "4411" and payload["data"]["area"] == "GNK-C1"


def test_the_citizen_gets_good_news_naming_the_provider_and_the_times(session_city):
    party = party_with_address()
    dossier = session_city.retribution(party=party)
    start = session_city.observed_at.replace(hour=9, minute=5)
    session_city.retribution(party=party, occurred_at=start, plate="2-XYZ-999", notified=False)  # never told
    session_city.session(start=start - 60 * MINUTE, end_at=start + 60 * MINUTE)
    session_city.session(start=start - 60 * MINUTE, end_at=start + 60 * MINUTE, plate="2XYZ999")
    session_city.session(start=session_city.observed_at - MINUTE, end_at=session_city.observed_at + MINUTE)
    assert session_cross_check().cancelled == 2

    outbox_dispatch()

    notification = Notification.objects.get()
    assert notification.key == f"dossier-cancelled-by-session:{dossier.reference}"
    assert notification.subject == f"Goed nieuws: Parkeerretributie {dossier.reference} is geannuleerd"
    local = timezone.localtime(session_city.observed_at)
    assert "betaald via 4411" in notification.body_text
    assert dateformat.format(local - MINUTE, "j F Y, H:i") in notification.body_text
    assert dateformat.format(local + MINUTE, "j F Y, H:i") in notification.body_text
    assert "U hoeft niets te betalen" in notification.body_text
    assert "betaald via 4411" in notification.body_html


def test_a_retribution_paid_online_is_refunded_through_stripe_when_a_late_session_covers_it(
    session_city,
    stripe_standin,  # noqa: F811 (the fixture imported above)
    client,
    django_capture_on_commit_callbacks,
):
    PaymentAccount.objects.create(
        organisation=session_city.organisation, stripe_account_id=f"acct_{session_city.organisation.slug}"
    )
    party = person_party()
    dossier = session_city.retribution(party=party)
    payment = payment_services.payment_start(party=party, dossier_ids=[dossier.pk])
    stripe_standin.standin.checkout_action(payment.provider_session_id, "bancontact")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks_deliver(client, stripe_standin)
    assert statuses(dossier) == [DossierStatus.PAID]

    session = session_city.session()  # reported after the payment (a provider's outage)
    with django_capture_on_commit_callbacks(execute=False):
        assert session_cross_check(session_ids=[session.pk]).refunded == 1
    with django_capture_on_commit_callbacks(execute=True):
        outbox_dispatch()

    refund = Refund.objects.get(dossier=dossier)
    assert refund.payment == payment and refund.amount_cents == 2000
    assert refund.provider_refund_id.startswith("re_")
    assert stripe_standin.standin.refunds[refund.provider_refund_id]["amount"] == 2000
