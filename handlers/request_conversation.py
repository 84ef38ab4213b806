"""The conversation that fills a catalog request's form: "Sounds like *Software install*:
right?", then each missing detail, one question per message (handlers.request_fulfilment opens
the form and follows it through approval, fulfilment and the ticket's life cycle).

Answers come as buttons (values `cat:FORM:yes|no` and `cat:FORM:fPOSITION:CHOICE`) or typed
(`typed_answer`, which the console and piped input rely on). A form asks only while it is
`confirming` or `collecting` and its ticket is open: resolving or closing the ticket ends it.

When does a typed message answer the pending question? (`typed_answer`, checked in this order)
- A message naming one of the person's requests that is still asking them something ("REQ-1
  replacement", "REQ-1 cancel") answers that request, however old and whatever was asked since.
  A message naming any other ticket (INC-12) is never an answer.
- Otherwise: the person has a form asking them something, asked in the last day, and no question
  the desk asked them since takes the message (`_newer_question`): a clarification takes anything;
  "Is it fixed?" (and "Which one do you mean?") anything; a workaround offer yes or no; a rating
  only a rating ("4", "5 quick fix") - "sales@example.com" after "How did we do?" is our answer.
  When the newer question is settled by the message (a yes to "Is it fixed?", a rating, a cancel),
  our question is asked again right after its answer ("Back to REQ-1 ...", `_back_after`), and a
  plain answer then fills it; when the message opens a ticket (a clarification's choice), it is
  recalled naming the request, like for any new matter (`_remind_after`).
- "cancel" (or "stop", "never mind") cancels the request.
- Confirming: yes / no answer it. Choice, yes/no, number and date fields: a valid answer is taken;
  a date on the wrong side of today for the field ("next Friday" for a restore) is asked again.
  Anything else of at most SHORT_ANSWER_WORDS words is asked again (saying what fits), unless the
  classifier is confident what it is ("I need a new monitor", "thanks", "my tickets": answers
  read as nothing much to it); longer messages are left for intake (something new).
- Text fields take the message, unless the classifier is confident it is small talk or a question
  for the desk (intent other), or it is a new matter (`_new_matter_for_text`).
- A message left for intake because it reads as a new matter (handlers/new_matter.py) is opened
  as its own ticket, and the person is reminded what the pending request still needs, right after
  (`_remind_after`). When a request's questions are done (or it is declined or cancelled) and an
  earlier one still waits, its question is asked again ("Back to REQ-1 ...").

Which queue: confirming an item moves the request to the item's queue, unless the first message
says the thing affected lives elsewhere (`_says_elsewhere`): "reset my SAP password" matches
Password reset (technical: directory and network passwords), but SAP's own password is
Application Management's (SERVICE-OPERATION.md), so the request stays where intake filed it.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import catalog, fulfilment, new_matter, notify
from handlers.catalog import NotAnAnswer, WrongDay
from handlers.catalog_config import CatalogField, CatalogItem
from handlers.desk import Desk
from handlers.lifecycle import _status, actor_for
from handlers.messages import Person, Reply
from handlers.new_matter import reads_as_new_matter
from storage import audit
from storage import catalog as store
from storage.catalog import RequestForm
from storage.models import Ticket
from storage.tickets import OPEN_STATUSES, get_ticket

BUTTON_PREFIX = "cat:"
DESK = "service desk"
OPEN_FOR = timedelta(days=1)
SHORT_ANSWER_WORDS = 4
QUEUE_SURE = 0.7  # intake's queue confidence at which the first message outweighs the item's queue
_CANCEL = frozenset({"cancel", "cancel it", "cancel that", "cancel the request", "cancel request", "stop",
                     "never mind", "nevermind", "forget it"})
_SKIP = frozenset({"skip", "none", "n/a", "-", "no", "nothing"})
_REF = re.compile(r"#?\b(INC|REQ|ACC)[\s-]?\d{1,9}\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_ABOUT_TICKET = re.compile(r"\b(?:update|status|progress|news|eta|how long|where is|what'?s happening)\b|\?\s*$",
                           re.IGNORECASE)
NEW_WORK = ("incident", "access_request", "service_request")
ANSWERS, OPENS, HOLDS = "answers", "opens", "holds"  # what a message does to a newer question


def typed_answer(session: Session, desk: Desk, person: Person, text: str, classification=None) -> Reply | None:
    """The answer to the person's pending catalog question, when the text plausibly is one (see the
    module docstring for the rule); None leaves the message to the rest of intake."""
    named = _REF.search(text)
    if named is not None:  # "REQ-1 replacement": that request's answer; any other ticket: not one
        form = _named_form(session, person, text, named)
        text = (text[:named.start()] + " " + text[named.end():]).strip(" \t\n:,;-–—")
        if form is None or _ABOUT_TICKET.search(text):
            return None  # "any update on REQ-1?": about the request, not an answer
        if not text:
            return _ask_again(session, desk, form)
    else:
        now = desk.clock.now()
        form = store.asking_form(session, platform=person.platform, user_id=person.user_id, since=now - OPEN_FOR)
        if form is None:
            return None
        newer = _newer_question(session, desk, person, form, text, classification)
        if newer is not None:  # that question's answer; ours is asked again after it when it is settled
            if newer == ANSWERS:
                _back_after(session, desk, form)
            elif newer == OPENS:
                _remind_after(session, desk, form)
            return None
    words = " ".join(text.lower().strip(" .!").split())
    if words in _CANCEL:
        return cancel(session, desk, person, form)
    item = desk.organisation.catalog.item(form.item_id)
    ticket = session.get(Ticket, form.ticket_id)
    if item is None or ticket is None or ticket.status not in OPEN_STATUSES:
        return None
    new_matter = named is None and reads_as_new_matter(desk, classification, text)
    if form.state == "confirming":
        answer = catalog.yes_or_no(text)
        if answer is not None:
            return _confirm(session, desk, person, form, ticket, item, answer)
        if new_matter:
            return _remind_after(session, desk, form)
        if named is None and len(words.split()) <= SHORT_ANSWER_WORDS and not _understood(desk, classification):
            return Reply(confirm_question(ticket, item), ok=False, choices=confirm_choices(form))
        return None
    field = item.field_named(form.pending_field or "")
    if field is None:
        return None
    if field.type == "text" and named is None:
        if new_matter and _new_matter_for_text(desk, text, classification, item, field):
            return _remind_after(session, desk, form)
        if _understood(desk, classification) and classification.intent not in NEW_WORK:
            return None  # "thanks", "my tickets": for the desk, not the answer
    try:
        value = _value(desk, field, text)
    except NotAnAnswer as wrong:
        if field.type != "text" and named is None and not isinstance(wrong, WrongDay):  # a wrong day: asked again
            if new_matter:  # a sentence that is no answer and reads as something new: it is
                return _remind_after(session, desk, form)
            if len(words.split()) > SHORT_ANSWER_WORDS or _understood(desk, classification):
                return None
        return Reply(f"{wrong} {_question(desk, field)}", ok=False, choices=_field_choices(form, item, field))
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
    return _then(session, desk, form, Reply(f"OK, I've cancelled {ticket.ref}. Tell me any time you need something."))


def _confirm(session: Session, desk: Desk, person: Person, form: RequestForm, ticket: Ticket, item: CatalogItem,
             answer: str) -> Reply:
    now = desk.clock.now()
    actor = actor_for(desk, person)
    audit.record(session, actor=actor.name, action="catalog_confirmed", ticket=ticket, field="catalog_item",
                 after=f"{item.id}: {answer}", at=now)
    if answer == "no":
        form.state, form.updated_at = "declined", now
        team = desk.organisation.queues[ticket.queue].title
        return _then(session, desk, form, Reply(f"OK, not {item.name}. {ticket.ref} goes to {team} as a plain "
                                                f"request; they'll be in touch."))
    form.state, form.updated_at = "collecting", now
    if ticket.queue != item.queue and not _says_elsewhere(desk, ticket):
        before, ticket.queue = ticket.queue, item.queue
        audit.record(session, actor=DESK, action="set_queue", ticket=ticket, field="queue", before=before,
                     after=item.queue, reason=f"catalog item {item.id}", at=now)
        notify.queue_channel(session, desk, ticket, event="requeued",
                             text=f"{ticket.ref} moved here from {before}: it is a {item.name} request.")
    fulfilment.agree_target(session, desk, ticket, item)  # the item's target is the resolution target now
    return ask_next(session, desk, form, ticket, item, first=True)


def _take(session: Session, desk: Desk, person: Person, form: RequestForm, ticket: Ticket, item: CatalogItem,
          field: CatalogField, value: str | None, *, source: str) -> Reply:
    now = desk.clock.now()
    store.set_field(session, form=form, position=item.fields.index(field), name=field.name, value=value or "",
                    source=source if value is not None else "skipped", at=now)
    form.pending_field, form.updated_at = None, now
    ticket.updated_at = now
    return ask_next(session, desk, form, ticket, item)


def ask_next(session: Session, desk: Desk, form: RequestForm, ticket: Ticket, item: CatalogItem, *,
              first: bool = False) -> Reply:
    have = {f.name for f in store.fields_of(session, form_id=form.id)}  # skipped optional ones are ""
    missing = next((f for f in item.fields if f.name not in have), None)
    # On confirming, the requester hears the item's target (complete() says it when no approval waits).
    agreed = fulfilment.target_sentence(desk, ticket, item) if first else ""
    if missing is None:
        text = fulfilment.complete(session, desk, form, ticket, item)
        return _then(session, desk, form, Reply(f"Great. {agreed}{text}" if agreed and item.approval_steps else text))
    form.pending_field, form.asked_at = missing.name, desk.clock.now()
    details = "A few details" if agreed else f"A few details for {ticket.ref}"
    lead = f"Great. {agreed}{details} (say cancel to stop). " if first else ""
    return Reply(lead + _question(desk, missing), choices=_field_choices(form, item, missing))


def _question(desk: Desk, field: CatalogField) -> str:
    return catalog.question(field, today=catalog.local_today(desk.organisation, desk.clock.now()))


def _value(desk: Desk, field: CatalogField, text: str) -> str | None:
    """The stored answer; None for a skipped optional field."""
    if not field.required and " ".join(text.lower().split()).strip(" .") in _SKIP and field.type != "yes_no":
        return None
    today = catalog.local_today(desk.organisation, desk.clock.now())
    return catalog.parse_answer(field, text, today=today)


def _field_choices(form: RequestForm, item: CatalogItem, field: CatalogField) -> list[tuple[str, str]]:
    position = item.fields.index(field)
    return [(f"{BUTTON_PREFIX}{form.id}:f{position}:{n}", choice[:75]) for n, choice in enumerate(field.choices)]


def confirm_question(ticket: Ticket, item: CatalogItem) -> str:
    return f"Is {ticket.ref} a request for *{item.name}*? Answer yes or no (or cancel)."


def confirm_choices(form: RequestForm) -> list[tuple[str, str]]:
    return [(f"{BUTTON_PREFIX}{form.id}:yes", "Yes"), (f"{BUTTON_PREFIX}{form.id}:no", "No")]


def _understood(desk: Desk, classification) -> bool:
    """The classifier is sure what the message is (new work, thanks, "my tickets"): answers to
    the desk's questions ("ThinkPad", "next Friday", "Priya and Tom") read as nothing much."""
    return classification is not None and classification.confidence >= desk.organisation.nlp.confidence_threshold


