"""Reading app.yaml: validated at start; a bad file is reported by key, value and expectation."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from handlers.organisation import Organisation

DEFAULT_CONFIG = Path("app.yaml")
DEFAULT_DATABASE_URL = "sqlite:///var/servicedesk.db"


class ConfigError(Exception):
    """app.yaml (or the environment) is not usable; the message says why, for a person."""


@dataclass(frozen=True)
class Settings:
    organisation: Organisation
    database_url: str
    config_path: Path


def config_path() -> Path:
    return Path(os.environ.get("SERVICEDESK_CONFIG") or DEFAULT_CONFIG)


def database_url() -> str:
    return os.environ.get("SERVICEDESK_DATABASE_URL") or DEFAULT_DATABASE_URL


def _where(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _describe(error: ValidationError, data: object) -> str:
    lines = []
    for item in error.errors():
        value = data
        for part in item["loc"]:
            try:
                value = value[part]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                value = None
                break
        where = _where(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            lines.append(f"  {where}: missing (it is required)")
        else:
            lines.append(f"  {where}: {value!r} is not valid: {message}")
    return "\n".join(lines)


def load_organisation(path: Path) -> Organisation:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file (set SERVICEDESK_CONFIG to point at one)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    if data is None:
        raise ConfigError(f"{path} is empty: expected the organisation's settings (name, queues, staff, sla), "
                          "as in the demo app.yaml")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    try:
        return Organisation.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid configuration:\n{_describe(exc, data)}") from None


def load_settings() -> Settings:
    path = config_path()
    return Settings(organisation=load_organisation(path), database_url=database_url(), config_path=path)
