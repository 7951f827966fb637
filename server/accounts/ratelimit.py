"""Rate limits on the sign-in endpoints (/auth/*).

Choice: counters are kept in memory, per server process, in sliding windows. They need no
table, cost nothing per request and vanish on restart; with N worker processes an attacker gets
N times the budget, which is acceptable for limits whose job is to slow down guessing user
names and hammering the ceremony endpoints (a passkey cannot be brute-forced). One limiter
lives on each application (`app.state`), so every test app starts with fresh counters.

Limits:
- every POST /auth/*: 120 per minute per client IP;
- sign-in options naming a user: 10 per 5 minutes per user name;
- failed verifications (bad, replayed or expired answers): 20 per 15 minutes per client IP;
  once over, the IP's verifications are refused until the window has moved on.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from litestar import Request

from server.errors import TooMany
from server.i18n import N_


@dataclass
class Window:
    limit: int
    seconds: float
    hits: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def _trim(self, key: str, at: float) -> deque[float]:
        queue = self.hits[key]
        while queue and queue[0] <= at - self.seconds:
            queue.popleft()
        return queue

    def over(self, key: str, at: float | None = None) -> bool:
        """True when the key has used up its budget (without counting a new hit)."""
        at = time.monotonic() if at is None else at
        queue = self._trim(key, at)
        if not queue:
            self.hits.pop(key, None)
            return False
        return len(queue) >= self.limit

    def hit(self, key: str, at: float | None = None) -> bool:
        """Count one hit; False when the budget was already used up (the hit is not counted)."""
        at = time.monotonic() if at is None else at
        queue = self._trim(key, at)
        if len(queue) >= self.limit:
            return False
        queue.append(at)
        return True


@dataclass
class AuthLimiter:
    per_ip: Window = field(default_factory=lambda: Window(120, 60))
    per_username: Window = field(default_factory=lambda: Window(10, 300))
    failures_per_ip: Window = field(default_factory=lambda: Window(20, 900))

    def request(self, ip: str) -> None:
        if not self.per_ip.hit(ip):
            raise TooMany(N_("登录请求过于频繁，请一分钟后再试。"))

    def username(self, username: str) -> None:
        if not self.per_username.hit(username.strip().lower()):
            raise TooMany(N_("该用户名的登录尝试过多，请五分钟后再试。"))

    def verification(self, ip: str) -> None:
        if self.failures_per_ip.over(ip):
            raise TooMany(N_("失败的登录尝试过多，请十五分钟后再试。"))

    def failed(self, ip: str) -> None:
        self.failures_per_ip.hit(ip)


def limiter_of(request: Request) -> AuthLimiter:
    """The application's limiter, made on first use."""
    state = request.app.state
    limiter = state.get("auth_limiter")
    if limiter is None:
        limiter = AuthLimiter()
        state["auth_limiter"] = limiter
    return limiter


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
