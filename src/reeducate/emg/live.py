"""Live EMG processing: causal filters with carried state, chunk by chunk, with known delays.

:class:`LiveEnvelope` runs the same designs as the offline path (:mod:`reeducate.emg.cleaning`,
:mod:`reeducate.emg.envelope`) causally, one chunk at a time: band-pass and mains notch
(``sosfilt`` with carried state, starting from rest), full-wave rectification, then a causal
Butterworth low-pass (carried state) or a trailing moving RMS (the last ``window - 1`` squared
samples carried). Feeding a signal in chunks of any size gives the same output as feeding it at
once (to rounding).

A causal filter cannot be zero-phase; each stage delays the signal by its group delay, which
:attr:`LiveEnvelope.delays_s` lists (computed from the designs, not assumed):

* band-pass (and notch): group delay at ``reference_hz`` (100 Hz by default, near the centre of
  surface-EMG power); about 1–3 ms for a 20–450 Hz 4th-order design at 2 kHz;
* low-pass smoother: group delay at 0 Hz (the envelope's content is slow), e.g. 38 ms for 6 Hz
  order 2 at 2 kHz; its step response reaches half height later than that (rise time);
* moving RMS: ``(window - 1) / 2`` samples.

Processing time per chunk does not grow with the recording: the state is a fixed number of
values per channel. :class:`TargetTracker` turns the agonist's %MVC envelope into the target
state a display shows (rest, rising, holding, held, dropped) and counts repetitions as they are
achieved, with the rules of :func:`reeducate.emg.activation.score_activation` (live, an attempt
ends at the first sample below the rest level: no gap bridging, so a display never waits).

References
----------
Hermens HJ et al. (2000) doi:10.1016/S1050-6411(00)00027-4 (cleaning band).
De Luca CJ (1997) doi:10.1123/jab.13.2.135 (linear envelope).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.emg.activation import ActivationTarget
from reeducate.emg.cleaning import CleaningSettings, cleaning_sos
from reeducate.emg.envelope import lowpass_sos, rms_window_samples
from reeducate.errors import InvalidParameterError
from reeducate.signals.checks import check_sampling_rate
from reeducate.signals.filters import CausalSos, sos_group_delay_s

__all__ = [
    "Biofeedback",
    "BiofeedbackFrame",
    "LiveEnvelope",
    "LiveSettings",
    "TargetPhase",
    "TargetState",
    "TargetTracker",
]

EnvelopeKind = Literal["lowpass", "moving_rms"]
TargetPhase = Literal["rest", "rising", "holding", "held", "dropped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveSettings:
    """Settings of the live pipeline (stored with what it produces).

    Attributes
    ----------
    cleaning : CleaningSettings
    envelope : {"lowpass", "moving_rms"}
    lowpass_hz, lowpass_order : float, int
        Causal Butterworth smoother of the rectified signal (``envelope="lowpass"``).
    rms_window_s : float
        Trailing window (``envelope="moving_rms"``).
    reference_hz : float
        Frequency at which the band-pass delay is reported.
    """

    cleaning: CleaningSettings
    envelope: EnvelopeKind
    lowpass_hz: float = 6.0
    lowpass_order: int = 2
    rms_window_s: float = 0.1
    reference_hz: float = 100.0

    def __post_init__(self) -> None:
        if self.envelope not in ("lowpass", "moving_rms"):
            raise InvalidParameterError(
                f"envelope must be 'lowpass' or 'moving_rms'; got {self.envelope!r}"
            )
        for name in ("lowpass_hz", "rms_window_s", "reference_hz"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InvalidParameterError(f"{name} must be > 0; got {value!r}")


class LiveEnvelope:
    """Causal EMG envelope of a multichannel stream, chunk by chunk.

    Parameters
    ----------
    sampling_rate_hz : float
    n_channels : int
    settings : LiveSettings

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.emg.cleaning import CleaningSettings
    >>> live = LiveEnvelope(sampling_rate_hz=2000.0, n_channels=2,
    ...                     settings=LiveSettings(cleaning=CleaningSettings(mains_hz=50.0),
    ...                                           envelope="lowpass"))
    >>> x = np.random.default_rng(0).normal(size=(2000, 2))
    >>> whole = LiveEnvelope(sampling_rate_hz=2000.0, n_channels=2, settings=live.settings)
    >>> y = np.concatenate([live.process(x[i:i + 20]) for i in range(0, 2000, 20)])
    >>> bool(np.allclose(y, whole.process(x), rtol=0, atol=1e-12))
    True
    >>> {k: round(v * 1e3, 1) for k, v in live.delays_s.items()}
    {'band_pass_and_notch': 1.7, 'lowpass': 37.5}
    """

    __slots__ = (
        "_band",
        "_delays",
        "_n_channels",
        "_rms_count",
        "_rms_tail",
        "_rms_w",
        "_smooth",
        "sampling_rate_hz",
        "settings",
    )

    def __init__(self, *, sampling_rate_hz: float, n_channels: int, settings: LiveSettings) -> None:
        rate = check_sampling_rate(sampling_rate_hz)
        if isinstance(n_channels, bool) or int(n_channels) != n_channels or n_channels < 1:
            raise InvalidParameterError(f"n_channels must be an integer >= 1; got {n_channels!r}")
        self.sampling_rate_hz = rate
        self.settings = settings
        self._n_channels = int(n_channels)
        self._band = CausalSos(
            cleaning_sos(settings.cleaning, sampling_rate_hz=rate),
            n_channels=self._n_channels,
            initial="zero",
        )
        self._smooth: CausalSos | None = None
        self._rms_w = 0
        if settings.envelope == "lowpass":
            self._smooth = CausalSos(
                lowpass_sos(
                    sampling_rate_hz=rate,
                    cutoff_hz=settings.lowpass_hz,
                    order=settings.lowpass_order,
                ),
                n_channels=self._n_channels,
                initial="zero",
            )
        else:
            self._rms_w = rms_window_samples(sampling_rate_hz=rate, window_s=settings.rms_window_s)
        self._rms_tail = np.zeros((0, self._n_channels))
        self._rms_count = 0
        self._delays = self._stage_delays()

    @property
    def n_channels(self) -> int:
        """Channels per sample."""
        return self._n_channels

    @property
    def delays_s(self) -> dict[str, float]:
        """Delay each stage adds, seconds (group delays of the designs; see the module notes)."""
        return dict(self._delays)

    def _stage_delays(self) -> dict[str, float]:
        rate = self.sampling_rate_hz
        out = {
            "band_pass_and_notch": sos_group_delay_s(
                self._band.sos, sampling_rate_hz=rate, frequency_hz=self.settings.reference_hz
            )
        }
        if self._smooth is not None:
            out["lowpass"] = sos_group_delay_s(
                self._smooth.sos, sampling_rate_hz=rate, frequency_hz=0.0
            )
        else:
            out["moving_rms"] = (self._rms_w - 1) / 2.0 / rate
        return out

    @property
    def total_delay_s(self) -> float:
        """Sum of the stage delays, seconds."""
        return float(sum(self._delays.values()))

    def reset(self) -> None:
        """Start a new signal (forget every filter state)."""
        self._band.reset()
        if self._smooth is not None:
            self._smooth.reset()
        self._rms_tail = np.zeros((0, self._n_channels))
        self._rms_count = 0

    def process(self, chunk: ArrayLike, /) -> NDArray[np.float64]:
        """Envelope of the next chunk, shape (n, n_channels) (same unit as the input)."""
        arr = np.asarray(chunk, dtype=np.float64)
        if arr.ndim == 1 and self._n_channels == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.shape[1] != self._n_channels:
            raise InvalidParameterError(
                f"chunk must have shape (n, {self._n_channels}); got {arr.shape}"
            )
        if arr.shape[0] == 0:
            return arr.copy()
        cleaned = self._band.process(arr)
        if self._smooth is not None:
            return self._smooth.process(np.abs(cleaned))
        sq = cleaned * cleaned
        w = self._rms_w
        joined = np.concatenate([self._rms_tail, sq], axis=0)
        csum = np.concatenate([np.zeros((1, self._n_channels)), np.cumsum(joined, axis=0)])
        n_tail = self._rms_tail.shape[0]
        ends = np.arange(n_tail + 1, joined.shape[0] + 1)
        starts = np.maximum(ends - w, 0)
        seen = self._rms_count + np.arange(1, arr.shape[0] + 1)
        count = np.minimum(seen, w).astype(np.float64)[:, None]
        mean_sq = (csum[ends] - csum[starts]) / count
        self._rms_tail = joined[-(w - 1) :] if w > 1 else joined[:0]
        self._rms_count += arr.shape[0]
        return np.asarray(np.sqrt(np.maximum(mean_sq, 0.0)), dtype=np.float64)


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetState:
    """The target state after a chunk (what a biofeedback display shows).

    Attributes
    ----------
    phase : {"rest", "rising", "holding", "held", "dropped"}
        rest: below the rest level; rising: in an attempt, target not yet reached; holding: at
        or above the floor since reaching the target, hold not yet complete; held: hold
        complete; dropped: fell below the floor before completing the hold.
    level_pct_mvc : float
        Agonist envelope at the chunk's last sample.
    hold_elapsed_s : float
        Unbroken hold so far in this attempt.
    time_to_target_s : float or None
        Of this attempt, once reached.
    reps_achieved : int
        Since the tracker started.
    antagonist_ok : bool or None
        Antagonist mean over this attempt's hold so far within its limit (None when not
        tracked or no hold yet).
    """

    phase: TargetPhase
    level_pct_mvc: float
    hold_elapsed_s: float
    time_to_target_s: float | None
    reps_achieved: int
    antagonist_ok: bool | None


class TargetTracker:
    """Follows an activation target chunk by chunk (work per chunk: a few vector operations per
    phase change, never a loop over samples).

    Examples
    --------
    >>> import numpy as np
    >>> t = ActivationTarget(muscle="vm", target_pct_mvc=30, time_to_target_s=2, hold_s=1,
    ...                      hold_floor_ratio=0.8, reps=1, rest_pct_mvc=10)
    >>> tr = TargetTracker(target=t, sampling_rate_hz=100.0)
    >>> env = np.concatenate([np.zeros(50), np.linspace(0, 35, 50), np.full(150, 35.0)])
    >>> states = [tr.update(env[i:i + 10]) for i in range(0, env.size, 10)]
    >>> states[12].phase, states[-1].phase, states[-1].reps_achieved
    ('holding', 'held', 1)
    """

    __slots__ = (
        "_ant_n",
        "_ant_sum",
        "_attempt_n",
        "_broken",
        "_counted",
        "_held_n",
        "_hold_n",
        "_in_attempt",
        "_rate",
        "_reached_at",
        "_reps",
        "target",
    )

    def __init__(self, *, target: ActivationTarget, sampling_rate_hz: float) -> None:
        self.target = target
        self._rate = check_sampling_rate(sampling_rate_hz)
        self._hold_n = round(target.hold_s * self._rate)
        self._reps = 0
        self._new_attempt(active=False)

    def _new_attempt(self, *, active: bool) -> None:
        self._in_attempt = active
        self._attempt_n = 0
        self._reached_at: int | None = None
        self._held_n = 0
        self._broken = False
        self._counted = False
        self._ant_sum = 0.0
        self._ant_n = 0

    def _antagonist_ok(self) -> bool | None:
        limit = self.target.antagonist_max_pct_mvc
        if limit is None or self._ant_n == 0:
            return None
        return self._ant_sum / self._ant_n <= limit

    def update(
        self, agonist_pct_mvc: ArrayLike, antagonist_pct_mvc: ArrayLike | None = None
    ) -> TargetState:
        """Advance by one chunk of the agonist (and antagonist) envelope in %MVC."""
        env = np.asarray(agonist_pct_mvc, dtype=np.float64).ravel()
        ant = None if antagonist_pct_mvc is None else np.asarray(antagonist_pct_mvc).ravel()
        if ant is not None and ant.shape != env.shape:
            raise InvalidParameterError(
                f"antagonist chunk must match the agonist's shape {env.shape}; got {ant.shape}"
            )
        t = self.target
        pos = 0
        n = env.size
        while pos < n:
            seg = env[pos:]
            if not self._in_attempt:
                up = np.flatnonzero(seg > t.rest_pct_mvc)
                if up.size == 0:
                    break
                pos += int(up[0])
                self._new_attempt(active=True)
                continue
            down = np.flatnonzero(seg <= t.rest_pct_mvc)
            stop = int(down[0]) if down.size else seg.size
            part = seg[:stop]
            offset = 0
            if self._reached_at is None:
                hit = np.flatnonzero(part >= t.target_pct_mvc)
                if hit.size:
                    offset = int(hit[0])
                    self._reached_at = self._attempt_n + offset
            if self._reached_at is not None and not self._broken:
                hold_part = part[offset:]
                low = np.flatnonzero(hold_part < t.hold_floor_pct_mvc)
                run = int(low[0]) if low.size else hold_part.size
                if ant is not None:
                    a = ant[pos + offset : pos + offset + run]
                    self._ant_sum += float(a.sum())
                    self._ant_n += a.size
                self._held_n += run
                self._broken = bool(low.size)
                ok = self._antagonist_ok()
                if (
                    not self._counted
                    and self._held_n >= self._hold_n
                    and self._reached_at / self._rate <= t.time_to_target_s
                    and ok is not False
                ):
                    self._counted = True
                    self._reps += 1
            self._attempt_n += stop
            pos += stop
            if down.size:
                self._new_attempt(active=False)
        if not self._in_attempt:
            phase: TargetPhase = "rest"
        elif self._reached_at is None:
            phase = "rising"
        elif self._counted or self._held_n >= self._hold_n:
            phase = "held"
        elif self._broken:
            phase = "dropped"
        else:
            phase = "holding"
        return TargetState(
            phase=phase,
            level_pct_mvc=float(env[-1]) if n else float("nan"),
            hold_elapsed_s=self._held_n / self._rate,
            time_to_target_s=None if self._reached_at is None else self._reached_at / self._rate,
            reps_achieved=self._reps,
            antagonist_ok=self._antagonist_ok(),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BiofeedbackFrame:
    """What the biofeedback pipeline emits for one chunk.

    Attributes
    ----------
    envelope_v : ndarray, shape (n, n_channels)
        Causal envelope, volts.
    pct_mvc : ndarray, shape (n, n_channels)
        The envelope in %MVC of each channel.
    state : TargetState
        The target state after the chunk.
    delay_s : float
        Documented delay of the envelope behind the signal (sum of the stage group delays); the
        time to fill a chunk comes on top.
    """

    envelope_v: NDArray[np.float64]
    pct_mvc: NDArray[np.float64]
    state: TargetState
    delay_s: float


class Biofeedback:
    """Live biofeedback: chunks of raw EMG in, envelope, %MVC and target state out.

    The work per chunk is bounded: a fixed number of filter sections and vector operations per
    channel, whatever the length of the session (see ``benchmarks/bench_emg.py``).

    Parameters
    ----------
    sampling_rate_hz : float
    channel_names : tuple of str
        Names of the stream's columns, in order.
    mvc_v : dict of str to float
        MVC reference (envelope units, volts) of every channel.
    target : ActivationTarget
    agonist, antagonist : str, str or None
        Channels scored as the target's muscle and the muscle that should stay quiet.
    settings : LiveSettings

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.emg.cleaning import CleaningSettings
    >>> from reeducate.emg.simulate import simulate_bursts
    >>> t = ActivationTarget(muscle="vm", target_pct_mvc=30, time_to_target_s=2, hold_s=1,
    ...                      hold_floor_ratio=0.8, reps=1, rest_pct_mvc=10)
    >>> x = simulate_bursts(duration_s=4.0, sampling_rate_hz=2000.0, onsets_s=(1.0,),
    ...                     burst_s=2.0, burst_rms_v=50e-6, noise_rms_v=2e-6,
    ...                     rng=np.random.default_rng(0))
    >>> bf = Biofeedback(sampling_rate_hz=2000.0, channel_names=("VM",), mvc_v={"VM": 100e-6},
    ...                  target=t, agonist="VM", antagonist=None,
    ...                  settings=LiveSettings(cleaning=CleaningSettings(mains_hz=50.0),
    ...                                        envelope="lowpass"))
    >>> frames = list(bf.run(x[i:i + 20, None] for i in range(0, x.size, 20)))
    >>> frames[-1].state.reps_achieved, round(frames[-1].delay_s * 1e3, 1)
    (1, 39.3)
    """

    __slots__ = ("_agonist", "_antagonist", "_envelope", "_mvc", "_tracker", "channel_names")

    def __init__(
        self,
        *,
        sampling_rate_hz: float,
        channel_names: tuple[str, ...],
        mvc_v: dict[str, float],
        target: ActivationTarget,
        agonist: str,
        antagonist: str | None,
        settings: LiveSettings,
    ) -> None:
        names = tuple(channel_names)
        lower = [n.lower() for n in names]

        def index(name: str, what: str) -> int:
            if name.lower() not in lower:
                raise InvalidParameterError(
                    f"{what} {name!r} is not a channel of the stream; channels: {', '.join(names)}"
                )
            return lower.index(name.lower())

        missing = [n for n in names if n not in mvc_v]
        if missing:
            raise InvalidParameterError(f"mvc_v must give every channel; missing {missing}")
        refs = np.array([float(mvc_v[n]) for n in names])
        if not np.all(np.isfinite(refs)) or np.any(refs <= 0):
            raise InvalidParameterError(f"mvc_v values must be > 0; got {mvc_v!r}")
        if target.antagonist is not None and antagonist is None:
            raise InvalidParameterError(
                f"the target limits {target.antagonist!r}; name its channel with antagonist="
            )
        self.channel_names = names
        self._agonist = index(agonist, "agonist")
        self._antagonist = None if antagonist is None else index(antagonist, "antagonist")
        self._mvc = refs
        self._envelope = LiveEnvelope(
            sampling_rate_hz=sampling_rate_hz, n_channels=len(names), settings=settings
        )
        self._tracker = TargetTracker(target=target, sampling_rate_hz=sampling_rate_hz)

    def process(self, chunk: ArrayLike, /) -> BiofeedbackFrame:
        """Process the next chunk, shape (n, n_channels), volts."""
        env = self._envelope.process(chunk)
        pct = 100.0 * env / self._mvc
        ant = None if self._antagonist is None else pct[:, self._antagonist]
        state = self._tracker.update(pct[:, self._agonist], ant)
        return BiofeedbackFrame(
            envelope_v=env, pct_mvc=pct, state=state, delay_s=self._envelope.total_delay_s
        )

    def run(self, chunks: Iterable[ArrayLike], /) -> Iterator[BiofeedbackFrame]:
        """Process chunks as a stream delivers them (any iterable: a file replay, an LSL inlet)."""
        for chunk in chunks:
            yield self.process(chunk)
