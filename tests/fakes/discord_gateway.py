"""A small Discord for tests: gateway-shaped payloads fed to a real discord.py client.

`DiscordWorld` is one server (the queue channels from app.yaml and #general), the bot, and the
people in it. It builds gateway payloads (GUILD_CREATE, MESSAGE_CREATE, THREAD_CREATE,
INTERACTION_CREATE for slash commands, autocomplete, buttons, forms, context menus) and keeps the
fake REST API (tests/fakes/discord_http.py) in step with them.

`GatewayHarness` runs a client on its own event loop in a thread, as `servicedesk serve` does,
logs it in against the fake API (so setup_hook and the command sync really run), and delivers
payloads through the client's ConnectionState parsers: exactly what the gateway connection does
with each event. `receive` returns once every task the event started has finished.
"""
from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

from tests.fakes.discord_http import Call, FakeDiscordAPI, now_iso, thread_payload

APP_ID = 1300000000000000001  # the bot user has the application's id
GUILD_ID = 1400000000000000001
GENERAL = 1100000000000000010
QUEUE_CHANNELS = {"technical": 1100000000000000001, "application": 1100000000000000002,
                  "operations": 1100000000000000003, "managers": 1100000000000000004}
SUPPORT_ROLE = 1600000000000000001
BOT_ROLE = 1600000000000000099
PEOPLE = {  # staff ids as in app.yaml
    "agent": (1200000000000000001, "Sam"), "bob": (1200000000000000003, "Bob"),
    "carol": (1200000000000000004, "Carol"),
    "alice": (1500000000000000001, "Alice"), "bea": (1500000000000000002, "Bea"),
    "zoe": (1500000000000000003, "Zoe"),
}


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict:
    return {"id": str(user_id), "username": name.lower(), "global_name": name, "discriminator": "0",
            "avatar": None, "bot": bot, "public_flags": 0}


def role_payload(role_id: int, name: str, *, position: int = 1, bot_id: int | None = None) -> dict:
    role = {"id": str(role_id), "name": name, "permissions": "0", "position": position, "color": 0,
            "hoist": False, "managed": bot_id is not None, "mentionable": True, "flags": 0}
    if bot_id is not None:
        role["tags"] = {"bot_id": str(bot_id)}
    return role


def text_channel(channel_id: int, name: str, *, position: int = 0) -> dict:
    return {"id": str(channel_id), "type": 0, "name": name, "position": position, "guild_id": str(GUILD_ID),
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
            "last_message_id": None, "rate_limit_per_user": 0, "flags": 0}


