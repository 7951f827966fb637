"""What the OpenAPI document says about /api beyond each handler's own annotations: the error body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.openapi.spec import Parameter as OpenAPIParameter
from litestar.params import Body
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
                status: ResponseSpec(data_container=ApiError, description=description, generate_examples=False)
                for status, description in _ERROR_STATUSES.items()
                if status != handler.status_code
            }
            handler.responses = {**errors, **(handler.responses or {})}


def inline_schema(struct: type) -> dict[str, Any]:
    """The JSON Schema of a msgspec Struct with its nested definitions written in place."""
    schema = msgspec.json.schema(struct)
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return resolve(schema)


def json_body(struct: type) -> Body:
    """Document a JSON body by a Struct while the handler keeps receiving the dict its service
    validates field by field (with errors in Chinese naming the field)."""
    schema = inline_schema(struct)
    return Body(schema_extra={key: schema[key] for key in ("properties", "required", "description") if key in schema})


def answers(struct: type, status: int = 200, description: str = "") -> dict[int, ResponseSpec]:
    """Document a JSON answer by a Struct (the handler answers the service's dict of that shape)."""
    return {status: ResponseSpec(data_container=struct, description=description or "OK", generate_examples=False)}


def operation_class(
    *,
    body: type | None = None,
    binary_body: str | None = None,
    body_required: bool = True,
    headers: dict[str, tuple[bool, str]] | None = None,
    query: dict[str, str] | None = None,
) -> type[Operation]:
    """An Operation that documents what a handler reads from the request itself rather than from
    typed parameters: a body decoded by hand (sync push), bytes (tus), headers (tus) and optional
    query parameters read as a whole (the review queue's filters)."""

    @dataclass
    class Documented(Operation):
        def __post_init__(self) -> None:
            if self.request_body is None and body is not None:
                schema = inline_schema(body)
                self.request_body = RequestBody(required=body_required, content={"application/json": OpenAPIMediaType(schema=schema)})  # type: ignore[arg-type]
            if self.request_body is None and binary_body is not None:
                schema = {"type": "string", "format": "binary"}
                self.request_body = RequestBody(required=body_required, content={binary_body: OpenAPIMediaType(schema=schema)})  # type: ignore[arg-type]
            documented = [
                OpenAPIParameter(name=name, param_in="header", required=required, description=description, schema=Schema(type=OpenAPIType.STRING))
                for name, (required, description) in (headers or {}).items()
            ]
            documented += [
                OpenAPIParameter(name=name, param_in="query", required=False, description=description, schema=Schema(type=OpenAPIType.STRING))
                for name, description in (query or {}).items()
            ]
            self.parameters = [*(self.parameters or []), *documented] or None

    return Documented
