import logging

import pytest
from django.core.exceptions import ValidationError

from eloket import services
from eloket.identifiers import parse_enterprise_number, parse_national_number
from eloket.models import Party

NUMBER = "85.07.30-033.28"  # domain.md §5, verified check digits
DIGITS = "85073003328"


def test_a_national_number_is_validated_in_any_spelling():
    assert parse_national_number(NUMBER).digits == DIGITS
    assert parse_national_number(DIGITS).digits == DIGITS


def test_a_bis_number_is_accepted():
    body = "852730033"  # month + 20: sex unknown
    assert parse_national_number(f"{body}{97 - int(body) % 97:02d}").kind == "person"


@pytest.mark.parametrize("value", ["85073003329", "1234", "", "abcdefghijk"])
def test_a_wrong_national_number_gets_a_message_a_citizen_understands(value):
    with pytest.raises(ValidationError) as error:
        parse_national_number(value)
    assert "rijksregisternummer" in error.value.messages[0]


def test_an_enterprise_number_is_validated_with_or_without_be_prefix():
    assert parse_enterprise_number("BE 0403.019.261").digits == "0403019261"
    with pytest.raises(ValidationError):
        parse_enterprise_number("0403019262")


def test_the_identifier_never_shows_in_its_repr_or_mask():
    identifier = parse_national_number(NUMBER)
    assert DIGITS not in repr(identifier)
    assert DIGITS not in str(identifier)
    assert identifier.masked == "**.**.**-***.28"


@pytest.mark.django_db
def test_a_party_stores_only_the_keyed_hash_and_the_mask(caplog):
    caplog.set_level(logging.DEBUG)
    party, created = services.party_get_or_create(
        identifier=parse_national_number(NUMBER), display_name="An Peeters"
    )
    assert created
    stored = Party.objects.filter(pk=party.pk).values().get()
    assert all(DIGITS not in str(value) for value in stored.values())
    assert DIGITS not in caplog.text
    again, created = services.party_get_or_create(identifier=parse_national_number(DIGITS), display_name="x")
    assert (again.pk, created) == (party.pk, False)


@pytest.mark.django_db
def test_the_hash_depends_on_the_secret_key(settings):
    first = parse_national_number(NUMBER).hashed
    settings.IDENTIFIER_HASH_KEY = "another-key"
    assert parse_national_number(NUMBER).hashed != first


def _stdnum_nn(value):
    from stdnum.be import nn
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        return nn.validate(value)
    except StdnumError:
        return None


def test_the_shortcut_for_plain_national_numbers_accepts_exactly_what_python_stdnum_accepts():
    """The shortcut may only say yes where python-stdnum says yes, and must say it for valid numbers
    of both centuries (else it would be no shortcut)."""
    import datetime as dt
    import random

    from eloket.identifiers import _plain_national_number

    rng = random.Random(11)
    candidates = [f"{rng.randrange(10**11):011d}" for _ in range(20_000)]
    for _ in range(5_000):  # valid by construction: a birth date, a sequence, the check of its century
        born = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(125 * 365))
        body = f"{born:%y%m%d}{rng.randrange(1, 998):03d}"
        base = int(body) + (2_000_000_000 if born.year >= 2000 else 0)
        candidates.append(f"{body}{97 - base % 97:02d}")
    candidates += [
        "00000100195",
        "00000000097",
        "85073003328",
        "85133003328",
        "8507300332",
        "85.07.30-033.28",
    ]
    shortcut = 0
    for value in candidates:
        fast = _plain_national_number(value)
        assert fast is None or fast == _stdnum_nn(value), value
        shortcut += fast is not None
        if _stdnum_nn(value) == value:  # a plain valid number: the shortcut says yes too
            assert fast == value, value
    assert shortcut >= 5_000
