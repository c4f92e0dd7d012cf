"""The demo of parking paid by app or SMS (issue 14): parking areas for Genk, Antwerp and Mechelen, a
demo provider ("Demo Mobiel Parkeren", its key in ``eloket.demo.api``), sessions for the demo
citizens, one retribution of An Peeters cancelled by a session that arrived after it, and one contest
with a near match waiting in the Genk clerk's inbox.

Everything goes through the real paths: areas through ``parking_area_save``, sessions through
``eloket.sessions.write.session_upsert`` (so the cross-check cancels what they cover), the contest
through ``forms.services.submission_create`` and ``eloket.sessions.near.near_matches_find``.

Idempotent: areas by (municipality, code), sessions by their provider session id (a session already
there is left as it is, so a second run never moves its times), dossiers by external id, the
submission by its idempotency key. ``seed_sessions`` runs inside ``eloket.demo.seed``;
``forms.demo_paid_by_app.seed_session_contest`` after the forms and the clerks (``manage.py seed_demo``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from eloket.constants import OrganisationKind
from eloket.demo.data import IDENTITIES, _retribution
from eloket.models import Dossier, Organisation, PaymentAccount, Regulation
from eloket.models.parking import ParkingArea, ParkingSession

PROVIDER_SLUG = "demo-mobiel-parkeren"
PROVIDER = {
    "kind": OrganisationKind.PARKING_PROVIDER,
    "name_nl": "Demo Mobiel Parkeren",
    "name_fr": "Démo Stationnement Mobile",
    "name_en": "Demo Mobile Parking",
    "name_de": "Demo Mobiles Parken",
    "iban": "BE68539007547034",
    "account_holder": "Demo Mobiel Parkeren BV",
    "email": "support@mobiel-parkeren.example",
    "phone": "02 808 44 11",
}
SERVES = ["genk", "antwerpen", "mechelen"]

# The grace minutes and the near-match window of each city's retribution regulation (its version).
REGULATION_MINUTES = {"GENK-RET-2018": (5, 15), "ANT-RET-2022": (10, 20), "MEC-RET": (5, 15)}

AREAS = [
    # municipality, organisation, code, names (nl, fr, en, de), tariff zone, streets, neighbours.
    # Genk and Antwerp keep the zone codes their retributions and permits already carry (Z1, ROOD…).
    ("genk", "opc-genk", "Z1", ("Centrum", "Centre", "Centre", "Zentrum"), "rood",
     ["Weg naar As", "Vennestraat", "Stationsstraat"], ["Z2"]),
    ("genk", "opc-genk", "Z2", ("Stadsplein", "Place de la Ville", "Town Square", "Stadtplatz"), "blauw",
     ["Stadsplein", "Molenstraat", "Hoogstraat"], ["Z1", "Z3"]),
    ("genk", "opc-genk", "Z3", ("Winterslag", "Winterslag", "Winterslag", "Winterslag"), "groen",
     ["Noordlaan", "Vennestraat-Noord"], ["Z2"]),
    ("antwerpen", "agmp-antwerpen", "ROOD", ("Centrum rood", "Centre rouge", "Centre red", "Zentrum rot"),
     "rood", ["Meir", "Groenplaats", "Huidevettersstraat"], ["BLAUW"]),
    ("antwerpen", "agmp-antwerpen", "BLAUW", ("Centrum blauw", "Centre bleu", "Centre blue", "Zentrum blau"),
     "blauw", ["Frankrijklei", "Mechelsesteenweg"], ["ROOD", "ZUID"]),
    ("antwerpen", "agmp-antwerpen", "ZUID", ("Zuid", "Sud", "South", "Süd"), "groen",
     ["Vlaamse Kaai", "Leopold De Waelplaats"], ["BLAUW"]),
    ("mechelen", "stad-mechelen", "MEC-C", ("Binnenstad", "Centre-ville", "City centre", "Innenstadt"),
     "rood", ["IJzerenleen", "Befferstraat"], ["MEC-V"]),
    ("mechelen", "stad-mechelen", "MEC-V", ("Vesten", "Boulevards", "Ring boulevards", "Wälle"), "blauw",
     ["Hanswijkvaart", "Kon. Astridlaan"], ["MEC-C"]),
]  # fmt: skip

# Sessions of the demo citizens: key, whose (identity key or "company"), municipality, area, plate,
# start (days and hours before the seed, rounded to the minute), minutes, amount in cents.
SESSIONS = [
    ("an-genk", "citizen-many", "71016", "Z1", "1-ABC-123", (3, 5), 90, 240),
    ("an-antwerpen", "citizen-many", "11002", "ROOD", "1-ABC-123", (4, 26), 120, 640),
    ("an-mechelen", "citizen-many", "12025", "MEC-C", "1-ABC-123", (0, 2), 60, 180),
    ("bart-genk", "company-rep", "71016", "Z2", "1-BCL-778", (2, 4), 45, 120),
    ("company-antwerpen", "company", "11002", "BLAUW", "1-LLX-201", (1, 6), 180, 960),
    ("anonymous-mechelen", None, "12025", "MEC-V", "2-XYZ-999", (1, 3), 30, 90),
]

# An's retribution that a late session cancels: issued in Antwerp, the provider's report came after.
LATE = _retribution(
    "an-ret-session", "agmp-antwerpen", "antwerpen", "ANT-RET-2022", ["notified"], 8, "Frankrijklei",
    zone="BLAUW",
)  # fmt: skip
LATE_SESSION_ID = "DEMO-AN-LATE"
# An's Genk retribution she contests ("I had paid by app"): her session has the plate typed with an 8
# for the B, so the cross-check does not cancel it and the clerk sees the near match.
NEAR = _retribution(
    "an-ret-near", "opc-genk", "genk", "GENK-RET-2018", ["notified"], 5, "Noordlaan", zone="Z3"
)
NEAR_SESSION_ID = "DEMO-AN-NEAR"
NEAR_PLATE = "1-A8C-123"
CONTEST_KEY = "demo-sessions-near-contest"


def _identity(key: str):
    return next(identity for identity in IDENTITIES if identity.key == key)


def seed_sessions(*, organisations, municipalities, regulations, parties) -> dict:
    """Areas, the provider, the citizens' sessions and the retribution a late session cancels."""
    from eloket.demo import _seed_dossier, _upsert

    for code, (grace, near) in REGULATION_MINUTES.items():
        regulation = regulations.get(code)
        if regulation is not None:
            values = {"session_grace_minutes": grace, "session_near_minutes": near}
            regulations[code] = _upsert(Regulation, {"pk": regulation.pk}, values)
    provider = _upsert(Organisation, {"slug": PROVIDER_SLUG}, PROVIDER)
    provider.municipalities.set([municipalities[slug] for slug in SERVES])
    PaymentAccount.objects.get_or_create(
        organisation=provider, defaults={"stripe_account_id": f"acct_demo_{PROVIDER_SLUG}"}
    )
    _seed_areas(organisations, municipalities)
    base = timezone.now().replace(second=0, microsecond=0)
    for key, whose, nis, area, plate, (days, hours), minutes, cents in SESSIONS:
        start = base - dt.timedelta(days=days, hours=hours)
        session_seed(
            provider, key, nis, area, plate, start, start + dt.timedelta(minutes=minutes), cents, whose
        )
    _seed_dossier(LATE, parties["citizen-many"], organisations, municipalities, regulations)
    dossier = Dossier.objects.get(organisation__slug=LATE.organisation, external_id=f"DEMO-{LATE.key}")
    start = dossier.occurred_at.replace(second=0, microsecond=0) - dt.timedelta(minutes=20)
    session_seed(
        provider, LATE_SESSION_ID, "11002", "BLAUW", "1-ABC-123", start, start + dt.timedelta(minutes=75),
        500, "citizen-many", session_id=LATE_SESSION_ID,
    )  # fmt: skip
    return {"provider": provider}


