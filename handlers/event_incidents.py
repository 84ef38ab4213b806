"""What monitoring events do to incidents: open one, list grouped alerts on it, reopen it when an
alert fires again, damp a flapping one, close the loop on recovery, take it on acknowledgement.

Every change goes through the life-cycle helpers with the monitoring source as the actor, so
it is audited like a person's, and the queue channel hears about it on the configured front end.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from handlers import notify
from handlers.desk import Desk
from handlers.event_formats import EventIn, sender_id
from handlers.lifecycle import Actor, _change, _status
from handlers.messages import Conversation, Person
from handlers.sla import deadlines
from nlp.priority import priority_for
from storage import audit
from storage.events import EventIncident, IncidentRecord, due_resolutions, events_of_ticket, lock_services
from storage.models import Ticket
from storage.tickets import OPEN_STATUSES, add_comment

PLATFORM = "events"  # the requester platform of event-born incidents
Incident = IncidentRecord | EventIncident  # a row read in bulk by the ingest, or the ORM row (the sweep)
SHOWN_ALERTS = 10  # alerts `/sd show` lists for an event-born incident


def actor_of(sender: str) -> Actor:
    return Actor(person=Person(PLATFORM, sender_id(sender), sender), staff=None)


def is_event_born(ticket: Ticket) -> bool:
    return ticket.requester_platform == PLATFORM


def priority_of(desk: Desk, event: EventIn) -> tuple[str, str, str, str]:
    """(queue, impact, urgency, priority): the queue and criticality of the service, the urgency of
    the severity, and the priority matrix over both."""
    config = desk.organisation.events
    queue, criticality = config.route(event.service or "", event.instance)
    urgency = config.urgency_of(event.severity)
    return queue, criticality, urgency, priority_for(criticality, urgency)


def line_of(event: EventIn) -> str:
    where = f" on {event.instance}" if event.instance else ""
    severity = f"[{event.severity}] " if event.severity else ""
    return f"{severity}{event.summary} ({event.service}{where})"


def open_incident(session: Session, desk: Desk, event: EventIn, *, now: datetime) -> tuple[Ticket, IncidentRecord]:
    from handlers.intake import open_ticket

    config = desk.organisation.events
    queue, impact, urgency, priority = priority_of(desk, event)
    actor = actor_of(event.sender)
    channel = config.channels.on(config.platform) or desk.organisation.queues[queue].channels.on(config.platform)
    ticket = open_ticket(
        session, desk, person=actor.person, conversation=Conversation(config.platform, channel or "#monitoring"),
        text=event.summary, kind="incident", queue=queue, impact=impact, urgency=urgency, priority=priority,
        actor_name=actor.name, note=f"{event.source} event {event.dedup_key}",
    )
    ticket.description = _description(event)
    incident = IncidentRecord(ticket_id=ticket.id, service=event.service or "unknown", first_seen=now, last_seen=now)
    return ticket, incident


def _description(event: EventIn) -> str:
    lines = [line_of(event), f"source: {event.sender} ({event.source}), key {event.dedup_key}"]
    details = event.details or {}
    for name in ("labels", "annotations"):
        if isinstance(details.get(name), dict) and details[name]:
            lines.append(f"{name}: " + ", ".join(f"{k}={v}" for k, v in sorted(details[name].items())))
    for name in ("generatorURL", "component", "group", "class"):
        if details.get(name):
            lines.append(f"{name}: {details[name]}")
    return "\n".join(lines)


def join(session: Session, desk: Desk, incident: Incident, event: EventIn, *, priority: str,
         priority_now: str, load: Callable[[], Ticket], now: datetime) -> None:
    """A new alert (of `priority`) for the service joins its open incident (a burst): counted on the
    incident, whose alerts `/sd show` lists. A more severe alert raises the incident's priority."""
    incident.alerts += 1
    incident.firing += 1
    incident.last_seen = now
    if priority < priority_now:  # "P1" < "P3": more urgent
        ticket = load()
        actor = actor_of(event.sender)
        _change(session, desk, ticket, actor, "priority", priority,
                reason=f"a more severe alert joined: {event.summary}")
        ticket.first_response_due, ticket.resolution_due = deadlines(desk.organisation, priority=priority,
                                                                     start=ticket.created_at)
        notify.queue_channel(session, desk, ticket, event="priority",
                             text=f"{ticket.ref} raised to {priority}: {line_of(event)}")


