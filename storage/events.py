"""Monitoring events: each alert occurrence once, the incident it belongs to, and one row per
service that serialises the decisions about that service across replicas.

- `MonitoringEvent`: one row per (source, dedup key): an Alertmanager alert occurrence
  (fingerprint + startsAt) or a PagerDuty dedup_key. The unique constraint is what makes
  "never opened twice" hold when several replicas receive the same alert at once.
- `EventIncident`: the monitoring side of an incident the events opened (counts, flapping, an
  acknowledgement, a resolution held back while the alert flaps).
- `EventServiceState`: the service's current incident for burst grouping; its row is locked
  (`FOR UPDATE` on PostgreSQL) while a replica decides what an event for the service does.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import AuditEntry, Base, Ticket, UtcDateTime

IN_CHUNK = 500  # keys per IN (...) list


class MonitoringEvent(Base):
    __tablename__ = "monitoring_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # alertmanager | pagerduty | generic
    dedup_key: Mapped[str] = mapped_column(String(255))
    alert_key: Mapped[str] = mapped_column(String(255))  # the alert across occurrences (fingerprint)
    service: Mapped[str] = mapped_column(String(128))
    instance: Mapped[str | None] = mapped_column(String(255))
    severity: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))  # informational | warning | exception
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # firing | resolved
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("source", "dedup_key", name="uq_monitoring_events_source_key"),
        Index("ix_monitoring_events_alert", "source", "alert_key"),
    )


class EventIncident(Base):
    __tablename__ = "event_incidents"
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    service: Mapped[str] = mapped_column(String(128))
    alerts: Mapped[int] = mapped_column(Integer, default=1)  # distinct occurrences attached
    repeats: Mapped[int] = mapped_column(Integer, default=0)  # repeated deliveries of those
    firing: Mapped[int] = mapped_column(Integer, default=1)  # occurrences still firing
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    refires: Mapped[int] = mapped_column(Integer, default=0)  # re-fires inside the flap window
    flap_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    resolve_due: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class EventServiceState(Base):
    __tablename__ = "event_services"
    service: Mapped[str] = mapped_column(String(128), primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    last_alert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


@dataclass(slots=True)
class IncidentRecord:
    """An `event_incidents` row as plain data: the ingest reads and writes these in bulk."""

    ticket_id: int
    service: str
    alerts: int = 1
    repeats: int = 0
    firing: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    acknowledged: bool = False
    refires: int = 0
    flap_started_at: datetime | None = None
    flapping: bool = False
    resolve_due: datetime | None = None


@dataclass(slots=True)
class ServiceRecord:
    service: str
    ticket_id: int | None = None
    last_alert_at: datetime | None = None


INCIDENT_FIELDS = tuple(f.name for f in fields(IncidentRecord))


EVENTS = MonitoringEvent.__table__
INCIDENTS = EventIncident.__table__
SERVICES = EventServiceState.__table__
EVENT_COLUMNS = ("source", "dedup_key", "alert_key", "service", "instance", "severity", "level", "summary", "status",
                 "count", "first_seen", "last_seen", "resolved_at", "ticket_id", "details")  # a new occurrence
_KNOWN_COLUMNS = ("id", "dedup_key", "alert_key", "service", "instance", "severity", "level", "summary", "status",
                  "count", "ticket_id", "resolved_at")

# The ingest runs the same few statements for every batch: Core, built once, so each batch pays
# for executing them and not for the ORM or for compiling them again.
_SELECT_STATES = select(SERVICES.c.service, SERVICES.c.ticket_id, SERVICES.c.last_alert_at).where(
    SERVICES.c.service.in_(bindparam("names", expanding=True))).order_by(SERVICES.c.service)
_SELECT_KNOWN = select(*(EVENTS.c[name] for name in _KNOWN_COLUMNS)).where(
    EVENTS.c.source == bindparam("source"), EVENTS.c.dedup_key.in_(bindparam("keys", expanding=True)))
_SELECT_RECOVERED = select(EVENTS.c.alert_key, EVENTS.c.ticket_id, EVENTS.c.resolved_at).where(
    EVENTS.c.source == bindparam("source"), EVENTS.c.alert_key.in_(bindparam("keys", expanding=True)),
    EVENTS.c.status == "resolved", EVENTS.c.resolved_at >= bindparam("since", type_=UtcDateTime()),
    EVENTS.c.ticket_id.is_not(None)).order_by(EVENTS.c.resolved_at)
_SELECT_FACTS = select(Ticket.__table__.c.id, Ticket.__table__.c.ref, Ticket.__table__.c.status,
                       Ticket.__table__.c.priority).where(Ticket.__table__.c.id.in_(bindparam("ids", expanding=True)))
_SELECT_INCIDENTS = select(*(INCIDENTS.c[name] for name in INCIDENT_FIELDS)).where(
    INCIDENTS.c.ticket_id.in_(bindparam("ids", expanding=True)))
_UPDATE_EVENT = update(EVENTS).where(EVENTS.c.id == bindparam("b_id"))
_UPDATE_INCIDENT = update(INCIDENTS).where(INCIDENTS.c.ticket_id == bindparam("b_ticket_id"))
_UPDATE_SERVICE = update(SERVICES).where(SERVICES.c.service == bindparam("b_service"))
_INSERT_AUDIT = insert(AuditEntry.__table__)
_INSERT_INCIDENT = insert(INCIDENTS)


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert_for(session: Session):
    return postgresql.insert if _is_postgresql(session) else sqlite.insert


def _chunks(items: list, size: int = IN_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def lock_services(session: Session, names: list[str]) -> dict[str, ServiceRecord]:
    """The state rows of these services, created when missing and locked until the transaction
    ends (PostgreSQL; SQLite has one writer anyway). Sorted, so two replicas never deadlock."""
    names = sorted(set(names))
    if not names:
        return {}
    create = _insert_for(session)(SERVICES).on_conflict_do_nothing()
    connection = session.connection()
    if not _is_postgresql(session):
        # Any write takes SQLite's one write lock for the rest of the transaction, so what is read
        # next is what every other process committed, and nobody commits until this one has.
        connection.execute(create, {"service": names[0]})
    states = _select_states(session, names)
    missing = [name for name in names if name not in states]
    if missing:
        connection.execute(create, [{"service": name} for name in missing])
        states.update(_select_states(session, missing))
    return states


def _select_states(session: Session, names: list[str]) -> dict[str, ServiceRecord]:
    statement = _SELECT_STATES.with_for_update() if _is_postgresql(session) else _SELECT_STATES
    states: dict[str, ServiceRecord] = {}
    for chunk in _chunks(names):
        for row in session.connection().execute(statement, {"names": chunk}):
            states[row.service] = ServiceRecord(row.service, row.ticket_id, row.last_alert_at)
    return states


def save_services(session: Session, states: list[ServiceRecord]) -> None:
    if states:
        session.connection().execute(_UPDATE_SERVICE, [
            {"b_service": s.service, "ticket_id": s.ticket_id, "last_alert_at": s.last_alert_at} for s in states])


def ticket_facts(session: Session, ticket_ids: list[int]) -> dict[int, dict]:
    """ref, status and priority of these tickets: enough to decide what an event does."""
    found: dict[int, dict] = {}
    for chunk in _chunks(sorted(set(ticket_ids))):
        for row in session.connection().execute(_SELECT_FACTS, {"ids": chunk}):
            found[row.id] = {"ref": row.ref, "status": row.status, "priority": row.priority}
    return found


def add_audit_rows(session: Session, rows: list[dict]) -> None:
    """Audit rows in bulk (the same table as storage.audit.record)."""
    if rows:
        session.connection().execute(_INSERT_AUDIT, rows)


def events_by_key(session: Session, *, source: str, keys: list[str]) -> dict[str, dict]:
    """Known occurrences of these dedup keys, as plain dicts (the ingest updates them in bulk)."""
    found: dict[str, dict] = {}
    for chunk in _chunks(sorted(set(keys))):
        for row in session.connection().execute(_SELECT_KNOWN, {"source": source, "keys": chunk}):
            found[row.dedup_key] = dict(row._mapping)
    return found


def recently_resolved(session: Session, *, source: str, alert_keys: list[str], since: datetime) -> dict[str, dict]:
    """The latest occurrence of each alert that was resolved since `since` and has an incident:
    a new occurrence of it is a re-fire (flapping), not a new incident."""
    found: dict[str, dict] = {}
    for chunk in _chunks(sorted(set(alert_keys))):
        rows = session.connection().execute(_SELECT_RECOVERED, {"source": source, "keys": chunk, "since": since})
        for row in rows:
            found[row.alert_key] = dict(row._mapping)
    return found


def insert_events(session: Session, rows: list[dict]) -> set[tuple[str, str]]:
    """Insert new occurrences; returns the (source, key) pairs that another writer had already
    inserted (nothing is overwritten)."""
    if not rows:
        return set()
    if not _is_postgresql(session):
        # SQLite: the ingest holds the one write lock since lock_services, so no other writer can
        # have inserted these keys; the count proves it (cheaper than RETURNING every row).
        inserted = _insert_converted(session.connection(), rows)
        if inserted == len(rows):
            return set()
        raise RuntimeError(f"{len(rows) - inserted} event(s) were inserted by another writer meanwhile")
    statement = postgresql.insert(EVENTS).on_conflict_do_nothing(index_elements=["source", "dedup_key"])
    returning = statement.returning(EVENTS.c.source, EVENTS.c.dedup_key)
    inserted = {(r.source, r.dedup_key) for r in session.connection().execute(returning, rows)}
    return {(r["source"], r["dedup_key"]) for r in rows} - inserted


def _insert_converted(connection: Connection, rows: list[dict]) -> int:
    """SQLite's INSERT .. ON CONFLICT DO NOTHING for many rows; how many it inserted. The values
    are converted by the columns' own bind processors, as `execute` would, but each distinct time
    once: a batch's rows share their times, and converting every row's was most of the insert."""
    sql, names, processors = _sqlite_insert_plan(connection.dialect)
    times: dict[datetime, object] = {}
    converted = []
    for row in rows:
        values = [row[name] for name in names]
        for index, process in processors:
            value = values[index]
            if value is None:
                continue
            if type(value) is datetime:
                if value not in times:
                    times[value] = process(value)
                values[index] = times[value]
            else:
                values[index] = process(value)
        converted.append(tuple(values))
    return connection.exec_driver_sql(sql, converted).rowcount


@functools.lru_cache(maxsize=4)
def _sqlite_insert_plan(dialect) -> tuple[str, tuple[str, ...], tuple[tuple[int, Callable], ...]]:
    """The compiled SQLite insert for new occurrences: (SQL, parameter names in order, (position,
    bind processor) for the columns that convert their values)."""
    statement = sqlite.insert(EVENTS).on_conflict_do_nothing(index_elements=["source", "dedup_key"])
    compiled = statement.compile(dialect=dialect, column_keys=list(EVENT_COLUMNS))
    names = tuple(compiled.positiontup)
    processors = tuple((index, process) for index, name in enumerate(names)
                       if (process := EVENTS.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None)
    return compiled.string, names, processors


def update_events(session: Session, changes: list[dict]) -> None:
    """Apply changes (dicts with `id` and the columns that change) to known occurrences."""
    if changes:
        session.connection().execute(_UPDATE_EVENT, [{"b_id": c["id"], **{k: v for k, v in c.items() if k != "id"}}
                                                     for c in changes])


def add_repeat(session: Session, *, source: str, dedup_key: str, at: datetime) -> None:
    session.execute(
        update(MonitoringEvent)
        .where(MonitoringEvent.source == source, MonitoringEvent.dedup_key == dedup_key)
        .values(count=MonitoringEvent.count + 1, last_seen=at)
    )


def incidents_by_ticket(session: Session, ticket_ids: list[int]) -> dict[int, IncidentRecord]:
    found: dict[int, IncidentRecord] = {}
    for chunk in _chunks(sorted(set(ticket_ids))):
        for row in session.connection().execute(_SELECT_INCIDENTS, {"ids": chunk}):
            found[row.ticket_id] = IncidentRecord(*row)
    return found


def snapshot(record: IncidentRecord) -> tuple:
    return tuple(getattr(record, name) for name in INCIDENT_FIELDS)


def save_incidents(session: Session, *, new: list[IncidentRecord], changed: list[IncidentRecord]) -> None:
    """Insert the incidents opened and update the ones changed, in bulk."""
    if new:
        session.connection().execute(_INSERT_INCIDENT, [_values(record) for record in new])
    if changed:
        session.connection().execute(_UPDATE_INCIDENT, [
            {"b_ticket_id": record.ticket_id, **{k: v for k, v in _values(record).items() if k != "ticket_id"}}
            for record in changed])


def _values(record: IncidentRecord) -> dict:
    return {name: getattr(record, name) for name in INCIDENT_FIELDS}


def due_resolutions(session: Session, *, now: datetime, limit: int = 200) -> list[EventIncident]:
    """Incidents whose held-back resolution is due (not locked: the caller locks their services
    first, then each incident)."""
    statement = (select(EventIncident).where(EventIncident.resolve_due.is_not(None), EventIncident.resolve_due <= now)
                 .order_by(EventIncident.resolve_due).limit(limit))
    return list(session.execute(statement).scalars())


def events_of_ticket(session: Session, *, ticket_id: int, limit: int = 10) -> list[MonitoringEvent]:
    return list(session.execute(
        select(MonitoringEvent).where(MonitoringEvent.ticket_id == ticket_id).order_by(MonitoringEvent.id).limit(limit)
    ).scalars())

