"""What chat front ends rely on: answers through the outbox, tickets for someone else, staff
recognised by group, and every change announced to the ticket's team channel (card updates)."""
from __future__ import annotations

from handlers.messages import Conversation, Inbound, Person
from handlers.on_behalf import log_on_behalf


def test_answers_can_go_through_the_outbox_with_their_choices(people, desk):
    from handlers.intake import handle_message

    alice = people.person("alice")
    inbound = Inbound(alice, Conversation("console", "@alice"), "hello", source="t", external_id="1")
    assert handle_message(desk, inbound, reply_via_outbox=True) is None
    assert [(d, a) for d, a, _ in people.outbox()] == [("conversation", "@alice")]
    assert "service desk" in people.outbox()[0][2]


def test_a_flagged_message_becomes_a_ticket_for_its_author_recording_who_flagged_it(people, desk):
    from handlers.intake import handle_message

    author, flagger = people.person("alice"), people.person("bea")
    inbound = Inbound(author, Conversation("console", "#general", "m-1"), "the wifi on floor 2 keeps dropping",
                      reported_by=flagger)
    handle_message(desk, inbound)
    ticket = people.ticket("INC-1")
    assert ticket.requester_id == "alice"
    history = people.sd("agent", "/sd show INC-1").text
    assert "Bea opened" in history


def test_staff_log_on_behalf_and_end_users_cannot(people, desk):
    caller = Person("console", "+44 20 7946 0000", "Caller")
    where = Conversation("console", "@caller")
    reply = log_on_behalf(desk, people.person("agent"), requester=caller, conversation=where,
                          kind="incident", description="desk phone dead since the move", impact="low", urgency="high")
    assert reply.ok and "INC-1" in reply.text
    ticket = people.ticket("INC-1")
    assert (ticket.requester_name, ticket.priority) == ("Caller", "P3")
    refused = log_on_behalf(desk, people.person("alice"), requester=caller, conversation=where,
                            kind="incident", description="x")
    assert not refused.ok and "only support staff" in refused.text
    bad = log_on_behalf(desk, people.person("agent"), requester=caller, conversation=where,
                        kind="incident", description="x", impact="huge")
    assert not bad.ok and "impact must be" in bad.text


def test_members_of_a_staff_group_are_staff_for_its_queues(people, desk):
    from handlers.commands import run_command
    from handlers.organisation import StaffGroup

    group = StaffGroup(name="netops", queues=["technical"], slack="S0NET")
    desk.organisation = desk.organisation.model_copy(update={"staff_groups": [group]})
    organisation = desk.organisation
    assert organisation.staff_for("slack", "U9", ("S0NET",), "Zoe").may_work("technical")
    assert not organisation.staff_for("slack", "U9", ("S0NET",), "Zoe").may_work("application")
    assert organisation.staff_for("slack", "U9", ("S0OTHER",), "Zoe") is None
    people.say("alice", "my laptop won't turn on")
    # A group id only counts on its own platform: a console user claiming it is not staff.
    assert not run_command(desk, Person("console", "zoe", "Zoe", groups=("S0NET",)), "take INC-1").ok


def test_every_state_change_reaches_the_team_channel(people):
    people.say("alice", "my laptop won't turn on")
    for command in ("status INC-1 in_progress", "priority INC-1 P2", "resolve INC-1 fixed", "close INC-1"):
        assert people.sd("agent", f"/sd {command}").ok
    team = [t for d, a, t in people.outbox() if a == "#technical"]
    assert len(team) == 5  # new, status, priority, resolved, closed
