"""Movement quality score with its reasons, and the dose actually done.

The score is the plain mean of the components that could be measured, each scored 0-1 by a
small declarative rule (:data:`RULES`), so a clinician can read why a score is what it is:

================ =========================================================================
component        rule (1 = best, 0 = worst, linear in between)
================ =========================================================================
consistency      coefficient of variation of per-rep ROM: 1 at <= 10 %, 0 at >= 30 %
tempo            mean rep duration vs the prescribed tempo's movement time T:
                 ``1 - |D - T| / T`` (0 at 0 s or 2 T)
hold             mean time near the peak vs the prescribed hold: ``min(1, hold / target)``
range            mean ROM vs a target ROM (the demonstration's): ``min(1, ROM / target)``
alignment        one component per fault checked: 1 when not flagged, 0 when flagged
symmetry         |symmetry index| of left/right ROM: 1 at <= 10 %, 0 at >= 30 %
demonstration    the time-warped similarity score (:mod:`reeducate.movement.similarity`)
path             how closely the end-effector followed the prescribed path shape
stance           single-leg stance hold vs the prescribed hold: ``min(1, hold / target)``
================ =========================================================================

Smoothness (SPARC, LDLJ) is reported as information with every result, but does not enter the
score: no validated cut-offs exist for these exercises yet.

The dose done is the number of repetitions found (``reps_done``) and the hold achieved
(``hold_done_s``: the mean hold near the peak for repetitions with holds, or the single-leg
stance time), which map onto the progression engine's ``SetRecord``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np

from reeducate.errors import InvalidParameterError
from reeducate.movement.alignment import AlignmentFault
from reeducate.movement.path import PatternFit
from reeducate.movement.reps import RepetitionAnalysis
from reeducate.movement.similarity import DemonstrationComparison

RULES: Final[dict[str, tuple[float, float]]] = {
    "consistency": (10.0, 30.0),  # CV % at which the score starts falling, reaches 0
    "symmetry": (10.0, 30.0),  # |SI| %
}
"""Breakpoints (full score at or below the first, 0 at or above the second)."""


def _falling(value: float, good: float, bad: float) -> float:
    return float(np.clip((bad - value) / (bad - good), 0.0, 1.0))


_TEMPO = re.compile(r"(\d+(?:\.\d+)?)\s*s(?:ec(?:onds?)?)?\s+([a-z]+)", re.IGNORECASE)


def parse_tempo(text: str, /) -> tuple[float | None, float | None]:
    """Movement time and hold time, in seconds, from a plain-language tempo.

    Numbers followed by "s" add up to the movement time, except those followed by "hold",
    which add up to the hold time. None where there is none.

    Example
    -------
    >>> parse_tempo("2 s down, 2 s up")
    (4.0, None)
    >>> parse_tempo("2 s hold at straight")
    (None, 2.0)
    """
    move = hold = 0.0
    for number, word in _TEMPO.findall(text):
        if word.lower() == "hold":
            hold += float(number)
        else:
            move += float(number)
    return (move or None), (hold or None)


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseTarget:
    """The prescribed dose of one set (from the exercise library or the prescription).

    Attributes
    ----------
    reps : int or None
    hold_s : float or None
    tempo : str or None
    """

    reps: int | None = None
    hold_s: float | None = None
    tempo: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityComponent:
    """One scored component: its value, its target and the reason in words."""

    name: str
    score: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MovementQuality:
    """Quality score, its reasons, and the dose done.

    Attributes
    ----------
    score : float or None
        Mean of the component scores, 0-1; None when nothing could be scored.
    components : tuple of QualityComponent
    information : tuple of str
        Reported but not scored (smoothness, measures that could not be taken and why).
    reps_done : int or None
    hold_done_s : float or None
    """

    score: float | None
    components: tuple[QualityComponent, ...]
    information: tuple[str, ...]
    reps_done: int | None
    hold_done_s: float | None

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every component's reason, then the information lines."""
        return tuple(c.reason for c in self.components) + self.information


