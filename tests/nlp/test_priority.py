from __future__ import annotations

import pytest

from nlp.priority import priority_for

MATRIX = {
    ("high", "high"): "P1",
    ("high", "medium"): "P2",
    ("high", "low"): "P3",
    ("medium", "high"): "P2",
    ("medium", "medium"): "P3",
    ("medium", "low"): "P4",
    ("low", "high"): "P3",
    ("low", "medium"): "P4",
    ("low", "low"): "P5",
}


@pytest.mark.parametrize(("impact", "urgency"), sorted(MATRIX))
def test_every_cell_of_the_matrix(impact: str, urgency: str) -> None:
    assert priority_for(impact, urgency) == MATRIX[(impact, urgency)]


@pytest.mark.parametrize(("impact", "urgency"), [("critical", "high"), ("low", "HIGH"), ("", "")])
def test_unknown_levels_are_rejected_with_the_value_named(impact: str, urgency: str) -> None:
    with pytest.raises(ValueError, match="must be one of high, medium, low"):
        priority_for(impact, urgency)
