"""Which module answers a pressed button, by the prefix of its value.

Every question the desk asks with buttons (a Reply's `choices`) gives each button a value such as
`fu:12:yes` or `prb:new:INC-1,INC-2`. Front ends hand a pressed value to
`clarification.answer_by_button`, which looks the prefix up here; the module named answers with
`answer_by_button(desk, person, value) -> Reply | None`. Values without a listed prefix are the
clarification's own (`QUESTION:KIND`).
"""
from __future__ import annotations

from importlib import import_module

ROUTES: dict[str, str] = {
    "fu:": "handlers.follow_up",  # "Is it fixed?" and satisfaction ratings
    "ke:": "handlers.known_errors",  # a known error's workaround offered at intake
    "prb:": "handlers.problems",  # problem buttons: resolve linked incidents, open a problem
    "cat:": "handlers.request_fulfilment",  # catalog requests: "Sounds like X: right?" and field choices
    "apr:": "handlers.approvals",  # Approve / Deny in an approver's direct message
}


def route(value: str):
    """The `answer_by_button` for a button value, or None when no module claims its prefix."""
    for prefix, module in ROUTES.items():
        if value.startswith(prefix):
            return import_module(module).answer_by_button
    return None

