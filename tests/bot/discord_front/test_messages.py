"""People writing to the desk on Discord: DMs, mentions, ticket threads, clarification buttons."""
from __future__ import annotations

from dataclasses import replace

from tests.bot.discord_front.conftest import custom_ids, fields
from tests.fakes.discord_gateway import APP_ID, GENERAL, QUEUE_CHANNELS, SUPPORT_ROLE

TECHNICAL = QUEUE_CHANNELS["technical"]


def test_a_dm_opens_a_ticket_and_the_reply_carries_its_state(discord_desk, world, people):
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "my laptop won't turn on since this morning"))
    ticket = people.ticket("INC-1")
    assert (ticket.requester_platform, ticket.requester_id, ticket.requester_name) == ("discord", "1500000000000000001", "Alice")
    assert ticket.conversation_channel == world.dm_channel("alice") and ticket.conversation_thread is None

    discord_desk.relay()
    [confirmation] = world.posts_to(world.dm_channel("alice"))
    assert confirmation["content"].startswith("Thanks Alice, I've logged INC-1")
    [embed] = confirmation["embeds"]
    assert embed["title"].startswith("INC-1 · my laptop won't turn on")
    assert fields(embed)["Status"] == "new" and fields(embed)["Team"] == "technical"
    [card] = world.posts_to(TECHNICAL)
    assert custom_ids(card) == ["sd:take:INC-1", "sd:resolve:INC-1", "sd:escalate:INC-1"]
    assert fields(card["embeds"][0])["Assignee"] == "nobody yet"


def test_a_mention_opens_a_ticket_answered_in_a_thread_on_the_message(discord_desk, world, people):
    message = world.message("alice", f"<@{APP_ID}> the VPN drops every few minutes and I can't work",
                            channel=GENERAL, mention_bot=True)
    discord_desk.receive("MESSAGE_CREATE", message)
    ticket = people.ticket("INC-1")
    assert ticket.title == "the VPN drops every few minutes and I can't work"  # the mention is not part of it
    assert (ticket.conversation_channel, ticket.conversation_thread) == (str(GENERAL), message["id"])

    calls = discord_desk.relay()
    [opened] = world.api.find("POST", rf"/channels/{GENERAL}/messages/{message['id']}/threads", calls)
    assert opened.json["name"].startswith("INC-1 · the VPN drops")
    [in_thread] = world.posts_to(message["id"])  # a thread started on a message has the message's id
    assert "INC-1" in in_thread["content"] and fields(in_thread["embeds"][0])["Status"] == "new"
    assert not world.posts_to(GENERAL)  # nothing cluttering the channel itself


def test_the_requesters_replies_in_the_thread_become_comments_and_others_chat_freely(discord_desk, world, people):
    message = world.message("alice", f"<@{APP_ID}> the VPN drops every few minutes", channel=GENERAL, mention_bot=True)
    discord_desk.receive("MESSAGE_CREATE", message)
    discord_desk.relay()
    discord_desk.receive("THREAD_CREATE", world.thread_create(message["id"], parent=GENERAL))

    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "it drops on the hotspot too", channel=message["id"]))
    discord_desk.receive("MESSAGE_CREATE", world.message("bea", "same for me lol", channel=message["id"]))

    ticket = people.ticket("INC-1")
    assert [(c.author, c.visibility, c.body) for c in ticket.comments] == [("Alice", "public", "it drops on the hotspot too")]
    assert people.ticket("INC-2") is None  # Bea's chatter opened nothing
    calls = discord_desk.relay()
    card = world.card_in(TECHNICAL)
    assert world.api.find("PATCH", rf"/channels/{TECHNICAL}/messages/{card['id']}", calls)  # the card is refreshed
    news = [c.json for c in world.api.find("POST", rf"/channels/{TECHNICAL}/messages", calls)]
    assert [n["content"] for n in news] == ["Alice added to INC-1: it drops on the hotspot too"]
    assert str(news[0]["message_reference"]["message_id"]) == card["id"]  # as a reply under the card
    assert [m["content"] for m in world.posts_to(message["id"])][-1] == "Added to INC-1."


def test_server_messages_not_addressed_to_the_desk_are_left_alone(discord_desk, world, people):
    chatter = [
        world.message("alice", "my laptop is broken again", channel=GENERAL),
        world.message("alice", "@everyone my laptop is broken", channel=GENERAL, everyone=True),
        world.message("alice", f"<@&{SUPPORT_ROLE}> laptop broken", channel=GENERAL, mention_roles=(SUPPORT_ROLE,)),
    ]
    bots_own = world.message("alice", "New INC-9 · P1", channel=GENERAL)
    bots_own["author"] = world.bot_user
    for message in chatter + [bots_own]:
        assert discord_desk.receive("MESSAGE_CREATE", message) == []
    assert people.ticket("INC-1") is None and people.outbox() == []


def test_reposted_text_never_pings_anyone(discord_desk, world, people):
    text = f"@everyone @here <@&{SUPPORT_ROLE}> <@1500000000000000002> the printer on floor 2 is on fire"
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", text))
    calls = discord_desk.relay()
    sent = [c.json for c in calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len(sent) == 2 and any("@everyone @here" in s["content"] for s in sent)  # shown as written...
    for payload in sent:  # ...but Discord is told to notify nobody
        assert payload["allowed_mentions"] == {"parse": []}

    discord_desk.interact(world.slash("agent", "show", ticket="INC-1"))
    [callback] = world.api.callbacks()
    assert "@everyone" in callback["data"]["embeds"][0]["title"]
    assert callback["data"]["allowed_mentions"] == {"parse": []}


class Unsure:
    """The trained model, reporting low confidence: the desk asks instead of guessing."""

    def __init__(self, model) -> None:
        self.model = model

    def classify(self, text: str):
        return replace(self.model.classify(text), confidence=0.3)


def test_a_clarification_is_asked_with_buttons_and_a_press_opens_the_ticket(discord_desk, world, people, desk):
    desk.classifier = Unsure(desk.classifier)
    discord_desk.receive("MESSAGE_CREATE", world.message("alice", "the badge reader at the server room door"))
    discord_desk.relay()
    [question] = world.posts_to(world.dm_channel("alice"))
    assert question["content"].startswith("I'm not sure I understood")
    assert [b["label"] for row in question["components"] for b in row["components"]] == [
        "Something is broken", "I need something", "I need access"]
    access = custom_ids(question)[2]
    assert access.startswith("sd:clarify:") and access.endswith(":access_request")

    calls = discord_desk.interact(world.press("alice", question, access))
    [update] = world.api.callbacks(calls)
    assert update["type"] == 7 and update["data"]["components"] == []  # the buttons go away
    assert "I need access" in update["data"]["content"]
    assert people.ticket("ACC-1").description == "the badge reader at the server room door"
    discord_desk.relay()
    assert "ACC-1" in world.posts_to(world.dm_channel("alice"))[-1]["content"]
