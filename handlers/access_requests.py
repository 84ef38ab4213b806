"""An access request in conversation: what, for whom, how long, why; then approval.

When an ACC ticket opens (`on_opened`, called by intake), its words are read (handlers.access_text):
the resource, the beneficiary (the writer unless a person is named), a duration and a
justification. Whatever is missing is asked for, one question per message; the writer's next
message answers it (`typed_answer`, a hook in intake's chain, so piped console lines work), or
names its ticket ("ACC-3 7 days"). Then the resource's approvers are asked (handlers.approvals)
and, once approved, the provisioner gives (or removes, or extends) the access (handlers.provisioners).

Access to something that is not one of `access.resources` is passed to the ticket's queue as a
plain access request (state `passed`): the team handles it, approval included, by hand. "What do
you need access to?" is asked at most once, and only when the message named nothing at all.

A message that reads as a new matter (handlers.new_matter) while a question is pending is left
to intake to open, and the pending question is repeated right after (the rule:
access_text.opens_new_matter); so is a reply that answers nothing ("thanks", "my tickets") or a long
message without the duration asked for (access_text.not_an_answer). A later question of intake's
takes a plain "1" itself. Closing the ticket ends the request (`closed`, via approvals.ticket_closed).

Revocations ("remove Tom's access to X") need no approval when the beneficiary, their manager or
staff of the resource's queue ask: removing access lowers risk and should be quick. Anyone
else's revocation request goes to the resource's approvers like a grant.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import Session

from handlers import approvals, clarification, new_matter, notify, provisioners
from handlers.access_config import (
    AccessResource, identity_of, label, label_of, manager_of, match_resource, name_of, resource_list, span,
    within_max,
)
from handlers.access_text import DEFAULT_DURATION, duration_in, duration_text, not_an_answer, parse, plain, unsure
from handlers.access_text import wanted_in
from handlers.desk import Desk
from handlers.lifecycle import _status, actor_for
from handlers.messages import Person, Reply
from storage import audit
from storage.access import AccessRequest, current_grant, pending_question, request_of
from storage.models import Ticket
from storage.tickets import add_comment, get_ticket

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
    notes = []
    wanted = None if parsed.resource else wanted_in(ticket.description)
    if wanted:  # it names something the desk does not arrange: the team's, as written
        _after_confirmation(session, desk, ticket, _pass_on(session, desk, ticket, request, wanted))
        return
    if parsed.resource:
        _file_under(session, desk, ticket, parsed.resource)
    if parsed.duration_seconds and parsed.resource and not within_max(_resource(desk, request), parsed.duration_seconds):
        notes.append(f"{_title(desk, request)} can be given for at most {_max_text(desk, request)}, "
                     f"not {duration_text(parsed.duration_seconds)}.")
        request.duration_seconds = None
    _after_confirmation(session, desk, ticket, " ".join(notes + [advance(session, desk, ticket, request)]))


def typed_answer(session: Session, desk: Desk, person: Person, text: str, classification=None) -> Reply | None:
    """The writer's answer to the question their access request is waiting on (None: not one).
    An answer may name its ticket ("ACC-3 7 days"), which picks that request however old."""
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
    asking = request.asking
    if asking == "resource":
        found = match_resource(desk.organisation.access, text)
        if found is None:  # something the desk does not arrange: the team's, with this detail
            return Reply(_pass_on(session, desk, ticket, request, wanted_in(text) or plain(text), detail=text))
        request.resource = found[0]
        _file_under(session, desk, ticket, found[0])
        more = parse(desk.organisation, text, now=desk.clock.now())  # "the finance share for 30 days to ..."
        if request.duration_seconds is None and more.duration_seconds and within_max(_resource(desk, request),
                                                                                      more.duration_seconds):
            request.duration_seconds = more.duration_seconds
        request.justification = request.justification or more.justification
    elif asking == "duration":
        resource = _resource(desk, request)
        seconds = int(span(resource.default_duration).total_seconds()) if DEFAULT_DURATION.match(text) else \
            duration_in(text, now=desk.clock.now())[0]
        if seconds is None:
            return None if refs else Reply(
                f"I didn't get a length of time from '{text.strip()[:60]}'. {_duration_question(desk, request)}",
                ok=False)
        if not within_max(resource, seconds):
            return Reply(f"{_title(desk, request)} can be given for at most {_max_text(desk, request)}. "
                         f"{_duration_question(desk, request)}", ok=False)
        request.duration_seconds = seconds
    elif asking == "justification":
        request.justification = " ".join(words)[:500]
    else:
        return None
    audit.record(session, actor=ticket.requester_name, action="access_detail", ticket=ticket, field=asking,
                 after=getattr(request, asking if asking != "duration" else "duration_seconds"), at=desk.clock.now())
    return Reply(advance(session, desk, ticket, request))


def _newer_clarification(session: Session, desk: Desk, person: Person, request: AccessRequest, text: str) -> bool:
    question = clarification.typed_choice(text) and clarification.pending(session, desk, person)
    return bool(question) and request.asked_at is not None and question.created_at >= request.asked_at


def _reminder(desk: Desk, ticket: Ticket, request: AccessRequest) -> str:
    if request.asking == "resource":
        what, needs, example = "", "what you need access to", "Salesforce"
    else:
        what = f" (access to {_title(desk, request)})"
        needs, example = ("how long you need it for", duration_text(int(span(
            _resource(desk, request).default_duration).total_seconds()))) if request.asking == "duration" else \
            ("a line on why you need it, for the approvers", "for the Q4 audit")
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


def _pass_on(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest, wanted: str,
             detail: str | None = None) -> str:
    """Access to something that is not a configured resource: the ticket's queue handles it as
    written, approval included; the requester is told so. Returns their sentence."""
    now = desk.clock.now()
    request.state, request.asking, request.asked_at = "passed", None, None
    if detail:
        add_comment(session, ticket=ticket, author=ticket.requester_name, visibility="public", body=detail, at=now)
    audit.record(session, actor="desk", action="access_passed_on", ticket=ticket, field="resource", after=wanted,
                 reason="not one of the configured access resources", at=now)
    team = desk.organisation.queues[ticket.queue].title
    added = f" They added: \"{detail}\"." if detail else ""
    notify.queue_channel(session, desk, ticket, event="access_task",
                         text=f"{ticket.ref}: access to {wanted} isn't something the desk arranges, so it's yours as "
                              f"written (approval too, by hand): \"{ticket.title}\".{added} When it's done: "
                              f"/sd resolve {ticket.ref} TEXT")
    return (f"{wanted[:1].upper()}{wanted[1:]} isn't one of the resources I arrange myself, so I've passed "
            f"{ticket.ref} to {team} as you wrote it; they'll take it from here.")


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
        return _revoke(session, desk, ticket, request, resource, grant)
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
    resource = _resource(desk, request)
    already = request.action == "revoke" and _removing(session, request)
    provisioners.carry_out(session, desk, ticket, request, resource)
    if request.action == "revoke" and request.state == "revoking":
        notify.requester(session, desk, ticket, event="provisioning", text=_removal_text(desk, request, already))


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
                                  f"(none on record here). When it's done: /sd revoked {ticket.ref}")
        request.state = "approved"
        return (f"{ticket.ref}: I have no record of {who} having access to {_title(desk, request)}; "
                f"the {resource.queue} team will check and remove any they find.")
    request.grant_id = grant.id
    requester = name_of(desk.organisation, ticket.requester_platform, ticket.requester_id)
    member = desk.organisation.staff_named(requester)
    if requester == request.beneficiary or requester == manager_of(desk.organisation, request.beneficiary) or (
            member is not None and member.may_work(resource.queue)):
        request.state = "approved"
        already = _removing(session, request)
        provisioners.carry_out(session, desk, ticket, request, resource)
        return f"{ticket.ref}: no approval needed. {_removal_text(desk, request, already)}"
    request.state = "approval"
    waiting = approvals.request_approval(session, desk, ticket, list(resource.approvers),
                                         beneficiary_id=request.beneficiary)
    return f"{ticket.ref}: {describe(session, desk, ticket)} {waiting}"


def _removing(session: Session, request: AccessRequest) -> bool:
    """Whether the grant this revocation names is being removed already (the expiry, another request)."""
    from storage.access import AccessGrant

    grant = session.get(AccessGrant, request.grant_id) if request.grant_id else None
    return grant is not None and grant.state == "revoking"


def _removal_text(desk: Desk, request: AccessRequest, already: bool) -> str:
    """For the requester: who removes the access; they hear again when it is done."""
    who, what = label_of(desk.organisation, request.beneficiary), _title(desk, request)
    resource = _resource(desk, request)
    if already:
        return f"{who}'s access to {what} is already being removed; I'll tell you when it's done."
    if resource.provisioner == "webhook":
        return f"Removing {who}'s access to {what} now; I'll tell you when it's done."
    team = desk.organisation.queues[resource.queue].title
    return f"{team} will remove {who}'s access to {what}; I'll tell you when it's done."


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
