"""The Slack front end under test: the project's Starlette app served by uvicorn on a free port,
Bolt inside it, the fake Slack Web API (SLACK_API_URL) on another, the real test database and the
desk's injected clock. `slack.post(...)` sends a signed request over HTTP; `slack.settle()` waits
for the work after the ack and runs the outbox relay until nothing more is due."""
from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from bot.server import Runtime, create_http_app
from bot.slack_front.settings import SlackSettings, create_web_client
from bot.slack_front.wiring import SlackFrontEnd, assemble, who_am_i
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import SignedRequest, SlackRequests

SIGNING_SECRET = "test-signing-secret"
PEOPLE = {"U0ALICE": "Alice", "U0BEA": "Bea", "U0ZOE": "Zoe", "U0AGENT": "Sam", "U0BOB": "Bob",
          "U0CAROL": "Carol", "U0MARIA": "Maria"}


class LiveServer:
    """uvicorn in a thread, on a socket bound before it starts (no port race)."""

    def __init__(self, app) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


class SlackHarness:
    def __init__(self, desk, api: FakeSlackApi, front: SlackFrontEnd, runtime: Runtime, server: LiveServer) -> None:
        self.desk = desk
        self.api = api
        self.front = front
        self.runtime = runtime
        self.server = server
        self.requests = SlackRequests(SIGNING_SECRET, bot_user_id=api.bot_user_id)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=3.0)

    def post(self, signed: SignedRequest, *, timeout: float = 3.0) -> httpx.Response:
        """POST /slack/events; Slack gives up after 3 seconds, and so does this."""
        return self.http.post("/slack/events", content=signed.body, headers=signed.headers, timeout=timeout)

    def event(self, event: dict, **options) -> httpx.Response:
        response = self.post(self.requests.event(event, **options))
        assert response.status_code == 200, response.text
        return response

    def settle(self, timeout: float = 15.0) -> None:
        """Wait for the work after the acks, then deliver the outbox until nothing more is due."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.front.work.wait_idle(max(0.0, deadline - time.monotonic())), "slack work did not finish"
            delivered = self.runtime.relay()
            if delivered == 0 and self.front.work.in_flight == 0:
                return

    # What Slack was asked to show.
    def posts(self, channel: str | None = None, *, thread: str | None = None) -> list[dict]:
        return [c for c in self.api.posted()
                if (channel is None or c.get("channel") == channel)
                and (thread is None or c.get("thread_ts") == thread)]

    def answers_to(self, user: str) -> list[str]:
        """Everything shown privately to `user` (response_url, ephemeral, or a DM as fallback)."""
        shown = [visible(c) for c in self.api.calls_to("respond")]
        shown += [visible(c) for c in self.api.calls_to("chat.postEphemeral") if c.get("user") == user]
        return shown

    def close(self) -> None:
        self.http.close()


def texts(blocks_or_params) -> list[tuple[str, str]]:
    """Every text object in a payload as (type, text), plus the message's own `text` as mrkdwn."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
                found.append((node["type"], node["text"]))
            for key, value in node.items():
                if key != "text" or not isinstance(value, str):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    if isinstance(blocks_or_params, dict) and isinstance(blocks_or_params.get("text"), str):
        found.append(("mrkdwn", blocks_or_params["text"]))
    walk(blocks_or_params.get("blocks") if isinstance(blocks_or_params, dict) else blocks_or_params)
    return found


def visible(params: dict) -> str:
    """What a person reads in a message: its blocks' texts (or its text when it has no blocks),
    with Slack's escapes decoded."""
    parts = [text for _kind, text in texts({"blocks": params.get("blocks")})] or [params.get("text") or ""]
    shown = "\n".join(part.removeprefix("```").removesuffix("```") for part in parts)
    return shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def buttons(params: dict) -> dict[str, dict]:
    """The interactive elements of a message by action_id."""
    return {element["action_id"]: element for block in params.get("blocks") or [] if block.get("type") == "actions"
            for element in block["elements"]}


@pytest.fixture
def slack_api():
    with FakeSlackApi() as api:
        for user_id, name in PEOPLE.items():
            api.add_user(user_id, name)
        yield api


@pytest.fixture
def slack(desk, slack_api):
    settings = SlackSettings(bot_token=slack_api.token, signing_secret=SIGNING_SECRET, api_url=slack_api.url)
    client = create_web_client(settings)
    front = assemble(settings, desk, client=client, bot=who_am_i(client))
    runtime = Runtime(desk, senders=[front.sender])
    server = LiveServer(create_http_app(runtime, extra_routes=front.routes)).start()
    harness = SlackHarness(desk, slack_api, front, runtime, server)
    try:
        yield harness
    finally:
        harness.close()
        server.stop()
        front.stop()
