"""A reader for Febelfin CODA bank statements (version 2): fixed lines of 128 characters.

Records: 0 header, 1 old balance (the account), 2.1 movement (sign, amount with three decimals, value
date, communication: type 1 ``101`` + the 12-digit OGM for a structured one, entry date), 2.2 and 2.3
movement details (2.3: the counterparty's account and name), 3.x information and 4 free messages
(skipped), 8 new balance, 9 trailer (record count, debit and credit totals). Positions follow
domain.md §5 (standard CODA 2.6).

Parsing never half-succeeds: every malformed line is reported with its number, and the caller applies
nothing when there is any error. The checks that catch a damaged file: line length and record order,
numeric fields, each statement's old balance + movements = new balance, and the trailer's count and
totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LINE_LENGTH = 128
MAX_ERRORS = 50


@dataclass(slots=True)
class CodaMovement:
    line_number: int
    sequence: str
    detail: str
    amount_cents: int  # credit positive, debit negative
    value_date: dt.date | None
    entry_date: dt.date | None
    transaction_code: str
    ogm: str
    communication: str
    statement_number: str
    globalisation: str
    counterparty_iban: str = ""
    counterparty_name: str = ""

    @property
    def is_booking(self) -> bool:
        """A movement that is one payment: not the total line of a globalised batch."""
        return self.globalisation in ("0", " ") or self.detail != "0000"


@dataclass
class CodaStatement:
    line_number: int
    account: str
    currency: str
    statement_number: str
    old_balance_cents: int
    old_balance_date: dt.date | None
    new_balance_cents: int | None = None
    new_balance_date: dt.date | None = None
    movements: list[CodaMovement] = field(default_factory=list)


@dataclass
class CodaFile:
    creation_date: dt.date | None = None
    statements: list[CodaStatement] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def movements(self) -> list[CodaMovement]:
        return [m for statement in self.statements for m in statement.movements]


class CodaError(ValueError):
    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"line {n}: {message}" for n, message in errors[:5]))


def _date(value: str) -> dt.date | None:
    if value == "000000" or not value.strip():
        return None
    return dt.date(2000 + int(value[4:6]), int(value[2:4]), int(value[0:2]))


def _amount_cents(sign: str, digits: str) -> int:
    if sign not in "01" or not digits.isdigit():
        raise ValueError(f"bad amount {sign}{digits!r}")
    milli = int(digits)
    if milli % 10:
        raise ValueError("amount with a fraction of a cent")
    return -(milli // 10) if sign == "1" else milli // 10


def _account(structure: str, zone: str) -> tuple[str, str]:
    """Account number and currency from record 1's account zone (positions 6-42)."""
    if structure == "2":  # Belgian IBAN
        return zone[0:16].strip(), zone[34:37].strip()
    if structure == "3":  # foreign IBAN
        return zone[0:34].strip(), zone[34:37].strip()
    if structure == "0":  # Belgian account number
        return zone[0:12].strip(), zone[13:16].strip()
    return zone[0:34].strip(), zone[34:37].strip()


