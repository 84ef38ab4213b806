""""Can you use it?" goes to whoever has the access.

When access is given (or extended) for someone other than the requester ("give Priya access to
Salesforce"), only the beneficiary can tell whether it works: the ticket's "fixed?" question
(handlers.follow_up) is addressed to them, with the news of their access, and the requester is
told it was asked. The beneficiary answers it by typing yes or no (this module, ahead of
handlers.follow_up, which takes the requester's answers): yes closes the ticket, no reopens it
for the team (with what they added as a comment); the requester hears either way and is asked
for the rating after a close. Silence closes it after `follow_up.auto_close_after`, as for any
ticket. A beneficiary the desk can't reach (no identity on the ticket's front end) isn't asked:
the requester is, as for their own access.

Either of the two may answer whoever was asked: the requester's yes or no to the question put
to the beneficiary is taken as their own answer would be (handlers.follow_up), and so is the
beneficiary's to a question put to the requester (a resolve by staff asks the requester).

The question has no buttons: handlers.follow_up's buttons close and reopen as the requester,
which the beneficiary is not.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from handlers import follow_up, notify
from handlers.access_config import identity_of, label, label_of, name_of
from handlers.desk import Desk
from handlers.lifecycle import _status, actor_for
from handlers.messages import Person, Reply
from handlers.sla import local_time
from storage import follow_up as store
from storage.access import AccessGrant, pending_question, request_of
from storage.follow_up import FIXED, FollowUp
from storage.models import Ticket
from storage.tickets import add_comment, get_ticket


def ask(session: Session, desk: Desk, ticket: Ticket, grant: AccessGrant, *, resolution: str, told: str) -> bool:
    """Ask the beneficiary whether the access works (`told`: their news, said first) and tell the
    requester so; False (nothing done) when the beneficiary is the requester or can't be reached."""
    organisation = desk.organisation
    requester = name_of(organisation, ticket.requester_platform, ticket.requester_id)
    address = grant.beneficiary_id or identity_of(organisation, grant.beneficiary, grant.beneficiary_platform)
    if grant.beneficiary == requester or not address:
        return False
    follow_up.fixed_question(session, desk, ticket)  # opens the question; silence closes the ticket
    question = store.open_fixed(session, ticket_id=ticket.id)
    question.platform, question.user_id = grant.beneficiary_platform, address
    closes = f"if I don't hear back, {ticket.ref} closes by itself {local_time(organisation, question.close_due_at)}"
    who = label_of(organisation, grant.beneficiary)
    notify.person(session, desk, ticket, platform=grant.beneficiary_platform, user_id=address, event="access_granted",
                  text=f"{told} {label_of(organisation, requester)} asked for it. Can you use it? Answer yes, or no "
                       f"if it isn't working yet; {closes}.")
    notify.requester(session, desk, ticket, event="resolved",
                     text=f"{ticket.ref} is done: {resolution.rstrip('.')}. I've asked {who} whether it works; "
                          f"{closes}.")
    return True


def typed_answer(session: Session, desk: Desk, person: Person, text: str) -> Reply | None:
    """A yes or no to an access ticket's question put to the other of requester and beneficiary
    (None: not one; handlers.follow_up then reads it)."""
    parsed = follow_up.parse(text)
    if parsed is None or parsed.kind != FIXED or parsed.answer is None:  # "both" alone: handlers.follow_up
        return None
    answer, comment, ref = parsed.answer, parsed.comment, parsed.ref
    now = desk.clock.now()
    me = (person.platform, person.user_id)
    mine = [q for q in store.answerable(session, platform=person.platform, user_id=person.user_id, now=now)
            if q.kind == FIXED]
    questions = mine + [q for q in _put_to_the_other(session, person) if q not in mine]
    tickets = {q.id: session.get(Ticket, q.ticket_id) for q in questions}
    questions = [q for q in questions if tickets[q.id] is not None and (ref is None or tickets[q.id].ref == ref)]
    unusual = [q for q in questions if tickets[q.id].kind == "access_request" and (
        (q.platform, q.user_id) != me or (tickets[q.id].requester_platform, tickets[q.id].requester_id) != me)]
    if not unusual or _asked_since(session, person, unusual[0]):
        return None  # the requester's own question: handlers.follow_up
    if len(questions) > 1:  # handlers.follow_up's "which one?" answers only the questions put to the writer
        refs = ", ".join(tickets[q.id].ref for q in questions[:10])
        return Reply(f"Which one do you mean? More than one ticket is waiting for your yes or no ({refs}). Answer "
                     f"with the ticket, e.g. \"{answer} {tickets[unusual[0].id].ref}\".")
    question, ticket = unusual[0], tickets[unusual[0].id]
    if (ticket.requester_platform, ticket.requester_id) == me:  # the requester, for the beneficiary asked
        return follow_up._answer(session, desk, person, question, answer, comment)
    return _answer(session, desk, person, question, answer, comment)


