"""Places as the permit cross-check compares them: a zone code, or a street reduced to a key that
ignores case, accents, punctuation and the usual abbreviations ("Grote Markt" = "grote  markt",
"Sint-Jansstraat" = "St Jansstraat")."""

from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = {"st": "sint", "ste": "sinte", "o.l.v": "onze lieve vrouw", "olv": "onze lieve vrouw"}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def street_key(street: str) -> str:
    if not street:
        return ""
    text = unicodedata.normalize("NFKD", street).encode("ascii", "ignore").decode().casefold()
    words = [_ABBREVIATIONS.get(word.rstrip("."), word) for word in text.replace("-", " ").split()]
    return _NON_WORD.sub("", "".join(words))[:200]


def zone_code_normalise(zone_code: str) -> str:
    """Zone codes as cities print them ("Zone A", "B2"), without stray spaces and in capitals."""
    return " ".join((zone_code or "").split()).upper()[:32]
