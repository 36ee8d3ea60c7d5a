"""Errors of the JSON API as RFC 9457 problem details (``application/problem+json``).

Every error response has ``type``, ``title``, ``status``, ``detail`` and ``instance``:

* ``type`` is an absolute URI of this server, ``<base>/api/v1/problems/<slug>``, that answers
  with a description of the problem type (RFC 9457 §3.1.1 asks for dereferenceable
  documentation); plain HTTP errors (an unknown route, a wrong method) use ``about:blank``
  and the status's title, as §4.2.1 prescribes;
* ``detail`` is the error's message, which names the field, the constraint and what was
  received, and never patient-identifying data;
* ``instance`` is the request's path (no query string: it may hold search words).

Request validation failures (422, or 400 for a body that is not JSON) add ``errors``: one
``{"field", "location", "message"}`` per failed field, without the value received. Unexpected
errors (500) carry only a ``reference`` that ties the response to the server log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from reeducate.errors import (
    DomainRuleError,
    FileFormatError,
    InvalidParameterError,
    NotFoundError,
    ReeducateError,
    SignalQualityError,
    UnitError,
)
from reeducate.web.errors import status_for, title_for

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_TYPES",
    "FieldError",
    "Problem",
    "ProblemType",
    "install_problem_handlers",
    "problem_response",
    "problem_responses",
    "problem_schemas",
]

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemType:
    """One kind of problem: its slug (the last part of ``type``), title, status, meaning."""

    slug: str
    title: str
    status: int
    description: str


#: The problem types this API answers with, by slug.
PROBLEM_TYPES: Final[Mapping[str, ProblemType]] = {
    p.slug: p
    for p in (
        ProblemType(
            slug="not-found",
            title="Not found",
            status=404,
            description="The record, exercise or measure named in the address does not exist.",
        ),
        ProblemType(
            slug="permission-denied",
            title="Not allowed",
            status=403,
            description="The signed-in account may not read or change this resource.",
        ),
        ProblemType(
            slug="invalid-parameter",
            title="Invalid parameter",
            status=422,
            description="A parameter breaks its constraint; detail names it and what is allowed.",
        ),
        ProblemType(
            slug="request-validation",
            title="Invalid request",
            status=422,
            description="The request does not match the operation's schema; errors lists each "
            "field and the constraint it breaks.",
        ),
        ProblemType(
            slug="malformed-request",
            title="Malformed request",
            status=400,
            description="The request body cannot be parsed (for example, it is not JSON).",
        ),
        ProblemType(
            slug="file-format",
            title="Unreadable file",
            status=422,
            description="An uploaded file cannot be read as the format it claims; detail names "
            "the file position.",
        ),
        ProblemType(
            slug="unit",
            title="Unknown or wrong unit",
            status=422,
            description="A unit is unknown, missing or cannot be converted.",
        ),
        ProblemType(
            slug="signal-quality",
            title="Signal cannot be trusted",
            status=422,
            description="A recording cannot give trustworthy numbers (gaps, NaNs, stepping "
            "off, too short).",
        ),
        ProblemType(
            slug="domain-rule",
            title="Clinical rule not met",
            status=422,
            description="The request breaks a clinical or domain rule named in detail.",
        ),
        ProblemType(
            slug="internal-error",
            title="Unexpected error",
            status=500,
            description="A fault on the server; the response gives a reference to quote.",
        ),
        ProblemType(
            slug="unavailable",
            title="Service unavailable",
            status=503,
            description="The server cannot reach its database.",
        ),
    )
}


class FieldError(BaseModel):
    """One field that failed validation."""

    field: str = Field(description="the field's name (dotted for nested fields)")
    location: str = Field(description="where the field is: query, path, body, header, cookie")
    message: str = Field(description="the constraint it breaks")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI of the problem type (about:blank for plain HTTP errors)")
    title: str
    status: int
    detail: str
    instance: str = Field(description="path of the request that failed")
    errors: list[FieldError] | None = Field(
        default=None, description="request validation failures, one per field"
    )
    reference: str | None = Field(
        default=None, description="for unexpected errors: quote it when reporting the fault"
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting problem+json for ``statuses``."""
    return {
        status: {
            "description": title_for(status),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def problem_schemas() -> dict[str, Any]:
    """JSON schemas of :class:`Problem` and :class:`FieldError` for ``components/schemas``."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, "Problem": schema}


def _type_uri(request: Request, slug: str | None) -> str:
    if slug is None:
        return "about:blank"
    base = str(request.base_url).rstrip("/")
    return f"{base}/api/v1/problems/{slug}"


def problem_response(
    request: Request,
    *,
    status: int,
    detail: str,
    slug: str | None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response for ``request``."""
    known = PROBLEM_TYPES.get(slug) if slug else None
    body: dict[str, Any] = {
        "type": _type_uri(request, slug),
        "title": title or (known.title if known else title_for(status)),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extensions.items() if v is not None})
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {})
    )


def slug_for(error: ReeducateError, /) -> str:
    """The problem type of a reeducate error."""
    if isinstance(error, NotFoundError):
        return "not-found"
    if isinstance(error, PermissionError):
        return "permission-denied"
    if isinstance(error, FileFormatError):
        return "file-format"
    if isinstance(error, UnitError):
        return "unit"
    if isinstance(error, SignalQualityError):
        return "signal-quality"
    if isinstance(error, InvalidParameterError):
        return "invalid-parameter"
    if isinstance(error, DomainRuleError):
        return "domain-rule"
    return "domain-rule"


def _field_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else "request"
        name = ".".join(loc[1:]) or location
        out.append({"field": name, "location": location, "message": str(error.get("msg", ""))})
    return out


async def on_reeducate_error(request: Request, exc: Exception) -> JSONResponse:
    """A reeducate error as its problem type."""
    assert isinstance(exc, ReeducateError)
    return problem_response(request, status=status_for(exc), detail=str(exc), slug=slug_for(exc))


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """A request that does not match the schema: 422 (400 when the body is not JSON)."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    fields = _field_errors(errors)
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(
            request,
            status=400,
            slug="malformed-request",
            detail="the request body must be valid JSON",
        )
    first = fields[0] if fields else {"field": "request", "location": "", "message": "invalid"}
    where = f" ({first['location']})" if first["location"] else ""
    more = f"; and {len(fields) - 1} more" if len(fields) > 1 else ""
    return problem_response(
        request,
        status=422,
        slug="request-validation",
        detail=f"{first['field']}{where}: {first['message']}{more}",
        errors=fields,
    )


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    """A plain HTTP error (unknown route, wrong method) as ``about:blank``."""
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else title_for(exc.status_code)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no API resource at {request.url.path}"
    return problem_response(
        request,
        status=exc.status_code,
        slug=None,
        title=title_for(exc.status_code),
        detail=detail,
        headers=exc.headers,
    )


async def render_internal_error(request: Request, status: int, reference: str) -> JSONResponse:
    """The body of an unexpected error: a reference, nothing of the exception."""
    return problem_response(
        request,
        status=status,
        slug="internal-error",
        detail=f"an unexpected error occurred; quote reference {reference} when reporting it",
        reference=reference,
    )


def install_problem_handlers(app: FastAPI, /) -> None:
    """Answer every error of ``app`` with problem+json."""
    app.add_exception_handler(ReeducateError, on_reeducate_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
