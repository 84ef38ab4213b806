"""An access request in conversation: what, for whom, how long, why; then approval.

When an ACC ticket opens (`on_opened`, called by intake), its words are read (handlers.access_text):
the resource, the beneficiary (the writer unless a person is named), a duration and a
justification. Whatever is missing is asked for, one question per message; the writer's next
message answers it (`typed_answer`, a hook in intake's chain, so piped console lines work), or
names its ticket ("ACC-3 7 days"). Then the resource's approvers are asked (handlers.approvals)
and, once approved, the provisioner gives (or removes, or extends) the access (handlers.provisioners).

How long: a length ("7 days", counted from when access is given), or days the words give: an
end date ("until the end of the year", "till Friday"), a start ("tomorrow", "from Monday"), or an
open end ("until further notice": the resource's default, and the requester is told why); they
are said back as days ("until Thu 31 Dec"): handlers.access_window.

Access to something that is not one of `access.resources` is passed as a plain access request
(state `passed`) to the team of the thing named (handlers.access_routing: an application's
access to Application Management): the team handles it, approval included, by hand. "What do
you need access to?" is asked at most once, and only when the message named nothing at all.

A message that reads as a new matter (handlers.new_matter) while a question is pending is left
to intake to open, and the pending question is repeated right after (the rule:
access_text.opens_new_matter); so is a reply that answers nothing ("thanks", "my tickets") or a long
message without the duration asked for (access_text.not_an_answer). A later question of intake's
takes a plain "1" itself. Closing the ticket ends the request (`closed`, via approvals.ticket_closed).

Revocations ("remove Tom's access to X") need no approval when the beneficiary, their manager,
staff of the resource's queue or its owners ask; anyone else's goes to the resource's approvers
like a grant (handlers.access_revocation). When access was asked for someone else, they are the
one asked whether it works (handlers.access_confirmation).
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import Session

from handlers import access_confirmation, access_revocation, access_window, approvals, clarification, new_matter
from handlers import notify, provisioners
from handlers.access_config import (
    AccessResource, identity_of, label, label_of, match_resource, name_of, resource_list, span,
)
from handlers.access_routing import pass_on
from handlers.access_text import DEFAULT_DURATION, duration_text, not_an_answer, parse, plain, unsure, wanted_in
from handlers.access_window import HowLong, Window, window_of
from handlers.desk import Desk
from handlers.lifecycle import _status, actor_for
from handlers.messages import Person, Reply
from handlers.sla import local_time
from storage import audit
from storage.access import AccessGrant, AccessRequest, current_grant, pending_question, request_of
from storage.models import Ticket
from storage.tickets import get_ticket

ASK_OPEN_FOR = timedelta(days=1)
_CANCEL = re.compile(r"^\s*(cancel|never ?mind|forget it|stop)\s*[.!]?\s*$", re.I)
_REF = re.compile(r"#?\b(ACC)[\s-]?(\d{1,9})\b", re.I)
_STATUS_QUESTION = re.compile(r"\b(update|status|news|progress|happening)\b|\?\s*$", re.I)


def on_opened(session: Session, desk: Desk, ticket: Ticket) -> None:
    """A new ACC ticket: read what it asks and ask for what is missing (or for approval)."""
    organisation = desk.organisation
    now = desk.clock.now()
    parsed = parse(organisation, ticket.description, now=now)
    requester = name_of(organisation, ticket.requester_platform, ticket.requester_id)
    beneficiary = parsed.beneficiary or requester
    request = AccessRequest(
        ticket_id=ticket.id, action=parsed.action, resource=parsed.resource, beneficiary=beneficiary,
        beneficiary_platform=ticket.requester_platform,
        beneficiary_id=ticket.requester_id if beneficiary == requester else identity_of(
            organisation, beneficiary, ticket.requester_platform),
        duration_seconds=parsed.duration_seconds, justification=parsed.justification, state="collecting",
        created_at=now,
    )
    session.add(request)
    session.flush()
    wanted = None if parsed.resource else wanted_in(ticket.description)
    if wanted:  # it names something the desk does not arrange: the team's, as written
        _after_confirmation(session, desk, ticket, pass_on(session, desk, ticket, request, wanted))
        return
    if parsed.resource:
        _file_under(session, desk, ticket, parsed.resource)
    how = access_window.read(desk, ticket.description, known=Window())
    note = access_window.take(session, desk, ticket, request, how)[0]
    _after_confirmation(session, desk, ticket, " ".join(filter(None, [note, advance(session, desk, ticket, request)])))


def typed_answer(session: Session, desk: Desk, person: Person, text: str, classification=None) -> Reply | None:
    """The writer's answer to the question their access request is waiting on (None: not one).
    An answer may name its ticket ("ACC-3 7 days"), which picks that request however old. A
    beneficiary's yes or no to "Can you use it?" is theirs too (handlers.access_confirmation)."""
    confirmed = access_confirmation.typed_answer(session, desk, person, text)
    if confirmed is not None:
        return confirmed
    refs = _REF.findall(text)
    if refs:
        named = get_ticket(session, ref=f"ACC-{int(refs[0][1])}")
        request = pending_question(session, platform=person.platform, user_id=person.user_id, since=None,
                                   ticket_id=named.id) if named is not None and len(refs) == 1 else None
        text = " ".join(_REF.sub(" ", text).split()).strip(" :,-")
        if request is None or not text or _STATUS_QUESTION.search(text):
            return None  # about the ticket ("any update on ACC-3?"), not an answer to it
    else:
        request = pending_question(session, platform=person.platform, user_id=person.user_id,
                                   since=desk.clock.now() - ASK_OPEN_FOR)
    if request is None:
        return None
    ticket = session.get(Ticket, request.ticket_id, with_for_update=True)
    if ticket is None or ticket.status in ("resolved", "closed"):
        request.asking = None
        return None
    if _CANCEL.match(text):
        return _cancel(session, desk, person, ticket, request)
    if not_an_answer(desk, request, text, classification, named=bool(refs)):  # "I need prod ssh", "thanks"
        if request.asking == "resource" and unsure(desk.organisation, text):  # "not sure": it waits
            return Reply(f"No problem, there's no rush. {_reminder(desk, ticket, request)}")
        if not refs:  # intake answers; the question is repeated after that, and stays open
            new_matter.remind_after(session, ticket, _reminder(desk, ticket, request))
        return None
    if not refs and _newer_clarification(session, desk, person, request, text):
        return None  # "1" answers the question intake asked after this one
    words = text.split()
    asking, note = request.asking, ""
    if asking == "resource":
        found = match_resource(desk.organisation.access, text)
        if found is None:  # something the desk does not arrange: the team's, with this detail
            return Reply(pass_on(session, desk, ticket, request, wanted_in(text) or plain(text), detail=text))
        request.resource = found[0]
        _file_under(session, desk, ticket, found[0])
        more = parse(desk.organisation, text, now=desk.clock.now())  # "the finance share for 30 days to ..."
        how = access_window.read(desk, text, known=window_of(session, ticket.id))
        if how.seconds is None and request.duration_seconds:  # the first message's length, now checked
            how = HowLong(request.duration_seconds, window_of(session, ticket.id))
        note = access_window.take(session, desk, ticket, request, how)[0]
        request.justification = request.justification or more.justification
    elif asking == "duration":
        known = window_of(session, ticket.id)
        how = access_window.with_default(desk, request, HowLong(None, known)) if DEFAULT_DURATION.match(text) \
            else access_window.read(desk, text, known=known)
        if how.seconds is None and not how.open_ended and how.passed is None:
            if how.window.starts_at and how.window.starts_at != known.starts_at:  # "from Monday": and how long?
                access_window.keep(session, desk, ticket, request, how)
                return Reply(_duration_question(session, desk, ticket, request))
            return None if refs else Reply(
                f"I didn't get a length of time from '{text.strip()[:60]}'. "
                f"{_duration_question(session, desk, ticket, request)}", ok=False)
        note, ok = access_window.take(session, desk, ticket, request, how)
        if not ok:
            return Reply(f"{note} {_duration_question(session, desk, ticket, request)}", ok=False)
    elif asking == "justification":
        request.justification = " ".join(words)[:500]
    else:
        return None
    audit.record(session, actor=ticket.requester_name, action="access_detail", ticket=ticket, field=asking,
                 after=getattr(request, asking if asking != "duration" else "duration_seconds"), at=desk.clock.now())
    return Reply(" ".join(filter(None, [note, advance(session, desk, ticket, request)])))


