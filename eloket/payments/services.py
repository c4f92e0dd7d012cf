"""Writes for payments and refunds. Every payment status change goes through ``_payment_move``
(the table is ``eloket.constants.PAYMENT_TRANSITIONS``); money reaches a dossier only through
``eloket.services.dossier_register_payment``.

A payment is confirmed only by a verified provider event (``event_record``) or by asking the provider
(``payments_reconcile``), never by the citizen's return to the site.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eloket.constants import (
    PAYMENT_TRANSITIONS,
    PAYMENT_UNFINISHED,
    DossierStatus,
    MovementStatus,
    PaymentChannel,
    PaymentStatus,
    RefundStatus,
    TimelineEventKind,
)
from eloket.models import (
    BankMovement,
    Dossier,
    EventType,
    Party,
    Payment,
    PaymentAccount,
    PaymentItem,
    ProviderEvent,
    Refund,
    TimelineEvent,
    User,
)
from eloket.notifications import absolute_url, notification_queue
from eloket.outbox import outbox_emit
from eloket.payments.provider import (
    CheckoutSession,
    ProviderError,
    ProviderEventData,
    RefundResult,
    provider_get,
)
from eloket.payments.selectors import dossier_is_payable
from eloket.references import ALPHABET
from eloket.services import _timeline_append as timeline_append
from eloket.services import dossier_register_payment
from eloket.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)

S = PaymentStatus


class PaymentRefused(ValidationError):
    """The citizen cannot pay this (not payable, another organisation, a payment in progress…)."""


def payment_reference_new() -> str:
    return "BET-" + "".join(secrets.choice(ALPHABET) for _ in range(8))


# -- Starting, resuming --------------------------------------------------------------------------------


def payment_start(
    *, party: Party, dossier_ids: list[int], user: User | None = None, language: str = "nl"
) -> Payment:
    """An online payment of these dossiers of one organisation, with its hosted checkout session.

    The amount is each dossier's amount due now, computed here. A payment that is still open for
    exactly these dossiers and amounts is reused (a double click, or coming back): one session, one
    idempotency key. An open payment for other dossiers or amounts is expired first.
    Raises ``PaymentRefused`` when a dossier is not the party's, not payable, of another organisation,
    or already in a payment being processed.
    """
    if not dossier_ids:
        raise PaymentRefused(_("Kies minstens één dossier om te betalen."), code="nothing_chosen")
    with transaction.atomic():
        dossiers, account = _payable_locked(party=party, dossier_ids=dossier_ids)
        organisation = account.organisation
        wanted = {d.pk: d.amount_due_cents for d in dossiers}
        now = timezone.now()
        payment, superseded = _unfinished_for(party=party, dossiers=dossiers, wanted=wanted, now=now)
        if payment is None:
            payment = Payment(
                reference=payment_reference_new(),
                channel=PaymentChannel.STRIPE,
                status=S.CREATED,
                party=party,
                organisation=organisation,
                amount_cents=sum(wanted.values()),
                provider_account=account.stripe_account_id,
                created_by=user,
                expires_at=now + dt.timedelta(minutes=settings.PAYMENT_SESSION_MINUTES),
            )
            payment.full_clean()
            payment.save()
            PaymentItem.objects.bulk_create(
                [
                    PaymentItem(payment=payment, dossier_id=pk, amount_cents=amount)
                    for pk, amount in wanted.items()
                ]
            )
            logger.info("payment_created payment=%s amount_cents=%s", payment.reference, payment.amount_cents)
    for payment_id in superseded:
        payment_expire(payment_id=payment_id)
    if not payment.provider_session_id:
        payment = _session_open(payment_id=payment.pk, language=language, methods=account.methods)
    return payment


def _unfinished_for(
    *, party: Party, dossiers: list[Dossier], wanted: dict[int, int], now: dt.datetime
) -> tuple[Payment | None, list[int]]:
    """An open payment of exactly these dossiers and amounts to reuse, and the other unfinished
    payments of these dossiers, which the new one supersedes. A payment being processed refuses."""
    unfinished = (
        Payment.objects.filter(
            channel=PaymentChannel.STRIPE, status__in=PAYMENT_UNFINISHED, items__dossier__in=dossiers
        )
        .distinct()
        .prefetch_related("items")
    )
    reusable, superseded = None, []
    for existing in unfinished:
        if existing.status == S.PROCESSING:
            raise PaymentRefused(
                _("Er is al een betaling voor dit dossier in verwerking. Wacht op het resultaat."),
                code="processing",
            )
        same = {item.dossier_id: item.amount_cents for item in existing.items.all()} == wanted
        fresh = existing.expires_at is None or existing.expires_at > now + dt.timedelta(minutes=2)
        if reusable is None and same and fresh and existing.party_id == party.pk:
            logger.info("payment_reused payment=%s", existing.reference)
            reusable = existing
        else:
            superseded.append(existing.pk)
    return reusable, superseded


def _payable_locked(*, party: Party, dossier_ids: list[int]) -> tuple[list[Dossier], PaymentAccount]:
    """The party's dossiers, locked, checked to be payable together online; with the account."""
    dossiers = list(
        Dossier.objects.select_for_update(of=("self",))
        .select_related("organisation", "regulation")
        .filter(party=party, pk__in=set(dossier_ids))
        .order_by("pk")
    )
    if len(dossiers) != len(set(dossier_ids)):
        raise PaymentRefused(_("Dit dossier kunt u niet betalen."), code="not_found")
    organisation = dossiers[0].organisation
    if any(d.organisation_id != organisation.pk for d in dossiers):
        raise PaymentRefused(
            _("U kunt alleen dossiers van dezelfde organisatie samen betalen."), code="several_creditors"
        )
    for dossier in dossiers:
        if not dossier_is_payable(dossier):
            raise PaymentRefused(
                _("Dossier %(ref)s kan nu niet betaald worden.") % {"ref": dossier.reference},
                code="not_payable",
            )
    account = (
        PaymentAccount.objects.filter(organisation=organisation, enabled=True)
        .select_related("organisation")
        .first()
    )
    if account is None or not settings.PAYMENTS_ONLINE:
        raise PaymentRefused(
            _("Online betalen is voor deze organisatie niet mogelijk. Betaal met een overschrijving."),
            code="no_account",
        )
    return dossiers, account


