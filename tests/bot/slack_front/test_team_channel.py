"""Team channels: each new ticket gets a card with Take, Assign, Resolve and Escalate; pressing
them updates the card in place (chat.update), so the channel always shows the current state."""
from __future__ import annotations

from tests.bot.slack_front.conftest import buttons, visible

LAPTOP = "my laptop won't turn on since this morning"


def _ticket_with_card(slack) -> dict:
    slack.event(slack.requests.dm("U0ALICE", LAPTOP, ts="1700000000.000100"))
    slack.settle()
    (card,) = slack.posts("C0TECHNICAL")
    return card


def _card_now(slack, card: dict) -> dict:
    """The card as Slack shows it after the last chat.update."""
    updates = [u for u in slack.api.calls_to("chat.update") if u["ts"] == card["ts"]]
    return updates[-1] if updates else card


def test_take_updates_the_card_in_place_and_tells_the_requester(slack, people):
    card = _ticket_with_card(slack)
    take = buttons(card)["sd_take"]
    slack.post(slack.requests.button("U0AGENT", "sd_take", take["value"], channel="C0TECHNICAL",
                                     message_ts=card["ts"], response_url=slack.api.response_url()))
    slack.settle()

    (update,) = slack.api.calls_to("chat.update")
    assert (update["channel"], update["ts"]) == ("C0TECHNICAL", card["ts"])
    assert "Assignee: Sam (Service Desk)" in visible(update) and "Status: :bust_in_silhouette: assigned" in visible(update)
    assert set(buttons(update)) == {"sd_take", "sd_assign", "sd_resolve", "sd_escalate"}  # still open
    assert len(slack.posts("C0TECHNICAL", thread=None)) == 2  # the card, and one reply in its thread
    (note,) = slack.posts("C0TECHNICAL", thread=card["ts"])
    assert "INC-1 taken by Sam (Service Desk)." in visible(note)
    assert "Sam (Service Desk) is now looking after your incident INC-1." in visible(
        slack.posts("DU0ALICE", thread="1700000000.000100")[-1])
    assert people.ticket("INC-1").assignee == "agent"
    assert slack.api.calls_to("respond") == []  # success speaks through the card, not privately


def test_assign_with_the_user_picker_goes_by_slack_id(slack, people):
    card = _ticket_with_card(slack)
    slack.post(slack.requests.user_picked("U0AGENT", "sd_assign", "U0BOB", block_id="sd_card:INC-1",
                                          channel="C0TECHNICAL", message_ts=card["ts"]))
    slack.settle()
    assert people.ticket("INC-1").assignee == "bob"
    assert "Assignee: Bob (Technical)" in visible(_card_now(slack, card))
    assert any("Sam (Service Desk) assigned INC-1 to you" in visible(p) for p in slack.posts("U0BOB"))

    # Someone who isn't staff can't be picked.
    slack.post(slack.requests.user_picked("U0AGENT", "sd_assign", "U0BEA", block_id="sd_card:INC-1",
                                          channel="C0TECHNICAL", message_ts=card["ts"],
                                          response_url=slack.api.response_url("assign")))
    slack.settle()
    assert people.ticket("INC-1").assignee == "bob"
    assert any("Bea isn't listed as support staff" in text for text in slack.answers_to("U0AGENT"))


def test_resolve_asks_for_the_resolution_in_a_modal(slack, people):
    card = _ticket_with_card(slack)
    slack.post(slack.requests.button("U0AGENT", "sd_resolve", "INC-1", channel="C0TECHNICAL", message_ts=card["ts"]))
    slack.settle()
    (opened,) = slack.api.calls_to("views.open")
    modal = opened["view"]
    assert modal["type"] == "modal" and modal["title"]["text"] == "Resolve INC-1"

    # Submitting it empty is answered on the form itself, in the ack.
    empty = slack.post(slack.requests.view_submission("U0AGENT", modal, {"resolution": {"text": {
        "type": "plain_text_input", "value": "  "}}}))
    assert empty.status_code == 200
    assert empty.json() == {"response_action": "errors",
                            "errors": {"resolution": "Say what fixed it, so the requester knows."}}

    done = slack.post(slack.requests.view_submission("U0AGENT", modal, {"resolution": {"text": {
        "type": "plain_text_input", "value": "reseated the RAM"}}}))
    assert done.status_code == 200 and done.text == ""  # the modal closes
    slack.settle()
    ticket = people.ticket("INC-1")
    assert (ticket.status, ticket.resolution) == ("resolved", "reseated the RAM")
    shown = _card_now(slack, card)
    assert "Status: :white_check_mark: resolved" in visible(shown) and "Resolution: reseated the RAM" in visible(shown)
    assert buttons(shown) == {}  # nothing left to press on a resolved ticket
    assert "INC-1 is resolved: reseated the RAM" in visible(slack.posts("DU0ALICE")[-1])


def test_escalate_tells_management_and_the_card_shows_the_level(slack, people):
    card = _ticket_with_card(slack)
    slack.post(slack.requests.button("U0AGENT", "sd_escalate", "INC-1", channel="C0TECHNICAL", message_ts=card["ts"]))
    slack.settle()
    assert people.ticket("INC-1").escalation_level == 1
    assert "Escalation: level 1" in visible(_card_now(slack, card))
    (managers,) = slack.posts("C0MANAGERS")
    assert "escalated to level 1 by Sam (Service Desk)" in managers["text"]


def test_buttons_refuse_end_users_politely_and_change_nothing(slack, people):
    card = _ticket_with_card(slack)
    for action in ("sd_take", "sd_escalate", "sd_resolve"):
        slack.post(slack.requests.button("U0BEA", action, "INC-1", channel="C0TECHNICAL", message_ts=card["ts"],
                                         response_url=slack.api.response_url(action)))
    slack.settle()
    answers = slack.answers_to("U0BEA")
    assert sorted(answers) == sorted(f"Sorry, only support staff can {verb} tickets. If something is wrong, just "
                                     f"tell me and I'll log it." for verb in ("take", "escalate", "resolve"))
    assert slack.api.calls_to("chat.update") == [] and slack.api.calls_to("views.open") == []
    ticket = people.ticket("INC-1")
    assert (ticket.assignee, ticket.escalation_level, ticket.status) == (None, 0, "new")


def test_a_press_delivered_twice_acts_once(slack, people):
    card = _ticket_with_card(slack)
    press = slack.requests.button("U0AGENT", "sd_escalate", "INC-1", channel="C0TECHNICAL", message_ts=card["ts"],
                                  trigger_id="trigger-once")
    assert slack.post(press).status_code == 200
    assert slack.post(press).status_code == 200
    slack.settle()
    assert people.ticket("INC-1").escalation_level == 1
    assert len(slack.posts("C0MANAGERS")) == 1


def test_a_deleted_card_is_posted_again_and_kept_up_to_date(slack, people):
    card = _ticket_with_card(slack)
    del slack.api.messages[("C0TECHNICAL", card["ts"])]  # someone deleted the card
    slack.post(slack.requests.command("U0AGENT", "take INC-1", response_url=slack.api.response_url("1")))
    slack.settle()
    new_card = slack.posts("C0TECHNICAL")[-1]
    assert new_card["ts"] != card["ts"] and "Assignee: Sam (Service Desk)" in visible(new_card)

    slack.post(slack.requests.command("U0AGENT", "priority INC-1 P2", response_url=slack.api.response_url("2")))
    slack.settle()
    assert "Priority: P2" in visible(_card_now(slack, new_card))  # the new card is the one updated
    assert len([p for p in slack.posts("C0TECHNICAL") if not p.get("thread_ts")]) == 2
