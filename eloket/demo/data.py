"""The demo data set as tables: cities, handlers, regulations, people and their dossiers.

Amounts and terms follow domain.md; where a city's figure was not found (Hasselt, Mechelen,
Vilvoorde forfaits, employee permits) a plausible value is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from stdnum.be import nn

from eloket.constants import DossierKind as K
from eloket.constants import DossierStatus as S
from eloket.constants import OrganisationKind

MUNICIPALITIES = [
    # nis, slug, nl, fr, en, de, postal codes
    ("71016", "genk", "Genk", "Genk", "Genk", "Genk", ["3600"]),
    ("23088", "vilvoorde", "Vilvoorde", "Vilvorde", "Vilvoorde", "Vilvoorde", ["1800"]),
    ("11002", "antwerpen", "Antwerpen", "Anvers", "Antwerp", "Antwerpen", ["2000", "2018", "2060"]),
    ("71022", "hasselt", "Hasselt", "Hasselt", "Hasselt", "Hasselt", ["3500"]),
    ("12025", "mechelen", "Mechelen", "Malines", "Mechelen", "Mecheln", ["2800"]),
    (
        "72039",
        "houthalen-helchteren",
        "Houthalen-Helchteren",
        "Houthalen-Helchteren",
        "Houthalen-Helchteren",
        "Houthalen-Helchteren",
        ["3530"],
    ),
]

ORGANISATIONS = [
    # slug, kind, names (nl, fr, en), serves, iban, email, phone
    (
        "stad-genk",
        OrganisationKind.CITY,
        ("Stad Genk", "Ville de Genk", "City of Genk"),
        ["genk"],
        "BE21001234567803",
        "gas@genk.example",
        "089 65 44 44",
    ),
    (
        "opc-genk",
        OrganisationKind.CONCESSIONAIRE,
        (
            "OPC Optimal Parking Control (Genk)",
            "OPC Optimal Parking Control (Genk)",
            "OPC Optimal Parking Control (Genk)",
        ),
        ["genk"],
        "BE15068987654330",
        "genk@parkeren.example",
        "089 30 50 60",
    ),
    (
        "gas-genk",
        OrganisationKind.GAS_SERVICE,
        ("GAS-verwerkingscel Genk", "Cellule SAC de Genk", "Genk GAS processing unit"),
        ["genk", "houthalen-helchteren"],
        "BE62363111222361",
        "gas5@genk.example",
        "089 65 45 45",
    ),
    (
        "stad-vilvoorde",
        OrganisationKind.CITY,
        ("Stad Vilvoorde", "Ville de Vilvorde", "City of Vilvoorde"),
        ["vilvoorde"],
        "BE05091444555675",
        "parkeren@vilvoorde.example",
        "02 255 46 00",
    ),
    (
        "agmp-antwerpen",
        OrganisationKind.PARKING_COMPANY,
        (
            "AG Mobiliteit en Parkeren Antwerpen",
            "AG Mobilité et Stationnement Anvers",
            "Antwerp Mobility and Parking",
        ),
        ["antwerpen"],
        "BE12096777888992",
        "retributies@agmp.example",
        "03 292 12 00",
    ),
    (
        "stad-antwerpen",
        OrganisationKind.CITY,
        ("Stad Antwerpen", "Ville d'Anvers", "City of Antwerp"),
        ["antwerpen"],
        "BE91735321321376",
        "gas@antwerpen.example",
        "03 22 11 333",
    ),
    (
        "stad-hasselt",
        OrganisationKind.CITY,
        ("Stad Hasselt", "Ville de Hasselt", "City of Hasselt"),
        ["hasselt"],
        "BE28143654654620",
        "parkeren@hasselt.example",
        "011 23 90 00",
    ),
    (
        "stad-mechelen",
        OrganisationKind.CITY,
        ("Stad Mechelen", "Ville de Malines", "City of Mechelen"),
        ["mechelen"],
        "BE83979123123115",
        "parkeren@mechelen.example",
        "015 29 76 00",
    ),
]

GAS4_TARIFF = {"category_1": 5800, "category_2": 11600}  # KB 9 maart 2014 as amended (domain.md §1.3)
GAS5_TARIFF = {"base": 5300, "base_kmh": 10, "per_kmh_outside": 600, "per_kmh_inside": 1100}  # domain.md §1.4

REGULATIONS = [
    # organisation, municipality or None, kind, code, title,
    # terms (pay, contest, reminder cost, notice cost), tariff
    (
        "opc-genk",
        "genk",
        K.PARKING_RETRIBUTION,
        "GENK-RET-2018",
        "Retributiereglement parkeren Genk",
        (30, 30, 1000, 2000),
        {"forfait": 2000},
    ),
    (
        "stad-genk",
        "genk",
        K.GAS4,
        "GAS4-GENK",
        "GAS 4 - stilstaan en parkeren (Genk)",
        (30, 30, 0, 0),
        GAS4_TARIFF,
    ),
    (
        "gas-genk",
        None,
        K.GAS5,
        "GAS5-CARMA",
        "GAS 5 - beperkte snelheidsovertredingen (PZ CARMA)",
        (30, 30, 0, 0),
        GAS5_TARIFF,
    ),
    ("stad-genk", "genk", K.RESIDENT_PERMIT, "GENK-BEW", "Bewonerskaarten Genk", (30, 30, 0, 0), {"fee": 0}),
    (
        "stad-genk",
        "genk",
        K.IOD_PERMIT,
        "GENK-IOD",
        "Inname openbaar domein Genk",
        (30, 30, 0, 0),
        {"fee": 0},
    ),
    (
        "agmp-antwerpen",
        "antwerpen",
        K.PARKING_RETRIBUTION,
        "ANT-RET-2022",
        "Retributiereglement parkeren Antwerpen",
        (14, 30, 1500, 2500),
        {"forfait": 4400},
    ),
    (
        "agmp-antwerpen",
        "antwerpen",
        K.RESIDENT_PERMIT,
        "ANT-BEW",
        "Bewonerskaarten Antwerpen",
        (30, 30, 0, 0),
        {"fee": 3000},
    ),
    (
        "stad-antwerpen",
        "antwerpen",
        K.GAS4,
        "GAS4-ANT",
        "GAS 4 - stilstaan en parkeren (Antwerpen)",
        (30, 30, 0, 0),
        GAS4_TARIFF,
    ),
    (
        "stad-hasselt",
        "hasselt",
        K.PARKING_RETRIBUTION,
        "HAS-RET",
        "Retributiereglement parkeren Hasselt",
        (30, 30, 1000, 1500),
        {"forfait": 2500},
    ),
    (
        "stad-hasselt",
        "hasselt",
        K.EMPLOYEE_PERMIT,
        "HAS-WNV",
        "Werknemersvergunningen Hasselt",
        (30, 30, 0, 0),
        {"fee": 12000},
    ),
    (
        "stad-mechelen",
        "mechelen",
        K.PARKING_RETRIBUTION,
        "MEC-RET",
        "Retributiereglement parkeren Mechelen",
        (30, 30, 1000, 1500),
        {"forfait": 2500},
    ),
    (
        "stad-mechelen",
        "mechelen",
        K.GAS4,
        "GAS4-MEC",
        "GAS 4 - stilstaan en parkeren (Mechelen)",
        (30, 30, 0, 0),
        GAS4_TARIFF,
    ),
    (
        "stad-mechelen",
        "mechelen",
        K.IOD_PERMIT,
        "MEC-IOD",
        "Inname openbaar domein Mechelen",
        (30, 30, 0, 0),
        {"fee": 3000},
    ),
    (
        "stad-vilvoorde",
        "vilvoorde",
        K.PARKING_RETRIBUTION,
        "VIL-RET",
        "Retributiereglement parkeren Vilvoorde",
        (30, 30, 1000, 1500),
        {"forfait": 2500},
    ),
    (
        "stad-vilvoorde",
        "vilvoorde",
        K.GAS4,
        "GAS4-VIL",
        "GAS 4 - stilstaan en parkeren (Vilvoorde)",
        (30, 30, 0, 0),
        GAS4_TARIFF,
    ),
]


@dataclass(frozen=True)
class DemoIdentity:
    key: str
    first_name: str
    last_name: str
    national_number: str
    email: str
    description: str
    language: str = "nl"
    companies: tuple[tuple[str, str], ...] = ()  # (enterprise number, name)


def national_number(yymmdd: str, counter: int) -> str:
    """A synthetic, valid national register number (born in the 1900s) for demo people."""
    body = f"{yymmdd}{counter:03d}"
    return nn.validate(f"{body}{97 - int(body) % 97:02d}")


def enterprise_number(base8: str) -> str:
    return f"{base8}{97 - int(base8) % 97:02d}"


IDENTITIES = [
    DemoIdentity(
        "citizen-many",
        "An",
        "Peeters",
        national_number("850730", 33),
        "an.peeters@example.be",
        _("Dossiers van elke soort in vijf gemeenten, in elke status."),
    ),
    DemoIdentity(
        "company-rep",
        "Bart",
        "Claes",
        national_number("780214", 157),
        "bart.claes@example.be",
        _("Vertegenwoordigt ook Limburg Logistiek NV, met een tiental dossiers van bedrijfsvoertuigen."),
        companies=((enterprise_number("07123456"), "Limburg Logistiek NV"),),
    ),
    DemoIdentity(
        "citizen-none",
        "Chloé",
        "Dubois",
        national_number("920611", 284),
        "chloe.dubois@example.be",
        _("Heeft geen dossiers."),
        language="fr",
    ),
]

DEMO_DESCRIPTIONS = {identity.key: identity.description for identity in IDENTITIES}


@dataclass
class DemoDossier:
    key: str
    kind: str
    organisation: str
    municipality: str
    regulation: str
    path: list[str]
    days_ago: int
    fields: dict = field(default_factory=dict)
    amount_cents: int | None = None
    evidence: bool = False


def _retribution(key, org, muni, reg, path, days_ago, street, plate="1-ABC-123", zone="", **extra):
    return DemoDossier(
        key,
        K.PARKING_RETRIBUTION,
        org,
        muni,
        reg,
        path,
        days_ago,
        evidence=True,
        fields={
            "plate": plate,
            "street": street,
            "zone_code": zone,
            "offence_description": str(_("Parkeren zonder geldig ticket of parkeerschijf")),
            **extra,
        },
    )


def _gas4(key, org, muni, reg, path, days_ago, street, category=1, plate="1-ABC-123"):
    description = {
        1: _("Parkeren op een plaats waar een parkeerverbod geldt"),
        2: _("Parkeren op het fietspad"),
    }[category]
    return DemoDossier(
        key,
        K.GAS4,
        org,
        muni,
        reg,
        path,
        days_ago,
        evidence=True,
        fields={
            "plate": plate,
            "street": street,
            "gas_category": category,
            "offence_code": f"GAS4-CAT{category}",
            "offence_description": str(description),
        },
    )


def _gas5(key, muni, path, days_ago, street, limit, speed, built_up, plate="1-ABC-123"):
    return DemoDossier(
        key,
        K.GAS5,
        "gas-genk",
        muni,
        "GAS5-CARMA",
        path,
        days_ago,
        evidence=True,
        fields={
            "plate": plate,
            "street": street,
            "speed_limit_kmh": limit,
            "measured_speed_kmh": speed,
            "built_up_area": built_up,
            "offence_code": "GAS5",
            "offence_description": str(_("Beperkte snelheidsovertreding")),
        },
    )


def _permit(key, kind, org, muni, reg, path, days_ago, plate="1-ABC-123", zone="", street="", days=365):
    return DemoDossier(
        key,
        kind,
        org,
        muni,
        reg,
        path,
        days_ago,
        fields={"plate": plate, "zone_code": zone, "street": street, "_validity_days": days},
    )


N, C, D, R, F, P = S.NOTIFIED, S.CONTESTED, S.DEFENCE, S.REMINDED, S.FORMAL_NOTICE, S.PAID

AN_DOSSIERS = [
    # Zone Z2: An's resident card (zone Z1, below) does not cover these two.
    _retribution("an-ret-issued", "opc-genk", "genk", "GENK-RET-2018", [], 1, "Molenstraat", zone="Z2"),
    _retribution("an-ret-notified", "opc-genk", "genk", "GENK-RET-2018", [N], 6, "Stadsplein", zone="Z2"),
    _retribution(
        "an-ret-contested", "agmp-antwerpen", "antwerpen", "ANT-RET-2022", [N, C], 12, "Meir", zone="ROOD"
    ),
    _retribution("an-ret-reminded", "stad-hasselt", "hasselt", "HAS-RET", [N, R], 40, "Grote Markt"),
    _retribution("an-ret-formal", "stad-mechelen", "mechelen", "MEC-RET", [N, R, F], 75, "Bruul"),
    _retribution(
        "an-ret-collection",
        "stad-vilvoorde",
        "vilvoorde",
        "VIL-RET",
        [N, R, F, S.IN_COLLECTION],
        130,
        "Leuvensestraat",
    ),
    _retribution(
        "an-ret-paid", "agmp-antwerpen", "antwerpen", "ANT-RET-2022", [N, P], 60, "Groenplaats", zone="ROOD"
    ),
    _retribution(
        "an-ret-cancelled",
        "opc-genk",
        "genk",
        "GENK-RET-2018",
        [N, C, S.CANCELLED],
        50,
        "Hoogstraat",
        zone="Z2",
    ),
    # In zone Z1, where An's resident card (seeded after it) was valid: the permit cross-check cancels
    # it when the card arrives, with a timeline event naming the card.
    _retribution(
        "an-ret-permit",
        "opc-genk",
        "genk",
        "GENK-RET-2018",
        [],
        20,
        "Weg naar As",
        zone="Z1",
    ),
    _gas4("an-gas4-issued", "stad-mechelen", "mechelen", "GAS4-MEC", [], 0, "Grote Markt", category=1),
    _gas4("an-gas4-notified", "stad-genk", "genk", "GAS4-GENK", [N], 4, "Europalaan", category=1),
    _gas4(
        "an-gas4-defence", "stad-antwerpen", "antwerpen", "GAS4-ANT", [N, D], 15, "Frankrijklei", category=2
    ),
    _gas4("an-gas4-reminded", "stad-mechelen", "mechelen", "GAS4-MEC", [N, R], 45, "IJzerenleen", category=1),
    _gas4(
        "an-gas4-enforceable",
        "stad-vilvoorde",
        "vilvoorde",
        "GAS4-VIL",
        [N, R, S.ENFORCEABLE],
        100,
        "Grote Markt",
        category=2,
    ),
    _gas4("an-gas4-paid", "stad-genk", "genk", "GAS4-GENK", [N, P], 90, "Vennestraat", category=1),
    _gas5("an-gas5-notified", "houthalen-helchteren", [N], 9, "Grote Baan", 50, 66, True),
    _gas5("an-gas5-cancelled", "genk", [N, D, S.CANCELLED], 70, "Hasseltweg", 30, 43, True),
    _gas5("an-gas5-paid", "genk", [N, P], 120, "Noordlaan", 50, 58, False),
    _permit(
        "an-res-requested", K.RESIDENT_PERMIT, "agmp-antwerpen", "antwerpen", "ANT-BEW", [], 2, zone="ZUID"
    ),
    _permit("an-res-active", K.RESIDENT_PERMIT, "stad-genk", "genk", "GENK-BEW", [S.ACTIVE], 150, zone="Z1"),
    _permit(
        "an-emp-expired",
        K.EMPLOYEE_PERMIT,
        "stad-hasselt",
        "hasselt",
        "HAS-WNV",
        [S.ACTIVE, P, S.EXPIRED],
        400,
        zone="CENTRUM",
    ),
    _permit(
        "an-iod-active",
        K.IOD_PERMIT,
        "stad-genk",
        "genk",
        "GENK-IOD",
        [S.ACTIVE],
        1,
        street="Molenstraat 12",
        days=2,
    ),
    _permit(
        "an-iod-revoked",
        K.IOD_PERMIT,
        "stad-mechelen",
        "mechelen",
        "MEC-IOD",
        [S.ACTIVE, S.REVOKED],
        30,
        street="Befferstraat 4",
        days=3,
    ),
]

BART_DOSSIERS = [
    _retribution(
        "bart-ret-notified",
        "stad-hasselt",
        "hasselt",
        "HAS-RET",
        [N],
        3,
        "Kuringersteenweg",
        plate="1-BCL-778",
    ),
    _gas5("bart-gas5-paid", "genk", [N, P], 80, "Westerring", 50, 61, True, plate="1-BCL-778"),
]

COMPANY_PLATES = ["1-LLX-201", "1-LLX-202", "2-LLX-310", "1-LLX-415"]
COMPANY_DOSSIERS = [
    _retribution(f"company-ret-{i}", org, muni, reg, path, days, street, plate=COMPANY_PLATES[i % 4])
    for i, (org, muni, reg, path, days, street) in enumerate(
        [
            ("opc-genk", "genk", "GENK-RET-2018", [N], 2, "Rootenstraat"),
            ("opc-genk", "genk", "GENK-RET-2018", [N], 5, "Rootenstraat"),
            ("opc-genk", "genk", "GENK-RET-2018", [N, R], 38, "Dieplaan"),
            ("opc-genk", "genk", "GENK-RET-2018", [N, P], 44, "Europalaan"),
            ("agmp-antwerpen", "antwerpen", "ANT-RET-2022", [N], 7, "Italiëlei"),
            ("agmp-antwerpen", "antwerpen", "ANT-RET-2022", [N, C], 16, "Londenstraat"),
            ("agmp-antwerpen", "antwerpen", "ANT-RET-2022", [N, P], 30, "Brouwersvliet"),
            ("stad-hasselt", "hasselt", "HAS-RET", [N], 8, "Havermarkt"),
            ("stad-mechelen", "mechelen", "MEC-RET", [N, R, F], 72, "Zandpoortvest"),
        ]
    )
] + [
    _gas4(
        "company-gas4-1",
        "stad-genk",
        "genk",
        "GAS4-GENK",
        [N],
        10,
        "Stalenstraat",
        category=2,
        plate="1-LLX-201",
    ),
    _gas4(
        "company-gas4-2",
        "stad-antwerpen",
        "antwerpen",
        "GAS4-ANT",
        [N, P],
        55,
        "Kattendijkdok",
        category=1,
        plate="2-LLX-310",
    ),
    _gas5("company-gas5-1", "genk", [N], 6, "Noord-Zuidverbinding", 50, 63, False, plate="1-LLX-415"),
    _permit(
        "company-emp-active",
        K.EMPLOYEE_PERMIT,
        "stad-hasselt",
        "hasselt",
        "HAS-WNV",
        [S.ACTIVE],
        20,
        plate="1-LLX-202",
        zone="CENTRUM",
    ),
]
