"""Short references printed on letters and shown to citizens: ``RB-26-K7Q3M9XD``.

The alphabet leaves out letters that are easily confused when read over the phone (0/O, 1/I/L, U/V).
"""

import secrets

from eloket.constants import DossierKind

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
PREFIX = {
    DossierKind.PARKING_RETRIBUTION: "RB",
    DossierKind.GAS4: "G4",
    DossierKind.GAS5: "G5",
    DossierKind.RESIDENT_PERMIT: "BK",
    DossierKind.EMPLOYEE_PERMIT: "WV",
    DossierKind.IOD_PERMIT: "IOD",
}


def reference_new(*, kind: str, year: int) -> str:
    # Eight letters from one draw of 40 random bits (29**8 < 2**40): a bulk import makes millions.
    number = secrets.randbits(40) % (len(ALPHABET) ** 8)
    body = []
    for _ in range(8):
        number, digit = divmod(number, len(ALPHABET))
        body.append(ALPHABET[digit])
    return f"{PREFIX[kind]}-{year % 100:02d}-{''.join(body)}"
