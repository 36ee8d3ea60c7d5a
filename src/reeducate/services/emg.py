"""Use case: analyse an EMG recording (clean, envelope, %MVC, onsets, co-contraction, fatigue)
and write its table and figures. Shared by the CLI (and later the API and web)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.emg.cleaning import CleaningSettings, clean_emg, min_samples
from reeducate.emg.cocontraction import co_contraction_index
from reeducate.emg.envelope import linear_envelope, moving_rms
from reeducate.emg.fatigue import median_frequency_slope
from reeducate.emg.normalisation import MvcReference, mvc_reference, to_pct_mvc
from reeducate.emg.onsets import ActivationPeriods, OnsetSettings, detect_onsets
from reeducate.emg.recording import MICROVOLTS_PER_VOLT, EmgRecording
from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.io.emg_readers import (
    EMG_ELDERLY_CHANNELS,
    EMG_ELDERLY_TASKS,
    EmgReadOptions,
    read_emg,
)

__all__ = ["EmgAnalysis", "EmgRequest", "analyze_emg", "rows_to_csv", "write_outputs"]

EnvelopeMethod = Literal["lowpass", "moving_rms"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EmgRequest:
    """What to analyse and how (the CLI maps its flags onto this)."""

    muscles: tuple[str, ...]
    antagonist: str | None
    mvc_path: Path | None
    read_options: EmgReadOptions
    mvc_task: str | None
    cleaning: CleaningSettings
    envelope: EnvelopeMethod
    lowpass_hz: float = 6.0
    lowpass_order: int = 2
    rms_window_s: float = 0.1
    mvc_window_s: float = 0.5
    rest_s: tuple[float, float] | None = None
    onset_threshold_pct_mvc: float = 10.0
    onset_settings: OnsetSettings = field(default_factory=OnsetSettings)
    fatigue_epoch_s: float = 0.5
    exercise: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EmgAnalysis:
    """Everything an EMG analysis produced, per channel (rows) and as arrays (for figures)."""

    recording: EmgRecording
    cleaned_v: NDArray[np.float64]
    envelope_v: NDArray[np.float64]
    pct_mvc: NDArray[np.float64] | None
    mvc: dict[str, MvcReference]
    onsets: dict[str, list[ActivationPeriods]]
    rows: list[dict[str, Any]]
    co_contraction: dict[str, Any] | None
    activation: dict[str, Any] | None
    target_pct_mvc: float | None
    floor_pct_mvc: float | None
    settings: dict[str, Any]


def _envelope(clean: NDArray[np.float64], rate: float, request: EmgRequest) -> NDArray[np.float64]:
    if request.envelope == "lowpass":
        return linear_envelope(
            clean, sampling_rate_hz=rate, cutoff_hz=request.lowpass_hz, order=request.lowpass_order
        )
    return moving_rms(
        clean, sampling_rate_hz=rate, window_s=request.rms_window_s, alignment="centred"
    )


def _elderly_task_of(channel: str) -> str:
    i = [c.lower() for c in EMG_ELDERLY_CHANNELS].index(channel.lower())
    return EMG_ELDERLY_TASKS[i]


def _mvc_references(
    names: Sequence[str], request: EmgRequest
) -> dict[str, MvcReference]:
    assert request.mvc_path is not None
    refs: dict[str, MvcReference] = {}
    is_elderly = request.mvc_path.suffix.lower() in (".xlsx", ".xlsm")
    for name in names:
        task = request.mvc_task
        known = name.lower() in (c.lower() for c in EMG_ELDERLY_CHANNELS)
        if task is None and is_elderly and known:
            task = _elderly_task_of(name)  # each muscle's own task sheet is its calibration
        options = EmgReadOptions(
            unit=request.read_options.unit,
            sampling_rate_hz=request.read_options.sampling_rate_hz,
            channels=(name,),
            task=task,
            stream=request.read_options.stream,
        )
        rec = read_emg(request.mvc_path, options=options)
        clean = _clean(rec, request.cleaning)
        env = _envelope(clean, rec.sampling_rate_hz, request)
        refs[name] = mvc_reference(
            env[:, 0],
            sampling_rate_hz=rec.sampling_rate_hz,
            method="peak_moving_average",
            window_s=request.mvc_window_s,
        )
    return refs


def _clean(rec: EmgRecording, settings: CleaningSettings, /) -> NDArray[np.float64]:
    """The recording cleaned, or an error naming the file when it is too short to filter."""
    needed = min_samples(settings, sampling_rate_hz=rec.sampling_rate_hz)
    if rec.n_samples < needed:
        raise SignalQualityError(
            f"{rec.source_name}: has {rec.n_samples} samples ({rec.duration_s:.3g} s at "
            f"{rec.sampling_rate_hz:g} Hz); the cleaning filters need at least {needed}"
        )
    return clean_emg(rec.signals_v, sampling_rate_hz=rec.sampling_rate_hz, settings=settings)


def analyze_emg(path: Path, /, *, request: EmgRequest) -> EmgAnalysis:
    """Read, clean and analyse the requested channels of one recording.

    Raises
    ------
    NotFoundError
        The file or a named channel does not exist.
    InvalidParameterError, FileFormatError, UnitError, SignalQualityError
    """
    if not request.muscles:
        raise InvalidParameterError("muscles must name at least one channel; got none")
    wanted = list(dict.fromkeys([*request.muscles, *([request.antagonist] if request.antagonist
                                                       else [])]))  # fmt: skip
    options = EmgReadOptions(
        unit=request.read_options.unit,
        sampling_rate_hz=request.read_options.sampling_rate_hz,
        channels=tuple(wanted),
        task=request.read_options.task,
        stream=request.read_options.stream,
    )
    rec = read_emg(path, options=options)
    rate = rec.sampling_rate_hz
    clean = _clean(rec, request.cleaning)
    env = _envelope(clean, rate, request)
    names = list(rec.channel_names)
    mvc = _mvc_references(names, request) if request.mvc_path is not None else {}
    pct = (
        to_pct_mvc(env, mvc=np.array([mvc[n].value for n in names])) if mvc else None
    )
    onsets: dict[str, list[ActivationPeriods]] = {}
    rows: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        found: list[ActivationPeriods] = []
        if request.rest_s is not None:
            for method in ("hodges_bui", "solnik", "bonato"):
                found.append(
                    detect_onsets(clean[:, i], sampling_rate_hz=rate, method=method,
                                  settings=request.onset_settings, rest_s=request.rest_s)
                )  # fmt: skip
        if pct is not None:
            found.append(
                detect_onsets(pct[:, i], sampling_rate_hz=rate, method="envelope_threshold",
                              settings=request.onset_settings,
                              threshold=request.onset_threshold_pct_mvc)
            )  # fmt: skip
        onsets[name] = found
        try:
            fatigue = median_frequency_slope(
                clean[:, i],
                sampling_rate_hz=rate,
                epoch_s=request.fatigue_epoch_s,
                overlap_ratio=0.5,
                band_hz=request.cleaning.band_hz,
            )
            mdf_slope: float | None = fatigue.slope_hz_s
            mdf_start: float | None = fatigue.intercept_hz
        except SignalQualityError:
            mdf_slope = mdf_start = None
        row: dict[str, Any] = {
            "file": rec.source_name,
            "channel": name,
            "duration_s": rec.duration_s,
            "sampling_rate_hz": rate,
            "rms_uv": float(np.sqrt(np.mean(clean[:, i] ** 2))) * MICROVOLTS_PER_VOLT,
            "peak_envelope_uv": float(env[:, i].max()) * MICROVOLTS_PER_VOLT,
            "mvc_uv": mvc[name].value * MICROVOLTS_PER_VOLT if name in mvc else None,
            "mean_pct_mvc": float(pct[:, i].mean()) if pct is not None else None,
            "peak_pct_mvc": float(pct[:, i].max()) if pct is not None else None,
            "median_frequency_start_hz": mdf_start,
            "median_frequency_slope_hz_s": mdf_slope,
        }
        for periods in found:
            row[f"onsets_{periods.method}"] = len(periods.onsets_s)
            row[f"first_onset_{periods.method}_s"] = (
                periods.onsets_s[0] if periods.onsets_s else None
            )
        rows.append(row)
    cci: dict[str, Any] | None = None
    if request.antagonist is not None:
        agonist = rec.channel_index(request.muscles[0])
        antagonist = rec.channel_index(request.antagonist)
        if pct is None:
            raise InvalidParameterError(
                "co-contraction (--antagonist) compares envelopes in %MVC; give --mvc FILE"
            )
        # A zero-phase low-pass of a rectified signal can undershoot zero by a little near sharp
        # changes; co-contraction indices are defined on non-negative envelopes.
        ago = np.maximum(pct[:, agonist], 0.0)
        ant = np.maximum(pct[:, antagonist], 0.0)
        cci = {
            "agonist": names[agonist],
            "antagonist": names[antagonist],
            "falconer_winter_pct": co_contraction_index(ago, ant, method="falconer_winter"),
            "rudolph_pct_mvc": co_contraction_index(ago, ant, method="rudolph"),
        }
    activation, target_level, floor_level = _score_exercise(rec, pct, request)
    settings = {
        "cleaning": request.cleaning.as_dict(),
        "envelope": request.envelope,
        "lowpass_hz": request.lowpass_hz,
        "lowpass_order": request.lowpass_order,
        "rms_window_s": request.rms_window_s,
        "mvc_method": "peak_moving_average",
        "mvc_window_s": request.mvc_window_s,
        "rest_s": list(request.rest_s) if request.rest_s else None,
        "onset_threshold_pct_mvc": request.onset_threshold_pct_mvc,
        "fatigue_epoch_s": request.fatigue_epoch_s,
        "source_unit": rec.source_unit,
    }
    return EmgAnalysis(
        recording=rec,
        cleaned_v=clean,
        envelope_v=env,
        pct_mvc=pct,
        mvc=mvc,
        onsets=onsets,
        rows=rows,
        co_contraction=cci,
        activation=activation,
        target_pct_mvc=target_level,
        floor_pct_mvc=floor_level,
        settings=settings,
    )


def _score_exercise(
    rec: EmgRecording, pct: NDArray[np.float64] | None, request: EmgRequest
) -> tuple[dict[str, Any] | None, float | None, float | None]:
    """Score the recording against the EMG target of ``request.exercise`` (a library variant)."""
    if request.exercise is None:
        return None, None, None
    from reeducate.clinic.emg_targets import (
        activation_target,
        quality_from_score,
        set_record_from_score,
    )
    from reeducate.clinic.exercises import load_library
    from reeducate.emg.activation import score_activation

    target = activation_target(load_library().get(request.exercise))
    if pct is None:
        raise InvalidParameterError(
            f"scoring --exercise {request.exercise} needs envelopes in %MVC; give --mvc FILE"
        )
    agonist = rec.channel_index(request.muscles[0])
    antagonist = None
    if target.antagonist is not None:
        if request.antagonist is None:
            raise InvalidParameterError(
                f"the target of {request.exercise} limits {target.antagonist}; name its channel "
                "with --antagonist CHANNEL"
            )
        antagonist = pct[:, rec.channel_index(request.antagonist)]
    score = score_activation(
        pct[:, agonist],
        sampling_rate_hz=rec.sampling_rate_hz,
        target=target,
        antagonist_pct_mvc=antagonist,
    )
    record = set_record_from_score(score)
    quality = quality_from_score(score)
    summary = {
        "exercise": request.exercise,
        "target": target.describe(),
        "reps_attempted": score.reps_attempted,
        "reps_achieved": score.reps_achieved,
        "median_time_to_target_s": score.median_time_to_target_s,
        "median_held_s": score.median_held_s,
        "mean_hold_quality_ratio": score.mean_hold_quality_ratio,
        "mean_antagonist_pct_mvc": score.mean_antagonist_pct_mvc,
        "mean_cci_pct": score.mean_cci_pct,
        "set_record": record.describe(),
        "quality": quality.describe(),
        "reps": [
            {"start_s": r.start_s, "end_s": r.end_s, "time_to_target_s": r.time_to_target_s,
             "held_s": r.held_s, "hold_quality_ratio": r.hold_quality_ratio,
             "peak_pct_mvc": r.peak_pct_mvc, "antagonist_mean_pct_mvc": r.antagonist_mean_pct_mvc,
             "cci_pct": r.cci_pct, "achieved": r.achieved}
            for r in score.reps
        ],
    }  # fmt: skip
    return summary, target.target_pct_mvc, target.hold_floor_pct_mvc


def rows_to_csv(rows: Sequence[dict[str, Any]], /) -> str:
    """Rows as CSV text (union of keys, in first-seen order; empty cells for None)."""
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys)
    lines = [",".join(keys)]
    for row in rows:
        cells = []
        for k in keys:
            v = row.get(k)
            cells.append("" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v)))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def write_outputs(analysis: EmgAnalysis, out_dir: Path, /) -> list[Path]:
    """Write ``emg_metrics.csv``, ``emg_analysis.json`` and the PNG figures; return the paths."""
    from reeducate.reports.emg_figures import envelope_figure, pct_mvc_figure, raw_figure
    from reeducate.reports.figures import figure_to_png
    from reeducate.services.balance import write_atomically

    out_dir.mkdir(parents=True, exist_ok=True)
    rec = analysis.recording
    written = []
    csv_path = out_dir / "emg_metrics.csv"
    write_atomically(csv_path, rows_to_csv(analysis.rows))
    written.append(csv_path)
    payload = {
        "rows": analysis.rows,
        "co_contraction": analysis.co_contraction,
        "activation": analysis.activation,
        "onsets": {
            name: [
                {"method": p.method, "threshold": p.threshold, "onsets_s": list(p.onsets_s),
                 "offsets_s": list(p.offsets_s), "settings": p.settings}
                for p in periods
            ]
            for name, periods in analysis.onsets.items()
        },
        "settings": analysis.settings,
    }  # fmt: skip
    json_path = out_dir / "emg_analysis.json"
    write_atomically(json_path, json.dumps(payload, indent=2, allow_nan=False) + "\n")
    written.append(json_path)
    figures = {
        "emg_raw.png": raw_figure(
            np.asarray(rec.signals_v), analysis.cleaned_v, sampling_rate_hz=rec.sampling_rate_hz,
            channel_names=rec.channel_names, title=f"{rec.source_name}: raw and cleaned EMG",
        ),
        "emg_envelope.png": envelope_figure(
            analysis.envelope_v, sampling_rate_hz=rec.sampling_rate_hz,
            channel_names=rec.channel_names, onsets=analysis.onsets,
            title=f"{rec.source_name}: envelope and onsets",
        ),
    }  # fmt: skip
    if analysis.pct_mvc is not None:
        figures["emg_pct_mvc.png"] = pct_mvc_figure(
            analysis.pct_mvc,
            sampling_rate_hz=rec.sampling_rate_hz,
            channel_names=rec.channel_names,
            title=f"{rec.source_name}: envelope in %MVC",
            target_pct_mvc=analysis.target_pct_mvc,
            floor_pct_mvc=analysis.floor_pct_mvc,
        )
    for file_name, fig in figures.items():
        path = out_dir / file_name
        path.write_bytes(figure_to_png(fig))
        written.append(path)
    return written
