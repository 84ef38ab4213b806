"""The organisation the desk serves: queues, staff, SLA targets (the typed form of app.yaml).

The schema lives here, platform-neutral, because every handler decides with it; reading the
file and reporting errors is the bot's job (bot/config.py).
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

QUEUES = ("technical", "application", "operations")
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
PLATFORMS = ("console", "slack", "discord")
Queue = Literal["technical", "application", "operations"]
Role = Literal["service_desk", "manager", "queue_staff"]

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d|bd)\s*$")


class Duration(BaseModel):
    """A target such as `15m`, `4h`, `3d` or `2bd` (business days)."""

    model_config = ConfigDict(frozen=True)
    amount: int
    unit: Literal["m", "h", "d", "bd"]

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _DURATION.match(str(text))
        if not match:
            raise ValueError(f"expected a duration like 15m, 4h, 3d or 2bd, got {text!r}")
        unit = "m" if match.group(2) == "min" else match.group(2)
        return cls(amount=int(match.group(1)), unit=unit)

    @property
    def business_days(self) -> bool:
        return self.unit == "bd"

    def as_timedelta(self) -> timedelta:
        """Wall-clock length; business days count as calendar days here (the SLA calendar
        skips non-working days when it applies them)."""
        if self.unit == "m":
            return timedelta(minutes=self.amount)
        if self.unit == "h":
            return timedelta(hours=self.amount)
        return timedelta(days=self.amount)

    def __str__(self) -> str:
        names = {"m": "min", "h": "h", "d": " days", "bd": " business days"}
        return f"{self.amount}{names[self.unit]}"


def _duration(value: object) -> Duration | None:
    if value is None or isinstance(value, Duration):
        return value  # type: ignore[return-value]
    if isinstance(value, str) and value.strip().lower() in ("planned", "none", ""):
        return None
    return Duration.parse(str(value))


class SlaTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first_response: Duration
    resolution: Duration | None = None  # None: planned, no fixed target
    status_update: Duration | None = None

    _coerce = field_validator("first_response", "resolution", "status_update", mode="before")(
        lambda cls, v: _duration(v)
    )


class Channels(BaseModel):
    """Where a queue's (or the managers') messages go on each front end."""

    model_config = ConfigDict(extra="forbid")
    console: str | None = None
    slack: str | None = None
    discord: str | None = None

    def on(self, platform: str) -> str | None:
        return getattr(self, platform, None)


class QueueConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    channels: Channels


class Identities(BaseModel):
    model_config = ConfigDict(extra="forbid")
    console: str | None = None
    slack: str | None = None
    discord: str | None = None


class StaffMember(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    display_name: str | None = None
    roles: list[Role] = Field(default_factory=lambda: ["queue_staff"])
    queues: list[Queue] = Field(default_factory=list)
    identities: Identities = Field(default_factory=Identities)

    @property
    def label(self) -> str:
        return self.display_name or self.name

    def works_all_queues(self) -> bool:
        return "service_desk" in self.roles or "manager" in self.roles

    def may_work(self, queue: str) -> bool:
        return self.works_all_queues() or queue in self.queues


class StaffGroup(BaseModel):
    """Everyone in a platform group (a Slack user group, a Discord role) is staff with these rights."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    roles: list[Role] = Field(default_factory=lambda: ["queue_staff"])
    queues: list[Queue] = Field(default_factory=list)
    slack: str | None = None  # user-group id, e.g. S0123ABCD
    discord: str | None = None  # role id


class NlpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confidence_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    applications: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)


class Organisation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    queues: dict[Queue, QueueConfig]
    managers: Channels = Field(default_factory=Channels)
    staff: list[StaffMember]
    staff_groups: list[StaffGroup] = Field(default_factory=list)
    sla: dict[Literal["P1", "P2", "P3", "P4", "P5"], SlaTarget]
    nlp: NlpConfig = Field(default_factory=NlpConfig)

    @model_validator(mode="after")
    def _complete(self) -> Organisation:
        missing = [q for q in QUEUES if q not in self.queues]
        if missing:
            raise ValueError(f"queues: missing {', '.join(missing)} (all of {', '.join(QUEUES)} are needed)")
        missing_p = [p for p in PRIORITIES if p not in self.sla]
        if missing_p:
            raise ValueError(f"sla: missing {', '.join(missing_p)} (targets for P1..P5 are needed)")
        names = [s.name for s in self.staff]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"staff: duplicate name {', '.join(dupes)}")
        for platform in PLATFORMS:
            ids = [getattr(s.identities, platform) for s in self.staff if getattr(s.identities, platform)]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"staff: {platform} identity {', '.join(twice)} belongs to more than one person")
        return self

    # Look-ups the handlers use.
    def staff_by_identity(self, platform: str, user_id: str) -> StaffMember | None:
        for member in self.staff:
            if getattr(member.identities, platform, None) == user_id:
                return member
        return None

    def staff_for(self, platform: str, user_id: str, groups: tuple[str, ...] = (), display_name: str = "") -> StaffMember | None:
        """Who this platform user is as staff: listed by id, or a member of a staff group."""
        member = self.staff_by_identity(platform, user_id)
        if member is not None or not groups:
            return member
        for group in self.staff_groups:
            if getattr(group, platform, None) in groups:
                return StaffMember(
                    name=f"{platform}-{user_id}".lower(), display_name=display_name or user_id,
                    roles=group.roles, queues=group.queues, identities=Identities(**{platform: user_id}),
                )
        return None

    def staff_named(self, name: str) -> StaffMember | None:
        wanted = name.strip().lstrip("@").lower()
        for member in self.staff:
            if member.name == wanted:
                return member
        return None

    def managers_list(self) -> list[StaffMember]:
        return [s for s in self.staff if "manager" in s.roles]
