"""The payment benchmarks of ``python -m bench``.

* ``webhooks``: 10,000 signed Stripe events, 30% of them duplicates, in shuffled order, posted to our
  webhook endpoint in-process (signature check, store once, apply). Prints events/s and fails when any
  payment ends in the wrong state or any dossier is not paid exactly once.
* ``coda``: a CODA file of 100,000 movements (exact OGM matches of payable dossiers, the rest unknown
  references) imported into one organisation's books: parse, check, store and classify in one
  transaction. Prints movements/s and the ratio to only parsing the file (target ≥ 0.3; the best of three
  runs of each), and the rate at
  which matched movements are then booked on their dossiers (the after-commit task, on a sample).

Both use the benchmark database (``bench.settings``) and the dossiers the overview benchmark seeds; they
add their own payments and bank movements and leave the dossiers they paid paid.
"""

from __future__ import annotations

import json
import random
import time

CODA_TARGET_RATIO = 0.3
OUTCOMES = {  # what the citizen did → the events the provider sends, and where the payment must end
    "bancontact": (["checkout.session.completed:paid"], "succeeded"),
    "later_success": (
        ["checkout.session.completed:unpaid", "checkout.session.async_payment_succeeded"],
        "succeeded",
    ),
    "later_failure": (
        ["checkout.session.completed:unpaid", "checkout.session.async_payment_failed"],
        "failed",
    ),
    "expired": (["checkout.session.expired"], "expired"),
}


def payable_queryset():
    """Open dossiers with nothing paid and no payment under way or done (a failed or expired online
    payment leaves a dossier payable)."""
    from eloket.constants import PAYMENT_UNFINISHED, DossierStatus, PaymentStatus
    from eloket.models import Dossier

    taken = [*PAYMENT_UNFINISHED, PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED]
    return Dossier.objects.filter(
        status__in=[DossierStatus.NOTIFIED, DossierStatus.REMINDED],
        amount_paid_cents=0,
        amount_original_cents__gt=0,
    ).exclude(payment_items__payment__status__in=taken)


def payable_dossier_ids(count: int, *, organisation_id: int | None = None) -> list[int]:
    """Dossiers that can be paid now and have no payment yet (seeding more when there are too few)."""
    from eloket.scale import seed_scale

    def query() -> list[int]:
        queryset = payable_queryset()
        if organisation_id:
            queryset = queryset.filter(organisation_id=organisation_id)
        return list(queryset.order_by("id").values_list("id", flat=True)[:count])

    ids = query()
    for _attempt in range(4):
        if len(ids) >= count or organisation_id:
            break
        seed_scale(dossiers=max((count - len(ids)) * 12, 20_000), progress=False)
        ids = query()
    return ids


def _accounts(organisation_ids) -> dict[int, str]:
    from eloket.models import PaymentAccount

    for organisation_id in organisation_ids:
        PaymentAccount.objects.get_or_create(
            organisation_id=organisation_id, defaults={"stripe_account_id": f"acct_bench_{organisation_id}"}
        )
    return dict(
        PaymentAccount.objects.filter(organisation_id__in=organisation_ids).values_list(
            "organisation_id", "stripe_account_id"
        )
    )


def _make_payments(dossier_ids: list[int], outcomes: list[str]) -> list[tuple[int, str, str, int, str]]:
    """Open payments (as after the citizen left for the hosted page), one per dossier, in bulk."""
    from eloket.constants import PaymentChannel, PaymentStatus
    from eloket.models import Dossier, Payment, PaymentItem
    from eloket.payments.services import payment_reference_new

    dossiers = list(Dossier.objects.filter(pk__in=dossier_ids).order_by("id"))
    accounts = _accounts({d.organisation_id for d in dossiers})
    run = f"{int(time.time())}"
    payments = [
        Payment(
            reference=payment_reference_new(),
            channel=PaymentChannel.STRIPE,
            status=PaymentStatus.OPEN,
            party_id=d.party_id,
            organisation_id=d.organisation_id,
            amount_cents=d.amount_due_cents,
            provider_account=accounts[d.organisation_id],
            provider_session_id=f"cs_bench_{run}_{d.pk}",
            checkout_url="http://127.0.0.1/checkout",
        )
        for d in dossiers
    ]
    Payment.objects.bulk_create(payments, batch_size=1000)
    saved = {
        p.provider_session_id: p
        for p in Payment.objects.filter(provider_session_id__startswith=f"cs_bench_{run}_")
    }
    items = []
    result = []
    for dossier, outcome in zip(dossiers, outcomes, strict=True):
        payment = saved[f"cs_bench_{run}_{dossier.pk}"]
        items.append(PaymentItem(payment=payment, dossier=dossier, amount_cents=payment.amount_cents))
        result.append(
            (payment.pk, payment.provider_session_id, payment.provider_account, payment.amount_cents, outcome)
        )
    PaymentItem.objects.bulk_create(items, batch_size=1000)
    return result