def grouped_audit(ticket_id: int, incident: Incident, joined: int, sender: str, *, now: datetime) -> dict:
    """The audit row for the alerts that joined an incident in one batch (written in bulk)."""
    return {"ticket_id": ticket_id, "actor": sender, "action": "events_grouped", "field": "alerts",
            "before": str(incident.alerts - joined), "after": str(incident.alerts),
            "reason": f"{joined} more alert{'s' if joined != 1 else ''} for {incident.service}", "created_at": now}


def refire(session: Session, desk: Desk, ticket: Ticket, incident: Incident, event: EventIn, *,
           now: datetime) -> str:
    """The alert fired again soon after it recovered: same incident, reopened; past the flap
    threshold the desk says so once and then keeps quiet until it has been quiet a while."""
    config = desk.organisation.events
    window = config.flap_window.as_timedelta()
    incident.alerts += 1
    incident.firing += 1
    incident.last_seen = now
    incident.resolve_due = None
    if incident.flap_started_at is None or now - incident.flap_started_at > window:
        incident.flap_started_at, incident.refires = now, 1
    else:
        incident.refires += 1
    actor = actor_of(event.sender)
    started_flapping = not incident.flapping and incident.refires >= config.flap_threshold
    if started_flapping:
        incident.flapping = True
        audit.record(session, actor=actor.name, action="events_flapping", ticket=ticket, field="flapping",
                     before=False, after=True,
                     reason=f"fired again {incident.refires} times within {config.flap_window}",
                     at=now)
    if ticket.status == "resolved":
        _status(session, desk, ticket, actor, "in_progress", reason=f"the alert fired again: {event.summary}")
        ticket.resolution = None
    if started_flapping:
        notify.queue_channel(
            session, desk, ticket, event="flapping",
            text=f"{ticket.ref} is flapping: {line_of(event)} fired again {incident.refires} times within "
                 f"{config.flap_window}. I'll keep it open and stay quiet about it until it has been quiet for "
                 f"{config.flap_window}.")
        return "damped"
    if incident.flapping:
        return "damped"
    notify.queue_channel(session, desk, ticket, event="refired",
                         text=f"{ticket.ref} fired again: {line_of(event)}")
    return "refired"


def recovered(session: Session, desk: Desk, ticket: Ticket, incident: Incident, event: EventIn, *,
              now: datetime) -> str:
    """An alert of the incident recovered. The last one closes the loop, unless it flaps (then the
    resolution waits for a quiet flap window; `sweep` does it)."""
    incident.firing = max(0, incident.firing - 1)
    incident.last_seen = now
    if incident.firing > 0 or ticket.status not in OPEN_STATUSES:
        return "resolved"
    if incident.flapping:
        incident.resolve_due = now + desk.organisation.events.flap_window.as_timedelta()
        return "damped"
    return close_loop(session, desk, ticket, incident, actor_of(event.sender), event.summary, now=now)


def close_loop(session: Session, desk: Desk, ticket: Ticket, incident: Incident, actor: Actor, what: str, *,
               now: datetime) -> str:
    """Resolve the incident if nobody has taken it; otherwise tell whoever has it."""
    incident.resolve_due = None
    incident.flapping = False  # re-fires keep counting inside the flap window
    if ticket.assignee is None and not incident.acknowledged:
        resolution = f"monitoring reports it recovered ({what})"
        _status(session, desk, ticket, actor, "resolved", reason=resolution)
        ticket.resolution = resolution.capitalize()
        notify.queue_channel(session, desk, ticket, event="resolved",
                             text=f"{ticket.ref} resolved by {actor.label}: {resolution}")
        notify.requester(session, desk, ticket, event="resolved", text=f"{ticket.ref} is resolved: {resolution}.")
        return "resolved"
    note = f"Monitoring reports it recovered ({what}). The incident stays open with you: resolve it when you are done."
    add_comment(session, ticket=ticket, author=actor.name, visibility="internal", body=note, at=now)
    ticket.updated_at = now
    audit.record(session, actor=actor.name, action="events_recovered", ticket=ticket, reason=what, at=now)
    member = desk.organisation.staff_named(ticket.assignee) if ticket.assignee else None
    text = f"{ticket.ref}: monitoring reports it recovered ({what}); it is still open with you."
    if member is not None:
        notify.staff_member(session, desk, ticket, member, event="recovered", text=text)
    else:
        notify.queue_channel(session, desk, ticket, event="recovered", text=text)
    return "noted"


