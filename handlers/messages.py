"""What reaches the desk and what it answers, independent of any chat platform."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """A platform identity: who wrote."""

    platform: str
    user_id: str
    display_name: str
    groups: tuple[str, ...] = ()  # platform-verified user groups / roles (Slack usergroups, Discord roles)


@dataclass(frozen=True)
class Conversation:
    """Where the message was written, so answers thread."""

    platform: str
    channel: str
    thread: str | None = None


@dataclass(frozen=True)
class Inbound:
    person: Person
    conversation: Conversation
    text: str
    source: str = ""
    external_id: str | None = None  # with source: the dedup key of the platform's event
    reported_by: Person | None = None  # someone who turned another person's message into a ticket


@dataclass
class Reply:
    """The desk's answer to the caller (ephemeral where the platform has that)."""

    text: str
    ticket: dict | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    ok: bool = True
    attachment: dict | None = None  # a report's chart: {"file_id", "filename", "title"} (handlers.report_posting)
