"""Settings of deferred paperwork, read from the environment once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class PaperworkSettings:
    # Days after the end of an emergency within which the missing signatures are to be collected.
    due_days: int = 30
    # The largest signature image (PNG drawn on the phone) accepted.
    max_signature_bytes: int = 512 * 1024


def load_paperwork_settings(env: dict[str, str] | None = None) -> PaperworkSettings:
    env = dict(os.environ if env is None else env)
    raw = env.get("DOORSTEP_PAPERWORK_DUE_DAYS") or "30"
    try:
        due_days = int(raw)
    except ValueError as exc:
        raise SystemExit(f"DOORSTEP_PAPERWORK_DUE_DAYS must be a whole number, got {raw!r}") from exc
    if not 1 <= due_days <= 365:
        raise SystemExit("DOORSTEP_PAPERWORK_DUE_DAYS must be between 1 and 365")
    return PaperworkSettings(due_days=due_days)


@lru_cache(maxsize=1)
def get_paperwork_settings() -> PaperworkSettings:
    return load_paperwork_settings()
