"""Problem management: PRB records, known errors whose workaround reaches users at once, and
recurring incidents noticed before anyone asks."""
from __future__ import annotations

from sqlalchemy import select

from handlers.clarification import answer_by_button
from storage.models import OutboxMessage

VPN_ALICE = "The VPN keeps disconnecting every few minutes and I lose my work"
VPN_BOB = "my VPN connection drops every couple of minutes, very annoying"
VPN_ERIN = "VPN disconnecting again every few minutes"
WORKAROUND = "Switch to the wired network or the Guest Wi-Fi until the access point firmware is updated"


def _to(people, who: str) -> list[str]:
    return [text for destination, address, text in people.outbox() if address == f"@{who}"]


def _choices(desk, text_part: str) -> list[list[str]]:
    with desk.database.session() as session:
        for message in session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars():
            if text_part in message.payload.get("text", ""):
                return message.payload.get("choices") or []
    return []


def _two_vpn_incidents(people) -> tuple[str, str]:
    people.say("alice", VPN_ALICE)
    people.say("bob", VPN_BOB)
    alice = people.ticket("INC-1")
    bob = people.ticket("INC-2")
    assert alice.requester_id == "alice" and bob.requester_id == "bob"
    return alice.ref, bob.ref


def test_a_known_errors_workaround_reaches_linked_requesters_and_the_next_reporter(people, desk):
    first, second = _two_vpn_incidents(people)
    opened = people.sd("agent", f"/sd problem new VPN drops every few minutes {first} {second}")
    assert opened.ok and opened.text.startswith("PRB-1 opened") and f"{first}, {second}" in opened.text
    assert "problem: PRB-1 (open): VPN drops every few minutes" in people.sd("agent", f"/sd show {first}").text
    assert people.sd("agent", "/sd problem cause PRB-1 access point firmware 2.1 drops idle tunnels").ok

    known = people.sd("agent", f"/sd problem known-error PRB-1 {WORKAROUND}")
    assert known.ok and f"{first}, {second}" in known.text
    for who in ("alice", "bob"):
        assert any("known issue (PRB-1" in text and WORKAROUND in text for text in _to(people, who)), who
    assert WORKAROUND in people.sd("alice", f"/sd show {first}").text  # the requester sees it on the ticket too

    people.say("erin", VPN_ERIN)  # the next user who reports the same thing
    offer = [text for text in _to(people, "erin") if text.startswith("This looks like a known issue")]
    assert offer and WORKAROUND in offer[0] and "Did this fix it?" in offer[0]
    assert [label for _, label in _choices(desk, "This looks like a known issue")] == ["Yes, that fixed it",
                                                                                      "No, still broken"]
    reply = people.say("erin", "yes, that fixed it")
    assert reply.ok and "resolved INC-3" in reply.text
    ticket = people.ticket("INC-3")
    assert ticket.status == "resolved" and "PRB-1" in ticket.resolution
    assert "problem: PRB-1" in people.sd("agent", "/sd show INC-3").text
    assert "INC-3 (resolved)" in people.sd("agent", "/sd problem show PRB-1").text


def test_no_keeps_the_incident_with_the_team_and_a_button_answers_too(people, desk):
    first, second = _two_vpn_incidents(people)
    people.sd("agent", f"/sd problem new VPN drops {first} {second}")
    people.sd("agent", f"/sd problem known-error PRB-1 {WORKAROUND}")
    people.say("erin", VPN_ERIN)
    assert "Sorry it didn't help" in people.say("erin", "no").text
    assert people.ticket("INC-3").status == "new"
    assert any("did not fix it" in c.body for c in people.ticket("INC-3").comments)

    people.say("frank", "VPN keeps dropping every few minutes for me as well")
    yes_button = _choices(desk, "This looks like a known issue")[0][0]
    assert not answer_by_button(desk, people.person("erin"), yes_button).ok  # not erin's question
    assert answer_by_button(desk, people.person("frank"), yes_button).ok
    assert people.ticket("INC-4").status == "resolved"
    assert "answered already" in answer_by_button(desk, people.person("frank"), yes_button).text


