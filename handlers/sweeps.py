"""Every sweep the desk runs, in one place: `servicedesk serve` schedules them as interval jobs,
`servicedesk sweep` runs one pass of each and exits (cron, Kubernetes CronJob)."""
from __future__ import annotations

from collections.abc import Callable

from handlers import auto_close, major_incidents, sla_sweep, status_updates
from handlers import report_posting
from handlers import approvals, grants
from handlers.desk import Desk

SWEEPS: dict[str, Callable[[Desk], list[str]]] = {
    "sla": sla_sweep.sweep,
    "status-updates": status_updates.sweep,
    "auto-close": auto_close.sweep,
    "major-incidents": major_incidents.sweep,
    "weekly-report": report_posting.sweep,
    "approvals": approvals.sweep,  # remind approvers before the approval target, time out at it
    "access-expiry": grants.sweep,  # warn a day before expiry, revoke at it; record webhook deliveries
}


def run_all(desk: Desk) -> dict[str, list[str]]:
    """One pass of every sweep; what each did, for people."""
    return {name: sweep(desk) for name, sweep in SWEEPS.items()}
