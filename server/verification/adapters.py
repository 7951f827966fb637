"""The adapter interface to a verification system, and the manual default.

A bureau's system plugs in by registering an adapter:

    class BureauAdapter:
        name = "bureau"
        manual = False
        async def submit(self, request: dict) -> str: ...        # send; returns its reference
        async def fetch(self, request: dict) -> AdapterResult | None: ...  # the answer, if ready

    register_adapter(BureauAdapter(), default=True)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class AdapterResult:
    result: str  # consistent, inconsistent, partial
    result_on: date
    summary: str = ""
    document_ref: str = ""


class VerificationAdapter(Protocol):
    name: str
    manual: bool  # True: results are entered by a supervisor, not fetched

    async def submit(self, request: dict) -> str: ...

    async def fetch(self, request: dict) -> AdapterResult | None: ...


class ManualAdapter:
    """No system to call: the request waits until a supervisor enters the result with a document."""

    name = "manual"
    manual = True

    async def submit(self, request: dict) -> str:
        return ""

    async def fetch(self, request: dict) -> AdapterResult | None:
        return None


_ADAPTERS: dict[str, VerificationAdapter] = {}
_DEFAULT = ["manual"]


def register_adapter(adapter: VerificationAdapter, *, default: bool = False) -> None:
    _ADAPTERS[adapter.name] = adapter
    if default:
        _DEFAULT[0] = adapter.name


def get_adapter(name: str | None = None) -> VerificationAdapter:
    return _ADAPTERS[name or _DEFAULT[0]]


register_adapter(ManualAdapter())