# A text field's answer can be any sentence ("I need it for the new project in Berlin" is a fine
# reason), so a message that reads as a new matter is still the answer unless it says it is about
# something else: it starts like an answer (a reason, "it ...", "the old one ..."): the answer;
# it reads like a catalog item: the answer when it is this request's item, new when another one
# ("we need a shared mailbox" while asked why a laptop is needed); a request for nothing in the
# catalog: the answer (it may well be the reason); an access request: new; an incident: new,
# except where the field asks why (what is broken is a reason: "my screen keeps flickering").


def _new_matter_for_text(desk: Desk, text: str, classification, item: CatalogItem, field: CatalogField) -> bool:
    """Whether a message that reads as a new matter is one rather than the text field's answer
    (the rule above)."""
    if catalog.starts_like_answer(text):
        return False
    match = catalog.best_match(desk.organisation, text)
    if match is not None:
        return match.item.id != item.id
    if classification.intent == "incident":
        return not field.prompt.lower().startswith("why")
    return classification.intent == "access_request"


def _remind_after(session: Session, desk: Desk, form: RequestForm) -> None:
    """The message is a new matter: intake opens it, and the pending question is recalled right
    after its confirmation (handlers/new_matter.py; before a new catalog request asks its own
    question). None leaves the message to intake."""
    pending = pending_question(session, desk, form)
    if pending is not None:
        ticket, item, field, question, choices = pending
        lead = f"For {ticket.ref} ({item.name}) I still need: {field.name}." if field else \
            f"{ticket.ref} still waits for you:"
        new_matter.remind_after(session, ticket, f"{lead} {question} Answer starting with \"{ticket.ref}\" when "
                                                 f"you're ready (or say \"{ticket.ref} cancel\").", choices)
    return None


