"""What the OpenAPI document says about /api beyond each handler's own annotations: the error body."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute


class ApiError(msgspec.Struct):
    """Every /api error (see server.errors): a code, a reason a person can read, the field at fault."""

    error: str
    reason: str
    field: str | None = None
    details: Any = None


_ERROR_STATUSES = {
    400: "请求有误（字段见 field）",
    401: "未登录",
    403: "无权进行此操作",
    404: "找不到该记录，或无权查看",
    409: "与服务器上的版本冲突",
}


def document_api_errors(app: Litestar) -> None:
    """Name the app's error body for the error statuses of every /api operation, unless the handler
    documents its own: Litestar would otherwise describe its default error body, which /api never sends."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            errors = {
                status: ResponseSpec(data_container=ApiError, description=description)
                for status, description in _ERROR_STATUSES.items()
                if status != handler.status_code
            }
            handler.responses = {**errors, **(handler.responses or {})}
