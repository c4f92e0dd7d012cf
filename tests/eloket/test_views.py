import re

import pytest
from django.urls import reverse

from eloket import services
from eloket.constants import DossierKind, DossierStatus
from eloket.middleware import ACTING_PARTY_SESSION_KEY
from tests.factories import (
    DossierFactory,
    MunicipalityFactory,
    UserFactory,
    enterprise_party,
    person_party,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def world():
    """Two citizens; the second also represents a company. Each party has one dossier with evidence."""
    anna, bert = UserFactory(), UserFactory()
    anna_party = person_party(name="Anna Aerts", user=anna)
    bert_party = person_party(name="Bert Bosmans", user=bert)
    company = enterprise_party(name="Bosmans Transport BV", representative=bert)
    dossiers = {}
    for key, party in (("anna", anna_party), ("bert", bert_party), ("company", company)):
        dossier = DossierFactory(party=party, notified=True)
        evidence = services.evidence_add(
            dossier=dossier, content=PNG, filename="a.png", content_type="image/png"
        )
        dossiers[key] = (dossier, evidence)
    return {"anna": anna, "bert": bert, "company": company, "dossiers": dossiers}


def urls_for(dossier, evidence):
    return [
        reverse("eloket:dossier_detail", args=[dossier.reference]),
        reverse("eloket:evidence_file", args=[dossier.reference, evidence.pk]),
    ]


# Who is logged in, as whom they act, and which dossiers they may see.
MATRIX = [
    ("anna", None, {"anna"}),
    ("bert", None, {"bert"}),
    ("bert", "company", {"company"}),
]


@pytest.mark.parametrize(("user_key", "acting", "visible"), MATRIX)
def test_every_citizen_url_is_a_404_for_another_partys_dossier(client, world, user_key, acting, visible):
    client.force_login(world[user_key])
    if acting:
        session = client.session
        session[ACTING_PARTY_SESSION_KEY] = world[acting].pk
        session.save()
    for owner, (dossier, evidence) in world["dossiers"].items():
        for url in urls_for(dossier, evidence):
            response = client.get(url)
            expected = 200 if owner in visible else 404
            assert response.status_code == expected, (user_key, acting, owner, url)


def test_a_guest_is_sent_to_log_in_from_every_citizen_url(client, world):
    dossier, evidence = world["dossiers"]["anna"]
    for url in [reverse("eloket:overview"), reverse("eloket:acting_as"), *urls_for(dossier, evidence)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("eloket:login"))


def test_a_user_cannot_act_for_a_party_they_do_not_represent(client, world):
    client.force_login(world["anna"])
    response = client.post(reverse("eloket:acting_as"), {"party": world["company"].pk})
    assert response.status_code == 404
    assert ACTING_PARTY_SESSION_KEY not in client.session


def test_a_forged_acting_party_in_the_session_falls_back_to_oneself(client, world):
    client.force_login(world["anna"])
    session = client.session
    session[ACTING_PARTY_SESSION_KEY] = world["company"].pk
    session.save()
    response = client.get(reverse("eloket:overview"))
    assert response.context["acting_party"].display_name == "Anna Aerts"
    company_dossier = world["dossiers"]["company"][0]
    assert company_dossier.reference not in response.content.decode()


def test_switching_to_the_company_shows_only_its_dossiers_and_says_so_on_every_page(client, world):
    client.force_login(world["bert"])
    response = client.post(reverse("eloket:acting_as"), {"party": world["company"].pk})
    assert response.status_code == 302
    page = client.get(reverse("eloket:overview")).content.decode()
    assert "U handelt namens" in page and "Bosmans Transport BV" in page
    assert world["dossiers"]["company"][0].reference in page
    assert world["dossiers"]["bert"][0].reference not in page
    detail = client.get(reverse("eloket:dossier_detail", args=[world["dossiers"]["company"][0].reference]))
    assert "Bosmans Transport BV" in detail.content.decode()


def test_the_overview_filters_by_kind_municipality_and_status(client):
    user = UserFactory()
    party = person_party(user=user)
    genk, hasselt = MunicipalityFactory(name_nl="Genk"), MunicipalityFactory(name_nl="Hasselt")
    retribution = DossierFactory(party=party, municipality=genk, notified=True)
    gas = DossierFactory(party=party, municipality=hasselt, kind=DossierKind.GAS4, notified=True)
    paid = DossierFactory(party=party, municipality=genk, paid=True)
    client.force_login(user)

    def references(**query):
        response = client.get(reverse("eloket:overview"), query)
        return {d.reference for d in response.context["page"].object_list}

    assert references() == {retribution.reference, gas.reference, paid.reference}
    assert references(kind="gas4") == {gas.reference}
    assert references(municipality=genk.pk) == {retribution.reference, paid.reference}
    assert references(status=DossierStatus.PAID) == {paid.reference}
    assert references(kind="nonsense") == {retribution.reference, gas.reference, paid.reference}


def test_the_overview_shows_the_total_due_and_what_needs_action_first(client):
    user = UserFactory()
    party = person_party(user=user)
    DossierFactory(party=party, notified=True)  # € 20
    DossierFactory(party=party, kind=DossierKind.GAS4, notified=True)  # € 58
    DossierFactory(party=party, paid=True)
    client.force_login(user)
    response = client.get(reverse("eloket:overview"))
    assert response.context["totals"].due_cents == 7800
    assert response.context["totals"].open_count == 2
    assert len(response.context["needs_action"]) == 2
    assert "€ 78,00" in response.content.decode()


def test_the_overview_sorts_and_paginates(client, settings):
    settings.ELOKET_PAGE_SIZE = 2
    user = UserFactory()
    party = person_party(user=user)
    cheap = DossierFactory(party=party, notified=True)
    dear = DossierFactory(party=party, kind=DossierKind.GAS4, gas_category=2, notified=True)
    DossierFactory(party=party, kind=DossierKind.GAS4, notified=True)
    client.force_login(user)
    first = client.get(reverse("eloket:overview"), {"sort": "amount"}).context["page"]
    assert first.object_list[0].reference == dear.reference
    assert first.paginator.num_pages == 2
    second = client.get(reverse("eloket:overview"), {"sort": "amount", "pagina": 2}).context["page"]
    assert second.object_list[0].reference == cheap.reference


def test_the_dossier_page_shows_amount_due_deadline_step_up_legal_basis_and_timeline(client):
    user = UserFactory()
    party = person_party(user=user)
    dossier = DossierFactory(party=party, notified=True)
    client.force_login(user)
    page = client.get(reverse("eloket:dossier_detail", args=[dossier.reference])).content.decode()
    assert 'data-testid="amount-due">€ 20,00' in page
    assert "€ 30,00 (kosten van de herinnering)" in page
    assert "gemeentelijke vergoeding voor het parkeren, geen boete" in page
    assert "Brief of e-mail verstuurd" in page
    assert dossier.timeline.filter(kind="viewed").count() == 1
    client.get(reverse("eloket:dossier_detail", args=[dossier.reference]))
    assert dossier.timeline.filter(kind="viewed").count() == 1


def test_no_action_button_is_shown_before_its_view_exists(client):
    user = UserFactory()
    dossier = DossierFactory(party=person_party(user=user), notified=True)
    client.force_login(user)
    page = client.get(reverse("eloket:dossier_detail", args=[dossier.reference])).content.decode()
    assert 'class="actions"' not in page


def test_national_and_enterprise_numbers_never_appear_in_pages(client, world):
    from eloket.models import Party

    client.force_login(world["bert"])
    pages = [reverse("eloket:overview"), reverse("eloket:acting_as")]
    pages += [reverse("eloket:dossier_detail", args=[world["dossiers"]["bert"][0].reference])]
    html = "".join(client.get(url).content.decode() for url in pages)
    masks = set(Party.objects.values_list("identifier_masked", flat=True))
    assert any(mask in html for mask in masks)
    assert not re.search(r"\d{2}\.?\d{2}\.?\d{2}-?\d{3}\.?\d{2}", html.replace("**.**.**-***.", ""))


def test_the_demo_login_does_not_exist_outside_demo_mode(client, settings):
    settings.DEMO_MODE = False
    assert client.get(reverse("eloket:demo_login")).status_code == 404
    assert client.post(reverse("eloket:demo_login"), {"identity": "citizen-many"}).status_code == 404


def test_the_demo_login_logs_in_a_seeded_identity_only(client, settings):
    settings.DEMO_MODE = True
    user = UserFactory(demo_key="citizen-test")
    person_party(user=user)
    assert client.post(reverse("eloket:demo_login"), {"identity": "nobody"}).status_code == 400
    response = client.post(reverse("eloket:demo_login"), {"identity": "citizen-test"})
    assert response.status_code == 302
    assert client.get(reverse("eloket:overview")).status_code == 200


def test_the_demo_login_does_not_redirect_to_another_site(client, settings):
    settings.DEMO_MODE = True
    UserFactory(demo_key="citizen-test")
    response = client.post(
        reverse("eloket:demo_login"), {"identity": "citizen-test", "next": "https://evil.example/"}
    )
    assert response.url == reverse("eloket:overview")


def test_needs_action_says_when_the_payment_term_has_already_passed(client):
    import datetime as dt

    from django.utils import timezone

    user = UserFactory()
    party = person_party(user=user)
    late = DossierFactory(party=party, notified=True)
    late.__class__.objects.filter(pk=late.pk).update(pay_by=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(user)
    page = client.get(reverse("eloket:overview")).content.decode()
    assert "de betaaltermijn liep af op" in page
