"""A service request becomes a catalog request in conversation: "Sounds like *Software install*:
right?", then each missing detail, one question per message, then approval or straight to the team.

Intake calls `after_request_opened` for every new service request. Answers come as buttons
(values `cat:FORM:yes|no` and `cat:FORM:fPOSITION:CHOICE`) or typed (`typed_answer`, which the
console and piped input rely on). The approvals engine calls `approved` / `denied` back.

When does a typed message answer the pending question? (`typed_answer`, checked in this order)
- The person has a form asking them something, asked in the last day, and the desk has asked them
  nothing newer (a clarification, "Is it fixed?", a workaround offer): else it is not for us.
- "cancel" (or "stop", "never mind") cancels the request.
- A message naming a ticket id (INC-12) is never an answer.
- Confirming: yes / no answer it. Choice, yes/no, number and date fields: a valid answer is taken.
  Anything else of at most SHORT_ANSWER_WORDS words is asked again (saying what fits), unless the
  classifier is confident what it is ("I need a new monitor", "thanks", "my tickets": answers
  read as nothing much to it); longer messages are left for intake (something new).
- Text fields take the message, unless the classifier is confident it is small talk or a question
  for the desk (intent other), or it is longer than TEXT_ANSWER_WORDS words and confidently an
  incident, an access request, or a request for another catalog item: new work, which intake
  opens while the question stays pending.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import catalog, fulfilment, notify
from handlers.catalog import NotAnAnswer
from handlers.catalog_config import CatalogField, CatalogItem
from handlers.desk import Desk
from handlers.lifecycle import _status, actor_for
from handlers.messages import Person, Reply
from storage import audit
from storage import catalog as store
from storage.catalog import RequestForm
from storage.models import Ticket
from storage.tickets import OPEN_STATUSES

BUTTON_PREFIX = "cat:"
DESK = "service desk"
EVENTS_PLATFORM = "events"
OPEN_FOR = timedelta(days=1)
SHORT_ANSWER_WORDS = 4
TEXT_ANSWER_WORDS = 8
_CANCEL = frozenset({"cancel", "cancel it", "cancel that", "cancel the request", "cancel request", "stop",
                     "never mind", "nevermind", "forget it"})
_SKIP = frozenset({"skip", "none", "n/a", "-", "no", "nothing"})
_REF = re.compile(r"#?\b(INC|REQ|ACC)[\s-]?\d{1,9}\b", re.IGNORECASE)
NEW_WORK = ("incident", "access_request", "service_request")


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
    notify.requester(session, desk, ticket, event="catalog_confirm",
                     text=f"Sounds like *{match.item.name}*: right? Answer yes or no.", choices=_confirm_choices(form))


def typed_answer(session: Session, desk: Desk, person: Person, text: str, classification=None) -> Reply | None:
    """The answer to the person's pending catalog question, when the text plausibly is one (see the
    module docstring for the rule); None leaves the message to the rest of intake."""
    now = desk.clock.now()
    form = store.asking_form(session, platform=person.platform, user_id=person.user_id, since=now - OPEN_FOR)
    if form is None or _asked_since(session, desk, person, form):
        return None
    words = " ".join(text.lower().strip(" .!").split())
    if words in _CANCEL:
        return cancel(session, desk, person, form)
    if _REF.search(text):
        return None
    item = desk.organisation.catalog.item(form.item_id)
    ticket = session.get(Ticket, form.ticket_id)
    if item is None or ticket is None or ticket.status not in OPEN_STATUSES:
        return None
    if form.state == "confirming":
        answer = catalog.yes_or_no(text)
        if answer is not None:
            return _confirm(session, desk, person, form, ticket, item, answer)
        if len(words.split()) <= SHORT_ANSWER_WORDS and not _understood(desk, classification):
            return Reply(f"Is {ticket.ref} a request for *{item.name}*? Answer yes or no (or cancel).", ok=False,
                         choices=_confirm_choices(form))
        return None
    field = item.field_named(form.pending_field or "")
    if field is None:
        return None
    if field.type == "text" and _something_else(desk, text, classification, item):
        return None
    try:
        value = _value(desk, field, text)
    except NotAnAnswer as wrong:
        if field.type != "text" and (len(words.split()) > SHORT_ANSWER_WORDS or _understood(desk, classification)):
            return None
        return Reply(f"{wrong} {_question(field)}", ok=False, choices=_field_choices(form, item, field))
    return _take(session, desk, person, form, ticket, item, field, value, source="typed")


def answer_by_button(desk: Desk, person: Person, value: str) -> Reply:
    """A pressed button: `cat:FORM:yes|no` or `cat:FORM:fPOSITION:CHOICE`."""
    number, _, rest = value.removeprefix(BUTTON_PREFIX).partition(":")
    if not number.isdigit() or not rest:
        return Reply("That button is not one of mine.", ok=False)
    with desk.database.session() as session:
        form = session.get(RequestForm, int(number))
        ticket = session.get(Ticket, form.ticket_id) if form is not None else None
        item = desk.organisation.catalog.item(form.item_id) if form is not None else None
        if form is None or ticket is None or item is None:
            return Reply("That question has expired.", ok=False)
        if (form.platform, form.user_id) != (person.platform, person.user_id):
            return Reply("That question was for someone else.", ok=False)
        if ticket.status not in OPEN_STATUSES or form.state not in store.ASKING:
            return Reply(f"That was answered already ({ticket.ref} is {form.state}).", ok=False)
        if rest in ("yes", "no"):
            if form.state != "confirming":
                return Reply("That was answered already.", ok=False)
            return _confirm(session, desk, person, form, ticket, item, rest)
        position, _, choice = rest.partition(":")
        field = item.fields[int(position[1:])] if position[1:].isdigit() and int(position[1:]) < len(item.fields) else None
        if field is None or not choice.isdigit() or int(choice) >= len(field.choices):
            return Reply("That button is not one of mine.", ok=False)
        if form.state != "collecting" or form.pending_field != field.name:
            return Reply("That was answered already.", ok=False)
        return _take(session, desk, person, form, ticket, item, field, field.choices[int(choice)], source="button")


def cancel(session: Session, desk: Desk, person: Person, form: RequestForm) -> Reply:
    """The requester stops while the desk is still asking: the request is closed as cancelled."""
    ticket = session.get(Ticket, form.ticket_id)
    form.state, form.pending_field, form.updated_at = "cancelled", None, desk.clock.now()
    if ticket is None or ticket.status not in OPEN_STATUSES:
        return Reply("OK, I've stopped asking.")
    ticket.resolution = "Cancelled by the requester while giving the details."
    _status(session, desk, ticket, actor_for(desk, person), "closed", reason="cancelled by the requester")
    notify.queue_channel(session, desk, ticket, event="cancelled",
                         text=f"{ticket.ref} was cancelled by {ticket.requester_name} before it was complete.")
    return Reply(f"OK, I've cancelled {ticket.ref}. Tell me any time you need something.")


def approved(session: Session, desk: Desk, ticket: Ticket, approver_name: str) -> None:
    """The approvals engine's final approval of a catalog request: on to the team."""
    form = store.form_of_ticket(session, ticket_id=ticket.id, for_update=True)
    item = desk.organisation.catalog.item(form.item_id) if form is not None else None
    if form is None or item is None or form.state != "approval":
        return
    fulfilment.start(session, desk, ticket, form, item, approved_by=approver_name)
    notify.requester(session, desk, ticket, event="catalog_approved",
                     text=f"{desk.organisation.queues[item.queue].title} will now fulfil {ticket.ref} "
                          f"({item.name}){_within(item)}.")


