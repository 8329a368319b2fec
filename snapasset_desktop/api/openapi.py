"""The API described: an OpenAPI 3.1 document and a plain HTML page, from the route table.

Both are built from the same `Endpoint` list the app routes with, and the request
bodies' JSON Schemas come from the pydantic models that check them, so the
description can't drift from what the server does. The page needs no network
(no script from a CDN): it is the document, laid out.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from snapasset_desktop import __version__


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    body: type[BaseModel] | None = None
    token: bool = True  # needs the bearer token
    answers: tuple[int, ...] = (200,)
    stream: bool = False  # text/event-stream


def openapi_document(endpoints: list[Endpoint]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for endpoint in endpoints:
        operation: dict[str, Any] = {
            "summary": endpoint.summary,
            "responses": {str(code): {"description": _REASONS[code]} for code in endpoint.answers},
        }
        if endpoint.stream:
            operation["responses"]["200"]["content"] = {"text/event-stream": {}}
        if endpoint.token:
            operation["security"] = [{"bearer": []}]
            operation["responses"]["401"] = {"description": _REASONS[401]}
        if endpoint.body is not None:
            name = endpoint.body.__name__
            schema = endpoint.body.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[name] = schema
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                },
            }
            operation["responses"].setdefault("413", {"description": _REASONS[413]})
            operation["responses"].setdefault("422", {"description": _REASONS[422]})
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SnapAsset Desktop local API",
            "version": __version__,
            "description": (
                "Create image jobs, follow them live over Server-Sent Events and fetch their "
                "assets. Every /api/v1 call needs `Authorization: Bearer <token>`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def docs_page(document: dict[str, Any]) -> str:
    rows = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            body_name = body["schema"]["$ref"].rsplit("/", 1)[-1] if body else ""
            answers = ", ".join(operation["responses"])
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code>"
                f"</td><td>{html.escape(operation['summary'])}</td>"
                f"<td>{'token' if 'security' in operation else 'open'}</td>"
                f"<td>{html.escape(body_name)}</td><td>{answers}</td></tr>"
            )
    bodies = []
    for name, schema in document["components"]["schemas"].items():
        required = schema.get("required", [])
        fields = "".join(
            f"<li><code>{html.escape(field)}</code>{' (required)' if field in required else ''}"
            f" — {html.escape(_type(spec))}</li>"
            for field, spec in schema.get("properties", {}).items()
        )
        bodies.append(f"<h3>{html.escape(name)}</h3><ul>{fields}</ul>")
    return _PAGE.format(
        version=html.escape(document["info"]["version"]), rows="".join(rows), bodies="".join(bodies)
    )


def _type(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return " | ".join(str(v) for v in spec["enum"])
    if "anyOf" in spec:
        return " or ".join(_type(option) for option in spec["anyOf"])
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if spec.get("type") == "array":
        return f"list of {_type(spec.get('items', {}))}"
    return str(spec.get("type", "any"))


_REASONS = {
    200: "OK",
    202: "Accepted: queued or changed",
    204: "No content: the job's stream has ended",
    304: "Not modified (ETag)",
    401: "No token, or not the API's token",
    404: "No such job or asset",
    409: "The job is not in a state that allows it",
    413: "The body is too large",
    422: "A field is wrong: `error.field` names it, `error.message` says what to fix",
    429: "Too many new jobs for now: see Retry-After",
    503: "The queue's storage isn't answering",
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SnapAsset local API</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem;
       padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left;
          vertical-align: top; }}
code {{ font-size: 13px; }}
</style></head><body>
<h1>SnapAsset Desktop local API <small>{version}</small></h1>
<p>Every <code>/api/v1</code> call needs <code>Authorization: Bearer &lt;token&gt;</code>
(Settings → Local API, or <code>snapasset-desktop api-token</code>). The event streams also
take <code>?ticket=</code> from <code>POST /api/v1/events/ticket</code>, for a browser's
EventSource. The machine-readable description is
<code>GET /api/v1/openapi.json</code>.</p>
<table><tr><th>method</th><th>path</th><th>what</th><th>auth</th><th>body</th><th>answers</th></tr>
{rows}</table>
<h2>Bodies</h2>{bodies}
</body></html>
"""
