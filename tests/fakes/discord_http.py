"""Discord's REST API in memory, captured where discord.py meets the network.

discord.py sends every REST call (its HTTPClient.request: messages, threads, DMs, command sync)
and every interaction answer (its webhook adapter: callbacks, follow-ups) through one aiohttp
session. `FakeDiscordAPI.install(client)` wraps the client's HTTPClient.request so that session
is this fake one: discord.py's own request code still runs (JSON encoding, rate-limit and error
handling), nothing leaves the machine, and every call is recorded as `Call(method, path, json)`.
The fake answers like Discord would, from what it has seen (channels, messages, threads), and can
be told to fail: a 429 with Retry-After, a 5xx, a dropped connection.
"""
from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import aiohttp
from multidict import CIMultiDict

BASE = "https://discord.com/api/v10"
REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    params: dict | None = None
    files: list = field(default_factory=list)  # multipart uploads: {"field", "filename", "content"}

    def __repr__(self) -> str:
        return f"{self.method} {self.path} {json.dumps(self.json)[:200] if self.json is not None else ''}"


@dataclass
class Failure:
    method: str
    pattern: str
    status: int = 0
    body: Any = None
    headers: dict = field(default_factory=dict)
    times: int = 1
    disconnect: bool = False


class FakeResponse:
    def __init__(self, status: int, body: Any, headers: dict | None = None) -> None:
        self.status = status
        self.reason = REASONS.get(status, "")
        self.headers = CIMultiDict(headers or {})
        self._text = "" if body is None else json.dumps(body)
        if body is not None:
            self.headers.setdefault("Content-Type", "application/json")

    async def text(self, encoding: str | None = None) -> str:
        return self._text

    async def read(self) -> bytes:
        return self._text.encode()

    async def __aenter__(self) -> FakeResponse:
        return self

    async def __aexit__(self, *exc) -> None:
        return None


class FakeSession:
    """Stands in for aiohttp.ClientSession inside discord.py."""

    closed = False

    def __init__(self, api: FakeDiscordAPI) -> None:
        self.api = api

    def request(self, method: str, url: str, **kwargs) -> FakeResponse:
        return _Pending(self.api, method, url, kwargs)

    async def close(self) -> None:
        self.closed = True


class _Pending:
    def __init__(self, api, method, url, kwargs) -> None:
        self.api, self.method, self.url, self.kwargs = api, method, url, kwargs

    async def __aenter__(self) -> FakeResponse:
        return self.api.handle(self.method, self.url, self.kwargs)

    async def __aexit__(self, *exc) -> None:
        return None


