"""A catalog request's form through its life: opened when intake files a service request that
reads like a catalog item (`after_request_opened`), filled in conversation
(handlers.request_conversation: "Sounds like *Software install*: right?", then each missing
detail), then approval (handlers.approvals calls `approved` / `denied` back) or straight to the
team (handlers.fulfilment: the checklist, `/sd done`, the resolve).

The form's states (storage.catalog): confirming → collecting → approval → fulfilment → done, or
declined (not that item), cancelled, denied, or resolved (below). It asks the requester something
only while confirming or collecting.

The ticket's life cycle moves the form too (handlers.approvals passes the ticket's changes on):
- Closed (`ticket_closed`): nothing about it is asked or decided any more. A form still asking
  or waiting for approval is cancelled (closed before it got through), or resolved when the
  ticket had been resolved; one being fulfilled is done when the ticket had been resolved, else
  cancelled.
- Resolved (`ticket_resolved`): staff resolved it before the form was through (the work was done
  another way, or is not needed after all). A form still asking or waiting for approval is
  `resolved`: its question is neither taken nor reminded, and its approval is withdrawn (the
  approvers hear they needn't decide). A form being fulfilled stays: reopened, its checklist goes on.
- Reopened (`ticket_reopened`, resolved → in progress: the request is not done after all): the
  form goes back to where the resolve stopped it, so the request always moves on with the people
  it waits for. Its question is asked again; or its approval is asked again where it stopped
  (handlers.approvals revives the withdrawn steps, approvals already given stand; without any, it
  is asked from the start). Work on an item that needs approval never starts without it.

`answer_by_button` and `cancel` (the conversation) are importable from here too: the buttons
(prefix `cat:`) call them through this module. Intake calls `typed_answer` first for every typed
message: the pending catalog question's answer (handlers.request_conversation), else a "cancel" or
a detail for a pending "Is something broken, do you need something...?" that is the newest
question (handlers.clarification.typed_reply), before any other question's answer is looked for.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import catalog, clarification, fulfilment, new_matter, notify, request_conversation
from handlers.catalog_config import CatalogItem
from handlers.desk import Desk
from handlers.messages import Person, Reply
from handlers.request_conversation import (  # noqa: F401 (answer_by_button, cancel: used from here)
    BUTTON_PREFIX, answer_by_button, ask_next, cancel, confirm_choices, confirm_question,
)
from handlers.sla import local_time
from storage import audit
from storage import catalog as store
from storage.access import active_step
from storage.catalog import RequestForm
from storage.models import Ticket

DESK = "service desk"
EVENTS_PLATFORM = "events"
UNFINISHED = ("confirming", "collecting", "approval")  # what resolving or closing the ticket stops


def typed_answer(session: Session, desk: Desk, person: Person, text: str, classification=None) -> Reply | None:
    """Intake's first look at a typed message (the module docstring); None: not an answer here."""
    answer = request_conversation.typed_answer(session, desk, person, text, classification)
    if answer is not None:
        return answer
    return clarification.typed_reply(session, desk, person, text, classification)


def after_request_opened(session: Session, desk: Desk, ticket: Ticket) -> None:
    """Intake opened a service request (same transaction): match it to the catalog and ask."""
    if ticket.kind != "service_request" or ticket.requester_platform == EVENTS_PLATFORM:
        return
    match = catalog.best_match(desk.organisation, ticket.description)
    team = desk.organisation.queues[ticket.queue].title
    if match is None:
        notify.requester(session, desk, ticket, event="catalog_unmatched",
                         text=f"{ticket.ref} doesn't match anything in the service catalog (/sd catalog lists it), "
                              f"so it goes to {team} as a plain request.")
        return
    now = desk.clock.now()
    form = store.add_form(session, ticket_id=ticket.id, item_id=match.item.id, platform=ticket.requester_platform,
                          user_id=ticket.requester_id, score=match.score, at=now)
    today = catalog.local_today(desk.organisation, now)
    for name, value in catalog.prefill(match.item, ticket.description, today=today).items():
        position = match.item.fields.index(match.item.field_named(name))
        store.set_field(session, form=form, position=position, name=name, value=value, source="first_message", at=now)
    audit.record(session, actor=DESK, action="catalog_matched", ticket=ticket, field="catalog_item",
                 after=match.item.id, reason=f"similarity {match.score:.2f}", at=now)
    new_matter.send_reminders(session, desk)  # the earlier request's question, before this one's
    notify.requester(session, desk, ticket, event="catalog_confirm",
                     text=f"Sounds like *{match.item.name}*: right? Answer yes or no.", choices=confirm_choices(form))


