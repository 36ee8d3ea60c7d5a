"""The public exercise library in a real headless Chromium: search, open an exercise, step to a
harder variant; at desktop and phone widths, with screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reeducate.services.library import exercise_detail, search_exercises

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.mark.browser
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_search_and_open_an_exercise(
    live_server: Any, browser: Any, screenshot_dir: Path, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else problems.append(r.url),
    )
    try:
        page.goto(live_server.url + "/")
        assert page.locator("h1").inner_text() == "Neuromuscular re-education, measured."
        page.screenshot(path=str(screenshot_dir / f"home-{viewport}.png"), full_page=True)

        page.goto(live_server.url + "/library")
        everything = search_exercises().count
        assert page.locator(".results-count").get_attribute("data-count") == str(everything)
        # Our stylesheet and the self-hosted typeface are in effect.
        style = page.evaluate(
            "() => [getComputedStyle(document.documentElement).backgroundColor,"
            " getComputedStyle(document.body).fontFamily,"
            " document.fonts.check('16px \"Inter Variable\"'),"
            " document.documentElement.scrollWidth - window.innerWidth]"
        )
        assert style[0] == "rgb(245, 247, 249)"
        assert style[1].startswith('"Inter Variable"')
        assert style[2] is True
        assert style[3] <= 0, "the page must not scroll sideways"
        page.screenshot(path=str(screenshot_dir / f"library-{viewport}.png"), full_page=False)

        # Typing refreshes the results without a page load (progressive enhancement).
        want = search_exercises(text="single-leg", technique="balance")
        page.locator("form[data-enhanced='true']").wait_for()
        page.fill("#q", "single-leg")
        page.select_option("#technique", "balance")
        page.wait_for_selector(f".results-count[data-count='{want.count}']")
        assert "q=single-leg" in page.url and "technique=balance" in page.url
        names = page.locator(".result-name").all_inner_texts()
        assert names == [hit.name for hit in want.exercises][: len(names)]
        page.screenshot(path=str(screenshot_dir / f"search-{viewport}.png"), full_page=False)

        first = want.exercises[0]
        page.get_by_role("link", name=first.name).first.click()
        page.wait_for_url(f"**/library/{first.id}")
        detail = exercise_detail(first.id)
        assert page.locator("h1").inner_text() == detail.name
        assert page.locator("ol.steps li").all_inner_texts() == list(detail.instructions)
        assert page.locator(".dose-text").inner_text() == detail.dose["text"]
        assert page.locator(".card-safety").is_visible() == bool(
            detail.safety_notes or detail.contraindications
        )
        page.screenshot(path=str(screenshot_dir / f"exercise-{viewport}.png"), full_page=True)

        harder = detail.harder[0]
        page.locator(f"a[href='/library/{harder.id}']").first.click()
        page.wait_for_url(f"**/library/{harder.id}")
        assert page.locator("h1").inner_text() == harder.name
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert problems == [], problems
    finally:
        context.close()