def _newer_clarification(session: Session, desk: Desk, person: Person, request: AccessRequest, text: str) -> bool:
    question = clarification.typed_choice(text) and clarification.pending(session, desk, person)
    return bool(question) and request.asked_at is not None and question.created_at >= request.asked_at


def _reminder(desk: Desk, ticket: Ticket, request: AccessRequest) -> str:
    what = f" (access to {_title(desk, request)})" if request.resource else ""
    if request.asking == "resource":
        needs, example = "what you need access to", "Salesforce"
    elif request.asking == "duration":
        needs = "how much longer you need it" if request.action == "extend" else "how long you need it for"
        example = duration_text(int(span(_resource(desk, request).default_duration).total_seconds()))
    else:
        needs, example = "a line on why you need it, for the approvers", "for the Q4 audit"
    return (f"Your earlier request {ticket.ref}{what} still needs to know {needs}. When you're ready, answer with "
            f"its number, e.g. \"{ticket.ref} {example}\" (or \"{ticket.ref} cancel\").")


def _cancel(session: Session, desk: Desk, person: Person, ticket: Ticket, request: AccessRequest) -> Reply:
    """The requester stops while the desk is still asking: the request is closed as cancelled."""
    request.asking, request.state = None, "cancelled"
    audit.record(session, actor=ticket.requester_name, action="access_cancelled", ticket=ticket, at=desk.clock.now())
    ticket.resolution = "Cancelled by the requester while giving the details."
    _status(session, desk, ticket, actor_for(desk, person), "closed", reason="cancelled by the requester")
    notify.queue_channel(session, desk, ticket, event="cancelled",
                         text=f"{ticket.ref} was cancelled by {ticket.requester_name} before it was complete.")
    return Reply(f"OK, I've cancelled {ticket.ref}. Tell me any time you need access to something.")