def decode(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def parse(content: bytes) -> CodaFile:
    """Read a CODA file. Problems are collected in ``errors`` (line number, message)."""
    return _Parser().run(decode(content))


class _Parser:
    def __init__(self):
        self.result = CodaFile()
        self.statement: CodaStatement | None = None
        self.movement: CodaMovement | None = None
        self.records = 0
        self.debit = 0
        self.credit = 0
        self.trailer_seen = False

    def error(self, number: int, message: str) -> None:
        if len(self.result.errors) < MAX_ERRORS:
            self.result.errors.append((number, message))

    def run(self, text: str) -> CodaFile:
        lines = text.splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            self.error(1, "empty file")
            return self.result
        handlers = {
            "0": self.header,
            "1": self.old_balance,
            "2": self.movement_record,
            "3": self.skip,
            "4": self.skip,
            "8": self.new_balance,
            "9": self.trailer,
        }
        for number, line in enumerate(lines, start=1):
            self.line(number, line, handlers)
        if not self.trailer_seen:
            self.error(len(lines), "no trailer (record 9): the file is incomplete")
        if self.statement is not None:
            self.error(self.statement.line_number, "statement without new balance (record 8)")
        return self.result

    def line(self, number: int, line: str, handlers) -> None:
        if len(line) != LINE_LENGTH:
            self.error(number, f"a CODA line has {LINE_LENGTH} characters, this one {len(line)}")
            return
        if "\x00" in line:  # no database stores it in a text column; a damaged file
            self.error(number, "a NUL character: the file is damaged")
            return
        handler = handlers.get(line[0])
        if handler is None:
            self.error(number, f"unknown record type {line[0]!r}")
            return
        if self.trailer_seen:
            self.error(number, "record after the trailer (record 9)")
            return
        if line[0] not in "09":
            self.records += 1
        try:
            handler(number, line)
        except (ValueError, IndexError) as problem:
            self.error(number, f"record {line[0]}: {problem}")

    def header(self, number: int, line: str) -> None:
        if number != 1:
            raise ValueError("the header (record 0) must be the first line")
        self.result.creation_date = _date(line[5:11])

    def old_balance(self, number: int, line: str) -> None:
        if self.statement is not None:
            raise ValueError("a new statement before the previous one's new balance (record 8)")
        account, currency = _account(line[1], line[5:42])
        self.statement = CodaStatement(
            line_number=number,
            account=account,
            currency=currency,
            statement_number=line[2:5],
            old_balance_cents=_amount_cents(line[42], line[43:58]),
            old_balance_date=_date(line[58:64]),
        )

    def movement_record(self, number: int, line: str) -> None:
        if self.statement is None:
            raise ValueError("a movement outside a statement")
        part = line[1]
        if part == "1":
            communication = line[62:115]
            structured = line[61] == "1" and communication[0:3] == "101"
            ogm = communication[3:15] if structured else ""
            if structured and not ogm.isdigit():
                raise ValueError(f"structured communication {ogm!r} is not 12 digits")
            movement = CodaMovement(
                line_number=number,
                sequence=line[2:6],
                detail=line[6:10],
                amount_cents=_amount_cents(line[31], line[32:47]),
                value_date=_date(line[47:53]),
                entry_date=_date(line[115:121]),
                transaction_code=line[53:61],
                ogm=ogm,
                communication="" if structured else communication.strip(),
                statement_number=line[121:124],
                globalisation=line[124],
            )
            if movement.detail == "0000":
                if movement.amount_cents < 0:
                    self.debit -= movement.amount_cents
                else:
                    self.credit += movement.amount_cents
            self.statement.movements.append(movement)
            self.movement = movement
        elif part in ("2", "3"):
            if self.movement is None or self.movement.sequence != line[2:6]:
                raise ValueError(f"record 2.{part} without its movement (record 2.1)")
            if part == "2":
                extra = line[10:63].strip()
                if extra and not self.movement.ogm:
                    self.movement.communication = f"{self.movement.communication} {extra}".strip()[:200]
            else:
                self.movement.counterparty_iban = line[10:44].strip()
                self.movement.counterparty_name = line[47:82].strip()
        else:
            raise ValueError(f"unknown movement record 2.{part}")

    def skip(self, number: int, line: str) -> None:
        if self.statement is None:
            raise ValueError("an information record outside a statement")

    def new_balance(self, number: int, line: str) -> None:
        statement = self.statement
        if statement is None:
            raise ValueError("a new balance without its old balance (record 1)")
        statement.new_balance_cents = _amount_cents(line[41], line[42:57])
        statement.new_balance_date = _date(line[57:63])
        booked = sum(m.amount_cents for m in statement.movements if m.detail == "0000")
        if statement.old_balance_cents + booked != statement.new_balance_cents:
            raise ValueError(
                f"old balance {statement.old_balance_cents} + movements {booked} is not the new balance "
                f"{statement.new_balance_cents}: a movement is missing or damaged"
            )
        self.result.statements.append(statement)
        self.statement = None
        self.movement = None

    def trailer(self, number: int, line: str) -> None:
        self.trailer_seen = True
        count, debit, credit = line[16:22], line[22:37], line[37:52]
        if not (count.isdigit() and debit.isdigit() and credit.isdigit()):
            raise ValueError("trailer totals are not numeric")
        if int(count) != self.records:
            raise ValueError(f"trailer counts {int(count)} records, the file has {self.records}")
        if int(debit) // 10 != self.debit or int(credit) // 10 != self.credit:
            raise ValueError("trailer totals do not match the movements")
