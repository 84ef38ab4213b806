"""/sd application commands, autocomplete, the "Open ticket" context menu, and the 3-second rule."""
from __future__ import annotations

import time

from sqlalchemy import select

from handlers.commands import COMMANDS
from handlers.organisation import StaffGroup
from storage.models import AuditEntry
from tests.bot.discord_front.conftest import Desk, answer_text, fields
from tests.fakes.discord_gateway import APP_ID, GENERAL, SUPPORT_ROLE

EPHEMERAL = 64


def _laptop(discord_desk, world) -> None:
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "my laptop won't turn on since this morning"))


def test_staff_listed_by_user_id_take_a_ticket_and_only_they_see_the_answer(discord_desk, world, people):
    _laptop(discord_desk, world)
    calls = discord_desk.interact(world.slash("agent", "take", ticket="inc 1"))
    [callback] = world.api.callbacks(calls)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert callback["data"]["content"] == "INC-1 is now assigned to Sam (Service Desk)."
    assert people.ticket("INC-1").assignee == "agent"


def test_members_of_a_staff_role_are_staff_and_others_are_refused_politely(discord_desk, world, people, desk):
    desk.organisation = desk.organisation.model_copy(update={"staff_groups": [
        StaffGroup(name="it-support", roles=["service_desk"], discord=str(SUPPORT_ROLE))]})
    _laptop(discord_desk, world)

    calls = discord_desk.interact(world.slash("zoe", "take", ticket="INC-1"))  # Zoe has no role yet
    [refusal] = world.api.callbacks(calls)
    assert refusal["data"]["flags"] & EPHEMERAL
    assert answer_text(refusal).startswith("Sorry, only support staff can take tickets.")
    assert people.ticket("INC-1").assignee is None

    world.roles["zoe"] = (SUPPORT_ROLE,)
    calls = discord_desk.interact(world.slash("zoe", "take", ticket="INC-1"))
    assert answer_text(world.api.callbacks(calls)[0]) == "INC-1 is now assigned to Zoe."
    assert people.ticket("INC-1").assignee == "discord-1500000000000000003"


def test_end_users_are_refused_staff_commands_on_the_record_and_see_their_own_tickets(discord_desk, world, people):
    _laptop(discord_desk, world)
    calls = discord_desk.interact(world.slash("bea", "resolve", ticket="INC-1", resolution="fixed it myself"))
    assert answer_text(world.api.callbacks(calls)[0]).startswith("Sorry, only support staff can resolve tickets.")
    assert people.ticket("INC-1").status == "new"
    with people.desk.database.session() as session:
        refusals = session.execute(select(AuditEntry).where(AuditEntry.action == "refused")).scalars().all()
        assert [(r.actor, r.field) for r in refusals] == [("discord:1500000000000000002", "resolve")]

    calls = discord_desk.interact(world.slash("alice", "list", channel=None))  # in her DM with the bot
    listing = answer_text(world.api.callbacks(calls)[0])
    assert listing.startswith("Your open tickets:") and "INC-1" in listing
    calls = discord_desk.interact(world.slash("bea", "show", ticket="INC-1"))
    assert answer_text(world.api.callbacks(calls)[0]) == "I can't find a ticket INC-1."  # not hers to see


def test_wrong_ids_and_unknown_commands_get_a_clear_answer(discord_desk, world):
    _laptop(discord_desk, world)
    answers = []
    for payload in (world.slash("agent", "show", ticket="INC-99"), world.slash("agent", "take", ticket="banana"),
                    world.slash("agent", "frobnicate", ticket="INC-1")):
        calls = discord_desk.interact(payload)
        [callback] = world.api.callbacks(calls)
        assert callback["data"]["flags"] & EPHEMERAL
        answers.append(answer_text(callback))
    assert answers[0] == "I can't find a ticket INC-99."
    assert answers[1].startswith("'banana' is not a ticket id")
    assert answers[2].startswith("I don't know that command")


def test_show_gives_staff_the_ticket_card(discord_desk, world):
    _laptop(discord_desk, world)
    calls = discord_desk.interact(world.slash("agent", "show", ticket="INC-1"))
    data = world.api.callbacks(calls)[0]["data"]
    assert data["content"].startswith("INC-1: my laptop won't turn on")
    assert fields(data["embeds"][0])["Requester"].startswith("Alice")


def test_ticket_ids_autocomplete_to_what_the_caller_may_name(discord_desk, world):
    _laptop(discord_desk, world)
    discord_desk.receive("MESSAGE_CREATE", world.message("bea", "the projector in room 4 shows no signal"))

    def suggestions(person: str, typed: str, **where) -> list[str]:
        calls = discord_desk.interact(world.slash(person, "show", focused="ticket", ticket=typed, **where))
        [callback] = world.api.callbacks(calls)
        assert callback["type"] == 8
        return [choice["value"] for choice in callback["data"]["choices"]]

    assert suggestions("agent", "INC") == ["INC-2", "INC-1"]  # newest first
    assert suggestions("agent", "projector") == ["INC-2"]  # words of the title match too
    assert suggestions("agent", "2") == ["INC-2"]  # and the bare number
    assert suggestions("alice", "", channel=None) == ["INC-1"]  # end users: only their own
    assert suggestions("carol", "INC") == []  # application staff: not technical tickets


