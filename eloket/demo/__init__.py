"""The demo data set: five pilot cities, their handlers, regulations, and three citizens.

Idempotent: every object has a stable natural key (NIS code, slug, external id, demo key), so running
the seed twice changes nothing. Amounts and terms follow domain.md; where a city's figure was not
found (Hasselt, Mechelen, Vilvoorde forfaits, employee permits) the demo uses a plausible value.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eloket import services
from eloket.constants import DossierStatus as S
from eloket.constants import RepresentationRole
from eloket.demo.data import (
    AN_DOSSIERS,
    BART_DOSSIERS,
    COMPANY_DOSSIERS,
    DEMO_DESCRIPTIONS,
    IDENTITIES,
    MUNICIPALITIES,
    ORGANISATIONS,
    REGULATIONS,
    DemoDossier,
)
from eloket.demo.data import enterprise_number as demo_enterprise_number
from eloket.identifiers import parse_enterprise_number, parse_national_number
from eloket.models import Dossier, Municipality, Organisation, PaymentAccount, Regulation, User

__all__ = ["DEMO_DESCRIPTIONS", "seed"]


def seed(*, stdout=None) -> None:
    """Create (or leave as they are) the demo municipalities, organisations, people and dossiers."""
    with transaction.atomic():
        municipalities = _seed_municipalities()
        organisations = _seed_organisations(municipalities)
        regulations = _seed_regulations(organisations, municipalities)
        parties = _seed_identities()
    created = 0
    for party_key, specs in (
        ("citizen-many", AN_DOSSIERS),
        ("company-rep", BART_DOSSIERS),
        ("company", COMPANY_DOSSIERS),
    ):
        for spec in specs:
            created += _seed_dossier(spec, parties[party_key], organisations, municipalities, regulations)
    from eloket.demo.sessions import seed_sessions

    seed_sessions(
        organisations=organisations, municipalities=municipalities, regulations=regulations, parties=parties
    )
    from eloket.demo.letters import seed_letters

    seed_letters(
        organisations=organisations,
        municipalities=municipalities,
        regulations=regulations,
        seed_dossier=_seed_dossier,
        stdout=stdout,
    )
    _seed_admin()
    if stdout is not None:
        stdout.write(
            f"demo: {len(municipalities)} municipalities, {Dossier.objects.count()} dossiers ({created} new)"
        )


def _upsert(model, lookup: dict, values: dict):
    """The row with ``lookup``, created or updated to ``values``, validated before it is written."""
    instance = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean(validate_unique=instance.pk is None)
    instance.save()
    return instance


def _seed_municipalities() -> dict[str, Municipality]:
    result = {}
    for nis, slug, name_nl, name_fr, name_en, name_de, postal_codes in MUNICIPALITIES:
        municipality = _upsert(
            Municipality,
            {"nis_code": nis},
            {
                "slug": slug,
                "name_nl": name_nl,
                "name_fr": name_fr,
                "name_en": name_en,
                "name_de": name_de,
                "postal_codes": postal_codes,
            },
        )
        result[slug] = municipality
    return result


def _seed_organisations(municipalities) -> dict[str, Organisation]:
    result = {}
    for index, (slug, kind, (name_nl, name_fr, name_en), serves, iban, email, phone) in enumerate(
        ORGANISATIONS
    ):
        organisation = _upsert(
            Organisation,
            {"slug": slug},
            {
                "kind": kind,
                "name_nl": name_nl,
                "name_fr": name_fr,
                "name_en": name_en,
                "iban": iban,
                # Made up, but valid: receipts show the creditor's enterprise number.
                "enterprise_number": demo_enterprise_number(f"0200{index:04d}"),
                "account_holder": name_nl[:70],
                "email": email,
                "phone": phone,
            },
        )
        organisation.municipalities.set([municipalities[s] for s in serves])
        # Online payments in the demo go to the local Stripe stand-in, which accepts any account id.
        PaymentAccount.objects.get_or_create(
            organisation=organisation, defaults={"stripe_account_id": f"acct_demo_{slug}"}
        )
        result[slug] = organisation
    return result


def _seed_regulations(organisations, municipalities) -> dict[str, Regulation]:
    result = {}
    for org, muni, kind, code, title, (pay, contest, reminder, notice), tariff in REGULATIONS:
        regulation = _upsert(
            Regulation,
            {"organisation": organisations[org], "code": code},
            {
                "municipality": municipalities[muni] if muni else None,
                "kind": kind,
                "title": title,
                "valid_from": dt.date(2024, 1, 1),
                "pay_term_days": pay,
                "contest_term_days": contest,
                "reminder_cost_cents": reminder,
                "formal_notice_cost_cents": notice,
                "tariff": tariff,
            },
        )
        result[code] = regulation
    return result


def _seed_identities() -> dict:
    parties = {}
    for identity in IDENTITIES:
        user, _created = User.objects.get_or_create(
            username=f"demo-{identity.key}",
            defaults={
                "first_name": identity.first_name,
                "last_name": identity.last_name,
                "email": identity.email,
                "demo_key": identity.key,
            },
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        person, _new = services.party_get_or_create(
            identifier=parse_national_number(identity.national_number),
            display_name=f"{identity.first_name} {identity.last_name}",
            email=identity.email,
            language=identity.language,
        )
        services.representation_add(user=user, party=person, role=RepresentationRole.SELF)
        # The demo's logins are digital citizens: their address is confirmed (letters by post are for
        # the two who are not, eloket.demo.letters).
        if identity.email and not person.email_verified:
            person.email_verified = True
            person.save(update_fields=["email_verified"])
        parties[identity.key] = person
        for number, name in identity.companies:
            company, _new = services.party_get_or_create(
                identifier=parse_enterprise_number(number), display_name=name, email=identity.email
            )
            services.representation_add(
                user=user, party=company, role=RepresentationRole.LEGAL_REPRESENTATIVE
            )
            if identity.email and not company.email_verified:
                company.email_verified = True
                company.save(update_fields=["email_verified"])
            parties["company"] = company
    return parties


def _seed_dossier(spec: DemoDossier, party, organisations, municipalities, regulations) -> int:
    organisation = organisations[spec.organisation]
    external_id = f"DEMO-{spec.key}"
    if Dossier.objects.filter(organisation=organisation, external_id=external_id).exists():
        return 0
    now = timezone.now()
    start = now - dt.timedelta(days=spec.days_ago, hours=3)
    fields = dict(spec.fields)
    validity_days = fields.pop("_validity_days", None)
    if validity_days is not None:
        fields["valid_from"] = start
        fields["valid_until"] = start + dt.timedelta(days=validity_days)
    with transaction.atomic():
        dossier = services.dossier_create(
            kind=spec.kind,
            party=party,
            organisation=organisation,
            municipality=municipalities[spec.municipality],
            regulation=regulations[spec.regulation],
            external_id=external_id,
            occurred_at=start if validity_days is None else None,
            issued_at=start,
            amount_original_cents=spec.amount_cents,
            **fields,
        )
        steps = max(len(spec.path), 1)
        for index, status in enumerate(spec.path, start=1):
            at = start + (now - start) * index / (steps + 1)
            if status == S.PAID:  # money received; for a permit this pays its fee without a status change
                dossier.refresh_from_db()
                if not dossier.amount_due_cents:
                    continue
                services.dossier_register_payment(
                    dossier_id=dossier.pk,
                    amount_cents=dossier.amount_due_cents,
                    actor_label=str(organisation),
                    at=at,
                )
            else:
                services.dossier_transition(
                    dossier_id=dossier.pk, to_status=status, actor_label=str(organisation), at=at
                )
        if spec.evidence:
            dossier.refresh_from_db()
            services.evidence_add(
                dossier=dossier,
                content=_evidence_png(dossier.plate, spec.fields.get("street", "")),
                filename="scan.png",
                content_type="image/png",
                caption=str(_("Foto van de scanwagen")),
            )
    return 1


def _evidence_png(plate: str, street: str) -> bytes:
    """A stand-in for a scan-car photo: a grey street, a car outline and the plate as text."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (118, 124, 130))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 400), fill=(70, 72, 76))
    draw.rounded_rectangle((140, 150, 500, 320), radius=30, fill=(30, 60, 110))
    draw.rectangle((250, 270, 390, 300), fill=(255, 255, 255), outline=(180, 0, 0), width=3)
    draw.text((262, 278), plate, fill=(180, 0, 0))
    draw.text((12, 12), f"{street}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _seed_admin() -> None:
    """A platform operator for the demo admin (username ``beheerder``, password ``demo-beheerder``)."""
    if not User.objects.filter(username="beheerder").exists():
        User.objects.create_superuser("beheerder", "beheer@eloket.example", "demo-beheerder")
