import datetime as dt

import pytest

from forms.workdays import add_working_days, is_working_day


def test_a_weekend_is_not_counted():
    friday = dt.date(2025, 3, 7)
    assert add_working_days(friday, 1) == dt.date(2025, 3, 10)


def test_ten_working_days_from_a_monday_is_two_weeks_later():
    assert add_working_days(dt.date(2025, 3, 3), 10) == dt.date(2025, 3, 17)


def test_belgian_public_holidays_are_skipped():
    # Easter Monday 21 April 2025; 1 May (Labour Day) a Thursday.
    assert not is_working_day(dt.date(2025, 4, 21))
    assert add_working_days(dt.date(2025, 4, 18), 1) == dt.date(2025, 4, 22)
    assert add_working_days(dt.date(2025, 4, 30), 1) == dt.date(2025, 5, 2)


def test_christmas_to_new_year_skips_both_holidays():
    # 24 Dec 2025 (Wed) + 3: 26 Dec (Fri), 29 Dec (Mon), 30 Dec (Tue); 25 Dec and 1 Jan are holidays.
    assert add_working_days(dt.date(2025, 12, 24), 3) == dt.date(2025, 12, 30)
    assert add_working_days(dt.date(2025, 12, 31), 1) == dt.date(2026, 1, 2)


def test_zero_days_is_the_start_itself_and_negative_is_refused():
    assert add_working_days(dt.date(2025, 3, 8), 0) == dt.date(2025, 3, 8)
    with pytest.raises(ValueError):
        add_working_days(dt.date(2025, 3, 8), -1)