def score_movement(
    *,
    dose: DoseTarget,
    repetitions: RepetitionAnalysis | None = None,
    faults: tuple[AlignmentFault, ...] = (),
    symmetry_index_pct: float | None = None,
    demonstration: DemonstrationComparison | None = None,
    pattern: PatternFit | None = None,
    rom_target_deg: float | None = None,
    stance_hold_s: float | None = None,
    information: tuple[str, ...] = (),
) -> MovementQuality:
    """Score a movement from the measures available (see the module's table).

    Example
    -------
    >>> import numpy as np
    >>> from reeducate.movement.reps import segment_repetitions
    >>> t = np.arange(0, 10, 0.01)
    >>> reps = segment_repetitions(40 * (1 - np.cos(np.pi * t)), sampling_rate_hz=100.0)
    >>> q = score_movement(dose=DoseTarget(reps=10, tempo="1 s down, 1 s up"), repetitions=reps)
    >>> q.reps_done, [c.name for c in q.components]
    (5, ['consistency', 'tempo'])
    """
    comps: list[QualityComponent] = []
    info = list(information)
    reps_done: int | None = None
    hold_done: float | None = None
    move_s, tempo_hold_s = parse_tempo(dose.tempo) if dose.tempo else (None, None)
    hold_target = dose.hold_s if dose.hold_s is not None else tempo_hold_s
    if repetitions is not None:
        reps_done = repetitions.count
        if reps_done >= 2 and np.isfinite(repetitions.rom.cv_pct):
            cv = repetitions.rom.cv_pct
            comps.append(QualityComponent(
                name="consistency", score=_falling(cv, *RULES["consistency"]),
                reason=f"range of motion varies {cv:.1f} % between repetitions (CV; full "
                f"score at <= {RULES['consistency'][0]:g} %)"))  # fmt: skip
        if reps_done >= 1 and move_s is not None:
            d = repetitions.duration_s.mean
            comps.append(QualityComponent(
                name="tempo", score=float(np.clip(1 - abs(d - move_s) / move_s, 0, 1)),
                reason=f"repetitions last {d:.2f} s on average; the prescribed tempo is "
                f"{move_s:g} s ({dose.tempo})"))  # fmt: skip
        if reps_done >= 1 and hold_target is not None and dose.reps is not None:
            h = repetitions.hold_s.mean
            hold_done = h
            comps.append(QualityComponent(
                name="hold", score=float(min(1.0, h / hold_target)),
                reason=f"held {h:.1f} s near the end of range on average; {hold_target:g} s "
                "prescribed"))  # fmt: skip
        if reps_done >= 1 and rom_target_deg is not None:
            if not rom_target_deg > 0:
                raise InvalidParameterError(f"rom_target_deg must be > 0; got {rom_target_deg!r}")
            r = repetitions.rom.mean
            comps.append(QualityComponent(
                name="range", score=float(min(1.0, r / rom_target_deg)),
                reason=f"mean range of motion {r:.1f} deg against {rom_target_deg:.1f} deg "
                "demonstrated"))  # fmt: skip
        if reps_done == 0:
            info.append("no repetition found in the recording")
    for f in faults:
        comps.append(QualityComponent(name=f"alignment:{f.name}", score=0.0 if f.flagged else 1.0,
                                      reason=f.reason))  # fmt: skip
    if symmetry_index_pct is not None and np.isfinite(symmetry_index_pct):
        si = abs(symmetry_index_pct)
        comps.append(QualityComponent(
            name="symmetry", score=_falling(si, *RULES["symmetry"]),
            reason=f"left/right range of motion differs by {si:.1f} % (symmetry index; full "
            f"score at <= {RULES['symmetry'][0]:g} %)"))  # fmt: skip
    if demonstration is not None:
        worst = ", ".join(f"{m.time_s:.1f} s ({m.difference_deg:.0f} deg)"
                          for m in demonstration.worst_moments)  # fmt: skip
        comps.append(QualityComponent(
            name="demonstration", score=demonstration.score,
            reason=f"differs from the demonstration by {demonstration.mean_difference_deg:.1f} "
            f"deg on average after time warping (0 at {demonstration.tolerance_deg:g} deg); "
            f"most at {worst or 'no single moment'}; "
            f"tempo x{demonstration.tempo_ratio:.2f}"))  # fmt: skip
    if pattern is not None:
        comps.append(QualityComponent(
            name="path", score=pattern.score if pattern.matches else min(pattern.score, 0.5),
            reason=f"path classified {pattern.shape.shape.replace('_', ' ')} "
            f"({'as' if pattern.matches else 'not the'} prescribed {pattern.prescribed}); "
            f"deviation {100 * pattern.deviation_ratio:.0f} % of its size"))  # fmt: skip
    if stance_hold_s is not None:
        hold_done = stance_hold_s
        if hold_target is not None:
            comps.append(QualityComponent(
                name="stance", score=float(min(1.0, stance_hold_s / hold_target)),
                reason=f"stood on one leg {stance_hold_s:.1f} s of {hold_target:g} s "
                "prescribed"))  # fmt: skip
    score = float(np.mean([c.score for c in comps])) if comps else None
    return MovementQuality(score=score, components=tuple(comps), information=tuple(info),
                           reps_done=reps_done, hold_done_s=hold_done)  # fmt: skip
