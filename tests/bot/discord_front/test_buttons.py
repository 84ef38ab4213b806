"""The team's ticket cards: buttons that still work after a restart and edit the card."""
from __future__ import annotations

from tests.bot.discord_front.conftest import answer_text, custom_ids, fields
from tests.fakes.discord_gateway import QUEUE_CHANNELS

TECHNICAL = QUEUE_CHANNELS["technical"]
EPHEMERAL = 64


def _card(discord_desk, world) -> dict:
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "my laptop won't turn on since this morning"))
    discord_desk.relay()
    return world.card_in(TECHNICAL)


def test_take_pressed_after_a_restart_edits_the_card(discord_desk, world, people):
    card = _card(discord_desk, world)
    discord_desk.restart()  # a new client: only the custom_id says what the button does

    calls = discord_desk.interact(world.press("agent", card, "sd:take:INC-1"))
    [update] = world.api.callbacks(calls)
    assert update["type"] == 7  # the card itself changes
    shown = fields(update["data"]["embeds"][0])
    assert (shown["Status"], shown["Assignee"]) == ("assigned", "Sam (Service Desk)")
    assert custom_ids(update["data"]) == ["sd:take:INC-1", "sd:resolve:INC-1", "sd:escalate:INC-1"]
    [confirmation] = world.api.find("POST", r"/webhooks/\d+/[^/]+", calls)  # and, for the presser only:
    assert confirmation.json["flags"] & EPHEMERAL and confirmation.json["content"] == "INC-1 is now assigned to Sam (Service Desk)."
    assert people.ticket("INC-1").assignee == "agent"

    calls = discord_desk.relay()  # the desk's own news about the change also lands on the card
    [edit] = world.api.find("PATCH", rf"/channels/{TECHNICAL}/messages/{card['id']}", calls)
    assert fields(edit.json["embeds"][0])["Status"] == "assigned"
    assert "Sam (Service Desk) is now looking after" in world.posts_to(world.dm_channel("alice"))[-1]["content"]


def test_an_end_user_pressing_a_card_button_is_refused_and_the_card_stays(discord_desk, world, people):
    card = _card(discord_desk, world)
    calls = discord_desk.interact(world.press("bea", card, "sd:escalate:INC-1"))
    [refusal] = world.api.callbacks(calls)
    assert refusal["type"] == 4 and refusal["data"]["flags"] & EPHEMERAL
    assert answer_text(refusal).startswith("Sorry, only support staff can escalate tickets.")
    assert people.ticket("INC-1").escalation_level == 0


def test_resolve_asks_what_fixed_it_and_the_answer_resolves_even_across_a_restart(discord_desk, world, people):
    card = _card(discord_desk, world)
    calls = discord_desk.interact(world.press("bob", card, "sd:resolve:INC-1"))
    [form] = world.api.callbacks(calls)
    assert form["type"] == 9 and form["data"]["custom_id"] == "sd:resolve-form:INC-1"
    discord_desk.restart()

    calls = discord_desk.interact(world.submit_form("bob", card, "sd:resolve-form:INC-1",
                                                    {"resolution": "replaced the power adapter"}))
    update = world.api.callbacks(calls)[0]
    assert update["type"] == 7
    shown = fields(update["data"]["embeds"][0])
    assert (shown["Status"], shown["Resolution"]) == ("resolved", "replaced the power adapter")
    assert all(b["disabled"] for row in update["data"]["components"] for b in row["components"])
    ticket = people.ticket("INC-1")
    assert (ticket.status, ticket.resolution) == ("resolved", "replaced the power adapter")


def test_queue_staff_may_not_work_another_queues_card(discord_desk, world, people):
    card = _card(discord_desk, world)  # a technical ticket
    calls = discord_desk.interact(world.press("carol", card, "sd:take:INC-1"))  # application staff
    [refusal] = world.api.callbacks(calls)
    assert "in the technical queue" in answer_text(refusal) and refusal["data"]["flags"] & EPHEMERAL
    assert people.ticket("INC-1").assignee is None


def test_a_button_that_is_not_ours_gets_an_answer_not_a_failure(discord_desk, world):
    card = _card(discord_desk, world)
    stale = {**card, "components": [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "Old", "custom_id": "helpdesk-v0:claim:42"}]}]}
    calls = discord_desk.interact(world.press("agent", stale, "helpdesk-v0:claim:42"))
    [answer] = world.api.callbacks(calls)
    assert answer["data"]["flags"] & EPHEMERAL and "no longer in use" in answer_text(answer)
