"""``reeducate movement analyze`` end to end (through ``main``): tables, JSON, files, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from tests.cli.running import flat, run

from reeducate.cli.exit_codes import ExitCode


def _squat_mot(path: Path, *, n_reps: int, fs: float = 100.0) -> None:
    t = np.arange(0, 2.0 * n_reps + 1.0, 1 / fs)
    knee = 40 * (1 - np.cos(np.pi * np.clip(t - 0.5, 0, 2.0 * n_reps)))
    rows = "\n".join(
        f"{a:.4f}\t{k:.6f}\t{k * 0.98:.6f}\t{1.0 - k / 400:.6f}"
        for a, k in zip(t, knee, strict=True)
    )
    path.write_text(
        "Coordinates\nversion=1\ninDegrees=yes\nendheader\n"
        "time\tknee_angle_r\tknee_angle_l\tpelvis_ty\n" + rows + "\n"
    )


def test_mot_rep_table_json_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mot = tmp_path / "squats.mot"
    _squat_mot(mot, n_reps=4)
    code, out, err = run(
        ["movement", "analyze", str(mot), "--exercise", "co-mini-squat", "--side", "left"], capsys
    )
    assert code == ExitCode.OK, err
    text = flat(out)
    assert "left knee flexion_extension (sagittal)" in text
    assert "dose done: 4 reps of 10" in text
    assert "prescribed tempo is 4 s" in text
    code, out, err = run(
        [
            "movement",
            "analyze",
            str(mot),
            "--exercise",
            "co-mini-squat",
            "--format",
            "json",
            "--out",
            str(tmp_path / "report"),
        ],
        capsys,
    )
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["summary"]["count"] == 4 and len(data["repetitions"]) == 4
    assert data["repetitions"][0]["rom"] == pytest.approx(80.0, abs=0.01)
    # left ROM is 0.98 of the right: SI = 100 (L - R) / ((L + R) / 2) = 100 (0.98 - 1) / 0.99
    assert data["symmetry_index_pct"] == pytest.approx(100 * (0.98 - 1) / 0.99, rel=1e-3)
    assert 0 <= data["quality"]["score"] <= 1
    assert (tmp_path / "report" / "movement.json").is_file()
    assert (tmp_path / "report" / "movement_angles.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.shared_data
def test_opencap_squats_through_the_cli(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        [
            "movement",
            "analyze",
            str(shared_data / "movement" / "opencap_squats1.mot"),
            "--exercise",
            "co-mini-squat",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == ExitCode.OK, err
    assert json.loads(out)["dose_done"]["reps"] == 5


@pytest.mark.shared_data
def test_pose2sim_keypoints_single_leg_stance(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shared_data / "movement" / "pose2sim_openpose_cam01"
    argv = [
        "movement",
        "analyze",
        str(folder),
        "--exercise",
        "bal-sls-firm-eo",
        "--frame-rate-hz",
        "60",
        "--skeleton",
        "body25b",
        "--format",
        "json",
    ]
    code, out, err = run(argv, capsys)
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["stance"] is not None and data["dose_done"]["hold_s"] is not None
    assert data["cleaning"]["filter"] == "butterworth"
    code, out, err = run(argv[:-4], capsys)
    assert code == ExitCode.USAGE
    assert "skeleton 'body25' or 'body25b'" in flat(err) and "Traceback" not in err


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mot = tmp_path / "s.mot"
    _squat_mot(mot, n_reps=2)
    code, _, err = run(["movement", "analyze", str(mot), "--exercise", "no-such-exercise"], capsys)
    assert code == ExitCode.NOT_FOUND and "no-such-exercise" in err
    code, _, err = run(
        ["movement", "analyze", str(tmp_path / "missing.mot"), "--exercise", "co-mini-squat"],
        capsys,
    )
    assert code == ExitCode.NOT_FOUND and "missing.mot" in err
    bad = tmp_path / "bad.xyz"
    bad.write_text("x")
    code, _, err = run(["movement", "analyze", str(bad), "--exercise", "co-mini-squat"], capsys)
    assert code == ExitCode.INPUT_ERROR and "unknown recording type" in err
    imu = tmp_path / "imu.csv"
    imu.write_text("time,acc_x\n0,1\n")
    code, _, err = run(["movement", "analyze", str(imu), "--exercise", "co-mini-squat"], capsys)
    assert code == ExitCode.INPUT_ERROR and "names no IMU measurement" in err
    assert all(len(e.strip().splitlines()) == 1 for e in [err])


def _readme_commands() -> list[list[str]]:
    import re
    import shlex

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Movement analysis")
    end = min(i for i in (readme.find("\n## ", start), readme.find("\n### ", start + 1)) if i > 0)
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", readme[start:end], flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "reeducate":
                commands.append(words[1:])
    return commands


@pytest.mark.shared_data
@pytest.mark.parametrize("argv", _readme_commands(), ids=lambda a: " ".join(a)[:50])
def test_readme_movement_commands_run(
    argv: list[str],
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [a.replace("../shared/data", str(shared_data)) for a in argv]
    code, out, err = run(argv, capsys)
    assert code == ExitCode.OK, err
    assert "quality" in out


@pytest.mark.shared_data
def test_imu_route(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = shared_data / "imu_gait" / "gaitmap_imu_sample.csv"
    argv = ["movement", "analyze", str(csv), "--exercise", "bal-sls-firm-eo"]
    code, _, err = run(argv, capsys)
    assert code == ExitCode.USAGE and "sampling" in err  # the gaitmap file has no time column
    code, out, err = run([*argv, "--sampling-rate-hz", "204.8", "--sensor", "left_sensor"], capsys)
    assert code == ExitCode.OK, err
    assert "dose done: hold" in flat(out)


@pytest.mark.video
@pytest.mark.slow
@pytest.mark.shared_data
def test_video_route_writes_annotated_copy(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Sports2D demo through the video route: pose, cleaning, angles, annotated copy."""
    video = shared_data / "movement" / "sports2d_demo.mp4"
    argv = ["movement", "analyze", str(video), "--exercise", "pc-wall-angel", "--side", "right"]
    code, out, err = run([*argv, "--format", "json", "--out", str(tmp_path)], capsys)
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["source_kind"] == "video"
    assert data["task_signal"]["label"] == "right shoulder abduction_adduction (frontal)"
    assert data["task_signal"]["view"] == "front"
    assert (tmp_path / "annotated.mp4").stat().st_size > 0
    assert (tmp_path / "movement_angles.png").is_file()