class FakeDiscordAPI:
    def __init__(self, *, app_id: int, bot_user: dict, ids=None) -> None:
        self.app_id = app_id
        self.bot_user = bot_user
        self.calls: list[Call] = []
        self.channels: dict[str, dict] = {}
        self.messages: dict[str, dict] = {}
        self.failures: list[Failure] = []
        self.session = FakeSession(self)
        self.ids = ids or itertools.count(1800000000000000000)

    # Set-up.

    def install(self, client) -> None:
        http = client.http
        original = type(http).request
        session = self.session

        async def request(route, **kwargs):
            current = getattr(http, "_HTTPClient__session", None)
            if current is not session:
                if isinstance(current, aiohttp.ClientSession):
                    await current.close()  # made by static_login; never used
                http._HTTPClient__session = session
            return await original(http, route, **kwargs)

        http.request = request

    def fail(self, method: str, pattern: str, status: int, body: Any = None, *, headers: dict | None = None,
             times: int = 1) -> None:
        self.failures.append(Failure(method, pattern, status, body, headers or {}, times))

    def rate_limit(self, method: str, pattern: str, retry_after: float, *, times: int = 1) -> None:
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        self.fail(method, pattern, 429, body, times=times,
                  headers={"Retry-After": str(retry_after), "Via": "1.1 google", "X-RateLimit-Scope": "user"})

    def disconnect(self, method: str, pattern: str, *, times: int = 1) -> None:
        self.failures.append(Failure(method, pattern, times=times, disconnect=True))

    # Reading what happened.

    def since(self, mark: int) -> list[Call]:
        return self.calls[mark:]

    def find(self, method: str, pattern: str, calls: list[Call] | None = None) -> list[Call]:
        return [c for c in (self.calls if calls is None else calls)
                if c.method == method and re.fullmatch(pattern, c.path)]

    def callbacks(self, calls: list[Call] | None = None) -> list[dict]:
        """Interaction responses (type 4 message, 5 deferred, 6 deferred update, 7 update, 8
        autocomplete, 9 form)."""
        return [c.json for c in self.find("POST", r"/interactions/\d+/[^/]+/callback", calls)]

    # The server.

    def handle(self, method: str, url: str, kwargs: dict) -> FakeResponse:
        path = url.removeprefix(BASE)
        data = kwargs.get("data")
        files: list = []
        if isinstance(data, aiohttp.FormData):  # a message with files: payload_json + files[n]
            data, files = _multipart(data)
        body = json.loads(data) if isinstance(data, str) else None
        self.calls.append(Call(method, path, body, kwargs.get("params"), files))
        for failure in self.failures:
            if failure.times > 0 and failure.method == method and re.fullmatch(failure.pattern, path):
                failure.times -= 1
                if failure.disconnect:
                    raise aiohttp.ClientConnectionError("Cannot connect to host discord.com:443")
                return FakeResponse(failure.status, failure.body, failure.headers)
        if files:
            body = {**(body or {}), "attachments": [
                {"id": str(i), "filename": f["filename"], "size": len(f["content"])} for i, f in enumerate(files)]}
        return self._route(method, path, body or {})

    def _route(self, method: str, path: str, body: dict) -> FakeResponse:
        def match(pattern: str):
            return re.fullmatch(pattern, path)

        if method == "GET" and path == "/users/@me":
            return FakeResponse(200, self.bot_user)
        if method == "GET" and path == "/oauth2/applications/@me":
            return FakeResponse(200, self.application())
        if method == "PUT" and match(r"/applications/\d+(/guilds/\d+)?/commands"):
            return FakeResponse(200, [{"description": "", **command, "id": str(next(self.ids)), "application_id": str(self.app_id),
                                       "version": "1", "default_member_permissions": None} for command in body])
        if m := match(r"/interactions/(\d+)/[^/]+/callback"):
            return FakeResponse(200, self._callback(m[1], body))
        if method == "POST" and match(rf"/webhooks/{self.app_id}/[^/]+"):
            return FakeResponse(200, self._new_message(None, body))
        if method == "PATCH" and match(rf"/webhooks/{self.app_id}/[^/]+/messages/@original"):
            return FakeResponse(200, self._new_message(None, body))
        if method == "POST" and path == "/users/@me/channels":
            return FakeResponse(200, self.dm_with(body["recipient_id"]))
        if method == "GET" and (m := match(r"/channels/(\d+)")):
            channel = self.channels.get(m[1])
            return FakeResponse(200, channel) if channel else _unknown("Channel", 10003)
        if method == "GET" and (m := match(r"/guilds/(\d+)/channels")):
            return FakeResponse(200, [c for c in self.channels.values() if c.get("guild_id") == m[1]])
        if method == "POST" and (m := match(r"/guilds/(\d+)/channels")):
            channel = {"id": str(next(self.ids)), "type": body.get("type", 0), "guild_id": m[1], "position": 0,
                       "name": body.get("name", ""), "topic": body.get("topic"), "parent_id": body.get("parent_id"),
                       "nsfw": False, "last_message_id": None, "rate_limit_per_user": 0,
                       "permission_overwrites": body.get("permission_overwrites") or []}
            self.channels[channel["id"]] = channel
            return FakeResponse(201, channel)
        if method == "PATCH" and (m := match(r"/channels/(\d+)")):
            channel = self.channels.get(m[1])
            if channel is None:
                return _unknown("Channel", 10003)
            channel.update({k: v for k, v in body.items() if k in ("name", "topic", "permission_overwrites")})
            return FakeResponse(200, channel)
        if method == "POST" and (m := match(r"/channels/(\d+)/messages")):
            if m[1] not in self.channels:
                return _unknown("Channel", 10003)
            return FakeResponse(200, self._new_message(m[1], body))
        if method == "PATCH" and (m := match(r"/channels/(\d+)/messages/(\d+)")):
            message = self.messages.get(m[2])
            if message is None:
                return _unknown("Message", 10008)
            message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
            message["edited_timestamp"] = now_iso()
            return FakeResponse(200, message)
        if method == "POST" and (m := match(r"/channels/(\d+)/messages/(\d+)/threads")):
            if m[2] in self.channels:
                return FakeResponse(400, {"message": "A thread has already been created for this message",
                                          "code": 160004})
            if m[2] not in self.messages:
                return _unknown("Message", 10008)
            parent = self.channels[m[1]]
            thread = thread_payload(m[2], parent_id=m[1], guild_id=parent.get("guild_id"),
                                    owner_id=self.bot_user["id"], name=body.get("name", ""))
            self.channels[m[2]] = thread
            return FakeResponse(201, thread)
        return FakeResponse(404, {"message": "404: Not Found", "code": 0})

    def application(self) -> dict:
        return {"id": str(self.app_id), "name": "Service Desk", "icon": None, "description": "",
                "bot_public": False, "bot_require_code_grant": False, "verify_key": "0" * 64,
                "owner": self.bot_user, "flags": 0}

    def dm_with(self, user_id: str) -> dict:
        for channel in self.channels.values():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == str(user_id):
                return channel
        channel = {"id": str(next(self.ids)), "type": 1, "last_message_id": None,
                   "recipients": [{"id": str(user_id), "username": f"user{user_id}", "discriminator": "0",
                                   "avatar": None, "global_name": None}]}
        self.channels[channel["id"]] = channel
        return channel

    def _new_message(self, channel_id: str | None, body: dict) -> dict:
        channel = self.channels.get(channel_id or "", {})
        message = {
            "id": str(next(self.ids)), "channel_id": channel_id or "0", "author": self.bot_user,
            "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "timestamp": now_iso(), "edited_timestamp": None,
            "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [{**a, "url": f"https://cdn.example/{a['filename']}", "proxy_url": "", "content_type": "image/png"}
                            for a in body.get("attachments") or [] if "size" in a],
            "pinned": False, "type": 19 if body.get("message_reference") else 0, "flags": body.get("flags", 0),
        }
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
        self.messages[message["id"]] = message
        return message

    def _callback(self, interaction_id: str, body: dict) -> dict:
        data = body.get("data") or {}
        answer = {"interaction": {"id": interaction_id, "type": body.get("type"),
                                  "response_message_loading": body.get("type") == 5,
                                  "response_message_ephemeral": bool(data.get("flags", 0) & 64)}}
        if body.get("type") == 4:
            message = self._new_message(None, data)
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": 4, "message": message}
        return answer


def _multipart(form: aiohttp.FormData) -> tuple[str | None, list[dict]]:
    """discord.py's multipart body: the JSON part, and each file's name and bytes."""
    payload, files = None, []
    for options, _headers, value in form._fields:
        if options.get("name") == "payload_json":
            payload = value
        elif options.get("filename"):
            content = value.read() if hasattr(value, "read") else value
            files.append({"field": options.get("name"), "filename": options["filename"], "content": content})
    return payload, files


def _unknown(what: str, code: int) -> FakeResponse:
    return FakeResponse(404, {"message": f"Unknown {what}", "code": code})


def thread_payload(thread_id: str, *, parent_id: str, guild_id: str | None, owner_id: str, name: str) -> dict:
    return {"id": str(thread_id), "type": 11, "guild_id": guild_id, "parent_id": str(parent_id),
            "owner_id": str(owner_id), "name": name, "rate_limit_per_user": 0, "message_count": 0,
            "member_count": 1, "flags": 0, "last_message_id": None,
            "thread_metadata": {"archived": False, "auto_archive_duration": 10080,
                                "archive_timestamp": now_iso(), "locked": False}}
