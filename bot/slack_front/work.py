"""Where Slack work runs after the ack: two lanes of one thread each, which know when they are idle.

Acks run in the request's own thread, on neither lane. Bolt starts every lazy listener through
`LaneRunner`, which puts it on its lane:

- tickets: everything not marked otherwise (messages and other events, App Home, form
  submissions, the buttons answering the desk's questions). One worker: ticket work is CPU-bound
  Python, so more threads add no throughput (one GIL) but do take the GIL from the event loop
  and the acks in between (measured with bench/slack_intake.py: 8 workers gave ack p99 in
  seconds; 2 workers were slower than 1 on every figure).
- priority: lazy listeners marked with `on_priority_lane`: `/sd` (except `/sd report`, which
  draws a chart and goes to the ticket lane) and the card's Take, Escalate, Assign and Resolve
  buttons. `/sd new` and Resolve open a modal with the request's trigger_id,
  which Slack honours for 3 seconds only; the rest are short answers to a click or a command.
  It never waits behind queued ticket work, so a modal opens in time during a burst of
  messages. Its work is short and rare (the lane is idle most of the time); while it runs it
  shares the GIL with the ticket lane, so ticket work (anything that classifies) must not be
  marked for it.

Each lane is first in, first out: a modal still waits behind priority work queued before it.
`stop()` of the front end waits for both lanes (so a deploy does not cut a classification in
half), and tests wait for them instead of sleeping.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from logging import Logger

from slack_bolt.lazy_listener import LazyListenerRunner, ThreadLazyListenerRunner
from slack_bolt.request import BoltRequest

WORKERS = 1  # per lane
PRIORITY = "priority"


class Lane(ThreadPoolExecutor):
    """One lane: a thread pool that counts what is queued or running."""

    def __init__(self, name: str, max_workers: int = WORKERS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=name)
        self._idle = threading.Condition()
        self._in_flight = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._idle:
            self._in_flight += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except RuntimeError:  # shut down: nothing more is accepted
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future) -> None:
        with self._idle:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.notify_all()

    @property
    def in_flight(self) -> int:
        with self._idle:
            return self._in_flight

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is queued or running; False if that takes longer than `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)


class BackgroundWork(Executor):
    """The front end's work after the ack: the ticket lane and the priority lane. `submit` (what
    Bolt does with its `listener_executor`) goes to the ticket lane."""

    def __init__(self) -> None:
        self.tickets = Lane("slack-work")
        self.priority = Lane("slack-priority")

    @property
    def lanes(self) -> tuple[Lane, Lane]:
        return (self.tickets, self.priority)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self.tickets.submit(fn, *args, **kwargs)

    @property
    def in_flight(self) -> int:
        return sum(lane.in_flight for lane in self.lanes)

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is queued or running on either lane; False if that takes longer than
        `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for lane in self.lanes:
                if not lane.wait_idle(max(0.0, deadline - time.monotonic())):
                    return False
            if self.in_flight == 0:  # nothing arrived on one lane while waiting for the other
                return True

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for lane in self.lanes:
            lane.shutdown(wait=wait, cancel_futures=cancel_futures)

    def close(self, timeout: float = 10.0) -> None:
        self.wait_idle(timeout)
        self.shutdown(wait=False, cancel_futures=True)


def on_priority_lane(listener: Callable[..., None],
                     heavy: Callable[[dict], bool] | None = None) -> Callable[..., None]:
    """Mark a lazy listener for the priority lane (see the module's docstring for what belongs there).
    `heavy(body)`, if given, picks out the requests that go to the ticket lane all the same
    (`/sd report` draws a chart, which would hold the lane for the length of a burst)."""
    listener.slack_lane = PRIORITY  # type: ignore[attr-defined]
    listener.slack_heavy = heavy  # type: ignore[attr-defined]
    return listener


def lane_of(function: Callable[..., None], body: dict) -> str | None:
    """The lane a lazy listener runs on for this request: PRIORITY or None (the ticket lane)."""
    if getattr(function, "slack_lane", None) != PRIORITY:
        return None
    heavy = getattr(function, "slack_heavy", None)
    return None if heavy is not None and heavy(body) else PRIORITY


class LaneRunner(LazyListenerRunner):
    """Bolt's lazy listener runner, starting each lazy listener on its lane. Installed as
    `app.listener_runner.lazy_listener_runner`, the way Bolt's own adapters replace it."""

    def __init__(self, logger: Logger, work: BackgroundWork) -> None:
        self.logger = logger
        self._tickets = ThreadLazyListenerRunner(logger=logger, executor=work.tickets)
        self._priority = ThreadLazyListenerRunner(logger=logger, executor=work.priority)

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        runner = self._priority if lane_of(function, request.body) == PRIORITY else self._tickets
        runner.start(function=function, request=request)
