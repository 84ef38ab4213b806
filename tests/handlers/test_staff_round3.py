"""Staff-side fixes seen in the console: a major incident's lead from another queue runs it, only
incidents become major incidents, problem rights follow the queues (and a problem never ends
half-resolved), the problem menu answers to "1" on the console, requests waiting for an approver
are not escalated for first response, and clearer wording in lists, reports and the console."""
from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from bot.console import ConsoleSession
from handlers.reports import Period, figures, summary
from storage.models import AuditEntry, OutboxMessage
from storage.problems import get_problem
from tests.sla_helpers import last_outbox_id, open_incident, sent, sweep


def _new_channels(desk) -> list[str]:
    with desk.database.session() as session:
        return [m.address for m in session.execute(
            select(OutboxMessage).where(OutboxMessage.destination == "new_channel")).scalars()]


def _refusals(desk, who: str) -> list[str]:
    with desk.database.session() as session:
        return [e.reason for e in session.execute(
            select(AuditEntry).where(AuditEntry.action == "refused", AuditEntry.actor == f"console:{who}")).scalars()]


def _problem_status(desk, ref: str) -> str:
    with desk.database.session() as session:
        return get_problem(session, ref=ref).status


def _console(desk, name: str) -> tuple[ConsoleSession, io.StringIO]:
    out = io.StringIO()
    return ConsoleSession(desk, name, out), out


# 7: the named lead runs the major incident whatever queue they work.

def test_the_lead_of_a_major_incident_from_another_queue_updates_and_resolves_it(desk, people):
    ref = open_incident(desk, "P1", queue="application")
    other = open_incident(desk, "P3", queue="application")
    assert people.sd("agent", f"/sd major {ref} bob").ok  # bob works technical
    update = people.sd("bob", f"/sd update {ref} DR site is up, switching traffic")
    assert update.ok and update.text.startswith(f"Update on {ref} sent to")
    assert ("channel", "#major-inc-1", "Update by Bob (Technical): DR site is up, switching traffic") in sent(desk)
    assert people.sd("bob", f"/sd resolve {ref} failed over to the DR site").text == f"{ref} resolved."
    assert people.ticket(ref).status == "resolved"
    assert any(a == "#major-inc-1" and t.startswith(f"Major incident {ref} resolved") for _, a, t in sent(desk))
    # Leading one incident opens no other ticket of that queue to him.
    refused = people.sd("bob", f"/sd resolve {other} not mine")
    assert not refused.ok and "in the application queue" in refused.text


def test_a_lead_who_hands_over_no_longer_acts_for_that_queue(desk, people):
    ref = open_incident(desk, "P1", queue="application")
    people.sd("agent", f"/sd major {ref} bob")
    people.sd("agent", f"/sd major {ref} carol")
    refused = people.sd("bob", f"/sd update {ref} still on it")
    assert not refused.ok and "in the application queue" in refused.text


# 8: only incidents are major incidents.

def test_a_service_request_or_access_request_is_not_declared_a_major_incident(desk, people):
    request = open_incident(desk, "P3", queue="application", kind="service_request")
    access = open_incident(desk, "P3", queue="application", kind="access_request")
    for ref, kind in ((request, "a service request"), (access, "an access request")):
        reply = people.sd("agent", f"/sd major {ref}")
        assert not reply.ok
        assert reply.text.startswith(f"{ref} is {kind}, and only incidents can be major incidents.")
        assert f"/sd kind {ref} incident" in reply.text
    open_incident(desk, "P1", queue="application", kind="service_request")  # even at P1: no channel
    assert _new_channels(desk) == []
    assert not any("major incident" in text for _, _, text in sent(desk))


# 17: problem rights follow the queues of the problem's incidents.