def advance(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest) -> str:
    """Ask the next missing thing, or send the request on; the sentence for the requester."""
    now = desk.clock.now()
    request.asking, request.asked_at = None, None
    if request.resource is None:
        return _ask(request, "resource", now, f"What do you need access to? I arrange access to "
                    f"{resource_list(desk.organisation.access)} myself; name anything else and I'll pass it to "
                    f"the team.")
    resource = _resource(desk, request)
    grant = current_grant(session, resource=request.resource, beneficiary=request.beneficiary)
    if request.action == "revoke":
        return access_revocation.revoke(session, desk, ticket, request, resource, grant,
                                        subject=_revocation_subject(desk, request, grant))
    note = ""
    if request.action == "extend" and grant is not None and grant.state == "revoking":
        grant, request.action = None, "grant"  # its removal is under way: this is new access
        note = f"That access to {_title(desk, request)} is being removed, so I'll ask for new access. "
    if request.action == "extend" and grant is None:
        request.action = "grant"
        note = f"{_whose(desk, ticket, request)} no access to {_title(desk, request)} on record to extend, " \
               f"so I'll ask for new access. "
    if request.action == "grant" and grant is not None and grant.state == "active":
        request.action = "extend"
        note = f"{_whose(desk, ticket, request)} access to {_title(desk, request)} already; I'll ask to extend it. "
    ends_at = window_of(session, ticket.id).ends_at
    if request.action == "extend" and grant is not None and grant.expires_at and ends_at \
            and ends_at <= grant.expires_at:
        note += f"Until {access_window.phrase(desk, Window(None, ends_at), None).removeprefix('until ')} is no " \
                f"extension. "
        access_window.forget_end(session, desk, ticket, request)
    if request.duration_seconds is None:
        return note + _ask(request, "duration", now, _duration_question(session, desk, ticket, request))
    if request.justification is None and resource.justification_required:
        return note + _ask(request, "justification", now,
                           f"Why do you need access to {_title(desk, request)}? One line for the approvers.")
    request.grant_id = grant.id if request.action == "extend" and grant is not None else None
    request.state = "approval"
    waiting = approvals.request_approval(session, desk, ticket, list(resource.approvers),
                                         beneficiary_id=request.beneficiary)
    return f"{note}{ticket.ref}: {describe(session, desk, ticket)} {waiting}"


