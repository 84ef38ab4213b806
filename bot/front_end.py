"""What a chat front end gives the serving process: HTTP routes, an outbox sender, a life cycle.

`servicedesk serve` builds the front ends whose tokens are in the environment:
Slack (`SLACK_BOT_TOKEN`) from bot/slack_front, Discord (`DISCORD_TOKEN`) from bot/discord_front.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

from starlette.routing import BaseRoute

from bot.config import ConfigError, Settings
from handlers.desk import Desk
from handlers.relay import Sender


@dataclass
class FrontEnd:
    name: str
    routes: list[BaseRoute] = field(default_factory=list)
    sender: Sender | None = None
    start: Callable[[], None] = lambda: None
    stop: Callable[[], None] = lambda: None


def configured_front_ends(settings: Settings, desk: Desk, environ: dict | None = None) -> list[FrontEnd]:
    environ = dict(os.environ if environ is None else environ)
    front_ends: list[FrontEnd] = []
    if environ.get("SLACK_BOT_TOKEN"):
        from bot.slack_front import build_front_end as build_slack

        front_ends.append(build_slack(settings, desk, environ))
    if environ.get("DISCORD_TOKEN"):
        from bot.discord_front import build_front_end as build_discord

        front_ends.append(build_discord(settings, desk, environ))
    return front_ends


def require(environ: dict, name: str, why: str) -> str:
    """A needed environment variable, or a configuration error naming it."""
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment: {name} is not set ({why})")
    return value