def _session_open(*, payment_id: int, language: str, methods: list[str]) -> Payment:
    """Create the provider's checkout session for a payment (idempotent: the key is the payment's)."""
    payment = Payment.objects.select_related("party", "organisation").get(pk=payment_id)
    references = list(payment.items.order_by("id").values_list("dossier__reference", flat=True))
    with translation.override(language):
        return_url = absolute_url(reverse("payments:status", args=[payment.reference]))
        description = _("%(organisation)s: %(references)s") % {
            "organisation": payment.organisation.name,
            "references": ", ".join(references),
        }
    session = provider_get().checkout_create(
        account=payment.provider_account,
        amount_cents=payment.amount_cents,
        description=description,
        methods=methods,
        success_url=return_url,
        cancel_url=f"{return_url}?afgebroken=1",
        idempotency_key=f"eloket-checkout-{payment.reference}",
        metadata={"payment": payment.reference, "organisation": payment.organisation.slug},
        locale=language,
        expires_at=payment.expires_at,
        customer_email=payment.party.email,
    )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if not payment.provider_session_id:
            payment.provider_session_id = session.id
            payment.checkout_url = session.url
            payment.save(update_fields=["provider_session_id", "checkout_url", "updated_at"])
            _payment_move(payment, S.OPEN, source="session_created")
    return payment


def payment_resume(
    *, party: Party, reference: str, user: User | None = None, language: str = "nl"
) -> Payment:
    """Go on with a payment the citizen left: the same session while it is open, a new payment of the
    dossiers still payable when it expired or failed. A finished or processing payment is returned
    as it is (the status page tells what happens)."""
    payment = Payment.objects.filter(party=party, reference=reference).first()
    if payment is None:
        raise PaymentRefused(_("Deze betaling bestaat niet."), code="not_found")
    if payment.status in (S.CREATED, S.OPEN) and payment.expires_at and payment.expires_at > timezone.now():
        if not payment.provider_session_id:
            account = PaymentAccount.objects.get(organisation_id=payment.organisation_id)
            payment = _session_open(payment_id=payment.pk, language=language, methods=account.methods)
        return payment
    if payment.status in (S.CREATED, S.OPEN, S.EXPIRED, S.FAILED):
        dossier_ids = [
            item.dossier_id
            for item in payment.items.select_related("dossier")
            if dossier_is_payable(item.dossier)
        ]
        return payment_start(party=party, dossier_ids=dossier_ids, user=user, language=language)
    return payment


