"""Major incidents: a P1 (or one declared with `/sd major ID`) gets its own channel with the queue's
staff and the managers invited, the ticket card, a named lead and the update cadence; when it is
resolved the channel gets a summary (timeline, duration, SLA result) and is archived later.

Creating and archiving a channel are platform operations, so they go through the outbox as
neutral events each front end's sender carries out:
- `new_channel` (address: the channel's name; payload `name`, `invite` (platform user ids),
  `topic`, `near` (the queue's channel, for platforms that place channels in a server), `text`
  and `ticket`): create the channel (or find it), invite, post the text with the ticket card, and
  return the platform's channel id (the relay remembers it under the name);
- `archive_channel` (address: the name; payload `text`): post the text and archive the channel
  (or mark it archived where the platform cannot).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers import notify
from handlers.desk import Desk
from handlers.organisation import Organisation, StaffMember
from handlers.sla import duration_text, later, local_time, status_update_interval
from handlers.sla_clock import states as clock_states
from handlers.sweeping import sweep_tickets
from handlers.views import snapshot
from storage import audit, outbox
from storage import major_incidents as store
from storage.models import Ticket
from storage.tickets import history

NEW_CHANNEL, ARCHIVE_CHANNEL = "new_channel", "archive_channel"
TIMELINE_LIMIT = 20
TIMELINE_ACTIONS = {
    "opened": "opened",
    "major_incident": "declared a major incident",
    "set_assignee": "assigned",
    "set_priority": "priority",
    "set_escalation_level": "escalated",
    "sla_breach": "SLA breach",
    "status_update": "update",
    "set_status": "status",
    "major_incident_lead": "lead",
}


def channel_name(organisation: Organisation, ticket: Ticket) -> str:
    return f"{organisation.major_incidents.channel_prefix}{ticket.ref.lower()}"


def channel_address(platform: str, name: str) -> str:
    """The console prints channels as `#name`; chat platforms get the name (then the id)."""
    return f"#{name}" if platform == "console" else name


def declare(session: Session, desk: Desk, ticket: Ticket, *, declared_by: str, declared_label: str,
            lead: StaffMember | None = None, reason: str = "", tell_managers: bool = True) -> store.MajorIncident:
    """Open the major incident and its channel. The caller checks it is not one already."""
    organisation = desk.organisation
    now = desk.clock.now()
    platform = ticket.conversation_platform
    lead = lead or default_lead(organisation, ticket, declared_by)
    name = channel_name(organisation, ticket)
    incident = store.MajorIncident(ticket_id=ticket.id, platform=platform, channel=channel_address(platform, name),
                                   lead=lead.name if lead else None, declared_by=declared_by, declared_at=now,
                                   reason=reason or None)
    session.add(incident)
    invited = invitees(organisation, ticket, lead, declared_by)
    ids = [getattr(member.identities, platform) for member in invited if getattr(member.identities, platform, None)]
    lead_text = lead.label if lead else "nobody yet (/sd major ID NAME names one)"
    intro = (f"Major incident {ticket.ref} ({ticket.priority}, {ticket.queue}): {ticket.title}\n"
             f"Lead: {lead_text}. {cadence_text(organisation, ticket)}\n"
             f"Invited: {', '.join(member.label for member in invited) or 'nobody'}")
    outbox.enqueue(
        session, platform=platform, destination=NEW_CHANNEL, address=incident.channel, ticket_id=ticket.id,
        event="major_incident",
        payload={"text": intro, "name": name, "invite": ids, "topic": f"{ticket.ref} · {ticket.title}"[:250],
                 "near": organisation.queues[ticket.queue].channels.on(platform),
                 "ticket": snapshot(ticket, organisation=organisation, now=now)},
        at=now,
    )
    audit.record(session, actor=declared_by, action="major_incident", ticket=ticket, field="lead",
                 after=incident.lead, reason=reason or None, at=now)
    notify.queue_channel(session, desk, ticket, event="major_incident",
                         text=f"{ticket.ref} is a major incident: coordination in {incident.channel} (lead {lead_text}).")
    notify.requester(session, desk, ticket, event="major_incident",
                     text=f"We are treating {ticket.ref} as a major incident, with a team on it. "
                          f"{_requester_cadence(organisation, ticket)}")
    if tell_managers:
        notify.managers(session, desk, ticket, event="major_incident",
                        text=f"Major incident {ticket.ref} ({ticket.priority}, {ticket.queue}) declared by "
                             f"{declared_label}: {ticket.title} · {incident.channel}, lead {lead_text}")
    return incident


def change_lead(session: Session, desk: Desk, ticket: Ticket, incident: store.MajorIncident, lead: StaffMember,
                *, actor: str, actor_label: str) -> str:
    before = incident.lead
    incident.lead = lead.name
    audit.record(session, actor=actor, action="major_incident_lead", ticket=ticket, field="lead", before=before,
                 after=lead.name, at=desk.clock.now())
    post(session, desk, ticket, incident, event="major_incident", text=f"{lead.label} now leads {ticket.ref} "
                                                                       f"(named by {actor_label}).")
    return f"{lead.label} now leads the major incident {ticket.ref}."


def as_lead(session: Session, ticket: Ticket, member: StaffMember | None) -> StaffMember | None:
    """The named lead runs their major incident whatever queue they work (a network engineer may
    lead an application outage): `member` allowed the ticket's queue for it, or None when they are
    not the lead of a live major incident on this ticket (or work its queue anyway)."""
    if member is None or member.may_work(ticket.queue):
        return None
    incident = store.major_incident_of(session, ticket_id=ticket.id)
    if incident is None or incident.lead != member.name or incident.archived_at is not None:
        return None
    return member.model_copy(update={"queues": [*member.queues, ticket.queue]})


def post(session: Session, desk: Desk, ticket: Ticket, incident: store.MajorIncident, *, event: str, text: str) -> None:
    """A message in the incident's channel (the card went in when the channel opened)."""
    notify.channel(session, desk, ticket, incident.channel, platform=incident.platform, event=event, text=text,
                   card=False)