def test_unrelated_reports_get_no_workaround_and_yes_without_an_offer_is_an_ordinary_message(people, desk):
    first, second = _two_vpn_incidents(people)
    people.sd("agent", f"/sd problem new VPN drops {first} {second}")
    people.sd("agent", f"/sd problem known-error PRB-1 {WORKAROUND}")
    people.say("erin", "The printer on floor 3 is jammed and shows error E52")
    assert not any("known issue" in text for text in _to(people, "erin"))
    people.say("erin", "yes")
    assert people.ticket("INC-3").status == "new"


def test_resolving_a_problem_offers_to_resolve_its_open_incidents(people, desk):
    first, second = _two_vpn_incidents(people)
    people.sd("agent", f"/sd problem new VPN drops {first}")
    assert people.sd("agent", f"/sd problem link PRB-1 {second}").ok
    assert not people.sd("agent", f"/sd problem link PRB-1 {second}").ok  # linked already
    answer = people.sd("agent", "/sd problem resolve PRB-1")
    assert answer.ok and f"still open: {first}, {second}" in answer.text
    assert [label for _, label in answer.choices] == ["Resolve them too", "Leave them open"]
    assert people.ticket(first).status == "new"
    pressed = answer_by_button(desk, people.person("agent"), answer.choices[0][0])
    assert pressed.ok and f"Resolved {first}, {second}" in pressed.text
    assert people.ticket(first).status == "resolved" and "PRB-1" in people.ticket(first).resolution
    assert any(f"{first} is resolved" in text for text in _to(people, "alice"))


def test_problem_commands_are_for_staff_and_bad_input_gets_clear_answers(people):
    people.say("alice", VPN_ALICE)
    refused = people.sd("alice", "/sd problem new VPN drops INC-1")
    assert not refused.ok and "only support staff" in refused.text
    assert not people.sd("agent", "/sd problem new").ok
    assert "not a problem id" in people.sd("agent", "/sd problem cause INC-1 because").text
    assert "no problem PRB-9" in people.sd("agent", "/sd problem show PRB-9").text
    assert "not a problem command" in people.sd("agent", "/sd problem frobnicate").text
    people.say("alice", "I need Visio installed on my laptop please")
    people.sd("agent", "/sd problem new Visio")
    assert "only incidents" in people.sd("agent", "/sd problem link PRB-1 REQ-1").text


def test_recurring_incidents_are_noticed_once_and_the_button_opens_a_problem(people, desk, clock):
    people.say("alice", "Outlook crashes every time I open a PDF attachment")
    clock.advance(days=1)
    people.say("bob", "outlook crashed again when opening an attachment (pdf)")
    assert not any("look related" in text for _, _, text in people.outbox())
    clock.advance(days=2)
    people.say("erin", "Outlook crashes when I open PDF attachments")
    notices = [(address, text) for _, address, text in people.outbox() if "look related" in text]
    assert len(notices) == 1
    address, text = notices[0]
    assert address == "#application" and "INC-1, INC-2, INC-3" in text and "Open a problem?" in text
    people.say("frank", "Outlook crashing when opening a PDF attachment")
    assert len([t for _, _, t in people.outbox() if "look related" in t]) == 1  # not again for the same cluster

    [[button, label]] = _choices(desk, "look related")
    assert label == "Open a problem"
    assert not answer_by_button(desk, people.person("alice"), button).ok  # staff only
    opened = answer_by_button(desk, people.person("agent"), button)
    assert opened.ok and "PRB-1 opened" in opened.text and "INC-1, INC-2, INC-3" in opened.text


def test_incidents_further_apart_than_the_window_are_not_recurring(people, clock):
    people.say("alice", "Outlook crashes every time I open a PDF attachment")
    clock.advance(days=8)
    people.say("bob", "outlook crashed again when opening an attachment (pdf)")
    clock.advance(days=1)
    people.say("erin", "Outlook crashes when I open PDF attachments")
    assert not any("look related" in text for _, _, text in people.outbox())
