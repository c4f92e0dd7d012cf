"""What the synthetic data is made of: weights, status paths, names, and the synthetic identifiers."""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect

from eloket.constants import DossierKind as K
from eloket.references import ALPHABET, PREFIX

BENCH_PARTY_DOSSIERS = 50  # one party per run gets exactly this many: the benchmark logs in as it
NIS_FIRST = 9001  # "09001".."09285": no municipality has a NIS code starting with 0
SYNTHETIC_BANK_CODE = "999"  # not a Belgian bank's code: no real account can match
BIRTH_FIRST = dt.date(1935, 1, 1)
BIRTH_DAYS = (dt.date(1999, 12, 31) - BIRTH_FIRST).days + 1
# References, OGMs and external ids grow with the dossier id, as most source systems number them: their
# indexes then grow at the right edge instead of touching a random page per row, which at 10 million
# rows is the difference between minutes and an hour.
OGM_FIRST = 7_000_000_000
REFERENCE_FIRST = 29**8  # the 9-letter bodies start at "322222222"
SPAN = dt.timedelta(days=3 * 365)  # dossiers are spread over the last three years
RECENT = dt.timedelta(days=45)  # younger dossiers are mostly still open, older ones mostly closed

# fmt: off
KIND_WEIGHTS = {K.PARKING_RETRIBUTION: 70, K.GAS4: 10, K.GAS5: 8, K.RESIDENT_PERMIT: 7, K.EMPLOYEE_PERMIT: 2,
                K.IOD_PERMIT: 3}
# Status paths after the initial status ("a>b>c"), with weights, per kind and age group.
RETRIBUTION_PATHS = {
    "recent": {"": 3, "notified": 55, "notified>paid": 25, "notified>contested": 5, "notified>reminded": 7,
               "cancelled_by_permit": 4, "notified>cancelled": 1},
    "old": {"notified>paid": 62, "notified>reminded>paid": 10, "notified>reminded>formal_notice>paid": 3,
            "notified>reminded>formal_notice": 3, "notified>reminded>formal_notice>in_collection": 4,
            "notified>contested>cancelled": 4, "notified>contested>notified>paid": 2, "notified>contested": 1,
            "notified>reminded": 2, "notified": 1, "cancelled_by_permit": 5, "notified>cancelled": 2},
}
GAS_PATHS = {
    "recent": {"": 3, "notified": 60, "notified>paid": 25, "notified>defence": 8, "notified>cancelled": 2},
    "old": {"notified>paid": 65, "notified>reminded>paid": 10, "notified>reminded>enforceable": 5,
            "notified>reminded>enforceable>paid": 4, "notified>defence>cancelled": 6,
            "notified>defence>notified>paid": 3, "notified>defence": 1, "notified>cancelled": 3,
            "notified>reminded": 2, "notified": 1},
}
PERMIT_PATHS = {
    "recent": {"": 30, "active": 68, "revoked": 2},
    "old": {"active": 96, "active>revoked": 4},
    "expired": {"active>expired": 95, "active>revoked": 3, "revoked": 2},
}
PATHS = {K.PARKING_RETRIBUTION: RETRIBUTION_PATHS, K.GAS4: GAS_PATHS, K.GAS5: GAS_PATHS,
         K.RESIDENT_PERMIT: PERMIT_PATHS, K.EMPLOYEE_PERMIT: PERMIT_PATHS, K.IOD_PERMIT: PERMIT_PATHS}
PERMIT_DAYS = {K.RESIDENT_PERMIT: (365,), K.EMPLOYEE_PERMIT: (182, 365), K.IOD_PERMIT: (1, 2, 3, 5, 14)}

NAME_STARTS = ("Beek", "Berg", "Dries", "Heide", "Hout", "Kapel", "Kerk", "Linde", "Meer", "Molen", "Oost",
               "West", "Zand", "Ven", "Broek", "Eike", "Wilder")
NAME_ENDS = ("hoven", "dijk", "rode", "kerke", "gem", "zele", "lo", "hout", "beke", "donk", "laar", "horst",
             "heide", "meer", "bergen", "velde", "hem")
FIRST_NAMES = ("An", "Bart", "Chloé", "Dirk", "Els", "Fien", "Geert", "Hanne", "Ilse", "Jan", "Karel",
               "Lotte", "Mehmet", "Nina", "Olivier", "Pieter", "Rania", "Sofie", "Tom", "Yasmina", "Zoë")
LAST_NAMES = ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
              "De Smet", "Dubois", "Lambert", "Dupont", "Aerts", "Yilmaz", "El Amrani", "Vermeulen")
STREETS = ("Kerkstraat", "Stationsstraat", "Molenstraat", "Nieuwstraat", "Schoolstraat", "Dorpsstraat",
           "Markt", "Kapelstraat", "Beekstraat", "Hoogstraat", "Veldstraat", "Grote Markt", "Lindenlaan")
# fmt: on
LANGUAGES = {"nl": 90, "fr": 8, "en": 1, "de": 1}


def synthetic_national_number(counter: int) -> str:
    """The ``counter``-th synthetic national register number: born 1935-1999, serial 001-997."""
    serial, day = divmod(counter, BIRTH_DAYS)
    if serial >= 997:
        raise ValueError("out of synthetic national numbers")
    body = (BIRTH_FIRST + dt.timedelta(days=day)).strftime("%y%m%d") + f"{serial + 1:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


def synthetic_reference(*, kind: str, year: int, dossier_id: int) -> str:
    """A 9-letter body where ``reference_new`` makes 8, so never a real reference; one per id."""
    n = REFERENCE_FIRST + dossier_id
    body = ""
    for _ in range(9):
        n, digit = divmod(n, len(ALPHABET))
        body = ALPHABET[digit] + body
    return f"{PREFIX[kind]}-{year % 100:02d}-{body}"


def _letters(n: int, alphabet: str, length: int) -> str:
    body = ""
    for _ in range(length):
        n, digit = divmod(n, len(alphabet))
        body = alphabet[digit] + body
    return body


def synthetic_payment_reference(dossier_id: int) -> str:
    """``BET-`` and 9 letters where ``payment_reference_new`` makes 8: one online payment per paid dossier."""
    return "BET-" + _letters(REFERENCE_FIRST + dossier_id, ALPHABET, 9)


def synthetic_submission_reference(dossier_id: int) -> str:
    """``V-`` and 8 characters where ``short_reference`` makes 6: one submission per dossier at most."""
    from forms.models import REFERENCE_ALPHABET

    return "V-" + _letters(len(REFERENCE_ALPHABET) ** 7 + dossier_id, REFERENCE_ALPHABET, 8)


def synthetic_plate(party_id: int, second: bool = False) -> str:
    """One of the party's (at most two) Belgian-style plates, ``1-ABC-123``."""
    n = (party_id * 2 + second) * 40_503 % (2 * 26**3 * 1000)
    n, first = divmod(n, 2)
    n, number = divmod(n, 1000)
    return f"{first + 1}-{''.join(chr(65 + n // 26**i % 26) for i in (2, 1, 0))}-{number:03d}"


def ogm_from_int(base: int) -> str:
    """``eloket.ogm.ogm_from_base`` without stdnum's input cleaning: the base is already an int."""
    if not 0 <= base < 10**10:
        raise ValueError("an OGM base has at most 10 digits")
    return f"{base:010d}{base % 97 or 97:02d}"


def pick(rng: random.Random, items, cum_weights: list):
    """``rng.choices(items, cum_weights=cum_weights)[0]`` without its overhead (millions of times)."""
    return items[bisect(cum_weights, rng.random() * cum_weights[-1])]