def test_problem_changes_are_for_the_queues_of_its_incidents_and_refusals_are_audited(desk, people):
    ref = open_incident(desk, "P4", queue="technical", text="VPN drops every few minutes")
    assert people.sd("bob", f"/sd problem new VPN drops {ref}").ok
    known = people.sd("carol", "/sd problem known-error PRB-1 use the wired network")
    resolve = people.sd("carol", "/sd problem resolve PRB-1 incidents")
    for reply in (known, resolve):
        assert not reply.ok
        assert reply.text.startswith("Sorry, PRB-1's incidents are in the technical queue, and you work application")
    assert _problem_status(desk, "PRB-1") == "open" and people.ticket(ref).status == "new"
    assert len(_refusals(desk, "carol")) == 2
    linking = people.sd("carol", f"/sd problem new Something else {ref}")
    assert not linking.ok and f"{ref} is in the technical queue" in linking.text
    # The service desk and managers work every queue; the queue's own staff too.
    assert people.sd("agent", "/sd problem known-error PRB-1 use the wired network").ok
    assert people.sd("maria", "/sd problem cause PRB-1 access point firmware").ok
    assert people.sd("bob", "/sd problem resolve PRB-1 incidents").ok
    assert _problem_status(desk, "PRB-1") == "resolved" and people.ticket(ref).status == "resolved"


def test_resolving_a_problem_with_incidents_the_actor_cannot_resolve_changes_nothing(desk, people):
    mine = open_incident(desk, "P4", queue="technical", text="VPN drops")
    theirs = open_incident(desk, "P4", queue="application", text="Outlook loses the VPN mailbox")
    people.sd("agent", f"/sd problem new VPN concentrator {mine} {theirs}")
    refused = people.sd("bob", "/sd problem resolve PRB-1 incidents")
    assert not refused.ok
    assert f"{theirs} is in the application queue" in refused.text and "nothing was changed" in refused.text
    assert _problem_status(desk, "PRB-1") == "open"
    assert people.ticket(mine).status == "new" and people.ticket(theirs).status == "new"
    # On its own the problem resolves, and only bob's incident is offered.
    answer = people.sd("bob", "/sd problem resolve PRB-1")
    assert answer.ok and _problem_status(desk, "PRB-1") == "resolved"
    assert f"{theirs} stays open for the application team to resolve" in answer.text
    assert f"still open: {mine}. Resolve it too?" in answer.text
    assert [label for _, label in answer.choices] == ["Resolve it too", "Leave it open"]


# 18: the console's numbered menu after /sd problem resolve.

def test_the_problem_menu_is_answered_by_its_number_or_its_words_on_the_console(desk, people):
    first = open_incident(desk, "P4", queue="technical", text="VPN drops")
    second = open_incident(desk, "P4", queue="technical", text="VPN drops again")
    people.sd("bob", f"/sd problem new VPN drops {first}")
    people.sd("bob", f"/sd problem new VPN drops too {second}")
    console, out = _console(desk, "bob")
    console.handle("/sd problem resolve PRB-1")
    assert "  1. Resolve it too" in out.getvalue().splitlines()
    console.handle("1")
    assert f"Resolved {first}." in out.getvalue() and people.ticket(first).status == "resolved"
    console.handle("/sd problem resolve PRB-2")
    console.handle("Resolve it too")
    assert f"Resolved {second}." in out.getvalue() and people.ticket(second).status == "resolved"
    assert "not sure I understood" not in out.getvalue()


def test_leave_them_open_by_number_and_a_number_later_is_an_ordinary_message(desk, people):
    ref = open_incident(desk, "P4", queue="technical", text="VPN drops")
    people.sd("bob", f"/sd problem new VPN drops {ref}")
    console, out = _console(desk, "bob")
    console.handle("/sd problem resolve PRB-1")
    console.handle("2")
    assert "stay open" in out.getvalue() and people.ticket(ref).status == "new"
    console.handle("1")  # the menu was answered: "1" now is just a message
    assert people.ticket(ref).status == "new"


# 20: a request waiting for its approver.

def test_a_request_waiting_for_approval_is_not_escalated_for_first_response(desk, clock, people):
    people.say("alice", "I need access to Salesforce for 7 days because I'm covering sales")
    assert people.ticket("ACC-1").status == "new"
    clock.advance(hours=6, minutes=30)  # Monday 15:30: the 4h first response would be long gone
    mark = last_outbox_id(desk)
    done = sweep(desk)
    assert not any("first response breached" in line for line in done)
    assert people.ticket("ACC-1").escalation_level == 0
    assert not any("senior team" in text for _, _, text in sent(desk, since=mark))
    assert "first response: paused" in people.sd("agent", "/sd show ACC-1").text
    # Once approved, the team has the rest of its first-response time.
    assert people.sd("carol", "/sd approve ACC-1").ok
    assert "first response: 4h 0m left" in people.sd("agent", "/sd show ACC-1").text