def _seed_areas(organisations, municipalities) -> None:
    from eloket.sessions.areas import parking_area_save

    saved = {}
    for slug, org, code, names, tariff, streets, _neighbours in AREAS:
        municipality = municipalities[slug]
        area = ParkingArea.objects.filter(municipality=municipality, code=code).first() or ParkingArea(
            municipality=municipality, code=code
        )
        area.organisation = organisations[org]
        area.name_nl, area.name_fr, area.name_en, area.name_de = names
        area.tariff_zone = tariff
        saved[slug, code] = parking_area_save(area=area, streets=streets)
    for slug, _org, code, *_rest, neighbours in AREAS:
        parking_area_save(area=saved[slug, code], neighbour_codes=neighbours)


def session_seed(provider, key, nis, area, plate, start, end, cents, whose, *, session_id=None) -> None:
    """Report the session through the provider's path, unless it is there already."""
    from eloket.sessions.write import session_upsert

    session_id = session_id or f"DEMO-{key}"
    if ParkingSession.objects.filter(provider=provider, provider_session_id=session_id).exists():
        return
    data = {
        "session_id": session_id,
        "plate": plate,
        "municipality": nis,
        "area": area,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "amount_paid_cents": cents,
    }
    if whose == "company":
        data["customer_enterprise_number"] = _identity("company-rep").companies[0][0]
    elif whose:
        data["customer_national_number"] = _identity(whose).national_number
    result = session_upsert(provider=provider, data=data)
    if result.status == "error":
        raise RuntimeError(f"demo session {session_id} refused: {result.errors}")
