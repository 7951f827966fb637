"""The in-memory sliding windows behind the /auth/* rate limits."""

from __future__ import annotations

import pytest

from server.accounts.ratelimit import AuthLimiter, Window
from server.errors import TooMany


def test_window_refuses_the_hit_over_the_limit_and_forgives_after_it_slides():
    window = Window(limit=3, seconds=60)
    assert [window.hit("a", at=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert window.hit("b", at=3)  # another key has its own budget
    assert not window.hit("a", at=59.9)
    assert window.hit("a", at=60.5)  # the first hit left the window


def test_over_does_not_count_a_hit():
    window = Window(limit=1, seconds=10)
    assert not window.over("ip", at=0)
    window.hit("ip", at=0)
    assert window.over("ip", at=5)
    assert not window.over("ip", at=10.1)


def test_limiter_answers_too_many_with_a_chinese_reason():
    limiter = AuthLimiter(per_username=Window(limit=2, seconds=300))
    limiter.username("Worker")
    limiter.username("worker ")
    with pytest.raises(TooMany) as refused:
        limiter.username("WORKER")
    assert refused.value.status_code == 429 and "该用户名" in refused.value.reason


def test_failures_block_verification_until_the_window_moves():
    limiter = AuthLimiter(failures_per_ip=Window(limit=2, seconds=900))
    limiter.verification("10.0.0.1")
    limiter.failed("10.0.0.1")
    limiter.failed("10.0.0.1")
    with pytest.raises(TooMany):
        limiter.verification("10.0.0.1")
    limiter.verification("10.0.0.2")
