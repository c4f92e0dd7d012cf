"""ACM/IDM's claims (domain.md §4) as the e-loket uses them.

``rrn`` (national register or BIS number) finds the person's party; ``given_name`` / ``family_name`` name
it; ``vo_email`` becomes its contact address, unverified until the citizen confirms it in the e-loket.
A login in the capacity of an enterprise has the audience code ``EA`` (economische actoren) and the KBO
number in ``vo_orgcode`` (with its name in ``vo_orgnaam``): that login may act for the enterprise.

The numbers are hashed at once: what is kept (in allauth's ``SocialAccount.extra_data`` and the
session) is the keyed hash and the masked form, never the number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from eloket.constants import PartyKind
from eloket.identifiers import HashedIdentifier, parse_enterprise_number, parse_national_number

logger = logging.getLogger(__name__)

ECONOMIC_ACTOR_AUDIENCE_CODE = "EA"


@dataclass(frozen=True)
class Identity:
    sub: str
    person: HashedIdentifier | None
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    audience_code: str = ""
    enterprise: HashedIdentifier | None = None
    enterprise_name: str = ""

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def to_extra_data(self) -> dict:
        data = {
            "sub": self.sub,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "vo_email": self.email,
            "vo_doelgroepcode": self.audience_code,
            "vo_orgnaam": self.enterprise_name,
        }
        for name, identifier in (("person", self.person), ("enterprise", self.enterprise)):
            data[name] = {"hash": identifier.hashed, "masked": identifier.masked} if identifier else None
        return data

    @classmethod
    def from_extra_data(cls, data: dict) -> Identity:
        def identifier(name: str, kind: str) -> HashedIdentifier | None:
            value = data.get(name)
            return (
                HashedIdentifier(kind=kind, hashed=value["hash"], masked=value["masked"]) if value else None
            )

        return cls(
            sub=str(data.get("sub", "")),
            person=identifier("person", PartyKind.PERSON),
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            email=data.get("vo_email") or "",
            audience_code=data.get("vo_doelgroepcode") or "",
            enterprise=identifier("enterprise", PartyKind.ENTERPRISE),
            enterprise_name=data.get("vo_orgnaam") or "",
        )


def identity_from_claims(claims: dict) -> Identity:
    """The identity in a login's claims (ID token and userinfo merged)."""
    person = None
    if claims.get("rrn"):
        try:
            person = parse_national_number(str(claims["rrn"])).without_digits()
        except ValidationError:
            logger.warning("oidc_claims rrn_invalid")
    audience_code = str(claims.get("vo_doelgroepcode") or "")
    enterprise = None
    if audience_code == ECONOMIC_ACTOR_AUDIENCE_CODE and claims.get("vo_orgcode"):
        try:
            enterprise = parse_enterprise_number(str(claims["vo_orgcode"])).without_digits()
        except ValidationError:
            logger.warning("oidc_claims kbo_invalid")
    email = str(claims.get("vo_email") or "").strip()
    return Identity(
        sub=str(claims.get("sub", "")),
        person=person,
        given_name=str(claims.get("given_name") or "").strip(),
        family_name=str(claims.get("family_name") or "").strip(),
        email=email if _plausible_email(email) else "",
        audience_code=audience_code,
        enterprise=enterprise,
        enterprise_name=str(claims.get("vo_orgnaam") or "").strip() if enterprise else "",
    )


def _plausible_email(value: str) -> bool:
    from django.core.validators import validate_email

    if not value:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True
