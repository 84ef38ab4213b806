"""How every sweep walks its due rows: find them by an indexed due-time column, then claim each
ticket in its own short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL), re-read what is due
under the lock, act, and record what was done in the same commit.

A ticket another replica holds is skipped (it acts on it); a ticket whose work fails is logged
and skipped, so one bad row never stops the others. A pass continues until nothing is due, so
the first pass after downtime catches up completely.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from handlers import log_context
from handlers.desk import Desk
from storage.database import DatabaseUnavailable
from storage.models import Ticket
from storage.sla import claim_ticket

log = logging.getLogger(__name__)
BATCH = 200

Finder = Callable[..., list[int]]  # (session, *, now, limit, exclude) -> ticket ids
Action = Callable[[Session, Desk, Ticket, datetime], list[str]]  # -> what was done, for people


@log_context.scoped  # log lines carry the ticket being swept
def sweep_tickets(desk: Desk, *, name: str, find: Finder, act: Action, batch: int = BATCH) -> list[str]:
    now = desk.clock.now()
    done: list[str] = []
    seen: set[int] = set()
    passed_over: set[int] = set()  # held by someone else, failed, or not settled by `act`
    while True:
        with desk.database.session() as session:
            ids = find(session, now=now, limit=batch, exclude=passed_over)
        if not ids:
            return done
        for ticket_id in ids:
            if ticket_id in seen:  # still due after we acted: do not loop on it
                passed_over.add(ticket_id)
                continue
            seen.add(ticket_id)
            log_context.note(ticket=None)
            try:
                with desk.database.session() as session:
                    ticket = claim_ticket(session, ticket_id)
                    if ticket is None:
                        passed_over.add(ticket_id)
                        continue
                    log_context.note(ticket=ticket.ref)
                    done.extend(act(session, desk, ticket, now))
            except DatabaseUnavailable:
                raise
            except Exception:  # a bug on one ticket must not stop the sweep for the others
                log.exception("%s sweep failed on ticket id %s", name, ticket_id)
                passed_over.add(ticket_id)