# Inside.

def _put_to_the_other(session: Session, person: Person) -> list[FollowUp]:
    """Open "fixed?" questions of access tickets the person asked or has the access of, put to
    someone else."""
    from storage.access import AccessRequest

    me = (person.platform, person.user_id)
    rows = session.execute(
        select(FollowUp).join(Ticket, Ticket.id == FollowUp.ticket_id)
        .join(AccessRequest, AccessRequest.ticket_id == Ticket.id)
        .where(FollowUp.kind == FIXED, FollowUp.answered_at.is_(None), Ticket.kind == "access_request",
               or_(and_(Ticket.requester_platform == me[0], Ticket.requester_id == me[1]),
                   and_(AccessRequest.beneficiary_platform == me[0], AccessRequest.beneficiary_id == me[1])))
        .order_by(FollowUp.asked_at.desc(), FollowUp.id.desc()).limit(10)
    ).scalars()
    return [q for q in rows if (q.platform, q.user_id) != me]


def _answer(session: Session, desk: Desk, person: Person, question: FollowUp, answer: str, comment: str) -> Reply:
    ticket = get_ticket(session, ref=session.get(Ticket, question.ticket_id).ref, for_update=True)
    if ticket.status != "resolved":
        return Reply(f"{ticket.ref} isn't waiting for that answer any more.", ok=False)
    now = desk.clock.now()
    request = request_of(session, ticket)
    organisation = desk.organisation
    who = label_of(organisation, request.beneficiary) if request else person.display_name
    resource = organisation.access.resources.get(request.resource) if request and request.resource else None
    what = label(request.resource, resource) if resource else "it"
    question.answered_at, question.answer, question.close_due_at = now, answer, None
    question.comment = comment[:2000] or None
    actor = actor_for(desk, person)
    if answer == "yes":
        _status(session, desk, ticket, actor, "closed", reason=f"{who} confirmed the access works")
        notify.queue_channel(session, desk, ticket, event="closed",
                             text=f"{ticket.ref} closed: {who} confirmed the access works.")
        notify.requester(session, desk, ticket, event="closed",
                         text=f"{who} confirmed the access to {what} works, so {ticket.ref} is closed.")
        follow_up.close_after(session, desk, ticket)
        return Reply(f"Thanks for confirming! {ticket.ref} is closed.")
    reason = follow_up.wording(ticket).reopened + (f": {comment}" if comment else "")
    _status(session, desk, ticket, actor, "in_progress", reason=reason)
    ticket.resolution = None
    if comment:
        add_comment(session, ticket=ticket, author=actor.name, visibility="public", body=comment, at=now)
    notify.queue_channel(session, desk, ticket, event="reopened",
                         text=f"{ticket.ref} reopened by {who}, whose access it is: {reason}.")
    notify.requester(session, desk, ticket, event="reopened",
                     text=f"{who} says the access to {what} isn't working yet, so {ticket.ref} is open again; the "
                          f"team has been told.")
    return Reply(f"{ticket.ref} is open again; the team has been told.")


def _asked_since(session: Session, person: Person, question: FollowUp) -> bool:
    """Whether the desk asked the person something after the question (an access request's
    detail, a workaround offer: yes / no too): the answer is for that."""
    from storage.problems import WorkaroundOffer

    if pending_question(session, platform=person.platform, user_id=person.user_id, since=question.asked_at):
        return True
    return session.execute(
        select(WorkaroundOffer.id).where(WorkaroundOffer.platform == person.platform,
                                         WorkaroundOffer.user_id == person.user_id,
                                         WorkaroundOffer.answered_at.is_(None),
                                         WorkaroundOffer.created_at > question.asked_at).limit(1)
    ).first() is not None