def acknowledge(session: Session, desk: Desk, ticket: Ticket, incident: Incident, event: EventIn, *,
                now: datetime) -> str:
    """PagerDuty's acknowledge: someone on call has it, so the incident counts as taken."""
    if incident.acknowledged or ticket.status not in OPEN_STATUSES:
        return "acknowledged"
    actor = actor_of(event.sender)
    incident.acknowledged = True
    audit.record(session, actor=actor.name, action="events_acknowledged", ticket=ticket, field="acknowledged",
                 before=False, after=True, at=now)
    if ticket.status == "new":
        _status(session, desk, ticket, actor, "in_progress", reason=f"acknowledged in {actor.name}")
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
    add_comment(session, ticket=ticket, author=actor.name, visibility="internal",
                body=f"Acknowledged in {actor.name}: someone on call has it.", at=now)
    notify.queue_channel(session, desk, ticket, event="acknowledged",
                         text=f"{ticket.ref} acknowledged in {actor.name}; it counts as taken.")
    return "acknowledged"


def sweep(desk: Desk) -> int:
    """Resolve flapping incidents whose alerts have stayed recovered for a flap window.
    Returns how many incidents it settled. Takes the services' locks first, like the ingest, so
    the two never deadlock or undo each other."""
    settled = 0
    with desk.database.session() as session:
        now = desk.clock.now()
        due = due_resolutions(session, now=now)
        lock_services(session, [incident.service for incident in due])
        for incident in due:
            session.refresh(incident, with_for_update=session.get_bind().dialect.name == "postgresql")
            if incident.resolve_due is None or incident.resolve_due > now:
                continue
            ticket = load_ticket(session, incident.ticket_id)
            if incident.firing > 0 or ticket.status not in OPEN_STATUSES:
                incident.resolve_due = None
                continue
            actor = actor_of(ticket.requester_name or "Monitoring")
            close_loop(session, desk, ticket, incident, actor, f"quiet for {desk.organisation.events.flap_window}",
                       now=now)
            settled += 1
    return settled


def shown_for(session: Session, ticket: Ticket) -> str:
    """Lines for `/sd show` of an event-born incident: its counts and the alerts it groups."""
    if not is_event_born(ticket):
        return ""
    incident = session.get(EventIncident, ticket.id)
    if incident is None:
        return ""
    state = "flapping, " if incident.flapping else ""
    state += "acknowledged, " if incident.acknowledged else ""
    lines = [f"  monitoring: {state}{incident.alerts} alert(s), {incident.firing} firing, "
             f"{incident.repeats} repeat(s), last seen {incident.last_seen:%Y-%m-%d %H:%M}"]
    for event in events_of_ticket(session, ticket_id=ticket.id, limit=SHOWN_ALERTS):
        where = f" on {event.instance}" if event.instance else ""
        lines.append(f"    {event.status:8} x{event.count} [{event.severity}] {event.summary[:100]} "
                     f"({event.service}{where})")
    if incident.alerts > SHOWN_ALERTS:
        lines.append(f"    … and {incident.alerts - SHOWN_ALERTS} more")
    return "\n".join(lines)


def load_ticket(session: Session, ticket_id: int) -> Ticket:
    """The full ticket, to change it (locked on PostgreSQL, as staff commands lock it)."""
    from sqlalchemy import select

    statement = select(Ticket).where(Ticket.id == ticket_id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(of=Ticket)
    return session.execute(statement).scalar_one()
