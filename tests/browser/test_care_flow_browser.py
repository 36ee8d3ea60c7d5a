"""The whole episode of care in a real headless Chromium, as the people who use it would go:

a therapist signs in, creates a patient (with a sign-in for them), prescribes from the library;
the patient signs in on three days and logs each home session; the therapist sees the engine's
recommendation waiting on the patient list, reviews its evidence and accepts it (the programme
changes), records a clinic visit with a balance recording, scores an outcome measure, and opens
the progress report (HTML and PDF). Every page is checked at phone width for sideways scrolling,
for console errors, and saved as a screenshot.

The days pass on the application's own clock (the store's ``clock``), not the machine's: the
engine needs three sessions on different days.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.browser.conftest import LiveServer
from tests.web.worlds import FAST

from reeducate.services import accounts, care

DEMO = Path(care.__file__).parents[1] / "data" / "demo" / "BDS00160.txt.gz"
THERAPIST_PASSWORD = "a long therapist passphrase"
PATIENT_PASSWORD = "my own long passphrase"
PATIENT_NAME = "Ada <b>Example</b> & O'Hara"  # escaped everywhere, never markup
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class Clock:
    """The application's clock, moved by the test one day at a time."""

    def __init__(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def next_day(self) -> None:
        self.now += timedelta(days=1)


class Visit:
    """One person's browser: its own cookies, console errors collected, screenshots named."""

    def __init__(self, browser: Any, base: str, shots: Path, who: str, viewport: dict[str, int]):
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.base, self.shots, self.who = base, shots, who
        self.problems: list[str] = []
        self.page.on(
            "console", lambda m: self.problems.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, login: str, password: str) -> None:
        self.go("/signin")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", password)
        self.page.click("form.signin button[type=submit], main form button[type=submit]")
        self.page.wait_for_load_state()
        assert "/signin" not in self.page.url, f"{login} was not signed in"

    def sign_out(self) -> None:
        with self.page.expect_navigation():
            self.page.click("form[action='/signout'] button")
        assert self.page.locator("a[href^='/signin']").count() >= 1

    def check(self, name: str) -> None:
        """No sideways scrolling, no console error; a full-page screenshot."""
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        assert self.problems == [], f"{name}: {self.problems}"
        self.page.screenshot(path=str(self.shots / f"{self.who}-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_episode_of_care_end_to_end(browser: Any, screenshot_dir: Path, tmp_path: Path) -> None:
    from reeducate.api import create_app, load_settings

    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    store = care.open_store(url, actor="setup")
    try:
        admin = accounts.bootstrap_administrator(
            store, login="admin", password="a long admin passphrase", settings=FAST
        )
        accounts.create_user(
            store, admin, login="pt.jones", password=THERAPIST_PASSWORD,
            role="therapist", clinic_id="CL-0001", settings=FAST,
        )  # fmt: skip
    finally:
        store.close()
    start = datetime.now(UTC).date() - timedelta(days=10)
    clock = Clock(start)
    app = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": url}))
    with LiveServer(app) as server:
        context = app.state.context
        context.store = replace(context.store, clock=clock)

        # Day 0: the therapist creates the patient and prescribes.
        pt = Visit(browser, server.url, screenshot_dir, "therapist", DESKTOP)
        pt.sign_in("pt.jones", THERAPIST_PASSWORD)
        pt.go("/patients")
        pt.page.click("a[href='/patients/new']")
        form = pt.page.locator("form.new-patient-form")
        form.locator("input[name=name]").fill(PATIENT_NAME)
        form.locator("input[name=date_of_birth]").fill("1948-02-29")
        form.locator("[name='episode.diagnoses']").fill("R26.81")
        form.locator("input[name='episode.impairments'][value=balance]").check()
        form.locator("input[name='plan.frequency_per_week']").fill("2")
        form.locator("input[name='plan.duration_weeks']").fill("8")
        form.locator("[name='plan.goals[0].description']").fill("Stand on one leg for 20 s")
        form.locator("select[name='plan.goals[0].measure']").select_option("sls-eo")
        form.locator("input[name='plan.goals[0].baseline_value']").fill("4")
        form.locator("input[name='plan.goals[0].target_value']").fill("20")
        goal_by = (start + timedelta(days=56)).isoformat()
        form.locator("input[name='plan.goals[0].target_date']").fill(goal_by)
        form.locator("input[name='account.login']").fill("ada.h")
        form.locator("input[name='account.password']").fill(PATIENT_PASSWORD)
        pt.check("new-patient")
        form.locator("button[type=submit]").click()
        pt.page.wait_for_load_state()
        code = _code(pt.page.content())
        pt.check("patient-created")
        pt.go(f"/patients/{code}")
        assert pt.page.locator("h1.patient-name").inner_text() == PATIENT_NAME

        pt.page.click(f"a[href='/patients/{code}/prescribe']")
        pt.page.fill("input[name=q]", "single-leg")
        pt.page.click("search form button[type=submit], form[method=get] button[type=submit]")
        hit = pt.page.locator("li.hit[data-variant='bal-sls-firm-eo']")
        hit.locator("summary").click()
        hit.locator("input[name=sets]").fill("3")
        hit.locator("input[name=hold_s]").fill("30")
        pt.check("prescribe")
        hit.locator("button[type=submit]").click()
        pt.page.wait_for_load_state()
        assert "bal-sls-firm-eo" in pt.page.content()
        pt.sign_out()

        # Days 1-3: the patient logs a home session each day, on a phone.
        me = Visit(browser, server.url, screenshot_dir, "patient", PHONE)
        for day in range(1, 4):
            clock.next_day()
            me.sign_in("ada.h", PATIENT_PASSWORD)
            assert me.page.url.endswith("/me")
            item = me.page.locator("article.programme-item[data-variant='bal-sls-firm-eo']")
            assert "3 × 30 s hold" in item.inner_text()
            item.locator("select[name$=difficulty]").select_option("2")
            item.locator("input[name$=pain_before]").fill("1")
            item.locator("input[name$=pain_after]").fill("1")
            if day == 1:
                me.check("today")
            me.page.click("button.save-session")
            me.page.locator(".logged-notice").wait_for()
            me.sign_out()
        me.sign_in("ada.h", PATIENT_PASSWORD)
        me.go("/me/progress")
        assert me.page.locator("dd.home-count").inner_text() == "3"
        me.check("progress")
        me.sign_out()

        # Day 3: the therapist sees the recommendation waiting, reviews it and accepts it.
        pt.sign_in("pt.jones", THERAPIST_PASSWORD)
        pt.go("/patients")
        row = pt.page.locator(f"li.patient-row[data-code='{code}']")
        assert "decision" in row.inner_text().lower()
        pt.check("patients")
        row.locator("a.patient-link").click()
        pt.page.wait_for_url(f"**/patients/{code}")
        pt.page.click(f"a[href='/patients/{code}/recommendations']")
        review = pt.page.locator("form.decision-form").first
        assert "progress" in pt.page.content().lower()
        assert "bal-sls-foam-eo" in pt.page.content() or "foam" in pt.page.content().lower()
        pt.check("review")
        review.locator("input[name=decision][value=accept]").check()
        review.locator("button[type=submit]").click()
        pt.page.wait_for_load_state()
        pt.go(f"/patients/{code}")
        assert "bal-sls-foam-eo" in pt.page.content()

        # A clinic visit with a balance recording, then a measure scored through its form.
        pt.page.click(f"a[href='/patients/{code}/visits/new']")
        visit = pt.page.locator("form.visit-form, main form[enctype='multipart/form-data']")
        visit.locator("select[name='ex-0-variant_id']").select_option("bal-sls-foam-eo")
        visit.locator("select[name='ex-0-kind']").select_option("hold")
        visit.locator("input[name='ex-0-done']").fill("30, 25, 30")
        visit.locator("input[name='minutes-97112']").fill("25")
        visit.locator("input[name=recording]").set_input_files(str(DEMO))
        visit.locator("select[name=condition]").select_option("eo-firm")
        visit.locator("button[type=submit]").click()
        pt.page.wait_for_url(f"**/patients/{code}*")
        assert pt.page.locator("table.trials tbody tr").count() == 1  # analysed and attached
        pt.page.click(f"a[href='/patients/{code}/scores/new']")
        pt.page.select_option("select#measure", "sls-eo")
        pt.page.click("form.measure-choice button")
        score = pt.page.locator("form.score-form")
        score.locator("input[type=number]").first.fill("12")
        score.locator("button[type=submit]").click()
        pt.page.wait_for_url(f"**/patients/{code}*")
        pt.check("chart")

        # The progress report renders, and its PDF is a PDF.
        pt.page.click(f"a[href^='/patients/{code}/report']")
        pt.page.wait_for_load_state()
        body = pt.page.content()
        assert "Stand on one leg for 20 s" in body and code in body
        assert pt.page.locator("img[src^='data:image/svg+xml']").count() >= 1
        pt.check("report")
        pdf = pt.page.request.get(f"{server.url}/patients/{code}/report.pdf")
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")

        # The same chart and programme at phone width.
        phone = Visit(browser, server.url, screenshot_dir, "therapist-phone", PHONE)
        phone.sign_in("pt.jones", THERAPIST_PASSWORD)
        phone.go(f"/patients/{code}")
        phone.check("chart")
        for person in (pt, phone):
            person.close()
        me.close()


def _code(html: str) -> str:
    found = re.search(r"P-\d{4}", html)
    assert found is not None, "the new patient's code is shown"
    return found.group(0)
