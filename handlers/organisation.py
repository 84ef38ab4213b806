"""The organisation the desk serves: queues, staff, SLA targets (the typed form of app.yaml).

The schema lives here, platform-neutral, because every handler decides with it; reading the
file and reporting errors is the bot's job (bot/config.py).
"""
from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from handlers.catalog_config import CatalogConfig
from handlers.report_config import ReportsConfig
from handlers.access_config import AccessConfig, PersonConfig, Problem, config_error, name_problems

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
    business_hours: bool | None = None  # None: P1 and P2 around the clock, P3-P5 business hours

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


EventLevel = Literal["informational", "warning", "exception"]
Level = Literal["high", "medium", "low"]


class EventServiceConfig(BaseModel):
    """A monitored service: the queue its incidents go to and how critical it is (the impact)."""

    model_config = ConfigDict(extra="forbid")
    queue: Queue = "operations"
    criticality: Level = "medium"


class EventsConfig(BaseModel):
    """Event management: how monitoring alerts become incidents (issue #7)."""

    model_config = ConfigDict(extra="forbid")
    platform: Literal["console", "slack", "discord"] = "console"  # the front end event-born tickets live on
    channels: Channels = Field(default_factory=Channels)  # where monitoring's own thread is; default: the queue's
    severity: dict[str, EventLevel] = Field(default_factory=lambda: {
        "critical": "exception", "error": "exception", "high": "exception", "page": "exception",
        "warning": "warning", "warn": "warning", "info": "informational", "informational": "informational",
        "none": "informational"})
    unknown_severity: EventLevel = "exception"
    urgency: dict[str, Level] = Field(default_factory=lambda: {"critical": "high", "page": "high", "high": "high"})
    default_urgency: Level = "medium"
    default_queue: Queue = "operations"
    services: dict[str, EventServiceConfig] = Field(default_factory=dict)
    instances: dict[str, Queue] = Field(default_factory=dict)  # host (without :port) -> queue
    group_window: Duration = Duration(amount=5, unit="m")
    flap_window: Duration = Duration(amount=10, unit="m")
    flap_threshold: int = Field(default=3, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    max_events_per_request: int = Field(default=5_000, ge=1)

    _coerce = field_validator("group_window", "flap_window", mode="before")(lambda cls, v: _duration(v))

    @field_validator("severity", "urgency", "services", "instances", mode="before")
    @classmethod
    def _lower_keys(cls, value):
        return {str(k).strip().lower(): v for k, v in value.items()} if isinstance(value, dict) else value

    def level_of(self, severity: str) -> str:
        return self.severity.get(severity.lower(), self.unknown_severity)

    def urgency_of(self, severity: str) -> str:
        return self.urgency.get(severity.lower(), self.default_urgency)

    def route(self, service: str, instance: str | None) -> tuple[str, str]:
        """(queue, criticality) for an alert: the service's entry, else the instance's host, else
        the default queue."""
        entry = self.services.get(service.lower())
        if entry is not None:
            return entry.queue, entry.criticality
        host = re.sub(r":\d+$", "", (instance or "").strip().lower())
        return self.instances.get(host, self.default_queue), "medium"


class ProblemsConfig(BaseModel):
    """Problem management: known-error matching and recurring-incident detection (issue #7)."""

    model_config = ConfigDict(extra="forbid")
    similarity_threshold: float = Field(default=0.45, gt=0.0, le=1.0)
    recurring_incidents: int = Field(default=3, ge=2)  # N similar incidents ...
    recurring_days: int = Field(default=7, ge=1)  # ... within M days: "open a problem?"
    offer_valid_hours: int = Field(default=24, ge=1)  # how long a typed yes/no answers a workaround offer


# SLA clocks, escalation, closing the loop, major incidents (issue #6).
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class BusinessHours(BaseModel):
    """The working calendar of targets that follow business hours (by default P3-P5 and requests)."""

    model_config = ConfigDict(extra="forbid")
    timezone: str = "UTC"
    days: list[Weekday] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1)
    hours: str = "09:00-17:00"
    holidays: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"expected an IANA time zone such as Europe/London or UTC, got {value!r}") from None
        return value

    @field_validator("hours")
    @classmethod
    def _day_span(cls, value: str) -> str:
        match = _HOURS.match(str(value))
        if not match or not (int(match.group(1)) < 24 and int(match.group(3)) <= 24 and int(match.group(2)) < 60
                             and int(match.group(4)) < 60):
            raise ValueError(f"expected working hours like 09:00-17:00, got {value!r}")
        if (int(match.group(1)), int(match.group(2))) >= (int(match.group(3)), int(match.group(4))):
            raise ValueError(f"the working day must end after it starts, got {value!r}")
        return value

    def span(self) -> tuple[time, time | None]:
        """(start, end) of the working day; end None means midnight (24:00)."""
        h1, m1, h2, m2 = (int(g) for g in _HOURS.match(self.hours).groups())  # type: ignore[union-attr]
        return time(h1, m1), (None if h2 == 24 else time(h2, m2))


