"""An access request in conversation: what, for whom, how long, why; then approval.

When an ACC ticket opens (`on_opened`, called by intake), its words are read (handlers.access_text):
the resource, the beneficiary (the writer unless a person is named), a duration and a
justification. Whatever is missing is asked for, one question per message; the writer's next
message answers it (`typed_answer`, a hook in intake's chain, so piped console lines work).
Then the resource's approvers are asked (handlers.approvals) and, once approved, the
provisioner gives (or removes, or extends) the access (handlers.provisioners).

Revocations ("remove Tom's access to X") need no approval when the beneficiary, their manager or
staff of the resource's queue ask: removing access lowers risk and should be quick. Anyone
else's revocation request goes to the resource's approvers like a grant.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import Session

from handlers import approvals, notify, provisioners
from handlers.access_config import (
    AccessResource, identity_of, label, label_of, manager_of, name_of, resource_list, span, within_max,
)
from handlers.access_text import REVOKE, duration_in, duration_text, parse
from handlers.desk import Desk
from handlers.messages import Person, Reply
from storage import audit
from storage.access import AccessRequest, current_grant, pending_question, request_of
from storage.models import Ticket

ASK_OPEN_FOR = timedelta(days=1)
_DEFAULT = re.compile(r"^\s*(default|the default|standard|usual|ok|fine)\s*[.!]?\s*$", re.I)
_CANCEL = re.compile(r"^\s*(cancel|never ?mind|forget it|stop)\s*[.!]?\s*$", re.I)


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
    notes = []
    if parsed.resource:
        _file_under(session, desk, ticket, parsed.resource)
    if parsed.duration_seconds and parsed.resource and not within_max(_resource(desk, request), parsed.duration_seconds):
        notes.append(f"{_title(desk, request)} can be given for at most {_max_text(desk, request)}, "
                     f"not {duration_text(parsed.duration_seconds)}.")
        request.duration_seconds = None
    _after_confirmation(session, desk, ticket, " ".join(notes + [advance(session, desk, ticket, request)]))


def typed_answer(session: Session, desk: Desk, person: Person, text: str, classification=None) -> Reply | None:
    """The writer's answer to the question their access request is waiting on (None: not one)."""
    request = pending_question(session, platform=person.platform, user_id=person.user_id,
                               since=desk.clock.now() - ASK_OPEN_FOR)
    if request is None:
        return None
    ticket = session.get(Ticket, request.ticket_id, with_for_update=True)
    if ticket is None or ticket.status in ("resolved", "closed"):
        request.asking = None
        return None
    words = text.split()
    if _CANCEL.match(text):
        request.asking, request.state = None, "cancelled"
        audit.record(session, actor=ticket.requester_name, action="access_cancelled", ticket=ticket, at=desk.clock.now())
        return Reply(f"OK, I've stopped asking about {ticket.ref}; the team can close it.")
    if REVOKE.search(text) and request.action != "revoke":
        return None  # "remove Tom's access to X" is a request of its own, not an answer
    asking = request.asking
    if asking == "resource":
        from handlers.access_config import match_resource

        found = match_resource(desk.organisation.access, text)
        if found is None:
            if len(words) > 6:
                return None  # a new message, not an answer
            return Reply(f"I don't know '{text.strip()[:60]}' as something I can arrange access to. I know: "
                         f"{resource_list(desk.organisation.access)}. Which one?", ok=False)
        request.resource = found[0]
        _file_under(session, desk, ticket, found[0])
    elif asking == "duration":
        resource = _resource(desk, request)
        seconds = int(span(resource.default_duration).total_seconds()) if _DEFAULT.match(text) else \
            duration_in(text, now=desk.clock.now())[0]
        if seconds is None:
            if len(words) > 6:
                return None
            return Reply(f"I didn't get a length of time from '{text.strip()[:60]}'. {_duration_question(desk, request)}",
                         ok=False)
        if not within_max(resource, seconds):
            return Reply(f"{_title(desk, request)} can be given for at most {_max_text(desk, request)}. "
                         f"{_duration_question(desk, request)}", ok=False)
        request.duration_seconds = seconds
    elif asking == "justification":
        if classification is not None and classification.intent == "incident" and classification.confidence >= 0.9:
            return None  # something broke: that is a new incident, not the reason
        request.justification = " ".join(words)[:500]
    else:
        return None
    audit.record(session, actor=ticket.requester_name, action="access_detail", ticket=ticket, field=asking,
                 after=getattr(request, asking if asking != "duration" else "duration_seconds"), at=desk.clock.now())
    return Reply(advance(session, desk, ticket, request))