def _event(kind: str, *, session_id: str, account: str, amount: int, number: int) -> bytes:
    event_type, _, payment_status = kind.partition(":")
    if event_type.endswith("async_payment_succeeded"):
        payment_status = "paid"
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_total": amount,
        "currency": "eur",
        "status": "expired" if event_type.endswith("expired") else "complete",
        "payment_status": payment_status or "unpaid",
        "payment_intent": None if event_type.endswith("expired") else f"pi_{session_id}",
        "payment_method_types": ["bancontact", "card"],
        "metadata": {"method_used": "bancontact"},
        "url": None,
    }
    event = {
        "id": f"evt_{session_id}_{number}",
        "object": "event",
        "type": event_type,
        "account": account,
        "created": int(time.time()),
        "data": {"object": session},
    }
    return json.dumps(event).encode()


def bench_webhooks(*, events: int = 10_000, duplicate_share: float = 0.3, seed: int = 7) -> tuple[str, bool]:
    from django.conf import settings
    from django.test import Client

    from eloket.constants import DossierStatus
    from eloket.models import Dossier, Payment
    from eloket.payments.standin import sign

    rng = random.Random(seed)
    unique_target = round(events * (1 - duplicate_share))
    plan: list[str] = []
    count = 0
    names = list(OUTCOMES)
    while count < unique_target:
        outcome = names[len(plan) % len(names)]
        plan.append(outcome)
        count += len(OUTCOMES[outcome][0])
    dossier_ids = payable_dossier_ids(len(plan))
    if len(dossier_ids) < len(plan):
        raise SystemExit(f"bench: only {len(dossier_ids)} payable dossiers for {len(plan)} payments")
    payments = _make_payments(dossier_ids, plan)
    bodies = []
    for _payment_id, session_id, account, amount, outcome in payments:
        for number, kind in enumerate(OUTCOMES[outcome][0]):
            bodies.append(_event(kind, session_id=session_id, account=account, amount=amount, number=number))
    duplicates = [rng.choice(bodies) for _ in range(events - len(bodies))]
    stream = bodies + duplicates
    rng.shuffle(stream)

    client = Client()
    secret = settings.STRIPE_WEBHOOK_SECRET
    results: dict[str, int] = {}
    started = time.perf_counter()
    for body in stream:
        response = client.post(
            "/betalingen/webhook/stripe/", data=body, content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(body, secret),
        )  # fmt: skip
        if response.status_code != 200:
            raise SystemExit(f"bench: webhook answered {response.status_code}: {response.content[:200]!r}")
        result = response.json()["result"]
        results[result] = results.get(result, 0) + 1
    elapsed = time.perf_counter() - started

    expected = {payment_id: OUTCOMES[outcome][1] for payment_id, _s, _a, _m, outcome in payments}
    actual = dict(Payment.objects.filter(pk__in=expected).values_list("pk", "status"))
    wrong = [pk for pk, status in expected.items() if actual.get(pk) != status]
    paid_dossiers = {
        d
        for d, (_p, _s, _a, _m, o) in zip(dossier_ids, payments, strict=True)
        if OUTCOMES[o][1] == "succeeded"
    }
    dossiers = dict(Dossier.objects.filter(pk__in=dossier_ids).values_list("pk", "status"))
    not_paid = [pk for pk in paid_dossiers if dossiers[pk] != DossierStatus.PAID]
    wrongly_paid = [pk for pk in set(dossier_ids) - paid_dossiers if dossiers[pk] == DossierStatus.PAID]
    ok = not wrong and not not_paid and not wrongly_paid and results.get("duplicate", 0) == len(duplicates)
    line = (
        f"bench payment_webhooks: {len(stream)} events ({len(duplicates)} duplicates, shuffled) for "
        f"{len(payments)} payments in {elapsed:.1f} s: {len(stream) / elapsed:.0f} events/s; "
        f"results {results}; wrong final states {len(wrong)}, dossiers not paid {len(not_paid)}, "
        f"paid wrongly {len(wrongly_paid)}"
    )
    return line, ok


