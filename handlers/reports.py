"""The desk's figures for a period (and optionally one queue), for managers: what came in, how
fast it was answered and fixed, whether the SLA held, what is still waiting, escalations, CSAT.

Counts are SQL aggregates; the medians and p90s are taken from the durations of the period's
tickets (two timestamps each; SQLite has no percentile function). Definitions a manager can check:

- opened: tickets created in the period, by kind and by queue;
- first response: tickets whose first staff answer came in the period (answer − opened);
- resolution: tickets resolved in the period (resolved − opened, wall-clock time);
- median is the middle value (the mean of the two middle ones for an even count); p90 is the
  nearest-rank 90th percentile: the smallest time that at least 90% of the tickets beat or equal;
- SLA compliance by priority: every target (first response, resolution, approval) settled in the
  period — the first response given, the ticket resolved, an approval decided, or the clock
  stopped — met or missed, plus targets breached in the period and still open (missed);
- backlog: tickets open at the end of the period, by how long they have been open;
- escalations: tickets moved up a tier in the period (by people or by an SLA breach);
- CSAT: 1–5 ratings given in the period.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from handlers.organisation import PRIORITIES, QUEUES, Organisation
from handlers.sla import RESOLUTION, duration_text
from handlers.views import KIND_LABEL
from storage.follow_up import RATING, FollowUp
from storage.models import AuditEntry, Ticket
from storage.sla import SlaClock

KINDS = tuple(KIND_LABEL)
ESCALATED = "set_escalation_level"
SLA_ACTOR = "sla-clock"  # handlers.escalation.SLA_ACTOR (not imported: escalation pulls in notify)
AGE_BUCKETS = (("< 1 day", timedelta(days=1)), ("1-3 days", timedelta(days=3)), ("3-7 days", timedelta(days=7)),
               ("1-4 weeks", timedelta(days=28)), ("> 4 weeks", None))


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime
    queue: str | None = None

    def label(self, organisation: Organisation) -> str:
        """`Mon 16 Nov - Sun 22 Nov 2026` in the organisation's time zone: the first and the last day
        the period covers (it ends just before `until`)."""
        zone = ZoneInfo(organisation.business_hours.timezone)
        start, end = self.since.astimezone(zone), (self.until - timedelta(microseconds=1)).astimezone(zone)
        text = f"{start:%a %d %b %Y} - {end:%a %d %b %Y}"
        if start.year == end.year:
            text = f"{start:%a %d %b} - {end:%a %d %b %Y}"
        return text + (f" ({self.queue} queue)" if self.queue else "")


@dataclass(frozen=True)
class Times:
    count: int
    median_seconds: float | None
    p90_seconds: float | None

    @classmethod
    def of(cls, seconds: list[float]) -> Times:
        if not seconds:
            return cls(0, None, None)
        ordered = sorted(seconds)
        return cls(len(ordered), float(statistics.median(ordered)), float(ordered[math.ceil(0.9 * len(ordered)) - 1]))

    def describe(self) -> str:
        if not self.count:
            return "none in the period"
        return (f"median {duration_text(self.median_seconds)}, p90 {duration_text(self.p90_seconds)} "
                f"({self.count} ticket{'s' if self.count != 1 else ''})")


@dataclass(frozen=True)
class Compliance:
    met: int
    missed: int

    @property
    def percent(self) -> float | None:
        total = self.met + self.missed
        return round(100.0 * self.met / total, 1) if total else None


@dataclass
class Figures:
    period: Period
    opened: int
    by_kind: dict[str, int]
    by_queue: dict[str, int]
    by_queue_kind: dict[str, dict[str, int]]
    first_response: Times
    resolution: Times
    sla: dict[str, Compliance]  # by priority, only priorities with settled targets
    backlog: dict[str, int] = field(default_factory=dict)  # age bucket -> open tickets
    escalations: int = 0
    escalations_by_sla: int = 0
    csat_average: float | None = None
    csat_count: int = 0
    csat_by_score: dict[int, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.opened or self.first_response.count or self.resolution.count or self.sla
                    or sum(self.backlog.values()) or self.escalations or self.csat_count)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["period"] = {"since": self.period.since.isoformat(), "until": self.period.until.isoformat(),
                          "queue": self.period.queue}
        data["sla"] = {p: {"met": c.met, "missed": c.missed, "percent": c.percent} for p, c in self.sla.items()}
        data["csat_by_score"] = {str(k): v for k, v in self.csat_by_score.items()}
        return data


def figures(session: Session, period: Period) -> Figures:
    opened = _opened(session, period)
    by_kind = {kind: sum(row.get(kind, 0) for row in opened.values()) for kind in KINDS}
    average, count, scores = _csat(session, period)
    escalations, by_sla = _escalations(session, period)
    return Figures(
        period=period,
        opened=sum(by_kind.values()),
        by_kind=by_kind,
        by_queue={queue: sum(row.values()) for queue, row in opened.items()},
        by_queue_kind=opened,
        first_response=Times.of(_durations(session, period, Ticket.first_responded_at)),
        resolution=Times.of(_durations(session, period, Ticket.resolved_at)),
        sla=_compliance(session, period),
        backlog=_backlog(session, period),
        escalations=escalations,
        escalations_by_sla=by_sla,
        csat_average=average,
        csat_count=count,
        csat_by_score=scores,
    )


def _in(column, period: Period):
    return and_(column >= period.since, column < period.until)


def _scoped(statement, period: Period):
    return statement.where(Ticket.queue == period.queue) if period.queue else statement


def _opened(session: Session, period: Period) -> dict[str, dict[str, int]]:
    statement = _scoped(select(Ticket.queue, Ticket.kind, func.count(Ticket.id))
                        .where(_in(Ticket.created_at, period)).group_by(Ticket.queue, Ticket.kind), period)
    queues = [period.queue] if period.queue else list(QUEUES)
    found = {queue: {kind: 0 for kind in KINDS} for queue in queues}
    for queue, kind, count in session.execute(statement):
        found.setdefault(queue, {k: 0 for k in KINDS})[kind] = count
    return found


def _durations(session: Session, period: Period, ended) -> list[float]:
    statement = _scoped(select(Ticket.created_at, ended).where(_in(ended, period)), period)
    return [max((end - start).total_seconds(), 0.0) for start, end in session.execute(statement)]


def _compliance(session: Session, period: Period) -> dict[str, Compliance]:
    # A resolution target is settled when the ticket is resolved (its clock only pauses then).
    settled_at = func.coalesce(case((SlaClock.target == RESOLUTION, Ticket.resolved_at)), SlaClock.stopped_at)
    # (a running or paused clock has no outcome: NULL must not read as "not late", or a resolved
    # ticket awaiting confirmation would drop out of the count)
    late = or_(SlaClock.breached_at.is_not(None), func.coalesce(SlaClock.outcome, "") == "breached",
               and_(SlaClock.target == RESOLUTION, Ticket.resolved_at > SlaClock.due_at))
    settled = _in(settled_at, period)
    met = and_(settled, ~late)
    missed = or_(and_(settled, late),
                 and_(_in(SlaClock.breached_at, period), or_(settled_at.is_(None), settled_at >= period.until)))
    statement = _scoped(
        select(Ticket.priority, func.sum(case((met, 1), else_=0)), func.sum(case((missed, 1), else_=0)))
        .join(Ticket, Ticket.id == SlaClock.ticket_id)
        .where(or_(SlaClock.outcome.is_(None), SlaClock.outcome != "cancelled"), or_(met, missed))
        .group_by(Ticket.priority), period)
    found = {priority: Compliance(int(m or 0), int(x or 0)) for priority, m, x in session.execute(statement)}
    return {p: found[p] for p in PRIORITIES if p in found}


def _backlog(session: Session, period: Period) -> dict[str, int]:
    end = period.until
    label = case(*[(Ticket.created_at > end - age, name) for name, age in AGE_BUCKETS if age is not None],
                 else_=AGE_BUCKETS[-1][0])
    still_open = and_(Ticket.created_at < end, or_(Ticket.resolved_at.is_(None), Ticket.resolved_at >= end),
                      or_(Ticket.closed_at.is_(None), Ticket.closed_at >= end))
    ages = _scoped(select(label.label("bucket")).where(still_open), period).subquery()
    # Grouped outside: PostgreSQL would not match a GROUP BY expression carrying bound parameters.
    found = dict(session.execute(select(ages.c.bucket, func.count()).group_by(ages.c.bucket)).all())
    return {name: int(found.get(name, 0)) for name, _age in AGE_BUCKETS}


def _escalations(session: Session, period: Period) -> tuple[int, int]:
    by_sla = func.sum(case((AuditEntry.actor == SLA_ACTOR, 1), else_=0))
    statement = _scoped(select(func.count(AuditEntry.id), by_sla).join(Ticket, Ticket.id == AuditEntry.ticket_id)
                        .where(AuditEntry.action == ESCALATED, _in(AuditEntry.created_at, period)), period)
    total, sla = session.execute(statement).one()
    return int(total or 0), int(sla or 0)


def _csat(session: Session, period: Period) -> tuple[float | None, int, dict[int, int]]:
    statement = _scoped(select(FollowUp.rating, func.count(FollowUp.id)).join(Ticket, Ticket.id == FollowUp.ticket_id)
                        .where(FollowUp.kind == RATING, FollowUp.rating.is_not(None),
                               _in(FollowUp.answered_at, period))
                        .group_by(FollowUp.rating), period)
    scores = {int(rating): int(count) for rating, count in session.execute(statement)}
    count = sum(scores.values())
    average = round(sum(r * n for r, n in scores.items()) / count, 2) if count else None
    return average, count, {score: scores.get(score, 0) for score in range(1, 6)}


def summary(figures: Figures, organisation: Organisation) -> str:
    """The report in a few lines, for chat and the terminal."""
    period = figures.period
    lines = [f"Service desk report, {period.label(organisation)}"]
    if figures.empty:
        lines.append("No tickets in this period.")
        return "\n".join(lines)
    kinds = ", ".join(f"{n} {KIND_LABEL[k]}{'s' if n != 1 else ''}" for k, n in figures.by_kind.items() if n)
    queues = ", ".join(f"{q} {n}" for q, n in figures.by_queue.items() if n)
    lines.append(f"Opened: {figures.opened}" + (f" ({kinds}; {queues})" if figures.opened else ""))
    lines.append(f"First response: {figures.first_response.describe()}")
    lines.append(f"Resolution: {figures.resolution.describe()}")
    if figures.sla:
        lines.append("SLA met: " + ", ".join(
            f"{p} {c.percent:g}% ({c.met}/{c.met + c.missed})" for p, c in figures.sla.items())
            + "; counted in SLA targets (first response, resolution, approval), not tickets")
    else:
        lines.append("SLA met: no targets settled in the period")
    waiting = sum(figures.backlog.values())
    ages = ", ".join(f"{name} {n}" for name, n in figures.backlog.items() if n)
    lines.append(f"Backlog at the end: {waiting} open" + (f" ({ages})" if waiting else ""))
    lines.append(f"Escalations: {figures.escalations}"
                 + (f" ({figures.escalations_by_sla} after an SLA breach)" if figures.escalations else ""))
    if figures.csat_count:
        lines.append(f"CSAT: {figures.csat_average:.1f}/5 from {figures.csat_count} "
                     f"rating{'s' if figures.csat_count != 1 else ''}")
    else:
        lines.append("CSAT: no ratings in the period")
    return "\n".join(lines)
