"""The server's secret (CSRF tokens): DOORSTEP_SECRET, else a file kept in DOORSTEP_HOME.

Every process of one installation must share it, and it must survive restarts, so it is
generated once and stored beside the data.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache

from server.settings import get_settings


@lru_cache(maxsize=1)
def app_secret() -> str:
    settings = get_settings()
    if settings.server.secret:
        return settings.server.secret
    home = settings.storage.home
    home.mkdir(parents=True, exist_ok=True)
    path = home / "secret.key"
    if path.exists():
        return path.read_text().strip()
    # Written aside, then linked into place: the file never exists empty or half-written, even
    # when several worker processes start at once on a new home or one is killed meanwhile.
    draft = home / f".secret.key.{os.getpid()}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(draft, path)  # fails if another process was first: then its secret is the one
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()
