"""A real discord.py client per test, on the real desk and database, against the fake Discord."""
from __future__ import annotations

import pytest

from bot.config import Settings
from bot.discord_front import create_discord_bot
from bot.discord_front.sender import DiscordSender
from handlers.relay import relay_once
from tests.conftest import ROOT
from tests.fakes.discord_gateway import DiscordWorld, GatewayHarness


@pytest.fixture
def world() -> DiscordWorld:
    return DiscordWorld()


@pytest.fixture
def settings(desk) -> Settings:
    return Settings(organisation=desk.organisation, database_url="(test database)", config_path=ROOT / "app.yaml")


class Desk:
    """The bot as a test drives it: gateway events in, the outbox relayed out."""

    def __init__(self, desk, settings, world: DiscordWorld, **options) -> None:
        self.desk, self.settings, self.world, self.options = desk, settings, world, options
        self.harnesses: list[GatewayHarness] = []
        self.connect()

    def connect(self) -> None:
        """A fresh client (as after a restart), logged in and given the server."""
        self.bot = create_discord_bot(self.settings, self.desk, **self.options)
        self.harness = GatewayHarness(self.bot, self.world).start()
        self.harnesses.append(self.harness)
        self.sender = DiscordSender(self.bot, timeout=20)

    def restart(self) -> None:
        self.harness.close()
        self.connect()

    def receive(self, event: str, payload: dict):
        return self.harness.receive(event, payload)

    def interact(self, payload: dict):
        return self.harness.receive("INTERACTION_CREATE", payload)

    def relay(self):
        """Deliver the outbox through the Discord sender; the HTTP calls it made."""
        mark = len(self.world.api.calls)
        relay_once(self.desk, [self.sender])
        return self.world.api.since(mark)

    def close(self) -> None:
        for harness in self.harnesses:
            if harness.loop.is_running():
                harness.close()


@pytest.fixture
def discord_desk(desk, settings, world):
    driven = Desk(desk, settings, world, ack_after=2.0)
    yield driven
    driven.close()


def custom_ids(payload: dict) -> list[str]:
    """The custom_ids of the buttons in a message payload, in order."""
    return [button["custom_id"] for row in payload.get("components") or [] for button in row.get("components", [])]


def fields(embed: dict) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


def answer_text(call_json: dict) -> str:
    """The text of an interaction response (callback) or follow-up."""
    data = call_json.get("data", call_json)
    return data.get("content") or ""
