"""Writes CODA 2 statements (the layout ``eloket.payments.coda`` reads): for the tests, the browser
journey and the benchmark, where a bank's file is not at hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Credit:
    amount_cents: int
    ogm: str = ""  # 12 digits: a structured communication; else ``text`` is a free one
    text: str = ""
    counterparty_iban: str = "BE68539007547034"
    counterparty_name: str = "J. Janssens"


def _ddmmyy(day: dt.date) -> str:
    return day.strftime("%d%m%y")


def _amount(cents: int) -> str:
    return f"{abs(cents) * 10:015d}"


def _line(text: str) -> str:
    if len(text) > 128:
        raise ValueError(f"CODA line longer than 128: {text!r}")
    return text.ljust(128)


def coda_statement(
    *,
    iban: str,
    credits: list[Credit],
    day: dt.date | None = None,
    statement_number: int = 1,
    old_balance_cents: int = 0,
    holder: str = "Stad",
) -> bytes:
    """One statement of ``credits`` into the account ``iban`` (a Belgian IBAN, 16 characters)."""
    day = day or dt.date.today()
    date = _ddmmyy(day)
    number = f"{statement_number % 1000:03d}"
    header = f"00000{date}72505{'':8}{'0' * 10}{holder[:26]:<26}"
    lines = [_line(header)[:127] + "2"]
    lines.append(
        _line(
            f"12{number}{iban:<16}{'':18}EUR0{_amount(old_balance_cents)}{date}{holder[:26]:<26}"
            f"{'':35}{number}"
        )
    )
    total = 0
    for index, credit in enumerate(credits, start=1):
        sequence = f"{index % 10000:04d}"
        communication = (f"1101{credit.ogm}" if credit.ogm else f"0{credit.text[:53]}").ljust(54)
        lines.append(
            _line(
                f"21{sequence}0000{'REF' + sequence:<21}0{_amount(credit.amount_cents)}{date}00150000"
                f"{communication}{date}{number}0" + "1 0"
            )
        )
        lines.append(_line(f"22{sequence}0000{'':53}{'':35}{'GEBABEBB':<11}" + " " * 16 + "1 0"))
        lines.append(
            _line(f"23{sequence}0000{credit.counterparty_iban:<34}EUR{credit.counterparty_name[:35]:<35}")[
                :125
            ]
            + "0 0"
        )
        total += credit.amount_cents
    new_balance = old_balance_cents + total
    lines.append(_line(f"8{number}{iban:<16}{'':18}EUR0{_amount(new_balance)}{date}"))
    records = len(lines) - 1
    lines.append(_line(f"9{'':15}{records:06d}{0:015d}{total * 10:015d}")[:127] + "2")
    return ("\n".join(lines) + "\n").encode("latin-1")
