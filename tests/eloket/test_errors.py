"""When the database or Redis does not answer: 503 with Retry-After and a page that says to try again,
in the visitor's language, instead of "something went wrong" (eloket.errors). With PostgreSQL and
Redis really gone under a running site: tests/faults/test_postgres_restart.py, test_redis_gone.py."""

from __future__ import annotations

import json
import socket

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError

from eloket.errors import server_error, unavailable_dependency
from tests.factories import DossierFactory, person_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_nobody_answers(settings):
    """The cache is a Redis server at a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }


def test_a_form_that_needs_the_cache_answers_503_in_the_visitors_language(redis_nobody_answers):
    """Opening a dossier without login counts attempts in the cache; with Redis gone the visitor is
    told to try again in a few minutes, in French on the French form, and no access is granted."""
    dossier = DossierFactory(party=person_party(name="Pierre Dupont"), plate="1-ABC-123", notified=True)
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("eloket:guest_access").replace("/nl/", "/fr/", 1),
        {"reference": dossier.reference, "plate": "1ABC123", "check": dossier.ogm[-4:]},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "momentanément indisponible" in page
    assert "Traceback" not in page and dossier.reference not in page
    assert "sessionid" not in response.cookies


def answer_while(error: Exception, request):
    """``server_error`` as Django calls it: inside the handling of ``error``."""
    try:
        raise error
    except type(error):
        return server_error(request)


def test_the_api_answers_503_as_json(rf):
    error = RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    response = answer_while(error, rf.get("/api/v1/dossiers/"))
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert json.loads(response.content)["code"] == "service_unavailable"


def test_any_other_error_stays_a_500(rf):
    response = answer_while(ValueError("a bug"), rf.get("/nl/mijn/"))
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_database_error_wrapped_by_another_is_recognised():
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as cause:
            raise RuntimeError("while rendering") from cause
    except RuntimeError as error:
        assert unavailable_dependency(error) == "database"
    assert unavailable_dependency(ValueError("no")) is None


def test_the_page_is_written_without_touching_the_database(rf, django_assert_num_queries):
    request = rf.get("/de/mijn/")
    with translation.override("de"), django_assert_num_queries(0):
        response = answer_while(OperationalError("could not connect to server"), request)
    assert response.status_code == 503
    assert '<html lang="de">' in response.content.decode()
