"""Use case: a movement recording + an exercise variant -> measures, quality and dose done.

Routes by file type:

* **video** (``.mp4``, ``.mov``, ``.avi``, ``.mkv``, ``.webm``): pose estimation
  (:func:`reeducate.movement.pose.estimate_keypoints`, the ``video`` extra; by default the
  ``full`` model and one person, :data:`DEFAULT_POSE_MODEL` and :data:`DEFAULT_MAX_POSES`),
  then as keypoints; an annotated copy is written on request;
* **keypoints**: OpenPose/COCO/MediaPipe JSON or CSV, ``.trc``, ``.c3d``
  (:func:`reeducate.io.keypoints.read_keypoints`): cleaned, angles of the variant's
  measurements (2-D angles only in frames where the person shows the camera their plane,
  :func:`reeducate.movement.angles.plane_visibility`; each curve wrapped in one 360-deg
  window about its circular mean), repetitions by hysteresis (robust to the gaps of a person
  who turns away), alignment faults, path shape, stability;
* **OpenSim** ``.mot``: joint angles taken from the model's coordinates; repetitions by peak
  prominence (OpenCap's method);
* **IMU** (other ``.csv``/``.txt``): :func:`reeducate.movement.imu.analyze_imu_recording`, the
  sensor picked by name or by the variant's IMU segment; its repetitions (or strides) fill
  the rep table.

The variant's ``measurements`` say what to measure; its ``dose`` and levels say what to expect
(tempo, hold, prescribed path, single-leg stance). The result maps onto the progression
engine's records with :func:`to_session_records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.clinic.dimensions import BaseOfSupport, MovementPath
from reeducate.clinic.exercises import (
    ExerciseVariant,
    MeasurementKind,
    load_library,
)
from reeducate.clinic.progression import Quality, QualitySource, SetRecord
from reeducate.errors import (
    DomainRuleError,
    FileFormatError,
    InvalidParameterError,
    NotFoundError,
    SignalQualityError,
)
from reeducate.movement.alignment import AlignmentFault, check_alignment
from reeducate.movement.angles import (
    AngleCurve,
    CameraView,
    angle_from_coordinates,
    circular_mean_deg,
    joint_angle,
    wrap_deg,
)
from reeducate.movement.cleaning import CleanedKeypoints, CleaningSettings, clean_keypoints
from reeducate.movement.coordinates import CoordinateSeries
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.path import PatternFit, Prescribed, follows_pattern
from reeducate.movement.quality import DoseTarget, MovementQuality, score_movement
from reeducate.movement.reps import RepetitionAnalysis, segment_repetitions, symmetry_index_pct
from reeducate.movement.similarity import DemonstrationComparison, compare_to_demonstration
from reeducate.movement.stability import BodySway, SingleLegStance, body_sway, single_leg_stance

if TYPE_CHECKING:
    from reeducate.io.imu import ImuReadOptions
    from reeducate.movement.imu import ImuMeasure

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]
SourceKind = Literal["video", "keypoints", "opensim", "imu"]
PoseModelName = Literal["lite", "full", "heavy"]

#: Pose model and number of persons looked for in a video by default: ``full``, the more
#: precise of the two sizes near real time on a 2-core CPU (``lite`` overestimates arms
#: overhead by 20-45 deg on the Sports2D demo; ``benchmarks/bench_video.py``); one person, the
#: patient of a home exercise video.
DEFAULT_POSE_MODEL: Final[PoseModelName] = "full"
DEFAULT_MAX_POSES: Final = 1

VIDEO_SUFFIXES: Final = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v"})

# Alignment faults checked when a variant names a measurement (declarative, for clinicians).
FAULTS_FOR_MEASUREMENT: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("knee", "frontal_plane_projection"): ("knee_valgus", "trunk_lean_pelvis", "pelvic_drop"),
    ("hip", "abduction_adduction"): ("hip_hike", "trunk_lean_lateral"),
    ("trunk", "flexion_extension"): ("spine_flexion",),
    ("hip", "flexion_extension"): ("trunk_lean_forward",),
}

_END_EFFECTOR: Final = {"shoulder": "wrist", "elbow": "wrist", "neck": "nose", "trunk": "nose",
                        "hip": "ankle", "knee": "ankle", "ankle": "big_toe"}  # fmt: skip
_PRESCRIBED: Final[dict[str, Prescribed]] = {
    MovementPath.DIAGONAL.value: "diagonal",
    MovementPath.CIRCULAR.value: "circle",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RepSmoothness:
    """SPARC and LDLJ of the angular speed of one repetition (start to end)."""

    rep_index: int
    sparc: float
    log_dimensionless_jerk: float


@dataclass(frozen=True, slots=True, kw_only=True)
class MovementAnalysis:
    """Everything measured in one recording for one exercise variant."""

    source_name: str
    source_kind: SourceKind
    variant_id: str
    variant_name: str
    side: Side
    angles: tuple[AngleCurve, ...]
    task: AngleCurve | None
    repetitions: RepetitionAnalysis | None
    symmetry_index_pct: float | None
    smoothness: tuple[RepSmoothness, ...]
    faults: tuple[AlignmentFault, ...]
    pattern: PatternFit | None
    path_points: FloatArray | None
    path_vertical: tuple[float, ...] | None
    sway: BodySway | None
    stance: SingleLegStance | None
    demonstration: DemonstrationComparison | None
    quality: MovementQuality
    dose: DoseTarget
    cleaning: CleanedKeypoints | None
    keypoints: KeypointSeries | None
    notes: tuple[str, ...]
    imu_summary: dict[str, float] = field(default_factory=dict)


def detect_source(path: Path, /) -> SourceKind:
    """Which route a file takes (see the module)."""
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix == ".mot":
        return "opensim"
    if path.is_dir() or suffix in (".json", ".trc", ".c3d"):
        return "keypoints"
    if suffix in (".csv", ".txt", ".tsv", ".gz"):
        try:
            with path.open("rb") as fh:
                head = fh.read(4096).decode("utf-8", errors="replace").lower()
        except OSError:
            raise NotFoundError(f"file {path.name!r} cannot be opened") from None
        return "keypoints" if "nose_x" in head else "imu"
    raise FileFormatError(
        f"{path.name}: unknown recording type {suffix!r}; expected a video (.mp4 ...), keypoints "
        "(.json, folder, .csv, .trc, .c3d), OpenSim .mot or an IMU .csv"
    )


def dose_target(variant: ExerciseVariant, /) -> DoseTarget:
    """The variant's default dose of one set."""
    d = variant.dose
    return DoseTarget(reps=d.reps, hold_s=d.hold_s, tempo=d.tempo)


