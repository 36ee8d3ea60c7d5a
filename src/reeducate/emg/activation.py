"""Muscle-activation exercises judged by EMG: the target, and the scorer of a recording.

A target reads, for example, "reach 30 %MVC within 2 s, hold 10 s at or above 80 % of it, with
the antagonist below 15 %MVC, 10 times". The targets of the exercise library's variants are
data (``reeducate.clinic.emg_targets``); this module only knows the numbers.

The scorer (:func:`score_activation`) segments the agonist's envelope (%MVC) into attempts:
spans where it rises above ``rest_pct_mvc`` (short dips of less than ``min_gap_s`` are bridged
and blips shorter than ``min_attempt_s`` ignored). For each attempt it reports:

* **time to target**: from the attempt's start to the first sample at or above
  ``target_pct_mvc``;
* **hold**: the time the envelope then stays at or above the hold floor
  (``hold_floor_ratio * target_pct_mvc``) without a break;
* **hold quality** (0–1): the share of the required ``hold_s``, counted from the moment the
  target is reached, during which the envelope is at or above the floor;
* **co-activation**: the antagonist's mean %MVC over the hold (or the attempt when the target
  is never reached) and the Falconer–Winter co-contraction index over the attempt.

A repetition is achieved when the target is reached in time, held for ``hold_s`` and the
antagonist's mean stays at or below its limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.emg.cocontraction import co_contraction_index
from reeducate.emg.onsets import active_runs
from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.checks import check_sampling_rate

__all__ = ["ActivationScore", "ActivationTarget", "RepScore", "score_activation"]


def _positive(name: str, value: float, *, high: float = float("inf")) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
        np.isfinite(value) and 0 < value <= high
    ):
        raise InvalidParameterError(f"{name} must be a number > 0 and <= {high:g}; got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivationTarget:
    """What one activation exercise asks of the EMG.

    Attributes
    ----------
    muscle : str
        Muscle (agonist) whose envelope is scored.
    target_pct_mvc : float
        Level to reach, %MVC (1–100).
    time_to_target_s : float
        Reach it within this many seconds of the attempt's start.
    hold_s : float
        Hold at or above the floor this long.
    hold_floor_ratio : float
        The hold floor as a share of the target (0–1], e.g. 0.8.
    reps : int
        Repetitions asked for per set.
    rest_pct_mvc : float
        Level above which an attempt starts and below which it ends (< target).
    antagonist : str or None
        Muscle that should stay quiet, if recorded.
    antagonist_max_pct_mvc : float or None
        Its limit (mean over the hold), %MVC; given exactly when ``antagonist`` is.

    Examples
    --------
    >>> t = ActivationTarget(muscle="vastus_medialis", target_pct_mvc=30, time_to_target_s=2,
    ...                      hold_s=10, hold_floor_ratio=0.8, reps=10, rest_pct_mvc=10,
    ...                      antagonist="hamstrings", antagonist_max_pct_mvc=15)
    >>> t.hold_floor_pct_mvc
    24.0
    """

    muscle: str
    target_pct_mvc: float
    time_to_target_s: float
    hold_s: float
    hold_floor_ratio: float
    reps: int
    rest_pct_mvc: float
    antagonist: str | None = None
    antagonist_max_pct_mvc: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.muscle, str) or not self.muscle.strip():
            raise InvalidParameterError(f"muscle must be non-empty text; got {self.muscle!r}")
        object.__setattr__(
            self, "target_pct_mvc", _positive("target_pct_mvc", self.target_pct_mvc, high=100)
        )
        object.__setattr__(
            self, "time_to_target_s", _positive("time_to_target_s", self.time_to_target_s)
        )
        object.__setattr__(self, "hold_s", _positive("hold_s", self.hold_s, high=600))
        object.__setattr__(
            self, "hold_floor_ratio", _positive("hold_floor_ratio", self.hold_floor_ratio, high=1)
        )
        if isinstance(self.reps, bool) or not isinstance(self.reps, int) or not 1 <= self.reps:
            raise InvalidParameterError(f"reps must be an integer >= 1; got {self.reps!r}")
        rest = _positive("rest_pct_mvc", self.rest_pct_mvc, high=100)
        if rest >= self.hold_floor_pct_mvc:
            raise InvalidParameterError(
                f"rest_pct_mvc must be below the hold floor ({self.hold_floor_pct_mvc:g} %MVC); "
                f"got {rest:g}"
            )
        object.__setattr__(self, "rest_pct_mvc", rest)
        if (self.antagonist is None) != (self.antagonist_max_pct_mvc is None):
            raise InvalidParameterError(
                "antagonist and antagonist_max_pct_mvc must be given together; got "
                f"{self.antagonist!r} and {self.antagonist_max_pct_mvc!r}"
            )
        if self.antagonist_max_pct_mvc is not None:
            object.__setattr__(
                self,
                "antagonist_max_pct_mvc",
                _positive("antagonist_max_pct_mvc", self.antagonist_max_pct_mvc, high=100),
            )

    @property
    def hold_floor_pct_mvc(self) -> float:
        """The level the hold must stay at or above, %MVC."""
        return self.hold_floor_ratio * self.target_pct_mvc

    def describe(self) -> str:
        """The target in words."""
        text = (
            f"reach {self.target_pct_mvc:g} %MVC ({self.muscle}) within "
            f"{self.time_to_target_s:g} s and hold {self.hold_s:g} s at >= "
            f"{self.hold_floor_pct_mvc:g} %MVC, {self.reps} reps"
        )
        if self.antagonist is not None:
            text += f", {self.antagonist} below {self.antagonist_max_pct_mvc:g} %MVC"
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class RepScore:
    """One attempt.

    Attributes
    ----------
    start_s, end_s : float
        The attempt's span (seconds from the first sample).
    time_to_target_s : float or None
        None when the target was never reached.
    held_s : float
        Unbroken time at or above the floor from reaching the target (0 if never reached).
    hold_quality_ratio : float
        Share of the required hold at or above the floor, 0–1.
    peak_pct_mvc : float
    antagonist_mean_pct_mvc : float or None
    cci_pct : float or None
        Falconer–Winter co-contraction index over the attempt.
    achieved : bool
    """

    start_s: float
    end_s: float
    time_to_target_s: float | None
    held_s: float
    hold_quality_ratio: float
    peak_pct_mvc: float
    antagonist_mean_pct_mvc: float | None
    cci_pct: float | None
    achieved: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivationScore:
    """What a recording achieved against an :class:`ActivationTarget`.

    Attributes
    ----------
    target : ActivationTarget
    reps : tuple of RepScore
        Every attempt, in time order.
    reps_achieved : int
    median_time_to_target_s : float or None
        Over the attempts that reached the target.
    median_held_s : float
        Over all attempts (0 when there were none).
    mean_hold_quality_ratio : float
        Over all attempts (0 when there were none).
    mean_antagonist_pct_mvc, mean_cci_pct : float or None
        Over all attempts, when the antagonist was recorded.
    """

    target: ActivationTarget
    reps: tuple[RepScore, ...]
    reps_achieved: int
    median_time_to_target_s: float | None
    median_held_s: float
    mean_hold_quality_ratio: float
    mean_antagonist_pct_mvc: float | None
    mean_cci_pct: float | None

    @property
    def reps_attempted(self) -> int:
        """Number of attempts found."""
        return len(self.reps)


def _first_true(mask: NDArray[np.bool_]) -> int | None:
    if not mask.any():
        return None
    return int(np.argmax(mask))


def score_activation(
    agonist_pct_mvc: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    target: ActivationTarget,
    antagonist_pct_mvc: ArrayLike | None = None,
    min_attempt_s: float = 0.2,
    min_gap_s: float = 0.2,
) -> ActivationScore:
    """Score a recording of an activation exercise against its target.

    Parameters
    ----------
    agonist_pct_mvc : array_like, shape (n_samples,)
        Agonist envelope in %MVC (linear envelope or moving RMS, normalised).
    sampling_rate_hz : float
    target : ActivationTarget
    antagonist_pct_mvc : array_like, shape (n_samples,), optional
        Antagonist envelope in %MVC; required when the target names an antagonist.
    min_attempt_s, min_gap_s : float
        Attempts shorter than ``min_attempt_s`` are ignored; dips below the rest level shorter
        than ``min_gap_s`` do not end an attempt.

    Returns
    -------
    ActivationScore

    Examples
    --------
    Two contractions of 12 s at 35 %MVC, one of 4 s:

    >>> import numpy as np
    >>> fs = 100.0
    >>> env = np.zeros(int(60 * fs))
    >>> for start, length in ((2, 12), (20, 12), (40, 4)):
    ...     env[int(start * fs):int((start + length) * fs)] = 35.0
    >>> t = ActivationTarget(muscle="vm", target_pct_mvc=30, time_to_target_s=2, hold_s=10,
    ...                      hold_floor_ratio=0.8, reps=3, rest_pct_mvc=10)
    >>> s = score_activation(env, sampling_rate_hz=fs, target=t)
    >>> s.reps_attempted, s.reps_achieved, [r.held_s for r in s.reps]
    (3, 2, [12.0, 12.0, 4.0])
    """
    rate = check_sampling_rate(sampling_rate_hz)
    env = np.asarray(agonist_pct_mvc, dtype=np.float64)
    if env.ndim != 1:
        raise InvalidParameterError(f"agonist_pct_mvc must be 1-D; got shape {env.shape}")
    if not np.all(np.isfinite(env)):
        raise SignalQualityError("agonist_pct_mvc has NaN or infinite samples")
    ant: NDArray[np.float64] | None = None
    if antagonist_pct_mvc is not None:
        ant = np.asarray(antagonist_pct_mvc, dtype=np.float64)
        if ant.shape != env.shape:
            raise InvalidParameterError(
                f"antagonist_pct_mvc must have the agonist's shape {env.shape}; got {ant.shape}"
            )
        if not np.all(np.isfinite(ant)):
            raise SignalQualityError("antagonist_pct_mvc has NaN or infinite samples")
    elif target.antagonist is not None:
        raise InvalidParameterError(
            f"the target limits the antagonist {target.antagonist!r}; antagonist_pct_mvc is "
            "required"
        )
    starts, ends = active_runs(
        env > target.rest_pct_mvc,
        min_on_samples=round(min_attempt_s * rate),
        min_off_samples=round(min_gap_s * rate),
    )
    floor = target.hold_floor_pct_mvc
    hold_n = round(target.hold_s * rate)
    reps: list[RepScore] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        seg = env[s:e]
        reach = _first_true(seg >= target.target_pct_mvc)
        if reach is None:
            time_to_target = None
            held_n = 0
            quality = 0.0
            span = slice(s, e)
        else:
            time_to_target = reach / rate
            after = seg[reach:] >= floor
            brk = _first_true(~after)
            held_n = after.size if brk is None else brk
            window = after[:hold_n]
            quality = float(np.count_nonzero(window)) / hold_n
            span = slice(s + reach, s + reach + max(held_n, 1))
        ant_mean: float | None = None
        cci: float | None = None
        if ant is not None:
            ant_mean = float(np.mean(ant[span]))
            a_seg = np.maximum(seg, 0.0)
            b_seg = np.maximum(ant[s:e], 0.0)
            if float(np.sum(a_seg + b_seg)) > 0:
                cci = co_contraction_index(a_seg, b_seg, method="falconer_winter")
        ant_ok = (
            target.antagonist_max_pct_mvc is None
            or ant_mean is None
            or ant_mean <= target.antagonist_max_pct_mvc
        )
        achieved = (
            time_to_target is not None
            and time_to_target <= target.time_to_target_s
            and held_n >= hold_n
            and ant_ok
        )
        reps.append(
            RepScore(
                start_s=s / rate,
                end_s=e / rate,
                time_to_target_s=time_to_target,
                held_s=held_n / rate,
                hold_quality_ratio=quality,
                peak_pct_mvc=float(seg.max()),
                antagonist_mean_pct_mvc=ant_mean,
                cci_pct=cci,
                achieved=bool(achieved),
            )
        )
    reached = [r.time_to_target_s for r in reps if r.time_to_target_s is not None]
    ant_means = [r.antagonist_mean_pct_mvc for r in reps if r.antagonist_mean_pct_mvc is not None]
    ccis = [r.cci_pct for r in reps if r.cci_pct is not None]
    return ActivationScore(
        target=target,
        reps=tuple(reps),
        reps_achieved=sum(r.achieved for r in reps),
        median_time_to_target_s=float(np.median(reached)) if reached else None,
        median_held_s=float(np.median([r.held_s for r in reps])) if reps else 0.0,
        mean_hold_quality_ratio=float(np.mean([r.hold_quality_ratio for r in reps]))
        if reps
        else 0.0,
        mean_antagonist_pct_mvc=float(np.mean(ant_means)) if ant_means else None,
        mean_cci_pct=float(np.mean(ccis)) if ccis else None,
    )
