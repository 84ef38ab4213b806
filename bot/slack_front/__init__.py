"""The Slack front end: the whole desk in Slack (events, /sd, buttons and modals, App Home),
delivered through the outbox. `build_front_end` is what `servicedesk serve` calls."""
from __future__ import annotations

from bot.config import Settings
from bot.front_end import FrontEnd
from handlers.desk import Desk


def build_front_end(settings: Settings, desk: Desk, environ: dict) -> FrontEnd:
    """From the environment: SLACK_BOT_TOKEN, and SLACK_SIGNING_SECRET (HTTP, POST /slack/events)
    and/or SLACK_APP_TOKEN (Socket Mode); SLACK_API_URL optionally. Raises ConfigError naming
    the variable that is missing or wrong."""
    from bot.slack_front.settings import create_web_client, slack_settings
    from bot.slack_front.wiring import assemble, who_am_i

    slack = slack_settings(environ)
    client = create_web_client(slack)
    return assemble(slack, desk, client=client, bot=who_am_i(client)).as_front_end()