def on_resolved(session: Session, desk: Desk, ticket: Ticket, *, resolution: str | None = None) -> None:
    """The summary in the channel (timeline, duration, SLA result), management told, archiving planned."""
    incident = store.major_incident_of(session, ticket_id=ticket.id)
    if incident is None or incident.resolved_at is not None or incident.archived_at is not None:
        return
    organisation = desk.organisation
    now = desk.clock.now()
    incident.resolved_at = now
    lasted = duration_text((now - ticket.created_at).total_seconds())
    result = sla_result(organisation, ticket, now)
    archive = organisation.major_incidents.archive_after
    if archive is not None:
        incident.archive_due_at = later(organisation, now, archive)
        closing = f"This channel will be archived {local_time(organisation, incident.archive_due_at)}."
    else:
        closing = "This channel stays open for the record."
    summary = "\n".join([
        f"Major incident {ticket.ref} resolved: {resolution or ticket.resolution or '-'}",
        f"Duration: {lasted} (opened {local_time(organisation, ticket.created_at)}, "
        f"resolved {local_time(organisation, now)})",
        f"SLA: {result}",
        "Timeline:",
        *timeline(session, organisation, ticket),
        closing,
    ])
    post(session, desk, ticket, incident, event="major_incident_summary", text=summary)
    audit.record(session, actor="desk", action="major_incident_resolved", ticket=ticket, reason=f"SLA: {result}",
                 at=now)
    notify.managers(session, desk, ticket, event="major_incident_summary",
                    text=f"Major incident {ticket.ref} resolved after {lasted}. SLA: {result}. Summary in "
                         f"{incident.channel}.")


