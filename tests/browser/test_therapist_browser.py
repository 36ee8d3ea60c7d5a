"""The therapist's patient list and a chart in a real headless Chromium, at desktop and phone
widths, with screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.browser.conftest import LiveServer
from tests.web.test_therapist import HOSTILE, seed, signed_in

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.mark.browser
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_patient_list_and_chart(
    browser: Any, screenshot_dir: Path, tmp_path: Path, viewport: str
) -> None:
    from reeducate.api import create_app, load_settings

    seeded = seed(tmp_path)
    app = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": seeded.url}))
    signed_in(app, seeded.therapist_a)
    with LiveServer(app) as server:
        width, height = VIEWPORTS[viewport]
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        try:
            page.goto(server.url + "/patients")
            rows = page.locator("li.patient-row")
            assert rows.count() == 2
            assert rows.first.get_attribute("data-code") == seeded.flagged
            assert page.locator(".patient-name").first.inner_text() == HOSTILE
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, "the list must not scroll sideways"
            page.screenshot(path=str(screenshot_dir / f"patients-{viewport}.png"), full_page=True)
            page.locator("a.patient-link").first.click()
            page.wait_for_url(f"**/patients/{seeded.flagged}")
            assert page.locator("h1.patient-name").inner_text() == HOSTILE
            figure = page.locator("figure.trend img").first
            figure.wait_for()
            page.wait_for_function(  # loaded from its own address, beside the page
                "() => { const i = document.querySelector('figure.trend img');"
                " return i !== null && i.complete && i.naturalWidth > 0; }"
            )
            # The SVG figure decoded and laid out at a real size.
            assert (
                page.evaluate("() => document.querySelector('figure.trend img').naturalWidth") > 100
            )
            assert figure.bounding_box()["width"] <= width
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, "the chart must not scroll sideways"
            page.screenshot(path=str(screenshot_dir / f"chart-{viewport}.png"), full_page=True)
            assert problems == []
        finally:
            context.close()
