"""Who a Slack user is to the desk: a display name, and the staff user groups Slack says they are in.

Authorisation always starts from the user id in the verified payload; the groups come from Slack
(`usergroups.users.list`), never from anything the user typed. Look-ups are cached briefly in
the process (a cache only: another replica simply looks up again).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.desk import Desk
from handlers.messages import Person

log = logging.getLogger(__name__)
PLATFORM = "slack"
NAME_TTL = 600.0
GROUP_TTL = 60.0
FAILED_TTL = 10.0  # retry a failed look-up soon, without hammering Slack meanwhile


@dataclass(frozen=True)
class BotIdentity:
    user_id: str | None = None
    bot_id: str | None = None
    team_id: str | None = None


class Directory:
    def __init__(self, client: WebClient, desk: Desk, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.desk = desk
        self._now = monotonic
        self._lock = threading.Lock()
        self._names: dict[str, tuple[float, str]] = {}
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    def person(self, user_id: str) -> Person:
        return Person(PLATFORM, user_id, self.name_of(user_id), self.groups_of(user_id))

    def name_of(self, user_id: str) -> str:
        cached = self._cached(self._names, user_id)
        if cached is not None:
            return cached
        name, ttl = user_id, FAILED_TTL
        try:
            user = self.client.users_info(user=user_id)["user"]
            profile = user.get("profile") or {}
            name = (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                    or user.get("name") or user_id).strip()[:80] or user_id
            ttl = NAME_TTL
        except SlackApiError as error:
            log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
        except OSError as error:
            log.warning("users.info for %s failed: %s", user_id, error)
        self._store(self._names, user_id, name, ttl)
        return name

    def groups_of(self, user_id: str) -> tuple[str, ...]:
        """The configured staff groups (`staff_groups[].slack`) this user is a member of."""
        wanted = [g.slack for g in self.desk.organisation.staff_groups if g.slack]
        return tuple(group for group in wanted if user_id in self._members(group))

    def staff_name_of(self, user_id: str) -> str | None:
        member = self.desk.organisation.staff_by_identity(PLATFORM, user_id)
        return member.name if member else None

    def _members(self, group_id: str) -> frozenset[str]:
        cached = self._cached(self._groups, group_id)
        if cached is not None:
            return cached
        members, ttl = frozenset(), FAILED_TTL
        try:
            members = frozenset(self.client.usergroups_users_list(usergroup=group_id).get("users") or ())
            ttl = GROUP_TTL
        except SlackApiError as error:
            log.warning("usergroups.users.list for %s failed: %s (its members are not treated as staff)",
                        group_id, error.response.get("error"))
        except OSError as error:
            log.warning("usergroups.users.list for %s failed: %s", group_id, error)
        self._store(self._groups, group_id, members, ttl)
        return members

    def _cached(self, cache: dict, key: str):
        with self._lock:
            entry = cache.get(key)
            if entry is not None and entry[0] > self._now():
                return entry[1]
        return None

    def _store(self, cache: dict, key: str, value, ttl: float) -> None:
        with self._lock:
            cache[key] = (self._now() + ttl, value)


def look_up_bot(client: WebClient) -> BotIdentity:
    """Who the bot is (auth.test). Raises SlackApiError when Slack refuses the token, OSError when
    Slack cannot be reached."""
    answer = client.auth_test()
    return BotIdentity(user_id=answer.get("user_id"), bot_id=answer.get("bot_id"), team_id=answer.get("team_id"))
