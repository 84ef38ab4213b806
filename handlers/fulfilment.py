"""Fulfilling a catalog request: the details on the record, approval if the item needs it, the
team's checklist in the queue channel, `/sd done REQ-n STEP`, and the resolve when every step is
done (the requester is told by the resolve).

How a request shows: `request_view` for `tickets show --json` ("request": item, fields, steps,
target), `shown_for` for `/sd show`, and `approval_subject` for the approvers (the item and its
details, not only the first message).

The item's `target` is the agreed service level of that offering, so once the requester confirms
the item it is the request's resolution target, whether longer or shorter than the generic one
(request_sla by kind, or sla by priority): `agree_target` sets the resolution clock to it
(sla_clock.agree; a priority change keeps it, sla_clock.retarget), on the calendar of the
request's other targets (business hours unless request_sla says otherwise), counted from the
opening, not counting time waiting for approval. First response and approval stay as they were.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from handlers import lifecycle, notify, sla_clock
from handlers.catalog_config import CatalogItem
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, require_staff
from handlers.organisation import Organisation
from handlers.sla import FIRST_RESPONSE, RESOLUTION, Target, local_time, targets_for
from handlers.views import KIND_LABEL
from storage import audit
from storage import catalog as store
from storage.catalog import FulfilmentStep, RequestForm
from storage.models import AuditEntry, Ticket
from storage.tickets import OPEN_STATUSES, add_comment

DESK = "service desk"
AGREED_STATES = ("collecting", "approval", "fulfilment", "done", "resolved")  # the requester confirmed the item
TARGET_SET = "set_resolution_target"  # the audit action of `agree_target`


def agree_target(session: Session, desk: Desk, ticket: Ticket, item: CatalogItem) -> Target | None:
    """The requester confirmed the item: its target becomes the resolution target (module
    docstring), recorded with the target it replaces. None: the item has no target."""
    target = item_target(desk.organisation, ticket, item)
    if target is None:
        return None
    now = desk.clock.now()
    generic = targets_for(desk.organisation, kind=ticket.kind, priority=ticket.priority).get(RESOLUTION)
    sla_clock.agree(desk.organisation, ticket, target, now=now)
    audit.record(session, actor=DESK, action=TARGET_SET, ticket=ticket, field="resolution_target",
                 before=generic.describe() if generic is not None else "planned", after=target.describe(),
                 reason=f"catalog item {item.id}", at=now)
    return target


def item_target(organisation: Organisation, ticket: Ticket, item: CatalogItem) -> Target | None:
    """The item's target as a resolution target, on the calendar of the ticket's other targets."""
    duration = item.target_duration
    if duration is None:
        return None
    business = targets_for(organisation, kind=ticket.kind, priority=ticket.priority)[FIRST_RESPONSE].business_hours
    return Target(RESOLUTION, duration, business)


def agreed_targets(organisation: Organisation, ticket: Ticket) -> dict[str, Target]:
    """What a confirmed catalog item agreed for the ticket (sla_clock.retarget keeps it)."""
    session = object_session(ticket)
    if ticket.kind != "service_request" or session is None or ticket.id is None:
        return {}
    form = store.form_of_ticket(session, ticket_id=ticket.id)
    item = organisation.catalog.item(form.item_id) if form is not None and form.state in AGREED_STATES else None
    target = item_target(organisation, ticket, item) if item is not None else None
    return {target.name: target} if target is not None else {}


def target_sentence(desk: Desk, ticket: Ticket, item: CatalogItem) -> str:
    """The requester hears the item's target and when it falls ("" without one)."""
    if not item.target or ticket.resolution_due is None:
        return ""
    waiting = " (time waiting for approval doesn't count)" if item.approval_steps else ""
    return (f"{ticket.ref} has a target of {item.target}, so it's due by "
            f"{local_time(desk.organisation, ticket.resolution_due)}{waiting}. ")


