"""Problem management: `/sd problem ...` records the cause behind incidents and its workaround.

    /sd problem new TITLE [INC-..]          open a PRB- record (the incidents named are linked)
    /sd problem link PRB-n INC-m [INC-..]   link incidents to it
    /sd problem cause PRB-n TEXT            record the root cause
    /sd problem known-error PRB-n TEXT      record the workaround: it becomes a known error, and the
                                            requester of every linked open incident gets it
    /sd problem resolve PRB-n [incidents]   resolve it (and, with `incidents`, its open incidents)
    /sd problem show PRB-n | list           look at problems

Staff only, and the queues decide who: a problem belongs to the teams whose incidents it causes.
`new` and `link` take incidents of the queues you work; `cause`, `known-error` and `resolve` are
for staff of a queue among the problem's incidents, or the service desk and managers (who work
every queue); `show` and `list` for all staff. A refusal is audited like any other. Resolving
with `incidents` checks first that you may resolve every open one, so a problem never ends
resolved with incidents it could not close.

A problem's incidents show it in `/sd show`; a new incident that looks like a known error is
offered the workaround at once (handlers/known_errors.py).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import lifecycle, notify
from handlers.desk import Desk
from handlers.lifecycle import Actor, DeskError, Refused, require_staff
from handlers.messages import Person, Reply
from handlers.views import KIND_LABEL, STATUS_LABEL
from storage import audit
from storage import problems as store
from storage.models import Ticket
from storage.problems import Problem, parse_problem_ref
from storage.tickets import OPEN_STATUSES, add_comment, parse_ref

USAGE = (
    "Problem commands:\n"
    "  /sd problem new TITLE [INC-..]          open a problem (and link the incidents named)\n"
    "  /sd problem link PRB-n INC-m [INC-..]   link incidents to a problem\n"
    "  /sd problem cause PRB-n TEXT            record the root cause\n"
    "  /sd problem known-error PRB-n TEXT      record the workaround and send it to the affected users\n"
    "  /sd problem resolve PRB-n [incidents]   resolve it (with `incidents`: its open incidents too)\n"
    "  /sd problem show PRB-n                  a problem with its incidents\n"
    "  /sd problem list                        problems not yet resolved"
)
STATUS = {"open": "open", "known_error": "known error", "resolved": "resolved"}
BUTTON_PREFIX = "prb:"
EVENTS_PLATFORM = "events"  # event-born incidents: the requester is a monitoring system


def run(session: Session, desk: Desk, actor: Actor, text: str) -> Reply:
    """`/sd problem` followed by `text`."""
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower().replace("_", "-")
    rest = rest.strip()
    if verb in ("", "help"):
        return Reply(USAGE)
    handler = VERBS.get(verb)
    if handler is None:
        return Reply(f"'{verb[:40]}' is not a problem command.\n{USAGE}", ok=False)
    require_staff(actor, None, "manage problems")
    return handler(session, desk, actor, rest)


def _new(session: Session, desk: Desk, actor: Actor, rest: str) -> Reply:
    words = rest.split()
    refs: list[str] = []
    while words and parse_ref(words[-1]) is not None:
        refs.insert(0, words.pop())
    tickets = [_incident(session, ref, actor) for ref in refs]
    title = " ".join(words).strip() or (tickets[0].title if tickets else "")
    if not title:
        raise DeskError("Usage: /sd problem new TITLE [INC-..], e.g. /sd problem new VPN drops every few minutes "
                        "INC-4 INC-9")
    for ticket in tickets:
        _not_linked_yet(session, ticket)
    now = desk.clock.now()
    problem = store.add_problem(session, title=title[:200], opened_by=actor.name, at=now)
    audit.record(session, actor=actor.name, action="problem_opened", field=problem.ref, after="open",
                 reason=title[:200], at=now)
    for ticket in tickets:
        _link(session, desk, problem, ticket, actor, via="new_problem")
    linked = f" Linked: {', '.join(t.ref for t in tickets)}." if tickets else ""
    return Reply(f"{problem.ref} opened: {problem.title}.{linked}")


def _link_command(session: Session, desk: Desk, actor: Actor, rest: str) -> Reply:
    words = rest.split()
    if len(words) < 2:
        raise DeskError("Usage: /sd problem link PRB-n INC-m [INC-..]")
    problem = _problem(session, words[0])
    if problem.status == "resolved":
        raise DeskError(f"{problem.ref} is resolved; open a new problem for new trouble.")
    tickets = [_incident(session, ref, actor) for ref in words[1:]]
    for ticket in tickets:
        _not_linked_yet(session, ticket)
    told = [ticket.ref for ticket in tickets if _link(session, desk, problem, ticket, actor, via="command")]
    answer = f"{', '.join(t.ref for t in tickets)} linked to {problem.ref} ({problem.title})."
    if told:
        answer += f" The workaround went to the requester of {', '.join(told)}."
    return Reply(answer)


def _cause(session: Session, desk: Desk, actor: Actor, rest: str) -> Reply:
    ref, _, cause = rest.partition(" ")
    if not cause.strip():
        raise DeskError("Usage: /sd problem cause PRB-n TEXT, e.g. /sd problem cause PRB-2 DHCP lease time set "
                        "to 5 minutes")
    problem = _problem(session, ref)
    _require_problem_rights(session, actor, problem, "record its cause")
    before = problem.root_cause
    problem.root_cause = cause.strip()
    problem.updated_at = desk.clock.now()
    audit.record(session, actor=actor.name, action="problem_cause", field=problem.ref, before=before,
                 after=problem.root_cause, at=problem.updated_at)
    return Reply(f"Root cause of {problem.ref} recorded: {problem.root_cause}")


def _known_error(session: Session, desk: Desk, actor: Actor, rest: str) -> Reply:
    ref, _, workaround = rest.partition(" ")
    if not workaround.strip():
        raise DeskError("Usage: /sd problem known-error PRB-n WORKAROUND, e.g. /sd problem known-error PRB-2 "
                        "reconnect to the wired network, or use the Guest Wi-Fi until Friday")
    problem = _problem(session, ref)
    _require_problem_rights(session, actor, problem, "record its workaround")
    if problem.status == "resolved":
        raise DeskError(f"{problem.ref} is resolved; a workaround is no longer needed.")
    now = desk.clock.now()
    before_status, before = problem.status, problem.workaround
    problem.workaround = workaround.strip()
    problem.status = "known_error"
    problem.known_error_at = problem.known_error_at or now
    problem.updated_at = now
    audit.record(session, actor=actor.name, action="problem_known_error", field=problem.ref, before=before,
                 after=problem.workaround, reason=f"status {before_status} → known_error", at=now)
    told = [t.ref for t in store.linked_tickets(session, problem=problem, open_only=True)
            if send_workaround(session, desk, problem, t, actor)]
    answer = f"{problem.ref} is now a known error with a workaround."
    answer += f" Sent to the requesters of {', '.join(told)}." if told else " No open incident is linked to it yet."
    return Reply(answer)


def _resolve(session: Session, desk: Desk, actor: Actor, rest: str) -> Reply:
    words = rest.split()
    if not words:
        raise DeskError("Usage: /sd problem resolve PRB-n [incidents]")
    problem = _problem(session, words[0])
    _require_problem_rights(session, actor, problem, "resolve it")
    with_incidents = len(words) > 1 and words[1].lower() in ("incidents", "all", "linked")
    if problem.status == "resolved" and not with_incidents:
        raise DeskError(f"{problem.ref} is resolved already.")
    still_open = store.linked_tickets(session, problem=problem, open_only=True)
    others = [t for t in still_open if not actor.staff.may_work(t.queue)]
    if with_incidents and others and problem.status != "resolved":  # checked before anything changes
        raise Refused(f"Sorry, {_refs(others)} {_is(others)} in {_where(others, 'queue')}, and you work "
                      f"{', '.join(actor.staff.queues) or 'no queue'}, so you can't resolve "
                      f"{'them' if len(others) != 1 else 'it'}; nothing was changed. Resolve {problem.ref} on its "
                      f"own with /sd problem resolve {problem.ref}, and leave {_refs(others)} to "
                      f"{_where(others, 'team')}.")
    now = desk.clock.now()
    lines = []
    if problem.status != "resolved":
        before = problem.status
        problem.status = "resolved"
        problem.resolved_at = problem.updated_at = now
        audit.record(session, actor=actor.name, action="problem_resolved", field=problem.ref, before=before,
                     after="resolved", at=now)
        lines.append(f"{problem.ref} resolved.")
    mine = [t for t in still_open if t not in others]
    if with_incidents:  # others only when the problem was resolved before: they stay with their team
        lines.append(_resolve_incidents(session, desk, actor, problem, mine, left=others))
        return Reply(" ".join(lines))
    if others:
        lines.append(f"{_refs(others)} {'stay' if len(others) != 1 else 'stays'} open for {_where(others, 'team')} "
                     f"to resolve.")
    if not mine:
        return Reply(" ".join(lines))
    them = "them" if len(mine) != 1 else "it"
    lines.append(f"{len(mine)} linked incident{'s are' if len(mine) != 1 else ' is'} still open: {_refs(mine)}. "
                 f"Resolve {them} too? /sd problem resolve {problem.ref} incidents")
    return Reply(" ".join(lines), choices=[(f"{BUTTON_PREFIX}resolve-incidents:{problem.ref}", f"Resolve {them} too"),
                                           (f"{BUTTON_PREFIX}leave:{problem.ref}", f"Leave {them} open")])


def _resolve_incidents(session: Session, desk: Desk, actor: Actor, problem: Problem, tickets: list[Ticket],
                       *, left: list[Ticket] = ()) -> str:
    if left:
        others = f"{_refs(left)} {_is(left)} left for {_where(left, 'team')} to resolve."
        return (_resolve_incidents(session, desk, actor, problem, tickets) + " " + others) if tickets else others
    if not tickets:
        return f"No incident linked to {problem.ref} is open."
    resolution = f"fixed with problem {problem.ref}: {problem.root_cause or problem.title}"
    done, skipped = [], []
    for ticket in tickets:
        try:
            with session.begin_nested():
                lifecycle.resolve(session, desk, ticket, actor, resolution)
            done.append(ticket.ref)
        except DeskError as error:  # Refused too: not their queue, or not in a state to resolve
            skipped.append(f"{ticket.ref} ({error})")
    answer = f"Resolved {', '.join(done)}." if done else "No incident resolved."
    return answer + (f" Not resolved: {'; '.join(skipped)}" if skipped else "")


def _show(session: Session, desk: Desk, actor: Actor, rest: str) -> Reply:
    if not rest:
        raise DeskError("Usage: /sd problem show PRB-n")
    problem = _problem(session, rest.split()[0])
    lines = [f"{problem.ref}: {problem.title}", f"  status {STATUS[problem.status]} · opened by {problem.opened_by} "
             f"{problem.created_at:%Y-%m-%d %H:%M}",
             f"  root cause: {problem.root_cause or 'not known yet'}",
             f"  workaround: {problem.workaround or 'none yet'}"]
    tickets = store.linked_tickets(session, problem=problem)
    lines.append("  incidents: " + (", ".join(f"{t.ref} ({STATUS_LABEL[t.status]})" for t in tickets) or "none linked"))
    return Reply("\n".join(lines))


def _list(session: Session, desk: Desk, actor: Actor, rest: str) -> Reply:
    problems = store.list_problems(session, include_resolved="all" in rest.lower())
    if not problems:
        return Reply("No open problems.")
    return Reply("Problems:\n" + "\n".join(f"  {p.ref} · {STATUS[p.status]} · {p.title}" for p in problems))


VERBS = {"new": _new, "open": _new, "link": _link_command, "cause": _cause, "known-error": _known_error,
         "workaround": _known_error, "resolve": _resolve, "show": _show, "list": _list}


# Helpers.
def _problem(session: Session, text: str) -> Problem:
    ref = parse_problem_ref(text)
    if ref is None:
        raise DeskError(f"'{text[:40]}' is not a problem id; problem ids look like PRB-3.")
    problem = store.get_problem(session, ref=ref, for_update=True)
    if problem is None:
        raise DeskError(f"There is no problem {ref}.")
    return problem


def _incident(session: Session, text: str, actor: Actor) -> Ticket:
    ticket = lifecycle.load(session, text, actor=actor)
    if ticket.kind != "incident":
        raise DeskError(f"{ticket.ref} is a {KIND_LABEL[ticket.kind]}; only incidents are linked to problems.")
    member = require_staff(actor, None, "manage problems")
    if not member.may_work(ticket.queue):
        raise Refused(f"Sorry, {ticket.ref} is in the {ticket.queue} queue, and you work "
                      f"{', '.join(member.queues) or 'no queue'}; its team or the service desk can link it to a "
                      f"problem.")
    return ticket


def _require_problem_rights(session: Session, actor: Actor, problem: Problem, doing: str) -> None:
    """Staff of a queue among the problem's incidents, or the service desk and managers (every
    queue). A problem with no incident linked yet is anyone's on the staff."""
    member = require_staff(actor, None, "manage problems")
    tickets = store.linked_tickets(session, problem=problem)
    if member.works_all_queues() or not tickets or any(member.may_work(t.queue) for t in tickets):
        return
    raise Refused(f"Sorry, {problem.ref}'s incidents are in {_where(tickets, 'queue')}, and you work "
                  f"{', '.join(member.queues) or 'no queue'}; {_where(tickets, 'team')} or the service desk can "
                  f"{doing}.")


