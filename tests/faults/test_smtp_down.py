"""The SMTP server down for ten minutes: the mails of that time wait (failed, retried with a growing
pause by the recovery schedule, none given up) and go out once the server is back, each exactly once.

The ten minutes are the clock's (time-machine), the server is real (aiosmtpd on a port where nothing
listened before), and the recovery job is called every minute as its schedule would be.
"""

from __future__ import annotations

import datetime as dt

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from eloket.constants import NotificationStatus as S
from eloket.mail.sending import notifications_recover
from eloket.models import EventType, Notification
from tests.eloket.mail.conftest import dispatch, emit, party_with_address
from tests.factories import DossierFactory, OrganisationFactory
from tests.faults.servers import free_port
from tests.mail_sink import MailSink

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

CITIZENS = 3


class SinkOnPort(MailSink):
    """The SMTP server, started on the port the site was configured with."""

    def start_on(self, port: int) -> SinkOnPort:
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._controller.start()
        return self


def statuses() -> list[tuple[str, int]]:
    return sorted(Notification.objects.values_list("status", "attempts"))


def test_mails_wait_while_the_smtp_server_is_down_for_ten_minutes_and_go_out_once_after(
    settings, django_capture_on_commit_callbacks, time_machine
):
    port = free_port()  # nothing listens there: the server is down
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    organisation = OrganisationFactory()
    for number in range(CITIZENS):
        party = party_with_address(name=f"Burger {number}", email=f"burger{number}@example.be")
        emit(EventType.DOSSIER_CREATED, DossierFactory(party=party, organisation=organisation, notified=True))

    dispatch(django_capture_on_commit_callbacks)
    assert statuses() == [(S.FAILED, 1)] * CITIZENS

    for minute in range(1, 11):  # ten minutes down; the recovery schedule keeps trying
        time_machine.move_to(start + dt.timedelta(minutes=minute), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            notifications_recover()
    # Retried after 5 minutes (failed again), the next try is due 10 minutes after that; none given up.
    assert statuses() == [(S.FAILED, 2)] * CITIZENS

    sink = SinkOnPort().start_on(port)
    try:
        for minute in range(11, 31):
            time_machine.move_to(start + dt.timedelta(minutes=minute), tick=False)
            with django_capture_on_commit_callbacks(execute=True):
                notifications_recover()
        assert statuses() == [(S.SENT, 3)] * CITIZENS
        ids = Notification.objects.order_by("pk").values_list("pk", flat=True)
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">")
        assert sorted(str(m["Message-ID"]) for m in sink.messages) == [
            f"<notification-{pk}@{domain}>" for pk in ids
        ]
    finally:
        sink.stop()
