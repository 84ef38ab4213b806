"""A comment written just after a rating: "4", then "great service but slow".

The rating question says a comment can come with the number; people often send the number (or
press its button) and then write. A message that comes within `COMMENT_WITHIN` of a rating given
without a comment is added to that rating ("Thanks, added to your rating of INC-1.") when:
- the rating is the latest thing the desk asked the person, and nothing was opened or asked since
  (a new ticket, "I'm not sure I understood ...");
- it names no other ticket, and reads as a comment (handlers/rating_reading.py
  `reads_as_rating_comment`): words about the service or the people who did it, unless the model
  is sure it is a new ticket; otherwise a statement the model does not file as a ticket. Not a
  question, a greeting, thanks alone, or word that the trouble is back.
One comment per rating: once it has one, later messages go on to intake.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from handlers import clarification, notify
from handlers.desk import Desk
from handlers.messages import Person, Reply
from handlers.rating_reading import reads_as_rating_comment
from storage import audit
from storage import follow_up as store
from storage.follow_up import RATING, FollowUp
from storage.models import Ticket

COMMENT_WITHIN = timedelta(minutes=30)


def comment_after_rating(session: Session, desk: Desk, person: Person, text: str, classification,
                         open_now: list[FollowUp], about: str | None) -> Reply | None:
    """Add `text` to the person's rating just given, when it is a comment on it (module docstring);
    None otherwise. `open_now`: the person's answerable follow-ups, newest first; `about`: the
    ticket the message names or whose thread it is in."""
    from handlers.lifecycle import actor_for  # the life cycle imports handlers.follow_up, which imports us

    rated = open_now[0] if open_now and open_now[0].kind == RATING else None  # the latest thing asked
    now = desk.clock.now()
    if rated is None or rated.answered_at is None or now - rated.answered_at > COMMENT_WITHIN:
        return None
    ticket = session.get(Ticket, rated.ticket_id)
    if ticket is None or (about is not None and about != ticket.ref):
        return None
    if store.opened_since(session, platform=person.platform, user_id=person.user_id, since=rated.answered_at):
        return None
    asked = clarification.pending(session, desk, person)
    if asked is not None and asked.created_at >= rated.answered_at:
        return None  # the desk asked something since ("I'm not sure I understood ...")
    staff = {m.name.lower() for m in desk.organisation.staff}
    staff |= {m.display_name.split()[0].lower() for m in desk.organisation.staff if m.display_name}
    if not reads_as_rating_comment(text, classification, rated_ref=ticket.ref, staff_names=staff,
                                   threshold=desk.organisation.nlp.confidence_threshold):
        return None
    rated.comment = " ".join(text.split())[:2000]
    actor = actor_for(desk, person)
    audit.record(session, actor=actor.name, action="satisfaction_comment", ticket=ticket, field="rating",
                 after=rated.answer, reason=rated.comment, at=now)
    notify.queue_channel(session, desk, ticket, event="satisfaction",
                         text=f"{ticket.requester_name} added to the {rated.answer}/5 rating of {ticket.ref}: "
                              f"{rated.comment}")
    return Reply(f"Thanks, added to your rating of {ticket.ref}.")
