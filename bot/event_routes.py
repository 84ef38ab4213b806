"""Monitoring webhooks mounted by `servicedesk serve`:

    POST /events/alertmanager   Prometheus Alertmanager webhook (version 4)
    POST /events/pagerduty      PagerDuty Events API v2 (answers 202 with the dedup_key)
    POST /events/generic        the desk's own small format (handlers/event_formats.py)

Authentication: `Authorization: Bearer $SERVICEDESK_EVENTS_TOKEN`, compared in constant time;
the PagerDuty route also accepts the token as `routing_key`. Without the variable the routes
answer 503 (event intake disabled) rather than accept anything.

Bad input gets a 4xx with the reason (400 malformed JSON or fields, 401 no or wrong token, 413
over `events.max_body_bytes`), never a 500. Accepted events are handled by `handlers.events`
with group commit: the events of all requests that arrive while one transaction is being written
go into the next one, so a commit (an fsync on SQLite) is shared by many requests, and each
request is answered once its events are committed.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from collections import deque
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from handlers.desk import Desk
from handlers.event_formats import EventFormatError, EventIn, parse_alertmanager, parse_generic, parse_pagerduty
from handlers.events import Outcome, ingest
from storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)
TOKEN_ENV = "SERVICEDESK_EVENTS_TOKEN"
SWEEP_SECONDS = 30
GATHER_SECONDS = 0.001
DISABLED = f"event intake is disabled: set {TOKEN_ENV} to accept monitoring events"


class _Rejected(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


class GroupCommit:
    """Hands the events of concurrent requests to `ingest` together, one transaction at a time."""

    def __init__(self, desk: Desk, *, max_events: int = 5_000) -> None:
        self.desk = desk
        self.max_events = max_events
        self._pending: deque[tuple[list[EventIn], asyncio.Future]] = deque()
        self._worker: asyncio.Task | None = None

    async def submit(self, events: list[EventIn]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._pending.append((events, future))
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            # A moment for the clients answered by the last commit to send their next requests, so
            # they share this transaction instead of each waiting for the next one.
            await asyncio.sleep(GATHER_SECONDS)
            taken: list[tuple[list[EventIn], asyncio.Future]] = []
            count = 0
            while self._pending and (not taken or count + len(self._pending[0][0]) <= self.max_events):
                item = self._pending.popleft()
                taken.append(item)
                count += len(item[0])
            await self._commit(taken)

    async def _commit(self, taken: list[tuple[list[EventIn], asyncio.Future]]) -> None:
        try:
            results = await run_in_threadpool(ingest, self.desk, [events for events, _ in taken])
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit) as exc:  # shutting down: answer, then stop
            for _, future in taken:
                _settle(future, error=DatabaseUnavailable(f"the desk is shutting down ({type(exc).__name__})"))
            raise
        except DatabaseUnavailable as exc:
            for _, future in taken:
                _settle(future, error=exc)
            return
        except Exception as exc:  # noqa: BLE001 - isolate the request that fails from the others
            if len(taken) > 1:
                for item in taken:
                    await self._commit([item])
                return
            log.exception("events could not be recorded")
            _settle(taken[0][1], error=exc)
            return
        for (_, future), outcomes in zip(taken, results):
            _settle(future, result=outcomes)


def _settle(future: asyncio.Future, *, result=None, error: BaseException | None = None) -> None:
    if future.done():  # the client went away
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class EventRoutes:
    def __init__(self, desk: Desk, token: str | None) -> None:
        self.desk = desk
        self.config = desk.organisation.events
        self.token = token.encode() if token else None
        self.commits = GroupCommit(desk, max_events=max(self.config.max_events_per_request, 1_000))

    def routes(self) -> list[Route]:
        return [
            Route("/events/alertmanager", self.alertmanager, methods=["POST"]),
            Route("/events/pagerduty", self.pagerduty, methods=["POST"]),
            Route("/events/generic", self.generic, methods=["POST"]),
        ]

    # The three formats.
    async def alertmanager(self, request: Request) -> Response:
        limit = self.config.max_events_per_request
        return await self._handle(request, lambda data: parse_alertmanager(data, limit=limit), _batch_answer)

    async def generic(self, request: Request) -> Response:
        return await self._handle(request, lambda data: parse_generic(data, limit=self.config.max_events_per_request),
                                  lambda outcomes: _batch_answer(outcomes, status=202))

    async def pagerduty(self, request: Request) -> Response:
        return await self._handle(request, lambda data: [parse_pagerduty(data)], _pagerduty_answer,
                                  routing_key=True, invalid=_pagerduty_invalid)

    async def _handle(self, request: Request, parse: Callable[[object], list[EventIn]],
                      answer: Callable[[list[Outcome]], Response], *, routing_key: bool = False,
                      invalid: Callable[[str], Response] | None = None) -> Response:
        invalid = invalid or _invalid
        try:
            if self.token is None:
                raise _Rejected(JSONResponse({"status": "disabled", "error": DISABLED}, status_code=503))
            authorised = self._bearer_ok(request)
            if not authorised and not routing_key:
                raise _Rejected(_unauthorised())
            body = await self._read(request)
            try:
                data = json.loads(body, parse_constant=_no_constant)
            except (ValueError, RecursionError) as exc:
                if not authorised:
                    raise _Rejected(_unauthorised()) from None
                raise _Rejected(invalid(f"malformed JSON: {exc}"[:300])) from None
            if not authorised and not (isinstance(data, dict) and self._token_ok(data.get("routing_key"))):
                raise _Rejected(_unauthorised())
            try:
                events = parse(data)
            except EventFormatError as exc:
                raise _Rejected(invalid(str(exc))) from None
            del body, data  # parsed: not kept alive (and promoted by the collector) while the commit waits
            outcomes = await self.commits.submit(events)
        except _Rejected as rejected:
            return rejected.response
        except DatabaseUnavailable as exc:
            log.warning("events refused for now: %s", exc)
            return JSONResponse({"status": "error", "error": "the desk's database is unavailable; try again shortly"},
                                status_code=503, headers={"Retry-After": "5"})
        except Exception:  # noqa: BLE001 - already logged by GroupCommit
            return JSONResponse({"status": "error",
                                 "error": "the desk could not record these events; it has been logged"}, status_code=500)
        return answer(outcomes)

    # Checks.
    def _token_ok(self, given: object) -> bool:
        if not isinstance(given, str) or self.token is None:
            return False
        return hmac.compare_digest(given.strip().encode("utf-8", "replace"), self.token)

    def _bearer_ok(self, request: Request) -> bool:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self._token_ok(credentials)

    async def _read(self, request: Request) -> bytes:
        limit = self.config.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise _Rejected(_invalid("Content-Length is not a number"))
            if int(declared) > limit:
                raise _Rejected(_too_large(limit))
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise _Rejected(_too_large(limit))
        except ClientDisconnect:
            raise _Rejected(_invalid("the request body did not arrive")) from None
        if not body:
            raise _Rejected(_invalid("empty body; expected a JSON object"))
        return bytes(body)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _invalid(reason: str) -> Response:
    return JSONResponse({"status": "invalid", "error": reason}, status_code=400)


def _pagerduty_invalid(reason: str) -> Response:
    return JSONResponse({"status": "invalid event", "message": "Event object is invalid", "errors": [reason]},
                        status_code=400)


def _unauthorised() -> Response:
    return JSONResponse({"status": "unauthorized", "error": "a valid events token is needed "
                         "(Authorization: Bearer ...)"}, status_code=401,
                        headers={"WWW-Authenticate": 'Bearer realm="servicedesk events"'})


def _too_large(limit: int) -> Response:
    return JSONResponse({"status": "too large", "error": f"the body is over the limit of {limit} bytes"},
                        status_code=413)


def _batch_answer(outcomes: list[Outcome], *, status: int = 200) -> Response:
    return JSONResponse({"status": "success", "processed": len(outcomes),
                         "results": [outcome.as_dict() for outcome in outcomes]}, status_code=status)


def _pagerduty_answer(outcomes: list[Outcome]) -> Response:
    return JSONResponse({"status": "success", "message": "Event processed", "dedup_key": outcomes[0].dedup_key},
                        status_code=202)


def event_routes(desk: Desk, environ: dict | None = None) -> list[Route]:
    """The event routes, reading the token from the environment (or `environ`)."""
    token = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip() or None
    if token is None:
        log.warning("%s", DISABLED)
    return EventRoutes(desk, token).routes()


def schedule_sweep(runtime) -> None:
    """Every SWEEP_SECONDS: settle flapping incidents that have stayed quiet."""
    from handlers.event_incidents import sweep

    def settle() -> None:
        try:
            sweep(runtime.desk)
        except DatabaseUnavailable as exc:
            log.warning("event sweep paused: %s", exc)

    runtime.scheduler.add_job(settle, "interval", seconds=SWEEP_SECONDS, id="events-sweep", max_instances=1,
                              coalesce=True, replace_existing=True)
