"""SLA deadlines from the organisation's targets (the clock itself: issue #6 refines)."""
from __future__ import annotations

from datetime import datetime, timedelta

from handlers.organisation import Duration, Organisation


def add_duration(start: datetime, duration: Duration) -> datetime:
    """Add a target to a start time. Business days skip Saturdays and Sundays."""
    if not duration.business_days:
        return start + duration.as_timedelta()
    moment, left = start, duration.amount
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


def deadlines(organisation: Organisation, *, priority: str, start: datetime) -> tuple[datetime | None, datetime | None]:
    """(first response due, resolution due) for a ticket of this priority opened at `start`."""
    target = organisation.sla[priority]
    first = add_duration(start, target.first_response)
    resolution = add_duration(start, target.resolution) if target.resolution else None
    return first, resolution


def describe_target(organisation: Organisation, *, priority: str) -> str:
    return str(organisation.sla[priority].first_response)


def time_left(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "no fixed target"
    seconds = int((due - now).total_seconds())
    sign = "" if seconds >= 0 else "overdue by "
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days}d {hours}h"
    elif hours:
        text = f"{hours}h {minutes}m"
    else:
        text = f"{minutes}m"
    return f"{sign}{text}" if sign else f"{text} left"
