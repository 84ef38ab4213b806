"""Fuzzing: Hypothesis throws malformed input at the webhook parsers, at the HTTP routes (monitoring
events and signed Slack requests) and at `/sd` argument parsing. Whatever arrives, the desk
answers without a 5xx, never shows a traceback, and every `/sd` reply is a non-empty sentence.

Examples are derandomised and bounded so the suite is stable and quick in CI.
"""
from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.event_routes import TOKEN_ENV, event_routes
from bot.server import Runtime, create_http_app
from bot.slack_front.settings import SlackSettings, create_web_client
from bot.slack_front.wiring import assemble, who_am_i
from handlers.commands import COMMANDS, run_command
from handlers.event_formats import EventFormatError, parse_alertmanager, parse_generic, parse_pagerduty
from storage.models import OutboxMessage
from tests.bot.slack_front.conftest import PEOPLE, SIGNING_SECRET, LiveServer, slack_api  # noqa: F401
from tests.fakes.slack_requests import SlackRequests

TOKEN = "fuzz-events-token"
TRACEBACK_SIGNS = ("Traceback", 'File "', "Error:", "Exception")
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# JSON of any shape, and objects that look like the real payloads with wrong types in their fields.
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def looks_like(fields: list[str]):
    return st.dictionaries(st.sampled_from(fields), json_values, max_size=len(fields))


ALERT_FIELDS = ["status", "labels", "annotations", "startsAt", "endsAt", "fingerprint", "generatorURL"]
alertmanager = st.fixed_dictionaries({"version": st.just("4"), "status": json_values,
                                      "alerts": st.lists(looks_like(ALERT_FIELDS), max_size=3) | json_values})
pagerduty = st.fixed_dictionaries({"routing_key": st.just(TOKEN), "event_action": st.sampled_from(
    ["trigger", "acknowledge", "resolve", "bogus"]) | json_values, "dedup_key": json_values,
    "payload": looks_like(["summary", "source", "severity", "component", "custom_details", "timestamp"]) | json_values})
GENERIC_FIELDS = ["action", "dedup_key", "summary", "severity", "service", "instance", "source", "details"]
generic = looks_like(GENERIC_FIELDS) | st.fixed_dictionaries({"events": st.lists(looks_like(GENERIC_FIELDS), max_size=3)})


def no_traceback(text: str) -> None:
    assert not any(sign in text for sign in TRACEBACK_SIGNS), f"a traceback leaked: {text[:300]!r}"


# The parsers, called directly.

@FUZZ
@given(data=json_values | alertmanager | pagerduty | generic)
def test_the_webhook_parsers_take_anything_and_name_what_is_wrong(data):
    for parse in (lambda d: parse_alertmanager(d, limit=50), parse_pagerduty, lambda d: parse_generic(d, limit=50)):
        try:
            parse(data)
        except EventFormatError as error:
            assert str(error).strip(), "an error with no words"
            no_traceback(str(error))


# Over HTTP: the Starlette app with the event routes and the Slack endpoint, served by uvicorn.

@pytest.fixture
def served(desk, slack_api):
    settings_ = SlackSettings(bot_token=slack_api.token, signing_secret=SIGNING_SECRET, api_url=slack_api.url)
    client = create_web_client(settings_)
    front = assemble(settings_, desk, client=client, bot=who_am_i(client))
    runtime = Runtime(desk, senders=[front.sender])
    app = create_http_app(runtime, extra_routes=front.routes + event_routes(desk, {TOKEN_ENV: TOKEN}))
    server = LiveServer(app).start()
    http = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10)
    errors = _ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        yield http, front, runtime, errors
    finally:
        logging.getLogger().removeHandler(errors)
        http.close()
        server.stop()
        front.stop()


