"""POST /slack/events: events, slash commands and interactivity, through Bolt's Starlette adapter.

Bolt's dispatch runs in Starlette's thread pool, so the event loop (health checks, other
requests) never waits on it. A body that cannot be parsed is answered 401 when its signature is
wrong (as Bolt would) and 400 when it is signed but malformed or not shaped like Slack's
(payload_shape.py); never with a traceback.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.slack_front.payload_shape import shape_problem

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller
MAX_AGE_SECONDS = 300


def signed_by_slack(secret: str, body: bytes, headers) -> bool:
    """Slack's v0 signature over the raw bytes (Bolt checks parsable requests the same way)."""
    timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
    if not timestamp or not signature:
        return False
    try:
        if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
    except ValueError:
        return False
    expected = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={expected}", signature)


def events_route(app: App, signing_secret: str, *, path: str = EVENTS_PATH) -> Route:
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": "request too large"}, status_code=413)
        try:
            bolt_request = to_bolt_request(request, body)
        except Exception as error:  # noqa: BLE001 - any unparsable body
            if not signed_by_slack(signing_secret, body, request.headers):
                return JSONResponse({"error": "invalid request"}, status_code=401)
            log.warning("malformed Slack request (%s: %s)", type(error).__name__, error)
            return JSONResponse({"error": "malformed payload"}, status_code=400)
        problem = shape_problem(bolt_request.body)
        if problem is not None:
            if not signed_by_slack(signing_secret, body, request.headers):
                return JSONResponse({"error": "invalid request"}, status_code=401)
            log.warning("malformed Slack request (%s)", problem)
            return JSONResponse({"error": f"malformed payload: {problem}"}, status_code=400)
        response = await run_in_threadpool(app.dispatch, bolt_request)
        return to_starlette_response(response)

    return Route(path, slack_events, methods=["POST"], name="slack_events")