def denied(session: Session, desk: Desk, ticket: Ticket, reason: str) -> None:
    """The approvals engine's denial (it tells the requester why): the checklist is off."""
    form = store.form_of_ticket(session, ticket_id=ticket.id, for_update=True)
    if form is None or form.state != "approval":
        return
    form.state, form.updated_at = "denied", desk.clock.now()
    audit.record(session, actor=DESK, action="catalog_denied", ticket=ticket, field="request", after="denied",
                 reason=reason, at=desk.clock.now())


def _confirm(session: Session, desk: Desk, person: Person, form: RequestForm, ticket: Ticket, item: CatalogItem,
             answer: str) -> Reply:
    now = desk.clock.now()
    actor = actor_for(desk, person)
    audit.record(session, actor=actor.name, action="catalog_confirmed", ticket=ticket, field="catalog_item",
                 after=f"{item.id}: {answer}", at=now)
    if answer == "no":
        form.state, form.updated_at = "declined", now
        team = desk.organisation.queues[ticket.queue].title
        return Reply(f"OK, not {item.name}. {ticket.ref} goes to {team} as a plain request; they'll be in touch.")
    form.state, form.updated_at = "collecting", now
    if ticket.queue != item.queue:
        before, ticket.queue = ticket.queue, item.queue
        audit.record(session, actor=DESK, action="set_queue", ticket=ticket, field="queue", before=before,
                     after=item.queue, reason=f"catalog item {item.id}", at=now)
        notify.queue_channel(session, desk, ticket, event="requeued",
                             text=f"{ticket.ref} moved here from {before}: it is a {item.name} request.")
    return _ask_next(session, desk, form, ticket, item, first=True)


