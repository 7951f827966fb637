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
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        value = secrets.token_urlsafe(48)
        handle.write(value)
    return value
