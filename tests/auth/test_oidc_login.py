"""The government login against a real OpenID Connect provider (tests/oidc_provider, panva's
oidc-provider on 127.0.0.1): authorization code with PKCE and nonce, the claims mapped to parties and
representations, a login without national number, private_key_jwt, and logout at the provider."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from eloket.auth import oidc
from eloket.auth.middleware import CITIZEN_SESSION_KEY
from eloket.constants import PartyKind, RepresentationRole
from eloket.identifiers import identifier_hash
from eloket.middleware import ACTING_PARTY_SESSION_KEY
from eloket.models import Party, Representation, User
from tests.auth.conftest import configure, oidc_app
from tests.auth.helpers import authorization_url, oidc_login
from tests.factories import DossierFactory
from tests.oidc_provider import ENTERPRISE_NUMBER, NATIONAL_NUMBERS

pytestmark = pytest.mark.django_db


def test_the_login_page_offers_the_government_login(client, oidc_settings):
    html = client.get(reverse("eloket:login")).content.decode()
    assert reverse("openid_connect_login", kwargs={"provider_id": "acmidm"}) in html
    assert "Aanmelden bij de Vlaamse overheid" in html


def test_the_authorization_request_is_a_code_flow_with_pkce_and_nonce(client, oidc_settings, oidc_provider):
    url = authorization_url(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(oidc_provider.issuer + "/auth?")
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["nonce"][0]) >= 32 and query["state"][0]
    assert set(query["scope"][0].split()) == {"openid", "profile", "vo", "rrn"}


def test_a_citizen_logs_in_and_finds_their_dossiers(client, oidc_settings):
    person_hash = identifier_hash(NATIONAL_NUMBERS["burger"])
    from tests.factories import person_party

    existing = person_party(name="Jan Janssens")
    Party.objects.filter(pk=existing.pk).update(identifier_hash=person_hash, email="", email_verified=False)
    dossier = DossierFactory(party=existing)

    response = oidc_login(client, user="burger")

    assert response.status_code == 302 and response["Location"] == reverse("eloket:overview")
    assert client.session[CITIZEN_SESSION_KEY] is True  # the idle time applies
    user = User.objects.get(socialaccount__isnull=False)
    assert not user.has_usable_password() and user.first_name == "Jan"
    party = Party.objects.get(identifier_hash=person_hash)
    assert party.pk == existing.pk  # found by the hash of the national number, not created again
    assert party.email == "jan.janssens@example.org" and not party.email_verified
    assert Representation.objects.get(user=user).role == RepresentationRole.SELF
    overview = client.get(reverse("eloket:overview"))
    assert overview.status_code == 200 and dossier.reference in overview.content.decode()


def test_no_national_number_is_stored_with_the_login(client, oidc_settings):
    oidc_login(client, user="burger")
    account = SocialAccount.objects.get()
    stored = str(account.extra_data) + account.uid + str(dict(client.session))
    assert NATIONAL_NUMBERS["burger"] not in stored
    assert account.uid == f"person:{identifier_hash(NATIONAL_NUMBERS['burger'])}"
    assert account.extra_data["person"]["masked"].endswith(NATIONAL_NUMBERS["burger"][-2:])


def test_a_second_login_is_the_same_user(client, oidc_settings):
    oidc_login(client, user="burger")
    client.logout()
    oidc_login(client, user="burger")
    assert User.objects.filter(socialaccount__isnull=False).count() == 1


def test_a_representative_may_act_for_the_enterprise(client, oidc_settings):
    response = oidc_login(client, user="vertegenwoordiger")
    assert response.status_code == 302

    user = User.objects.get(socialaccount__isnull=False)
    enterprise = Party.objects.get(identifier_hash=identifier_hash(ENTERPRISE_NUMBER))
    assert enterprise.kind == PartyKind.ENTERPRISE and enterprise.display_name == "Bakkerij Claes BV"
    roles = dict(Representation.objects.filter(user=user).values_list("party__kind", "role"))
    assert roles == {
        PartyKind.PERSON: RepresentationRole.SELF,
        PartyKind.ENTERPRISE: RepresentationRole.MANDATED,
    }

    page = client.get(reverse("eloket:acting_as")).content.decode()
    assert "Bakkerij Claes BV" in page
    client.post(reverse("eloket:acting_as"), {"party": enterprise.pk})
    assert client.session[ACTING_PARTY_SESSION_KEY] == enterprise.pk
    overview = client.get(reverse("eloket:overview")).content.decode()
    assert 'data-testid="acting-party">Bakkerij Claes BV<' in overview


def test_a_later_login_without_the_capacity_no_longer_acts_for_the_enterprise(
    client, settings, oidc_settings
):
    oidc_login(client, user="vertegenwoordiger")
    user = User.objects.get(socialaccount__isnull=False)
    assert Representation.objects.filter(user=user).count() == 2
    from eloket.auth import services
    from eloket.auth.claims import Identity

    account = SocialAccount.objects.get(user=user)
    as_citizen = Identity.from_extra_data(
        {**account.extra_data, "enterprise": None, "vo_doelgroepcode": "BUR"}
    )
    services.citizen_login_record(user=user, identity=as_citizen)
    assert list(Representation.objects.filter(user=user).values_list("role", flat=True)) == [
        RepresentationRole.SELF
    ]


def test_a_login_without_national_number_gets_a_clear_page(client, oidc_settings):
    response = oidc_login(client, user="zonder-rrn")

    assert response.status_code == 403
    html = response.content.decode()
    assert "geen rijksregisternummer" in html
    assert reverse("eloket:guest_access") in html
    assert not User.objects.exists() and not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_private_key_jwt_authenticates_the_client_without_a_secret(
    client, settings, oidc_provider, client_private_key
):
    configure(
        settings,
        oidc_app(
            oidc_provider,
            client_id="eloket-jwt",
            token_auth_method="private_key_jwt",
            private_key=client_private_key,
            private_key_id="eloket-test-key",
        ),
    )
    response = oidc_login(client, user="burger")
    assert response.status_code == 302 and response["Location"] == reverse("eloket:overview")
    assert User.objects.filter(socialaccount__isnull=False).count() == 1


def test_a_wrong_client_key_is_refused_by_the_provider(client, settings, oidc_provider):
    from tests.oidc_provider import rsa_private_key_pem

    configure(
        settings,
        oidc_app(
            oidc_provider,
            client_id="eloket-jwt",
            token_auth_method="private_key_jwt",
            private_key=rsa_private_key_pem(),
            private_key_id="eloket-test-key",
        ),
    )
    response = oidc_login(client, user="burger")
    assert response.status_code == 401
    assert 'data-testid="login-error"' in response.content.decode()
    assert not User.objects.exists()


def test_a_replayed_callback_is_refused(client, oidc_settings):
    from tests.oidc_provider import login_through

    callback = login_through(authorization_url(client), user="burger")
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    client.get(parts.path, query)
    client.logout()
    again = client.get(parts.path, query)  # the state is spent and the code used
    assert "_auth_user_id" not in client.session
    assert again.status_code == 401 and 'data-testid="login-error"' in again.content.decode()


def test_logout_ends_the_session_at_the_provider_too(client, oidc_settings, oidc_provider):
    oidc_login(client, user="burger")
    sealed = client.session[oidc.ID_TOKEN_SESSION_KEY]
    id_token = oidc.unseal(sealed)
    assert id_token and id_token not in sealed  # kept encrypted in the session

    response = client.post(reverse("eloket:logout"))

    assert "_auth_user_id" not in client.session
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{oidc_provider.issuer}/session/end"
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/nl/afgemeld/"]


def test_the_logout_link_asks_before_logging_out(client, oidc_settings):
    oidc_login(client, user="burger")
    page = client.get(reverse("eloket:logout"))
    assert page.status_code == 200 and "_auth_user_id" in client.session
