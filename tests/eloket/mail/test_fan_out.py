"""The outbox consumer that tells citizens: which event becomes which mail, to whom, in which language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from eloket.constants import DossierKind, DossierStatus, Language, MailFrequency, NotificationStatus
from eloket.mail import mail_fan_out
from eloket.models import DigestLine, EventType, Notification, OutboxEvent
from eloket.ogm import ogm_display
from tests.eloket.mail.conftest import dispatch, emit, party_with_address
from tests.mail_sink import html_of, text_of  # noqa: F401  (same helpers as the SMTP tests)

pytestmark = pytest.mark.django_db


def only_mail():
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def test_a_new_dossier_is_mailed_to_the_verified_address_with_a_link_amount_deadline_and_how_to_pay(
    citizen, make_dossier, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://eloket.example.be"
    dossier = make_dossier(citizen)
    emit(EventType.DOSSIER_CREATED, dossier)

    dispatch(django_capture_on_commit_callbacks)

    message = only_mail()
    assert message.to == ["an.peeters@example.be"]
    assert message.subject == f"Nieuw dossier {dossier.reference}: Parkeerretributie van Stad Genk"
    link = f"https://eloket.example.be/nl/mijn/dossiers/{dossier.reference}/"
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert link in body
        assert "€ 20,00" in body
        assert dossier.pay_by.strftime("%Y") in body
        assert ogm_display(dossier.ogm) in body
        assert "bezwaar indienen" in body
    assert f'href="{link}"' in html
    notification = Notification.objects.get()
    assert (notification.key, notification.status) == (
        f"dossier-created:{dossier.reference}",
        NotificationStatus.SENT,
    )
    assert (notification.party_id, notification.dossier_id) == (citizen.pk, dossier.pk)


def test_the_mail_is_in_the_partys_language_with_the_link_in_that_language(
    make_dossier, django_capture_on_commit_callbacks
):
    party = party_with_address(language=Language.FR)
    dossier = make_dossier(party)
    emit(EventType.DOSSIER_CREATED, dossier)

    dispatch(django_capture_on_commit_callbacks)

    message = only_mail()
    assert (
        message.subject
        == f"Nouveau dossier {dossier.reference} : Redevance de stationnement de Ville de Genk"
    )
    assert "Comment payer :" in message.body
    assert f"/fr/mijn/dossiers/{dossier.reference}/" in message.body
    assert "€ 20,00" in message.body
    assert 'lang="fr"' in message.alternatives[0][0]


@pytest.mark.parametrize(
    "address", [{"verified": False}, {"email": ""}], ids=["unverified address", "no address"]
)
def test_no_mail_without_a_verified_address(address, make_dossier, django_capture_on_commit_callbacks):
    party = party_with_address(**address)
    emit(EventType.DOSSIER_CREATED, make_dossier(party))

    dispatch(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_party_that_wants_no_new_dossier_mails_gets_none(make_dossier, django_capture_on_commit_callbacks):
    party = party_with_address(mail_new_dossier=False)
    emit(EventType.DOSSIER_CREATED, make_dossier(party))

    dispatch(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_a_party_with_a_daily_digest_gets_a_digest_line_instead_of_a_mail(
    daily_citizen, make_dossier, django_capture_on_commit_callbacks
):
    dossier = make_dossier(daily_citizen)
    event = emit(EventType.DOSSIER_CREATED, dossier)

    dispatch(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    line = DigestLine.objects.get()
    assert (line.party_id, line.event_id, line.dossier_id, line.notification) == (
        daily_citizen.pk, event.pk, dossier.pk, None,
    )  # fmt: skip


def test_a_company_gets_a_digest_by_default_and_a_mail_each_when_it_asks(
    make_dossier, django_capture_on_commit_callbacks
):
    by_default = party_with_address(name="Transport NV", email="fleet@transport.be", enterprise=True)
    each = party_with_address(
        name="Koerier BV", email="info@koerier.be", enterprise=True, mail_frequency=MailFrequency.EACH
    )
    emit(EventType.DOSSIER_CREATED, make_dossier(by_default))
    emit(EventType.DOSSIER_CREATED, make_dossier(each))

    dispatch(django_capture_on_commit_callbacks)

    assert only_mail().to == ["info@koerier.be"]
    assert list(DigestLine.objects.values_list("party_id", flat=True)) == [by_default.pk]


def test_a_gas_fine_speaks_of_a_defence_and_a_permit_of_no_contest(
    citizen, make_dossier, django_capture_on_commit_callbacks
):
    fine = make_dossier(citizen, kind=DossierKind.GAS4)
    permit = make_dossier(citizen, kind=DossierKind.RESIDENT_PERMIT, notified=False, active=True)
    emit(EventType.DOSSIER_CREATED, fine)
    emit(EventType.DOSSIER_CREATED, permit)

    dispatch(django_capture_on_commit_callbacks)

    by_reference = {m.subject.split(":")[0].split()[-1]: m for m in mail.outbox}
    assert "verweer indienen" in by_reference[fine.reference].body
    assert "€ 58,00" in by_reference[fine.reference].body
    assert "bezwaar" not in by_reference[permit.reference].body
    assert "verweer" not in by_reference[permit.reference].body


def test_events_of_other_types_are_left_to_other_consumers(
    citizen, make_dossier, django_capture_on_commit_callbacks
):
    dossier = make_dossier(citizen)
    emit(EventType.DOSSIER_PAID, dossier)
    emit(EventType.DECISION, dossier)
    emit(EventType.SUBMISSION_RECEIVED, dossier)

    dispatch(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_the_same_event_twice_gives_one_mail(citizen, make_dossier, django_capture_on_commit_callbacks):
    dossier = make_dossier(citizen)
    event = emit(EventType.DOSSIER_CREATED, dossier)
    event = OutboxEvent.objects.select_related("dossier", "party", "organisation").get(pk=event.pk)

    with django_capture_on_commit_callbacks(execute=True):
        mail_fan_out([event])
        mail_fan_out([event])

    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_dossier_cancelled_before_its_event_is_dispatched_gets_no_new_dossier_mail(
    citizen, make_dossier, django_capture_on_commit_callbacks
):
    dossier = make_dossier(citizen, notified=False)
    emit(EventType.DOSSIER_CREATED, dossier)
    from eloket import services

    services.dossier_transition(dossier_id=dossier.pk, to_status=DossierStatus.CANCELLED)

    dispatch(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_a_decision_is_mailed_with_what_is_due_now(citizen, make_dossier, django_capture_on_commit_callbacks):
    dossier = make_dossier(citizen)
    emit(EventType.DOSSIER_UPDATED, dossier, change="decided_rejected", decision="rejected")

    dispatch(django_capture_on_commit_callbacks)

    message = only_mail()
    assert message.subject == f"Beslissing over uw bezwaar of verweer: dossier {dossier.reference}"
    assert ": ongegrond." in message.body
    assert "Nu te betalen: € 20,00" in message.body
    key = Notification.objects.get().key
    assert key.startswith(f"dossier-updated:{dossier.reference}:decided_rejected:")


def test_a_reminder_the_city_sent_is_not_mailed_once_the_dossier_is_paid(
    citizen, make_dossier, django_capture_on_commit_callbacks
):
    from eloket import services

    dossier = make_dossier(citizen)
    emit(EventType.DOSSIER_UPDATED, dossier, change="reminder")
    services.dossier_register_payment(dossier_id=dossier.pk, amount_cents=dossier.amount_due_cents)
    emit(EventType.DOSSIER_UPDATED, dossier, change="paid")

    dispatch(django_capture_on_commit_callbacks)

    assert only_mail().subject == f"Dossier {dossier.reference} is betaald"


@pytest.mark.parametrize("data", [{"change": "viewed"}, {}, ["not", "an", "object"]], ids=repr)
def test_a_change_the_citizen_need_not_hear_of_is_not_mailed(
    data, citizen, make_dossier, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from eloket.outbox import outbox_emit

    dossier = make_dossier(citizen)
    with transaction.atomic():
        outbox_emit(
            type=EventType.DOSSIER_UPDATED,
            organisation_id=dossier.organisation_id,
            dossier=dossier,
            data=data,
        )

    dispatch(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert OutboxEvent.objects.get().dispatched_at is not None


@pytest.fixture
def permit_and_retribution(organisation, make_dossier):
    """A retribution for a car in zone A, then the resident's card that covers it."""

    def make(party, **retribution):
        from django.utils import timezone

        now = timezone.now()
        municipality = organisation.municipalities.first()
        if municipality is None:
            from tests.factories import MunicipalityFactory

            municipality = MunicipalityFactory()
            organisation.municipalities.add(municipality)
        place = {"municipality": municipality, "plate": "1-ABC-123", "zone_code": "Zone A", "street": ""}
        retribution = make_dossier(party, **place, **retribution)
        card = make_dossier(
            party,
            kind=DossierKind.RESIDENT_PERMIT,
            notified=False,
            active=True,
            occurred_at=None,
            valid_from=now - dt.timedelta(days=30),
            valid_until=now + dt.timedelta(days=30),
            **place,
        )  # arrives later: the retribution is cancelled retroactively
        return card, retribution

    return make


def test_a_retribution_a_permit_covered_brings_good_news_naming_the_permit(
    citizen, permit_and_retribution, django_capture_on_commit_callbacks
):
    card, covered = permit_and_retribution(citizen)  # notified: the city's letter went out
    covered.refresh_from_db()
    assert covered.status == DossierStatus.CANCELLED_BY_PERMIT

    dispatch(django_capture_on_commit_callbacks)

    message = only_mail()
    assert message.subject == f"Goed nieuws: Parkeerretributie {covered.reference} is geannuleerd"
    assert f"een geldige vergunning ({card.reference})" in message.body
    assert Notification.objects.get().key == f"dossier-cancelled-by-permit:{covered.reference}"


def test_a_retribution_cancelled_before_anyone_told_the_citizen_brings_no_mail(
    citizen, permit_and_retribution, django_capture_on_commit_callbacks
):
    _card, covered = permit_and_retribution(citizen, notified=False)  # still "issued": no letter yet
    emit(EventType.DOSSIER_CREATED, covered)

    dispatch(django_capture_on_commit_callbacks)

    assert mail.outbox == []