def _keypoint_measures(variant: ExerciseVariant) -> list[tuple[str, str]]:
    return [(str(m.joint), str(m.angle)) for m in variant.measurements
            if m.kind is MeasurementKind.JOINT_ANGLE_KEYPOINTS]  # fmt: skip


def _angles_from_keypoints(
    series: KeypointSeries,
    world: KeypointSeries | None,
    measures: list[tuple[str, str]],
    *,
    side: Side,
    view: CameraView | Literal["auto"],
    notes: list[str],
) -> list[AngleCurve]:
    out: list[AngleCurve] = []
    for joint, angle in measures:
        for other in (side, "right" if side == "left" else "left"):
            try:
                curve = joint_angle(series, joint=joint, angle=angle, side=other, view=view,
                                    visible_only=True)  # fmt: skip
                out.append(_wrapped(curve))
                seen = int(np.isfinite(curve.values_deg).sum())
                if other == side and series.n_dims == 2 and seen < curve.values_deg.size:
                    notes.append(f"{curve.label}: measured in {seen} of {curve.values_deg.size} "
                                 f"frames (a 2-D {curve.view} view shows the {curve.plane} "
                                 "plane only while the person faces that way and is in "
                                 "view)")  # fmt: skip
                continue
            except (DomainRuleError, NotFoundError) as exc:
                reason = str(exc)
            if world is not None:
                try:
                    curve = joint_angle(world, joint=joint, angle=angle, side=other)
                    out.append(_wrapped(curve))
                    if other == side:
                        notes.append(f"{joint} {angle}: from MediaPipe's 3-D world landmarks "
                                     "(an estimate: monocular depth is weak)")  # fmt: skip
                    continue
                except (DomainRuleError, NotFoundError) as exc:
                    reason = str(exc)
            if other == side:
                notes.append(f"{joint} {angle} not measured: {reason}")
    return out


