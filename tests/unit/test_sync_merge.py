"""The pure parts of the sync engine: field merge, cursors, expected-state checks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.errors import BadRequest
from sync.merge import merge_fields
from sync.pull import decode_cursor, encode_cursor
from sync.registry import StaleState, expect_state

FIELDS = ["notes", "procedure", "type"]


def test_merge_applies_changes_based_on_the_latest_version():
    result = merge_fields({"notes": "a"}, {"notes": 3}, 3, {"notes": "b"})
    assert result.apply == {"notes": "b"} and result.conflicts == {}


def test_merge_keeps_the_server_value_of_a_field_changed_after_the_base():
    result = merge_fields({"notes": "server", "procedure": "normal"}, {"notes": 2}, 1, {"notes": "device", "procedure": "emergency"})
    assert result.apply == {"procedure": "emergency"}
    assert result.conflicts == {"notes": {"server": "server", "device": "device"}}


def test_merge_without_base_version_conflicts_on_every_differing_field():
    result = merge_fields({"notes": "x", "type": "dibao"}, {}, None, {"notes": "y", "type": "dibao"})
    assert result.apply == {} and result.conflicts == {"notes": {"server": "x", "device": "y"}}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy machine is not a failure
@given(
    current=st.fixed_dictionaries({f: st.sampled_from(["a", "b", "c"]) for f in FIELDS}),
    stamps=st.dictionaries(st.sampled_from(FIELDS), st.integers(1, 6)),
    base=st.one_of(st.none(), st.integers(0, 6)),
    changes=st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(["a", "b", "c"])),
)
def test_merge_never_overwrites_a_newer_server_value_silently(current, stamps, base, changes):
    result = merge_fields(current, stamps, base, changes)
    assert set(result.apply).isdisjoint(result.conflicts)
    for name, value in changes.items():
        if value == current[name]:
            assert name not in result.apply and name not in result.conflicts
        elif stamps.get(name, 1) > (base or 0):
            assert result.conflicts[name] == {"server": current[name], "device": value}
        else:
            assert result.apply[name] == value


def test_cursor_round_trips_and_is_opaque():
    cursor = encode_cursor("e" * 32, 1234, "440100/440106/")
    assert "1234" not in cursor
    epoch, seq, tag = decode_cursor(cursor)
    assert (epoch, seq) == ("e" * 32, 1234) and tag


@pytest.mark.parametrize("bad", ["", "abc", "MTpmb286eA", "!!!"])
def test_cursor_that_is_not_ours_is_refused(bad):
    with pytest.raises(BadRequest):
        decode_cursor(bad)


def test_expect_state_raises_stale_state_with_expected_and_actual():
    expect_state("draft", ("draft", "returned"))
    with pytest.raises(StaleState) as caught:
        expect_state("approved", "submitted")
    assert caught.value.expected == "submitted" and caught.value.actual == "approved" and caught.value.field == "status"
