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
    return coda_file(
        iban=iban,
        statements=[credits],
        day=day,
        first_statement_number=statement_number,
        old_balance_cents=old_balance_cents,
        holder=holder,
    )


def coda_file(
    *,
    iban: str,
    statements: list[list[Credit]],
    day: dt.date | None = None,
    first_statement_number: int = 1,
    old_balance_cents: int = 0,
    holder: str = "Stad",
) -> bytes:
    """A file of consecutive statements (at most 9,999 movements each: CODA numbers them in 4 digits)."""
    day = day or dt.date.today()
    date = _ddmmyy(day)
    header = f"00000{date}72505{'':8}{'0' * 10}{holder[:26]:<26}"
    lines = [_line(header)[:127] + "2"]
    balance = old_balance_cents
    total = 0
    for offset, credits in enumerate(statements):
        if len(credits) > 9999:
            raise ValueError("a CODA statement holds at most 9,999 movements")
        number = f"{(first_statement_number + offset) % 1000:03d}"
        lines.append(
            _line(f"12{number}{iban:<16}{'':18}EUR0{_amount(balance)}{date}{holder[:26]:<26}{'':35}{number}")
        )
        for index, credit in enumerate(credits, start=1):
            lines.extend(_movement(credit, sequence=f"{index:04d}", date=date, number=number))
            balance += credit.amount_cents
            total += credit.amount_cents
        lines.append(_line(f"8{number}{iban:<16}{'':18}EUR0{_amount(balance)}{date}"))
    records = len(lines) - 1
    lines.append(_line(f"9{'':15}{records:06d}{0:015d}{total * 10:015d}")[:127] + "2")
    return ("\n".join(lines) + "\n").encode("latin-1")


def _movement(credit: Credit, *, sequence: str, date: str, number: str) -> list[str]:
    communication = (f"1101{credit.ogm}" if credit.ogm else f"0{credit.text[:53]}").ljust(54)
    return [
        _line(
            f"21{sequence}0000{'REF' + sequence:<21}0{_amount(credit.amount_cents)}{date}00150000"
            f"{communication}{date}{number}0" + "1 0"
        ),
        _line(f"22{sequence}0000{'':53}{'':35}{'GEBABEBB':<11}" + " " * 16 + "1 0"),
        _line(f"23{sequence}0000{credit.counterparty_iban:<34}EUR{credit.counterparty_name[:35]:<35}")[:125]
        + "0 0",
    ]