def _refs(tickets: list[Ticket]) -> str:
    return ", ".join(t.ref for t in tickets)


def _is(tickets: list[Ticket]) -> str:
    return "are" if len(tickets) != 1 else "is"


def _where(tickets: list[Ticket], noun: str) -> str:
    """The tickets' queues: "the technical queue", "the application and operations teams"."""
    queues = sorted({t.queue for t in tickets})
    return f"the {' and '.join(queues)} {noun}{'s' if len(queues) != 1 else ''}"


def _not_linked_yet(session: Session, ticket: Ticket) -> None:
    problem = store.problem_of_ticket(session, ticket_id=ticket.id)
    if problem is not None:
        raise DeskError(f"{ticket.ref} is already linked to {problem.ref} ({problem.title}).")


def _link(session: Session, desk: Desk, problem: Problem, ticket: Ticket, actor: Actor, *, via: str) -> bool:
    """Link; a known error's workaround goes to the requester of an open incident at once.
    Returns whether the workaround was sent."""
    now = desk.clock.now()
    store.link(session, problem=problem, ticket=ticket, linked_by=actor.name, via=via, at=now)
    audit.record(session, actor=actor.name, action="problem_linked", ticket=ticket, field="problem", after=problem.ref,
                 at=now)
    if problem.status == "known_error" and problem.workaround and ticket.status in OPEN_STATUSES:
        return send_workaround(session, desk, problem, ticket, actor)
    return False


