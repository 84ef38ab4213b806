"""Event management: monitoring events in, incidents opened, updated and closed.

`ingest` takes the events of one or more requests and handles them in ONE transaction:

1. The services concerned are locked (their `event_services` rows; `FOR UPDATE` on PostgreSQL),
   in name order, so replicas deciding about the same service take turns and never deadlock.
2. The occurrences already known are read in bulk; each event is then decided in memory:
   - a repeat (same occurrence still firing) counts up and updates last seen, nothing else;
   - a new exception joins the service's open incident when the last alert for that service was
     within the group window, re-fires its old incident when the same alert recovered within the
     flap window, and otherwise opens an incident (`intake.open_ticket`);
   - warnings and informational events are recorded only;
   - a resolve marks the occurrence recovered, and the incident's last firing alert closes the loop;
   - an acknowledge (PagerDuty) marks the incident taken.
3. New occurrences are inserted in bulk (`ON CONFLICT DO NOTHING` on (source, dedup key): the
   unique constraint is the last word on "seen before"), changed ones updated in bulk.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from handlers import event_incidents as incidents
from handlers.desk import Desk
from handlers.event_formats import EventIn
from storage import events as store
from storage.models import Ticket
from storage.tickets import OPEN_STATUSES

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    dedup_key: str
    outcome: str  # opened | grouped | repeat | refired | damped | resolved | noted | acknowledged | recorded | ignored
    ticket: str | None = None

    def as_dict(self) -> dict:
        return {"dedup_key": self.dedup_key, "outcome": self.outcome, "ticket": self.ticket}


def ingest(desk: Desk, requests: list[list[EventIn]]) -> list[list[Outcome]]:
    """Handle the events of several requests in one transaction; outcomes per request, in order."""
    with desk.database.session() as session:
        batch = _Batch(session, desk, [event for events in requests for event in events])
        outcomes = batch.run()
    answer, start = [], 0
    for events in requests:
        answer.append(outcomes[start:start + len(events)])
        start += len(events)
    return answer


class _Batch:
    def __init__(self, session: Session, desk: Desk, events: list[EventIn]) -> None:
        self.session = session
        self.desk = desk
        self.events = events
        self.config = desk.organisation.events
        self.now = desk.clock.now()
        self.rows: dict[tuple[str, str], dict] = {}  # (source, dedup key) -> occurrence
        self.changed: dict[int, dict] = {}  # id -> known occurrence that changed
        self.new: list[dict] = []
        self.last_resolved: dict[tuple[str, str], dict] = {}  # (source, alert key) -> recent recovery
        self.joined: dict[int, int] = defaultdict(int)  # ticket id -> alerts grouped into it now
        self.group_sender: dict[int, str] = {}
        self.loaded: dict[int, Ticket] = {}  # full tickets, loaded when one changes
        self.opened: list[store.IncidentRecord] = []
        self.flap_since = self.now - self.config.flap_window.as_timedelta()
        self.group_since = self.now - self.config.group_window.as_timedelta()
        self.priorities: dict[tuple, str] = {}

    def run(self) -> list[Outcome]:
        services = self._services()
        self.states = store.lock_services(self.session, list(services))
        for source, keys in self._keys().items():
            for key, row in store.events_by_key(self.session, source=source, keys=keys).items():
                self.rows[(source, key)] = row
        self._recent_recoveries()
        ticket_ids = {row["ticket_id"] for row in self.rows.values()}
        ticket_ids |= {state.ticket_id for state in self.states.values()}
        ticket_ids |= {row["ticket_id"] for row in self.last_resolved.values()}
        ticket_ids.discard(None)
        self.info = store.ticket_facts(self.session, list(ticket_ids))
        self.incidents = store.incidents_by_ticket(self.session, list(self.info))
        self.before = {ticket_id: store.snapshot(record) for ticket_id, record in self.incidents.items()}
        self.services_before = {name: (state.ticket_id, state.last_alert_at) for name, state in self.states.items()}
        outcomes = [self._one(event) for event in self.events]
        self._write()
        return outcomes

    # Tickets: a few facts for deciding, the full record only to change it.
    def _ticket(self, ticket_id: int) -> Ticket:
        ticket = self.loaded.get(ticket_id)
        if ticket is None:
            ticket = incidents.load_ticket(self.session, ticket_id)
            self.loaded[ticket_id] = ticket
        return ticket

    def _fact(self, ticket_id: int, name: str):
        ticket = self.loaded.get(ticket_id)
        return getattr(ticket, name) if ticket is not None else self.info[ticket_id][name]

    def _ref(self, ticket_id: int | None) -> str | None:
        return self._fact(ticket_id, "ref") if ticket_id in self.info else None

    # Reading what is known.
    def _services(self) -> set[str]:
        """Each event's service; a resolve or acknowledge without one (PagerDuty) has the service of
        the occurrence it names."""
        missing: dict[str, list[str]] = defaultdict(list)
        for event in self.events:
            if event.service is None:
                missing[event.source].append(event.dedup_key)
        names = {event.service for event in self.events if event.service is not None}
        for source, keys in missing.items():
            names |= {row["service"] for row in store.events_by_key(self.session, source=source, keys=keys).values()}
        return names

    def _keys(self) -> dict[str, list[str]]:
        keys: dict[str, list[str]] = defaultdict(list)
        for event in self.events:
            keys[event.source].append(event.dedup_key)
        return keys

    def _recent_recoveries(self) -> None:
        since = self.now - self.config.flap_window.as_timedelta()
        wanted: dict[str, list[str]] = defaultdict(list)
        for event in self.events:
            if event.action == "trigger" and (event.source, event.dedup_key) not in self.rows:
                wanted[event.source].append(event.alert_key)
        for source, alert_keys in wanted.items():
            for alert_key, row in store.recently_resolved(self.session, source=source, alert_keys=alert_keys,
                                                          since=since).items():
                self.last_resolved[(source, alert_key)] = row

    # Deciding.
    def _one(self, event: EventIn) -> Outcome:
        row = self.rows.get((event.source, event.dedup_key))
        if event.action == "trigger":
            return self._trigger(event, row)
        if row is None:
            return Outcome(event.answer_key, "ignored")
        ticket_id = row["ticket_id"]
        incident = self.incidents.get(ticket_id) if ticket_id else None
        ref = self._ref(ticket_id)
        if event.action == "resolve":
            if row["status"] == "resolved":
                return Outcome(event.answer_key, "repeat", ref)
            self._touch(row, status="resolved", resolved_at=self.now)
            self.last_resolved[(event.source, row["alert_key"])] = row
            if incident is None:
                return Outcome(event.answer_key, "resolved", ref)
            outcome = incidents.recovered(self.session, self.desk, self._ticket(ticket_id), incident,
                                          _with_row(event, row), now=self.now)
            return Outcome(event.answer_key, outcome, ref)
        if incident is None:
            return Outcome(event.answer_key, "ignored", ref)
        outcome = incidents.acknowledge(self.session, self.desk, self._ticket(ticket_id), incident,
                                        _with_row(event, row), now=self.now)
        return Outcome(event.answer_key, outcome, ref)

    def _trigger(self, event: EventIn, row: dict | None) -> Outcome:
        if row is not None and row["status"] == "firing":
            self._touch(row, count=row["count"] + 1)
            incident = self.incidents.get(row["ticket_id"]) if row["ticket_id"] else None
            if incident is not None:
                incident.repeats += 1
                incident.last_seen = self.now
            return Outcome(event.answer_key, "repeat", self._ref(row["ticket_id"]))
        level = self.config.level_of(event.severity)
        if row is not None:  # PagerDuty / generic: the same key fires again after it recovered
            recent = row if row["resolved_at"] and row["resolved_at"] >= self.flap_since else None
        else:
            recent = self.last_resolved.get((event.source, event.alert_key))
        outcome, ticket_id = self._place(event, level, recent)
        if row is None:
            row = {"source": event.source, "dedup_key": event.dedup_key, "alert_key": event.alert_key,
                   "service": event.service, "instance": event.instance, "severity": event.severity, "level": level,
                   "summary": event.summary, "status": "firing", "count": 1, "first_seen": self.now,
                   "last_seen": self.now, "resolved_at": None, "ticket_id": ticket_id, "details": event.details}
            self.rows[(event.source, event.dedup_key)] = row
            self.new.append(row)
        else:
            self._touch(row, count=row["count"] + 1, status="firing", resolved_at=None, ticket_id=ticket_id,
                        level=level, severity=event.severity, summary=event.summary)
        return Outcome(event.answer_key, outcome, self._ref(ticket_id))

    def _place(self, event: EventIn, level: str, recent: dict | None) -> tuple[str, int | None]:
        if level != "exception":
            return "recorded", None
        if recent is not None and recent["ticket_id"] in self.info and recent["ticket_id"] in self.incidents:
            ticket_id = recent["ticket_id"]
            if self._fact(ticket_id, "status") != "closed":
                outcome = incidents.refire(self.session, self.desk, self._ticket(ticket_id), self.incidents[ticket_id],
                                           event, now=self.now)
                self._seen(event.service, ticket_id, keep_pointer=True)
                return outcome, ticket_id
        state = self.states[event.service]
        ticket_id = state.ticket_id
        if (ticket_id in self.info and ticket_id in self.incidents and state.last_alert_at is not None
                and state.last_alert_at >= self.group_since and self._fact(ticket_id, "status") in OPEN_STATUSES):
            incidents.join(self.session, self.desk, self.incidents[ticket_id], event, priority=self._priority(event),
                           priority_now=self._fact(ticket_id, "priority"), load=lambda: self._ticket(ticket_id),
                           now=self.now)
            self.joined[ticket_id] += 1
            self.group_sender[ticket_id] = event.sender
            self._seen(event.service, ticket_id)
            return "grouped", ticket_id
        ticket, incident = incidents.open_incident(self.session, self.desk, event, now=self.now)
        self.opened.append(incident)
        self.loaded[ticket.id] = ticket
        self.info[ticket.id] = {"ref": ticket.ref}
        self.incidents[ticket.id] = incident
        self._seen(event.service, ticket.id)
        return "opened", ticket.id

    def _priority(self, event: EventIn) -> str:
        """The priority the alert asks for, from the service's criticality and the severity's
        urgency. The instance only picks the queue (an unknown service's criticality is medium
        wherever it runs), so it is not part of the key: a batch's alerts share a few entries."""
        service = (event.service or "").lower()
        key = (service if service in self.config.services else None, event.severity)
        priority = self.priorities.get(key)
        if priority is None:
            priority = self.priorities[key] = incidents.priority_of(self.desk, event)[3]
        return priority

    def _seen(self, service: str, ticket_id: int, *, keep_pointer: bool = False) -> None:
        state = self.states[service]
        if keep_pointer and state.ticket_id != ticket_id:
            return
        state.ticket_id = ticket_id
        state.last_alert_at = self.now

    def _touch(self, row: dict, **values) -> None:
        row.update(values, last_seen=self.now)
        if "id" in row:
            self.changed[row["id"]] = row

    # Writing.
    def _write(self) -> None:
        opened = {record.ticket_id for record in self.opened}
        store.save_incidents(self.session, new=self.opened, changed=[
            record for ticket_id, record in self.incidents.items()
            if ticket_id not in opened and store.snapshot(record) != self.before.get(ticket_id)])
        store.save_services(self.session, [state for name, state in self.states.items()
                                           if (state.ticket_id, state.last_alert_at) != self.services_before[name]])
        store.add_audit_rows(self.session, [
            incidents.grouped_audit(ticket_id, self.incidents[ticket_id], joined, self.group_sender[ticket_id],
                                    now=self.now)
            for ticket_id, joined in self.joined.items()
        ])
        conflicts = store.insert_events(self.session, self.new)  # new rows hold exactly store.EVENT_COLUMNS
        for source, key in conflicts:  # another writer had it: count this delivery there
            log.warning("event %s %s was inserted by another writer; counted as a repeat", source, key)
            store.add_repeat(self.session, source=source, dedup_key=key, at=self.now)
        store.update_events(self.session, [
            {"id": row["id"], "count": row["count"], "last_seen": row["last_seen"], "status": row["status"],
             "resolved_at": row["resolved_at"], "ticket_id": row["ticket_id"], "level": row["level"],
             "severity": row["severity"], "summary": row["summary"]}
            for row in self.changed.values()
        ])


def _with_row(event: EventIn, row: dict) -> EventIn:
    """A resolve or acknowledge names only its key: fill in what the occurrence says."""
    if event.summary and event.service:
        return event
    from dataclasses import replace

    return replace(event, service=row["service"], instance=row["instance"], summary=row["summary"])
