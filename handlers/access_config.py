"""The `access:` and `people:` sections of app.yaml, and who a person is by name.

`access.resources` are the things people ask access to (issue #8): who approves, for how long,
how access is provisioned. `people` maps end users to their manager (for "manager" approval)
and their platform identities; staff are people too (their identities come from `staff:`).

Approvers are written as a staff or people name, `group:NAME` (a list under `access.groups`), or
`manager` (the beneficiary's manager in `people:`). Webhook secrets come from the environment
(SERVICEDESK_PROVISIONER_SECRET), never from here.
"""
from __future__ import annotations

import re
from datetime import timedelta
from difflib import get_close_matches
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails

MANAGER = "manager"
GROUP = "group:"
Queue = Literal["technical", "application", "operations"]  # as handlers.organisation.QUEUES
Platform = Literal["console", "slack", "discord"]


def _checked_duration(value: object) -> str | None:
    """A duration such as 30d or 8h, kept as text (handlers.organisation imports this module,
    so its Duration is read lazily)."""
    from handlers.organisation import Duration

    if value is None:
        return None
    return str(Duration.parse(str(value)).amount) + Duration.parse(str(value)).unit


def span(text: str | None) -> timedelta | None:
    from handlers.organisation import Duration

    return Duration.parse(text).as_timedelta() if text else None


class PersonConfig(BaseModel):
    """An end user the desk knows by name: their manager and platform identities (console
    defaults to the name itself)."""

    model_config = ConfigDict(extra="forbid")
    display_name: str | None = None
    manager: str | None = None
    identities: dict[Platform, str] = Field(default_factory=dict)


class AccessResource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    aliases: list[str] = Field(default_factory=list)
    kind: Literal["application", "infrastructure", "physical"]
    queue: Queue
    approvers: list[str] = Field(min_length=1)
    default_duration: str = "30d"
    max_duration: str | None = None  # None: no maximum
    justification_required: bool = True
    provisioner: Literal["manual", "webhook"] = "manual"
    url: str | None = None  # the webhook provisioner's endpoint

    _coerce = field_validator("default_duration", "max_duration", mode="before")(lambda cls, v: _checked_duration(v))

    @model_validator(mode="after")
    def _consistent(self) -> AccessResource:
        if self.provisioner == "webhook" and not (self.url or "").startswith(("http://", "https://")):
            raise ValueError(f"provisioner webhook needs url: http(s)://..., got {self.url!r}")
        if self.max_duration and span(self.default_duration) > span(self.max_duration):
            raise ValueError(f"default_duration {self.default_duration} is longer than max_duration {self.max_duration}")
        return self


class AccessConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resources: dict[str, AccessResource] = Field(default_factory=dict)
    groups: dict[str, list[str]] = Field(default_factory=dict)  # group:NAME approvers
    warn_before: str = "1d"  # the beneficiary hears this long before expiry

    _coerce = field_validator("warn_before", mode="before")(lambda cls, v: _checked_duration(v))

    @model_validator(mode="after")
    def _known_groups(self) -> AccessConfig:
        problems = [(("resources", name, "approvers", i), spec, wrong)
                    for name, resource in self.resources.items() for i, spec in enumerate(resource.approvers)
                    if (wrong := _unknown_group(self, spec)) is not None]
        if problems:
            raise config_error("AccessConfig", problems)
        return self


# Checking app.yaml across sections.

Problem = tuple[tuple, object, "str | None"]  # (key path, the value there, what is wrong; None: missing)


def config_error(title: str, problems: list[Problem]) -> ValidationError:
    """Problems a model validator found, each at its own key path (relative to the model), so the
    report names `access.resources.salesforce.approvers.0`, not the whole section. Raised from a
    validator, pydantic keeps these locations and prefixes the enclosing keys."""
    return ValidationError.from_exception_data(title, [
        InitErrorDetails(type="missing", loc=loc, input=value) if message is None
        else InitErrorDetails(type="value_error", loc=loc, input=value, ctx={"error": message})
        for loc, value, message in problems])


def _unknown_group(access: AccessConfig, spec: str) -> str | None:
    group = spec.strip()[len(GROUP):] if spec.strip().startswith(GROUP) else None
    if group is None or group in access.groups:
        return None
    defined = ", ".join(sorted(access.groups)) or "none yet"
    return f"unknown group {group!r} (groups are defined under access.groups; defined: {defined})"