def approved(session: Session, desk: Desk, ticket: Ticket, approver_name: str) -> None:
    """The approvals engine's final approval of a catalog request: on to the team."""
    form = store.form_of_ticket(session, ticket_id=ticket.id, for_update=True)
    item = desk.organisation.catalog.item(form.item_id) if form is not None else None
    if form is None or item is None or form.state != "approval":
        return
    fulfilment.start(session, desk, ticket, form, item, approved_by=approver_name)
    notify.requester(session, desk, ticket, event="catalog_approved",
                     text=f"{desk.organisation.queues[ticket.queue].title} will now fulfil {ticket.ref} "
                          f"({item.name}){_within(desk, ticket, item)}.")


def denied(session: Session, desk: Desk, ticket: Ticket, reason: str) -> None:
    """The approvals engine's denial (it tells the requester why): the checklist is off."""
    form = store.form_of_ticket(session, ticket_id=ticket.id, for_update=True)
    if form is None or form.state != "approval":
        return
    form.state, form.updated_at = "denied", desk.clock.now()
    audit.record(session, actor=DESK, action="catalog_denied", ticket=ticket, field="request", after="denied",
                 reason=reason, at=desk.clock.now())


def _within(desk: Desk, ticket: Ticket, item: CatalogItem) -> str:
    """The target, and when it now falls (the approval wait moved it)."""
    if not item.target:
        return ""
    due = f"; due by {local_time(desk.organisation, ticket.resolution_due)}" if ticket.resolution_due else ""
    return f" (usually within {item.target}{due})"



# The ticket's life cycle (called by handlers.approvals, which handlers.lifecycle tells).

def ticket_closed(session: Session, desk: Desk, ticket: Ticket) -> None:
    """The ticket closed: the form ends (the module docstring says how)."""
    form = store.form_of_ticket(session, ticket_id=ticket.id, for_update=True)
    if form is None:
        return
    was_resolved = ticket.resolved_at is not None
    if form.state in UNFINISHED:
        _move(session, desk, ticket, form, "resolved" if was_resolved else "cancelled", why="the ticket was closed")
    elif form.state == "fulfilment":
        _move(session, desk, ticket, form, "done" if was_resolved else "cancelled", why="the ticket was closed")


def ticket_resolved(session: Session, desk: Desk, ticket: Ticket) -> None:
    """The ticket was resolved before its form was through: the form stops asking and waiting
    (its approval was withdrawn by handlers.approvals) until the ticket is reopened."""
    form = store.form_of_ticket(session, ticket_id=ticket.id, for_update=True)
    if form is not None and form.state in UNFINISHED:
        _move(session, desk, ticket, form, "resolved", why="the ticket was resolved")


def ticket_reopened(session: Session, desk: Desk, ticket: Ticket) -> None:
    """The ticket was reopened: a form the resolve stopped goes on where it stopped (the module
    docstring), and the requester hears what it waits for."""
    form = store.form_of_ticket(session, ticket_id=ticket.id, for_update=True)
    item = desk.organisation.catalog.item(form.item_id) if form is not None else None
    if form is None or item is None or form.state != "resolved":
        return
    back = _stopped_at(session, ticket, form)
    _move(session, desk, ticket, form, back, why="the ticket was reopened")
    if back == "approval":
        if active_step(session, ticket.id) is None:  # no withdrawn step was asked again: from the start
            _approval_again(session, desk, ticket, form, item)
        return
    if back == "confirming":
        form.asked_at = desk.clock.now()
        text = f"{ticket.ref} is open again. {confirm_question(ticket, item)}"
        choices = confirm_choices(form)
    else:
        asked = ask_next(session, desk, form, ticket, item)
        still = " I still need a detail for it (say cancel to stop):" if form.state == "collecting" else ""
        text, choices = f"{ticket.ref} ({item.name}) is open again.{still} {asked.text}", asked.choices
    notify.requester(session, desk, ticket, event="catalog_reopened", text=text, choices=choices)


def _stopped_at(session: Session, ticket: Ticket, form: RequestForm) -> str:
    """Where the resolve stopped the form: waiting for approval once the details were complete
    (the checklist is written then), else the question it was asking."""
    if store.steps_of(session, ticket_id=ticket.id):
        return "approval"
    return "collecting" if form.pending_field else "confirming"


def _approval_again(session: Session, desk: Desk, ticket: Ticket, form: RequestForm, item: CatalogItem) -> None:
    if not item.approval_steps:  # the catalog no longer asks for one: on to the team
        fulfilment.start(session, desk, ticket, form, item)
        return
    from handlers import approvals  # approvals calls this module back

    waiting = approvals.request_approval(session, desk, ticket, item.approval_steps)
    notify.requester(session, desk, ticket, event="approval_step",
                     text=f"{ticket.ref} is open again and needs approval before the team starts. {waiting}")


def _move(session: Session, desk: Desk, ticket: Ticket, form: RequestForm, state: str, *, why: str) -> None:
    now = desk.clock.now()
    audit.record(session, actor=DESK, action="catalog_request", ticket=ticket, field="request", before=form.state,
                 after=state, reason=why, at=now)
    form.state, form.updated_at = state, now
