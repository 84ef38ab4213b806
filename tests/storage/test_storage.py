"""Storage on a real database: ids, concurrent numbering, dedup, outbox give-up."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from storage import outbox
from storage.inbound import first_delivery
from storage.tickets import add_ticket, parse_ref

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def _fields(kind: str) -> dict:
    return dict(kind=kind, title="t", description="d", queue="technical", impact="low", urgency="low",
                priority="P5", status="new", assignee=None, requester_platform="console",
                requester_id="alice", requester_name="alice", conversation_platform="console",
                conversation_channel="@alice", conversation_thread=None, intent_confidence=None,
                queue_confidence=None, created_at=NOW, updated_at=NOW, first_response_due=None,
                resolution_due=None)


@pytest.mark.parametrize("text,ref", [
    ("INC-12", "INC-12"), ("inc 12", "INC-12"), ("#REQ-0042", "REQ-42"), ("acc7", "ACC-7"),
    ("INC-", None), ("12", None), ("FOO-1", None), ("INC-12; drop table", None),
])
def test_ticket_ids_are_read_the_way_people_type_them(text, ref):
    assert parse_ref(text) == ref


def test_concurrent_writers_never_share_a_number(database):
    refs: list[str] = []
    errors: list[Exception] = []

    def open_tickets():
        try:
            for _ in range(8):
                with database.session() as session:
                    refs.append(add_ticket(session, **_fields("incident")).ref)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_tickets) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(refs, key=lambda r: int(r.split("-")[1])) == [f"INC-{n}" for n in range(1, 33)]


def test_an_inbound_key_is_accepted_once(database):
    with database.session() as session:
        assert first_delivery(session, source="slack", external_id="Ev1", at=NOW)
    with database.session() as session:
        assert not first_delivery(session, source="slack", external_id="Ev1", at=NOW)
        assert first_delivery(session, source="discord", external_id="Ev1", at=NOW)


def test_an_undeliverable_message_is_kept_as_failed_not_lost(database):
    with database.session() as session:
        message = outbox.enqueue(session, platform="slack", destination="channel", address="C1",
                                 event="opened", payload={"text": "hi"}, at=NOW)
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.mark_failed(message, now=NOW, error="503 from Slack")
        assert (message.status, message.attempts, message.last_error) == ("failed", outbox.MAX_ATTEMPTS, "503 from Slack")
    with database.session() as session:
        assert outbox.claim_due(session, platforms=["slack"], now=NOW.replace(year=2027)) == []
