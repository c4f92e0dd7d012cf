"""Queue e-mails through the outbox (``eloket.models.Notification``).

A mail is rendered when it is queued, in the recipient's language, from three templates:
``email/<template>_subject.txt``, ``email/<template>.txt`` and ``email/<template>.html`` (the HTML one
extends ``email/base.html``). Links in mails are absolute (``settings.SITE_URL``). National numbers
never go into a mail: pass names, references and links only.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from eloket.models import Notification
from eloket.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notification_queue(
    *,
    key: str,
    template: str,
    to_email: str,
    language: str = "nl",
    context: dict | None = None,
    party=None,
    dossier=None,
    user=None,
) -> Notification | None:
    """The outbox row for ``key``, created and queued for sending after commit when it is new.

    Returns None (and queues nothing) when there is no address to write to.
    """
    if not to_email:
        return None
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    context = {"site_url": settings.SITE_URL.rstrip("/"), **(context or {})}
    with translation.override(language):
        subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
        body_text = render_to_string(f"email/{template}.txt", context)
        body_html = render_to_string(f"email/{template}.html", context)
    notification = Notification(
        key=key,
        template=template,
        to_email=to_email,
        language=language,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        party=party,
        dossier=dossier,
        user=user,
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:  # the same key queued concurrently
        return Notification.objects.get(key=key)
    notification_id = notification.pk
    # The mail recovery job finds a row whose task was lost: a broker outage only delays it.
    enqueue_after_commit("eloket.tasks.notification_send", notification_id)
    logger.info("notification_queued notification=%s template=%s", notification_id, template)
    return notification
