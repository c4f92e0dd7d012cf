"""The address from the government login is unverified until the citizen confirms it through a link
mailed to it; a confirmed address is not replaced by a later login's."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from eloket.auth import services
from eloket.models import Notification
from tests.factories import UserFactory, person_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(client):
    user = UserFactory()
    party = person_party(user=user)
    party.email, party.email_verified = "jan@vo.example", False
    party.save()
    client.force_login(user)
    return user, party


def test_the_citizen_confirms_the_address_through_the_mailed_link(
    client, citizen, django_capture_on_commit_callbacks
):
    _user, party = citizen
    page = client.get(reverse("eloket:contact_address")).content.decode()
    assert "Nog niet bevestigd" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("eloket:contact_address"))

    assert Notification.objects.filter(to_email="jan@vo.example").count() == 1
    link = re.search(r"http://\S+/bevestigen/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("8000", 1)[1]
    assert client.get(path).status_code == 200
    client.post(path)
    party.refresh_from_db()
    assert party.email_verified
    assert "Bevestigd" in client.get(reverse("eloket:contact_address")).content.decode()


def test_a_link_for_another_party_confirms_nothing(client, citizen):
    from django.core import signing

    other = person_party(name="Ander")
    token = signing.dumps({"party": other.pk, "email": other.email}, salt="eloket.auth.contact_address")
    response = client.post(reverse("eloket:contact_address_confirm", args=[token]))
    assert response.status_code == 400
    other.refresh_from_db()
    assert not other.email_verified


def test_a_later_login_does_not_replace_a_confirmed_address(citizen):
    _user, party = citizen
    services.contact_address_offer(party=party, email="nieuw@vo.example")
    party.refresh_from_db()
    assert (party.email, party.email_verified) == ("nieuw@vo.example", False)
    assert services.contact_address_confirm(party=party, email="nieuw@vo.example")
    party.refresh_from_db()
    services.contact_address_offer(party=party, email="nog-een@vo.example")
    party.refresh_from_db()
    assert (party.email, party.email_verified) == ("nieuw@vo.example", True)
