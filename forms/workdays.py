"""Working days in Belgium: no Saturdays, Sundays or public holidays.

Clerk deadlines (``Submission.clerk_due``) are counted in working days, as organisations set their
response terms that way. The holidays are the national ones (``holidays.country_holidays("BE")``);
regional or municipal days off are not in it.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays


@functools.cache
def _belgian_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("BE", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _belgian_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts).

    ``add_working_days(friday, 1)`` is the next Monday, or Tuesday when Monday is a holiday.
    ``days == 0`` returns ``start`` unchanged.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
