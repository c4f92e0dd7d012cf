"""What a request gets when it fails because a part the e-loket stands on does not answer.

Django's 500 handler (``handler500`` in ``config.urls``) runs inside the handling of the exception,
wherever it was raised (a view, a middleware, a template). When that exception is the database or
Redis being unreachable, this answers ``503 Service Unavailable`` with ``Retry-After`` and a page (or,
under ``/api/``, a JSON error) that says to try again in a few minutes, instead of "something went
wrong": the request did nothing (its transaction rolled back), and load balancers and city systems
know a 503 is worth retrying. Anything else stays Django's 500.

The page is rendered without a request context: context processors would ask the very database or
cache that is down.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DEPENDENCIES: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    ("database", (OperationalError, InterfaceError)),
    ("redis", (RedisConnectionError, RedisTimeoutError)),
)


def unavailable_dependency(error: BaseException | None) -> str | None:
    """ "database" or "redis" when ``error`` (or what caused it) says that part is unreachable."""
    seen = 0
    while error is not None and seen < 5:
        for name, kinds in DEPENDENCIES:
            if isinstance(error, kinds):
                return name
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None


def server_error(request):
    error = sys.exc_info()[1]
    dependency = unavailable_dependency(error)
    if dependency is None:
        return defaults.server_error(request)
    logger.warning("dependency_unavailable dependency=%s error=%s", dependency, type(error).__name__)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("De dienst is even niet beschikbaar. Probeer het over enkele minuten opnieuw."),
                "code": "service_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