class DiscordWorld:
    def __init__(self) -> None:
        self.ids = itertools.count(1700000000000000000)
        self.bot_user = user_payload(APP_ID, "Service Desk", bot=True)
        self.api = FakeDiscordAPI(app_id=APP_ID, bot_user=self.bot_user, ids=self.ids)
        self.roles: dict[str, tuple[int, ...]] = {}  # person -> role ids
        self.channels = [text_channel(GENERAL, "general")] + [
            text_channel(cid, name, position=i + 1) for i, (name, cid) in enumerate(QUEUE_CHANNELS.items())]
        for channel in self.channels:
            self.api.channels[channel["id"]] = channel

    def next_id(self) -> str:
        return str(next(self.ids))

    def user(self, person: str) -> dict:
        user_id, name = PEOPLE[person]
        return user_payload(user_id, name)

    def member(self, person: str, *, with_user: bool = True) -> dict:
        member = {"roles": [str(r) for r in self.roles.get(person, ())], "joined_at": "2025-01-06T09:00:00+00:00",
                  "deaf": False, "mute": False, "flags": 0, "pending": False, "nick": None}
        if with_user:
            member["user"] = self.user(person)
        return member

    # Gateway events.

    def guild_create(self) -> dict:
        bot_member = {"user": self.bot_user, "roles": [str(BOT_ROLE)], "joined_at": "2025-01-06T09:00:00+00:00",
                      "deaf": False, "mute": False, "flags": 0}
        channels = [{k: v for k, v in c.items() if k != "guild_id"} for c in self.channels]
        return {
            "id": str(GUILD_ID), "name": "Example Corp", "icon": None, "owner_id": PEOPLE["agent"][0],
            "unavailable": False, "large": False, "member_count": 3, "features": [], "emojis": [], "stickers": [],
            "roles": [role_payload(GUILD_ID, "@everyone", position=0), role_payload(SUPPORT_ROLE, "IT Support"),
                      role_payload(BOT_ROLE, "Service Desk", position=2, bot_id=APP_ID)],
            "channels": channels, "threads": [], "members": [bot_member], "voice_states": [], "presences": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0, "preferred_locale": "en-US",
            "system_channel_flags": 0, "joined_at": "2025-01-06T09:00:00+00:00",
        }

    def dm_channel(self, person: str) -> str:
        """The DM channel between this person and the bot (Discord knows it already)."""
        return self.api.dm_with(self.user(person)["id"])["id"]

    def message(self, person: str, content: str, *, channel: int | str | None = None, mentions: tuple[str, ...] = (),
                mention_bot: bool = False, mention_roles: tuple[int, ...] = (), everyone: bool = False,
                attachments: list[dict] | None = None) -> dict:
        """A MESSAGE_CREATE: in the person's DM with the bot unless a server channel is given."""
        in_guild = channel is not None
        payload = {
            "id": self.next_id(), "channel_id": str(channel if in_guild else self.dm_channel(person)),
            "author": self.user(person), "content": content, "timestamp": now_iso(), "edited_timestamp": None,
            "tts": False, "mention_everyone": everyone, "mention_roles": [str(r) for r in mention_roles],
            "mentions": [self.user(p) for p in mentions] + ([self.bot_user] if mention_bot else []),
            "attachments": attachments or [], "embeds": [], "pinned": False, "type": 0, "flags": 0,
            "components": [],
        }
        if in_guild:
            payload["guild_id"] = str(GUILD_ID)
            payload["member"] = self.member(person, with_user=False)
        self.api.messages[payload["id"]] = payload
        return payload

    def thread_create(self, thread_id: str, *, parent: int, name: str = "ticket") -> dict:
        thread = thread_payload(thread_id, parent_id=str(parent), guild_id=str(GUILD_ID),
                                owner_id=self.bot_user["id"], name=name)
        self.api.channels[thread["id"]] = thread
        return {**thread, "newly_created": True}

    # Interactions.

    def _interaction(self, kind: int, person: str, data: dict, *, channel: int | str | None = GENERAL,
                     message: dict | None = None) -> dict:
        payload = {
            "id": self.next_id(), "application_id": str(APP_ID), "type": kind, "token": f"token-{self.next_id()}",
            "version": 1, "data": data, "locale": "en-GB", "app_permissions": "2248473465835073",
            "entitlements": [], "attachment_size_limit": 10485760,
        }
        if channel is None:  # in the person's DM with the bot
            dm = self.dm_channel(person)
            payload.update(channel_id=dm, channel={"id": dm, "type": 1}, user=self.user(person), context=1,
                           authorizing_integration_owners={"0": str(GUILD_ID)})
        else:
            known = self.api.channels.get(str(channel), {})
            partial = {"id": str(channel), "type": known.get("type", 0), "guild_id": str(GUILD_ID),
                       "name": known.get("name", "channel"), "position": 0, "permission_overwrites": []}
            payload.update(channel_id=str(channel), channel=partial,
                           guild_id=str(GUILD_ID), guild_locale="en-US", context=0,
                           member={**self.member(person), "permissions": "2248473465835073"},
                           authorizing_integration_owners={"0": str(GUILD_ID)})
        if message is not None:
            payload["message"] = message
        return payload

    def slash(self, person: str, subcommand: str, *, channel: int | str | None = GENERAL, focused: str | None = None,
              **options: Any) -> dict:
        """/sd SUBCOMMAND option:value …; "GROUP SUBCOMMAND" (e.g. "access granted") for a
        subcommand in a subcommand group; with `focused`, the autocomplete request while typing."""
        values = [{"type": 5 if isinstance(v, bool) else 3, "name": k, "value": v} for k, v in options.items()]
        for value in values:
            if value["name"] == focused:
                value["focused"] = True
        *group, name = subcommand.split()
        chosen = {"type": 1, "name": name, "options": values}
        if group:
            chosen = {"type": 2, "name": group[0], "options": [chosen]}
        data = {"id": "1900000000000000001", "name": "sd", "type": 1, "options": [chosen]}
        return self._interaction(4 if focused else 2, person, data, channel=channel)

    def open_ticket_menu(self, person: str, target: dict, *, channel: int | str | None = GENERAL) -> dict:
        data = {"id": "1900000000000000002", "name": "Open ticket", "type": 3, "target_id": target["id"],
                "resolved": {"messages": {target["id"]: target}}}
        return self._interaction(2, person, data, channel=channel)

    def press(self, person: str, message: dict, custom_id: str) -> dict:
        """A button press on a message the bot posted (as the fake API stored it)."""
        where = message["channel_id"] if message.get("guild_id") else None
        return self._interaction(3, person, {"custom_id": custom_id, "component_type": 2}, channel=where, message=message)

    def submit_form(self, person: str, message: dict, custom_id: str, fields: dict[str, str]) -> dict:
        components = [{"type": 18, "id": i + 1, "component": {"type": 4, "id": i + 10, "custom_id": k, "value": v}}
                      for i, (k, v) in enumerate(fields.items())]
        where = message["channel_id"] if message.get("guild_id") else None
        return self._interaction(5, person, {"custom_id": custom_id, "components": components},
                                 channel=where, message=message)

    # What the bot posted.

    def posts_to(self, channel: int | str) -> list[dict]:
        return [m for m in self.api.messages.values() if m["channel_id"] == str(channel) and m["author"]["id"] == str(APP_ID)]

    def card_in(self, channel: int | str) -> dict:
        cards = [m for m in self.posts_to(channel) if m["components"]]
        assert cards, f"no card was posted in {channel}"
        return cards[0]


class GatewayHarness:
    """A bot on its own event loop thread, fed gateway events synchronously from the test."""

    def __init__(self, bot, world: DiscordWorld) -> None:
        self.bot = bot
        self.world = world
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-discord-loop", daemon=True)
        self.thread.start()
        world.api.install(bot)

    def run(self, coroutine, timeout: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> GatewayHarness:
        """Log in (setup_hook: buttons registered, commands synced) and receive the server."""
        self.run(self.bot.login("test-token"))
        self.receive("GUILD_CREATE", self.world.guild_create())
        return self

    def receive(self, event: str, payload: dict) -> list[Call]:
        mark = len(self.world.api.calls)

        async def deliver():
            self.bot._connection.parsers[event](payload)
            await self._settle()

        self.run(deliver())
        return self.world.api.since(mark)

    async def _settle(self) -> None:
        me = asyncio.current_task()
        for _ in range(100):
            busy = [t for t in asyncio.all_tasks() if t is not me and not t.done()
                    and "timeout_task" not in getattr(t.get_coro(), "__qualname__", "")]
            if not busy:
                return
            await asyncio.wait(busy, timeout=10)

    def close(self) -> None:
        async def cancel_the_rest():  # e.g. the timeout of a form nobody submitted
            me = asyncio.current_task()
            rest = [t for t in asyncio.all_tasks() if t is not me]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        try:
            self.run(self.bot.close())
            self.run(cancel_the_rest())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()
