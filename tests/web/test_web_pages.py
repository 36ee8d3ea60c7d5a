"""The server-rendered pages: status, content from the services, escaping, error pages."""

from __future__ import annotations

import html
import logging
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from reeducate.api import create_app
from reeducate.errors import NotFoundError
from reeducate.services.library import exercise_detail, search_exercises
from reeducate.web.pages import PAGE_SIZE
from reeducate.web.settings import Settings

HOSTILE = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"


def is_html(response: object) -> bool:
    return response.headers["content-type"] == "text/html; charset=utf-8"  # type: ignore[attr-defined]


def test_home_page_offers_the_library_and_sign_in(site: TestClient) -> None:
    response = site.get("/")
    assert response.status_code == 200 and is_html(response)
    page = response.text
    assert "<h1>Neuromuscular re-education, measured.</h1>" in page
    assert 'action="/signin"' in page and 'name="csrf_token"' in page
    assert not re.search(r"<fieldset\s+disabled>", page)
    assert 'href="/library"' in page


def test_library_lists_every_exercise_one_page_at_a_time(site: TestClient) -> None:
    everything = search_exercises()
    response = site.get("/library")
    assert response.status_code == 200 and is_html(response)
    assert f'data-count="{everything.count}"' in response.text
    names = re.findall(r'<span class="result-name">(.*?)</span>', response.text)
    assert names == [html.escape(h.name, quote=False) for h in everything.exercises[:PAGE_SIZE]]
    second = site.get("/library", params={"page": 2}).text
    assert f"Showing {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of" in second
    assert f'href="/library/{everything.exercises[PAGE_SIZE].id}"' in second


def test_library_search_filters_like_the_service(site: TestClient) -> None:
    want = search_exercises(text="dead bug", technique="postural_control")
    response = site.get("/library", params={"q": "dead bug", "technique": "postural_control"})
    assert response.status_code == 200
    assert f'data-count="{want.count}"' in response.text
    for hit in want.exercises:
        assert f'href="/library/{hit.id}"' in response.text
    # The fragment for the live search is the same list, without the layout.
    fragment = site.get(
        "/library/results", params={"q": "dead bug", "technique": "postural_control"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'data-count="{want.count}"' in fragment.text
    levels = site.get("/library", params=[("level", "surface:foam"), ("level", "")])
    want = search_exercises(levels={"surface": "foam"})
    assert f'data-count="{want.count}"' in levels.text
    assert '<option value="surface:foam" selected>' in levels.text


def test_a_hostile_query_string_is_escaped_everywhere(site: TestClient) -> None:
    for path in ("/library", "/library/results"):
        response = site.get(path, params={"q": HOSTILE})
        assert response.status_code == 200
        assert HOSTILE not in response.text and "<script>alert" not in response.text
        assert "onerror=alert(1)>" not in response.text
        assert str(escape(HOSTILE)) in response.text  # shown back, as text
    # A refused filter value is named in the error, escaped.
    response = site.get("/library", params={"region": "<b>knee</b>"})
    assert response.status_code == 422 and is_html(response)
    assert "<b>knee</b>" not in response.text
    assert "region must be one of" in response.text and "&lt;b&gt;knee&lt;/b&gt;" in response.text


def test_exercise_page_shows_instructions_cues_safety_dose_and_steps(site: TestClient) -> None:
    detail = exercise_detail("bal-sls-firm-eo")
    response = site.get("/library/bal-sls-firm-eo")
    assert response.status_code == 200 and is_html(response)
    page = response.text
    assert f"<h1>{html.escape(detail.name)}</h1>" in page
    for text in (*detail.instructions, *detail.cues, *detail.safety_notes):
        assert html.escape(text, quote=False) in page
    for c in detail.contraindications:
        assert html.escape(c["label"], quote=False) in page
    assert html.escape(detail.dose["text"], quote=False) in page
    for step in (*detail.harder, *detail.easier):
        assert f'href="/library/{step.id}"' in page
    assert detail.harder and detail.easier


def test_an_nmes_exercise_shows_its_stimulation_parameters(site: TestClient) -> None:
    page = site.get("/library/nm-quad-supine").text
    assert "50 Hz" in page and "300 µs" in page and "10 s on, 30 s off" in page


def test_unknown_pages_are_404_pages_that_escape_the_address(site: TestClient) -> None:
    response = site.get("/library/" + "<img src=x onerror=alert(1)>")
    assert response.status_code == 404 and is_html(response)
    assert "<img src=x" not in response.text
    response = site.get("/no-such-page")
    assert response.status_code == 404 and is_html(response)
    assert "There is no page at this address." in response.text
    response = site.get("/library", params={"page": "last"})
    assert response.status_code == 422 and "Please check page." in response.text


def test_an_unexpected_error_on_a_page_shows_a_reference_only(
    web_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app: FastAPI = create_app(web_settings)

    def crash() -> None:
        raise RuntimeError("Jane Doe 1950-02-03")

    def missing() -> None:
        raise NotFoundError("exercise id 'x' is not in the library")

    app.add_api_route("/crash", crash)
    app.add_api_route("/missing", missing)
    with TestClient(app, raise_server_exceptions=False) as client:
        with caplog.at_level(logging.ERROR, logger="reeducate.web"):
            response = client.get("/crash")
        assert response.status_code == 500 and is_html(response)
        assert "Jane" not in response.text and "RuntimeError" not in response.text
        (reference,) = re.findall(r"Reference <code>([0-9a-f]{12})</code>", response.text)
        assert any(reference in r.getMessage() for r in caplog.records)
        response = client.get("/missing")
        assert response.status_code == 404 and "is not in the library" in response.text


def test_pages_carry_a_strict_content_security_policy(site: TestClient) -> None:
    csp = site.get("/library").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # No inline script or style anywhere, so the policy needs no 'unsafe-inline'.
    for path in ("/", "/library", "/library/bal-sls-firm-eo", "/nothing"):
        page = site.get(path).text
        assert "<script>" not in page and "<style" not in page and " style=" not in page