class RequestSlaTarget(BaseModel):
    """Targets of a kind of request: first response, approval (while approval is pending) and
    fulfilment (open to resolved, not counting the approval wait)."""

    model_config = ConfigDict(extra="forbid")
    first_response: Duration
    approval: Duration | None = None
    fulfilment: Duration | None = None
    business_hours: bool = True

    _coerce = field_validator("first_response", "approval", "fulfilment", mode="before")(
        lambda cls, v: _duration(v)
    )


def _default_request_sla() -> dict[str, RequestSlaTarget]:
    return {
        "service_request": RequestSlaTarget(first_response=Duration.parse("4h"), approval=Duration.parse("1bd"),
                                            fulfilment=Duration.parse("3bd")),
        "access_request": RequestSlaTarget(first_response=Duration.parse("4h"), approval=Duration.parse("1bd"),
                                           fulfilment=Duration.parse("2bd")),
    }


class EscalationTier(BaseModel):
    """A line of support above the queue itself (level 1 is the first tier, level 2 the next)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    channels: Channels = Field(default_factory=Channels)


class EscalationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warn_at_percent: int = Field(default=75, ge=1, le=99)
    tiers: dict[Queue, list[EscalationTier]] = Field(default_factory=dict)


class FollowUpConfig(BaseModel):
    """Closing the loop: "Is it fixed?", closing by itself after silence, a 1-5 rating."""

    model_config = ConfigDict(extra="forbid")
    auto_close_after: Duration = Duration(amount=5, unit="d")
    ask_rating: bool = True
    rating_open_for: Duration = Duration(amount=7, unit="d")

    _coerce = field_validator("auto_close_after", "rating_open_for", mode="before")(lambda cls, v: _duration(v))


class MajorIncidentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declare_for: list[Literal["P1", "P2", "P3", "P4", "P5"]] = Field(default_factory=lambda: ["P1"])
    channel_prefix: str = Field(default="major-", pattern=r"^[a-z0-9][a-z0-9_-]{0,20}$")
    archive_after: Duration | None = Duration(amount=1, unit="d")  # None: mark the channel, never archive

    _coerce = field_validator("archive_after", mode="before")(lambda cls, v: _duration(v))


class SweepsConfig(BaseModel):
    """How often `servicedesk serve` runs the sweeps (SLA, status updates, auto-close, major incidents)."""

    model_config = ConfigDict(extra="forbid")
    interval_seconds: int = Field(default=30, ge=1, le=3600)


class Organisation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    queues: dict[Queue, QueueConfig]
    managers: Channels = Field(default_factory=Channels)
    staff: list[StaffMember]
    staff_groups: list[StaffGroup] = Field(default_factory=list)
    sla: dict[Literal["P1", "P2", "P3", "P4", "P5"], SlaTarget]
    nlp: NlpConfig = Field(default_factory=NlpConfig)
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    request_sla: dict[Literal["service_request", "access_request"], RequestSlaTarget] = Field(
        default_factory=_default_request_sla)
    escalation: EscalationConfig = Field(default_factory=EscalationConfig)
    follow_up: FollowUpConfig = Field(default_factory=FollowUpConfig)
    major_incidents: MajorIncidentConfig = Field(default_factory=MajorIncidentConfig)
    sweeps: SweepsConfig = Field(default_factory=SweepsConfig)
    events: EventsConfig = Field(default_factory=EventsConfig)
    problems: ProblemsConfig = Field(default_factory=ProblemsConfig)
    catalog: CatalogConfig = Field(default_factory=CatalogConfig)  # the service catalog (issue 8)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)  # the weekly report (issue 9)
    access: AccessConfig = Field(default_factory=AccessConfig)  # access resources and approvers (issue 8)
    people: dict[str, PersonConfig] = Field(default_factory=dict)  # end users: manager, identities

    @model_validator(mode="after")
    def _complete(self) -> Organisation:
        """What no single section can check: every queue and priority present, staff names and ids
        unique, every person's name known (access_config.name_problems). Each problem is reported at
        its own key, all at once."""
        problems: list[Problem] = [(("queues", q), None, None) for q in QUEUES if q not in self.queues]
        problems += [(("sla", p), None, None) for p in PRIORITIES if p not in self.sla]
        seen: dict[tuple[str, str], str] = {}
        for i, member in enumerate(self.staff):
            if ("name", member.name) in seen:
                problems.append((("staff", i, "name"), member.name, "appears more than once under staff"))
            seen[("name", member.name)] = member.name
            for platform in PLATFORMS:
                given = getattr(member.identities, platform)
                if given and (platform, given) in seen:
                    problems.append((("staff", i, "identities", platform), given,
                                     f"is also the {platform} identity of {seen[(platform, given)]}"))
                if given:
                    seen.setdefault((platform, given), member.name)
        problems += name_problems(self)
        if problems:
            raise config_error("Organisation", problems)
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
