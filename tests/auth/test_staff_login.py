"""Staff log in with a password and TOTP (allauth.mfa); nobody signs up; failed logins are rate-limited."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse

from eloket.demo.staff_totp import DEMO_TOTP_SECRET, seed_staff_totp, totp_code
from eloket.models import User
from tests.factories import UserFactory, totp_enrol

pytestmark = pytest.mark.django_db

PASSWORD = "een-lang-wachtwoord-voor-tests"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # rate limits and used TOTP codes live in the cache
    yield
    cache.clear()


def clerk(**fields) -> User:
    user = UserFactory(is_staff=True, **fields)
    user.set_password(PASSWORD)
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def password_step(client, user: User):
    return client.post(
        reverse("account_login") + "?next=/beheer/", {"login": user.username, "password": PASSWORD}
    )


def test_the_demo_code_is_the_one_allauth_accepts():
    assert validate_totp_code(DEMO_TOTP_SECRET, totp_code())
    assert not validate_totp_code(DEMO_TOTP_SECRET, totp_code(at=0))


def test_wagtails_login_sends_staff_to_the_password_and_totp_login(client):
    response = client.get("/beheer/login/?next=/beheer/pages/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fbeheer%2Fpages%2F"
    unauthenticated = client.get("/beheer/")
    assert unauthenticated.status_code == 302 and unauthenticated["Location"].startswith("/beheer/login/")


def test_staff_log_in_with_password_and_totp(client):
    user = totp_enrol(clerk())

    after_password = password_step(client, user)
    assert after_password.status_code == 302
    assert after_password["Location"].startswith(reverse("mfa_authenticate"))
    assert "_auth_user_id" not in client.session  # the password alone does not log in

    after_code = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert after_code.status_code == 302 and after_code["Location"] == "/beheer/"
    assert client.get("/beheer/").status_code == 200


def test_a_wrong_totp_code_does_not_log_in(client):
    user = totp_enrol(clerk())
    password_step(client, user)
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_staff_member_without_totp_is_sent_to_set_it_up_before_the_admin(client):
    user = clerk()
    client.force_login(user)

    response = client.get("/beheer/pages/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(response["Location"]).status_code in (200, 302)  # the set-up (after reauthentication)
    totp_enrol(user)
    assert client.get("/beheer/").status_code == 200


def test_a_citizen_cannot_log_in_with_a_password(client):
    citizen = UserFactory()
    citizen.set_password(PASSWORD)
    citizen.save()
    response = client.post(reverse("account_login"), {"login": citizen.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_nobody_signs_up(client):
    page = client.get(reverse("account_signup"))
    client.post(
        reverse("account_signup"),
        {"username": "nieuw", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert page.status_code == 200 and "signup_closed" in [t.name.split("/")[-1][:-5] for t in page.templates]
    assert not User.objects.filter(username="nieuw").exists()


def test_failed_logins_are_rate_limited(client):
    from allauth.account.adapter import get_adapter

    too_many = str(get_adapter().error_messages["too_many_login_attempts"])
    user = totp_enrol(clerk())
    pages = [
        client.post(reverse("account_login"), {"login": user.username, "password": "fout"}).content.decode()
        for _attempt in range(6)
    ]
    assert not any(too_many in page for page in pages[:5])
    assert too_many in pages[5]
    # Even the right password is refused while the limit holds.
    right = password_step(client, user)
    assert right.status_code == 200 and too_many in right.content.decode()


def test_the_demo_seeds_totp_for_every_staff_account_and_nobody_else():
    staff = clerk()
    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    citizen = UserFactory()

    assert seed_staff_totp() == 2
    assert seed_staff_totp() == 0  # idempotent
    with_totp = set(Authenticator.objects.values_list("user_id", flat=True))
    assert with_totp == {staff.pk, editor.pk}
    assert citizen.pk not in with_totp
