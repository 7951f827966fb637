"""Settings, one frozen dataclass per concern, read from the environment once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    origin: str
    workers: int
    secret: str | None

    @property
    def rp_id(self) -> str:
        """The WebAuthn relying-party id: the origin's host name."""
        return urlsplit(self.origin).hostname or "localhost"

    @property
    def secure_cookies(self) -> bool:
        return self.origin.startswith("https://")


@dataclass(frozen=True)
class StorageSettings:
    home: Path
    database_url: str | None

    @property
    def sqlite_path(self) -> Path:
        return self.home / "doorstep.sqlite3"

    @property
    def media_dir(self) -> Path:
        return self.home / "media"

    @property
    def engine(self) -> str:
        return "postgres" if self.database_url else "sqlite"


@dataclass(frozen=True)
class SessionSettings:
    field_days: int
    desktop_idle_minutes: int
    invitation_hours: int
    challenge_seconds: int


@dataclass(frozen=True)
class Settings:
    server: ServerSettings
    storage: StorageSettings
    sessions: SessionSettings


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build the settings from an environment mapping (the process environment by default)."""
    env = dict(os.environ if env is None else env)
    port = _int(env, "PORT", 8000)
    origin = env.get("DOORSTEP_ORIGIN") or f"http://localhost:{port}"
    database_url = env.get("DATABASE_URL") or None
    if database_url and not database_url.startswith(("postgresql://", "postgres://")):
        raise SystemExit("DATABASE_URL must start with postgresql:// (leave it unset for SQLite)")
    return Settings(
        server=ServerSettings(
            host=env.get("HOST") or "127.0.0.1",
            port=port,
            origin=origin.rstrip("/"),
            workers=_int(env, "DOORSTEP_WORKERS", 1),
            secret=env.get("DOORSTEP_SECRET") or None,
        ),
        storage=StorageSettings(
            home=Path(env.get("DOORSTEP_HOME") or "var").resolve(),
            database_url=database_url,
        ),
        sessions=SessionSettings(
            field_days=_int(env, "DOORSTEP_FIELD_SESSION_DAYS", 30),
            desktop_idle_minutes=_int(env, "DOORSTEP_DESKTOP_IDLE_MINUTES", 120),
            invitation_hours=_int(env, "DOORSTEP_INVITATION_HOURS", 72),
            challenge_seconds=_int(env, "DOORSTEP_CHALLENGE_SECONDS", 300),
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
