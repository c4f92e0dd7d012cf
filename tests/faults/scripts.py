"""One-off steps the fault tests run in a process of their own, against the same database, broker and
settings as the application's processes (``App.call``): seed an organisation and citizens, start
their online payments, write outbox events as a service would, enqueue a task or reconcile payments as
the scheduler would.

``python -m tests.faults.scripts <command> '<json arguments>'`` prints the result as JSON on its last
line. Django is configured from the environment, like the web and worker processes.
"""

from __future__ import annotations

import json
import sys


def _setup() -> None:
    import django

    django.setup()


def seed(*, citizens: int = 1, webhook_url: str = "", api_key: bool = False) -> dict:
    """An organisation (with a municipality and a regulation), ``citizens`` parties with a verified
    address and one notified parking retribution each; optionally a webhook endpoint for every event
    and an API key."""
    from django.db import transaction

    from eloket.models import ApiKey, EventType, Party, WebhookEndpoint
    from tests.factories import (
        DossierFactory,
        MunicipalityFactory,
        OrganisationFactory,
        RegulationFactory,
        person_party,
    )

    with transaction.atomic():
        municipality = MunicipalityFactory(nis_code="71016", slug="genk", name_nl="Genk")
        organisation = OrganisationFactory(
            slug="stad-genk", name_nl="Stad Genk", municipalities=[municipality]
        )
        RegulationFactory(organisation=organisation, code="RET-2026")
        dossiers = []
        for number in range(citizens):
            party = person_party(name=f"Burger {number}")
            Party.objects.filter(pk=party.pk).update(
                email=f"burger{number}@example.be", email_verified=True, language="nl"
            )
            dossier = DossierFactory(
                party=party, organisation=organisation, municipality=municipality, notified=True
            )
            dossiers.append(
                {
                    "id": dossier.pk,
                    "reference": dossier.reference,
                    "external_id": dossier.external_id,
                    "plate": dossier.plate,
                    "ogm": dossier.ogm,
                }
            )
        result = {"organisation": organisation.pk, "dossiers": dossiers}
        if webhook_url:
            endpoint = WebhookEndpoint.objects.create(
                organisation=organisation, url=webhook_url, events=list(EventType.values)
            )
            result["webhook_secret"] = endpoint.secret
        if api_key:
            prefix, secret, token = ApiKey.new_token()
            ApiKey.objects.create(
                organisation=organisation,
                name="faults",
                prefix=prefix,
                secret_hash=ApiKey.hash_secret(secret),
            )
            result["api_key"] = token
    return result


def payments_start(*, dossier_ids: list[int]) -> dict:
    """The organisation takes online payments (a Stripe account at the stand-in the environment
    names); each dossier's party starts paying it, as the pay page does. Returns the checkout session
    ids, in the order of ``dossier_ids``."""
    from eloket.models import Dossier, PaymentAccount
    from eloket.payments.services import payment_start

    dossiers = Dossier.objects.filter(pk__in=dossier_ids).select_related("party", "organisation")
    by_id = {dossier.pk: dossier for dossier in dossiers}
    for organisation in {dossier.organisation for dossier in dossiers}:
        PaymentAccount.objects.get_or_create(
            organisation=organisation, defaults={"stripe_account_id": f"acct_{organisation.slug}"}
        )
    sessions = []
    for dossier_id in dossier_ids:
        dossier = by_id[dossier_id]
        sessions.append(payment_start(party=dossier.party, dossier_ids=[dossier.pk]).provider_session_id)
    return {"sessions": sessions}


def question_form() -> dict:
    """A public question form (no login needed) of the seeded organisation, under its city's page in
    the site's page tree; returns its path."""
    from wagtail.models import Page, Site

    from eloket.models import Organisation
    from forms.constants import Purpose
    from home.services import content_locales_ensure
    from tests.forms.citizen_helpers import form_page_make
    from tests.home.factories import CityPageFactory, HomePageFactory

    locales = {locale.language_code: locale for locale in content_locales_ensure()}
    organisation = Organisation.objects.get(slug="stad-genk")
    home = HomePageFactory(parent=Page.get_first_root_node(), locale=locales["nl"])
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    city = CityPageFactory(parent=home, municipality=organisation.municipalities.get())
    page = form_page_make(
        parent=city, organisation=organisation, purpose=Purpose.QUESTION, allow_anonymous=True, fields=[]
    )
    return {"path": page.url}


def reconcile() -> dict:
    """The payment reconciliation as its schedule runs it, without waiting for its delay."""
    import datetime as dt

    from eloket.payments.services import payments_reconcile

    return payments_reconcile(older_than=dt.timedelta(0))


def emit(*, dossier_ids: list[int], type: str = "dossier.created") -> dict:
    """One outbox event per dossier, each in the transaction of its own "service" call; the dispatch
    is poked after each commit, as services do."""
    from django.db import transaction

    from eloket.models import Dossier
    from eloket.outbox import outbox_emit

    ids = []
    for dossier in Dossier.objects.filter(pk__in=dossier_ids).order_by("pk"):
        with transaction.atomic():
            ids.append(outbox_emit(type=type, organisation_id=dossier.organisation_id, dossier=dossier).pk)
    return {"events": ids}


def enqueue(*, func: str, args: list | None = None, times: int = 1) -> dict:
    """Put a task on the broker, as the scheduler or an after-commit hook would."""
    from django_q.tasks import async_task

    return {"tasks": [async_task(func, *(args or [])) for _ in range(times)]}


def steps(*, steps: list[list]) -> list:
    """Several of the commands above in one process (each start of Django costs seconds)."""
    return [COMMANDS[name](**arguments) for name, arguments in steps]


COMMANDS = {
    "seed": seed,
    "payments_start": payments_start,
    "question_form": question_form,
    "reconcile": reconcile,
    "emit": emit,
    "enqueue": enqueue,
    "steps": steps,
}


if __name__ == "__main__":
    _setup()
    name, arguments = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    print(json.dumps(COMMANDS[name](**arguments), default=str))
