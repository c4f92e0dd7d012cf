"""The synthetic municipalities, their handlers (organisations) and regulations: created once, reused."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from schwifty import IBAN

from eloket.constants import DossierKind as K
from eloket.constants import OrganisationKind
from eloket.models import Municipality, Organisation, PaymentAccount, Regulation
from eloket.scale.synthetic import LANGUAGES, NAME_ENDS, NAME_STARTS, NIS_FIRST, SYNTHETIC_BANK_CODE


@dataclass(frozen=True)
class Handler:
    organisation_id: int
    organisation_name: str
    regulation: Regulation


class Catalogue:
    """Synthetic municipalities and who handles what there: the city for permits and GAS 4 (and for the
    retributions of one municipality in three), a parking company or concessionaire per 20 municipalities
    for the other retributions, and a GAS service per 10 (a police zone) for GAS 5."""

    def __init__(
        self,
        municipalities: list[Municipality],
        handlers: dict,
        organisation_count: int,
        accounts: dict[int, str] | None = None,
    ):
        self.municipalities = municipalities
        self.handlers = handlers  # (municipality index, kind) -> Handler
        self.organisation_count = organisation_count
        self.accounts = accounts or {}  # organisation id -> its Stripe account (online payments)
        self.regulation_count = len({h.regulation.pk for h in handlers.values()})
        weights = [1 / (i + 1) ** 0.7 for i in range(len(municipalities))]  # a few big cities, many small
        self.cum_weights = list(itertools.accumulate(weights))
        self.centres = [
            (50.75 + i * 0.0137 % 0.55, 2.6 + i * 0.0711 % 3.2) for i in range(len(municipalities))
        ]

    @classmethod
    @transaction.atomic
    def ensure(cls, *, municipalities: int) -> Catalogue:
        """The first ``municipalities`` synthetic municipalities, creating what is missing."""
        munis = _get_or_create(
            Municipality, [_municipality_spec(i) for i in range(municipalities)], "nis_code"
        )
        plan = [
            (i, org, kind) for i, m in enumerate(munis) for org, kinds in _handlers_of(i, m) for kind in kinds
        ]
        org_specs = {org["slug"]: org for _i, org, _kind in plan}
        orgs = {o.slug: o for o in _get_or_create(Organisation, list(org_specs.values()), "slug")}
        through = Organisation.municipalities.through
        serves = {(orgs[org["slug"]].pk, munis[i].pk) for i, org, _kind in plan}
        through.objects.bulk_create(
            [through(organisation_id=o, municipality_id=m) for o, m in serves], ignore_conflicts=True
        )
        reg_specs = [
            {**_regulation_spec(i, kind, munis[i]), "organisation_id": orgs[org["slug"]].pk}
            for i, org, kind in plan
        ]
        regulations = _get_or_create(Regulation, reg_specs, "organisation_id", "code")
        handlers = {
            (i, kind): Handler(orgs[org["slug"]].pk, orgs[org["slug"]].name_nl, regulation)
            for (i, org, kind), regulation in zip(plan, regulations, strict=True)
        }
        # Every synthetic organisation takes online payments (the load test pays in the Stripe stand-in);
        # an account made earlier (by the payments benchmark, say) is kept.
        PaymentAccount.objects.bulk_create(
            [
                PaymentAccount(organisation_id=o.pk, stripe_account_id=f"acct_scale_{o.pk}")
                for o in orgs.values()
            ],
            ignore_conflicts=True,
        )
        accounts = dict(
            PaymentAccount.objects.filter(organisation__in=orgs.values()).values_list(
                "organisation_id", "stripe_account_id"
            )
        )
        return cls(munis, handlers, len(orgs), accounts)


def _get_or_create(model: type[Model], specs: list[dict], *key: str) -> list[Model]:
    """An object per spec, in order: the existing one with the same ``key`` fields, else a new, valid one."""
    existing = {}
    for obj in model.objects.filter(**{f"{key[0]}__in": {spec[key[0]] for spec in specs}}):
        existing[tuple(getattr(obj, k) for k in key)] = obj
    missing = []
    for spec in specs:
        natural = tuple(spec[k] for k in key)
        if natural not in existing:
            existing[natural] = model(**spec)
            existing[natural].full_clean()
            missing.append(existing[natural])
    model.objects.bulk_create(missing)
    return [existing[tuple(spec[k] for k in key)] for spec in specs]


def _municipality_spec(i: int) -> dict:
    nis = f"{NIS_FIRST + i:05d}"
    name = NAME_STARTS[i % 17] + NAME_ENDS[i // 17 % 17]
    names = {f"name_{language}": name for language in LANGUAGES}
    return {"nis_code": nis, "slug": f"scale-{nis}", "postal_codes": [f"{9000 + i}"], **names}


def _organisation_spec(slug: str, kind: str, name: str, account: int) -> dict:
    iban = IBAN.generate("BE", bank_code=SYNTHETIC_BANK_CODE, account_code=f"{account:07d}").compact
    names = {"name_nl": name, "name_fr": name, "name_en": name, "account_holder": name[:70]}
    return {"slug": slug, "kind": kind, "iban": iban, "email": f"{slug}@scale.example", **names}


def _handlers_of(i: int, muni: Municipality) -> list[tuple[dict, list[str]]]:
    city = _organisation_spec(f"scale-{muni.nis_code}", OrganisationKind.CITY, f"Stad {muni.name_nl}", i)
    zone = i // 10
    gas = _organisation_spec(
        f"scale-gas-{zone:02d}", OrganisationKind.GAS_SERVICE, f"GAS zone {zone}", 2000 + zone
    )
    city_kinds = [K.GAS4, K.RESIDENT_PERMIT, K.EMPLOYEE_PERMIT, K.IOD_PERMIT]
    handlers = [(city, city_kinds), (gas, [K.GAS5])]
    if i % 3 == 0:
        city_kinds.append(K.PARKING_RETRIBUTION)
    else:
        region = i // 20
        kind = OrganisationKind.PARKING_COMPANY if region % 2 else OrganisationKind.CONCESSIONAIRE
        parking = _organisation_spec(
            f"scale-parking-{region:02d}", kind, f"Parkeren regio {region}", 1000 + region
        )
        handlers.append((parking, [K.PARKING_RETRIBUTION]))
    return handlers


def _regulation_spec(i: int, kind: str, muni: Municipality) -> dict:
    spec = {"kind": kind, "valid_from": dt.date(2023, 1, 1), "pay_term_days": (30, 14)[i % 2]}
    if kind == K.GAS5:
        tariff = {"base": 5300, "base_kmh": 10, "per_kmh_outside": 600, "per_kmh_inside": 1100}
        return {
            **spec,
            "code": f"GAS5-ZONE-{i // 10:02d}",
            "title": "GAS 5",
            "pay_term_days": 30,
            "tariff": tariff,
        }
    code, title, tariff = {
        K.PARKING_RETRIBUTION: (
            "RET",
            "Parkeerretributies",
            {"forfait": (2000, 2500, 3000, 3500, 4400)[i % 5]},
        ),
        K.GAS4: ("GAS4", "GAS 4", {"category_1": 5800, "category_2": 11600}),
        K.RESIDENT_PERMIT: ("BEW", "Bewonerskaarten", {"fee": (0, 1500, 3000, 5000)[i % 4]}),
        K.EMPLOYEE_PERMIT: ("WNV", "Werknemersvergunningen", {"fee": (6000, 12000, 24000)[i % 3]}),
        K.IOD_PERMIT: ("IOD", "Inname openbaar domein", {"fee": (0, 1500, 3000)[i % 3]}),
    }[kind]
    if kind == K.PARKING_RETRIBUTION:
        spec["reminder_cost_cents"] = (1000, 1500, 0)[i % 3]
        spec["formal_notice_cost_cents"] = (1500, 2500, 2000)[i % 3]
    code, title = f"{code}-{muni.nis_code}", f"{title} {muni.name_nl}"
    return {**spec, "code": code, "title": title, "municipality": muni, "tariff": tariff}
