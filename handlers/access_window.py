"""How long access runs: a length counted from when it is given ("7 days"), or fixed days.

Fixed days come from the requester's words (handlers.access_dates): an end date ("until the end
of the year": access ends at the end of Thu 31 Dec, whenever it is approved and given) and a
start date ("tomorrow", "from Monday": a length counts from that day, so "1 day" ends at the end
of that day). Access can't start before approval: the team's task names the days, so a manual
grant is given then; a webhook grant starts at approval; either ends on the last day. The
request's `duration_seconds` is the length from the start (or from now) to the end, for the
maximum; the days are said back as days ("until Thu 31 Dec", "for 1 day, on Tue 8 Dec"), never
as "4.9 days".

"until further notice" or "permanently" gets the resource's default length (from the start when
there is one), and the requester is told why: access here always ends, and its holder is warned
before it does (`access.warn_before`) and can extend it.

The days are kept in the audit trail (`access_detail` rows for `starts_at` and `ends_at`, as the
requester gave them), which `window_of` reads back: the access request's record has no columns
for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.access_config import label, span, within_max
from handlers.access_dates import dates_in, day_text
from handlers.access_text import duration_text, length_in, zone_of
from handlers.desk import Desk
from storage import audit
from storage.access import AccessRequest
from storage.models import AuditEntry, Ticket

FIELDS = ("starts_at", "ends_at")
DAY = 86400


@dataclass(frozen=True)
class Window:
    starts_at: datetime | None = None  # UTC; None: when it is given
    ends_at: datetime | None = None  # UTC; None: its length counts from when it is given


@dataclass(frozen=True)
class HowLong:
    """What a message says about how long."""

    seconds: int | None  # the length to record (None: none said)
    window: Window
    open_ended: bool = False  # "until further notice"
    passed: datetime | None = None  # an end date that is already over


def read(desk: Desk, text: str, *, known: Window) -> HowLong:
    """The length and days a message gives (`known`: days given before, which it may add to:
    "2 weeks" after "from Monday")."""
    now = desk.clock.now()
    zone = zone_of(desk.organisation)
    dates = dates_in(text, now=now, zone=zone, after=known.starts_at)
    starts_at = dates.starts_at or known.starts_at
    if starts_at is not None and starts_at <= now:
        starts_at = None
    if dates.ends_at is not None:
        seconds = int((dates.ends_at - max(now, starts_at or now)).total_seconds())
        if seconds <= 0:
            return HowLong(None, Window(starts_at), passed=dates.ends_at)
        return HowLong(seconds, Window(starts_at, dates.ends_at))
    length = length_in(text)[0]
    if length:
        return HowLong(length, Window(starts_at, _end(desk, starts_at, length)))
    return HowLong(None, Window(starts_at), open_ended=dates.open_ended)


def with_default(desk: Desk, request: AccessRequest, how: HowLong) -> HowLong:
    """An open end (or "default"): the resource's default length, from the start if there is one."""
    seconds = int(span(desk.organisation.access.resources[request.resource].default_duration).total_seconds())
    start = how.window.starts_at
    return HowLong(seconds, Window(start, _end(desk, start, seconds)), open_ended=how.open_ended)


def open_end_note(desk: Desk, request: AccessRequest, seconds: int) -> str:
    """Why "until further notice" got a length."""
    resource = desk.organisation.access.resources[request.resource]
    warn = duration_text(int(span(desk.organisation.access.warn_before).total_seconds()))
    return (f"Access here always has an end date, so I've put down the usual {duration_text(seconds)} for "
            f"{label(request.resource, resource)}; you'll hear {warn} before it ends and can extend it then.")


def take(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest, how: HowLong) -> tuple[str, bool]:
    """Record how long a message asks (a length, days, an open end). Returns a note for the
    requester and whether it was taken: an end date already over, or more than the resource's
    maximum, is not (the start stays), and the note says why."""
    if how.passed is not None:
        keep(session, desk, ticket, request, HowLong(None, Window(how.window.starts_at)))
        when = day_text(how.passed, zone_of(desk.organisation), now=desk.clock.now(), last=True)
        return f"{when} is over already.", False
    resource = desk.organisation.access.resources.get(request.resource) if request.resource else None
    if resource is None:  # checked once the resource is known
        keep(session, desk, ticket, request, how)
        return "", True
    note = ""
    if how.seconds is None and how.open_ended:
        how = with_default(desk, request, how)
        note = open_end_note(desk, request, how.seconds)
    if how.seconds is not None and not within_max(resource, how.seconds):
        request.duration_seconds = None
        keep(session, desk, ticket, request, HowLong(None, Window(how.window.starts_at)))
        most = duration_text(int(span(resource.max_duration).total_seconds()))
        return (f"{label(request.resource, resource)} can be given for at most {most}, not "
                f"{phrase(desk, how.window, how.seconds).removeprefix('for ')}."), False
    keep(session, desk, ticket, request, how)
    return note, True


