"""Crash: `servicedesk serve` is SIGKILLed in the middle of a burst of Slack DMs. After a restart,
and Slack's retries of what was never acknowledged, every acknowledged message has exactly one
ticket and every notification the desk owed is delivered."""
from __future__ import annotations

import threading
from collections import Counter

from tests.reliability.conftest import ServeProcess, confirmations, make_burst, settle, wait_until

BURST = 60
KILL_AFTER_POSTS = 5


def test_sigkill_mid_burst_loses_no_acknowledged_message(serve_env, slack_api, record, tmp_path):
    burst = make_burst(slack_api, BURST)
    slack_api.post_seconds = 0.05
    first = ServeProcess(serve_env, tmp_path / "serve-1.log").start()
    # About 4 seconds of traffic; the kill comes once the relay is busy posting confirmations.
    sender = threading.Thread(target=burst.send_all, args=([first.url], burst.messages), kwargs={"pause": 0.4})
    sender.start()
    wait_until(lambda: len(slack_api.attempts("chat.postMessage")) >= KILL_AFTER_POSTS, timeout=30,
               what="the relay to start posting")
    first.kill()
    posts_before_kill = [c for c in list(slack_api.calls) if c.method == "chat.postMessage"]
    sender.join(30)
    acked_before_crash = [m for m in burst.messages if m.acked]
    assert 0 < len(acked_before_crash) < BURST, "the kill did not land mid-burst"

    second = ServeProcess(serve_env, tmp_path / "serve-2.log").start()
    try:
        # Slack retries what it never saw acknowledged, with the same event_id, until it is.
        for retry in (1, 2, 3):
            burst.send_all([second.url], [m for m in burst.messages if not m.acked], retry_num=retry)
        assert all(m.acked for m in burst.messages), "the restarted desk did not acknowledge Slack's retries"
        texts = [m.event["text"] for m in burst.messages]
        settle(record, texts)
    finally:
        second.stop()

    tickets = record.tickets_by_text()
    lost = [m.event["text"] for m in acked_before_crash if tickets[m.event["text"]] == 0]
    assert not lost, f"{len(lost)} messages acknowledged before the crash have no ticket, e.g. {lost[:3]}"
    assert {text: n for text, n in tickets.items() if n > 1} == {}, "a message opened two tickets"
    assert sorted(tickets) == sorted(texts)
    assert record.pending() == 0

    refs = {ref for found in record.refs_by_text().values() for ref in found}
    shown = confirmations(slack_api)
    assert set(shown) == refs, f"requesters never told about {sorted(refs - set(shown))[:5]}"
    # Delivery is at least once: only a post Slack answered in the instant before the kill (before
    # the relay could record it) may be repeated, so at most one, the last posted before the crash.
    repeated = {key: n for key, n in Counter((p["channel"], p["text"]) for p in slack_api.posted()).items() if n > 1}
    print(f"posts before the kill: {len(posts_before_kill)}, acked before: {len(acked_before_crash)}, "
          f"posts in all: {len(slack_api.posted())}, repeated: {repeated}")
    assert len(repeated) <= 1 and all(n == 2 for n in repeated.values()), repeated
    for channel, text in repeated:
        last = posts_before_kill[-1].params
        assert (last.get("channel"), last.get("text")) == (channel, text), \
            f"{text!r} was posted twice, and not as the last post before the crash"
