"""Server-rendered pages: the home (sign-in placeholder) and the public exercise library.

Every page works without JavaScript: the library search is a plain GET form. With JavaScript
(``static/app.js``) the results refresh as the user types, from ``/library/results`` which
renders the same fragment the full page includes, and the address bar follows the filters.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import StringConstraints

from reeducate.errors import InvalidParameterError
from reeducate.services.library import (
    ExerciseSearch,
    exercise_detail,
    library_terms,
    search_exercises,
)
from reeducate.web.deps import CurrentUser, app_context

__all__ = ["PAGE_SIZE", "router"]

#: Exercises per page of search results.
PAGE_SIZE: Final = 25

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

TextQuery = Annotated[str | None, Query(max_length=200, description="words to look for")]
ChoiceQuery = Annotated[str | None, Query(max_length=40)]
#: At most 20 levels (there are 11 dimensions), each at most 60 characters.
LevelQuery = Annotated[list[Annotated[str, StringConstraints(max_length=60)]], Query(max_length=20)]
PageQuery = Annotated[int, Query(ge=1, le=1000)]


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render template ``name`` with the layout's common context."""
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, name, {"user": None, **context}, status_code=status_code
    )
    return response


def parse_levels(values: list[str], /) -> dict[str, str]:
    """``["surface:foam", ...]`` -> ``{"surface": "foam"}``; empty values are skipped.

    Raises
    ------
    InvalidParameterError
        A value without ``:`` or a dimension given twice.

    Examples
    --------
    >>> parse_levels(["surface:foam", "", "vision:eyes_closed"])
    {'surface': 'foam', 'vision': 'eyes_closed'}
    """
    levels: dict[str, str] = {}
    for value in values:
        if not value.strip():
            continue
        dimension, sep, level = value.strip().partition(":")
        if not sep or not dimension or not level:
            raise InvalidParameterError(
                f"level must be DIMENSION:LEVEL, e.g. surface:foam; got {value!r}"
            )
        if dimension in levels:
            raise InvalidParameterError(f"level gives dimension {dimension!r} twice")
        levels[dimension] = level
    return levels


def _search_context(
    *,
    q: str | None,
    region: str | None,
    technique: str | None,
    level: list[str],
    page: int,
) -> tuple[dict[str, Any], int]:
    """What the search page and its results fragment show, and the HTTP status."""
    levels: dict[str, str] = {}
    error: str | None = None
    found: ExerciseSearch | None = None
    try:
        levels = parse_levels(level)
        found = search_exercises(
            text=q or None,
            region=region or None,
            technique=technique or None,
            levels=levels,
        )
    except InvalidParameterError as exc:
        error = str(exc)
    pages = max(1, math.ceil(found.count / PAGE_SIZE)) if found is not None else 1
    page = min(page, pages)
    shown = found.exercises[(page - 1) * PAGE_SIZE : page * PAGE_SIZE] if found else ()
    query = [
        (key, value)
        for key, value in (("q", q), ("region", region), ("technique", technique))
        if value
    ] + [("level", f"{d}:{v}") for d, v in levels.items()]

    def page_url(number: int) -> str:
        return "/library?" + urlencode([*query, ("page", str(number))])

    form = {"q": q or "", "region": region or "", "technique": technique or "", "levels": levels}
    context = {
        "form": form,
        "error": error,
        "found": found,
        "shown": shown,
        "page": page,
        "pages": pages,
        "first_index": (page - 1) * PAGE_SIZE + 1,
        "previous_url": page_url(page - 1) if page > 1 else None,
        "next_url": page_url(page + 1) if page < pages else None,
        "filtered": bool(query),
    }
    return context, (422 if error else 200)


@router.get("/", name="home")
def home(request: Request, user: CurrentUser) -> HTMLResponse:
    """The front door: what reeducate is, and sign-in (a placeholder until accounts exist)."""
    return render(
        request,
        "home.html",
        {"user": user, "signin_enabled": False, "demo": app_context(request).settings.demo},
    )


@router.get("/library", name="library")
def library(
    request: Request,
    user: CurrentUser,
    q: TextQuery = None,
    region: ChoiceQuery = None,
    technique: ChoiceQuery = None,
    level: LevelQuery = [],  # noqa: B006 (FastAPI copies defaults; never mutated)
    page: PageQuery = 1,
) -> HTMLResponse:
    """The exercise library: the search form and one page of results."""
    context, status = _search_context(
        q=q, region=region, technique=technique, level=level, page=page
    )
    return render(
        request,
        "library/search.html",
        {**context, "user": user, "terms": library_terms(), "section": "library"},
        status_code=status,
    )


@router.get("/library/results", name="library_results")
def library_results(
    request: Request,
    q: TextQuery = None,
    region: ChoiceQuery = None,
    technique: ChoiceQuery = None,
    level: LevelQuery = [],  # noqa: B006 (FastAPI copies defaults; never mutated)
    page: PageQuery = 1,
) -> HTMLResponse:
    """The results fragment alone, for the search's live refresh."""
    context, status = _search_context(
        q=q, region=region, technique=technique, level=level, page=page
    )
    return render(request, "library/_results.html", context, status_code=status)


@router.get("/library/{exercise_id}", name="exercise")
def exercise(
    request: Request,
    user: CurrentUser,
    exercise_id: Annotated[str, Path(max_length=80)],
) -> HTMLResponse:
    """One exercise: instructions, cues, safety, dose and the harder and easier steps."""
    detail = exercise_detail(exercise_id)
    return render(
        request,
        "library/exercise.html",
        {"user": user, "ex": detail, "terms": library_terms(), "section": "library"},
    )
