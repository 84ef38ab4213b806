"""Each step up the tiers tells the requester something new: where the ticket is now."""
from __future__ import annotations


def test_a_second_escalation_tells_the_requester_it_went_further_not_the_same_again(people):
    people.say("alice", "my laptop won't turn on")
    assert people.sd("agent", "/sd escalate INC-1 needs a board swap").ok
    assert people.sd("agent", "/sd escalate INC-1 vendor part needed").ok
    told = [text for _, address, text in people.outbox() if address == "@alice" and "escalated" in text
            or address == "@alice" and "senior team" in text]
    assert told == ["INC-1 is now being looked at by a more senior team.",
                    "INC-1 has been escalated again: Infrastructure engineering is looking at it now."]
