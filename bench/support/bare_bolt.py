"""The baseline: a bare Bolt app that only acknowledges, served the way the desk serves Slack
(Starlette route → Bolt's Starlette adapter → `App.dispatch` in the thread pool, uvicorn), with
the same request verification. No desk, no database, no model.

    python bench/support/bare_bolt.py PORT SIGNING_SECRET
"""
from __future__ import annotations

import sys

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def create_app(signing_secret: str) -> Starlette:
    def authorize(enterprise_id, team_id, user_id) -> AuthorizeResult:  # local, like the desk's
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                               bot_token="xoxb-bare", bot_id="B0BARE", bot_user_id="U0BAREBOT")

    bolt = App(signing_secret=signing_secret, authorize=authorize, request_verification_enabled=True,
               process_before_response=True)

    @bolt.event("message")
    def on_message(ack) -> None:
        ack()

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"]), Route("/healthz", healthz),
                             Route("/readyz", healthz)])


if __name__ == "__main__":
    uvicorn.run(create_app(sys.argv[2]), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
