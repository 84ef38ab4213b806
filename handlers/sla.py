"""SLA targets: which targets a ticket has, on which calendar, and when they fall due.

Incidents take their targets from the priority (`sla:` in app.yaml); service and access requests
from their kind (`request_sla:`), with an approval target as well. A target follows business
hours when app.yaml says so, by default P3-P5 and requests; P1 and P2 run around the clock.
The running clocks themselves (pauses, warnings, breaches) are handlers/sla_clock.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.business_hours import Calendar, calendar_for
from handlers.organisation import Duration, Organisation

FIRST_RESPONSE, RESOLUTION, APPROVAL = "first_response", "resolution", "approval"
TARGET_LABEL = {FIRST_RESPONSE: "first response", RESOLUTION: "resolution", APPROVAL: "approval"}
AROUND_THE_CLOCK_PRIORITIES = ("P1", "P2")


@dataclass(frozen=True)
class Target:
    name: str  # first_response | resolution | approval
    duration: Duration
    business_hours: bool

    def calendar(self, organisation: Organisation) -> Calendar:
        return calendar_for(organisation.business_hours, business_hours=self.business_hours)

    def seconds(self, organisation: Organisation) -> float:
        """The target as working time on its calendar: a day of a business-hours target is one
        working day; around the clock, a (business) day is 24 hours."""
        amount, unit = self.duration.amount, self.duration.unit
        if unit == "m":
            return amount * 60.0
        if unit == "h":
            return amount * 3600.0
        return amount * self.calendar(organisation).day_seconds

    def describe(self) -> str:
        return f"{self.duration}{' (business hours)' if self.business_hours and self.duration.unit != 'bd' else ''}"


def targets_for(organisation: Organisation, *, kind: str, priority: str) -> dict[str, Target]:
    """The ticket's targets by name (a target that is `planned` is absent)."""
    request = organisation.request_sla.get(kind)  # type: ignore[call-overload]
    if request is not None:
        found = {FIRST_RESPONSE: Target(FIRST_RESPONSE, request.first_response, request.business_hours)}
        if request.fulfilment is not None:
            found[RESOLUTION] = Target(RESOLUTION, request.fulfilment, request.business_hours)
        if request.approval is not None:
            found[APPROVAL] = Target(APPROVAL, request.approval, request.business_hours)
        return found
    target = organisation.sla[priority]
    business = target.business_hours
    if business is None:
        business = priority not in AROUND_THE_CLOCK_PRIORITIES
    found = {FIRST_RESPONSE: Target(FIRST_RESPONSE, target.first_response, business)}
    if target.resolution is not None:
        found[RESOLUTION] = Target(RESOLUTION, target.resolution, business)
    return found


def due(organisation: Organisation, target: Target, *, start: datetime, extra_seconds: float = 0.0,
        fraction: float = 1.0) -> datetime:
    """When `fraction` of the target has run, counting from `start` (plus `extra_seconds` of
    working time spent paused)."""
    return target.calendar(organisation).add(start, target.seconds(organisation) * fraction + extra_seconds)


def deadlines(organisation: Organisation, *, priority: str, start: datetime,
              kind: str = "incident") -> tuple[datetime | None, datetime | None]:
    """(first response due, resolution due) for a ticket of this kind and priority opened at `start`."""
    targets = targets_for(organisation, kind=kind, priority=priority)
    first = due(organisation, targets[FIRST_RESPONSE], start=start)
    resolution = due(organisation, targets[RESOLUTION], start=start) if RESOLUTION in targets else None
    return first, resolution


def describe_target(organisation: Organisation, *, priority: str, kind: str = "incident") -> str:
    return targets_for(organisation, kind=kind, priority=priority)[FIRST_RESPONSE].describe()


def status_update_interval(organisation: Organisation, *, priority: str) -> Duration | None:
    """How often stakeholders hear about an open ticket of this priority (None: no cadence)."""
    return organisation.sla[priority].status_update


def duration_text(seconds: float) -> str:
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def time_left(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "no fixed target"
    seconds = (due - now).total_seconds()
    return f"{duration_text(seconds)} left" if seconds >= 0 else f"overdue by {duration_text(seconds)}"


def local_time(organisation: Organisation, moment: datetime) -> str:
    """A moment as people at the organisation read it: `Mon 23 Nov 09:15 GMT`."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(organisation.business_hours.timezone))
    return f"{local:%a %d %b %H:%M} {local.tzname()}"


def later(organisation: Organisation, start: datetime, duration: Duration) -> datetime:
    """`start` plus a duration from app.yaml: business days (`bd`) on the working calendar,
    anything else around the clock."""
    business = duration.unit == "bd"
    calendar = calendar_for(organisation.business_hours, business_hours=business)
    seconds = duration.amount * calendar.day_seconds if business else duration.as_timedelta().total_seconds()
    return calendar.add(start, seconds)
