"""The load test's scenario (``bench/locustfile.py``) runs against a live gunicorn, stand-in and
django-q2 cluster without a failed request. A few seconds on a tiny database: it checks that the
scenario works, not how fast (speed is for ``python -m bench --only load``)."""

import pytest
from django.conf import settings
from django.db import connection
from wagtail.models import Locale, Page

from bench import load
from eloket.models import Dossier
from eloket.scale import seed_scale

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_url() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("the load test runs gunicorn on PostgreSQL (set DATABASE_URL to run this)")
    if not Page.objects.exists():  # a flushed transactional test database may have lost Wagtail's root
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        Page.add_root(instance=Page(title="Root", slug="root"))
    seed_scale(dossiers=1000, submissions=200, progress=False)
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_citizens_clerks_and_city_systems_run_without_a_failed_request(database_url):
    before = Dossier.objects.count()

    rows, info = load.run_once(db=database_url, users=8, duration=10, workers=2, spawn_rate=8, citizens=12)

    assert info["dossiers"] >= 1000
    assert {row.name: row.failures for row in rows.values() if row.failures} == {}
    for name in (
        "citizen: overview",
        "citizen: dossier",
        "minimal_50_rows",
        "clerk: inbox",
        "api: rights check",
    ):
        assert rows[name].requests > 0, name
    if "api: bulk import (50 lines)" in rows:  # imported dossiers are really there
        assert Dossier.objects.count() >= before + 50