def keep(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest, how: HowLong) -> None:
    """Record what was read on the request: its length, and its days when they changed."""
    if how.seconds is not None:
        request.duration_seconds = how.seconds
    before = window_of(session, ticket.id)
    for field in FIELDS:
        value = getattr(how.window, field)
        if value != getattr(before, field):
            audit.record(session, actor=ticket.requester_name, action="access_detail", ticket=ticket, field=field,
                         before=_iso(getattr(before, field)), after=_iso(value) or "", at=desk.clock.now())
    session.flush()


def forget_end(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest) -> None:
    """The length was refused (over the maximum): ask again, keeping the start."""
    request.duration_seconds = None
    keep(session, desk, ticket, request, HowLong(None, Window(window_of(session, ticket.id).starts_at)))


def window_of(session: Session, ticket_id: int) -> Window:
    """The days a request was given (the latest of each, from the audit trail)."""
    rows = session.execute(
        select(AuditEntry.field, AuditEntry.after).where(
            AuditEntry.ticket_id == ticket_id, AuditEntry.action == "access_detail", AuditEntry.field.in_(FIELDS))
        .order_by(AuditEntry.id)
    ).all()
    found = {field: (datetime.fromisoformat(after) if after else None) for field, after in rows}
    return Window(found.get("starts_at"), found.get("ends_at"))


def phrase(desk: Desk, window: Window, seconds: int | None) -> str:
    """How long, as the requester reads it: "for 7 days", "until Thu 31 Dec", "for 1 day, on
    Tue 8 Dec", "for 2 weeks, from Mon 14 Dec until Sun 27 Dec" ("" when not known yet)."""
    now, zone = desk.clock.now(), zone_of(desk.organisation)
    if window.ends_at is None:
        text = f"for {duration_text(seconds)}" if seconds else ""
        return f"{text}, from {day_text(window.starts_at, zone, now=now)}".lstrip(", ") if window.starts_at else text
    last = day_text(window.ends_at, zone, now=now, last=True)
    if window.starts_at is None:
        return f"until {last}"
    first = day_text(window.starts_at, zone, now=now)
    days = f"on {first}" if first == last else f"from {first} until {last}"
    length = int((window.ends_at - window.starts_at).total_seconds())
    whole = duration_text(round(length / DAY) * DAY) if abs(length - round(length / DAY) * DAY) <= 3600 else None
    return f"for {whole}, {days}" if whole and length >= DAY else days


def start_phrase(desk: Desk, window: Window) -> str:
    """", from Tue 8 Dec" for the duration question when a start is known."""
    if window.starts_at is None:
        return ""
    return f", from {day_text(window.starts_at, zone_of(desk.organisation), now=desk.clock.now())}"


def seconds_at_approval(session: Session, desk: Desk, request: AccessRequest, grant_expires_at: datetime | None
                        ) -> int | None:
    """The length to give now the request is approved: from now (or from the end of the access
    being extended) up to the end date; None when it has no end date. Access given before the
    start runs from when it is given: the team's task says the days (`approved`)."""
    window = window_of(session, request.ticket_id)
    if window.ends_at is None:
        return None
    now = desk.clock.now()
    begin = max(now, grant_expires_at) if request.action == "extend" and grant_expires_at else now
    return max(0, int((window.ends_at - begin).total_seconds()))


# Inside.

def _end(desk: Desk, start: datetime | None, seconds: int) -> datetime | None:
    """The end of a length from a start day: whole days end at midnight there (summer time too)."""
    if start is None:
        return None
    if seconds % DAY:
        return start + timedelta(seconds=seconds)
    zone = zone_of(desk.organisation)
    local = start.astimezone(zone)
    return (datetime.combine(local.date() + timedelta(days=seconds // DAY), local.timetz().replace(tzinfo=None),
                             tzinfo=zone)).astimezone(start.tzinfo)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
