"""Escalation: warn before a breach, move the ticket up its queue's tiers at a breach, and keep
management told.

- Functional (horizontal): level 0 is the queue itself (first line); level N is the N-th tier of
  the queue in app.yaml (`escalation.tiers`), each with its own channels. The tier's channel gets
  the ticket card; the requester hears that a more senior team is looking at it (a request still
  waiting for its approver: that it still waits for them).
- Hierarchical (vertical): the managers' channel hears about every P1 at once and every breach
  of a P1 or P2 (and every escalation by hand).
- Each step is recorded in the audit trail (and so in the ticket's history) by whoever caused it;
  automatic steps by `SLA_ACTOR`.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import notify
from handlers.access_config import label_of
from handlers.desk import Desk
from handlers.organisation import EscalationTier, Organisation
from handlers.sla import APPROVAL, TARGET_LABEL, duration_text, local_time
from storage import audit
from storage.access import active_step
from storage.models import Ticket
from storage.sla import SlaClock

SLA_ACTOR = "sla-clock"
SLA_LABEL = "the SLA clock"
MANAGED_PRIORITIES = ("P1", "P2")  # their breaches go to management


def tiers(organisation: Organisation, queue: str) -> list[EscalationTier]:
    return list(organisation.escalation.tiers.get(queue, []))  # type: ignore[call-overload]


def tier_channel(organisation: Organisation, ticket: Ticket, level: int | None = None) -> str | None:
    """Where the ticket's current tier works (level 0: the queue's channel)."""
    level = ticket.escalation_level if level is None else level
    found = tiers(organisation, ticket.queue)
    platform = ticket.conversation_platform
    if level <= 0 or not found:
        return organisation.queues[ticket.queue].channels.on(platform)
    return found[min(level, len(found)) - 1].channels.on(platform)


def escalate(session: Session, desk: Desk, ticket: Ticket, *, actor_name: str, actor_label: str,
             reason: str = "", tell_managers: bool = True) -> str:
    """Functional escalation: one tier up (when the queue has one above), with the requester,
    the team and (when asked) management told. Returns what happened, for the caller."""
    organisation = desk.organisation
    now = desk.clock.now()
    found = tiers(organisation, ticket.queue)
    why = f": {reason}" if reason else ""
    before = ticket.escalation_level
    if found and before >= len(found):
        top = found[-1].name
        audit.record(session, actor=actor_name, action="escalation_at_top", ticket=ticket, field="escalation_level",
                     before=before, after=before, reason=reason or None, at=now)
        text = f"{ticket.ref} needs attention{why}, and is already with {top}, the last line of the {ticket.queue} queue."
        notify.channel(session, desk, ticket, tier_channel(organisation, ticket), event="escalated", text=text)
        if tell_managers:
            notify.managers(session, desk, ticket, event="escalated",
                            text=f"{ticket.ref} ({ticket.priority}, {ticket.queue}) {text[len(ticket.ref) + 1:]}")
        return f"{ticket.ref} is already with {top}, the last line of the {ticket.queue} queue; management has been told."
    level = before + 1
    ticket.escalation_level = level
    ticket.updated_at = now
    audit.record(session, actor=actor_name, action="set_escalation_level", ticket=ticket, field="escalation_level",
                 before=before, after=level, reason=reason or "escalated", at=now)
    tier = found[level - 1] if found else None
    now_with = f" · now with {tier.name}" if tier else ""
    notify.queue_channel(session, desk, ticket, event="escalated",
                         text=f"{ticket.ref} escalated to level {level} by {actor_label}{why}{now_with}")
    if tier is not None:
        notify.channel(session, desk, ticket, tier.channels.on(ticket.conversation_platform), event="escalated",
                       text=f"{ticket.ref} ({ticket.priority}) escalated to {tier.name} by {actor_label}{why}: "
                            f"{ticket.title}")
    if tell_managers:
        notify.managers(session, desk, ticket, event="escalated",
                        text=f"{ticket.ref} ({ticket.priority}, {ticket.queue}) escalated to level {level} by "
                             f"{actor_label}{why}{now_with}")
    notify.requester(session, desk, ticket, event="escalated",
                     text=awaiting_approval_notice(session, desk, ticket) or requester_notice(ticket, tier, level))
    return f"{ticket.ref} escalated to level {level}{f' ({tier.name})' if tier else ''}."


def requester_notice(ticket: Ticket, tier: EscalationTier | None, level: int) -> str:
    """What the requester hears at each step up: each step says where the ticket is now, so a
    second escalation is news, not a repeat."""
    if level <= 1:
        return f"{ticket.ref} is now being looked at by a more senior team."
    if tier is not None:
        return f"{ticket.ref} has been escalated again: {tier.name} is looking at it now."
    return f"{ticket.ref} has been escalated again (level {level})."


def awaiting_approval_notice(session: Session, desk: Desk, ticket: Ticket) -> str | None:
    """A request still waiting for its approver: no team can move it on, so the requester hears that
    it still waits for the approver (never that "a more senior team" has it). None otherwise."""
    step = active_step(session, ticket.id)
    if step is None:
        return None
    names = [label_of(desk.organisation, name) for name in step.approvers or []]
    waiting = f"approval from {' or '.join(names)}" if names else "an approver"
    return f"{ticket.ref} is still waiting for {waiting}; you'll hear from us as soon as it is decided."


def warn(session: Session, desk: Desk, ticket: Ticket, clock: SlaClock) -> str:
    """75% (configurable) of a target is used: the assignee is told, or the tier's channel."""
    now = desk.clock.now()
    organisation = desk.organisation
    percent = organisation.escalation.warn_at_percent
    label = TARGET_LABEL.get(clock.target, clock.target)
    left = duration_text((clock.due_at - now).total_seconds())
    text = (f"{ticket.ref} ({ticket.priority}): {percent}% of the {label} target is used; due "
            f"{local_time(organisation, clock.due_at)} ({left} left). {ticket.title}")
    audit.record(session, actor=SLA_ACTOR, action="sla_warning", ticket=ticket, field=clock.target,
                 reason=f"{percent}% of the {label} target used", at=now)
    member = organisation.staff_named(ticket.assignee) if ticket.assignee else None
    if member is not None and getattr(member.identities, ticket.conversation_platform, None):
        notify.staff_member(session, desk, ticket, member, event="sla_warning", text=text)
        return f"{ticket.ref}: {label} {percent}% used, {member.label} warned"
    where = tier_channel(organisation, ticket)
    notify.channel(session, desk, ticket, where, event="sla_warning", text=text)
    return f"{ticket.ref}: {label} {percent}% used, {where or 'nobody to'} warned"