def _take(session: Session, desk: Desk, person: Person, form: RequestForm, ticket: Ticket, item: CatalogItem,
          field: CatalogField, value: str | None, *, source: str) -> Reply:
    now = desk.clock.now()
    store.set_field(session, form=form, position=item.fields.index(field), name=field.name, value=value or "",
                    source=source if value is not None else "skipped", at=now)
    form.pending_field, form.updated_at = None, now
    ticket.updated_at = now
    return _ask_next(session, desk, form, ticket, item)


def _ask_next(session: Session, desk: Desk, form: RequestForm, ticket: Ticket, item: CatalogItem, *,
              first: bool = False) -> Reply:
    have = {f.name for f in store.fields_of(session, form_id=form.id)}  # skipped optional ones are ""
    missing = next((f for f in item.fields if f.name not in have), None)
    if missing is None:
        return Reply(fulfilment.complete(session, desk, form, ticket, item))
    form.pending_field, form.asked_at = missing.name, desk.clock.now()
    lead = f"Great. A few details for {ticket.ref} (say cancel to stop). " if first else ""
    return Reply(lead + _question(missing), choices=_field_choices(form, item, missing))


def _value(desk: Desk, field: CatalogField, text: str) -> str | None:
    """The stored answer; None for a skipped optional field."""
    if not field.required and " ".join(text.lower().split()).strip(" .") in _SKIP and field.type != "yes_no":
        return None
    today = catalog.local_today(desk.organisation, desk.clock.now())
    return catalog.parse_answer(field, text, today=today)


def _question(field: CatalogField) -> str:
    hint = {"choice": f" ({', '.join(field.choices)})", "yes_no": " (yes or no)",
            "date": " (e.g. 30 Nov, tomorrow or next Friday)", "number": " (a number)"}.get(field.type, "")
    return f"{field.prompt}{hint}{'' if field.required else ' You can say skip.'}"


def _field_choices(form: RequestForm, item: CatalogItem, field: CatalogField) -> list[tuple[str, str]]:
    position = item.fields.index(field)
    return [(f"{BUTTON_PREFIX}{form.id}:f{position}:{n}", choice[:75]) for n, choice in enumerate(field.choices)]


def _confirm_choices(form: RequestForm) -> list[tuple[str, str]]:
    return [(f"{BUTTON_PREFIX}{form.id}:yes", "Yes"), (f"{BUTTON_PREFIX}{form.id}:no", "No")]


def _within(item: CatalogItem) -> str:
    return f" (usually within {item.target})" if item.target else ""


def _understood(desk: Desk, classification) -> bool:
    """The classifier is sure what the message is (new work, thanks, "my tickets"): answers to
    the desk's questions ("ThinkPad", "next Friday", "Priya and Tom") read as nothing much."""
    return classification is not None and classification.confidence >= desk.organisation.nlp.confidence_threshold


def _something_else(desk: Desk, text: str, classification, item: CatalogItem) -> bool:
    """Not an answer for a text field: small talk or a question for the desk, or a long message
    that is new work (short ones, "my old one is broken", are answers)."""
    if not _understood(desk, classification):
        return False
    if classification.intent not in NEW_WORK:
        return True
    if len(text.split()) <= TEXT_ANSWER_WORDS:
        return False
    if classification.intent != "service_request":
        return True
    other = catalog.best_match(desk.organisation, text)
    return other is not None and other.item.id != item.id


def _asked_since(session: Session, desk: Desk, person: Person, form: RequestForm) -> bool:
    """Whether the desk asked this person something newer than our pending question."""
    from handlers import clarification
    from storage.follow_up import answerable
    from storage.problems import WorkaroundOffer

    now = desk.clock.now()
    if any(q.asked_at > form.asked_at for q in answerable(session, platform=person.platform, user_id=person.user_id,
                                                          now=now)):
        return True
    pending = clarification.pending(session, desk, person)
    if pending is not None and pending.created_at > form.asked_at:
        return True
    newer_offer = session.execute(
        select(WorkaroundOffer.id).where(WorkaroundOffer.platform == person.platform,
                                         WorkaroundOffer.user_id == person.user_id,
                                         WorkaroundOffer.answered_at.is_(None),
                                         WorkaroundOffer.created_at > form.asked_at).limit(1)
    ).first()
    return newer_offer is not None
