"""Where Slack work runs after the ack: a thread pool that knows when it is idle.

Bolt hands every lazy listener to this executor; `stop()` of the front end waits for what is in
flight (so a deploy does not cut a classification in half), and tests wait for it instead of
sleeping.

One worker: ticket work is CPU-bound Python, so more threads add no throughput (one GIL) but do
take the GIL from the event loop and the acks in between (measured with bench/slack_intake.py:
8 workers gave ack p99 in seconds; 2 workers were slower than 1 on every figure). Acks run in
the request's own thread, not here; but a modal opened after the ack (trigger_id, 3 s) waits
behind queued ticket work, with one worker or eight alike (a priority lane would fix that).
"""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

WORKERS = 1


class BackgroundWork(ThreadPoolExecutor):
    def __init__(self, max_workers: int = WORKERS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="slack-work")
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

    def close(self, timeout: float = 10.0) -> None:
        self.wait_idle(timeout)
        self.shutdown(wait=False, cancel_futures=True)
