"""Settings for the test suite: the dev defaults, with tasks run in-process and fast hashing."""

from config.env import env

env.ENVIRON.setdefault("Q_SYNC", "true")
# No announcements to Mijn Burgerprofiel unless a test turns them on (tests/eloket/profile).
env.ENVIRON.setdefault("ELOKET_PROFILE_ANNOUNCER", "")

from config.settings.dev import *  # noqa: E402,F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private"  # noqa: F405
STORAGES["private"]["OPTIONS"] = {"location": PRIVATE_MEDIA_ROOT, "base_url": None}  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
