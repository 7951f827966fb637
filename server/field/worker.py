"""The service worker, served from the root so that its scope is the whole app.

web/static/sw.js carries one `VERSION` constant. The file says "dev"; when served, it is
replaced by a digest of every file the worker precaches or that shapes a cached page (the
catalogue too), so any change to them installs a new worker and with it the "新版本可用" prompt.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from server.i18n import LOCALES_DIR
from server.templating import STATIC_DIR, TEMPLATES_DIR

SW_PATH = STATIC_DIR / "sw.js"
VERSION_LINE = 'const VERSION = "dev";'
_DIGESTED = (
    (STATIC_DIR, ("js/**/*.js", "css/*.css", "vendor/*.js", "sw.js")),
    (TEMPLATES_DIR, ("base.html", "field/**/*.html")),
    # The catalogue: it translates the cached pages and the modules' words (/i18n/<locale>.json),
    # and the list of which words those are (a server word newly marked N_() changes that answer).
    (LOCALES_DIR, ("*/LC_MESSAGES/messages.mo", "field-words.json")),
)


def static_digest() -> str:
    """A short digest of the files that make up the app shell."""
    digest = hashlib.sha256()
    for root, patterns in _DIGESTED:
        for pattern in patterns:
            for path in sorted(root.glob(pattern)):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def service_worker_source() -> tuple[str, str]:
    """The worker's source with its version filled in, and that version."""
    version = static_digest()
    source = SW_PATH.read_text(encoding="utf-8")
    if VERSION_LINE not in source:
        raise RuntimeError(f"sw.js must contain the line {VERSION_LINE!r}")
    return source.replace(VERSION_LINE, f'const VERSION = "{version}";', 1), version
