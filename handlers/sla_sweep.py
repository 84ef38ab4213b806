"""The SLA sweep: warn at 75% of a target, escalate at a breach, each step once.

Due clocks are found by `sla_clocks.next_check_at` (indexed). For each ticket, under its lock, the
due clocks are re-read and acted on; the step is recorded on the clock (`warned_at`,
`breached_at`) and `next_check_at` moves to the next step, in the same transaction as the
notifications, so a repeated sweep does nothing. After downtime a clock whose deadline has
passed goes straight to the breach (the warning would come too late to help).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers import escalation, sla_clock
from handlers.desk import Desk
from handlers.sweeping import sweep_tickets
from storage import sla as store
from storage.models import Ticket


def sweep(desk: Desk) -> list[str]:
    return sweep_tickets(desk, name="SLA", find=store.due_ticket_ids, act=_check)


def _check(session: Session, desk: Desk, ticket: Ticket, now: datetime) -> list[str]:
    sla_clock.reconcile(desk.organisation, ticket, now=now)
    done: list[str] = []
    for clock in store.due_clocks(session, ticket_id=ticket.id, now=now):
        if clock.breached_at is None and clock.due_at <= now:
            clock.warned_at = clock.warned_at or now
            clock.breached_at = now
            done.append(escalation.breach(session, desk, ticket, clock))
        elif clock.warned_at is None and clock.warn_at <= now:
            clock.warned_at = now
            done.append(escalation.warn(session, desk, ticket, clock))
        sla_clock.settle(clock)
    return done
