"""Settings, one frozen dataclass per concern, read from the environment once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses or networks,
    # comma-separated, or "*". Requests from anywhere else keep their socket's address.
    trusted_proxies: str = "127.0.0.1"

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
    pool_size: int  # PostgreSQL connections per process; 0: a connection per query (tests)

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


_MB = 1024 * 1024


@dataclass(frozen=True)
class MediaSettings:
    """Evidence uploads: the largest file per kind, how long an unfinished upload is kept, and how
    long a finished one waits for its `evidence.attach` (a phone may stay offline for days)."""

    max_photo_bytes: int = 25 * _MB
    max_video_bytes: int = 2048 * _MB
    max_audio_bytes: int = 200 * _MB
    max_document_bytes: int = 50 * _MB
    upload_expiry_hours: int = 168
    unattached_upload_days: int = 30

    def max_bytes(self, kind: str | None) -> int:
        """The limit for one kind (photo, video, audio, document); the largest for an unknown kind."""
        limits = {
            "photo": self.max_photo_bytes,
            "video": self.max_video_bytes,
            "audio": self.max_audio_bytes,
            "document": self.max_document_bytes,
        }
        return limits.get(kind or "", max(limits.values()))

    @property
    def max_upload_bytes(self) -> int:
        return self.max_bytes(None)


@dataclass(frozen=True)
class SyncSettings:
    """The sync engine: how often a mutation whose handler fails unexpectedly is tried before it is rejected."""

    max_attempts: int = 5


@dataclass(frozen=True)
class Settings:
    server: ServerSettings
    storage: StorageSettings
    sessions: SessionSettings
    media: MediaSettings = field(default_factory=MediaSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)


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
            trusted_proxies=env.get("DOORSTEP_TRUSTED_PROXIES") or "127.0.0.1",
        ),
        storage=StorageSettings(
            home=Path(env.get("DOORSTEP_HOME") or "var").resolve(),
            database_url=database_url,
            pool_size=_int(env, "DOORSTEP_DB_POOL_SIZE", 10),
        ),
        sessions=SessionSettings(
            field_days=_int(env, "DOORSTEP_FIELD_SESSION_DAYS", 30),
            desktop_idle_minutes=_int(env, "DOORSTEP_DESKTOP_IDLE_MINUTES", 120),
            invitation_hours=_int(env, "DOORSTEP_INVITATION_HOURS", 72),
            challenge_seconds=_int(env, "DOORSTEP_CHALLENGE_SECONDS", 300),
        ),
        media=MediaSettings(
            max_photo_bytes=_int(env, "DOORSTEP_MAX_PHOTO_MB", 25) * _MB,
            max_video_bytes=_int(env, "DOORSTEP_MAX_VIDEO_MB", 2048) * _MB,
            max_audio_bytes=_int(env, "DOORSTEP_MAX_AUDIO_MB", 200) * _MB,
            max_document_bytes=_int(env, "DOORSTEP_MAX_DOCUMENT_MB", 50) * _MB,
            upload_expiry_hours=_int(env, "DOORSTEP_UPLOAD_EXPIRY_HOURS", 168),
            unattached_upload_days=max(1, _int(env, "DOORSTEP_UNATTACHED_UPLOAD_DAYS", 30)),
        ),
        sync=SyncSettings(max_attempts=max(1, _int(env, "DOORSTEP_SYNC_MAX_ATTEMPTS", 5))),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