def pending_question(session: Session, desk: Desk, form: RequestForm | None):
    """(ticket, item, field or None while confirming, question, choices) of a form still asking."""
    ticket = session.get(Ticket, form.ticket_id) if form is not None and form.state in store.ASKING else None
    item = desk.organisation.catalog.item(form.item_id) if ticket is not None else None
    if item is None or ticket.status not in OPEN_STATUSES:
        return None
    if form.state == "confirming":
        return ticket, item, None, confirm_question(ticket, item), confirm_choices(form)
    field = item.field_named(form.pending_field or "")
    return (ticket, item, field, _question(desk, field), _field_choices(form, item, field)) if field else None


def _named_form(session: Session, person: Person, text: str, named: re.Match) -> RequestForm | None:
    """The person's request the message names, when it is the only ticket named and it is still
    asking them something."""
    if len(_REF.findall(text)) != 1 or named.group(1).upper() != "REQ":
        return None
    ticket = get_ticket(session, ref=f"REQ-{int(_DIGITS.search(named.group(0)).group())}")
    form = store.form_of_ticket(session, ticket_id=ticket.id, for_update=True) if ticket is not None else None
    mine = form is not None and (form.platform, form.user_id) == (person.platform, person.user_id)
    return form if mine and form.state in store.ASKING else None


