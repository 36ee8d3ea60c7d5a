"""``reeducate movement ...``: measure an exercise from video, keypoints, OpenSim or IMU files."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from reeducate.cli.common import TableFormat, err_console, out_console
from reeducate.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from reeducate.services.movement import MovementAnalysis

movement_app = typer.Typer(
    help="Movement analysis: joint angles, repetitions, quality and dose from recordings.",
    no_args_is_help=True,
)


class SideChoice(StrEnum):
    left = "left"
    right = "right"


class ViewChoice(StrEnum):
    auto = "auto"
    facing_right = "facing_right"
    facing_left = "facing_left"
    front = "front"
    back = "back"


class SkeletonChoice(StrEnum):
    body25 = "body25"
    body25b = "body25b"


class PoseModelChoice(StrEnum):
    lite = "lite"
    full = "full"
    heavy = "heavy"


class AccUnitChoice(StrEnum):
    m_s2 = "m/s2"
    g = "g"


class GyrUnitChoice(StrEnum):
    deg_s = "deg/s"
    rad_s = "rad/s"


def _fmt(value: object, spec: str = "{:.2f}") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return spec.format(value)


@movement_app.command("analyze")
def analyze(
    recording: Annotated[
        Path,
        typer.Argument(
            help="Video (.mp4 ...), keypoints (OpenPose/COCO/MediaPipe .json or folder, "
            "MediaPipe .csv, .trc, .c3d), OpenSim .mot, or IMU .csv."
        ),
    ],
    exercise: Annotated[
        str,
        typer.Option("--exercise", help="Exercise variant id of the library, e.g. co-mini-squat."),
    ],
    side: Annotated[SideChoice, typer.Option("--side", help="The person's side measured.")] = (
        SideChoice.right
    ),
    view: Annotated[
        ViewChoice,
        typer.Option("--view", help="Camera view of 2-D keypoints (auto: detected once)."),
    ] = ViewChoice.auto,
    frame_rate_hz: Annotated[
        float | None,
        typer.Option("--frame-rate-hz", help="Frame rate of keypoint files that do not store it."),
    ] = None,
    skeleton: Annotated[
        SkeletonChoice | None,
        typer.Option("--skeleton", help="OpenPose model of OpenPose JSON files."),
    ] = None,
    model: Annotated[
        PoseModelChoice,
        typer.Option(
            "--model",
            help="Video: BlazePose model. full (default) is precise enough to measure; lite "
            "is faster (38 fps against 29 at 640x480 on 2 cores) but overestimates arms "
            "overhead; heavy is the most precise and slowest.",
        ),
    ] = PoseModelChoice.full,
    people: Annotated[
        int,
        typer.Option(
            "--people",
            min=1,
            help="Video: most persons looked for per frame (default 1, the patient; each extra "
            "person costs time). The person measured is the one seen longest and largest.",
        ),
    ] = 1,
    sampling_rate_hz: Annotated[
        float | None,
        typer.Option("--sampling-rate-hz", help="IMU sampling rate when the file has no time."),
    ] = None,
    acc_unit: Annotated[
        AccUnitChoice | None,
        typer.Option("--acc-unit", help="IMU acceleration unit when the header does not tag it."),
    ] = None,
    gyr_unit: Annotated[
        GyrUnitChoice | None,
        typer.Option(
            "--gyr-unit", help="IMU angular-velocity unit when the header does not tag it."
        ),
    ] = None,
    sensor: Annotated[
        str | None,
        typer.Option("--sensor", help="IMU sensor to analyse when the file has several."),
    ] = None,
    demo: Annotated[
        Path | None,
        typer.Option("--demo", help="The therapist's demonstration of the same exercise."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory for movement.json, figures and annotated video."),
    ] = None,
    output_format: Annotated[
        TableFormat, typer.Option("--format", help="Output format.")
    ] = TableFormat.table,
) -> int:
    """Measure one recording of an exercise: rep table, quality score with reasons, dose done."""
    from reeducate.services import movement as service  # the numerical stack, on use only

    variant = service.find_variant(exercise)
    analysis = service.analyze_movement(
        recording,
        variant=variant,
        side=side.value,
        view=view.value,
        frame_rate_hz=frame_rate_hz,
        skeleton=skeleton.value if skeleton else None,
        demonstration=demo,
        imu_sampling_rate_hz=sampling_rate_hz,
        imu_sensor=sensor,
        imu_acc_unit=acc_unit.value if acc_unit else None,
        imu_gyr_unit=gyr_unit.value if gyr_unit else None,
        pose_model=model.value,
        max_poses=people,
    )
    summary = service.analysis_to_dict(analysis)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "movement.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
        written = service.write_figures(analysis, out)
        if analysis.source_kind == "video":
            written.append(
                service.write_annotated_video(recording, analysis, out / "annotated.mp4")
            )
        err_console.print(
            f"wrote movement.json and {', '.join(p.name for p in written) or 'no figure'} to {out}",
            highlight=False,
        )
    if output_format is TableFormat.json:
        typer.echo(json.dumps(summary, indent=2, default=float))
        return ExitCode.OK
    _print_table(analysis)
    return ExitCode.OK


def _print_table(analysis: MovementAnalysis) -> None:
    from reeducate.services import movement as service

    task = analysis.task
    title = f"{analysis.variant_name} ({analysis.variant_id}), {analysis.side} side"
    if task is not None:
        unit = "deg" if task.joint != "pelvis" else "rel."
        title += f": {task.label} [{unit}]"
    elif analysis.source_kind == "imu" and analysis.repetitions is not None:
        title += ": segment angle from the IMU [deg]"
    table = Table(title=title, title_justify="left")
    for header in ("rep", "start s", "dur. s", "ROM", "peak", "rise s", "hold s", "return s",
                   "rest s"):  # fmt: skip
        table.add_column(header, justify="right", no_wrap=True)
    for row in service.rep_rows(analysis):
        table.add_row(
            str(row["rep"]),
            _fmt(row["start_s"]),
            _fmt(row["duration_s"]),
            _fmt(row["rom"], "{:.1f}"),
            _fmt(row["peak"], "{:.1f}"),
            _fmt(row["rise_s"]),
            _fmt(row["hold_s"]),
            _fmt(row["return_s"]),
            _fmt(row["rest_before_s"]),
        )
    if analysis.repetitions is not None:
        out_console.print(table)
    else:
        out_console.print(title, highlight=False, soft_wrap=True)
    if analysis.imu_summary:
        out_console.print(
            "IMU: " + ", ".join(f"{k} {v:.3g}" for k, v in analysis.imu_summary.items()),
            highlight=False,
        )
    q = analysis.quality
    score = "not scored" if q.score is None else f"{q.score:.2f}"
    dose = analysis.dose
    done = []
    if q.reps_done is not None:
        done.append(f"{q.reps_done} reps" + (f" of {dose.reps}" if dose.reps else ""))
    if q.hold_done_s is not None:
        done.append(f"hold {q.hold_done_s:.1f} s" + (f" of {dose.hold_s:g} s" if dose.hold_s
                                                      else ""))  # fmt: skip
    out_console.print(f"quality: {score}   dose done: {', '.join(done) or '-'}", highlight=False)
    for c in q.components:
        out_console.print(f"  [{c.score:.2f}] {c.reason}", highlight=False, soft_wrap=True)
    for line in q.information:
        out_console.print(f"  - {line}", style="dim", highlight=False, soft_wrap=True)
