"""Typed environment helpers: every setting comes from here, and bad values are refused.

Each call registers the variable so that `documented_variables()` can be checked against
docs/configuration.md by the tests.
"""

from __future__ import annotations

import os
from pathlib import Path

REGISTERED: dict[str, str] = {}


class ConfigError(ValueError):
    """An environment variable holds a value we cannot use."""


def _raw(name: str, default: str) -> str:
    REGISTERED[name] = default
    return os.environ.get(name, default)


def env_str(name: str, default: str = "") -> str:
    return _raw(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name, "true" if default else "false").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name}={value!r}: expected true/false")


def env_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name, str(default)).strip()
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number}: must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name}={number}: must be at most {maximum}")
    return number


def env_float(name: str, default: float, minimum: float | None = None) -> float:
    value = _raw(name, str(default)).strip()
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number}: must be at least {minimum}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in _raw(name, default).split(",") if item.strip()]


def env_path(name: str, default: str) -> Path:
    return Path(_raw(name, default)).expanduser().resolve()
