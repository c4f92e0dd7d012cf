"""The Belgian structured payment reference (OGM/VCS): 10 digits plus a mod-97 check (0 becomes 97).

Validation and formatting are python-stdnum's ``be.ogm_vcs``; this module only generates new ones.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError as StdnumError


def ogm_from_base(base: int) -> str:
    """The 12-digit OGM for a 10-digit base number."""
    if not 0 <= base < 10**10:
        raise ValueError("an OGM base has at most 10 digits")
    body = f"{base:010d}"
    # The mod-97 check written out (0 becomes 97): what ``ogm_vcs.calc_check_digits`` computes, without
    # its validation of an input made here; a bulk import makes one per new dossier. Tests hold the two
    # to the same result.
    return f"{body}{base % 97 or 97:02d}"


def ogm_random() -> str:
    return ogm_from_base(secrets.randbelow(10**10))


def ogm_validate(value: str) -> str:
    try:
        return ogm_vcs.validate(value)
    except StdnumError:
        raise ValidationError(_("Ongeldige gestructureerde mededeling."), code="invalid_ogm") from None


def ogm_display(value: str) -> str:
    """``+++123/4567/89002+++``, the way Belgian banks and letters print it."""
    return f"+++{ogm_vcs.format(value)}+++"
