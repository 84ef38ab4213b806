"""End users in Slack: a DM or a mention opens a ticket and gets its card in the thread, replies in
that thread are comments, status changes come back there, questions come with buttons, and a
:ticket: reaction turns someone's message into their ticket."""
from __future__ import annotations

from dataclasses import replace

from tests.bot.slack_front.conftest import buttons, visible

LAPTOP = "my laptop won't turn on since this morning"


class Unsure:
    """The trained model, reporting low confidence: the desk asks instead of guessing."""

    def __init__(self, model) -> None:
        self.model = model

    def classify(self, text: str):
        return replace(self.model.classify(text), confidence=0.3)


def test_a_dm_opens_a_ticket_and_its_card_comes_back_in_the_thread(slack, people):
    response = slack.event(slack.requests.dm("U0ALICE", LAPTOP, ts="1700000000.000100"))
    assert response.text == ""  # the ack carries nothing; the answer follows
    slack.settle()

    ticket = people.ticket("INC-1")
    assert (ticket.requester_platform, ticket.requester_id, ticket.requester_name) == ("slack", "U0ALICE", "Alice")
    (card,) = slack.posts("DU0ALICE")
    assert card["thread_ts"] == "1700000000.000100"
    assert "I've logged INC-1" in visible(card) and "Status: :new: new" in visible(card)
    assert buttons(card) == {}  # the requester gets no staff buttons
    (team_card,) = slack.posts("C0TECHNICAL")
    assert "INC-1" in visible(team_card) and "Requester: Alice" in visible(team_card)
    assert set(buttons(team_card)) == {"sd_take", "sd_assign", "sd_resolve", "sd_escalate"}


def test_a_mention_is_answered_in_its_thread_and_the_thread_follows_the_ticket(slack, people):
    slack.event(slack.requests.mention("U0ALICE", LAPTOP, channel="C0GENERAL", ts="1700000000.000200"))
    slack.settle()
    (card,) = slack.posts("C0GENERAL")
    assert card["thread_ts"] == "1700000000.000200" and "INC-1" in visible(card)
    assert people.ticket("INC-1").description == LAPTOP  # the bot's own mention is not part of it

    # The requester adds to it in the thread (no mention needed): a public comment, the team hears.
    slack.event(slack.requests.channel_message("U0ALICE", "it beeps three times now", channel="C0GENERAL",
                                               thread_ts="1700000000.000200"))
    slack.settle()
    assert [c.body for c in people.ticket("INC-1").comments] == ["it beeps three times now"]
    assert any("Alice added to INC-1: it beeps three times now" in visible(p)
               for p in slack.posts("C0TECHNICAL", thread=slack.posts("C0TECHNICAL")[0]["ts"]))
    assert "Added to INC-1." in visible(slack.posts("C0GENERAL", thread="1700000000.000200")[-1])

    # A status change reaches the requester in the same thread.
    slack.post(slack.requests.command("U0AGENT", "take INC-1", response_url=slack.api.response_url()))
    slack.settle()
    assert "Sam (Service Desk) is now looking after your incident INC-1." in visible(
        slack.posts("C0GENERAL", thread="1700000000.000200")[-1])


def test_others_in_a_ticket_thread_add_to_it_and_channel_chatter_is_ignored(slack, people):
    slack.event(slack.requests.mention("U0ALICE", LAPTOP, channel="C0GENERAL", ts="1700000000.000300"))
    slack.settle()
    slack.event(slack.requests.channel_message("U0BEA", "mine does the same", channel="C0GENERAL",
                                               thread_ts="1700000000.000300"))
    slack.settle()  # (two events at once are handled in parallel, in either order)
    slack.event(slack.requests.channel_message("U0AGENT", "try holding the power button for 30s",
                                               channel="C0GENERAL", thread_ts="1700000000.000300"))
    slack.event(slack.requests.channel_message("U0BEA", "lunch anyone? my printer is broken lol",
                                               channel="C0GENERAL"))
    slack.settle()
    ticket = people.ticket("INC-1")
    assert [(c.author, c.body) for c in ticket.comments] == [
        ("Bea", "mine does the same"), ("agent", "try holding the power button for 30s")]
    assert ticket.first_responded_at is not None  # staff answering in the thread is a response
    assert people.ticket("INC-2") is None  # chatter outside the desk's threads opens nothing
    assert len(slack.posts("C0GENERAL")) == 1  # and nothing is reposted into the thread