def advance(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest) -> str:
    """Ask the next missing thing, or send the request on; the sentence for the requester."""
    now = desk.clock.now()
    request.asking, request.asked_at = None, None
    if request.resource is None:
        return _ask(request, "resource", now, f"What do you need access to? I can arrange access to: "
                    f"{resource_list(desk.organisation.access)}.")
    resource = _resource(desk, request)
    grant = current_grant(session, resource=request.resource, beneficiary=request.beneficiary)
    if request.action == "revoke":
        return _revoke(session, desk, ticket, request, resource, grant)
    note = ""
    if request.action == "extend" and grant is None:
        request.action = "grant"
        note = f"{_whose(desk, ticket, request)} no access to {_title(desk, request)} on record to extend, " \
               f"so I'll ask for new access. "
    if request.action == "grant" and grant is not None and grant.state == "active":
        request.action = "extend"
        note = f"{_whose(desk, ticket, request)} access to {_title(desk, request)} already; I'll ask to extend it. "
    if request.duration_seconds is None:
        return note + _ask(request, "duration", now, _duration_question(desk, request))
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
        return f"remove {who}'s access to {what}."
    length = f" for {duration_text(request.duration_seconds)}" if request.duration_seconds else ""
    verb = "extend access to" if request.action == "extend" else "access to"
    why = f" Why: {request.justification}." if request.justification else ""
    return f"{verb} {what} for {who}{length}.{why}"


def approved(session: Session, desk: Desk, ticket: Ticket) -> None:
    """The last approver said yes: the provisioner acts."""
    request = request_of(session, ticket)
    if request is None:
        return
    request.state = "approved"
    provisioners.carry_out(session, desk, ticket, request, _resource(desk, request))


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


def _revoke(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest, resource: AccessResource, grant) -> str:
    who = label_of(desk.organisation, request.beneficiary)
    if grant is None:
        notify.queue_channel(session, desk, ticket, event="access_task", queue=resource.queue,
                             text=f"{ticket.ref}: please check and remove {who}'s access to {_title(desk, request)} "
                                  f"(none on record here).")
        request.state = "approved"
        return (f"{ticket.ref}: I have no record of {who} having access to {_title(desk, request)}; "
                f"the {resource.queue} team will check and remove any they find.")
    request.grant_id = grant.id
    requester = name_of(desk.organisation, ticket.requester_platform, ticket.requester_id)
    member = desk.organisation.staff_named(requester)
    if requester == request.beneficiary or requester == manager_of(desk.organisation, request.beneficiary) or (
            member is not None and member.may_work(resource.queue)):
        request.state = "approved"
        provisioners.carry_out(session, desk, ticket, request, resource)
        return f"{ticket.ref}: removing {who}'s access to {_title(desk, request)} now (no approval needed)."
    request.state = "approval"
    waiting = approvals.request_approval(session, desk, ticket, list(resource.approvers),
                                         beneficiary_id=request.beneficiary)
    return f"{ticket.ref}: {describe(session, desk, ticket)} {waiting}"


def _ask(request: AccessRequest, what: str, now, question: str) -> str:
    request.asking, request.asked_at = what, now
    return question


def _duration_question(desk: Desk, request: AccessRequest) -> str:
    resource = _resource(desk, request)
    limit = f", at most {_max_text(desk, request)}" if resource.max_duration else ""
    verb = "extend it by" if request.action == "extend" else "do you need it for"
    return (f"How long {verb}? Say e.g. \"7 days\" or \"2 weeks\" (\"default\" for "
            f"{duration_text(int(span(resource.default_duration).total_seconds()))}{limit}).")


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
