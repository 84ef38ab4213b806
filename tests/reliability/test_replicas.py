"""Two replicas on PostgreSQL: two `servicedesk serve` processes on one database, each Slack DM
delivered to both (as Slack's retries may land on either replica), and escalation sweeps run
from two processes at once with the clock moved past every target. Nothing is opened, escalated
or posted twice."""
from __future__ import annotations

import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from storage.models import AuditEntry, OutboxMessage
from tests.conftest import ROOT, SERVICEDESK
from tests.reliability.conftest import ServeProcess, make_burst, settle

MESSAGES = 30
STEPS = ("sla_warning", "sla_breach", "set_escalation_level", "escalation_at_top", "managers_told")


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database (SQLite is the single-process embedded default); "
                    "set SERVICEDESK_TEST_DATABASE_URL to run this")


def _sweep(env: dict, when: str) -> subprocess.CompletedProcess:
    return subprocess.run([SERVICEDESK, "sweep", "--now", when], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_two_replicas_open_escalate_and_post_everything_once(postgres_only, serve_env, slack_api, record, tmp_path):
    burst = make_burst(slack_api, MESSAGES, prefix="P")
    with ThreadPoolExecutor(2) as pool:  # they start side by side, as a deployment would
        replicas = list(pool.map(lambda n: ServeProcess(serve_env, tmp_path / f"replica-{n}.log").start(), (1, 2)))
    try:
        urls = [r.url for r in replicas]
        # Every message reaches both replicas at the same moment: once as sent, once as a retry.
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda pair: burst.send(*pair), [(url, m) for m in burst.messages for url in urls]))
            list(pool.map(lambda pair: burst.send(*pair, retry_num=1),
                          [(url, m) for m in burst.messages for url in reversed(urls)]))
        assert all(m.acked for m in burst.messages)
        texts = [m.event["text"] for m in burst.messages]
        settle(record, texts)

        # Both replicas' sweep jobs run too; two cron sweeps race, with time moved past the targets.
        for when in ("+7h", "+3d"):
            with ThreadPoolExecutor(2) as pool:
                runs = list(pool.map(lambda _: _sweep(serve_env, when), range(2)))
            assert all(run.returncode == 0 for run in runs), [run.stderr[-500:] for run in runs]
        settle(record, texts)
    finally:
        for replica in replicas:
            replica.stop()

    tickets = record.tickets_by_text()
    assert sorted(tickets) == sorted(texts) and set(tickets.values()) == {1}, "a message opened two tickets"

    with record.database.session() as session:
        steps = Counter(session.execute(
            select(AuditEntry.ticket_id, AuditEntry.action, AuditEntry.field, AuditEntry.after)
            .where(AuditEntry.action.in_(STEPS))))
        escalated = session.execute(select(func.count(func.distinct(AuditEntry.ticket_id)))
                                    .where(AuditEntry.action == "sla_breach")).scalar_one()
    assert escalated == MESSAGES, f"only {escalated} of {MESSAGES} tickets breached after three days"
    assert {step: n for step, n in steps.items() if n > 1} == {}, "an escalation step was taken twice"

    assert record.pending() == 0
    posts = Counter((p["channel"], p.get("thread_ts"), p["text"]) for p in slack_api.posted())
    assert len(posts) >= 2 * MESSAGES, "the confirmations and cards did not all reach Slack"
    assert {post: n for post, n in posts.items() if n > 1} == {}, "a message was posted twice"
    # The sweeps' notices are written for the moved clock (`--now +3d`), so they fall due then;
    # each was written once, whichever process swept first.
    with record.database.session() as session:
        written = Counter(session.execute(select(
            OutboxMessage.ticket_id, OutboxMessage.platform, OutboxMessage.address, OutboxMessage.event,
            OutboxMessage.payload["text"].as_string())))
    assert sum(written.values()) > len(posts), "the sweeps wrote no notices"
    assert {row: n for row, n in written.items() if n > 1} == {}, "a notice was written twice"
