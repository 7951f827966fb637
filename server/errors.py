"""One error hierarchy and one mapper: JSON for /api/*, a partial for HTMX, a page otherwise."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException, ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from server.i18n import N_

log = logging.getLogger("doorstep.errors")


class AppError(Exception):
    """An error a person or a client can act on. `reason` is shown as it is (Chinese in the UI)."""

    status_code = 400
    code = "invalid"

    def __init__(self, reason: str, *, field: str | None = None, extra: dict | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.extra = extra or {}


class NotFound(AppError):
    status_code = 404
    code = "not_found"

    def __init__(self, reason: str = N_("找不到该记录，或您无权查看。"), **kwargs) -> None:
        super().__init__(reason, **kwargs)


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, reason: str = N_("请先登录。"), **kwargs) -> None:
        super().__init__(reason, **kwargs)


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"

    def __init__(self, reason: str = N_("您的角色无权进行此操作。"), **kwargs) -> None:
        super().__init__(reason, **kwargs)


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Invalid(AppError):
    status_code = 400
    code = "invalid"


class TooMany(AppError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, reason: str = N_("请求过于频繁，请稍后再试。"), **kwargs) -> None:
        super().__init__(reason, **kwargs)


_HTTP_REASONS = {
    400: ("invalid", N_("请求有误。")),
    401: ("unauthorized", N_("请先登录。")),
    403: ("forbidden", N_("您无权进行此操作。")),
    404: ("not_found", N_("找不到该页面或记录。")),
    405: ("method_not_allowed", N_("不支持该请求方法。")),
    413: ("too_large", N_("上传的内容过大。")),
    429: ("rate_limited", N_("请求过于频繁，请稍后再试。")),
}


def _as_app_error(exc: Exception) -> AppError:
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, ValidationException):
        error = Invalid(N_("请求内容格式不正确。"), extra={"details": exc.extra})
        return error
    if isinstance(exc, NotAuthorizedException):
        return Unauthorized()
    if isinstance(exc, PermissionDeniedException):
        error = Forbidden(exc.detail if exc.detail and exc.detail != "Forbidden" else N_("您无权进行此操作。"))
        return error
    if isinstance(exc, NotFoundException):
        return NotFound(N_("找不到该页面或记录。"))
    if isinstance(exc, HTTPException):
        code, reason = _HTTP_REASONS.get(exc.status_code, ("error", exc.detail or N_("请求无法完成。")))
        error = AppError(reason)
        error.status_code = exc.status_code
        error.code = code
        return error
    log.exception("unhandled error", exc_info=exc)
    error = AppError(N_("服务器内部错误，请稍后再试。您的数据不会丢失。"))
    error.status_code = HTTP_500_INTERNAL_SERVER_ERROR
    error.code = "server_error"
    return error


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/auth/")) or path == "/healthz"


def error_to_response(request: Request, exc: Exception) -> Response:
    """Map any exception to JSON, an HTMX partial or a full page."""
    error = _as_app_error(exc)
    headers = {"Vary": "HX-Request"}
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)
    if wants_json(request):
        body = {"error": error.code, "reason": error.reason}
        if error.field:
            body["field"] = error.field
        body.update(error.extra)
        return Response(body, status_code=error.status_code, media_type=MediaType.JSON, headers=headers)
    context = {"error": error, "status_code": error.status_code, "user": request.scope.get("user")}
    if request.headers.get("hx-request") == "true":
        return Template("partials/error.html", context=context, status_code=error.status_code, headers=headers)
    return Template("error.html", context=context, status_code=error.status_code, headers=headers)