def test_any_update_is_answered_from_the_record(slack, people):
    slack.event(slack.requests.dm("U0ALICE", LAPTOP))
    slack.settle()
    slack.event(slack.requests.dm("U0ALICE", "any update on INC-1?", ts="1700000000.000400"))
    slack.settle()
    (answer,) = slack.posts("DU0ALICE", thread="1700000000.000400")
    assert "INC-1 (my laptop won't turn on since this morning) is new, waiting to be picked up" in visible(answer)
    assert people.ticket("INC-2") is None


def test_in_doubt_the_desk_asks_with_buttons_and_a_press_opens_the_ticket(slack, desk, people):
    desk.classifier = Unsure(desk.classifier)
    slack.event(slack.requests.dm("U0ALICE", "the thing with the badge reader", ts="1700000000.000500"))
    slack.settle()
    (question,) = slack.posts("DU0ALICE")
    choices = buttons(question)
    assert [b["text"]["text"] for b in choices.values()] == [
        "Something is broken", "I need something", "I need access"]
    access = next(b for b in choices.values() if b["text"]["text"] == "I need access")

    # Only the writer's answer counts.
    slack.post(slack.requests.button("U0BEA", access["action_id"], access["value"], channel="DU0ALICE",
                                     message_ts=question["ts"], response_url=slack.api.response_url("bea")))
    slack.settle()
    assert people.ticket("ACC-1") is None
    assert any("That question was for someone else." in text for text in slack.answers_to("U0BEA"))

    slack.post(slack.requests.button("U0ALICE", access["action_id"], access["value"], channel="DU0ALICE",
                                     message_ts=question["ts"]))
    slack.settle()
    assert people.ticket("ACC-1").description == "the thing with the badge reader"
    assert "I've logged ACC-1" in visible(slack.posts("DU0ALICE", thread="1700000000.000500")[-1])


def test_a_ticket_reaction_opens_a_ticket_for_the_author_and_records_who_reacted(slack, people):
    slack.api.add_message("C0GENERAL", "1700000000.000600", "U0BEA", "the printer on floor 3 is jammed again")
    reaction = slack.requests.reaction("U0ZOE", author="U0BEA", channel="C0GENERAL", ts="1700000000.000600")
    slack.event(reaction, event_id="EvREACT1")
    slack.settle()
    slack.event(reaction, event_id="EvREACT1", retry_num=1)  # Slack retrying the same event
    slack.event(slack.requests.reaction("U0ALICE", author="U0BEA", channel="C0GENERAL", ts="1700000000.000600"))
    slack.settle()

    ticket = people.ticket("INC-1")
    assert (ticket.requester_id, ticket.requester_name) == ("U0BEA", "Bea")
    assert "Zoe opened" in people.sd("agent", "/sd show INC-1").text
    (reply,) = slack.posts("C0GENERAL")
    assert reply["thread_ts"] == "1700000000.000600" and "I've logged INC-1" in visible(reply)
    assert people.ticket("INC-2") is None  # a second :ticket: on the same message opens nothing more

    # Other reactions, and reactions on the desk's own messages, are not tickets.
    slack.event(slack.requests.reaction("U0ZOE", author="U0BEA", channel="C0GENERAL", ts="1700000000.000600",
                                        name="thumbsup"))
    slack.event(slack.requests.reaction("U0ZOE", author=slack.api.bot_user_id, channel="C0GENERAL",
                                        ts=reply["ts"]))
    slack.settle()
    assert people.ticket("INC-2") is None


def test_a_reaction_on_small_talk_tells_only_the_reactor_why_nothing_opened(slack, people):
    slack.api.add_message("C0GENERAL", "1700000000.000700", "U0BEA", "thanks everyone, great meeting!")
    slack.event(slack.requests.reaction("U0ZOE", author="U0BEA", channel="C0GENERAL", ts="1700000000.000700"))
    slack.settle()
    assert people.ticket("INC-1") is None and people.ticket("REQ-1") is None
    assert slack.posts("C0GENERAL") == []
    assert any("opened nothing" in text for text in slack.answers_to("U0ZOE"))


def test_the_desks_own_messages_and_edits_are_not_messages_to_it(slack, people):
    own = slack.requests.dm(slack.api.bot_user_id, LAPTOP)
    own["bot_id"] = slack.api.bot_id
    edited = slack.requests.dm("U0ALICE", LAPTOP)
    edited["subtype"] = "message_changed"
    slack.event(own)
    slack.event(edited)
    slack.settle()
    assert people.ticket("INC-1") is None and slack.posts() == []