def test_the_command_tree_mirrors_the_console_and_is_synced_at_start(discord_desk, world):
    [sync] = world.api.find("PUT", rf"/applications/{APP_ID}/commands")
    commands = {command["name"]: command for command in sync.json}
    assert set(commands) == {"sd", "Open ticket"} and commands["Open ticket"]["type"] == 3
    top = {option["name"]: option for option in commands["sd"]["options"]}
    assert len(top) <= 25  # Discord's limit per group
    access = top.pop("access")
    assert access["type"] == 2 and {o["name"] for o in access["options"]} == {"list", "granted", "revoked"}
    sub = {**top, **{o["name"]: o for o in access["options"] if o["name"] != "list"}}
    assert set(sub) | {"access"} == set(COMMANDS) | {"list", "show", "help"}
    options = {name: {o["name"]: o for o in command.get("options", [])} for name, command in sub.items()}
    assert [c["value"] for c in options["status"]["state"]["choices"]] == ["new", "assigned", "in_progress", "on_hold", "closed"]
    assert [c["value"] for c in options["priority"]["priority"]["choices"]] == ["P1", "P2", "P3", "P4", "P5"]
    assert [c["value"] for c in options["queue"]["queue"]["choices"]] == ["technical", "application", "operations"]
    assert all(opts["ticket"]["autocomplete"] for opts in options.values() if "ticket" in opts)


def test_open_ticket_turns_someone_elses_message_into_their_ticket(discord_desk, world, people):
    target = world.message("alice", "the projector in meeting room 4 shows no signal", channel=GENERAL)
    calls = discord_desk.interact(world.open_ticket_menu("bea", target))
    [answer] = world.api.callbacks(calls)
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer_text(answer) == "Opened INC-1 for Alice; they'll get updates in a thread on their message."
    ticket = people.ticket("INC-1")
    assert (ticket.requester_id, ticket.conversation_thread) == ("1500000000000000001", target["id"])
    assert "Bea opened" in people.sd("agent", "/sd show INC-1").text

    discord_desk.relay()
    assert "Thanks Alice, I've logged INC-1" in world.posts_to(target["id"])[0]["content"]
    again = discord_desk.interact(world.open_ticket_menu("bea", target))
    assert answer_text(world.api.callbacks(again)[0]).startswith("That message is already INC-1")


class Slow:
    def __init__(self, model, seconds: float) -> None:
        self.model, self.seconds = model, seconds

    def classify(self, text: str):
        time.sleep(self.seconds)
        return self.model.classify(text)


def test_slow_work_is_deferred_within_the_deadline_then_answered(desk, settings, world, people):
    desk.classifier = Slow(desk.classifier, 0.6)
    slow_desk = Desk(desk, settings, world, ack_after=0.1)
    try:
        target = world.message("alice", "the projector in meeting room 4 shows no signal", channel=GENERAL)
        calls = slow_desk.interact(world.open_ticket_menu("bea", target))
    finally:
        slow_desk.close()
    [deferred] = world.api.callbacks(calls)
    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}  # "thinking…", only for Bea
    [follow_up] = world.api.find("POST", rf"/webhooks/{APP_ID}/[^/]+", calls)
    assert calls.index(world.api.find("POST", r"/interactions/.*", calls)[0]) < calls.index(follow_up)
    assert follow_up.json["content"].startswith("Opened INC-1 for Alice")
    assert people.ticket("INC-1") is not None


def test_access_subcommands_reach_the_desk(discord_desk, world, people):
    calls = discord_desk.interact(world.slash("agent", "access revoked", ticket="acc 99"))
    answer = answer_text(world.api.callbacks(calls)[0])
    assert answer == people.sd("agent", "/sd revoked ACC-99").text and "ACC-99" in answer
    calls = discord_desk.interact(world.slash("alice", "access list", channel=None))
    assert answer_text(world.api.callbacks(calls)[0]) == "No current access for Alice."  # her name, not her id


def test_closing_an_unresolved_ticket_takes_the_reason_the_requester_reads(discord_desk, world, people):
    _laptop(discord_desk, world)
    calls = discord_desk.interact(world.slash("agent", "close", ticket="INC-1"))
    assert "reason" in answer_text(world.api.callbacks(calls)[0]).lower()
    assert people.ticket("INC-1").status == "new"
    calls = discord_desk.interact(world.slash("agent", "status", ticket="INC-1", state="closed",
                                              reason="duplicate of INC-7"))
    world.api.callbacks(calls)
    ticket = people.ticket("INC-1")
    assert ticket.status == "closed" and "duplicate of INC-7" in (ticket.resolution or "")