def on_reopened(session: Session, desk: Desk, ticket: Ticket) -> None:
    incident = store.major_incident_of(session, ticket_id=ticket.id)
    if incident is None or incident.resolved_at is None:
        return
    incident.resolved_at = None
    incident.archive_due_at = None
    if incident.archived_at is None:
        post(session, desk, ticket, incident, event="major_incident",
             text=f"{ticket.ref} was reopened: the major incident is active again.")


def sweep(desk: Desk) -> list[str]:
    """Archive the channels of major incidents resolved long enough ago."""
    return sweep_tickets(desk, name="major incidents", find=store.due_ticket_ids, act=_archive)


def _archive(session: Session, desk: Desk, ticket: Ticket, now: datetime) -> list[str]:
    incident = store.major_incident_of(session, ticket_id=ticket.id)
    if incident is None or incident.archive_due_at is None or incident.archive_due_at > now:
        return []
    incident.archive_due_at = None
    if ticket.status not in ("resolved", "closed") or incident.archived_at is not None:
        return []
    incident.archived_at = now
    outbox.enqueue(session, platform=incident.platform, destination=ARCHIVE_CHANNEL, address=incident.channel,
                   ticket_id=ticket.id, event="major_incident_archived",
                   payload={"text": f"{ticket.ref} is {ticket.status}; this channel is archived."}, at=now)
    audit.record(session, actor="desk", action="major_incident_archived", ticket=ticket, at=now)
    return [f"{ticket.ref}: major incident channel {incident.channel} archived"]


# What goes into the channel.

def default_lead(organisation: Organisation, ticket: Ticket, declared_by: str) -> StaffMember | None:
    """The assignee, else whoever declared it (staff), else the queue's first member, else a manager."""
    for name in (ticket.assignee, declared_by):
        member = organisation.staff_named(name) if name else None
        if member is not None:
            return member
    queue_staff = [s for s in organisation.staff if ticket.queue in s.queues]
    managers = organisation.managers_list()
    return (queue_staff or managers or [None])[0]


def invitees(organisation: Organisation, ticket: Ticket, lead: StaffMember | None, declared_by: str) -> list[StaffMember]:
    """The lead, the queue's staff, the managers and whoever declared it (staff), once each."""
    found: list[StaffMember] = []
    declarer = organisation.staff_named(declared_by)
    for member in [lead, *[s for s in organisation.staff if ticket.queue in s.queues],
                   *organisation.managers_list(), declarer]:
        if member is not None and member.name not in {m.name for m in found}:
            found.append(member)
    return found


def cadence_text(organisation: Organisation, ticket: Ticket) -> str:
    interval = status_update_interval(organisation, priority=ticket.priority)
    if interval is None:
        return f"Post updates with /sd update {ticket.ref} TEXT."
    return f"Updates to stakeholders every {interval}: /sd update {ticket.ref} TEXT"


def _requester_cadence(organisation: Organisation, ticket: Ticket) -> str:
    interval = status_update_interval(organisation, priority=ticket.priority)
    return f"You'll hear from us at least every {interval}." if interval else "You'll hear from us as it progresses."


def sla_result(organisation: Organisation, ticket: Ticket, now: datetime) -> str:
    parts = [f"{state.label} {state.describe()}" for state in clock_states(organisation, ticket, now=now)]
    return " · ".join(parts) or "no targets"


def timeline(session: Session, organisation: Organisation, ticket: Ticket) -> list[str]:
    lines = []
    for entry in history(session, ticket=ticket):
        what = TIMELINE_ACTIONS.get(entry.action)
        if what is None:
            continue
        detail = entry.after if entry.action.startswith("set_") or entry.action == "major_incident_lead" else None
        if entry.action in ("status_update", "sla_breach") and entry.reason:
            detail = entry.reason
        text = f"  {local_time(organisation, entry.created_at)} {entry.actor}: {what}"
        lines.append(text + (f" {detail}" if detail else ""))
    if len(lines) > TIMELINE_LIMIT:
        lines = lines[:3] + [f"  … {len(lines) - TIMELINE_LIMIT + 3} more steps …"] + lines[-(TIMELINE_LIMIT - 4):]
    return lines