def send_workaround(session: Session, desk: Desk, problem: Problem, ticket: Ticket, actor: Actor) -> bool:
    """Tell an incident's requester the known error's workaround (and note it on the incident).
    Monitoring systems are not told: nobody there reads it."""
    if ticket.requester_platform == EVENTS_PLATFORM:
        return False
    now = desk.clock.now()
    body = f"This is a known issue ({problem.ref}: {problem.title}). Workaround: {problem.workaround}"
    add_comment(session, ticket=ticket, author=actor.name, visibility="public", body=body, at=now)
    ticket.updated_at = now
    audit.record(session, actor=actor.name, action="workaround_sent", ticket=ticket, field="problem", after=problem.ref,
                 at=now)
    notify.requester(session, desk, ticket, event="workaround",
                     text=f"Update on {ticket.ref}: {body}\nIf that does not help, reply here and the team carries on.")
    return True


def shown_for(session: Session, ticket: Ticket) -> str:
    """The line `/sd show` adds for an incident linked to a problem."""
    problem = store.problem_of_ticket(session, ticket_id=ticket.id)
    if problem is None:
        return ""
    line = f"  problem: {problem.ref} ({STATUS[problem.status]}): {problem.title}"
    if problem.workaround and problem.status == "known_error":
        line += f"\n  workaround: {problem.workaround}"
    return line


def answer_by_button(desk: Desk, person: Person, value: str) -> Reply:
    """A pressed problem button: `prb:resolve-incidents:PRB-n`, `prb:leave:PRB-n` or
    `prb:new:INC-1,INC-2,...` (from a "these look related" notice)."""
    from handlers.commands import run_command

    action, _, argument = value.removeprefix(BUTTON_PREFIX).partition(":")
    if action == "resolve-incidents" and parse_problem_ref(argument):
        return run_command(desk, person, f"problem resolve {argument} incidents")
    if action == "leave" and parse_problem_ref(argument):
        return Reply(f"OK, the incidents linked to {parse_problem_ref(argument)} stay open.")
    refs = [parse_ref(part) for part in argument.split(",")]
    if action == "new" and refs and all(refs):
        return run_command(desk, person, f"problem new {' '.join(r for r in refs if r)}")
    return Reply("That button is not one of mine.", ok=False)
