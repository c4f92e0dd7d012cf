"""The preferences page: which mails, how often, in which language, for the party the user acts as."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from eloket.constants import Language, MailFrequency
from eloket.middleware import ACTING_PARTY_SESSION_KEY
from eloket.models import Party
from tests.factories import UserFactory, enterprise_party, person_party

pytestmark = pytest.mark.django_db


def url(language: str = "nl") -> str:
    with translation.override(language):
        return reverse("eloket:mail_preferences")


CHOICES = {
    "mail_new_dossier": "on",
    "mail_reminders": "on",
    "mail_frequency": MailFrequency.DAILY,
    "language": Language.FR,
}


@pytest.fixture
def bert():
    """A citizen who also represents a company."""
    user = UserFactory(first_name="Bert", last_name="Bosmans")
    own = person_party(name="Bert Bosmans", user=user)
    company = enterprise_party(name="Bosmans Transport BV", representative=user)
    return user, own, company


def act_as(client, party):
    session = client.session
    session[ACTING_PARTY_SESSION_KEY] = party.pk
    session.save()


def test_the_page_shows_the_partys_choices_in_labelled_groups(client, bert):
    user, own, _company = bert
    client.force_login(user)

    response = client.get(url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<legend>Welke e-mails wilt u krijgen?</legend>" in html
    assert "<legend>Hoe vaak?" in html
    assert "<legend>In welke taal?" in html
    assert 'for="id_mail_new_dossier"' in html
    assert 'name="mail_new_dossier" id="id_mail_new_dossier" checked' in html
    assert 'value="auto" required id="id_mail_frequency_0" checked' in html
    assert "We schrijven naar" not in html  # the factory's address is not verified
    assert own.display_name in html


def test_saving_records_the_choices_and_who_made_them(client, bert):
    user, own, _company = bert
    client.force_login(user)

    response = client.post(url(), CHOICES)

    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.mail_new_dossier, own.mail_updates, own.mail_reminders) == (True, False, True)
    assert (own.mail_frequency, own.language) == (MailFrequency.DAILY, Language.FR)
    assert own.preferences_updated_by == user
    assert own.preferences_updated_at is not None
    page = client.get(response.url).content.decode()
    assert "Uw e-mailvoorkeuren zijn bewaard." in page
    assert "door Bert Bosmans" in page


def test_a_representative_changes_the_companys_preferences_not_their_own(client, bert):
    user, own, company = bert
    client.force_login(user)
    act_as(client, company)

    client.post(url(), {**CHOICES, "mail_frequency": MailFrequency.EACH})

    company.refresh_from_db()
    own.refresh_from_db()
    assert (company.mail_frequency, company.preferences_updated_by) == (MailFrequency.EACH, user)
    assert (own.mail_frequency, own.preferences_updated_at) == (MailFrequency.AUTO, None)


def test_a_party_the_user_does_not_represent_cannot_be_chosen(client, bert):
    user, own, _company = bert
    stranger = person_party(name="Iemand Anders")
    client.force_login(user)
    act_as(client, stranger)  # a forged session value falls back to the user's own party

    client.post(url(), CHOICES)

    stranger.refresh_from_db()
    own.refresh_from_db()
    assert stranger.preferences_updated_at is None
    assert own.mail_frequency == MailFrequency.DAILY


def test_a_wrong_choice_is_named_in_an_error_summary_that_links_to_the_field(client, bert):
    user, own, _company = bert
    client.force_login(user)

    response = client.post(url(), {**CHOICES, "mail_frequency": "hourly"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert 'href="#id_mail_frequency_0"' in html
    assert "<title>Fout:" in html
    assert Party.objects.get(pk=own.pk).preferences_updated_at is None


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("fr", "E-mails concernant mes dossiers"),
        ("en", "E-mails about my cases"),
        ("de", "E-Mails zu meinen Akten"),
    ],
)
def test_the_page_speaks_the_visitors_language(client, bert, language, heading):
    client.force_login(bert[0])

    response = client.get(url(language))

    assert heading in response.content.decode()


def test_a_guest_is_sent_to_log_in(client):
    response = client.get(url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("eloket:login"))


def test_the_overview_links_to_the_preferences(client, bert):
    client.force_login(bert[0])

    response = client.get(reverse("eloket:overview"))

    assert f'href="{url()}"' in response.content.decode()
