"""The outbox consumer that tells citizens: which event becomes which mail, to whom, in which language."""

from __future__ import annotations

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
    assert "Ville de Genk" in message.subject
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
