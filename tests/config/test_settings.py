"""Production settings are checked in a fresh interpreter: they read the environment at import."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "IDENTIFIER_HASH_KEY": "test-key",
    "DATABASE_URL": "sqlite:////tmp/never-used.sqlite3",
    "DJANGO_ALLOWED_HOSTS": "eloket.example.be",
}


def production_env() -> dict:
    # The test process has the dev defaults in os.environ; a production process starts without them.
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "ELOKET_", "IDENTIFIER_", "DATABASE_"))
    }
    return {**keep, **PRODUCTION_ENV}


def run_django(code: str, **overrides) -> subprocess.CompletedProcess:
    env = production_env()
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_load_with_the_secrets_given():
    result = run_django("from django.conf import settings; print(settings.DEBUG, settings.DEMO_MODE)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False False"


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_django("pass", DJANGO_SECRET_KEY=None)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_the_identifier_key():
    result = run_django("pass", IDENTIFIER_HASH_KEY=None)
    assert result.returncode != 0
    assert "IDENTIFIER_HASH_KEY" in result.stderr


def test_production_settings_refuse_the_demo_login():
    result = run_django("pass", ELOKET_DEMO_MODE="true")
    assert result.returncode != 0
    assert "ELOKET_DEMO_MODE" in result.stderr


def test_production_settings_are_secure_by_default():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS, 'unsafe-inline' in str(s.CONTENT_SECURITY_POLICY))"
    )
    result = run_django(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "DENY", "False"]


def test_the_deploy_check_passes_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