def payment_expire(*, payment_id: int) -> Payment:
    """Close an unfinished online payment at the provider (it was superseded or ran out of time).
    When the provider says it was paid after all, that is applied instead."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status not in (S.CREATED, S.OPEN):
        return payment
    if not payment.provider_session_id:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment_id)
            _payment_move(locked, S.EXPIRED, source="no_session")
        return locked
    provider = provider_get()
    try:
        session = provider.checkout_expire(
            account=payment.provider_account, session_id=payment.provider_session_id
        )
    except ProviderError:
        session = provider.checkout_get(
            account=payment.provider_account, session_id=payment.provider_session_id
        )
    return payment_apply_session(payment_id=payment.pk, session=session, source="expire")


# -- Applying what the provider says ---------------------------------------------------------------


EVENT_TARGETS = {
    "checkout.session.async_payment_succeeded": S.SUCCEEDED,
    "checkout.session.async_payment_failed": S.FAILED,
    "checkout.session.expired": S.EXPIRED,
}


def _target_for(session: CheckoutSession, source: str) -> str | None:
    """Our status for what the provider reports; None when it tells nothing new."""
    if source in EVENT_TARGETS:
        return S.SUCCEEDED if session.payment_status == "paid" else EVENT_TARGETS[source]
    if session.payment_status in ("paid", "no_payment_required"):
        return S.SUCCEEDED
    if session.status == "expired":
        return S.EXPIRED
    if session.status == "complete":  # paid with a method that confirms later (delayed notification)
        return S.PROCESSING
    return None


def payment_apply_session(*, payment_id: int, session: CheckoutSession, source: str) -> Payment:
    """Move the payment to what the provider's session says, if the table allows it. Duplicates and
    late or out-of-order reports change nothing: success is never undone (only a refund follows it),
    a failure may still become a success."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        target = _target_for(session, source)
        if target is None or (payment.status, target) not in PAYMENT_TRANSITIONS:
            logger.info(
                "payment_report_ignored payment=%s status=%s target=%s source=%s",
                payment.reference,
                payment.status,
                target,
                source,
            )
            return payment
        if session.id != payment.provider_session_id or session.amount_cents != payment.amount_cents:
            logger.error(
                "payment_report_mismatch payment=%s session=%s amount_cents=%s",
                payment.reference,
                session.id,
                session.amount_cents,
            )
            return payment
        if target == S.SUCCEEDED:
            payment.provider_payment_id = session.payment_id or payment.provider_payment_id
            payment.method = session.method or payment.method
        _payment_move(payment, target, source=source)
    return payment


def _payment_move(payment: Payment, target: str, *, source: str) -> None:
    """Change a locked payment's status along the table, with what follows from it."""
    if (payment.status, target) not in PAYMENT_TRANSITIONS:
        raise ValidationError(f"payment {payment.reference}: {payment.status} → {target} is not allowed")
    previous = payment.status
    payment.status = target
    fields = ["status", "updated_at", "provider_payment_id", "method"]
    if target == S.SUCCEEDED:
        payment.succeeded_at = timezone.now()
        fields.append("succeeded_at")
    payment.save(update_fields=fields)
    logger.info(
        "payment_status payment=%s from=%s to=%s source=%s", payment.reference, previous, target, source
    )
    if target == S.SUCCEEDED:
        _payment_book(payment)
    elif target == S.FAILED:
        _payment_failed(payment)


