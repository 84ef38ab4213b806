"""The baselines: a bare Bolt app served the way the desk serves Slack (Starlette route → Bolt's
Starlette adapter → `App.dispatch` in the thread pool, uvicorn), with the same request
verification. No desk, no model.

With a database URL it is the floor of "ticket committed, then ack": each event is one row
inserted with raw SQLAlchemy Core and committed (one writer at a time, as SQLite allows) before
the ack, on an engine set up like the desk's (storage.database.create_db_engine). A ticket is at
least one committed row, so the desk cannot acknowledge tickets faster than this.

    python bench/support/bare_bolt.py PORT SIGNING_SECRET [DATABASE_URL]
"""
from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def one_row_per_event(database_url: str):
    """A function committing one row per event: the least a ticket could cost."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text

    from storage.database import create_db_engine

    engine = create_db_engine(database_url)
    rows = Table("floor_rows", MetaData(), Column("id", Integer, primary_key=True),
                 Column("event_id", String(64), unique=True, nullable=False), Column("body", Text, nullable=False))
    rows.metadata.create_all(engine)
    insert, one_writer = rows.insert(), threading.Lock()

    def commit(body: dict) -> None:
        with one_writer, engine.begin() as connection:
            connection.execute(insert, {"event_id": body["event_id"], "body": json.dumps(body)})

    return commit


def create_app(signing_secret: str, database_url: str | None = None) -> Starlette:
    def authorize(enterprise_id, team_id, user_id) -> AuthorizeResult:  # local, like the desk's
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                               bot_token="xoxb-bare", bot_id="B0BARE", bot_user_id="U0BAREBOT")

    bolt = App(signing_secret=signing_secret, authorize=authorize, request_verification_enabled=True,
               process_before_response=True)
    commit = one_row_per_event(database_url) if database_url else None

    @bolt.event("message")
    def on_message(ack, body) -> None:
        if commit is not None:
            commit(body)
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
    uvicorn.run(create_app(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None), host="127.0.0.1",
                port=int(sys.argv[1]), log_level="warning")
