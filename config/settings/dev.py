"""The embedded default: SQLite, ORM broker, e-mail to a file, demo login on.

Only defaults change here: every value can still be overridden from the environment.
"""

from config.env import BASE_DIR, env

env.ENVIRON.setdefault("DJANGO_SECRET_KEY", "dev-only-not-secret-" + "x" * 32)
env.ENVIRON.setdefault("IDENTIFIER_HASH_KEY", "dev-only-identifier-key")
env.ENVIRON.setdefault("DJANGO_DEBUG", "true")
env.ENVIRON.setdefault("ELOKET_DEMO_MODE", "true")
env.ENVIRON.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
env.ENVIRON.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
# Online payments against the local Stripe stand-in (`make serve` starts it on this port).
env.ENVIRON.setdefault("ELOKET_ONLINE_PAYMENTS", "true")
env.ENVIRON.setdefault("STRIPE_API_BASE", "http://127.0.0.1:12111")
env.ENVIRON.setdefault("STRIPE_CHECKOUT_ORIGIN", env.ENVIRON["STRIPE_API_BASE"])
env.ENVIRON.setdefault("STRIPE_SECRET_KEY", "sk_test_standin")
env.ENVIRON.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_standin")
# Outbound webhooks may go to a receiver on this machine over plain HTTP.
env.ENVIRON.setdefault("ELOKET_WEBHOOK_ALLOW_LOCAL", "true")
# Announcements to Mijn Burgerprofiel go to its local stand-in (`make serve` starts it on this port).
env.ENVIRON.setdefault("ELOKET_PROFILE_ANNOUNCER", "eloket.profile.announcer.StandinAnnouncer")
env.ENVIRON.setdefault("ELOKET_PROFILE_API_BASE", "http://127.0.0.1:12112")

from config.settings.base import *  # noqa: E402,F403

EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
