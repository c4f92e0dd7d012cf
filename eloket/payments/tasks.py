"""django-q2 tasks for payments: thin, take ids, idempotent."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def refund_send(refund_id: int) -> str:
    """Ask the provider for an online refund; a retry finds the refund already sent."""
    from eloket.payments.services import refund_send as send

    return send(refund_id=refund_id).status


def payments_reconcile() -> dict[str, int]:
    """The scheduled job: settle online payments whose provider events did not come in time."""
    from eloket.payments.services import payments_reconcile as reconcile

    return reconcile()


def coda_apply(coda_import_id: int) -> dict[str, int]:
    """Book the matched movements of an imported CODA file on their dossiers (idempotent: a booked
    movement has its payment and is skipped)."""
    from eloket.payments.coda_import import coda_apply as apply

    return apply(coda_import_id=coda_import_id)
