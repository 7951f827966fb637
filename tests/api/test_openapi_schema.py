"""The OpenAPI document (/schema/openapi.json) describes every /api operation: its path parameters,
its request body and its answers, field by field — not an empty or free-form object."""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute

METHODS = ("get", "post", "put", "patch", "delete", "head")
BINARY_ANSWERS = {("get", "/api/evidence/{evidence_id}/content"), ("get", "/api/evidence/{evidence_id}/thumbnail")}


@pytest.fixture
async def document(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def describes_fields(document: dict, schema: dict) -> bool:
    """An object with named properties, an array of such, or one of several such."""
    schema = resolve(document, schema)
    if schema.get("properties"):
        return True
    if "oneOf" in schema or "anyOf" in schema:
        options = [resolve(document, s) for s in schema.get("oneOf", schema.get("anyOf"))]
        return any(describes_fields(document, s) for s in options if s.get("type") != "null")
    if schema.get("type") == "array":
        return describes_fields(document, schema.get("items", {}))
    return bool(schema.get("properties"))


def api_operations(document: dict):
    for path, item in sorted(document["paths"].items()):
        if path.startswith("/api/"):
            for method in METHODS:
                if method in item:
                    yield method, path, item[method]


def test_every_api_route_of_the_app_is_in_the_document(app, document):
    documented = {(method, path) for method, path, _ in api_operations(document)}
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/"):
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
            for method in route.methods - {"OPTIONS"}:
                assert (method.lower(), path) in documented, f"{method} {path} is missing from the OpenAPI document"


def test_every_path_parameter_is_documented(document):
    for method, path, operation in api_operations(document):
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), f"{method.upper()} {path}"


def test_every_body_is_documented_field_by_field(document):
    missing = []
    for method, path, operation in api_operations(document):
        if method not in ("post", "put", "patch"):
            continue
        content = (operation.get("requestBody") or {}).get("content", {})
        if "application/json" in content:
            if not describes_fields(document, content["application/json"]["schema"]):
                missing.append(f"{method.upper()} {path}: request body has no fields")
        elif not content:
            missing.append(f"{method.upper()} {path}: no request body")
    assert not missing, "\n".join(missing)


def test_every_answer_is_documented_field_by_field(document):
    missing = []
    for method, path, operation in api_operations(document):
        successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert successes, f"{method.upper()} {path}: no success answer"
        for code, response in successes.items():
            content = response.get("content") or {}
            if (method, path) in BINARY_ANSWERS:
                assert set(content) - {"application/json"}, f"{method.upper()} {path} answers a file, not JSON"
            elif content.get("application/json", {}).get("schema") == {"type": "null"}:
                assert method in ("head", "delete", "patch") or path == "/api/uploads", f"{method.upper()} {path} answers nothing"
            elif "application/json" in content and not describes_fields(document, content["application/json"]["schema"]):
                missing.append(f"{method.upper()} {path} {code}: answer has no fields")
            elif method not in ("head", "delete", "patch") and not content:
                missing.append(f"{method.upper()} {path} {code}: no answer documented")
        for code in ("400", "404"):
            if code in operation["responses"]:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert {"error", "reason"} <= set(resolve(document, schema)["properties"]), f"{method.upper()} {path} {code}"
    assert not missing, "\n".join(missing)


def test_tus_operations_document_their_headers(document):
    paths = document["paths"]

    def header_names(operation):
        return {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}

    assert {"tus-resumable", "upload-length", "upload-metadata"} <= header_names(paths["/api/uploads"]["post"])
    assert {"tus-resumable", "upload-offset"} <= header_names(paths["/api/uploads/{upload_id}"]["patch"])
    patch_body = paths["/api/uploads/{upload_id}"]["patch"]["requestBody"]["content"]
    assert "application/offset+octet-stream" in patch_body
    assert "location" in {h.lower() for h in paths["/api/uploads"]["post"]["responses"]["201"].get("headers", {})}
    assert "upload-offset" in {h.lower() for h in paths["/api/uploads/{upload_id}"]["head"]["responses"]["200"].get("headers", {})}
