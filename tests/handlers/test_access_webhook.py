"""The webhook provisioner: a signed POST through the outbox, retried after a 500, the grant
recorded once the receiver answers 2xx; the same provisioner revokes at expiry."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from bot.provisioner_sender import WebhookSender
from handlers import grants
from handlers.access_config import AccessResource
from handlers.desk import Desk
from handlers.relay import relay_once
from storage.access import AccessGrant
from tests.conftest import People

SECRET = "test-provisioner-secret"


class Receiver:
    """A provisioning endpoint on a free port: answers each call with the next status given."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.calls: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append({"body": body, "signature": self.headers["X-Servicedesk-Signature"],
                                       "delivery": self.headers["X-Servicedesk-Delivery"]})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/provision"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver([500, 200])
    yield found
    found.close()


@pytest.fixture
def webhook_desk(organisation, database, classifier, clock, receiver) -> Desk:
    return desk_with_gitlab(organisation, database, classifier, clock, receiver.url)


def desk_with_gitlab(organisation, database, classifier, clock, url: str) -> Desk:
    """The demo desk plus GitLab, provisioned by a signed webhook to `url`."""
    resources = dict(organisation.access.resources)
    resources["gitlab"] = AccessResource(title="GitLab", aliases=["gitlab"], kind="application", queue="application",
                                         approvers=["carol"], default_duration="30d", provisioner="webhook",
                                         url=url, justification_required=False)
    access = organisation.access.model_copy(update={"resources": resources})
    return Desk(organisation=organisation.model_copy(update={"access": access}), database=database,
                classifier=classifier, clock=clock)


def _grant(desk) -> AccessGrant:
    with desk.database.session() as session:
        return session.query(AccessGrant).one()


def test_webhook_grant_is_signed_retried_after_a_500_and_recorded_on_200(webhook_desk, receiver):
    desk, people = webhook_desk, People(webhook_desk)
    sender = WebhookSender(SECRET, timeout=5)
    people.say("alice", "I need access to GitLab for 2 days")
    assert people.sd("carol", "/sd approve ACC-1").ok
    assert _grant(desk).state == "provisioning"

    relay_once(desk, [sender])  # the receiver answers 500
    assert len(receiver.calls) == 1 and _grant(desk).state == "provisioning"
    grants.sweep(desk)
    assert _grant(desk).state == "provisioning"  # not recorded before a 2xx
    relay_once(desk, [sender])  # backoff: not due yet
    assert len(receiver.calls) == 1
    desk.clock.advance(seconds=5)
    relay_once(desk, [sender])  # retried: 200
    assert len(receiver.calls) == 2
    first, second = receiver.calls
    assert first["body"] == second["body"] and first["delivery"] == second["delivery"]
    expected = "sha256=" + hmac.new(SECRET.encode(), second["body"], hashlib.sha256).hexdigest()
    assert second["signature"] == expected
    body = json.loads(second["body"])
    assert (body["action"], body["resource"], body["beneficiary"]["name"], body["approvers"]) == \
        ("grant", "gitlab", "alice", ["carol"])

    grants.sweep(desk)
    grant = _grant(desk)
    assert grant.state == "active" and grant.granted_at == desk.clock.now()
    assert people.ticket("ACC-1").status == "resolved"

    desk.clock.advance(days=2, seconds=1)
    grants.sweep(desk)  # expiry: the same provisioner revokes
    assert _grant(desk).state == "revoking"
    relay_once(desk, [sender])
    grants.sweep(desk)
    assert json.loads(receiver.calls[-1]["body"])["action"] == "revoke"
    assert _grant(desk).state == "revoked"


def test_without_a_secret_nothing_is_sent_unsigned(webhook_desk, receiver):
    desk, people = webhook_desk, People(webhook_desk)
    people.say("alice", "I need access to GitLab for 2 days")
    people.sd("carol", "/sd approve ACC-1")
    relay_once(desk, [WebhookSender("")])
    assert receiver.calls == [] and _grant(desk).state == "provisioning"