class _ErrorLog(logging.Handler):
    """Errors the desk logged with a traceback (work after the ack that blew up)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


def answered_well(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    no_traceback(response.text)


@FUZZ
@given(route=st.sampled_from(["alertmanager", "pagerduty", "generic"]),
       body=json_values | alertmanager | pagerduty | generic,
       raw=st.none() | st.binary(max_size=200))
def test_event_routes_answer_malformed_bodies_without_a_5xx(served, route, body, raw):
    http, *_ = served
    content = raw if raw is not None else json.dumps(body).encode()
    answered_well(http.post(f"/events/{route}", content=content, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}))


requests = SlackRequests(SIGNING_SECRET)
EVENT_FIELDS = ["type", "channel", "user", "text", "ts", "thread_ts", "channel_type", "subtype", "bot_id",
                "item", "item_user", "reaction", "event_ts", "blocks", "files"]
event_types = st.sampled_from(["message", "app_mention", "reaction_added", "app_home_opened", "team_join"])
slack_events = st.builds(lambda kind, rest: {**rest, "type": kind}, event_types, looks_like(EVENT_FIELDS))
slack_bodies = st.one_of(
    # an Events API envelope whose event has any fields, of any type
    st.builds(lambda event: ("json", {"type": "event_callback", "team_id": "T0TEST", "api_app_id": "A0DESK",
                                      "event_id": f"EvFUZZ{abs(hash(json.dumps(event, sort_keys=True)))}",
                                      "event": event}), slack_events),
    st.builds(lambda body: ("json", body), json_values),  # any JSON at all
    st.builds(lambda raw: ("raw", raw), st.binary(max_size=120)),  # not JSON
    # slash commands with odd fields, and interactivity payloads of any shape
    st.builds(lambda form: ("form", form), st.fixed_dictionaries(
        {"command": st.just("/sd"), "user_id": st.sampled_from(list(PEOPLE)), "channel_id": st.just("C0GENERAL"),
         "team_id": st.just("T0TEST")}, optional={"text": st.text(max_size=60), "trigger_id": st.text(max_size=10),
                                                  "response_url": st.text(max_size=20)})),
    st.builds(lambda payload: ("form", {"payload": json.dumps(payload)}), json_values | looks_like(
        ["type", "user", "actions", "view", "container", "channel", "message", "team", "trigger_id"])),
)


@FUZZ
@given(body=slack_bodies)
def test_signed_but_malformed_slack_requests_get_no_5xx_and_no_traceback(served, body):
    http, front, runtime, errors = served
    kind, value = body
    if kind == "json":
        signed = requests.sign(json.dumps(value).encode(), "application/json")
    elif kind == "form":
        signed = requests.sign(urlencode(value).encode(), "application/x-www-form-urlencoded")
    else:
        signed = requests.sign(value, "application/json")
    answered_well(http.post("/slack/events", content=signed.body, headers=signed.headers))
    assert front.work.wait_idle(20), "work after the ack did not finish"
    assert [r.getMessage() for r in errors.records] == [], "malformed input blew up after the ack"


def test_what_users_were_shown_after_the_slack_fuzzing_holds_no_traceback(served, desk):
    """Run a fuzzing pass, deliver everything it caused, and read what people would see."""
    test_signed_but_malformed_slack_requests_get_no_5xx_and_no_traceback.hypothesis.inner_test(
        served, ("json", {"type": "event_callback", "event_id": "EvFUZZTEXT", "event": {
            "type": "message", "channel": "DU0ALICE", "user": "U0ALICE", "channel_type": "im",
            "ts": "1700000000.000001", "text": {"not": "a string"}}}))
    _http, _front, runtime, _errors = served
    runtime.relay()
    with desk.database.session() as session:
        for payload in session.execute(select(OutboxMessage.payload)).scalars():
            no_traceback(json.dumps(payload))


# `/sd` argument parsing.

words = st.sampled_from(sorted(COMMANDS) + ["help", "list", "show", "INC-1", "INC-999999999999", "REQ-0", "mine",
                                            "P1", "P9", "technical", "nowhere", "PRB-1", "--", "'", '"', "\\", "@x"])
command_lines = st.one_of(
    st.text(max_size=80),
    st.lists(words | st.text(max_size=12), min_size=1, max_size=6).map(" ".join),
    st.builds(lambda name, rest: f"/sd {name} {rest}", st.sampled_from(sorted(COMMANDS)), st.text(max_size=40)),
)


@FUZZ
@given(line=command_lines, who=st.sampled_from(["agent", "alice"]))
def test_sd_takes_any_text_from_staff_and_end_users(people, desk, line, who):
    if people.ticket("INC-1") is None:
        people.say("alice", "my laptop won't turn on")
    reply = run_command(desk, people.person(who), line)
    assert isinstance(reply.text, str) and reply.text.strip(), f"an empty reply to {line!r}"
    no_traceback(reply.text)
