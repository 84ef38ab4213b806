"""Proactive problem management: when N similar incidents arrive within M days (app.yaml
`problems`), the queue channel is asked "these look related; open a problem?", once per cluster.

Staff answer with the button (value `prb:new:INC-1,INC-2,...`) or by typing the command the
message shows; either opens a problem with those incidents linked.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from handlers.desk import Desk
from handlers.similarity import ranked
from storage import audit, outbox
from storage import problems as store
from storage.models import Ticket

EVENTS_PLATFORM = "events"
CANDIDATES = 500  # recent incidents compared with a new one


def check(session: Session, desk: Desk, ticket: Ticket) -> list[int]:
    """Look for incidents like `ticket` in the last M days; tell its queue when there are N with it.
    Returns the ids of the cluster announced (empty when nothing was said).

    Runs for every new incident, so it reads only ids, refs and descriptions (one query) and the
    words of each description come from similarity's per-process cache."""
    config = desk.organisation.problems
    now = desk.clock.now()
    since = now - timedelta(days=config.recurring_days)
    recent = store.recent_incident_texts(session, since=since, exclude_platform=EVENTS_PLATFORM, limit=CANDIDATES)
    candidates = [t for t in recent if t.id != ticket.id and not t.linked]
    if len(candidates) + 1 < config.recurring_incidents:
        return []
    scores = ranked(ticket.description, [t.text for t in candidates])
    similar = [candidates[index] for index, score in scores if score >= config.similarity_threshold]
    if len(similar) + 1 < config.recurring_incidents:
        return []
    cluster = sorted([(ticket.id, ticket.ref), *((t.id, t.ref) for t in similar)])
    ids = {ticket_id for ticket_id, _ in cluster}
    if any(ids & set(notice.ticket_ids) for notice in store.notices_since(session, since=since)):
        return []  # already asked about (some of) these
    store.add_notice(session, queue=ticket.queue, ticket_ids=sorted(ids), at=now)
    refs = [ref for _, ref in cluster]
    audit.record(session, actor="service desk", action="recurrence_noticed", ticket=ticket, field="problem",
                 reason=f"{len(cluster)} similar incidents within {config.recurring_days} days: {', '.join(refs)}",
                 at=now)
    _ask(session, desk, ticket, refs)
    return sorted(ids)


def _ask(session: Session, desk: Desk, ticket: Ticket, refs: list[str]) -> None:
    """The question goes to the queue's channel on the ticket's front end, with a button."""
    platform = ticket.conversation_platform
    channel = desk.organisation.queues[ticket.queue].channels.on(platform)
    if not channel:
        return
    days = desk.organisation.problems.recurring_days
    text = (f"These look related: {len(refs)} similar incidents within {days} days ({', '.join(refs)}), the latest "
            f"\"{ticket.title}\". Open a problem? /sd problem new {ticket.title[:80]} {' '.join(refs)}")
    outbox.enqueue(
        session, platform=platform, destination="channel", address=channel, event="recurring_incidents",
        payload={"text": text, "queue": ticket.queue, "refs": refs,
                 "choices": [[f"prb:new:{','.join(refs)}", "Open a problem"]]},
        at=desk.clock.now(),
    )
