"""A fake Slack Web API on a free local port: records every call, answers like Slack, and can be
told to fail (429 with Retry-After, 500) for the next calls of a method.

    with FakeSlackApi() as slack:
        client = WebClient(token=slack.token, base_url=slack.url)
        ...
        slack.fail("chat.postMessage", status=429, retry_after=30)
        slack.calls_to("chat.update")

Posted messages are kept, so `conversations.history`/`replies` find them, and seeded messages
(`add_message`) stand for what people wrote. `response_url(...)` gives a URL on this server that
records what is posted to it, like Slack's response_url.
"""
from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse


@dataclass
class Call:
    method: str
    params: dict
    token: str | None
    status: int = 200  # what the fake answered
    answer: dict = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return self.status == 200


@dataclass
class Failure:
    status: int
    retry_after: int | None = None


@dataclass
class FakeSlackApi:
    token: str = "xoxb-test-token"
    bot_user_id: str = "U0DESKBOT"
    bot_id: str = "B0DESKBOT"
    team_id: str = "T0TEST"
    users: dict = field(default_factory=dict)  # user id -> users.info "user"
    usergroups: dict = field(default_factory=dict)  # group id -> [user ids]
    calls: list = field(default_factory=list)
    messages: dict = field(default_factory=dict)  # (channel, ts) -> message
    channels: dict = field(default_factory=dict)  # id -> channels the desk created (conversations.create)
    uploads: dict = field(default_factory=dict)  # file id -> {"filename", "length", "content", "shared_in"}
    outside: set = field(default_factory=set)  # channels the app is not in (files.completeUploadExternal refuses)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, deque] = {}
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # Life cycle.
    def start(self) -> FakeSlackApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                path = urlparse(self.path).path
                if path.startswith("/upload/"):  # files_upload_v2's step 2: the file's bytes
                    return fake._upload(self, path.removeprefix("/upload/"), self.rfile.read(length))
                raw = self.rfile.read(length).decode("utf-8")
                fake._serve(self, path, raw)

            def log_message(self, *_args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "1") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    # Arranging.
    def add_user(self, user_id: str, display_name: str, *, is_bot: bool = False) -> None:
        self.users[user_id] = {"id": user_id, "name": display_name.lower(), "real_name": display_name,
                               "is_bot": is_bot, "profile": {"display_name": display_name, "real_name": display_name}}

    def add_message(self, channel: str, ts: str, user: str, text: str, *, thread_ts: str | None = None) -> None:
        message = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.messages[(channel, ts)] = message

    def fail(self, method: str, *, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """The next `times` calls of `method` (e.g. "chat.postMessage", or "respond") answer `status`."""
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(status, retry_after) for _ in range(times))

    # Looking.
    def calls_to(self, method: str, *, answered_only: bool = True) -> list[dict]:
        with self._lock:
            return [c.params for c in self.calls if c.method == method and (c.answered or not answered_only)]

    def posted(self) -> list[dict]:
        """The messages posted (chat.postMessage calls that succeeded), each with the `ts` Slack gave it."""
        with self._lock:
            return [{**c.params, "ts": c.answer.get("ts")} for c in self.calls
                    if c.method == "chat.postMessage" and c.answered and c.answer.get("ok")]

    def attempts(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # Serving.
    def _serve(self, request: BaseHTTPRequestHandler, path: str, raw: str) -> None:
        if path.startswith("/respond/"):
            method, token = "respond", None
        else:
            method = path.removeprefix("/api/")
            token = (request.headers.get("Authorization") or "").removeprefix("Bearer ").strip() or None
        params = _parse(raw, request.headers.get("Content-Type") or "")
        if token is None and "token" in params:
            token = params.pop("token")
        with self._lock:
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None
            call = Call(method, params, token, failure.status if failure else 200)
            self.calls.append(call)
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            if failure.status == 429:
                return _answer(request, 429, {"ok": False, "error": "ratelimited"}, headers)
            return _answer(request, failure.status, "Internal Server Error", headers)
        if method == "respond":
            return _answer(request, 200, "ok")
        if method not in ("apps.connections.open",) and token != self.token:
            return _answer(request, 200, {"ok": False, "error": "invalid_auth" if token else "not_authed"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return _answer(request, 200, {"ok": False, "error": "unknown_method"})
        with self._lock:
            body = handler(params)
            call.answer = body
        return _answer(request, 200, body)

    # Methods (called with the lock held).
    def _auth_test(self, _params: dict) -> dict:
        return {"ok": True, "user_id": self.bot_user_id, "bot_id": self.bot_id, "team_id": self.team_id,
                "user": "servicedesk", "team": "Test", "url": "https://test.slack.com/"}

    def _chat_postMessage(self, params: dict) -> dict:  # noqa: N802 - Slack's method name
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        ts = f"1800000000.{next(self._ts):06d}"
        message = {"type": "message", "bot_id": self.bot_id, "user": self.bot_user_id, "text": params.get("text"),
                   "blocks": params.get("blocks"), "ts": ts}
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, params: dict) -> dict:
        key = (params.get("channel"), params.get("ts"))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key].update(text=params.get("text"), blocks=params.get("blocks"))
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _chat_postEphemeral(self, params: dict) -> dict:  # noqa: N802 - Slack's method name
        return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}

    def _views_open(self, params: dict) -> dict:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **(params.get("view") or {})}}

    def _views_publish(self, params: dict) -> dict:
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **(params.get("view") or {})}}

    def _users_info(self, params: dict) -> dict:
        user = self.users.get(params.get("user"))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _usergroups_users_list(self, params: dict) -> dict:
        group = params.get("usergroup")
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.usergroups[group])}

    def _conversations_open(self, params: dict) -> dict:
        return {"ok": True, "channel": {"id": "D" + str(params.get("users", "")).split(",")[0].lstrip("U")}}

    def _conversations_history(self, params: dict) -> dict:
        message = self.messages.get((params.get("channel"), params.get("latest")))
        top_level = message is not None and message.get("thread_ts") in (None, message["ts"])
        found = [message] if top_level else []  # like Slack: replies are not in the history
        return {"ok": True, "messages": found, "has_more": False}

    def _conversations_replies(self, params: dict) -> dict:
        channel, ts = params.get("channel"), params.get("ts")
        message = self.messages.get((channel, ts))
        if message is None:
            return {"ok": False, "error": "thread_not_found"}
        parent = self.messages.get((channel, message.get("thread_ts") or ts), message)
        return {"ok": True, "messages": [parent] + ([message] if message is not parent else [])}

    def _conversations_create(self, params: dict) -> dict:
        name = params.get("name")
        if any(c["name"] == name for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        channel = {"id": f"C0NEW{len(self.channels) + 1:04d}", "name": name, "members": [], "topic": "",
                   "is_archived": False}
        self.channels[channel["id"]] = channel
        return {"ok": True, "channel": {k: channel[k] for k in ("id", "name")}}

    def _conversations_invite(self, params: dict) -> dict:
        channel = self.channels.get(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        channel["members"].extend(u for u in str(params.get("users", "")).split(",") if u)
        return {"ok": True, "channel": {"id": channel["id"]}}

    def _conversations_setTopic(self, params: dict) -> dict:  # noqa: N802 - Slack's method name
        channel = self.channels.get(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        channel["topic"] = params.get("topic", "")
        return {"ok": True}

    def _conversations_archive(self, params: dict) -> dict:
        channel = self.channels.get(params.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel["is_archived"]:
            return {"ok": False, "error": "already_archived"}
        channel["is_archived"] = True
        return {"ok": True}

    def _conversations_list(self, params: dict) -> dict:
        found = [{"id": c["id"], "name": c["name"]} for c in self.channels.values() if not c["is_archived"]]
        return {"ok": True, "channels": found, "response_metadata": {"next_cursor": ""}}

    # files_upload_v2: files.getUploadURLExternal, a POST of the bytes to upload_url (recorded as
    # the call "upload"), then files.completeUploadExternal shares the uploaded files.
    def _files_getUploadURLExternal(self, params: dict) -> dict:  # noqa: N802 - Slack's method name
        if not params.get("filename") or not str(params.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ts):08d}"
        self.uploads[file_id] = {"filename": params["filename"], "length": int(params["length"]), "content": None}
        return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}

    def _upload(self, request: BaseHTTPRequestHandler, file_id: str, content: bytes) -> None:
        with self._lock:
            failures = self._failures.get("upload")
            failure = failures.popleft() if failures else None
            self.calls.append(Call("upload", {"file_id": file_id, "length": len(content)}, None,
                                   failure.status if failure else 200))
            known = self.uploads.get(file_id)
            if failure is None and known is not None:
                known["content"] = content
        if failure is not None:
            return _answer(request, failure.status, "Internal Server Error")
        if known is None:
            return _answer(request, 404, "unknown upload")
        return _answer(request, 200, f"OK - {len(content)}")

    def _files_completeUploadExternal(self, params: dict) -> dict:  # noqa: N802 - Slack's method name
        files = params.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        if params.get("channel_id") in self.outside:
            return {"ok": False, "error": "not_in_channel"}
        shared = []
        for item in files:
            upload = self.uploads.get(item.get("id"))
            if upload is None or upload["content"] is None:
                return {"ok": False, "error": "file_not_found"}
            upload.update(title=item.get("title"), shared_in=params.get("channel_id"),
                          thread_ts=params.get("thread_ts"), initial_comment=params.get("initial_comment"))
            shared.append({"id": item["id"], "name": upload["filename"], "title": item.get("title"),
                           "size": len(upload["content"])})
        return {"ok": True, "files": shared}

    def _apps_connections_open(self, params: dict) -> dict:
        return {"ok": False, "error": "invalid_auth"}


def _parse(raw: str, content_type: str) -> dict:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    params = dict(parse_qsl(raw, keep_blank_values=True))
    for key, value in list(params.items()):  # WebClient sends blocks/views as JSON strings in forms
        if value[:1] in "[{":
            try:
                params[key] = json.loads(value)
            except ValueError:
                pass
    return params


def _answer(request: BaseHTTPRequestHandler, status: int, body, headers: dict | None = None) -> None:
    data = (json.dumps(body) if isinstance(body, dict) else str(body)).encode("utf-8")
    request.send_response(status)
    request.send_header("Content-Type", "application/json; charset=utf-8" if isinstance(body, dict) else "text/plain")
    request.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(data)
