"""Logs with request ids and named events, redaction, /health/, /ready/ and /metrics/."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.tasks import async_task

from eloket.constants import PaymentChannel, PaymentStatus
from eloket.models import OutboxEvent, Payment, WebhookDelivery, WebhookEndpoint
from eloket.models.integrations import EventType
from eloket.observability import health
from eloket.observability.context import request_id_bind, request_id_reset
from eloket.observability.logs import JsonFormatter, redact
from tests.factories import OrganisationFactory, person_party

ROOT = Path(__file__).resolve().parents[2]
task_logger = logging.getLogger("tests.observability.task")


@contextmanager
def json_log():
    """The configured console handler (with its filters), writing JSON into a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    old_stream, old_formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)


def log_in_task(dossier_id: int) -> None:
    task_logger.warning("observability_task_ran dossier=%s", dossier_id)


# Logs


def test_a_log_line_is_json_with_the_request_id_and_the_event_named_by_its_first_word(client):
    with json_log() as lines:
        response = client.get("/metrics/", REMOTE_ADDR="203.0.113.9", HTTP_X_REQUEST_ID="proxy-id-1234")
    assert response["X-Request-ID"] == "proxy-id-1234"
    record = next(line for line in lines() if line.get("event") == "metrics_refused")
    assert record["request_id"] == "proxy-id-1234"
    assert record["level"] == "WARNING"
    assert record["logger"] == "eloket.observability.metrics"
    assert "time" in record


def test_a_malformed_request_id_from_the_proxy_is_replaced_by_a_new_one(client):
    response = client.get("/health/", HTTP_X_REQUEST_ID='bad id"\n')
    assert response["X-Request-ID"] != 'bad id"\n'
    assert len(response["X-Request-ID"]) == 32


def test_key_value_pairs_become_fields_and_an_explicit_event_wins():
    with json_log() as lines:
        logging.getLogger("eloket.test").warning("payment_created payment=%s amount_cents=%s", "P-1", 5800)
        logging.getLogger("eloket.test").warning("betaling gelukt", extra={"event": "payment.succeeded"})
    first, second = lines()[-2:]
    assert (first["event"], first["payment"], first["amount_cents"]) == ("payment_created", "P-1", "5800")
    assert first["request_id"] is None
    assert second["event"] == "payment.succeeded"


@pytest.mark.django_db
def test_the_request_id_travels_into_a_task_the_request_queued():
    token = request_id_bind("request-abc-123")
    try:
        with json_log() as lines:
            async_task("tests.eloket.test_observability.log_in_task", 7, sync=True)
    finally:
        request_id_reset(token)
    record = next(line for line in lines() if line.get("event") == "observability_task_ran")
    assert record["request_id"] == "request-abc-123"
    assert record["dossier"] == "7"


@pytest.mark.parametrize(
    "text",
    [
        "contact jan.janssens@example.be now",
        "rrn 85073003361 seen",
        "rrn 85.07.30-033.61 seen",
        "rrn 850730 033 61 seen",
        "kbo BE 0403.170.701 seen",
    ],
)
def test_personal_identifiers_are_redacted(text):
    redacted = redact(text)
    assert redacted.split()[0] == text.split()[0] and redacted.endswith(text.split()[-1])
    for secret in ("janssens", "85073003361", "033", "0403"):
        assert secret not in redacted


def test_ids_dates_and_amounts_are_not_redacted():
    text = "dossier=123456 amount_cents=5800 at 2026-11-28 22:41:07 ogm=+++090/9337/55493+++ ts=1764370000"
    assert redact(text) == text


def test_the_handler_redacts_messages_arguments_extras_and_exceptions():
    with json_log() as lines:
        logger = logging.getLogger("eloket.test")
        logger.warning("mail_refused to=%s", "a.person@example.com", extra={"who": "85073003361"})
        try:
            raise ValueError("no user 85.07.30-033.61")
        except ValueError:
            logger.exception("lookup_failed")
    refused, failed = lines()[-2:]
    assert refused["message"] == "mail_refused to=[email]"
    assert refused["who"] == "[national-number]"
    assert "85.07.30" not in failed["exc_info"] and "[national-number]" in failed["exc_info"]


def test_the_plain_format_is_redacted_and_other_handlers_see_the_record_as_logged(caplog):
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    try:
        with caplog.at_level(logging.INFO, logger="eloket.test"):
            logging.getLogger("eloket.test").warning("mail_refused to=%s", "a.person@example.com")
    finally:
        handler.setStream(old_stream)
    line = buffer.getvalue()
    assert "mail_refused to=[email]" in line and "a.person" not in line
    assert " [-] " in line  # no request id outside a request
    # caplog still sees the leak, so a test of the call site can catch it.
    assert caplog.records[-1].getMessage() == "mail_refused to=a.person@example.com"


# /health/ and /ready/


def test_health_answers_without_touching_the_database(client):
    # No django_db mark: a query here would raise.
    response = client.get("/health/", HTTP_HOST="10.1.2.3:8000")  # a pod address, not in ALLOWED_HOSTS
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
def test_ready_checks_database_broker_and_storage(client):
    response = client.get("/ready/", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "broker": "ok",
        "storage": "ok",
    }


