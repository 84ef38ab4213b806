"""Putting the Slack front end together: settings → Web API client → Bolt app → route, sender,
Socket Mode. Tests assemble it the same way, with their own client and desk."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from starlette.routing import Route

from bot.config import ConfigError
from bot.front_end import FrontEnd
from bot.slack_front import events
from bot.slack_front.app import create_slack_app
from bot.slack_front.context import SlackContext
from bot.slack_front.http import events_route
from bot.slack_front.identity import BotIdentity, Directory, look_up_bot
from bot.slack_front.journal import JournalReplay
from bot.slack_front.sender import SlackSender
from bot.slack_front.settings import SlackSettings, create_web_client
from bot.slack_front.socket_mode import REFUSED, SocketModeConnection
from bot.slack_front.work import BackgroundWork
from handlers.desk import Desk

log = logging.getLogger(__name__)
DRAIN_SECONDS = 10.0


@dataclass
class SlackFrontEnd:
    settings: SlackSettings
    client: WebClient
    app: App
    work: BackgroundWork
    sender: SlackSender
    routes: list[Route]
    socket_mode: SocketModeConnection | None = None
    replay: JournalReplay | None = None  # acknowledged events a crash left unhandled

    def start(self) -> None:
        if self.replay is not None:
            self.replay.start()
        if self.socket_mode is not None:
            self.socket_mode.start()

    def stop(self) -> None:
        if self.socket_mode is not None:
            self.socket_mode.stop()
        if self.replay is not None:
            self.replay.stop()
        self.work.close(DRAIN_SECONDS)  # let work already acknowledged to Slack finish, on both lanes

    def as_front_end(self) -> FrontEnd:
        return FrontEnd(name="slack", routes=list(self.routes), sender=self.sender, start=self.start, stop=self.stop)


def assemble(settings: SlackSettings, desk: Desk, *, client: WebClient | None = None,
             bot: BotIdentity | None = None) -> SlackFrontEnd:
    client = client or create_web_client(settings)
    work = BackgroundWork()
    directory = Directory(client, desk)
    app = create_slack_app(settings, client, desk, work=work, bot=bot, directory=directory)
    routes = [events_route(app, settings.signing_secret)] if settings.signing_secret else []
    socket_mode = SocketModeConnection(app, settings.app_token, client) if settings.app_token else None
    replay = JournalReplay(desk, events.dispatch(SlackContext(desk=desk, client=client, directory=directory,
                                                              bot=bot or BotIdentity())))
    return SlackFrontEnd(settings=settings, client=client, app=app, work=work, sender=SlackSender(client, desk, name_of=directory.name_of),
                         routes=routes, socket_mode=socket_mode, replay=replay)


def who_am_i(client: WebClient) -> BotIdentity:
    """The bot's identity; a refused token stops the start with a clear error, an unreachable
    Slack does not (events carry the bot's id too, and the outbox waits for Slack)."""
    try:
        return look_up_bot(client)
    except SlackApiError as error:
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        if code in REFUSED:
            raise ConfigError(f"environment: SLACK_BOT_TOKEN was refused by Slack ({code}); copy the Bot User "
                              f"OAuth Token (xoxb-...) from the app's OAuth & Permissions page") from None
        log.warning("slack: auth.test failed (%s); carrying on", code or error)
    except OSError as error:
        log.warning("slack: cannot reach Slack at start (%s); carrying on, deliveries wait for it", error)
    return BotIdentity()
