"""The desk's figures read from the database at scrape time (a prometheus-client custom Collector).

Why from the database and not counters in memory: with several replicas behind a load balancer
every replica reports the same truth (Prometheus may scrape any of them), and nothing is lost or
reset when a process restarts. Each scrape runs four aggregate queries:

- tickets grouped by kind, queue and status (opened, open, escalation steps);
- SLA clocks that breached, by the ticket's priority and the target;
- pending outbox messages by platform (count, oldest), via the (status, ...) index, and failed ones;
- monitoring events by source (deliveries, repeats, resolved, incidents).

They are time-boxed (`timeout`, 2 s by default: `statement_timeout` on PostgreSQL, a progress
handler that interrupts the query on SQLite), so a slow or unreachable database costs a scrape at
most that long and never fails it: what was read is reported, with `servicedesk_database_up 0`.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from handlers.desk import Desk
from storage.errors import DatabaseUnavailable
from storage.events import MonitoringEvent
from storage.models import OutboxMessage, Ticket
from storage.sla import SlaClock
from storage.tickets import OPEN_STATUSES

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0


class DatabaseCollector(Collector):
    def __init__(self, desk: Desk, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.desk = desk  # read at each scrape: the desk's database may be replaced
        self.timeout = timeout

    def collect(self) -> Iterator:
        started = time.perf_counter()
        up = 1
        try:
            with self.desk.database.session() as session, _time_boxed(session, self.timeout):
                for query in (_tickets, _breaches, _outbox, _events):
                    yield from query(session, self.desk)
        except DatabaseUnavailable as exc:
            up = 0
            log.warning("metrics: the database could not be read: %s", exc)
        except Exception:  # noqa: BLE001 - a scrape reports what it has, never a 500
            up = 0
            log.exception("metrics: reading the database failed")
        yield GaugeMetricFamily("servicedesk_database_up", "1 when the desk's figures could be read from the "
                                "database at this scrape, 0 when not (figures after the failure are missing)",
                                value=up)
        yield GaugeMetricFamily("servicedesk_database_scrape_seconds",
                                "Time spent reading the desk's figures from the database", value=time.perf_counter() - started)
        yield GaugeMetricFamily("servicedesk_model_loaded", "1 when the intent model is loaded",
                                value=int(getattr(self.desk, "classifier", None) is not None))


@contextmanager
def _time_boxed(session: Session, seconds: float) -> Iterator[None]:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}"))
        yield
        return
    if dialect != "sqlite":
        yield
        return
    connection = session.connection().connection.driver_connection
    deadline = time.monotonic() + seconds
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        yield
    finally:
        connection.set_progress_handler(None, 0)


def _tickets(session: Session, _desk: Desk) -> Iterator:
    rows = session.execute(
        select(Ticket.kind, Ticket.queue, Ticket.status, func.count(), func.coalesce(func.sum(Ticket.escalation_level), 0))
        .group_by(Ticket.kind, Ticket.queue, Ticket.status)
    ).all()
    opened: dict[tuple[str, str], int] = defaultdict(int)
    open_now: dict[str, int] = defaultdict(int)
    escalations: dict[str, int] = defaultdict(int)
    for kind, queue, status, count, levels in rows:
        opened[(kind, queue)] += count
        escalations[queue] += int(levels)
        if status in OPEN_STATUSES:
            open_now[queue] += count
    family = CounterMetricFamily("servicedesk_tickets_opened", "Tickets opened, by kind and (current) queue",
                                 labels=["kind", "queue"])
    for (kind, queue), count in sorted(opened.items()):
        family.add_metric([kind, queue], count)
    yield family
    family = GaugeMetricFamily("servicedesk_tickets_open", "Tickets not yet resolved or closed, by queue",
                               labels=["queue"])
    for queue, count in sorted(open_now.items()):
        family.add_metric([queue], count)
    yield family
    family = CounterMetricFamily("servicedesk_escalations", "Escalation steps (one tier up, automatic or by "
                                 "hand), by queue", labels=["queue"])
    for queue, count in sorted(escalations.items()):
        family.add_metric([queue], count)
    yield family


def _breaches(session: Session, _desk: Desk) -> Iterator:
    rows = session.execute(
        select(Ticket.priority, SlaClock.target, func.count())
        .join(Ticket, Ticket.id == SlaClock.ticket_id)
        .where(SlaClock.breached_at.is_not(None))
        .group_by(Ticket.priority, SlaClock.target)
    ).all()
    family = CounterMetricFamily("servicedesk_sla_breaches", "SLA targets missed, by the ticket's priority and "
                                 "the target (first_response, resolution, approval)", labels=["priority", "target"])
    for priority, target, count in sorted(rows):
        family.add_metric([priority, target], count)
    yield family


def _outbox(session: Session, desk: Desk) -> Iterator:
    pending = session.execute(
        select(OutboxMessage.platform, func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status == "pending").group_by(OutboxMessage.platform)
    ).all()
    failed = session.execute(
        select(OutboxMessage.platform, func.count()).where(OutboxMessage.status == "failed")
        .group_by(OutboxMessage.platform)
    ).all()
    now = desk.clock.now()
    count_family = GaugeMetricFamily("servicedesk_outbox_pending", "Notifications waiting for delivery, by platform",
                                     labels=["platform"])
    age_family = GaugeMetricFamily("servicedesk_outbox_oldest_pending_age_seconds",
                                   "Age of the oldest notification waiting for delivery, by platform",
                                   labels=["platform"])
    for platform, count, oldest in sorted(pending):
        count_family.add_metric([platform], count)
        age_family.add_metric([platform], max(0.0, (now - _aware(oldest)).total_seconds()))
    yield count_family
    yield age_family
    family = GaugeMetricFamily("servicedesk_outbox_failed", "Notifications given up after every retry, by platform",
                               labels=["platform"])
    for platform, count in sorted(failed):
        family.add_metric([platform], count)
    yield family


def _events(session: Session, _desk: Desk) -> Iterator:
    rows = session.execute(
        select(MonitoringEvent.source, func.count(), func.coalesce(func.sum(MonitoringEvent.count), 0),
               func.count(MonitoringEvent.resolved_at), func.count(func.distinct(MonitoringEvent.ticket_id)))
        .group_by(MonitoringEvent.source)
    ).all()
    families = {
        "received": CounterMetricFamily("servicedesk_events_received", "Monitoring event deliveries, by source",
                                        labels=["source"]),
        "duplicate": CounterMetricFamily("servicedesk_events_duplicate", "Deliveries of an alert occurrence already "
                                         "recorded (repeats), by source", labels=["source"]),
        "resolved": CounterMetricFamily("servicedesk_events_resolved", "Alert occurrences that recovered, by source",
                                        labels=["source"]),
        "incidents": CounterMetricFamily("servicedesk_events_incidents", "Incidents opened or joined by the events "
                                         "of a source", labels=["source"]),
    }
    for source, occurrences, deliveries, resolved, incidents in sorted(rows):
        families["received"].add_metric([source], int(deliveries))
        families["duplicate"].add_metric([source], max(0, int(deliveries) - occurrences))
        families["resolved"].add_metric([source], resolved)
        families["incidents"].add_metric([source], incidents)
    yield from families.values()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
