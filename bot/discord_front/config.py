"""What the Discord front end reads from app.yaml and the environment, checked at start so a
wrong id is reported by its key instead of failing later in a channel nobody watches."""
from __future__ import annotations

from bot.config import ConfigError, Settings
from handlers.organisation import Organisation


def channel_ids_in(organisation: Organisation) -> list[tuple[str, str]]:
    """The Discord channels app.yaml names: (key, id)."""
    found = [(f"queues.{name}.channels.discord", queue.channels.discord) for name, queue in organisation.queues.items()]
    found.append(("managers.discord", organisation.managers.discord))
    return [(where, value) for where, value in found if value]


def discord_ids_in(settings: Settings) -> list[tuple[str, str]]:
    """Every Discord id app.yaml names, with where it is: (key, value)."""
    organisation = settings.organisation
    found = channel_ids_in(organisation)
    found += [(f"staff[{member.name}].identities.discord", member.identities.discord) for member in organisation.staff]
    found += [(f"staff_groups[{group.name}].discord", group.discord) for group in organisation.staff_groups]
    return [(where, value) for where, value in found if value]


def check_config(settings: Settings, environ: dict) -> int | None:
    """Validate what the Discord front end reads; returns DISCORD_GUILD_ID when set."""
    for where, value in discord_ids_in(settings):
        if not str(value).strip().isdigit():
            raise ConfigError(f"{settings.config_path}: {where}: {value!r} is not a Discord id "
                              f"(a number such as 1100000000000000001; Developer Mode → Copy ID)")
    guild = environ.get("DISCORD_GUILD_ID", "").strip()
    if guild and not guild.isdigit():
        raise ConfigError(f"environment: DISCORD_GUILD_ID {guild!r} is not a Discord server id (a number)")
    return int(guild) if guild else None