def test_escalating_a_request_waiting_for_approval_tells_the_requester_it_still_waits(desk, people):
    people.say("alice", "I need access to Salesforce for 7 days because I'm covering sales")
    mark = last_outbox_id(desk)
    assert people.sd("agent", "/sd escalate ACC-1 the approver is away").ok
    told = [text for _, address, text in sent(desk, since=mark) if address == "@alice"]
    assert told == ["ACC-1 is still waiting for approval from Carol (Application); you'll hear from us as soon "
                    "as it is decided."]


# Wording.

def test_list_mine_reads_naturally_when_empty(desk, people):
    assert people.sd("agent", "/sd list mine").text == "No open tickets assigned to you."
    assert people.sd("agent", "/sd list technical mine").text == "No open tickets in the technical queue assigned to you."
    ref = open_incident(desk, "P4", queue="technical")
    people.sd("bob", f"/sd take {ref}")
    assert people.sd("bob", "/sd list technical mine").text.startswith("Open tickets (technical, assigned to you):")


def test_changing_the_state_of_a_closed_ticket_says_it_stays_closed(desk, people):
    ref = open_incident(desk, "P4", queue="technical")
    people.sd("bob", f"/sd close {ref} duplicate of INC-9")
    for command in (f"/sd status {ref} in_progress", f"/sd resolve {ref} fixed"):
        reply = people.sd("bob", command)
        assert not reply.ok and "nothing" not in reply.text
        assert reply.text.startswith(f"{ref} is closed, and a closed ticket stays closed")


def test_a_report_asked_for_two_periods_or_two_queues_says_so(desk, people):
    periods = people.sd("maria", "/sd report 7d 30d")
    assert not periods.ok and "'7d' and '30d' are both periods" in periods.text
    queues = people.sd("maria", "/sd report technical application")
    assert not queues.ok and "'technical' and 'application' are both queues" in queues.text
    assert people.sd("maria", "/sd report 30d technical").ok


def test_the_sla_line_says_it_counts_targets_not_tickets(desk, clock, people):
    start = clock.now()
    ref = open_incident(desk, "P4", queue="technical")
    people.sd("bob", f"/sd take {ref}")
    clock.advance(hours=1)
    people.sd("bob", f"/sd resolve {ref} reseated the RAM")  # first response and resolution: two targets
    clock.advance(hours=1)
    with desk.database.session() as session:
        text = summary(figures(session, Period(since=start - timedelta(hours=1), until=clock.now())), desk.organisation)
    line = next(line for line in text.splitlines() if line.startswith("SLA met:"))
    assert line == ("SLA met: P4 100% (2/2); counted in SLA targets (first response, resolution, approval), "
                    "not tickets")


def test_the_console_needs_a_name_to_switch_and_reads_staff_names_in_any_case(desk):
    console, out = _console(desk, "alice")
    console.handle("/as")
    assert out.getvalue().splitlines()[-1] == ("Usage: /as NAME, e.g. /as bob (staff) or /as priya. "
                                               "You are alice (an end user).")
    assert console.name == "alice"
    console.handle("/as Bob")
    assert out.getvalue().splitlines()[-1] == "You are Bob (Technical) (support staff)."


def test_major_on_a_closed_incident_says_it_stays_closed_and_on_a_resolved_one_how_to_reopen(people):
    people.say("alice", "my laptop won't turn on")
    assert people.sd("agent", "/sd resolve INC-1 replaced the battery").ok
    resolved = people.sd("agent", "/sd major INC-1")
    assert not resolved.ok and "/sd reopen INC-1" in resolved.text
    assert people.sd("alice", "/sd close INC-1").ok
    closed = people.sd("agent", "/sd major INC-1")
    assert not closed.ok and "a closed ticket stays closed" in closed.text and "reopen it first" not in closed.text
