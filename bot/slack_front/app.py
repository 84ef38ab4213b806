"""`create_slack_app`: the Bolt app with the desk's listeners.

- Bolt verifies every HTTP request (signature and a timestamp within 5 minutes; else 401).
- Listeners only acknowledge (`process_before_response`: the ack is written in the request's own
  thread and never waits behind other work); the work runs afterwards as Bolt lazy listeners on
  `work`, which the front end drains on stop: on its ticket lane, or on its priority lane for
  listeners marked `on_priority_lane` (those opening a modal, whose trigger_id lasts 3 s).
- Authorisation is local (the bot token and who the bot is, looked up at start), so no
  acknowledgement waits for a Slack API call either.
"""
from __future__ import annotations

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.slack_front import events, home, interactivity, slash
from bot.slack_front.context import SlackContext
from bot.slack_front.identity import BotIdentity, Directory
from bot.slack_front.settings import SlackSettings
from bot.slack_front.work import BackgroundWork, LaneRunner
from handlers.desk import Desk


def create_slack_app(
    settings: SlackSettings,
    client: WebClient,
    desk: Desk,
    *,
    work: BackgroundWork | None = None,
    bot: BotIdentity | None = None,
    directory: Directory | None = None,
) -> App:
    """The Bolt app for `desk`. `client` (with the bot token) is used for every Web API call the
    listeners make; `bot` is who the bot is (auth.test), when known."""
    context = SlackContext(desk=desk, client=client, directory=directory or Directory(client, desk),
                           bot=bot or BotIdentity())
    work = work or BackgroundWork()

    def authorize(enterprise_id, team_id, user_id) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                               bot_token=client.token, bot_id=context.bot.bot_id, bot_user_id=context.bot.user_id)

    app = App(
        name="servicedesk",
        client=WebClient(base_url=client.base_url, timeout=client.timeout, retry_handlers=[]),
        signing_secret=settings.signing_secret or "",
        authorize=authorize,
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
        process_before_response=True,
        listener_executor=work,
    )
    runner = app.listener_runner
    runner.lazy_listener_runner = LaneRunner(runner.lazy_listener_runner.logger, work)
    events.register(app, context)
    home.register(app, context)
    slash.register(app, context)
    interactivity.register(app, context)
    events.register_fallback(app)
    interactivity.register_fallback(app)
    return app
