"""Settings for ``python -m bench``: the dev settings with the benchmark's URLconf.

``bench.urls`` adds the minimal reference view, so it exists only in the benchmark, never in the product.
Only defaults change: without DATABASE_URL the benchmark gets its own SQLite file (not the dev one), and
DEBUG is off so neither view pays for query logging or debug templates.
"""

import warnings

from config.env import BASE_DIR, env

env.ENVIRON.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}")
env.ENVIRON.setdefault("DJANGO_DEBUG", "false")

from config.settings.dev import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405  (django.test.Client's host)
# One connection for the whole run, as CONN_MAX_AGE does in production: the benchmark times the views,
# not connecting to the database.
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
# Static files are not collected for the benchmark; WhiteNoise would warn about the missing directory.
warnings.filterwarnings("ignore", message="No directory at")
