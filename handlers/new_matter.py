"""Whether a message written while the desk waits for an answer is a new matter instead.

The desk keeps questions open (a catalog field, an access request's duration, "Is it fixed?", a
rating). A person who has moved on writes about something else; taking that as the answer loses
the new matter and fills the old one with nonsense. A message reads as new when the model files
it as a ticket kind with confidence and it is a sentence rather than a short reply.
"""
from __future__ import annotations

from handlers.desk import Desk

TICKET_INTENTS = ("incident", "service_request", "access_request")
SENTENCE_WORDS = 4  # "yes", "7 days", "MacBook Air 13" are replies; "I need prod ssh" is a matter


def reads_as_new_matter(desk: Desk, classification, text: str) -> bool:
    """True when `text` opens something new rather than answering a pending question."""
    if classification is None or classification.intent not in TICKET_INTENTS:
        return False
    if classification.confidence < desk.organisation.nlp.confidence_threshold:
        return False
    return len(text.split()) >= SENTENCE_WORDS


_REMINDERS = "servicedesk.reminders"


def remind_after(session, ticket, text: str, choices: list[tuple[str, str]] | None = None) -> None:
    """Repeat a pending question once the message at hand is dealt with: intake sends what was
    noted here after its own answer (a new ticket's confirmation), in the same transaction."""
    session.info.setdefault(_REMINDERS, []).append((ticket, text, choices))


def send_reminders(session, desk: Desk) -> None:
    """Send the reminders noted so far (intake at the end of a message; a new catalog request
    before its own question, so that the last question shown is the one a plain answer goes to)."""
    from handlers import notify  # notify reads the organisation's channels; only needed here

    for ticket, text, choices in session.info.pop(_REMINDERS, []):
        notify.requester(session, desk, ticket, event="reminder", text=text, choices=choices)
