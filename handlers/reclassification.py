"""Staff correcting what intake decided: a ticket's priority, queue or kind. A queue or kind
correction is kept as a training example (`servicedesk train --with-feedback`); the ticket keeps
its id, and the requester and the team are told."""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import notify, timekeeping
from handlers.desk import Desk
from handlers.lifecycle import KIND_ARTICLE, Actor, DeskError, _change, _status, require_staff
from handlers.organisation import PRIORITIES, QUEUES
from handlers.views import KIND_LABEL
from storage import feedback
from storage.models import Ticket


def set_priority(session: Session, desk: Desk, ticket: Ticket, actor: Actor, priority: str) -> str:
    require_staff(actor, ticket, "change priorities")
    priority = priority.strip().upper()
    if priority not in PRIORITIES:
        raise DeskError(f"'{priority}' is not a priority; use P1 (most urgent) to P5.")
    before = ticket.priority
    if before == priority:
        raise DeskError(f"{ticket.ref} is already {priority}.")
    _change(session, desk, ticket, actor, "priority", priority, reason="staff override")
    timekeeping.retargeted(session, desk, ticket, before_priority=before, notices=False)
    notify.requester(session, desk, ticket, event="priority",
                     text=f"{ticket.ref} is now priority {priority} (was {before}).")
    notify.queue_channel(session, desk, ticket, event="priority",
                         text=f"{ticket.ref}: priority {before} → {priority} by {actor.label}.")
    timekeeping.priority_notices(session, desk, ticket, before_priority=before)
    return f"{ticket.ref}: priority {before} → {priority}."


def set_queue(session: Session, desk: Desk, ticket: Ticket, actor: Actor, queue: str) -> str:
    require_staff(actor, ticket, "move tickets between queues")
    queue = queue.strip().lower()
    if queue not in QUEUES:
        raise DeskError(f"'{queue}' is not a queue; use one of: {', '.join(QUEUES)}.")
    before = ticket.queue
    if before == queue:
        raise DeskError(f"{ticket.ref} is already in the {queue} queue.")
    _change(session, desk, ticket, actor, "queue", queue)
    feedback.add_example(session, ticket=ticket, intent=ticket.kind, queue=queue, actor=actor.name,
                         at=desk.clock.now())
    member = desk.organisation.staff_named(ticket.assignee) if ticket.assignee else None
    if member is not None and not member.may_work(queue):
        _change(session, desk, ticket, actor, "assignee", None, reason="moved to another queue")
        if ticket.status == "assigned":
            _status(session, desk, ticket, actor, "new", reason="moved to another queue")
    title = desk.organisation.queues[queue].title
    notify.queue_channel(session, desk, ticket, event="requeued",
                         text=f"{ticket.ref} moved here from {before} by {actor.label}: {ticket.title}")
    notify.requester(session, desk, ticket, event="requeued",
                     text=f"{ticket.ref} has been passed to the {title} team.")
    return f"{ticket.ref} moved from {before} to {queue}."


def set_kind(session: Session, desk: Desk, ticket: Ticket, actor: Actor, kind: str) -> str:
    """Correct what the ticket is (its id stays, so links people already have keep working)."""
    require_staff(actor, ticket, "change what kind a ticket is")
    kind = kind.strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {"request": "service_request", "access": "access_request"}
    kind = aliases.get(kind, kind)
    if kind not in KIND_LABEL:
        raise DeskError(f"'{kind}' is not a kind; use incident, service_request or access_request.")
    if kind == ticket.kind:
        raise DeskError(f"{ticket.ref} is already filed as {KIND_LABEL[kind]}.")
    before = ticket.kind
    _change(session, desk, ticket, actor, "kind", kind, reason="reclassified by staff")
    timekeeping.retargeted(session, desk, ticket, before_priority=ticket.priority, notices=False)
    feedback.add_example(session, ticket=ticket, intent=kind, queue=ticket.queue, actor=actor.name,
                         at=desk.clock.now())
    now_a = f"{KIND_ARTICLE[kind]} {KIND_LABEL[kind]}"
    notify.requester(session, desk, ticket, event="reclassified",
                     text=f"{ticket.ref} is now being handled as {now_a} (its id stays {ticket.ref}).")
    notify.queue_channel(session, desk, ticket, event="reclassified",
                         text=f"{ticket.ref}: {KIND_LABEL[before]} → {KIND_LABEL[kind]} by {actor.label} "
                              f"(it keeps its id {ticket.ref}).")
    return (f"{ticket.ref} is now {now_a} (it keeps its id {ticket.ref}; "
            f"the correction is kept as a training example).")
