"""Requests as Slack sends them: Events API JSON, slash-command forms and interactivity payloads,
signed with the signing secret (v0 HMAC-SHA256 of `v0:timestamp:body`).

    requests = SlackRequests("secret")
    signed = requests.event(requests.dm("U0ALICE", "my laptop won't turn on"))
    httpx.post(url, content=signed.body, headers=signed.headers)

`forged=True` signs with the wrong secret; `age_seconds` makes the timestamp old.
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class SignedRequest:
    body: bytes
    headers: dict


class SlackRequests:
    def __init__(self, signing_secret: str, *, team_id: str = "T0TEST", api_app_id: str = "A0DESK",
                 bot_user_id: str = "U0DESKBOT") -> None:
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self._ids = itertools.count(1)

    # Signing.
    def sign(self, body: bytes, content_type: str, *, forged: bool = False, age_seconds: int = 0,
             extra_headers: dict | None = None) -> SignedRequest:
        timestamp = str(int(time.time()) - age_seconds)
        secret = (self.signing_secret + "-forged") if forged else self.signing_secret
        digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                   "X-Slack-Signature": f"v0={digest}", **(extra_headers or {})}
        return SignedRequest(body, headers)

    def next_ts(self) -> str:
        return f"1700000000.{next(self._ids):06d}"

    # Events API.
    def event(self, event: dict, *, event_id: str | None = None, retry_num: int | None = None,
              **signing) -> SignedRequest:
        envelope = {
            "token": "legacy-verification-token", "team_id": self.team_id, "api_app_id": self.api_app_id,
            "event": event, "type": "event_callback", "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": self.bot_user_id, "is_bot": True}],
        }
        extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return self.sign(json.dumps(envelope).encode(), "application/json", extra_headers=extra, **signing)

    def dm(self, user: str, text: str, *, channel: str | None = None, ts: str | None = None,
           thread_ts: str | None = None) -> dict:
        event = {"type": "message", "channel": channel or f"D{user}", "user": user, "text": text,
                 "ts": ts or self.next_ts(), "channel_type": "im"}
        event["event_ts"] = event["ts"]
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    def channel_message(self, user: str, text: str, *, channel: str, ts: str | None = None,
                        thread_ts: str | None = None) -> dict:
        event = self.dm(user, text, channel=channel, ts=ts, thread_ts=thread_ts)
        event["channel_type"] = "channel"
        return event

    def mention(self, user: str, text: str, *, channel: str, ts: str | None = None,
                thread_ts: str | None = None) -> dict:
        event = {"type": "app_mention", "channel": channel, "user": user, "ts": ts or self.next_ts(),
                 "text": f"<@{self.bot_user_id}> {text}"}
        event["event_ts"] = event["ts"]
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    def reaction(self, reactor: str, *, author: str, channel: str, ts: str, name: str = "ticket") -> dict:
        return {"type": "reaction_added", "user": reactor, "reaction": name, "item_user": author,
                "item": {"type": "message", "channel": channel, "ts": ts}, "event_ts": self.next_ts()}

    def home_opened(self, user: str) -> dict:
        return {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home",
                "event_ts": self.next_ts()}

    # Slash commands.
    def command(self, user: str, text: str, *, channel: str = "C0GENERAL", response_url: str = "",
                command: str = "/sd", trigger_id: str | None = None, **signing) -> SignedRequest:
        form = {"token": "legacy", "team_id": self.team_id, "team_domain": "test", "channel_id": channel,
                "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": command,
                "text": text, "api_app_id": self.api_app_id, "response_url": response_url,
                "trigger_id": trigger_id or f"trigger-{next(self._ids)}"}
        return self.sign(urlencode(form).encode(), "application/x-www-form-urlencoded", **signing)

    # Interactivity.
    def interaction(self, payload: dict, **signing) -> SignedRequest:
        return self.sign(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded",
                         **signing)

    def button(self, user: str, action_id: str, value: str, *, channel: str, message_ts: str,
               response_url: str = "", block_id: str = "b1", trigger_id: str | None = None, **signing) -> SignedRequest:
        return self.interaction(self._block_actions(user, {
            "type": "button", "action_id": action_id, "block_id": block_id, "value": value,
            "text": {"type": "plain_text", "text": action_id}, "action_ts": self.next_ts(),
        }, channel=channel, message_ts=message_ts, response_url=response_url, trigger_id=trigger_id), **signing)

    def user_picked(self, user: str, action_id: str, selected_user: str, *, block_id: str, channel: str,
                    message_ts: str, response_url: str = "") -> SignedRequest:
        return self.interaction(self._block_actions(user, {
            "type": "users_select", "action_id": action_id, "block_id": block_id, "selected_user": selected_user,
            "action_ts": self.next_ts(),
        }, channel=channel, message_ts=message_ts, response_url=response_url))

    def view_submission(self, user: str, view: dict, values: dict, **signing) -> SignedRequest:
        """Submit a modal the desk opened (`view` as sent to views.open) with `values`:
        {block_id: {action_id: state}} as Slack reports them."""
        submitted = {**view, "id": f"V{next(self._ids):08d}", "hash": "h1", "state": {"values": values}}
        return self.interaction({
            "type": "view_submission", "team": {"id": self.team_id}, "user": {"id": user, "team_id": self.team_id},
            "api_app_id": self.api_app_id, "trigger_id": f"trigger-{next(self._ids)}", "view": submitted,
        }, **signing)

    def _block_actions(self, user: str, action: dict, *, channel: str, message_ts: str, response_url: str,
                       trigger_id: str | None = None) -> dict:
        return {
            "type": "block_actions", "team": {"id": self.team_id}, "user": {"id": user, "team_id": self.team_id},
            "api_app_id": self.api_app_id, "trigger_id": trigger_id or f"trigger-{next(self._ids)}",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel}, "message": {"ts": message_ts, "type": "message"},
            "response_url": response_url, "actions": [action],
        }