def _wrapped(curve: AngleCurve) -> AngleCurve:
    """The curve in one 360-deg window about its circular mean (runs split by gaps agree)."""
    center = circular_mean_deg(curve.values_deg)
    if not np.isfinite(center):
        return curve
    return replace(curve, values_deg=wrap_deg(curve.values_deg, center_deg=center))


def _direction(x: FloatArray) -> Literal["peaks", "troughs"]:
    finite = x[np.isfinite(x)]
    lo, med, hi = np.percentile(finite, [5, 50, 95])
    return "peaks" if med - lo <= hi - med else "troughs"


def _reps(curve: AngleCurve) -> RepetitionAnalysis:
    """Peak prominence on OpenSim angles (OpenCap); hysteresis on keypoint angles."""
    x = curve.values_deg
    method: Literal["prominence", "hysteresis"] = (
        "prominence" if curve.source == "opensim" else "hysteresis"
    )
    return segment_repetitions(x, sampling_rate_hz=curve.frame_rate_hz, direction=_direction(x),
                               method=method)  # fmt: skip


def _smoothness(curve: AngleCurve, reps: RepetitionAnalysis) -> tuple[RepSmoothness, ...]:
    from reeducate.movement.smoothness import log_dimensionless_jerk, sparc

    fs = curve.frame_rate_hz
    x = curve.values_deg
    finite = np.isfinite(x)
    if not finite.all():
        idx = np.arange(len(x))
        x = np.interp(idx, idx[finite], x[finite])
    speed = np.abs(np.gradient(x, 1.0 / fs))
    out = []
    for r in reps.repetitions:
        a, b = round(r.start_s * fs), round(r.end_s * fs) + 1
        seg = speed[a:b]
        if len(seg) < 10 or not np.max(seg) > 0:
            continue
        try:
            out.append(RepSmoothness(rep_index=r.index, sparc=sparc(seg, sampling_rate_hz=fs),
                                     log_dimensionless_jerk=log_dimensionless_jerk(
                                         seg, sampling_rate_hz=fs)))  # fmt: skip
        except (InvalidParameterError, SignalQualityError):
            continue
    return tuple(out)


def _task_curve(angles: list[AngleCurve], side: Side) -> AngleCurve | None:
    own = [a for a in angles if a.side == side]
    for a in own:
        if a.angle != "frontal_plane_projection":
            return a
    return own[0] if own else None