def breach(session: Session, desk: Desk, ticket: Ticket, clock: SlaClock) -> str:
    """A target was missed: recorded, the ticket moves up a tier (first response and resolution),
    and management hears about P1 and P2 breaches."""
    now = desk.clock.now()
    organisation = desk.organisation
    label = TARGET_LABEL.get(clock.target, clock.target)
    late = duration_text((now - clock.due_at).total_seconds())
    missed = f"{label} target missed (due {local_time(organisation, clock.due_at)})"
    audit.record(session, actor=SLA_ACTOR, action="sla_breach", ticket=ticket, field=clock.target,
                 reason=missed, at=now)
    managed = ticket.priority in MANAGED_PRIORITIES
    if clock.target == APPROVAL:
        text = f"{ticket.ref} ({ticket.priority}): {missed}; the approvers have not decided. {ticket.title}"
        notify.channel(session, desk, ticket, tier_channel(organisation, ticket), event="sla_breach", text=text)
        if managed:
            notify.managers(session, desk, ticket, event="sla_breach", text=text)
        return f"{ticket.ref}: {label} breached"
    outcome = escalate(session, desk, ticket, actor_name=SLA_ACTOR, actor_label=SLA_LABEL, reason=missed,
                       tell_managers=False)
    if managed:  # one message for management: the breach and what the desk did about it
        notify.managers(session, desk, ticket, event="sla_breach",
                        text=f"{ticket.ref} ({ticket.priority}, {ticket.queue}) breached: {missed}, {late} ago. "
                             f"{outcome} Title: {ticket.title}")
    return f"{ticket.ref}: {label} breached → {outcome}"


def p1_opened(session: Session, desk: Desk, ticket: Ticket, *, incident=None) -> None:
    """Hierarchical escalation: management hears about every P1 at once (with its major-incident
    channel and lead, when one was opened)."""
    audit.record(session, actor=SLA_ACTOR, action="managers_told", ticket=ticket, reason=f"{ticket.priority}",
                 at=desk.clock.now())
    where = ""
    if incident is not None:
        lead = desk.organisation.staff_named(incident.lead) if incident.lead else None
        where = f" · major incident channel {incident.channel}, lead {lead.label if lead else 'to be named'}"
    notify.managers(session, desk, ticket, event="p1",
                    text=f"P1 {ticket.ref} ({ticket.queue}) from {ticket.requester_name}: {ticket.title}{where}")