def _payment_book(payment: Payment) -> None:
    """Book a succeeded payment on its dossiers; money a dossier no longer owes is refunded."""
    label = _("Betaling %(ref)s") % {"ref": payment.reference}
    for item in payment.items.select_related("dossier").filter(applied__isnull=True):
        try:
            with transaction.atomic():
                dossier = dossier_register_payment(
                    dossier_id=item.dossier_id, amount_cents=item.amount_cents, actor_label=label
                )
                if dossier.status != DossierStatus.PAID:  # no status change to record it: say so
                    timeline_append(
                        dossier=dossier,
                        kind=TimelineEventKind.PAYMENT_RECEIVED,
                        actor_label=label,
                        data=_event_data(payment, item.amount_cents),
                    )
                else:  # paid in full just now: the organisation's systems hear of it (webhooks)
                    outbox_emit(
                        type=EventType.DOSSIER_PAID,
                        organisation_id=dossier.organisation_id,
                        dossier=dossier,
                        data={
                            "payment": payment.reference,
                            "payment_channel": payment.channel,
                            "amount_cents": item.amount_cents,
                        },
                    )
            item.applied = True
        except ValidationError:
            item.applied = False
            logger.warning(
                "payment_item_not_owed payment=%s dossier=%s amount_cents=%s",
                payment.reference,
                item.dossier_id,
                item.amount_cents,
            )
            _refund_create(
                payment=payment,
                dossier=item.dossier,
                amount_cents=item.amount_cents,
                source_key=f"excess-{item.pk}",
                note=_("Het dossier stond niet meer open toen de betaling binnenkwam."),
            )
        item.save(update_fields=["applied"])
    _receipt(payment, "payment_receipt")


def _payment_failed(payment: Payment) -> None:
    for item in payment.items.select_related("dossier"):
        timeline_append(
            dossier=item.dossier,
            kind=TimelineEventKind.PAYMENT_FAILED,
            actor_label=payment.reference,
            data=_event_data(payment, item.amount_cents),
        )
    _receipt(payment, "payment_failed")


def _event_data(payment: Payment, amount_cents: int) -> dict:
    return {"payment": payment.reference, "channel": payment.channel, "amount_cents": amount_cents}


def _receipt(payment: Payment, template: str) -> None:
    party = payment.party
    with translation.override(party.language):
        url = absolute_url(reverse("payments:status", args=[payment.reference]))
    notification_queue(
        key=f"{template}:{payment.reference}",
        template=template,
        to_email=party.email,
        language=party.language,
        party=party,
        context={
            "payment": payment,
            "items": list(payment.items.select_related("dossier")),
            "organisation_name": payment.organisation.name,
            "url": url,
        },
    )


# -- Provider events ---------------------------------------------------------------------------------


def event_record(*, event: ProviderEventData) -> str:
    """Store a verified provider event once (by its id) and apply it, in one transaction: when
    applying fails, nothing is stored and the provider's retry gets another chance.

    Returns what happened: ``duplicate``, ``applied``, ``ignored``, ``unknown_payment``,
    ``account_mismatch``, ``unknown_refund``.
    """
    try:
        with transaction.atomic():
            record = ProviderEvent.objects.create(
                event_id=event.id,
                type=event.type,
                account=event.account,
                object_id=event.object_id[:255],
                payload=event.object,
            )
            result = _event_apply(event, record)
            record.result = result
            record.save(update_fields=["result", "payment"])
    except IntegrityError:
        if not ProviderEvent.objects.filter(event_id=event.id).exists():
            raise
        logger.info("payment_webhook_duplicate event=%s type=%s", event.id, event.type)
        return "duplicate"
    return result


def _event_apply(event: ProviderEventData, record: ProviderEvent) -> str:
    if event.type.startswith("checkout.session."):
        session = provider_get().session_from_event(event)
        payment = Payment.objects.filter(provider_session_id=session.id).first()
        if payment is None and session.metadata.get("payment"):
            payment = Payment.objects.filter(reference=session.metadata["payment"]).first()
        if payment is None:
            logger.warning("payment_webhook_unknown event=%s session=%s", event.id, session.id)
            return "unknown_payment"
        record.payment = payment
        if event.account != payment.provider_account:
            logger.warning(
                "payment_webhook_account_mismatch event=%s payment=%s", event.id, payment.reference
            )
            return "account_mismatch"
        if not payment.provider_session_id:  # the event overtook our own save of the session id
            Payment.objects.filter(pk=payment.pk, provider_session_id__isnull=True).update(
                provider_session_id=session.id, checkout_url=session.url
            )
            with transaction.atomic():
                locked = Payment.objects.select_for_update().get(pk=payment.pk)
                if locked.status == S.CREATED:
                    _payment_move(locked, S.OPEN, source="event")
        source = "checkout.session.completed" if event.type.endswith(".completed") else event.type
        payment_apply_session(payment_id=payment.pk, session=session, source=source)
        return "applied"
    if event.type in ("refund.updated", "refund.created", "charge.refunded", "refund.failed"):
        results = [
            refund_apply(result=result, account=event.account)
            for result in provider_get().refunds_from_event(event)
        ]
        return "applied" if any(results) else "unknown_refund"
    return "ignored"