def describe(session: Session, desk: Desk, ticket: Ticket) -> str:
    """What an access ticket asks, in a sentence: "access to Salesforce for Alice for 7 days. Why: ..."."""
    request = request_of(session, ticket)
    if request is None or request.resource is None:
        return f"{ticket.title}."
    who = label_of(desk.organisation, request.beneficiary)
    what = _title(desk, request)
    if request.action == "revoke":
        return _revocation_subject(desk, request, session.get(AccessGrant, request.grant_id) if request.grant_id
                                   else None)
    length = access_window.phrase(desk, window_of(session, ticket.id), request.duration_seconds)
    length = f" {length}" if length else ""
    verb = "extend access to" if request.action == "extend" else "access to"
    why = f" Why: {request.justification}." if request.justification else ""
    return f"{verb} {what} for {who}{length}.{why}"


def approved(session: Session, desk: Desk, ticket: Ticket) -> None:
    """The last approver said yes: the provisioner acts."""
    request = request_of(session, ticket)
    if request is None:
        return
    request.state = "approved"
    resource = _resource(desk, request)
    if request.action == "revoke":
        access_revocation.approved(session, desk, ticket, request, resource)
        return
    extended = session.get(AccessGrant, request.grant_id) if request.action == "extend" and request.grant_id else None
    seconds = access_window.seconds_at_approval(session, desk, request, extended.expires_at if extended else None)
    if seconds is not None:  # up to the end date the requester gave, from now
        request.duration_seconds = seconds
    provisioners.carry_out(session, desk, ticket, request, resource)


def closed(session: Session, desk: Desk, ticket: Ticket) -> None:
    """Closed before it got through (a duplicate, withdrawn): cancelled; passed or done ones stay."""
    request = request_of(session, ticket)
    if request is not None and request.state in ("collecting", "approval"):
        request.state, request.asking, request.asked_at = "cancelled", None, None


def ended(session: Session, desk: Desk, ticket: Ticket, reason: str) -> None:
    """Denied or timed out: nothing is provisioned."""
    request = request_of(session, ticket)
    if request is not None:
        request.state, request.asking = "denied", None


def access_json(session: Session, ticket: Ticket) -> dict | None:
    """The `access` object of `tickets show --json`: resource, beneficiary, approvals, grant."""
    request = request_of(session, ticket)
    if request is None:
        return None
    from storage.access import AccessGrant, grants_of_ticket

    grant = session.get(AccessGrant, request.grant_id) if request.grant_id else None
    grant = grant or next(iter(grants_of_ticket(session, ticket.id)[-1:]), None)
    return {
        "action": request.action, "resource": request.resource, "beneficiary": request.beneficiary,
        "duration_seconds": request.duration_seconds, "justification": request.justification,
        "state": request.state, "waiting_for": request.asking,
        **{field: (moment.isoformat() if moment else None)
           for field, moment in vars(window_of(session, ticket.id)).items()},  # the days asked, if any
        "approvals": [{k: step[k] for k in ("approver", "approvers", "decision", "at", "note", "step")}
                      for step in approvals.approvers_of(session, ticket)],
        "expires_at": grant.expires_at.isoformat() if grant and grant.expires_at else None,
        "grant": None if grant is None else {
            "id": grant.id, "state": grant.state, "approvers": list(grant.approvers or []),
            "approved_at": grant.approved_at.isoformat(),
            "granted_at": grant.granted_at.isoformat() if grant.granted_at else None,
            "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
            "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None,
        },
    }


