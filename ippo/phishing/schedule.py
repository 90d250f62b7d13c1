"""When each drill mail goes out: pure functions, no database, no clock of their own (the caller passes times).

A drill is sent inside a window (from, by). When `business_hours_only` is set, only Japanese business time
counts: weekdays 9:00–18:00 Asia/Tokyo, skipping public holidays (including 振替休日 and 国民の休日, from
`jpholiday`) and the New Year break (29 December – 3 January). Within the usable time, messages are spread
evenly, never closer together than the sending profile's messages-per-minute allows, so no 60-second span
holds more than `per_minute` messages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday

JST = ZoneInfo("Asia/Tokyo")
DAY_START = time(9, 0)
DAY_END = time(18, 0)


def is_new_year_break(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: date) -> bool:
    """A weekday that is neither a Japanese public holiday nor in the New Year break."""
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and not is_new_year_break(day)


def next_business_day(day: date) -> date:
    """`day` itself when it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def sending_intervals(
    start: datetime, end: datetime, *, business_hours_only: bool = True
) -> list[tuple[datetime, datetime]]:
    """The spans of time between `start` and `end` in which mail may be sent (aware datetimes, in order)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        return []
    if not business_hours_only:
        return [(start, end)]
    spans = []
    day = start.astimezone(JST).date()
    last = end.astimezone(JST).date()
    while day <= last:
        if is_business_day(day):
            open_ = datetime.combine(day, DAY_START, tzinfo=JST)
            close = datetime.combine(day, DAY_END, tzinfo=JST)
            lo, hi = max(start, open_), min(end, close)
            if hi > lo:
                spans.append((lo, hi))
        day += timedelta(days=1)
    return spans


@dataclass
class WindowTooShort(ValueError):
    """The window cannot hold `count` messages at `per_minute`. `needed_minutes` of sending time would."""

    count: int
    per_minute: int
    available_minutes: int
    needed_minutes: int

    def __str__(self) -> str:
        return (
            f"{self.count} messages at {self.per_minute}/min need {self.needed_minutes} min of sending time;"
            f" the window has {self.available_minutes} min"
        )


def minutes_needed(count: int, per_minute: int) -> int:
    return math.ceil(count / max(per_minute, 1)) if count else 0


def send_times(
    *,
    count: int,
    start: datetime,
    end: datetime,
    per_minute: int,
    business_hours_only: bool = True,
) -> list[datetime]:
    """`count` send times spread evenly over the usable time in [start, end), in order.

    Consecutive times are at least 60/per_minute seconds apart. Raises WindowTooShort when they cannot fit.
    """
    if count <= 0:
        return []
    if per_minute <= 0:
        raise ValueError("per_minute must be positive")
    spans = sending_intervals(start, end, business_hours_only=business_hours_only)
    total = sum((hi - lo).total_seconds() for lo, hi in spans)
    min_gap = 60.0 / per_minute
    if not spans or (count - 1) * min_gap >= total:
        raise WindowTooShort(
            count=count,
            per_minute=per_minute,
            available_minutes=int(total // 60),
            needed_minutes=minutes_needed(count, per_minute),
        )
    gap = max(min_gap, total / count)
    times = []
    span_index, span_offset = 0, 0.0  # seconds of usable time before spans[span_index]
    for i in range(count):
        offset = i * gap
        while offset >= span_offset + (spans[span_index][1] - spans[span_index][0]).total_seconds():
            span_offset += (spans[span_index][1] - spans[span_index][0]).total_seconds()
            span_index += 1
        lo = spans[span_index][0]
        times.append(lo + timedelta(seconds=offset - span_offset))
    return times


def default_window(*, count: int, per_minute: int, on: date) -> tuple[datetime, datetime]:
    """A window for a drill created by a recurring programme: from 10:00 on the first business day on or
    after `on`, five business days long, lengthened a business day at a time if the audience needs more."""
    day = next_business_day(on)
    start = datetime.combine(day, time(10, 0), tzinfo=JST)
    days = 1
    while True:
        end = datetime.combine(day, DAY_END, tzinfo=JST)
        if days >= 5:
            try:
                send_times(count=count, start=start, end=end, per_minute=per_minute)
            except WindowTooShort:
                pass
            else:
                return start, end
        day = next_business_day(day + timedelta(days=1))
        days += 1