def complete(session: Session, desk: Desk, form: RequestForm, ticket: Ticket, item: CatalogItem) -> str:
    """Every field is in: record them, then approval or the team. Returns the requester's answer."""
    now = desk.clock.now()
    details = _details(session, form)
    summary = "; ".join(f"{name}: {value}" for name, value in details) or "no details needed"
    add_comment(session, ticket=ticket, author=DESK, visibility="public", body=f"{item.name}: {summary}", at=now)
    audit.record(session, actor=DESK, action="request_details", ticket=ticket, field="catalog_item",
                 after=item.id, reason=summary, at=now)
    store.add_steps(session, ticket_id=ticket.id, names=list(item.steps))
    form.pending_field, form.updated_at = None, now
    thanks = f"Thanks, that's everything for {ticket.ref} ({item.name}: {summary})."
    if item.approval_steps:
        from handlers import approvals  # the approvals engine (access management) calls approved()/denied()

        form.state = "approval"
        waiting = approvals.request_approval(session, desk, ticket, item.approval_steps)
        return f"{thanks} {waiting}"
    start(session, desk, ticket, form, item)
    target = f", usually within {item.target}" if item.target else ""
    if item.target and ticket.resolution_due is not None:
        target += f" (due by {local_time(desk.organisation, ticket.resolution_due)})"
    return f"{thanks} {desk.organisation.queues[ticket.queue].title} will take it from here{target}."


def approval_subject(session: Session, organisation: Organisation, ticket: Ticket) -> str | None:
    """What an approver reads about a catalog request (handlers/approval_steps.py `subject`): the
    item with every detail given, then the request in the requester's words. None: no catalog
    request on the ticket."""
    form = store.form_of_ticket(session, ticket_id=ticket.id)
    item = organisation.catalog.item(form.item_id) if form is not None else None
    if item is None:
        return None
    details = "; ".join(f"{name}: {value}" for name, value in _details(session, form))
    return f"{item.name} ({details or 'no details needed'}). Asked as: \"{ticket.title}\"."


def start(session: Session, desk: Desk, ticket: Ticket, form: RequestForm, item: CatalogItem, *,
          approved_by: str | None = None) -> None:
    """The team gets the request with its details and checklist: the ticket's queue, which is the
    item's unless the message said the thing belongs elsewhere (request_conversation._says_elsewhere)
    or staff moved it."""
    form.state, form.updated_at = "fulfilment", desk.clock.now()
    lines = [f"{ticket.ref} ready to fulfil: {item.name} for {ticket.requester_name}"
             + (f" (approved by {approved_by})" if approved_by else "") + "."]
    lines += [f"  {name}: {value}" for name, value in _details(session, form)]
    lines.append("Steps:")
    lines += [f"  {step.position}. {step.name}" for step in store.steps_of(session, ticket_id=ticket.id)]
    lines.append(f"Tick each off with /sd done {ticket.ref} STEP (its number or the start of its name).")
    notify.queue_channel(session, desk, ticket, event="fulfilment", text="\n".join(lines))  # the ticket's team


