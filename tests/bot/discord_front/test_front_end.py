"""Wiring the Discord front end into `servicedesk serve`: configuration, start-up, failures."""
from __future__ import annotations

import logging

import pytest

from bot.config import ConfigError, Settings
from bot.discord_front import GatewayThread, build_front_end, create_discord_bot
from bot.front_end import configured_front_ends
from tests.bot.discord_front.conftest import Desk, answer_text
from tests.conftest import ROOT
from tests.fakes.discord_gateway import APP_ID, GatewayHarness


def test_the_front_end_is_built_from_the_token_and_checks_app_yaml(desk, settings):
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        build_front_end(settings, desk, {})
    [front_end] = configured_front_ends(settings, desk, {"DISCORD_TOKEN": "token"})
    assert (front_end.name, front_end.sender.platform, front_end.routes) == ("discord", "discord", [])

    organisation = desk.organisation.model_copy(deep=True)
    organisation.queues["technical"].channels.discord = "#technical"
    broken = Settings(organisation=organisation, database_url="-", config_path=ROOT / "app.yaml")
    with pytest.raises(ConfigError, match=r"queues\.technical\.channels\.discord: '#technical' is not a Discord id"):
        build_front_end(broken, desk, {"DISCORD_TOKEN": "token"})
    with pytest.raises(ConfigError, match="DISCORD_GUILD_ID 'my server' is not a Discord server id"):
        build_front_end(settings, desk, {"DISCORD_TOKEN": "token", "DISCORD_GUILD_ID": "my server"})


def test_setup_and_ready_can_run_again_without_doing_anything_twice(discord_desk, world):
    bot, harness = discord_desk.bot, discord_desk.harness

    async def twice():
        await bot.setup_hook()
        bot.dispatch("ready")
        bot.dispatch("ready")  # on_ready fires again after every reconnect
        await harness._settle()

    harness.run(twice())
    assert len(world.api.find("PUT", rf"/applications/{APP_ID}/commands")) == 1
    assert (bot.commands_synced, bot.ready_count) == (1, 2)


def test_commands_go_to_one_server_at_once_when_a_guild_is_named(desk, settings, world):
    guild_desk = Desk(desk, settings, world, guild_id=1400000000000000001)
    guild_desk.close()
    assert world.api.find("PUT", rf"/applications/{APP_ID}/guilds/1400000000000000001/commands")
    assert not world.api.find("PUT", rf"/applications/{APP_ID}/commands")


def test_a_database_outage_is_told_to_the_writer_not_shown(organisation, classifier, clock, world):
    from handlers.desk import Desk as HandlersDesk
    from storage.database import Database

    unreachable = Database("postgresql+psycopg://postgres@127.0.0.1:1/none")
    broken = HandlersDesk(organisation=organisation, database=unreachable, classifier=classifier, clock=clock)
    settings = Settings(organisation=organisation, database_url="-", config_path=ROOT / "app.yaml")
    driven = Desk(broken, settings, world)
    try:
        driven.receive("MESSAGE_CREATE", world.message("alice", "my laptop won't turn on"))
        calls = driven.interact(world.slash("agent", "list"))
    finally:
        driven.close()
    [apology] = world.posts_to(world.dm_channel("alice"))
    assert "can't reach its database" in apology["content"] and "not recorded" in apology["content"]
    [answer] = world.api.callbacks(calls)
    assert "can't reach its database" in answer_text(answer) and answer["data"]["flags"] & 64
    assert not any("Traceback" in str(c.json) for c in world.api.calls)


def test_a_rejected_token_is_reported_and_the_desk_keeps_serving(desk, settings, world, caplog):
    bot = create_discord_bot(settings, desk)
    world.api.install(bot)
    world.api.fail("GET", "/users/@me", 401, {"message": "401: Unauthorized", "code": 0})
    gateway = GatewayThread(bot, "not-a-token")
    with caplog.at_level(logging.ERROR, logger="bot.discord_front"):
        gateway.start()
        gateway.thread.join(10)
    assert not gateway.thread.is_alive()
    assert "DISCORD_TOKEN was rejected" in caplog.text
    gateway.stop()  # stopping a gateway that already ended is fine


def test_harness_sanity_the_bot_posts_nothing_by_itself(desk, settings, world):
    harness = GatewayHarness(create_discord_bot(settings, desk), world).start()
    harness.close()
    assert [c.path for c in world.api.calls] == [
        "/users/@me", "/oauth2/applications/@me", f"/applications/{APP_ID}/commands"]
