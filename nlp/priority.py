"""The ITIL priority matrix: impact x urgency -> P1..P5 (docs: SERVICE-OPERATION.md).

| impact \\ urgency | high | medium | low |
| ---------------- | ---- | ------ | --- |
| high             | P1   | P2     | P3  |
| medium           | P2   | P3     | P4  |
| low              | P3   | P4     | P5  |
"""

from __future__ import annotations

LEVELS: tuple[str, ...] = ("high", "medium", "low")
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4", "P5")

_RANK = {"high": 0, "medium": 1, "low": 2}


def priority_for(impact: str, urgency: str) -> str:
    """Return the priority for an impact and an urgency, each ``high``, ``medium`` or ``low``.

    Raises ValueError for any other value, naming it.
    """
    for name, value in (("impact", impact), ("urgency", urgency)):
        if value not in _RANK:
            raise ValueError(f"{name} must be one of high, medium, low; got {value!r}")
    return PRIORITIES[_RANK[impact] + _RANK[urgency]]
