"""The Slack front end as `servicedesk serve` builds it: configuration from the environment (errors
name the variable and never echo a secret), HTTP mode, Socket Mode, the manifest, and the rule
that only bot/ knows about Slack."""
from __future__ import annotations

import json
import os
import re
import subprocess
import time

import httpx
import pytest
import yaml

from bot.config import ConfigError, Settings
from bot.front_end import configured_front_ends
from bot.slack_front import build_front_end
from tests.conftest import ROOT, SERVICEDESK
from tests.fakes.slack_requests import SlackRequests


def _settings(organisation) -> Settings:
    return Settings(organisation=organisation, database_url="sqlite://", config_path=ROOT / "app.yaml")


def test_a_bot_token_alone_is_a_configuration_error_naming_what_is_missing(organisation, desk):
    with pytest.raises(ConfigError) as error:
        build_front_end(_settings(organisation), desk, {"SLACK_BOT_TOKEN": "xoxb-1"})
    assert "SLACK_SIGNING_SECRET" in str(error.value) and "SLACK_APP_TOKEN" in str(error.value)


@pytest.mark.parametrize("environ, named", [
    ({"SLACK_BOT_TOKEN": "xoxp-user-token-secret", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "ftp://x"}, "SLACK_API_URL"),
])
def test_wrong_values_are_named_without_repeating_secrets(organisation, desk, environ, named):
    with pytest.raises(ConfigError) as error:
        build_front_end(_settings(organisation), desk, environ)
    assert named in str(error.value)
    assert "secret" not in str(error.value).replace("SLACK_SIGNING_SECRET", "")


def test_a_token_slack_refuses_stops_the_start(organisation, desk, slack_api):
    environ = {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack_api.url}
    with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)"):
        build_front_end(_settings(organisation), desk, environ)


def test_http_mode_mounts_the_events_route_and_a_slack_sender(organisation, desk, slack_api):
    environ = {"SLACK_BOT_TOKEN": slack_api.token, "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack_api.url}
    (front_end,) = configured_front_ends(_settings(organisation), desk, environ)
    try:
        assert front_end.name == "slack" and front_end.sender.platform == "slack"
        assert [(r.path, r.methods) for r in front_end.routes] == [("/slack/events", {"POST"})]
        front_end.start()  # nothing to connect in HTTP mode
    finally:
        front_end.stop()


def test_socket_mode_needs_no_route_and_a_refused_app_token_is_named(organisation, desk, slack_api):
    environ = {"SLACK_BOT_TOKEN": slack_api.token, "SLACK_APP_TOKEN": "xapp-1-refused",
               "SLACK_API_URL": slack_api.url}
    front_end = build_front_end(_settings(organisation), desk, environ)
    try:
        assert front_end.routes == []
        with pytest.raises(ConfigError, match="SLACK_APP_TOKEN was refused by Slack"):
            front_end.start()
        assert slack_api.attempts("apps.connections.open")[0].token == "xapp-1-refused"
    finally:
        front_end.stop()


def test_socket_mode_envelopes_reach_the_same_desk(desk, slack_api, people):
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app
    from slack_sdk.socket_mode.request import SocketModeRequest

    from bot.slack_front.settings import SlackSettings, create_web_client
    from bot.slack_front.wiring import assemble, who_am_i
    from handlers.relay import relay_once

    settings = SlackSettings(bot_token=slack_api.token, app_token="xapp-1", api_url=slack_api.url)
    front = assemble(settings, desk, bot=who_am_i(create_web_client(settings)))
    try:
        requests = SlackRequests("no signatures in socket mode", bot_user_id=slack_api.bot_user_id)
        envelope = json.loads(requests.event(requests.dm("U0ALICE", "my laptop won't turn on")).body)
        response = run_bolt_app(front.app, SocketModeRequest(type="events_api", envelope_id="e-1", payload=envelope))
        assert response.status == 200
        assert front.work.wait_idle(15)
        assert relay_once(desk, [front.sender]) == 2
        assert people.ticket("INC-1").requester_id == "U0ALICE"
        assert {c["channel"] for c in slack_api.calls_to("chat.postMessage")} == {"DU0ALICE", "C0TECHNICAL"}
    finally:
        front.stop()


def test_the_manifest_creates_the_whole_app(tmp_path):
    manifest = yaml.safe_load((ROOT / "bot" / "slack_manifest.yaml").read_text(encoding="utf-8"))
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/sd"]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) >= {
        "app_mention", "message.im", "message.channels", "reaction_added", "app_home_opened"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    urls = [manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"], manifest["features"]["slash_commands"][0]["url"]]
    assert all(url.endswith("/slack/events") for url in urls)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) >= {
        "app_mentions:read", "chat:write", "commands", "im:history", "channels:history", "reactions:read",
        "users:read", "usergroups:read"}


def test_only_the_bot_layer_knows_about_slack():
    pattern = re.compile(r"^\s*(from|import)\s+slack_(bolt|sdk)", re.MULTILINE)
    for package in ("handlers", "nlp", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            assert not pattern.search(path.read_text(encoding="utf-8")), f"{path} imports Slack"


def _wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _serve(cli_env: dict, environ: dict, port: int) -> subprocess.Popen:
    env = {**cli_env, **environ}
    if os.environ.get("SERVICEDESK_MODEL_DIR"):
        env["SERVICEDESK_MODEL_DIR"] = os.environ["SERVICEDESK_MODEL_DIR"]
    return subprocess.Popen([SERVICEDESK, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_serve_with_a_bot_token_alone_says_what_is_missing(cli_env):
    process = _serve(cli_env, {"SLACK_BOT_TOKEN": "xoxb-1"}, 9)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in err and "Traceback" not in err


def test_serve_answers_slack_and_delivers_through_its_own_relay(cli_env, slack_api):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = _serve(cli_env, {"SLACK_BOT_TOKEN": slack_api.token, "SLACK_SIGNING_SECRET": "serve-secret",
                               "SLACK_API_URL": slack_api.url}, port)
    try:
        base = f"http://127.0.0.1:{port}"

        def healthy():
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read()
                return False

        _wait_until(healthy, 90, "serve did not start")
        requests = SlackRequests("serve-secret", bot_user_id=slack_api.bot_user_id)
        signed = requests.event(requests.dm("U0ALICE", "my laptop won't turn on", ts="1700000000.000100"))
        response = httpx.post(f"{base}/slack/events", content=signed.body, headers=signed.headers, timeout=3)
        assert response.status_code == 200
        channels = _wait_until(lambda: {c["channel"] for c in slack_api.calls_to("chat.postMessage")} >= {
            "DU0ALICE", "C0TECHNICAL"}, 30, "the relay did not deliver")
        assert channels
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")
