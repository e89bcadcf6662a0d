"""Every limit and knob of the service, read from ADLINT_* environment variables and checked at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import get_args, get_type_hints


@dataclass(frozen=True)
class Settings:
    """The service's configuration; docs/service.md lists each field with its variable and default."""

    model: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 0
    max_body_bytes: int = 1_000_000
    max_text_chars: int = 20_000
    max_batch: int = 64
    max_concurrency: int = 32
    max_queue: int = 64
    request_timeout_s: float = 10.0
    batch_wait_ms: float = 2.0
    api_key: str | None = None
    custom_lists: Path | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be in [0, 65535], got {self.port}")
        for name in ("max_body_bytes", "max_text_chars", "max_batch", "max_concurrency"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("threads", "max_queue", "batch_wait_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if self.request_timeout_s <= 0:
            raise ValueError(f"request_timeout_s must be positive, got {self.request_timeout_s}")
        if self.api_key == "":
            raise ValueError("api_key must not be empty; unset ADLINT_API_KEY to turn authentication off")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides: object) -> Settings:
        """Settings from ADLINT_<FIELD> variables; `overrides` that are not None (command-line flags) win."""
        values: dict[str, object] = {}
        for name, kind in cls.field_types().items():
            raw = environ.get(env_name(name))
            if raw is not None:
                values[name] = _parse(name, raw, kind)
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls(**values)

    @classmethod
    def field_types(cls) -> dict[str, type]:
        """Each setting's value type: `int` for `int`, `Path` for `Path | None`."""
        hints = get_type_hints(cls)
        return {f.name: next((a for a in get_args(hints[f.name]) if a is not type(None)), hints[f.name])
                for f in fields(cls)}

    @property
    def batch_wait_s(self) -> float:
        return self.batch_wait_ms / 1000


def env_name(setting: str) -> str:
    return f"ADLINT_{setting.upper()}"


def _parse(name: str, raw: str, kind: type) -> object:
    try:
        return kind(raw)
    except ValueError as e:
        raise ValueError(f"{env_name(name)}={raw!r} is not a valid {kind.__name__}") from e
