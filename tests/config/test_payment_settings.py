"""Online payments in production: Stripe secrets required only when on, and never the local stand-in."""

from tests.config.test_settings import run_django

STRIPE_OFF = {"STRIPE_SECRET_KEY": None, "STRIPE_WEBHOOK_SECRET": None, "STRIPE_API_BASE": None}


def test_production_runs_without_stripe_secrets_when_online_payments_are_off():
    result = run_django(
        "from django.conf import settings; print(settings.PAYMENTS_ONLINE, settings.STRIPE_API_BASE)",
        **STRIPE_OFF,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False https://api.stripe.com"


def test_production_refuses_online_payments_without_the_stripe_secrets():
    for missing in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        env = {**STRIPE_OFF, "ELOKET_ONLINE_PAYMENTS": "true", "STRIPE_SECRET_KEY": "sk_live_x"}
        env["STRIPE_WEBHOOK_SECRET"] = "whsec_x"
        env[missing] = None
        result = run_django("pass", **env)
        assert result.returncode != 0
        assert missing in result.stderr


def test_production_with_online_payments_talks_to_stripe_and_never_to_the_stand_in():
    secrets = {
        "ELOKET_ONLINE_PAYMENTS": "true",
        "STRIPE_SECRET_KEY": "sk_live_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
    }
    result = run_django(
        "from django.conf import settings; print(settings.STRIPE_API_BASE)", **{**STRIPE_OFF, **secrets}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://api.stripe.com"
    refused = run_django("pass", **{**STRIPE_OFF, **secrets, "STRIPE_API_BASE": "http://127.0.0.1:12111"})
    assert refused.returncode != 0
    assert "STRIPE_API_BASE" in refused.stderr
