"""Version 1 of the JSON API, mounted at ``/api/v1`` with its OpenAPI document at
``/api/v1/openapi.json``.

The public, read-only part: health, the exercise library and the outcome-measure definitions.
Every route calls :mod:`reeducate.services.library` and returns its result as it is (the
services' dataclasses are the response schemas); errors are problem+json
(:mod:`reeducate.api.problems`). The interactive documentation pages are not served: they load
their scripts from a CDN, and these machines are offline.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints

from reeducate import __version__
from reeducate.api.problems import (
    PROBLEM_TYPES,
    install_problem_handlers,
    problem_response,
    problem_responses,
    problem_schemas,
    render_internal_error,
)
from reeducate.api.v1_auth import install_api_auth
from reeducate.errors import NotFoundError
from reeducate.services.library import (
    ExerciseDetail,
    ExerciseSearch,
    LibraryTerms,
    MeasureDetail,
    MeasureSummary,
    exercise_detail,
    library_terms,
    list_measures,
    measure_detail,
    search_exercises,
)
from reeducate.web.deps import StoreDep
from reeducate.web.errors import ErrorGuardMiddleware
from reeducate.web.pages import parse_levels

__all__ = ["API_PREFIX", "build_api"]

API_PREFIX = "/api/v1"

#: One word of a repeatable filter (a level, an equipment or contraindication code).
Word = Annotated[str, StringConstraints(max_length=60)]

router = APIRouter(responses=problem_responses(422, 500))


class Health(BaseModel):
    """The server answers, and whether its database does."""

    status: Literal["ok"]
    version: str
    database: Literal["ok"]
    schema_revision: str | None = Field(description="the database's migration revision")
    schema_up_to_date: bool


class ProblemTypeInfo(BaseModel):
    """Documentation of one problem type (what a problem's ``type`` URI answers)."""

    type: str
    title: str
    status: int
    description: str


@router.get(
    "/health",
    response_model=Health,
    tags=["health"],
    summary="Is the server up, and its database reachable?",
    responses=problem_responses(503),
)
def health(request: Request, store: StoreDep) -> Any:
    from reeducate.store import migrate

    if store.engine is None:  # pragma: no cover - the application always owns its engine
        raise RuntimeError("the application's store has no engine")
    try:
        revision = migrate.current(store.engine)
    except Exception:
        return problem_response(
            request, status=503, slug="unavailable", detail="the database cannot be reached"
        )
    return Health(
        status="ok",
        version=__version__,
        database="ok",
        schema_revision=revision,
        schema_up_to_date=revision == migrate.head(),
    )


@router.get(
    "/problems/{slug}",
    response_model=ProblemTypeInfo,
    tags=["problems"],
    summary="What a problem type means",
    responses=problem_responses(404),
)
def problem_type(slug: Annotated[str, Path(max_length=40)]) -> ProblemTypeInfo:
    known = PROBLEM_TYPES.get(slug)
    if known is None:
        raise NotFoundError(f"problem type must be one of {', '.join(PROBLEM_TYPES)}; got {slug!r}")
    return ProblemTypeInfo(
        type=slug, title=known.title, status=known.status, description=known.description
    )


@router.get(
    "/exercises",
    response_model=ExerciseSearch,
    tags=["exercise library"],
    summary="Search the exercise library",
)
def exercises(
    region: Annotated[
        str | None, Query(max_length=40, description="body region, e.g. knee (see /terms)")
    ] = None,
    technique: Annotated[
        str | None, Query(max_length=40, description="technique, e.g. balance (see /terms)")
    ] = None,
    level: Annotated[
        list[Word],
        Query(
            max_length=20,
            description="exact level on a difficulty dimension, DIMENSION:LEVEL "
            "(e.g. surface:foam); repeatable",
        ),
    ] = [],  # noqa: B006 (FastAPI copies defaults; never mutated)
    equipment: Annotated[
        list[Word] | None,
        Query(
            max_length=60,
            description="equipment the patient has (repeatable): keep exercises that need "
            "nothing else; 'none' keeps exercises without equipment",
        ),
    ] = None,
    contraindication: Annotated[
        list[Word],
        Query(
            max_length=60,
            description="the patient's contraindication codes (repeatable): matching "
            "exercises are left out, or flagged with flag_contraindicated",
        ),
    ] = [],  # noqa: B006 (FastAPI copies defaults; never mutated)
    flag_contraindicated: Annotated[
        bool, Query(description="keep contraindicated exercises and name the conflicts")
    ] = False,
    text: Annotated[
        str | None, Query(max_length=200, description="words that must all appear")
    ] = None,
) -> ExerciseSearch:
    available = None if equipment is None else [e for e in equipment if e != "none"]
    return search_exercises(
        region=region,
        technique=technique,
        levels=parse_levels(level),
        equipment=available,
        contraindications=contraindication,
        flag_contraindicated=flag_contraindicated,
        text=text,
    )


@router.get(
    "/exercises/{exercise_id}",
    response_model=ExerciseDetail,
    tags=["exercise library"],
    summary="One exercise in full, with its one-step harder and easier variants",
    responses=problem_responses(404),
)
def exercise(exercise_id: Annotated[str, Path(max_length=80)]) -> ExerciseDetail:
    return exercise_detail(exercise_id)


@router.get(
    "/terms",
    response_model=LibraryTerms,
    tags=["exercise library"],
    summary="The regions, techniques, levels, equipment and contraindications the search takes",
)
def terms() -> LibraryTerms:
    return library_terms()


@router.get(
    "/measures",
    response_model=list[MeasureSummary],
    tags=["outcome measures"],
    summary="Every outcome measure reeducate scores",
)
def measures() -> list[MeasureSummary]:
    return list(list_measures())


@router.get(
    "/measures/{measure_id}",
    response_model=MeasureDetail,
    tags=["outcome measures"],
    summary="One measure: items, scoring, cut-offs, norms and MCID/MDC with their sources",
    responses=problem_responses(404),
)
def measure(measure_id: Annotated[str, Path(max_length=40)]) -> MeasureDetail:
    return measure_detail(measure_id)


def build_api(context: Any, /) -> FastAPI:
    """The ``/api/v1`` application, sharing ``context`` (an ``AppContext``) with the site."""
    api = FastAPI(
        title="reeducate API",
        version=f"1 (reeducate {__version__})",
        summary="Neuromuscular re-education: exercise library, outcome measures and care.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        default_response_class=JSONResponse,
    )
    api.state.context = context
    install_problem_handlers(api)
    install_api_auth(api)  # before other routers: CSRF checks every route included after it
    api.add_middleware(ErrorGuardMiddleware, render=render_internal_error)
    api.include_router(router)

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            document = get_openapi(
                title=api.title,
                version=api.version,
                summary=api.summary,
                description=__doc__,
                routes=api.routes,
            )
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                problem_schemas()
            )
            api.openapi_schema = document
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
    return api