def name_problems(organisation) -> list[Problem]:
    """Every name app.yaml uses for a person: approvers (access resources, access groups, catalog
    items) and managers (people:). Each must be a staff or people name; an approver may also be
    `manager` or `group:NAME` with NAME under access.groups. Otherwise approvals would wait on "@carl"."""
    problems: list[Problem] = []
    names = {s.name for s in organisation.staff} | set(organisation.people)

    def person(loc: tuple, name: str, role: str, spelt: str | None = None) -> None:
        if (spelt or name) not in names:  # exactly: approvals compare names as they are spelt here
            problems.append((loc, name, _not_a_name(organisation, name, role)))

    def approver(loc: tuple, spec: str) -> None:
        if spec.strip() == MANAGER:
            return
        if spec.strip().startswith(GROUP):
            if (wrong := _unknown_group(organisation.access, spec)) is not None:
                problems.append((loc, spec, wrong))
            return
        person(loc, spec, "approver", spelt=spec.strip().lower())  # as handlers/approvals.py reads it

    for name, resource in organisation.access.resources.items():
        for i, spec in enumerate(resource.approvers):
            approver(("access", "resources", name, "approvers", i), spec)
    for group, members in organisation.access.groups.items():
        for i, member in enumerate(members):
            person(("access", "groups", group, i), member, "group member")
    for index, item in enumerate(organisation.catalog.items):
        if isinstance(item.approval, list):
            for i, spec in enumerate(item.approval):
                approver(("catalog", "items", index, "approval", i), spec)
    for name, entry in organisation.people.items():
        if entry.manager is not None:
            person(("people", name, "manager"), entry.manager, "manager")
    return problems


_WHAT = {"approver": "an approver is a name under staff: or people:, manager, or group:NAME",
         "group member": "a group lists names under staff: or people:",
         "manager": "a manager is a name under staff: or people:"}


def _not_a_name(organisation, name: str, role: str) -> str:
    names = [s.name for s in organisation.staff] + list(organisation.people)
    if role == "approver":
        names += [MANAGER] + [GROUP + g for g in organisation.access.groups]
    close = get_close_matches(name.strip().lower(), names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"not a staff member or person in app.yaml{hint} ({_WHAT[role]})"


# Resources.

def label(name: str, resource: AccessResource) -> str:
    return resource.title or name.replace("_", " ").title()


def _alias_pattern(words: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + r"[\s_-]+".join(re.escape(w) for w in words.split()) + r"(?!\w)", re.IGNORECASE)


def match_resource(access: AccessConfig, text: str) -> tuple[str, re.Match] | None:
    """The resource a text names (its key, title or an alias, whole words, any case); the
    longest mention wins when several do."""
    found: list[tuple[int, str, re.Match]] = []
    for name, resource in access.resources.items():
        for words in {name.replace("_", " "), *(resource.aliases), *([resource.title] if resource.title else [])}:
            hit = _alias_pattern(words).search(text)
            if hit:
                found.append((len(hit.group(0)), name, hit))
    if not found:
        return None
    _, name, hit = max(found, key=lambda item: item[0])
    return name, hit


def resource_list(access: AccessConfig) -> str:
    return ", ".join(label(name, r) for name, r in access.resources.items())


def within_max(resource: AccessResource, seconds: int) -> bool:
    return resource.max_duration is None or timedelta(seconds=seconds) <= span(resource.max_duration)


# People by name.

def name_of(organisation, platform: str, user_id: str, groups: tuple[str, ...] = ()) -> str:
    """The name a platform user goes by here: their staff name, their `people:` name, or (not
    listed) their user id."""
    member = organisation.staff_for(platform, user_id, groups)
    if member is not None:
        return member.name
    for name, person in organisation.people.items():
        known = person.identities.get(platform)
        if known == user_id or (known is None and platform == "console" and name == user_id.lower()):
            return name
    return user_id.lower() if platform == "console" else user_id


def identity_of(organisation, name: str, platform: str) -> str | None:
    """A named person's id on a platform (console ids are the names themselves)."""
    member = organisation.staff_named(name)
    person = organisation.people.get(name)
    known = getattr(member.identities, platform, None) if member else None
    known = known or (person.identities.get(platform) if person else None)
    return known or (name if platform == "console" else None)


def label_of(organisation, name: str) -> str:
    member = organisation.staff_named(name)
    if member is not None:
        return member.label
    person = organisation.people.get(name)
    return (person.display_name if person and person.display_name else None) or name.capitalize()


def known_name(organisation, word: str) -> str | None:
    """A word that is someone's name here (staff or people), in its configured spelling."""
    wanted = word.strip().lstrip("@").lower()
    if organisation.staff_named(wanted) is not None or wanted in organisation.people:
        return wanted
    return None


def manager_of(organisation, name: str) -> str | None:
    person = organisation.people.get(name)
    return person.manager if person else None


def management_chain(organisation, name: str) -> list[str]:
    """The managers above a person in `people:`, nearest first (a loop in the data ends it)."""
    chain, seen = [], {name}
    boss = manager_of(organisation, name)
    while boss and boss not in seen:
        chain.append(boss)
        seen.add(boss)
        boss = manager_of(organisation, boss)
    return chain
