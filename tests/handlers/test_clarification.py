from __future__ import annotations

from dataclasses import replace



class Unsure:
    """The trained model, but reporting low confidence: what the desk does in doubt."""

    def __init__(self, model) -> None:
        self.model = model

    def classify(self, text: str):
        return replace(self.model.classify(text), confidence=0.3)


def test_in_doubt_the_desk_asks_and_a_typed_number_opens_the_right_ticket(people, desk):
    desk.classifier = Unsure(desk.classifier)
    reply = people.say("alice", "the thing with the badge reader at the server room door")
    assert reply.text.startswith("I'm not sure")
    assert [label for _, label in reply.choices] == ["Something is broken", "I need something", "I need access"]
    assert people.outbox() == []  # nothing opened yet
    assert people.say("alice", "3") is None
    ticket = people.ticket("ACC-1")
    assert ticket is not None and ticket.description.startswith("the thing with the badge reader")
    assert any("ACC-1" in t for d, a, t in people.outbox() if a == "@alice")


def test_a_button_answer_is_only_accepted_from_the_writer_and_once(people, desk):
    from handlers.clarification import answer_by_button

    desk.classifier = Unsure(desk.classifier)
    reply = people.say("alice", "printer on floor 3")
    incident_button = reply.choices[0][0]
    assert not answer_by_button(desk, people.person("bob"), incident_button).ok
    assert answer_by_button(desk, people.person("alice"), incident_button) is None
    assert people.ticket("INC-1") is not None
    assert "answered already" in answer_by_button(desk, people.person("alice"), incident_button).text


def test_a_status_question_is_answered_even_in_doubt(people, desk):
    people.say("alice", "my laptop won't turn on")
    desk.classifier = Unsure(desk.classifier)
    reply = people.say("alice", "INC-1??")
    assert "INC-1" in reply.text and not reply.choices


def test_a_ticket_named_in_doubt_is_answered_about_not_opened_again(people, desk):
    people.say("alice", "please install Visio on my computer")
    model = desk.classifier

    class ReadsARequest:  # the model half-believing an update question is a new request
        def classify(self, text: str):
            return replace(model.classify(text), intent="service_request", confidence=0.43)

    desk.classifier = ReadsARequest()
    reply = people.say("alice", "can i get an update on REQ-1 please")
    assert reply is not None and "REQ-1" in reply.text and "Visio" in reply.text
    assert not reply.choices
    assert people.ticket("REQ-2") is None


def test_reroute_and_kind_change_become_training_examples(people, desk):
    from storage.feedback import examples

    people.say("alice", "Excel crashes every time I open the budget file")
    ref = "INC-1"
    assert people.sd("agent", f"/sd queue {ref} technical").ok
    assert people.sd("agent", f"/sd kind {ref} service_request").ok
    with desk.database.session() as session:
        assert examples(session) == [
            {"text": "Excel crashes every time I open the budget file", "intent": "service_request", "queue": "technical"}
        ]
    assert people.ticket(ref).kind == "service_request"
    assert "already filed" in people.sd("agent", f"/sd kind {ref} request").text


def test_escalation_by_hand_tells_management_and_the_requester(people):
    people.say("alice", "my laptop won't turn on")
    assert people.sd("agent", "/sd escalate INC-1 vendor needed").ok
    assert people.ticket("INC-1").escalation_level == 1
    sent = people.outbox()
    assert any(a == "#managers" and "vendor needed" in t for d, a, t in sent)
    assert any(a == "@alice" and "more senior team" in t for d, a, t in sent)
    assert not people.sd("alice", "/sd escalate INC-1").ok