# -- Refunds -----------------------------------------------------------------------------------------


# Events whose ``refund_due_cents`` is money to give back (keyed on their timeline event's data).
REFUNDING_EVENTS = frozenset({EventType.DECISION, EventType.DOSSIER_CANCELLED_BY_SESSION})


def refunds_fan_out(events) -> int:
    """Outbox consumer (``eloket.outbox.OUTBOX_CONSUMERS``): the refunds of each decision that left
    money to give back (``dossier.decided`` with ``refund_due_cents``), and of each paid retribution
    that a late parking session cancelled (``dossier.cancelled_by_session`` with ``refund_due_cents``,
    ``eloket.sessions.cross_check``).

    Runs inside the outbox dispatch's transaction, so the refund rows commit with the event being
    marked dispatched, or not at all: a broker that is down when the clerk decides loses nothing (the
    dispatch schedule takes the event up), and a dispatch that runs twice finds the refunds made
    (``refund_for_decision`` is keyed on the decision). The provider is asked after commit
    (``refund_send``), and the reconciliation sends a pending refund whose task was lost. Returns the
    number of refunds made.
    """
    made = 0
    for event in events:
        if event.type not in REFUNDING_EVENTS or not event.dossier_id or not isinstance(event.data, dict):
            continue  # another event's data may be any JSON (a city system's status update)
        amount_cents = event.data.get("refund_due_cents")
        if amount_cents:
            made += len(refund_for_decision(dossier_id=event.dossier_id, amount_cents=amount_cents))
    return made


def refund_for_decision(*, dossier_id: int, amount_cents: int) -> list[Refund]:
    """Give back ``amount_cents`` of a dossier after a decision, through the channels that took it
    (newest payment first). Idempotent: keyed on the decision's timeline event, so a retried task
    finds the refunds it made. Money that came in outside the e-loket becomes a to-do for a clerk."""
    event = (
        TimelineEvent.objects.filter(dossier_id=dossier_id, data__refund_due_cents=amount_cents)
        .order_by("-occurred_at", "-id")
        .first()
    )
    source = f"decision-{event.pk}" if event else f"decision-amount-{amount_cents}"
    created: list[Refund] = []
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
        existing = list(Refund.objects.filter(dossier=dossier, source_key__startswith=f"{source}:"))
        if existing:
            return existing
        remaining = amount_cents
        items = (
            PaymentItem.objects.filter(dossier=dossier, applied=True, payment__status__in=[S.SUCCEEDED])
            .select_related("payment")
            .order_by("-payment__succeeded_at", "-id")
        )
        for item in items:
            refundable = item.amount_cents - sum(
                r.amount_cents
                for r in Refund.objects.filter(payment=item.payment, dossier=dossier).exclude(
                    status=RefundStatus.FAILED
                )
            )
            take = min(remaining, refundable)
            if take <= 0:
                continue
            created.append(
                _refund_create(
                    payment=item.payment,
                    dossier=dossier,
                    amount_cents=take,
                    source_key=f"{source}:{item.payment.reference}",
                )
            )
            remaining -= take
            if remaining == 0:
                break
        if remaining:
            created.append(
                _refund_create(
                    payment=None,
                    dossier=dossier,
                    amount_cents=remaining,
                    source_key=f"{source}:outside",
                    note=_("Betaald buiten het e-loket: terug te storten door de organisatie."),
                )
            )
    return created