def test_help_documents_video_and_imu_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["movement", "analyze", "--help"], capsys)
    assert code == ExitCode.OK
    text = flat(re.sub(r"[│╭╮╰╯─]", " ", out))  # rich's panel borders off
    for option in ("--model", "--people", "--acc-unit", "--gyr-unit", "--sampling-rate-hz"):
        assert option in text, option
    assert "overestimates arms overhead" in text  # why full is the default
    assert "lite" in text and "full" in text and "heavy" in text


def test_imu_units_and_rep_table_through_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """gaitmap's slice (two annotated strides per foot, PROVENANCE): two foot rotation cycles."""
    fixture = Path(__file__).resolve().parents[1] / "data" / "gaitmap_imu_slice.csv.gz"
    argv = ["movement", "analyze", str(fixture), "--exercise", "co-sh-d2", "--sensor",
            "left_sensor", "--sampling-rate-hz", "204.8"]  # fmt: skip
    code, out, err = run([*argv, "--acc-unit", "m/s2", "--gyr-unit", "deg/s"], capsys)
    assert code == ExitCode.OK, err
    text = flat(out)
    assert "segment angle from the IMU" in text
    assert re.search(r"│\s+2\s+│", out)  # the rep table's second row
    assert "dose done: 2 reps of 10" in text
    code, out, err = run([*argv, "--format", "json"], capsys)
    assert code == ExitCode.OK, err
    data = json.loads(out)
    # the slice holds two strides of the left foot: one rotation cycle of the foot each
    assert len(data["repetitions"]) == data["summary"]["count"] == 2
    assert all(r["rom"] > 45 for r in data["repetitions"])  # a foot pitches 60-100 deg in gait
    # the same file read with the wrong units is refused, naming the unit, not analysed
    code, _, err = run([*argv, "--acc-unit", "g"], capsys)
    assert code != ExitCode.OK and "acc" in err.lower() and "Traceback" not in err
    code, _, err = run([*argv, "--gyr-unit", "furlong/s"], capsys)
    assert code == ExitCode.USAGE


@pytest.mark.video
@pytest.mark.slow
@pytest.mark.shared_data
def test_video_jumping_jacks_full_model_two_people(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's demo command with the validation's settings: exactly the 2 jumping jacks."""
    video = shared_data / "movement" / "sports2d_demo.mp4"
    argv = ["movement", "analyze", str(video), "--exercise", "co-sh-d2", "--side", "left",
            "--view", "front", "--model", "full", "--people", "2", "--format", "json"]  # fmt: skip
    code, out, err = run(argv, capsys)
    assert code == ExitCode.OK, err
    data = json.loads(out)
    assert data["summary"]["count"] == 2 and data["summary"]["settings"]["method"] == "hysteresis"
    # tops of the visual count (reference §1.3: frames 24 and 57), within 3 frames at 30 fps
    peak_frames = np.array([r["peak_s"] * 30.0 for r in data["repetitions"]])
    np.testing.assert_allclose(peak_frames, [24, 57], atol=3)
    assert all(r["peak"] > 140 for r in data["repetitions"])  # arms above the head
