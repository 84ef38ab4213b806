"""`/sd` commands, identical on every front end: parse the words, run the life-cycle step."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import event_incidents, lifecycle, major_incidents, problems, reclassification, stakeholders
from handlers import log_context
from handlers import report_posting
from handlers import catalog, fulfilment
from handlers import approvals, grants
from handlers.access_config import name_of
from handlers.desk import Desk
from handlers.intake import my_tickets
from handlers.lifecycle import KIND_ARTICLE, Actor, DeskError, Refused, actor_for
from handlers.messages import Person, Reply
from handlers.organisation import QUEUES
from handlers.views import KIND_LABEL, detail, headline, snapshot
from storage import audit
from storage import major_incidents as incidents_store
from storage.access import OPEN_STEP_STATES, ApprovalStep
from storage.models import Ticket
from storage.tickets import get_ticket, history, list_tickets, parse_ref


@dataclass(frozen=True)
class Command:
    usage: str
    summary: str
    needs_text: bool  # whether words after the ticket id are required
    run: Callable[[Session, Desk, object, Actor, str], str | Reply]
    takes_ticket: bool = True  # False: the words after the name go to `run` as they are (ticket None)


COMMANDS: dict[str, Command] = {
    "take": Command("take ID", "assign a ticket to yourself", False,
                    lambda s, d, t, a, rest: lifecycle.take(s, d, t, a)),
    "assign": Command("assign ID USER", "assign a ticket to someone", True,
                      lambda s, d, t, a, rest: lifecycle.assign(s, d, t, a, rest.split()[0])),
    "status": Command("status ID STATE [REASON]", "new, assigned, in_progress, on_hold, or closed with a reason", True,
                      lambda s, d, t, a, rest: lifecycle.set_status(s, d, t, a, rest)),
    "note": Command("note ID TEXT", "add an internal note (the requester doesn't see it)", True,
                    lambda s, d, t, a, rest: lifecycle.comment(s, d, t, a, rest, public=False)),
    "reply": Command("reply ID TEXT", "reply to the requester", True,
                     lambda s, d, t, a, rest: lifecycle.comment(s, d, t, a, rest, public=True)),
    "priority": Command("priority ID P1..P5", "override the priority", True,
                        lambda s, d, t, a, rest: reclassification.set_priority(s, d, t, a, rest.split()[0])),
    "queue": Command("queue ID QUEUE", "move a ticket to technical, application or operations", True,
                     lambda s, d, t, a, rest: reclassification.set_queue(s, d, t, a, rest.split()[0])),
    "kind": Command("kind ID KIND", "correct the kind: incident, service_request or access_request", True,
                    lambda s, d, t, a, rest: reclassification.set_kind(s, d, t, a, rest.split()[0])),
    "escalate": Command("escalate ID [REASON]", "escalate to the next level and tell management", False,
                        lambda s, d, t, a, rest: lifecycle.escalate(s, d, t, a, rest)),
    "resolve": Command("resolve ID TEXT", "resolve with what fixed it", True,
                       lambda s, d, t, a, rest: lifecycle.resolve(s, d, t, a, rest)),
    "reopen": Command("reopen ID", "reopen a resolved ticket", False,
                      lambda s, d, t, a, rest: lifecycle.reopen(s, d, t, a, rest)),
    "close": Command("close ID [REASON]", "close a resolved ticket, or an unresolved one with a reason", False,
                     lambda s, d, t, a, rest: lifecycle.close(s, d, t, a, rest)),
    "update": Command("update ID TEXT", "post a status update to the requester, the team and the incident channel",
                      True, lambda s, d, t, a, rest: stakeholders.update(s, d, t, a, rest)),
    "major": Command("major ID [LEAD]", "declare a major incident (its own channel), or name its lead", False,
                     lambda s, d, t, a, rest: _major(s, d, t, a, rest)),
    "problem": Command("problem new|link|cause|known-error|resolve|show|list ...",
                       "problem management (/sd problem help)", False,
                       lambda s, d, t, a, rest: problems.run(s, d, a, rest), takes_ticket=False),
    "report": Command("report [7d|30d|QUEUE]", "figures and a chart for managers (default: the last 7 days)", False,
                      lambda s, d, t, a, rest: report_posting.run(s, d, a, rest), takes_ticket=False),
    "done": Command("done REQ-n STEP", "tick off a fulfilment step (its number or the start of its name)", True,
                    lambda s, d, t, a, rest: fulfilment.done(s, d, t, a, rest)),
    "catalog": Command("catalog", "what anyone can ask for (the service catalog)", False,
                       lambda s, d, t, a, rest: catalog.listing(d.organisation), takes_ticket=False),
    "approve": Command("approve ID [NOTE]", "approve a request waiting for you (ACC-n, REQ-n)", False,
                       lambda s, d, t, a, rest: approvals.command(s, d, a, rest, decision="approve"), takes_ticket=False),
    "deny": Command("deny ID REASON", "deny a request waiting for you; the requester is told why", False,
                    lambda s, d, t, a, rest: approvals.command(s, d, a, rest, decision="deny"), takes_ticket=False),
    "granted": Command("granted ACC-n", "confirm you gave the approved access (records the grant)", False,
                       lambda s, d, t, a, rest: grants.granted_command(s, d, t, a, rest)),
    "revoked": Command("revoked ACC-n", "confirm you removed the access (records the removal)", False,
                       lambda s, d, t, a, rest: grants.revoked_command(s, d, t, a, rest)),
    "access": Command("access list [USER|RESOURCE]", "current access grants (yours, a person's or a resource's)", False,
                      lambda s, d, t, a, rest: grants.access_command(s, d, a, rest), takes_ticket=False),
}
# The named lead of a major incident runs it whatever queue they work: on that incident these are open
# to them (handlers/major_incidents.py `as_lead`).
LEAD_COMMANDS = ("update", "resolve", "note", "reply")
# On a closed ticket these say so plainly (a closed ticket stays closed; more trouble is a new ticket).
NOT_ON_CLOSED = ("status", "resolve")

OTHER_USAGE = [
    ("list [QUEUE] [mine]", "open tickets (yours, a queue's, or everything you work)"),
    ("show ID", "a ticket with its latest replies and SLA time left"),
    ("help", "this list"),
]


# What an end user can run (their own tickets, the catalog, their access, approvals asked of them).
END_USER_USAGE = [
    ("list", "your open tickets"),
    ("show ID", "one of your tickets with its latest replies"),
    ("reopen ID", "reopen a ticket of yours that was resolved but isn't fixed"),
    ("close ID [REASON]", "confirm a resolved ticket of yours, or withdraw an open one"),
    ("catalog", "what you can ask for (the service catalog)"),
    ("access list", "the access you have and until when"),
]
APPROVER_USAGE = [
    ("approve ID [NOTE]", "approve a request waiting for your approval"),
    ("deny ID REASON", "refuse it (the requester is told your reason)"),
]


def is_command(text: str, prefix: str = "/sd") -> bool:
    """Whether a typed line is a desk command (`/sd ...`, in any case: `/SD TAKE INC-3`)."""
    words = text.strip().split(None, 1)
    return bool(words) and words[0].lower() == prefix.lower()


def _rows_text(prefix: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(usage) for usage, _ in rows) + len(prefix) + 1
    return "\n".join(f"  {(prefix + ' ' + usage).ljust(width)}  {summary}" for usage, summary in rows)


def help_text(prefix: str = "/sd") -> str:
    """Every command: what support staff see."""
    return "Commands:\n" + _rows_text(prefix, [(c.usage, c.summary) for c in COMMANDS.values()] + OTHER_USAGE)


def end_user_help_text(prefix: str = "/sd", *, awaiting_approval: list[str] = ()) -> str:
    """What an end user can run; approve/deny only when something waits for their approval."""
    rows = list(END_USER_USAGE)
    if awaiting_approval:
        rows += APPROVER_USAGE
    rows.append(("help", "this list"))
    text = "Commands you can use:\n" + _rows_text(prefix, rows)
    if awaiting_approval:
        text += f"\nWaiting for your approval: {', '.join(awaiting_approval)}."
    return (text + "\nTo report something or ask for something, just send me a message. "
            f"The other {prefix} commands (take, assign, resolve, ...) are for support staff.")


def end_user_help_for(desk: Desk, person: Person, prefix: str = "/sd") -> str:
    """`end_user_help_text` for this person (with what waits for their approval)."""
    with desk.database.session() as session:
        return end_user_help_text(prefix, awaiting_approval=_awaiting(session, desk, actor_for(desk, person)))


def _help_for(session: Session, desk: Desk, actor: Actor, prefix: str) -> str:
    if actor.staff is not None:
        return help_text(prefix)
    return end_user_help_text(prefix, awaiting_approval=_awaiting(session, desk, actor))


def _awaiting(session: Session, desk: Desk, actor: Actor) -> list[str]:
    """The refs of requests whose current approval step this person may decide."""
    person = actor.person
    name = name_of(desk.organisation, person.platform, person.user_id, person.groups)
    steps = session.execute(
        select(ApprovalStep, Ticket.ref).join(Ticket, Ticket.id == ApprovalStep.ticket_id)
        .where(ApprovalStep.state.in_(OPEN_STEP_STATES)).order_by(ApprovalStep.id)
    ).all()
    return [ref for step, ref in steps if name in (step.approvers or [])]


@log_context.scoped  # log lines carry the ticket the command works on
def run_command(desk: Desk, person: Person, text: str, *, prefix: str = "/sd") -> Reply:
    """Run one command line such as `take INC-12` (with or without the leading /sd)."""
    body = text.strip()
    head, _, tail = body.partition(" ")
    if head.lower() in (prefix.lower(), "/sd", "sd"):
        body = tail.strip()
    words = body.split(None, 2)
    name = words[0].lower() if words else "help"
    actor = actor_for(desk, person)
    try:
        with desk.database.session() as session:
            if name == "help":
                return Reply(_help_for(session, desk, actor, prefix))
            if name == "list":
                return _list(session, desk, actor, words[1:])
            if name == "show":
                return _show(session, desk, actor, words[1:])
            command = COMMANDS.get(name)
            if command is None:
                return Reply(f"I don't know the command '{name}'.\n{_help_for(session, desk, actor, prefix)}",
                             ok=False)
            if not command.takes_ticket:
                result = command.run(session, desk, None, actor, body.partition(" ")[2].strip())
                return result if isinstance(result, Reply) else Reply(result)
            if len(words) < 2:
                return Reply(f"Usage: {prefix} {command.usage}", ok=False)
            rest = words[2] if len(words) > 2 else ""
            if command.needs_text and not rest.strip():
                return Reply(f"Usage: {prefix} {command.usage}", ok=False)
            ticket = lifecycle.load(session, words[1], actor=actor)
            if name in LEAD_COMMANDS and (lead := major_incidents.as_lead(session, ticket, actor.staff)):
                actor = replace(actor, staff=lead)
            _refuse_on_closed(ticket, actor, name, rest)
            return Reply(command.run(session, desk, ticket, actor, rest))
    except Refused as refusal:
        _audit_refusal(desk, actor, name, words[1] if len(words) > 1 else None, str(refusal))
        return Reply(str(refusal), ok=False)
    except DeskError as error:
        return Reply(str(error), ok=False)


def _major(session: Session, desk: Desk, ticket: Ticket, actor: Actor, rest: str) -> str:
    """`/sd major ID [LEAD]`: incidents only. A request or an access request is not an outage, so
    it gets no channel; one that really is an outage becomes an incident first."""
    if ticket.kind != "incident" and incidents_store.major_incident_of(session, ticket_id=ticket.id) is None:
        lifecycle.require_staff(actor, None, "declare major incidents")
        kind = KIND_LABEL[ticket.kind]
        raise DeskError(f"{ticket.ref} is {KIND_ARTICLE[ticket.kind]} {kind}, and only incidents can be major "
                        f"incidents. If it is really an outage, make it an incident first: "
                        f"/sd kind {ticket.ref} incident, then /sd major {ticket.ref}.")
    return stakeholders.major(session, desk, ticket, actor, rest)


def _refuse_on_closed(ticket: Ticket, actor: Actor, name: str, rest: str) -> None:
    """Staff changing a closed ticket's state hear why not, and what to do instead."""
    if actor.staff is None or ticket.status != "closed" or name not in NOT_ON_CLOSED:
        return
    if name == "status" and lifecycle.state_and_reason(rest)[0] == "closed":
        return  # "already closed", from the life cycle
    raise DeskError(f"{ticket.ref} is closed, and a closed ticket stays closed; if the trouble is back, it needs a "
                    f"new ticket (the requester can just tell me, naming {ticket.ref}).")


