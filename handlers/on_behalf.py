"""Staff log a ticket for someone else (a phone call, a walk-up, Slack's `/sd new` modal)."""
from __future__ import annotations

from handlers.desk import Desk
from handlers.intake import KINDS, clean, open_ticket
from handlers.lifecycle import DeskError, Refused, actor_for
from handlers.messages import Conversation, Person, Reply
from handlers.organisation import QUEUES
from nlp.priority import priority_for

LEVELS = ("high", "medium", "low")


def log_on_behalf(
    desk: Desk,
    staff: Person,
    *,
    requester: Person,
    conversation: Conversation,
    kind: str,
    description: str,
    impact: str | None = None,
    urgency: str | None = None,
    queue: str | None = None,
) -> Reply:
    """Open a ticket for `requester`, with the kind staff chose; the queue (unless given), impact
    and urgency are inferred from the text where staff left them out. Staff only."""
    actor = actor_for(desk, staff)
    try:
        if actor.staff is None:
            raise Refused("Sorry, only support staff can log tickets for someone else.")
        text = clean(description)
        if not text:
            raise DeskError("Describe the problem or the request, so the team knows what to do.")
        if kind not in KINDS:
            raise DeskError(f"'{kind}' is not a kind; use incident, service_request or access_request.")
        for name, value in (("impact", impact), ("urgency", urgency)):
            if value is not None and value not in LEVELS:
                raise DeskError(f"{name} must be high, medium or low, not '{value}'.")
        if queue is not None and queue not in QUEUES:
            raise DeskError(f"'{queue}' is not a queue; use one of: {', '.join(QUEUES)}.")
    except DeskError as error:
        return Reply(str(error), ok=False)
    guess = desk.classifier.classify(text)
    impact, urgency = impact or guess.impact, urgency or guess.urgency
    with desk.database.session() as session:
        ticket = open_ticket(
            session, desk, person=requester, conversation=conversation, text=text, kind=kind,
            queue=queue or guess.queue or "technical", impact=impact, urgency=urgency,
            priority=priority_for(impact, urgency), actor_name=actor.name,
            note=f"logged by {actor.label} for {requester.display_name}",
        )
        return Reply(f"Logged {ticket.ref} for {requester.display_name} ({ticket.queue}, {ticket.priority}).")