# Inside.

def _after_confirmation(session: Session, desk: Desk, ticket: Ticket, text: str) -> None:
    """The first question rides on the "I've logged ACC-n" message, so the requester gets one
    message that ends with the question (its own message when there is no such confirmation)."""
    from sqlalchemy import select

    from storage.models import OutboxMessage

    confirmation = session.execute(
        select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.event == "opened",
                                    OutboxMessage.destination == "conversation", OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id).limit(1)
    ).scalar_one_or_none()
    if confirmation is None:
        notify.requester(session, desk, ticket, event="access_question", text=text)
        return
    confirmation.payload = {**confirmation.payload, "text": f"{confirmation.payload.get('text', '')}\n{text}"}


def _revocation_subject(desk: Desk, request: AccessRequest, grant: AccessGrant | None) -> str:
    who, what = label_of(desk.organisation, request.beneficiary), _title(desk, request)
    return f"remove {who}'s access to {what}{'' if grant is not None else ' (none on record here)'}."


def _ask(request: AccessRequest, what: str, now, question: str) -> str:
    request.asking, request.asked_at = what, now
    return question


def _duration_question(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest) -> str:
    """"How long do you need it for?" (from the start given; for an extension, how much longer)."""
    resource = _resource(desk, request)
    limit = f", at most {_max_text(desk, request)}" if resource.max_duration else ""
    default = duration_text(int(span(resource.default_duration).total_seconds()))
    if request.action == "extend":
        grant = current_grant(session, resource=request.resource, beneficiary=request.beneficiary)
        whose = "Your" if _whose(desk, ticket, request) == "You have" else \
            f"{label_of(desk.organisation, request.beneficiary)}'s"
        runs = f"{whose} access runs until {local_time(desk.organisation, grant.expires_at)}. " \
            if grant is not None and grant.expires_at else ""
        return (f"{runs}How much longer do you need it? Say e.g. \"7 days\", \"2 weeks\" or a new end date like "
                f"\"until Friday\" (\"default\" for {default} more{limit}).")
    start = access_window.start_phrase(desk, window_of(session, ticket.id))
    return (f"How long do you need it for{start}? Say e.g. \"7 days\", \"2 weeks\" or an end date like \"until "
            f"Friday\" (\"default\" for {default}{limit}).")


def _max_text(desk: Desk, request: AccessRequest) -> str:
    return duration_text(int(span(_resource(desk, request).max_duration).total_seconds()))


def _resource(desk: Desk, request: AccessRequest) -> AccessResource:
    return desk.organisation.access.resources[request.resource]


def _title(desk: Desk, request: AccessRequest) -> str:
    return label(request.resource, _resource(desk, request))


def _whose(desk: Desk, ticket: Ticket, request: AccessRequest) -> str:
    requester = name_of(desk.organisation, ticket.requester_platform, ticket.requester_id)
    return "You have" if request.beneficiary == requester else f"{label_of(desk.organisation, request.beneficiary)} has"


def _file_under(session: Session, desk: Desk, ticket: Ticket, resource_name: str) -> None:
    """The ticket belongs to the resource's queue (the classifier's guess may differ)."""
    queue = desk.organisation.access.resources[resource_name].queue
    if ticket.queue == queue:
        return
    before = ticket.queue
    ticket.queue = queue
    audit.record(session, actor="desk", action="set_queue", ticket=ticket, field="queue", before=before,
                 after=queue, reason=f"the queue of {resource_name}", at=desk.clock.now())
    notify.queue_channel(session, desk, ticket, event="requeued",
                         text=f"{ticket.ref} (access to {resource_name}) is for this team: {ticket.title}")
