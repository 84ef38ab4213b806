"""Working time: the organisation's business-hours calendar, and the around-the-clock one.

A target that follows business hours only counts time inside the working windows (the working
days at the working hours, in the organisation's time zone, minus holidays); an around-the-clock
target counts every second. Both calendars answer the same two questions: "when is `start` plus
this much working time?" and "how much working time lies between two moments?".
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.organisation import WEEKDAYS, BusinessHours

SEARCH_DAYS = 3660  # a calendar with no working day in ten years is a configuration mistake


class Calendar(Protocol):
    business_hours: bool

    def add(self, start: datetime, seconds: float) -> datetime: ...

    def working_seconds(self, start: datetime, end: datetime) -> float: ...

    @property
    def day_seconds(self) -> float: ...


class AroundTheClock:
    """Every second counts (P1 and P2 by default)."""

    business_hours = False
    day_seconds = 86400.0

    def add(self, start: datetime, seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    def working_seconds(self, start: datetime, end: datetime) -> float:
        return max((end - start).total_seconds(), 0.0)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working windows: `days` at `opens`-`closes` local time in `zone`, except `holidays`."""

    zone: ZoneInfo
    days: frozenset[int]  # Monday is 0
    opens: time
    closes: time | None  # None: midnight at the end of the day
    holidays: frozenset[date]
    business_hours = True

    @classmethod
    def from_config(cls, config: BusinessHours) -> BusinessCalendar:
        opens, closes = config.span()
        return cls(zone=ZoneInfo(config.timezone), days=frozenset(WEEKDAYS.index(d) for d in config.days),
                   opens=opens, closes=closes, holidays=frozenset(config.holidays))

    @property
    def day_seconds(self) -> float:
        """The length of a normal working day (a business day of a target is this much working time)."""
        end = 86400 if self.closes is None else self.closes.hour * 3600 + self.closes.minute * 60
        return float(end - (self.opens.hour * 3600 + self.opens.minute * 60))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The working window of a local date, in UTC (a DST change shifts it like a wall clock)."""
        start = datetime.combine(day, self.opens, tzinfo=self.zone)
        if self.closes is None:
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
        else:
            end = datetime.combine(day, self.closes, tzinfo=self.zone)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    def windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows that end after `moment`, in order (the first may have begun already)."""
        day = moment.astimezone(self.zone).date() - timedelta(days=1)  # a window may straddle midnight UTC
        for _ in range(SEARCH_DAYS):
            if self.is_working_day(day):
                start, end = self.window(day)
                if end > moment:
                    yield start, end
            day += timedelta(days=1)
        raise ValueError("the business-hours calendar has no working day in ten years (check business_hours)")

    def add(self, start: datetime, seconds: float) -> datetime:
        if seconds <= 0:
            return start
        left = seconds
        for window_start, window_end in self.windows_from(start):
            begin = max(start, window_start)
            room = (window_end - begin).total_seconds()
            if left <= room:
                return begin + timedelta(seconds=left)
            left -= room
        raise AssertionError("unreachable")  # windows_from raises first

    def working_seconds(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        total = 0.0
        for window_start, window_end in self.windows_from(start):
            if window_start >= end:
                break
            total += (min(window_end, end) - max(window_start, start)).total_seconds()
        return total

    def next_open(self, moment: datetime) -> datetime:
        """`moment` if it is inside working hours, else the start of the next working window."""
        window_start, _ = next(self.windows_from(moment))
        return max(moment, window_start)


def calendar_for(config: BusinessHours, *, business_hours: bool) -> Calendar:
    return BusinessCalendar.from_config(config) if business_hours else AroundTheClock()
