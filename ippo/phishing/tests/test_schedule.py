"""The send window: Japanese business hours, public holidays (Golden Week, 振替休日), the New Year break,
and the messages-per-minute throttle, on fixed dates with no database and no clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ippo.phishing.schedule import (
    JST,
    WindowTooShort,
    default_window,
    is_business_day,
    minutes_needed,
    send_times,
    sending_intervals,
)


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=JST)


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 5, 1), True),  # Friday between the Golden Week holidays
        (date(2026, 5, 4), False),  # みどりの日
        (date(2026, 5, 6), False),  # 振替休日 for 憲法記念日 (a Sunday)
        (date(2026, 5, 7), True),
        (date(2026, 9, 22), False),  # 国民の休日 between 敬老の日 and 秋分の日
        (date(2026, 12, 28), True),
        (date(2026, 12, 29), False),  # New Year break, though a Tuesday
        (date(2027, 1, 4), True),  # first business day of 2027
        (date(2026, 11, 28), False),  # Saturday
    ],
)
def test_business_days(day, business):
    assert is_business_day(day) is business


def test_golden_week_leaves_only_business_hours():
    spans = sending_intervals(jst(2026, 4, 30, 17, 0), jst(2026, 5, 8, 12, 0))
    assert spans == [
        (jst(2026, 4, 30, 17, 0), jst(2026, 4, 30, 18, 0)),
        (jst(2026, 5, 1, 9, 0), jst(2026, 5, 1, 18, 0)),
        (jst(2026, 5, 7, 9, 0), jst(2026, 5, 7, 18, 0)),
        (jst(2026, 5, 8, 9, 0), jst(2026, 5, 8, 12, 0)),
    ]


def test_every_send_time_is_in_business_hours_and_spread_evenly():
    times = send_times(count=50, start=jst(2026, 4, 28, 8, 0), end=jst(2026, 5, 8, 18, 0), per_minute=10)
    assert len(times) == 50 and times == sorted(times)
    for t in times:
        local = t.astimezone(JST)
        assert is_business_day(local.date()) and 9 <= local.hour < 18, local
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= timedelta(seconds=6)
    assert times[0] == jst(2026, 4, 28, 9, 0)  # starts when business hours open, not at 8:00
    assert times[-1].astimezone(JST).date() >= date(2026, 5, 7)  # uses the whole window, after the holidays


def test_no_minute_holds_more_than_the_throttle():
    per_minute = 3
    times = send_times(
        count=40, start=jst(2026, 6, 1, 9, 0), end=jst(2026, 6, 1, 9, 20), per_minute=per_minute
    )
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u - t < timedelta(seconds=60)) <= per_minute


def test_a_window_too_short_says_how_much_time_is_needed():
    with pytest.raises(WindowTooShort) as caught:
        send_times(count=100, start=jst(2026, 6, 1, 17, 50), end=jst(2026, 6, 2, 9, 5), per_minute=5)
    assert caught.value.available_minutes == 15
    assert caught.value.needed_minutes == minutes_needed(100, 5) == 20


def test_a_window_of_only_holidays_has_no_time():
    with pytest.raises(WindowTooShort) as caught:
        send_times(count=1, start=jst(2026, 12, 29, 9, 0), end=jst(2027, 1, 3, 18, 0), per_minute=30)
    assert caught.value.available_minutes == 0


def test_outside_business_hours_when_allowed():
    times = send_times(
        count=3,
        start=jst(2026, 5, 3, 0, 0),
        end=jst(2026, 5, 3, 3, 0),
        per_minute=1,
        business_hours_only=False,
    )
    assert times == [jst(2026, 5, 3, 0, 0), jst(2026, 5, 3, 1, 0), jst(2026, 5, 3, 2, 0)]


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        sending_intervals(datetime(2026, 6, 1, 9), datetime(2026, 6, 1, 18))


def test_the_default_window_of_a_recurring_drill_skips_the_new_year_break():
    start, end = default_window(count=20, per_minute=30, on=date(2026, 12, 30))
    assert start == jst(2027, 1, 4, 10, 0)
    assert end == jst(2027, 1, 8, 18, 0)  # five business days
    start, end = default_window(count=20000, per_minute=5, on=date(2027, 1, 4))
    send_times(count=20000, start=start, end=end, per_minute=5)  # lengthened until it fits