def done(session: Session, desk: Desk, ticket: Ticket, actor: Actor, text: str) -> str:
    """`/sd done REQ-n STEP`: tick a step off; the last one resolves the request."""
    require_staff(actor, ticket, "tick off fulfilment steps")
    if ticket.kind != "service_request":
        raise DeskError(f"{ticket.ref} is an {KIND_LABEL[ticket.kind]}; only service requests have fulfilment steps.")
    form = store.form_of_ticket(session, ticket_id=ticket.id)
    steps = store.steps_of(session, ticket_id=ticket.id)
    if form is None or not steps:
        raise DeskError(f"{ticket.ref} has no fulfilment steps: it is not a catalog request, or its details are "
                        f"not complete yet. Resolve it with /sd resolve {ticket.ref} TEXT.")
    if form.state == "approval":
        raise DeskError(f"{ticket.ref} is still waiting for approval; its steps can be ticked once it is approved.")
    if form.state != "fulfilment" or ticket.status not in OPEN_STATUSES:
        raise DeskError(f"{ticket.ref} is {form.state if form.state != 'fulfilment' else ticket.status}; "
                        f"there is nothing left to tick off.")
    step = pick(steps, text)
    if step.done_at is not None:
        raise DeskError(f"Step {step.position} of {ticket.ref} ({step.name}) was done already, by {step.done_by} "
                        f"at {step.done_at:%Y-%m-%d %H:%M} UTC.")
    now = desk.clock.now()
    step.done_at, step.done_by = now, actor.name
    ticket.updated_at = now
    audit.record(session, actor=actor.name, action="step_done", ticket=ticket, field="step",
                 after=f"{step.position}. {step.name}", at=now)
    if ticket.status in ("new", "assigned"):
        lifecycle._status(session, desk, ticket, actor, "in_progress", reason=f"step {step.position} done")
    left = [s for s in steps if s.done_at is None]
    if left:
        rest = ", ".join(f"{s.position}. {s.name}" for s in left)
        return f"{ticket.ref}: step {step.position} of {len(steps)} done ({step.name}). Still to do: {rest}."
    form.state = "done"
    resolution = "Fulfilled: " + "; ".join(f"{s.position}. {s.name} ({s.done_by})" for s in steps)
    lifecycle.resolve(session, desk, ticket, actor, resolution)
    return (f"{ticket.ref}: step {step.position} of {len(steps)} done ({step.name}). All steps are done, so "
            f"{ticket.ref} is resolved and {ticket.requester_name} has been told.")


def pick(steps: list[FulfilmentStep], text: str) -> FulfilmentStep:
    """The step a staff member names: its number, or the start of its name."""
    wanted = " ".join(text.lower().split()).strip(" .")
    listed = "; ".join(f"{s.position}. {s.name}" for s in steps)
    if wanted.isdigit():
        found = [s for s in steps if s.position == int(wanted)]
    else:
        found = [s for s in steps if s.name.lower().startswith(wanted)] if wanted else []
        if len(found) > 1:
            raise DeskError(f"'{text.strip()[:40]}' fits more than one step: "
                            f"{'; '.join(f'{s.position}. {s.name}' for s in found)}. Use its number.")
    if not found:
        raise DeskError(f"'{text.strip()[:40]}' is not a step of this request; the steps are: {listed}.")
    return found[0]


def request_view(session: Session, ticket: Ticket) -> dict | None:
    """The catalog request on a ticket as JSON-ready data (None: not a catalog request)."""
    form = store.form_of_ticket(session, ticket_id=ticket.id)
    if form is None:
        return None
    return {
        "item": form.item_id,
        "state": form.state,
        "target": _agreed_target_text(session, ticket, form),
        "fields": dict(_details(session, form)),
        "steps": [{"name": s.name, "done": s.done_at is not None, "by": s.done_by,
                   "at": s.done_at.isoformat() if s.done_at else None}
                  for s in store.steps_of(session, ticket_id=ticket.id)],
    }


def shown_for(session: Session, ticket: Ticket) -> str | None:
    """Lines for `/sd show`: the item, its details and the checklist."""
    view = request_view(session, ticket)
    if view is None:
        return None
    target = f" · resolution target {view['target']}, from the catalog" if view["target"] else ""
    lines = [f"  request: {view['item']} ({view['state']}){target}"]
    lines += [f"    {name}: {value}" for name, value in view["fields"].items()]
    for number, step in enumerate(view["steps"], start=1):
        by = f" ({step['by']})" if step["done"] else ""
        lines.append(f"    [{'x' if step['done'] else ' '}] {number}. {step['name']}{by}")
    return "\n".join(lines)


def _details(session: Session, form: RequestForm) -> list[tuple[str, str]]:
    return [(f.name, f.value) for f in store.fields_of(session, form_id=form.id) if f.value != ""]


def _agreed_target_text(session: Session, ticket: Ticket, form: RequestForm) -> str | None:
    """The item's target as `agree_target` recorded it, while it stands (None: none agreed)."""
    if ticket.kind != "service_request" or form.state not in AGREED_STATES:
        return None
    return session.execute(
        select(AuditEntry.after).where(AuditEntry.ticket_id == ticket.id, AuditEntry.action == TARGET_SET)
        .order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
