"""The service catalog as app.yaml declares it (`catalog:`): what people can ask for, what the desk
must collect before the team can act, who approves it, and the team's checklist.

Validated at start like the rest of app.yaml, so a typo names its key instead of surfacing in a
conversation weeks later.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from handlers.organisation import Duration

FieldType = Literal["text", "choice", "number", "date", "yes_no"]
Direction = Literal["past", "future"]  # a date field's `when`
Queue = Literal["technical", "application", "operations"]  # as handlers.organisation.QUEUES
_ID = r"^[a-z][a-z0-9_-]*$"
# A target as `target` keeps it (the words the requester reads: "5 business days", "1 business day",
# "4h", "30min"), read back into a Duration for the SLA clock (`CatalogItem.target_duration`).
_TARGET_TEXT = re.compile(r"^(\d+)\s*(min|h|business days?|days?)$")
_TARGET_UNIT = {"min": "m", "h": "h", "business day": "bd", "business days": "bd", "day": "d", "days": "d"}


class CatalogField(BaseModel):
    """One detail the desk asks for, one question per message."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=_ID)
    prompt: str
    type: FieldType = "text"
    choices: list[str] = Field(default_factory=list)
    required: bool = True
    # Optional: a regular expression whose first matching group reads the value from the first
    # message ("install Visio on my laptop" -> Visio). Choice fields are read without one.
    extract: str | None = None
    # Date fields: past (today or earlier: the day of a backup to restore) or future (today or
    # later: a pickup); None takes any day. A day on the wrong side is asked again, saying why.
    when: Direction | None = None

    @field_validator("extract")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            pattern = re.compile(value)
        except re.error as exc:
            raise ValueError(f"expected a regular expression, but it does not compile ({exc})") from None
        if pattern.groups < 1:
            raise ValueError("expected a regular expression with a group around the value")
        return value

    @model_validator(mode="after")
    def _choices_fit_type(self) -> CatalogField:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r} is a choice but lists no choices")
        if self.type != "choice" and self.choices:
            raise ValueError(f"field {self.name!r} lists choices but is of type {self.type!r}, not 'choice'")
        if self.when is not None and self.type != "date":
            raise ValueError(f"field {self.name!r} has when: {self.when} but is of type {self.type!r}, not 'date'")
        return self


class CatalogItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_ID)
    name: str
    description: str = ""
    aliases: list[str] = Field(default_factory=list)
    queue: Queue
    fields: list[CatalogField] = Field(default_factory=list)
    # "none", "manager" (the requester's manager), or approvers in order: staff names, "manager",
    # "group:NAME" (handlers/approvals.py resolves them).
    approval: Literal["none", "manager"] | list[str] = "none"
    steps: list[str] = Field(min_length=1)
    # e.g. 3bd: told to the requester, and the request's resolution target once the requester
    # confirms the item (handlers/fulfilment.py `agree_target`; first response stays as request_sla says).
    target: str | None = None

    @field_validator("target", mode="before")
    @classmethod
    def _target(cls, value):
        # organisation.py imports this module, so Duration is looked up when a value is checked.
        from handlers.organisation import _duration

        if isinstance(value, str) and _TARGET_TEXT.match(value.strip()):
            return value.strip()  # validated already (the words it is kept in)
        duration = _duration(value) if value is not None else None
        if duration is None:
            return None
        text = str(duration)
        return text[:-1] if duration.amount == 1 and text.endswith("days") else text

    @field_validator("approval", mode="before")
    @classmethod
    def _approval(cls, value):
        if value is None or value is False:
            return "none"
        if isinstance(value, list) and not value:
            raise ValueError("expected none, manager, or a non-empty list of approvers")
        return value

    @model_validator(mode="after")
    def _unique_fields(self) -> CatalogItem:
        names = [f.name for f in self.fields]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"item {self.id!r}: field {', '.join(twice)} appears twice")
        return self

    @property
    def target_duration(self) -> Duration | None:
        """The target as a Duration (handlers.organisation), for the SLA clock; None: no target."""
        from handlers.organisation import Duration

        found = _TARGET_TEXT.match(self.target or "")
        if found is None:
            return None
        return Duration(amount=int(found.group(1)), unit=_TARGET_UNIT[found.group(2)])

    @property
    def approval_steps(self) -> list[str]:
        """Who approves, in order, as handlers/approvals.py takes it (empty: no approval)."""
        if self.approval == "none":
            return []
        return ["manager"] if self.approval == "manager" else list(self.approval)

    def field_named(self, name: str) -> CatalogField | None:
        return next((f for f in self.fields if f.name == name), None)

    def matching_text(self) -> list[str]:
        """The phrases a request is compared with: the name, each alias, the description."""
        return [self.name, *self.aliases, *([self.description] if self.description else [])]


class CatalogConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # How similar (0..1, TF-IDF cosine) a request must be to an item's name, an alias or its
    # description before the desk asks "Sounds like ...: right?".
    match_threshold: float = Field(default=0.3, gt=0.0, le=1.0)
    items: list[CatalogItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> CatalogConfig:
        ids = [item.id for item in self.items]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"catalog: item id {', '.join(twice)} appears twice")
        return self

    def item(self, item_id: str) -> CatalogItem | None:
        return next((item for item in self.items if item.id == item_id), None)