def _refund_create(
    *, payment: Payment | None, dossier: Dossier, amount_cents: int, source_key: str, note: str = ""
) -> Refund:
    """A refund row, and what it needs: the provider's refund after commit (online), or the payer's
    account from the bank statement for the clerk's to-do (bank transfer)."""
    online = payment is not None and payment.channel == PaymentChannel.STRIPE
    refund = Refund(
        payment=payment,
        dossier=dossier,
        amount_cents=amount_cents,
        status=RefundStatus.PENDING if online else RefundStatus.TO_DO,
        source_key=source_key,
        note=note,
    )
    if payment is not None and payment.channel == PaymentChannel.BANK_TRANSFER:
        movement = BankMovement.objects.filter(payment=payment).first()
        if movement is not None:
            refund.counterparty_iban = movement.counterparty_iban
            refund.counterparty_name = movement.counterparty_name
    refund.full_clean()
    refund.save()
    timeline_append(
        dossier=dossier,
        kind=TimelineEventKind.REFUND_STARTED,
        actor_label=payment.reference if payment else "",
        data={
            "refund": refund.pk,
            "amount_cents": amount_cents,
            "channel": payment.channel if payment else "",
        },
    )
    logger.info(
        "refund_created refund=%s dossier=%s amount_cents=%s online=%s",
        refund.pk,
        dossier.pk,
        amount_cents,
        online,
    )
    if online:
        refund_id = refund.pk
        # The reconciliation sends a pending refund whose task was lost (a broker outage).
        enqueue_after_commit("eloket.payments.tasks.refund_send", refund_id)
    return refund


def refund_send(*, refund_id: int) -> Refund:
    """Ask the provider for a pending online refund (idempotency key: the refund's id)."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.provider_refund_id:
        return refund
    try:
        result = provider_get().refund_create(
            account=refund.payment.provider_account,
            payment_id=refund.payment.provider_payment_id,
            amount_cents=refund.amount_cents,
            idempotency_key=f"eloket-refund-{refund.pk}",
            metadata={"refund": str(refund.pk), "payment": refund.payment.reference},
        )
    except ProviderError as error:
        if not error.permanent:
            raise  # the task or the reconciliation asks again
        with transaction.atomic():
            locked = Refund.objects.select_for_update(of=("self",)).get(pk=refund.pk)
            refused = _("Geweigerd door de betaalprovider: %(reason)s") % {"reason": error}
            locked.note = f"{locked.note}\n{refused}".strip()
            _refund_finish(locked, RefundStatus.FAILED)
        logger.error("refund_refused refund=%s", refund.pk)
        return locked
    Refund.objects.filter(pk=refund.pk, provider_refund_id__isnull=True).update(provider_refund_id=result.id)
    refund_apply(result=result, account=refund.payment.provider_account)
    refund.refresh_from_db()
    return refund


REFUND_OUTCOMES = {
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}


def refund_apply(*, result: RefundResult, account: str) -> Refund | None:
    """What the provider says about a refund; a finished refund is never changed again."""
    with transaction.atomic():
        query = Refund.objects.select_for_update(of=("self",)).select_related("payment", "dossier")
        refund = query.filter(provider_refund_id=result.id).first() if result.id else None
        if refund is None and str(result.metadata.get("refund", "")).isdigit():
            refund = query.filter(pk=int(result.metadata["refund"]), provider_refund_id__isnull=True).first()
            if refund is not None:
                refund.provider_refund_id = result.id
                refund.save(update_fields=["provider_refund_id"])
        if refund is None or refund.payment is None or refund.payment.provider_account != account:
            logger.warning("refund_report_unknown refund=%s", result.id)
            return None
        outcome = REFUND_OUTCOMES.get(result.status)
        if outcome is None or refund.status != RefundStatus.PENDING:
            return refund
        _refund_finish(refund, outcome)
    return refund


def refund_mark_done(*, refund_id: int, user: User, note: str = "") -> Refund:
    """A clerk transferred a refund by hand (bank-transfer payments, money paid outside the e-loket)."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment", "dossier")
            .get(pk=refund_id)
        )
        if refund.status != RefundStatus.TO_DO:
            raise ValidationError(_("Deze terugbetaling is niet meer te doen."), code="not_to_do")
        refund.completed_by = user
        if note:
            refund.note = f"{refund.note}\n{note}".strip()
        _refund_finish(refund, RefundStatus.SUCCEEDED)
    return refund


