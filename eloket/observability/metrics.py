"""Prometheus metrics at ``/metrics/`` (docs/observability.md lists them).

- ``eloket_http_request_duration_seconds``: a histogram per route (the URL pattern's view name, never
  the raw path, so that the number of series stays bounded), method and status, observed by
  ``eloket.observability.middleware.ObservabilityMiddleware``.
- Gauges read from the database at scrape time by ``DatabaseCollector`` (each one indexed count):
  the task queue, the outbox backlog, failed webhook deliveries, the last day's payments per state.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, emptied at each
start) before the workers start. prometheus-client then writes each worker's histogram to files
there, and a scrape, whichever worker answers it, adds them up (``MultiProcessCollector``). The
database gauges are read once per scrape, so they are right in both modes.

Access: from ``METRICS_ALLOWED_NETWORKS`` (the client address as ``ELOKET_CLIENT_IP_HEADER`` gives
it behind a proxy) or with ``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets a 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from eloket.db import replica

logger = logging.getLogger(__name__)

# Seconds; a page should take tens of milliseconds, a bulk import may take many seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_LATENCY = Histogram(
    "eloket_http_request_duration_seconds",
    "Time from the first middleware to the response, per route (view name), method and status.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "other"
    REQUEST_LATENCY.labels(route=route, method=method, status=str(status)).observe(seconds)


def multiprocess_mode() -> bool:
    # prometheus-client itself reads this variable when it is imported; the check here only decides
    # how a scrape gathers the values.
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class _ProcessRegistry(Collector):
    """The default registry (this process's histogram, and its CPU and memory) as one collector."""

    def collect(self):
        return REGISTRY.collect()


def registry_build(*, database: bool = True) -> CollectorRegistry:
    """A registry for one scrape: every worker's histograms (multiprocess mode) or this process's,
    plus the database gauges."""
    registry = CollectorRegistry()  # no auto_describe: it would run the database queries at registration
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRegistry())
    if database:
        registry.register(DatabaseCollector())
    return registry


class DatabaseCollector(Collector):
    """Gauges counted in the database when Prometheus scrapes; each query uses an index.

    A database that does not answer gives ``eloket_metrics_database_up 0`` and no other gauge, so the
    scrape (and the request histogram in it) still works."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "eloket_metrics_database_up", "1 when the database gauges below could be read, else 0."
        )
        try:
            families = list(self._families())
        except DatabaseError as error:
            logger.warning("metrics_database_failed error=%s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[GaugeMetricFamily]:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = '5s'")
            yield _queue_depth()
            yield from _outbox()
            yield _webhook_failures()
            yield _payments()


_broker = None


def _queue_depth() -> GaugeMetricFamily:
    """Tasks waiting for a worker: the Redis list's length, or the ORM broker's unlocked rows."""
    global _broker
    from django_q.brokers import get_broker

    if _broker is None:
        _broker = get_broker()
    family = GaugeMetricFamily(
        "eloket_task_queue_depth", "django-q2 tasks waiting in the broker.", labels=["broker"]
    )
    family.add_metric(["redis" if settings.Q_CLUSTER.get("redis") else "orm"], _broker.queue_size())
    return family


def _outbox() -> Iterator[GaugeMetricFamily]:
    from eloket.models import OutboxEvent

    # The replica when there is one (eloket.db): a count a few seconds old is still the backlog.
    pending = OutboxEvent.objects.using(replica()).filter(dispatched_at__isnull=True)  # index outbox_pending
    backlog = GaugeMetricFamily("eloket_outbox_backlog", "Outbox events not yet dispatched.")
    backlog.add_metric([], pending.count())
    yield backlog
    oldest = pending.order_by("id").values_list("created_at", flat=True).first()
    age = GaugeMetricFamily(
        "eloket_outbox_oldest_pending_seconds", "Age of the oldest undispatched outbox event (0: none)."
    )
    age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0)
    yield age


def _webhook_failures() -> GaugeMetricFamily:
    from eloket.models import WebhookDelivery

    failing = (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.GAVE_UP)
    counts = dict(
        WebhookDelivery.objects.using(replica())
        .filter(status__in=failing)  # index webhook_delivery_due leads with status
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    family = GaugeMetricFamily(
        "eloket_webhook_deliveries_failed",
        "Webhook deliveries that failed: 'failed' will be retried, 'gave_up' will not.",
        labels=["status"],
    )
    for status in failing:
        family.add_metric([status.value], counts.get(status.value, 0))
    return family


# Payments only grow: a count over all of them would read the whole index at every scrape. The window
# keeps each count an index range scan (status, created_at) whatever the table's size.
PAYMENT_WINDOW = timedelta(hours=24)


def _payments() -> GaugeMetricFamily:
    from eloket.constants import PaymentStatus
    from eloket.models import Payment

    recent = Payment.objects.using(replica()).filter(created_at__gte=timezone.now() - PAYMENT_WINDOW)
    family = GaugeMetricFamily(
        "eloket_payments",
        "Online payments started in the last 24 hours, per current state.",
        labels=["status"],
    )
    for status in PaymentStatus:
        # One query per state: an index range scan on payment_status_created each.
        family.add_metric([status.value], recent.filter(status=status.value).count())
    return family


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    address = client_address(request)
    if address is None:
        return False
    networks = (ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address: ``REMOTE_ADDR``, or behind a proxy the header it sets
    (``ELOKET_CLIENT_IP_HEADER``; of a list, the last entry, the one the nearest proxy added)."""
    raw = request.META.get(settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR", "")
    raw = raw.split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        logger.warning("metrics_refused")
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    started = time.perf_counter()
    body = generate_latest(registry_build())
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    logger.debug("metrics_scraped ms=%.1f", (time.perf_counter() - started) * 1000)
    return response