def _ask_again(session: Session, desk: Desk, form: RequestForm) -> Reply | None:
    """The pending question of a request, asked again ("REQ-1" on its own)."""
    pending = pending_question(session, desk, form)
    return Reply(f"{pending[0].ref}: {pending[3]}", choices=pending[4]) if pending is not None else None


def _then(session: Session, desk: Desk, form: RequestForm, reply: Reply) -> Reply:
    """After a request stops asking (complete, declined, cancelled): an earlier request of the
    person that still waits for an answer is asked again, and is the one answers go to."""
    now = desk.clock.now()
    waiting = store.asking_form(session, platform=form.platform, user_id=form.user_id, since=now - OPEN_FOR)
    pending = pending_question(session, desk, waiting) if waiting is not None and waiting.id != form.id else None
    if pending is None:
        return reply
    waiting.asked_at = now
    ticket, item, _, question, choices = pending
    return Reply(f"{reply.text}\n\nBack to {ticket.ref} ({item.name}): {question}", ticket=reply.ticket,
                 choices=reply.choices or choices, ok=reply.ok)


def _says_elsewhere(desk: Desk, ticket: Ticket) -> bool:
    """Whether the first message says the thing affected belongs to the queue intake filed the
    request under rather than the catalog item's: it names one of the organisation's applications
    (nlp.applications) and was filed under application (an application's own password is
    Application Management's), or the model put it in its queue with confidence (QUEUE_SURE; on
    the held-out service requests that match an item, 48 of 50 then end in the right queue,
    against 37 of 50 when the item's queue always wins). Otherwise the item's queue wins."""
    if ticket.queue == "application" and catalog.names_application(desk.organisation, ticket.description):
        return True
    return ticket.queue_confidence is not None and ticket.queue_confidence >= QUEUE_SURE


def _newer_question(session: Session, desk: Desk, person: Person, form: RequestForm, text: str,
                    classification) -> str | None:
    """What the message does to a question the desk asked the person after ours, when one takes it
    (the module docstring): ANSWERS (settles it), OPENS (a clarification's choice: a new ticket),
    HOLDS (it waits for its answer); None: no newer question takes it, it is ours."""
    from handlers import awaited_replies, clarification, follow_up
    from storage.follow_up import RATING, answerable
    from storage.problems import WorkaroundOffer

    since = form.asked_at
    pending = clarification.pending(session, desk, person)
    if pending is not None and pending.created_at > since:
        if clarification.typed_choice(text) is not None:
            return OPENS
        return ANSWERS if clarification.cancels(text) else HOLDS
    parsed = follow_up.parse(text, desk=desk, classification=classification)  # a follow-up's answer (kind: fixed, rating)
    newer = [q for q in answerable(session, platform=person.platform, user_id=person.user_id, now=desk.clock.now())
             if q.asked_at > since or (q.kind == RATING and q.asked_at >= since)]
    if any(q.kind != RATING for q in newer):  # "Is it fixed?", "Which one?": anything may be its answer
        return ANSWERS if parsed is not None or text.strip().isdigit() else HOLDS
    if newer and parsed is not None and parsed.kind == RATING:
        return ANSWERS
    if any(a.asked_at > since for a in awaited_replies.awaited(session, desk, actor_for(desk, person))):
        return ANSWERS  # staff asked on a ticket since ("can you bring it to desk 4?"): their answer
    newer_offer = session.execute(
        select(WorkaroundOffer.id).where(WorkaroundOffer.platform == person.platform,
                                         WorkaroundOffer.user_id == person.user_id,
                                         WorkaroundOffer.answered_at.is_(None),
                                         WorkaroundOffer.created_at > since).limit(1)
    ).first()
    if newer_offer is not None:
        return ANSWERS if catalog.yes_or_no(text) is not None else HOLDS
    return None


def _back_after(session: Session, desk: Desk, form: RequestForm) -> None:
    """The newer question is answered by this message: ours is asked again right after its answer,
    and a plain answer then fills it."""
    pending = pending_question(session, desk, form)
    if pending is not None:
        ticket, item, _, question, choices = pending
        new_matter.remind_after(session, ticket, f"Back to {ticket.ref} ({item.name}): {question}", choices)
