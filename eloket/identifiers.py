"""National register, BIS and enterprise (KBO) numbers: validate, hash for matching, mask for display.

The numbers themselves are never stored: a party keeps HMAC-SHA256(IDENTIFIER_HASH_KEY, number) to be
found again, and a masked form that shows only the last two digits. Validation is python-stdnum's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import bis, nn, vat
from stdnum.exceptions import ValidationError as StdnumError

from eloket.constants import PartyKind


@dataclass(frozen=True)
class Identifier:
    kind: str
    digits: str

    @property
    def hashed(self) -> str:
        return identifier_hash(self.digits)

    @property
    def masked(self) -> str:
        if self.kind == PartyKind.PERSON:
            return f"**.**.**-***.{self.digits[-2:]}"
        return f"****.***.*{self.digits[-2:]}"

    def __repr__(self) -> str:  # never leak the number into logs or tracebacks
        return f"Identifier(kind={self.kind!r}, masked={self.masked!r})"

    __str__ = __repr__

    def without_digits(self) -> HashedIdentifier:
        return HashedIdentifier(kind=self.kind, hashed=self.hashed, masked=self.masked)


@dataclass(frozen=True)
class HashedIdentifier:
    """What may be kept of a number once it is parsed (a login's claims, a session): the keyed hash and
    the masked form. ``services.party_get_or_create`` takes it like an ``Identifier``."""

    kind: str
    hashed: str
    masked: str


def identifier_hash(digits: str) -> str:
    key = settings.IDENTIFIER_HASH_KEY.encode()
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def _plain_national_number(value: str) -> str | None:
    """``value`` when it is a national register number written as its 11 digits and valid, else None.

    What ``nn.validate`` checks of such a number (not zero, month 0-12, the mod-97 check for a birth in
    the 1900s or, once that year has come, the 2000s), without its clean-up of other spellings: a bulk
    import validates a number per line, and that clean-up was a fifth of the line's cost. Only a
    shortcut to yes: anything else goes to python-stdnum, and a test holds the two together."""
    if len(value) != 11 or not value.isascii() or not value.isdigit() or not 0 <= int(value[2:4]) <= 12:
        return None
    check = int(value[9:])
    if int(value) > 0 and 97 - int(value[:9]) % 97 == check:
        return value
    if int(value[:2]) + 2000 <= dt.date.today().year and 97 - int("2" + value[:9]) % 97 == check:
        return value
    return None


def parse_national_number(value: str) -> Identifier:
    """A Belgian national register or BIS number, in any of its usual spellings."""
    plain = _plain_national_number(value)
    if plain is not None:
        return Identifier(kind=PartyKind.PERSON, digits=plain)
    try:
        digits = nn.validate(value)
    except StdnumError:
        try:
            digits = bis.validate(value)
        except StdnumError:
            raise ValidationError(
                _("Dit is geen geldig rijksregisternummer. Controleer de 11 cijfers op uw identiteitskaart."),
                code="invalid_national_number",
            ) from None
    return Identifier(kind=PartyKind.PERSON, digits=digits)


def parse_enterprise_number(value: str) -> Identifier:
    """A Belgian enterprise number (KBO), with or without BE prefix, dots or spaces."""
    try:
        digits = vat.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Dit is geen geldig ondernemingsnummer. Het telt 10 cijfers, bijvoorbeeld 0403.019.261."),
            code="invalid_enterprise_number",
        ) from None
    return Identifier(kind=PartyKind.ENTERPRISE, digits=digits)


def parse_identifier(*, kind: str, value: str) -> Identifier:
    if kind == PartyKind.PERSON:
        return parse_national_number(value)
    return parse_enterprise_number(value)


def enterprise_number_display(value: str) -> str:
    """An enterprise number as printed on letters and receipts: ``0403.019.261`` (python-stdnum's
    compact form, old 9-digit numbers with their leading 0, grouped 4-3-3). A value that is not a
    valid number comes back as stored rather than grouped into something that looks valid."""
    if not value:
        return ""
    try:
        digits = vat.validate(value)
    except StdnumError:
        return value
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