@pytest.mark.django_db
def test_ready_fails_when_the_database_is_unreachable(client, monkeypatch):
    # The configured databases, as the check sees them, replaced by one that cannot be opened.
    unreachable = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent/dir/db.sqlite3"}}
    )
    monkeypatch.setattr(health, "connections", unreachable)
    try:
        response = client.get("/ready/")
    finally:
        unreachable.close_all()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {
        "status": "fail",
        "error": "OperationalError",
        "duration_ms": body["checks"]["database"]["duration_ms"],
    }
    assert body["checks"]["storage"]["status"] == "ok"


@pytest.mark.django_db
def test_ready_fails_when_the_redis_broker_is_unreachable(client, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": "redis://127.0.0.1:1/0"}
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "fail"


@pytest.mark.django_db
def test_ready_pings_redis_when_it_is_the_broker(client, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": "redis://127.0.0.1:6379/0"}
    response = client.get("/ready/")
    assert response.json()["checks"]["broker"]["status"] == "ok"


@pytest.mark.django_db
def test_ready_fails_when_the_private_storage_cannot_be_written(client, settings, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": not_a_folder / "private"},
        },
    }
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "fail"


# /metrics/


def _metrics(client, **extra) -> str:
    response = client.get("/metrics/", **extra)
    assert response.status_code == 200, response.content
    return response.content.decode()


@pytest.mark.django_db
def test_metrics_reflect_the_database(client):
    organisation = OrganisationFactory()
    party = person_party()
    for status in (PaymentStatus.SUCCEEDED, PaymentStatus.SUCCEEDED, PaymentStatus.OPEN):
        Payment.objects.create(
            reference=f"P{Payment.objects.count()}",
            channel=PaymentChannel.STRIPE,
            status=status,
            party=party,
            organisation=organisation,
            amount_cents=5800,
        )
    events = [
        OutboxEvent.objects.create(type=EventType.DOSSIER_PAID, organisation=organisation) for _ in range(3)
    ]
    OutboxEvent.objects.filter(pk=events[0].pk).update(dispatched_at=timezone.now())
    endpoint = WebhookEndpoint.objects.create(organisation=organisation, url="https://city.example/hook")
    WebhookDelivery.objects.create(endpoint=endpoint, event=events[0], status=WebhookDelivery.Status.FAILED)
    WebhookDelivery.objects.create(endpoint=endpoint, event=events[1], status=WebhookDelivery.Status.GAVE_UP)
    WebhookDelivery.objects.create(
        endpoint=endpoint, event=events[2], status=WebhookDelivery.Status.SUCCEEDED
    )
    OrmQ.objects.create(key=Conf.CLUSTER_NAME, payload="x", lock=timezone.now())

    body = _metrics(client)

    assert 'eloket_payments{status="succeeded"} 2.0' in body
    assert 'eloket_payments{status="open"} 1.0' in body
    assert 'eloket_payments{status="refunded"} 0.0' in body
    assert "eloket_outbox_backlog 2.0" in body
    assert 'eloket_webhook_deliveries_failed{status="failed"} 1.0' in body
    assert 'eloket_webhook_deliveries_failed{status="gave_up"} 1.0' in body
    assert 'eloket_task_queue_depth{broker="orm"} 1.0' in body
    assert "eloket_metrics_database_up 1.0" in body
    assert "eloket_outbox_oldest_pending_seconds" in body


@pytest.mark.django_db
def test_the_latency_histogram_is_labelled_by_route_name_not_path(client):
    client.get("/nl/aanmelden/")
    client.get("/nl/no-such-page-here/")
    body = _metrics(client)
    assert 'route="eloket:login",status="200"' in body.replace('method="GET",', "")
    assert "aanmelden" not in body and "no-such-page-here" not in body


@pytest.mark.django_db
def test_metrics_are_refused_to_other_addresses(client):
    response = client.get("/metrics/", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert b"eloket_" not in response.content


@pytest.mark.django_db
def test_metrics_are_allowed_from_a_configured_network(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics/", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics/", REMOTE_ADDR="127.0.0.1").status_code == 403


@pytest.mark.django_db
def test_behind_a_proxy_the_client_address_header_decides(client, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    # The proxy on loopback forwards an outside client: refused, although REMOTE_ADDR is loopback.
    assert client.get("/metrics/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.7").status_code == 403


@pytest.mark.django_db
def test_metrics_accept_the_bearer_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics/", **outside, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics/", **outside, HTTP_AUTHORIZATION="Bearer scrape-token-0123456789")
    assert ok.status_code == 200


def test_in_multiprocess_mode_a_scrape_adds_up_every_process(tmp_path):
    """Two processes serve requests, a third scrapes: gunicorn workers with PROMETHEUS_MULTIPROC_DIR."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    serve = (
        "import django; django.setup(); from django.test import Client; "
        "[Client().get('/health/', HTTP_HOST='localhost') for _ in range(2)]"
    )
    scrape = (
        "import django; django.setup(); from prometheus_client import generate_latest; "
        "from eloket.observability.metrics import registry_build; "
        "print(generate_latest(registry_build(database=False)).decode())"
    )
    for code in (serve, serve, scrape):
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    assert (
        'eloket_http_request_duration_seconds_count{method="GET",route="health",status="200"} 4.0'
        in result.stdout
    )
