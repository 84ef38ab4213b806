"""What reaches the desk is Slack's, verified; what the desk reposts can't ping or mislead anyone."""
from __future__ import annotations

import json
import re

from tests.bot.slack_front.conftest import texts, visible
from tests.fakes.slack_requests import SignedRequest

LAPTOP = "my laptop won't turn on since this morning"
CONTROL = re.compile(r"<(?!!date\^)[!@#]|<https?:|<mailto:")  # our own date tokens are fine


def test_a_forged_signature_is_refused_and_nothing_happens(slack, people):
    forged = slack.requests.event(slack.requests.dm("U0ALICE", LAPTOP), forged=True)
    response = slack.post(forged)
    assert response.status_code == 401
    slack.settle()
    assert people.ticket("INC-1") is None and slack.api.calls_to("chat.postMessage") == []


def test_a_stale_timestamp_is_refused_even_with_a_valid_signature(slack, people):
    stale = slack.requests.event(slack.requests.dm("U0ALICE", LAPTOP), age_seconds=6 * 60)
    assert slack.post(stale).status_code == 401
    command = slack.requests.command("U0AGENT", "list", age_seconds=10 * 60)
    assert slack.post(command).status_code == 401
    slack.settle()
    assert people.ticket("INC-1") is None and slack.api.calls_to("respond") == []


def test_unsigned_and_tampered_requests_are_refused(slack, people):
    assert slack.http.post("/slack/events", json={"type": "event_callback"}).status_code == 401
    good = slack.requests.event(slack.requests.dm("U0ALICE", LAPTOP))
    tampered = SignedRequest(good.body.replace(b"laptop", b"server"), good.headers)
    assert slack.post(tampered).status_code == 401
    slack.settle()
    assert people.ticket("INC-1") is None


def test_malformed_payloads_get_a_clear_answer_not_a_traceback(slack, people):
    broken_json = slack.requests.sign(b'{"type": "event_callback", "event": ', "application/json")
    response = slack.post(broken_json)
    assert (response.status_code, response.json()) == (400, {"error": "malformed payload"})
    broken_form = slack.requests.sign(b"payload=%7Bnot-json", "application/x-www-form-urlencoded")
    assert slack.post(broken_form).status_code == 400
    not_utf8 = slack.requests.sign(b"\xff\xfe\x00", "application/json")
    assert slack.post(not_utf8).status_code == 400
    unsigned_garbage = SignedRequest(b"{{{", {"Content-Type": "application/json"})
    assert slack.post(unsigned_garbage).status_code == 401
    # A signed event with parts missing is acknowledged and ignored.
    assert slack.event({"type": "message", "channel_type": "im"}).status_code == 200
    assert slack.event({"type": "reaction_added", "reaction": "ticket"}).status_code == 200
    slack.settle()
    assert "Traceback" not in response.text and people.ticket("INC-1") is None


def test_slacks_url_verification_is_answered(slack):
    body = json.dumps({"token": "t", "challenge": "c-123", "type": "url_verification"}).encode()
    response = slack.post(slack.requests.sign(body, "application/json"))
    assert response.status_code == 200 and response.json() == {"challenge": "c-123"}


def test_mentions_and_disguised_links_in_user_text_are_neutralised(slack, people):
    sneaky = ("<!channel> <!here> my laptop won't turn on, call <@U0BOB> at "
              "<http://evil.example|https://bank.example> &lt;!everyone&gt;")
    slack.event(slack.requests.dm("U0ALICE", sneaky, ts="1700000000.000900"))
    slack.settle()

    # The record reads as a person would: names, and the link's real target.
    description = people.ticket("INC-1").description
    assert description == ("@channel @here my laptop won't turn on, call @Bob at "
                           "https://bank.example (http://evil.example) <!everyone>")

    shown = slack.api.calls_to("chat.postMessage") + slack.api.calls_to("chat.update")
    assert len(shown) == 2
    for params in shown:
        for kind, text in texts(params):
            if kind == "mrkdwn":  # Slack parses these: nothing in them may be a live control sequence
                assert not CONTROL.search(text), text
        assert params["link_names"] is False and params["unfurl_links"] is False
    team_card = slack.posts("C0TECHNICAL")[0]
    assert "https://bank.example (http://evil.example)" in visible(team_card)  # the disguise is gone
    assert "&lt;!everyone&gt;" in team_card["text"]  # typed-out markup stays text


def test_a_display_name_cannot_inject_markup_either(slack, slack_api, people):
    slack_api.add_user("U0MALLORY", "<!channel> *Mallory*")
    slack.event(slack.requests.dm("U0MALLORY", LAPTOP))
    slack.settle()
    for params in slack.api.calls_to("chat.postMessage"):
        for kind, text in texts(params):
            if kind == "mrkdwn":
                assert "<!channel>" not in text, text
    assert "Requester: <!channel> *Mallory*" in visible(slack.posts("C0TECHNICAL")[0])  # plain text
