"""The application's Request class: a JSON body that cannot be decoded at all is a 400.

Litestar answers malformed JSON with a 400, but lets two decoding failures through as a 500:
invalid UTF-8 inside a string (UnicodeDecodeError) and nesting deeper than the decoder goes
(RecursionError). Both are the client's mistake, like any other malformed body.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from server.errors import Invalid
from server.i18n import N_


class DoorstepRequest(Request):
    async def json(self) -> Any:
        """The JSON body, or Invalid when it cannot be decoded."""
        try:
            return await super().json()
        except (UnicodeDecodeError, RecursionError):
            raise Invalid(N_("请求内容格式不正确。")) from None