def _refund_finish(refund: Refund, outcome: str) -> None:
    refund.status = outcome
    refund.completed_at = timezone.now()
    refund.save(update_fields=["status", "completed_at", "completed_by", "note"])
    logger.info("refund_finished refund=%s status=%s", refund.pk, outcome)
    if outcome != RefundStatus.SUCCEEDED:
        return
    payment = refund.payment
    if payment is not None:
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.refunded_cents += refund.amount_cents
        payment.save(update_fields=["refunded_cents", "updated_at"])
        if payment.refunded_cents >= payment.amount_cents and payment.status == S.SUCCEEDED:
            _payment_move(payment, S.REFUNDED, source="refund")
    timeline_append(
        dossier=refund.dossier,
        kind=TimelineEventKind.REFUNDED,
        actor_label=payment.reference if payment else "",
        data={"refund": refund.pk, "amount_cents": refund.amount_cents},
    )
    outbox_emit(
        type=EventType.REFUND,
        organisation_id=refund.dossier.organisation_id,
        dossier=refund.dossier,
        data={
            "refund": refund.pk,
            "amount_cents": refund.amount_cents,
            "payment": payment.reference if payment else "",
            "payment_channel": payment.channel if payment else "",
        },
    )
    party = refund.dossier.party
    with translation.override(party.language):
        url = absolute_url(reverse("eloket:dossier_detail", args=[refund.dossier.reference]))
    notification_queue(
        key=f"refund_done:{refund.pk}",
        template="refund_done",
        to_email=party.email,
        language=party.language,
        party=party,
        dossier=refund.dossier,
        context={"refund": refund, "dossier": refund.dossier, "url": url},
    )


# -- Reconciliation ----------------------------------------------------------------------------------


def payments_reconcile(*, older_than: dt.timedelta | None = None, limit: int = 500) -> dict[str, int]:
    """Ask the provider about online payments still unfinished after ``older_than`` (and pending
    refunds), and settle them as the provider says. For payments whose events never came. Also books
    the bank movements a CODA import matched that are still unbooked after ``older_than``."""
    if older_than is None:  # not "or": timedelta(0), "now", is falsy
        older_than = dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    counts = {"checked": 0, "changed": 0, "errors": 0, "refunds": 0, "booked": 0}
    pending = Payment.objects.filter(
        channel=PaymentChannel.STRIPE, status__in=PAYMENT_UNFINISHED, created_at__lt=cutoff
    ).order_by("last_checked_at", "created_at")[:limit]
    provider = provider_get()
    for payment in pending:
        counts["checked"] += 1
        Payment.objects.filter(pk=payment.pk).update(last_checked_at=timezone.now())
        try:
            if not payment.provider_session_id:
                after = payment_expire(payment_id=payment.pk)
            else:
                session = provider.checkout_get(
                    account=payment.provider_account, session_id=payment.provider_session_id
                )
                after = payment_apply_session(payment_id=payment.pk, session=session, source="reconcile")
                if after.status == S.OPEN and payment.expires_at and payment.expires_at < timezone.now():
                    after = payment_expire(payment_id=payment.pk)
        except ProviderError:
            counts["errors"] += 1
            continue
        counts["changed"] += after.status != payment.status
    from eloket.payments.coda_import import coda_apply  # it books through this module's services

    # Bank movements an import matched whose booking task was lost (the broker was down after it).
    for coda_import_id in (
        BankMovement.objects.filter(
            status=MovementStatus.MATCHED, payment__isnull=True, coda_import__imported_at__lt=cutoff
        )
        .order_by("coda_import_id")
        .values_list("coda_import_id", flat=True)
        .distinct()[:limit]
    ):
        counts["booked"] += coda_apply(coda_import_id=coda_import_id)["booked"]
    for refund in Refund.objects.filter(
        status=RefundStatus.PENDING, created_at__lt=cutoff, payment__isnull=False
    ).select_related("payment")[:limit]:
        try:
            if refund.provider_refund_id:
                result = provider.refund_get(
                    account=refund.payment.provider_account, refund_id=refund.provider_refund_id
                )
                refund_apply(result=result, account=refund.payment.provider_account)
            else:
                refund_send(refund_id=refund.pk)
            counts["refunds"] += 1
        except ProviderError:
            counts["errors"] += 1
    logger.info("payments_reconciled %s", " ".join(f"{k}={v}" for k, v in counts.items()))
    return counts
