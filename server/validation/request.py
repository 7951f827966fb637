"""Request bodies the handlers never see: JSON no decoder can read, and forms holding NUL.

Litestar answers malformed JSON with a bare 400, but lets two decoding failures through as a 500
with some msgspec versions: invalid UTF-8 inside a string (UnicodeDecodeError; newer msgspec
says SerializationException) and nesting deeper than the decoder goes (RecursionError). All are
the client's mistake, answered with the same reason.

No text column keeps a NUL character (PostgreSQL fails on one, even in a lookup), so a form field
holding one is refused before any handler reads the form, as server/validation/nul.py refuses one
in the path or the query.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException

from server.errors import Invalid
from server.i18n import N_


class DoorstepRequest(Request):
    async def json(self) -> Any:
        """The JSON body, or Invalid when it cannot be decoded."""
        try:
            return await super().json()
        except (UnicodeDecodeError, RecursionError, SerializationException):
            raise Invalid(N_("请求内容格式不正确。")) from None


async def refuse_nul_in_forms(request: Request) -> None:
    """The app's before_request: a form whose field names or text hold NUL is a 400."""
    if request.content_type[0] not in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        return
    for name, value in (await request.form()).multi_items():
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise Invalid(N_("表单内容含有空字符（NUL）。"), field=None if "\x00" in name else name)
