"""``reeducate measure ...`` end to end (through ``main``): list, show, score, one-line errors."""

from __future__ import annotations

import json
import random

import pytest
from tests.cli.running import flat, run

from reeducate.cli.exit_codes import ExitCode
from reeducate.clinic.outcomes import MEASURES


def test_list_names_every_measure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["measure", "list", "--format", "json"], capsys)
    assert code == ExitCode.OK, err
    assert [m["id"] for m in json.loads(out)] == list(MEASURES)
    code, out, err = run(["measure", "list"], capsys)
    assert code == ExitCode.OK, err
    assert all(measure_id in out for measure_id in MEASURES)


def test_show_gives_items_cut_offs_and_thresholds_with_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["measure", "show", "bbs"], capsys)
    assert code == ExitCode.OK, err
    text = flat(out)
    assert "sitting to standing" in text and "an integer 0–4" in text
    assert "< 45 increased fall risk" in text and "Berg 1992" in text
    assert "MDC95 4 points (baseline 45–56)" in text and "Donoghue & Stokes 2009" in text
    code, out, err = run(["measure", "show", "ftsts"], capsys)
    assert code == ExitCode.OK, err
    assert "[verify]" in out  # data text is printed as written, not eaten as Rich markup
    assert "age 60–69" in flat(out)


def test_berg_total_is_the_sum_of_the_items_and_json_round_trips(
    capsys: pytest.CaptureFixture[str],
) -> None:
    items = {str(n): random.Random(n).randint(0, 4) for n in range(1, 15)}
    total = sum(items.values())  # Berg 1992: 14 items 0–4, summed
    argv = ["measure", "score", "bbs", "--item", ",".join(f"{k}={v}" for k, v in items.items())]
    code, out, err = run([*argv, "--population", "older_adults", "--format", "json"], capsys)
    assert code == ExitCode.OK, err
    doc = json.loads(out)
    assert doc["total"] == total and doc["unit"] == "points"
    assert doc["items"] == {k: float(v) for k, v in items.items()}
    assert (total < 45) == any(f.startswith("fall risk:") for f in doc["flags"])
    # Feeding the stored items back (one --item each) gives the same document.
    again = ["measure", "score", "bbs", "--population", "older_adults", "--format", "json"]
    for key, value in doc["items"].items():
        again += ["--item", f"{key}={value:g}"]
    code, out, err = run(again, capsys)
    assert code == ExitCode.OK, err
    assert json.loads(out) == doc
    code, out, err = run([*argv, "--population", "older_adults"], capsys)
    assert code == ExitCode.OK, err
    assert f"Total {total} points" in flat(out) and "Berg Balance Scale" in out


def test_missing_items_are_handled_by_the_published_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["measure", "score", "odi", "--format", "json"]
    for n in range(1, 10):
        argv += ["--item", f"{n}=2"]
    code, out, err = run(argv, capsys)
    assert code == ExitCode.OK, err
    doc = json.loads(out)
    assert doc["total"] == pytest.approx(18 / 45 * 100)  # 9 sections answered: out of 45
    assert doc["missing_items"] == ["10"] and "denominator" in doc["missing_handling"]


def test_value_age_and_sex_reach_the_norms(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["measure", "score", "sls-eo", "--value", "8", "--age-years", "72", "--sex", "f"]
    code, out, err = run(argv, capsys)
    assert code == ExitCode.OK, err
    text = flat(out)
    assert "Total 8 s" in text and "worse than the mean for age 70–79 y" in text


@pytest.mark.parametrize(
    ("argv", "exit_code", "expected"),
    [
        (["show", "berg"], ExitCode.NOT_FOUND, "measure_id must be one of bbs, tug"),
        (["score", "berg", "--item", "1=4"], ExitCode.NOT_FOUND, "got 'berg'"),
        (["score", "bbs", "--item", "1=5"], ExitCode.USAGE, "item '1' (sitting to standing)"),
        (["score", "bbs", "--item", "1"], ExitCode.USAGE, "--item must be KEY=VALUE"),
        (["score", "bbs", "--item", "1=x"], ExitCode.USAGE, "--item 1 must be a number"),
        (["score", "bbs", "--item", "1=2,1=3"], ExitCode.USAGE, "--item 1 must be given once"),
        (["score", "bbs", "--item", "15=2"], ExitCode.USAGE, "unknown item '15'"),
        (["score", "bbs", "--item", "1=2"], ExitCode.USAGE, "got 13 missing"),
        (["score", "nprs", "--value", "11"], ExitCode.USAGE, "an integer 0–10; got 11"),
        (["score", "tug", "--value", "9", "--item", "time=3"], ExitCode.USAGE, "got both"),
        (["score", "tug", "--value", "9", "--sex", "x"], ExitCode.USAGE, "sex must be one of"),
        (["score", "tug", "--value", "9", "--population", "old"], ExitCode.USAGE, "older_adults"),
        (["score", "tug", "--value", "abc"], ExitCode.USAGE, "--value"),
    ],
)
def test_bad_input_gives_one_line_on_stderr_and_nothing_on_stdout(
    argv: list[str], exit_code: int, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["measure", *argv], capsys)
    assert code == exit_code
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert expected in err
