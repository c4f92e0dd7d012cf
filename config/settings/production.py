"""Production: PostgreSQL, Redis, SMTP, object storage, all from the environment.

Secrets have no default here (DJANGO_SECRET_KEY, IDENTIFIER_HASH_KEY, DATABASE_URL; STRIPE_SECRET_KEY
and STRIPE_WEBHOOK_SECRET when ELOKET_ONLINE_PAYMENTS is on), the demo login is refused whatever the
environment says, and online payments only ever talk to Stripe over HTTPS (never the local stand-in), as
the government login only talks to an HTTPS issuer.
"""

import re

from django.core.exceptions import ImproperlyConfigured

from config.env import env

# One JSON object per log line unless the environment says otherwise (docs/observability.md).
env.ENVIRON.setdefault("ELOKET_LOG_FORMAT", "json")

if env.bool("ELOKET_DEMO_MODE", default=False):
    raise ImproperlyConfigured("ELOKET_DEMO_MODE cannot be on with production settings")

from config.settings.base import *  # noqa: E402,F403

if PAYMENTS_ONLINE and not STRIPE_API_BASE.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("STRIPE_API_BASE must be Stripe's HTTPS API with production settings")
if WEBHOOK_ALLOW_LOCAL:  # noqa: F405
    raise ImproperlyConfigured("ELOKET_WEBHOOK_ALLOW_LOCAL cannot be on with production settings")

if OIDC_SERVER_URL and not OIDC_SERVER_URL.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("ELOKET_OIDC_SERVER_URL must be an HTTPS issuer with production settings")

# A frame parent or the embed SDK over plain HTTP would let anyone on the network frame or script the
# PTR-pas; "*", a CSP keyword or a stray space or ";" would let other sites frame it: origins only.
if not all(re.fullmatch(r"https://[a-z0-9.-]+(:[0-9]+)?", o) for o in ELOKET_EMBED_PARENT_ORIGINS):  # noqa: F405
    raise ImproperlyConfigured("ELOKET_EMBED_PARENT_ORIGINS must be HTTPS origins with production settings")
if ELOKET_MBP_EMBED_SDK_URL and not ELOKET_MBP_EMBED_SDK_URL.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("ELOKET_MBP_EMBED_SDK_URL must be an HTTPS URL with production settings")

DEBUG = False
DEMO_MODE = False
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES = with_replica(DATABASES, env.str("DATABASE_REPLICA_URL", default=""))  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"  # the OpenID Connect redirect URI allauth builds
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
# "__Host-": the browser accepts the cookie only over HTTPS, for this host, on path "/" (no subdomain
# or plain-HTTP page can set or overwrite it). The CSRF cookie keeps its name: session-timeout.js
# reads it.
SESSION_COOKIE_NAME = "__Host-eloket_session"
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