def _audit_refusal(desk: Desk, actor: Actor, command: str, ref_text: str | None, reason: str) -> None:
    with desk.database.session() as session:
        ref = parse_ref(ref_text) if ref_text else None
        ticket = get_ticket(session, ref=ref) if ref else None
        audit.record(session, actor=f"{actor.person.platform}:{actor.person.user_id}", action="refused",
                     ticket=ticket, field=command, reason=reason, at=desk.clock.now())


def _list(session: Session, desk: Desk, actor: Actor, args: list[str]) -> Reply:
    words = " ".join(args).lower().split()
    if actor.staff is None:
        return my_tickets(session, actor)
    queues = [w for w in words if w in QUEUES]
    unknown = [w for w in words if w not in QUEUES and w != "mine"]
    if unknown:
        return Reply(f"'{unknown[0]}' is not a queue; use {', '.join(QUEUES)} or 'mine'.", ok=False)
    mine = "mine" in words
    if not queues and not mine and not actor.staff.works_all_queues():
        queues = list(actor.staff.queues)
    tickets = list_tickets(session, queues=queues or None, assignee=actor.staff.name if mine else None)
    if not tickets:  # "No open tickets in the technical queue assigned to you."
        where = f" in the {_and(queues)} queue{'s' if len(queues) > 1 else ''}" if queues else ""
        return Reply(f"No open tickets{where}{' assigned to you' if mine else ''}.")
    scope = ", ".join(queues + (["assigned to you"] if mine else []))
    title = f"Open tickets{' (' + scope + ')' if scope else ''}:"
    return Reply(title + "\n" + "\n".join(f"  {headline(t)}" for t in tickets))


def _and(words: list[str]) -> str:
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else ""


def _show(session: Session, desk: Desk, actor: Actor, args: list[str]) -> Reply:
    if not args:
        return Reply("Usage: /sd show ID", ok=False)
    ticket = lifecycle.load(session, args[0], actor=actor)
    text = detail(ticket, now=desk.clock.now(), comments=list(ticket.comments), public_only=actor.staff is None,
                  organisation=desk.organisation)
    extras = (problems.shown_for(session, ticket), event_incidents.shown_for(session, ticket))
    extras += (fulfilment.shown_for(session, ticket),)  # a catalog request's details and checklist
    text += "".join(f"\n{extra}" for extra in extras if extra)
    if actor.staff is not None:
        steps = history(session, ticket=ticket)[-5:]
        text += "\n  history:\n" + "\n".join(
            f"    {e.created_at:%Y-%m-%d %H:%M} {e.actor} {e.action}"
            + (f" {e.before} → {e.after}" if e.field and e.action.startswith("set_") else "")
            for e in steps
        )
    return Reply(text, ticket=snapshot(ticket, organisation=desk.organisation, now=desk.clock.now()))
