"""The outermost middleware: a request id for every request, the latency histogram, and the probes.

``/health/``, ``/ready/`` and ``/metrics/`` are answered here, before the rest of the stack: a probe
or a scrape comes from inside the network with the pod's address as Host and over plain HTTP, so
``ALLOWED_HOSTS`` and the HTTPS redirect must not turn it away, and it needs no session, language,
CSRF or CSP work (docs/observability.md). Nothing they answer depends on the Host header.
"""

from __future__ import annotations

import time

from eloket.observability import health, metrics
from eloket.observability.context import (
    REQUEST_ID_HEADER,
    request_id_bind,
    request_id_from_header,
    request_id_reset,
)

# path → (route name in the histogram, view)
PROBES = {
    "/health/": ("health", health.health),
    "/ready/": ("ready", health.ready),
    "/metrics/": ("metrics", metrics.metrics),
}
UNMATCHED_ROUTE = "unmatched"


class ObservabilityMiddleware:
    """First in ``MIDDLEWARE``. Takes the proxy's ``X-Request-ID`` when well-formed (else makes one),
    binds it for the logs of this request (``eloket.observability.context``), returns it in the
    response, and observes the request's duration under its route name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_bind(request_id)
        started = time.perf_counter()
        try:
            probe = PROBES.get(request.path_info)
            if probe is not None:
                route, view = probe
                response = view(request)
            else:
                response = self.get_response(request)
                match = getattr(request, "resolver_match", None)
                route = (match.view_name or match.route) if match is not None else UNMATCHED_ROUTE
            metrics.observe_request(
                route=route,
                method=request.method,
                status=response.status_code,
                seconds=time.perf_counter() - started,
            )
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            request_id_reset(token)
