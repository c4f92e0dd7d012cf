"""Licence plates are free-ish strings (Belgian euro plates, old formats, personalised, foreign).

We normalise only what every plate shares: upper case, no spaces, dots or dashes, so that
``1-abc-123`` and ``1ABC123`` match. Display keeps what the source system sent.
"""

import re

_NOISE = re.compile(r"[\s.\-_/]")


def plate_normalise(value: str) -> str:
    return _NOISE.sub("", value or "").upper()