def bench_coda(*, movements: int = 100_000, sample: int = 1000) -> tuple[list[str], bool]:
    from django.db.models import Count

    from eloket.constants import MovementStatus
    from eloket.models import BankMovement, CodaImport, Dossier, Organisation
    from eloket.ogm import ogm_from_base
    from eloket.payments import coda
    from eloket.payments.coda_build import Credit, coda_file
    from eloket.payments.coda_import import coda_import, movement_book

    # A fresh run: this benchmark's earlier statements and their unbooked movements go first.
    old = CodaImport.objects.filter(file_name="bench.cod")
    BankMovement.objects.filter(coda_import__in=old, payment__isnull=True).delete()
    old.filter(movements__isnull=True).delete()
    busiest = payable_queryset().values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
    organisation = Organisation.objects.get(pk=busiest["organisation_id"])
    matched_ids = payable_dossier_ids(movements, organisation_id=organisation.pk)
    dossiers = Dossier.objects.filter(pk__in=matched_ids).only(
        "id", "ogm", "amount_original_cents", "costs_cents", "amount_paid_cents", "status"
    )
    credits = [Credit(d.amount_due_cents, ogm=d.ogm) for d in dossiers.iterator(chunk_size=5000)]
    rng = random.Random(11)
    while len(credits) < movements:  # references no dossier has: they land in the list to resolve
        credits.append(
            Credit(rng.randint(1000, 20000), ogm=ogm_from_base(9_000_000_000 + rng.randrange(10**9)))
        )
    rng.shuffle(credits)
    statements = [credits[i : i + 9999] for i in range(0, len(credits), 9999)]
    first_number = int(time.time()) % 800 + 1
    # Three exports of the same movements under other statement numbers: each import stores them all.
    files = [
        coda_file(iban=organisation.iban, statements=statements, first_statement_number=first_number + 50 * k)
        for k in range(3)
    ]
    content = files[0]

    parse_s = import_s = float("inf")
    for _ in range(3):  # the best of three, for parsing and for importing alike
        started = time.perf_counter()
        parsed = coda.parse(content)
        parse_s = min(parse_s, time.perf_counter() - started)
    if parsed.errors:
        raise SystemExit(f"bench: the generated CODA file does not parse: {parsed.errors[:3]}")
    results = []
    for exported in files:
        started = time.perf_counter()
        results.append(coda_import(organisation=organisation, content=exported, file_name="bench.cod"))
        import_s = min(import_s, time.perf_counter() - started)
    result = results[0]
    ratio = parse_s / import_s

    booked_ids = list(
        BankMovement.objects.filter(coda_import=result.coda_import, status=MovementStatus.MATCHED)
        .order_by("id")
        .values_list("id", flat=True)[:sample]
    )
    started = time.perf_counter()
    booked = sum(movement_book(movement_id=pk) for pk in booked_ids)
    book_s = time.perf_counter() - started
    lines = [
        f"bench coda_parse: {movements} movements ({len(content) // 1024} KiB) parsed in {parse_s:.2f} s "
        "(best of 3): "
        f"{movements / parse_s:.0f} movements/s",
        f"bench coda_import: {result.movements} movements ({result.matched} matched, {result.unmatched} to "
        f"resolve) imported in {import_s:.2f} s (best of 3): {movements / import_s:.0f} movements/s "
        f"(ratio {ratio:.2f} vs only parsing, target {CODA_TARGET_RATIO})",
        f"bench coda_book: {booked} matched movements booked on their dossiers in {book_s:.2f} s: "
        f"{booked / book_s:.0f} bookings/s (the after-commit task, on a sample of {len(booked_ids)})",
    ]
    ok = (
        ratio >= CODA_TARGET_RATIO
        and all(r.movements == movements and not r.already_imported for r in results)
        and booked == len(booked_ids)
    )
    return lines, ok


def main(*, events: int, movements: int) -> bool:
    line, webhooks_ok = bench_webhooks(events=events)
    print(line, flush=True)
    lines, coda_ok = bench_coda(movements=movements)
    for line in lines:
        print(line, flush=True)
    return webhooks_ok and coda_ok