def _pelvis_height(series: KeypointSeries) -> AngleCurve | None:
    """Height of the mid-hip as a task signal when no angle is measurable (e.g. frontal squat)."""
    try:
        mid = 0.5 * (series.point("left_hip") + series.point("right_hip"))
    except NotFoundError:
        return None
    up = np.zeros(series.n_dims)
    if series.unit == "px":
        up[1] = -1.0
    elif series.vertical_axis is not None:
        up[series.vertical_axis] = float(series.vertical_sign)
    else:
        return None
    h = mid @ up
    return AngleCurve(
        values_deg=h - np.nanmin(h),
        times_s=series.times_s,
        frame_rate_hz=series.frame_rate_hz,
        joint="pelvis",
        angle="height",
        plane="vertical",
        side="left",
        source="keypoints_2d" if series.n_dims == 2 else "keypoints_3d",
        view="",
        convention=f"height of the mid-hip ({series.unit}, not degrees)",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Measured:
    angles: list[AngleCurve]
    task: AngleCurve | None
    cleaning: CleanedKeypoints | None
    series: KeypointSeries | None
    world: KeypointSeries | None
    video_tracks: object | None


def _measure_file(
    path: Path,
    kind: SourceKind,
    variant: ExerciseVariant,
    *,
    side: Side,
    view: CameraView | Literal["auto"],
    frame_rate_hz: float | None,
    skeleton: str | None,
    cleaning: CleaningSettings,
    notes: list[str],
    pose_model: PoseModelName = DEFAULT_POSE_MODEL,
    max_poses: int = DEFAULT_MAX_POSES,
) -> _Measured:
    measures = _keypoint_measures(variant)
    if kind == "opensim":
        from reeducate.io.opensim import read_mot

        coords: CoordinateSeries = read_mot(path)
        angles: list[AngleCurve] = []
        for joint, angle in measures:
            for s in (side, "right" if side == "left" else "left"):
                try:
                    angles.append(angle_from_coordinates(coords, joint=joint, angle=angle, side=s))
                except (DomainRuleError, NotFoundError) as exc:
                    if s == side:
                        notes.append(f"{joint} {angle} not measured: {exc}")
        return _Measured(angles=angles, task=_task_curve(angles, side), cleaning=None,
                         series=None, world=None, video_tracks=None)  # fmt: skip
    world: KeypointSeries | None = None
    tracks: object | None = None
    if kind == "video":
        from reeducate.movement.pose import estimate_keypoints

        result = estimate_keypoints(path, model=pose_model, max_poses=max_poses)
        main = result.main
        raw, world, tracks = main.image, main.world, result
        notes.append(f"video: {result.n_frames} frames at {result.frame_rate_hz:g} Hz, pose "
                     f"model {pose_model}, up to {max_poses} person(s) per frame, person "
                     f"{main.track_id} of {len(result.tracks)} tracked")  # fmt: skip
    else:
        from reeducate.io.keypoints import read_keypoints

        raw = read_keypoints(path, frame_rate_hz=frame_rate_hz, skeleton=skeleton)
    cleaned = clean_keypoints(raw, settings=cleaning)
    series = cleaned.series
    angles = _angles_from_keypoints(series, world, measures, side=side, view=view, notes=notes)
    task = _task_curve(angles, side)
    if variant.dose.reps is not None and (task is None or task.angle == "frontal_plane_projection"):
        height = _pelvis_height(series)
        if height is not None:
            notes.append("repetitions counted on the height of the mid-hip")
            task = height
    return _Measured(angles=angles, task=task, cleaning=cleaned, series=series, world=world,
                     video_tracks=tracks)  # fmt: skip


def analyze_movement(
    path: Path,
    /,
    *,
    variant: ExerciseVariant,
    side: Side,
    view: CameraView | Literal["auto"] = "auto",
    frame_rate_hz: float | None = None,
    skeleton: str | None = None,
    demonstration: Path | None = None,
    cleaning: CleaningSettings | None = None,
    imu_sampling_rate_hz: float | None = None,
    imu_sensor: str | None = None,
    imu_acc_unit: str | None = None,
    imu_gyr_unit: str | None = None,
    pose_model: PoseModelName = DEFAULT_POSE_MODEL,
    max_poses: int = DEFAULT_MAX_POSES,
) -> MovementAnalysis:
    """Analyse one recording of ``variant`` (see the module for the routes).

    ``imu_sampling_rate_hz``, ``imu_acc_unit`` and ``imu_gyr_unit`` go to
    :class:`reeducate.io.imu.ImuReadOptions` (``sampling_rate_hz``, ``acc_unit`` ``"m/s2"`` or
    ``"g"``, ``gyr_unit`` ``"deg/s"`` or ``"rad/s"``) for files that do not state them;
    ``pose_model`` (``"lite"``, ``"full"``, ``"heavy"``) and ``max_poses`` go to
    :func:`reeducate.movement.pose.estimate_keypoints` for videos (and a video
    demonstration).

    Raises
    ------
    FileFormatError, NotFoundError, UnitError
        The file cannot be read.
    DomainRuleError
        Nothing the variant asks for can be measured from this recording.
    """
    if side not in ("left", "right"):
        raise InvalidParameterError(f"side must be 'left' or 'right'; got {side!r}")
    kind = detect_source(path)
    notes: list[str] = []
    dose = dose_target(variant)
    settings = cleaning or CleaningSettings()
    if kind == "imu":
        from reeducate.io.imu import ImuReadOptions

        options = ImuReadOptions(sampling_rate_hz=imu_sampling_rate_hz, acc_unit=imu_acc_unit,
                                 gyr_unit=imu_gyr_unit)  # fmt: skip
        return _analyze_imu(path, variant=variant, side=side, dose=dose, options=options,
                            sensor=imu_sensor)  # fmt: skip
    if max_poses < 1:
        raise InvalidParameterError(f"max_poses must be >= 1; got {max_poses!r}")
    m = _measure_file(path, kind, variant, side=side, view=view, frame_rate_hz=frame_rate_hz,
                      skeleton=skeleton, cleaning=settings, notes=notes,
                      pose_model=pose_model, max_poses=max_poses)  # fmt: skip
    reps = other_reps = None
    smooth: tuple[RepSmoothness, ...] = ()
    sym: float | None = None
    if m.task is not None:
        try:
            reps = _reps(m.task)
            smooth = _smoothness(m.task, reps)
        except SignalQualityError as exc:
            notes.append(f"repetitions not counted: {exc}")
        mirror = [a for a in m.angles if a.side != side and a.joint == m.task.joint
                  and a.angle == m.task.angle]  # fmt: skip
        if mirror and reps is not None and reps.count:
            try:
                other_reps = _reps(mirror[0])
            except SignalQualityError:
                other_reps = None
            if other_reps is not None and other_reps.count:
                left, right = (reps, other_reps) if side == "left" else (other_reps, reps)
                sym = symmetry_index_pct(left.rom.mean, right.rom.mean)
    faults: tuple[AlignmentFault, ...] = ()
    pattern: PatternFit | None = None
    path_pts: FloatArray | None = None
    vertical: tuple[float, ...] | None = None
    sway: BodySway | None = None
    stance: SingleLegStance | None = None
    single_leg = variant.levels.base_of_support is BaseOfSupport.SINGLE_LEG
    if m.series is not None:
        wanted: list[str] = []
        for key in _keypoint_measures(variant):
            for f in FAULTS_FOR_MEASUREMENT.get(key, ()):
                if f == "pelvic_drop" and not single_leg:
                    continue
                if f not in wanted:
                    wanted.append(f)
        if wanted:
            try:
                faults = check_alignment(m.series, faults=tuple(wanted), side=side, view=view)
            except (DomainRuleError, NotFoundError) as exc:
                notes.append(f"alignment not checked: {exc}")
        prescribed = _PRESCRIBED.get(str(variant.levels.movement_path))
        joints = [j for j, _ in _keypoint_measures(variant)]
        effector = f"{side}_{_END_EFFECTOR.get(joints[0], 'wrist')}" if joints else None
        if effector is not None and m.series.has(effector):
            pts = np.asarray(m.series.point(effector))
            up = np.zeros(m.series.n_dims)
            if m.series.unit == "px":
                up[1] = -1.0
            elif m.series.vertical_axis is not None:
                up[m.series.vertical_axis] = float(m.series.vertical_sign)
            if np.linalg.norm(up) > 0 and np.isfinite(pts).all(axis=1).sum() >= 5:
                path_pts, vertical = pts, tuple(float(v) for v in up)
                try:
                    pattern = follows_pattern(pts, prescribed=prescribed or "straight",
                                              vertical=up)  # fmt: skip
                except SignalQualityError as exc:
                    notes.append(f"path not classified: {exc}")
                if prescribed is None:
                    notes.append(f"{effector} path: {pattern.shape.shape if pattern else 'n/a'} "
                                 "(no path prescribed; not scored)")  # fmt: skip
        if any(mm.kind is MeasurementKind.BALANCE_TRIAL for mm in variant.measurements) or (
            single_leg
        ):
            try:
                sway = body_sway(m.series)
            except (SignalQualityError, NotFoundError, InvalidParameterError) as exc:
                notes.append(f"body sway not measured: {exc}")
            if single_leg:
                try:
                    stance = single_leg_stance(m.series, stance_side=side)
                except (SignalQualityError, NotFoundError, InvalidParameterError) as exc:
                    notes.append(f"single-leg stance not timed: {exc}")
    demo: DemonstrationComparison | None = None
    rom_target: float | None = None
    if demonstration is not None and m.task is not None:
        d = _measure_file(demonstration, detect_source(demonstration), variant, side=side,
                          view=view, frame_rate_hz=frame_rate_hz, skeleton=skeleton,
                          cleaning=settings, notes=[], pose_model=pose_model,
                          max_poses=max_poses)  # fmt: skip
        if d.task is None or d.task.label != m.task.label:
            notes.append("demonstration not compared: it does not give the same angle")
        else:
            a, b = _filled(m.task.values_deg), _filled(d.task.values_deg)
            demo = compare_to_demonstration(a, b, patient_rate_hz=m.task.frame_rate_hz,
                                            demonstration_rate_hz=d.task.frame_rate_hz)  # fmt: skip
            try:
                drep = _reps(d.task)
                if drep.count:
                    rom_target = drep.rom.mean
            except SignalQualityError:
                pass
    info = list(notes)
    if smooth:
        mean_sparc = np.mean([s.sparc for s in smooth])
        mean_ldlj = np.mean([s.log_dimensionless_jerk for s in smooth])
        info.append(f"smoothness (angular speed, per rep): SPARC {mean_sparc:.2f}, "
                    f"LDLJ {mean_ldlj:.2f} (not scored)")  # fmt: skip
    if sway is not None:
        info.append(f"body sway: range {sway.range_h:.4f} {sway.unit}, mean speed "
                    f"{sway.mean_speed_per_s:.4f} {sway.unit}/s over "
                    f"{sway.duration_s:.1f} s")  # fmt: skip
    path_prescribed = _PRESCRIBED.get(str(variant.levels.movement_path)) is not None
    scored_pattern = pattern if path_prescribed else None
    quality = score_movement(
        dose=dose,
        repetitions=reps
        if (reps is not None and dose.reps is not None) or stance is None
        else None,
        faults=faults,
        symmetry_index_pct=sym,
        demonstration=demo,
        pattern=scored_pattern,
        rom_target_deg=rom_target,
        stance_hold_s=stance.hold_s if stance is not None else None,
        information=tuple(info),
    )
    return MovementAnalysis(
        source_name=path.name, source_kind=kind, variant_id=variant.id,
        variant_name=variant.name, side=side, angles=tuple(m.angles), task=m.task,
        repetitions=reps, symmetry_index_pct=sym, smoothness=smooth, faults=faults,
        pattern=pattern, path_points=path_pts, path_vertical=vertical, sway=sway,
        stance=stance, demonstration=demo, quality=quality, dose=dose, cleaning=m.cleaning,
        keypoints=m.series, notes=tuple(notes),
    )  # fmt: skip


def _filled(x: FloatArray) -> FloatArray:
    finite = np.isfinite(x)
    if finite.all():
        return x
    idx = np.arange(len(x))
    return np.interp(idx, idx[finite], x[finite])


_IMU_QUANTITY: Final[dict[str, ImuMeasure]] = {
    "sway": "sway",
    "angle": "angle",
    "smoothness": "smoothness",
    "repositioning_error": "repositioning_error",
}


def _analyze_imu(
    path: Path,
    *,
    variant: ExerciseVariant,
    side: Side,
    dose: DoseTarget,
    options: ImuReadOptions,
    sensor: str | None,
) -> MovementAnalysis:
    from reeducate.io.imu import read_imu
    from reeducate.movement.imu import analyze_imu_recording

    imu_measures = [m for m in variant.measurements if m.kind is MeasurementKind.IMU]
    if not imu_measures:
        raise DomainRuleError(
            f"{variant.id} names no IMU measurement; an IMU recording cannot judge it"
        )
    measure = imu_measures[0]
    quantity = str(measure.quantity)
    segment = str(measure.segment) if measure.segment is not None else None
    rec = read_imu(path, options=options)
    # the sensor: named by the user, the only one, or the one named after the variant's segment
    result = analyze_imu_recording(rec, measure=_IMU_QUANTITY[quantity], sensor=sensor,
                                   segment=segment, side=side)  # fmt: skip
    summary: dict[str, float] = {"reps": float(result.n_reps)}
    info = [f"IMU: {quantity} of the {segment or 'segment'} from sensor "
            f"{', '.join(result.sensors)}", *result.notes]  # fmt: skip
    if np.isfinite(result.range_of_motion_deg):
        summary["range_of_motion_deg"] = float(result.range_of_motion_deg)
    if result.rep_smoothness:
        summary["sparc_mean"] = float(np.mean([p.smoothness.sparc for p in result.rep_smoothness]))
    hold = result.balance_loss.held_s if result.balance_loss is not None else None
    reps = result.repetitions
    quality = score_movement(dose=dose, repetitions=reps, information=tuple(info),
                             stance_hold_s=hold)  # fmt: skip
    if reps is None and dose.reps is not None:
        # repositioning attempts (or strides) are the dose done when there is no rep table
        quality = replace(quality, reps_done=result.n_reps)
    return MovementAnalysis(
        source_name=path.name, source_kind="imu", variant_id=variant.id,
        variant_name=variant.name, side=side, angles=(), task=None, repetitions=reps,
        symmetry_index_pct=None, smoothness=(), faults=(), pattern=None, path_points=None,
        path_vertical=None, sway=None, stance=None, demonstration=None, quality=quality,
        dose=dose, cleaning=None, keypoints=None, notes=tuple(info), imu_summary=summary,
    )  # fmt: skip


def find_variant(variant_id: str, /) -> ExerciseVariant:
    """The library variant ``variant_id`` (NotFoundError naming it otherwise)."""
    library = load_library()
    return library.get(variant_id)


def to_session_records(analysis: MovementAnalysis, /) -> tuple[Quality | None, SetRecord | None]:
    """Map an analysis onto the progression engine's ``Quality`` and one ``SetRecord``.

    The quality is a 0-1 measurement (``QualitySource.MEASUREMENT``) whose ``method`` names the
    recording kind; the set carries the prescribed target and what was done (reps found,
    hold achieved). None where the analysis has nothing to say.

    """
    q = analysis.quality
    quality = None
    if q.score is not None:
        quality = Quality(source=QualitySource.MEASUREMENT, score=round(q.score, 4),
                          method=f"movement analysis ({analysis.source_kind}): "
                          + ", ".join(c.name for c in q.components))  # fmt: skip
    d = analysis.dose
    record = None
    if d.reps is not None and q.reps_done is not None:
        record = SetRecord(reps_target=d.reps, reps_done=q.reps_done,
                           hold_target_s=d.hold_s,
                           hold_done_s=(q.hold_done_s or 0.0) if d.hold_s else None)  # fmt: skip
    elif d.reps is None and d.hold_s is not None and q.hold_done_s is not None:
        record = SetRecord(hold_target_s=d.hold_s, hold_done_s=q.hold_done_s)
    return quality, record


def rep_rows(analysis: MovementAnalysis, /) -> list[dict[str, float | int | None]]:
    """One row per repetition (times in s, ROM in the task signal's unit)."""
    if analysis.repetitions is None:
        return []
    return [
        {
            "rep": r.index,
            "start_s": round(r.start_s, 3),
            "peak_s": round(r.peak_s, 3),
            "end_s": round(r.end_s, 3),
            "duration_s": round(r.duration_s, 3),
            "rom": round(r.rom, 2),
            "peak": round(r.peak_value, 2),
            "rise_s": round(r.rise_s, 3),
            "hold_s": round(r.hold_s, 3),
            "return_s": round(r.return_s, 3),
            "rest_before_s": None if r.rest_before_s is None else round(r.rest_before_s, 3),
        }
        for r in analysis.repetitions.repetitions
    ]


def analysis_to_dict(analysis: MovementAnalysis, /) -> dict[str, object]:
    """A JSON-ready summary: reps, quality with reasons, dose done, settings and notes."""
    q = analysis.quality
    reps = analysis.repetitions
    task = analysis.task
    out: dict[str, object] = {
        "source": analysis.source_name,
        "source_kind": analysis.source_kind,
        "exercise": analysis.variant_id,
        "side": analysis.side,
        "task_signal": None
        if task is None
        else {
            "label": task.label,
            "convention": task.convention,
            "view": task.view,
            "source": task.source,
        },
        "repetitions": rep_rows(analysis),
        "summary": None
        if reps is None
        else {
            "count": reps.count,
            "rom_mean": reps.rom.mean,
            "rom_cv_pct": reps.rom.cv_pct,
            "duration_mean_s": reps.duration_s.mean,
            "duration_cv_pct": reps.duration_s.cv_pct,
            "rest_mean_s": reps.rest_s.mean,
            "settings": {
                "min_prominence_ratio": reps.min_prominence_ratio,
                "min_interval_s": reps.min_interval_s,
                "rest_level_ratio": reps.rest_level_ratio,
                "hold_level_ratio": reps.hold_level_ratio,
                "direction": reps.direction,
                "method": reps.method,
                "levels": None if reps.levels is None else list(reps.levels),
            },
        },
        "symmetry_index_pct": analysis.symmetry_index_pct,
        "quality": {
            "score": q.score,
            "components": [
                {"name": c.name, "score": c.score, "reason": c.reason} for c in q.components
            ],
            "information": list(q.information),
        },
        "dose_done": {"reps": q.reps_done, "hold_s": q.hold_done_s},
        "dose_target": {
            "reps": analysis.dose.reps,
            "hold_s": analysis.dose.hold_s,
            "tempo": analysis.dose.tempo,
        },
        "smoothness": [
            {"rep": s.rep_index, "sparc": s.sparc, "ldlj": s.log_dimensionless_jerk}
            for s in analysis.smoothness
        ],
        "faults": [
            {
                "name": f.name,
                "side": f.side,
                "peak_deg": f.peak_deg,
                "threshold_deg": f.threshold_deg,
                "time_above_ratio": f.time_above_ratio,
                "flagged": f.flagged,
            }
            for f in analysis.faults
        ],
        "path": None
        if analysis.pattern is None
        else {
            "shape": analysis.pattern.shape.shape,
            "linearity_ratio": analysis.pattern.shape.linearity_ratio,
            "deviation_ratio": analysis.pattern.deviation_ratio,
        },
        "stance": None
        if analysis.stance is None
        else {
            "hold_s": analysis.stance.hold_s,
            "lost_balance": analysis.stance.lost_balance,
        },
        "imu": analysis.imu_summary or None,
        "notes": list(analysis.notes),
    }
    if analysis.cleaning is not None:
        c = analysis.cleaning
        out["cleaning"] = {
            "min_confidence": c.settings.min_confidence,
            "hampel_window_s": c.settings.hampel_window_s,
            "hampel_n_sigma": c.settings.hampel_n_sigma,
            "max_gap_s": c.settings.max_gap_s,
            "filter": c.filter_applied,
            "cutoff_hz": c.settings.cutoff_hz,
            "n_low_confidence": c.n_low_confidence,
            "n_outliers": c.n_outliers,
            "n_filled": c.n_filled,
            "n_missing": c.n_missing,
        }
    return out


def write_figures(analysis: MovementAnalysis, out_dir: Path, /) -> list[Path]:
    """Write ``movement_angles.png`` (and ``movement_path.png`` when a path was traced)."""
    from reeducate.reports.figures import figure_to_png
    from reeducate.reports.movement_figures import angle_curves_figure, path_figure

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if analysis.angles or analysis.task is not None:
        fig = angle_curves_figure(analysis.angles, repetitions=analysis.repetitions,
                                  task=analysis.task, title=analysis.variant_name)  # fmt: skip
        p = out_dir / "movement_angles.png"
        p.write_bytes(figure_to_png(fig))
        written.append(p)
    if analysis.path_points is not None and analysis.path_vertical is not None:
        fig = path_figure(
            analysis.path_points,
            vertical=analysis.path_vertical,
            pattern=analysis.pattern,
            title=f"{analysis.side} end-effector path",
        )
        p = out_dir / "movement_path.png"
        p.write_bytes(figure_to_png(fig))
        written.append(p)
    return written


def write_annotated_video(video: Path, analysis: MovementAnalysis, out_path: Path, /) -> Path:
    """Annotated copy of the video: skeleton and the measured angles (the video helper's writer)."""
    from reeducate.movement.pose import AngleOverlay, annotate_video

    if analysis.keypoints is None:
        raise DomainRuleError("no keypoints to draw: the recording is not a video")
    overlays = []
    for c in analysis.angles:
        anchor = f"{c.side}_{c.joint}"
        if analysis.keypoints.has(anchor):
            overlays.append(AngleOverlay(label=f"{c.side[0].upper()} {c.joint}", anchor=anchor,
                                         values_deg=c.values_deg))  # fmt: skip
    annotate_video(video, out_path, people=[analysis.keypoints], angles=overlays)
    return out_path
