"""EMG-triggered stimulation: a device-agnostic state machine fed an EMG envelope chunk by chunk.

The patient starts the movement; when their own effort (the EMG envelope, in % of their maximal
voluntary contraction) stays above ``trigger_pct_mvc`` for ``min_effort_s``, the controller
commands the stimulator to ramp up, hold and ramp down over ``on_s``; then it rests for
``off_s`` (the EMG is ignored: the stimulation artefact and the evoked response contaminate
it); then it waits until the envelope has fallen below ``release_pct_mvc`` (hysteresis: one
sustained effort gives one stimulation), and listens again::

    REST --effort above trigger for min_effort_s--> STIMULATING --on_s--> RECOVERY --off_s-->
    WAIT_RELEASE --envelope below release--> REST

The controller never reads a clock and knows no device: it is driven by the timestamps of the
samples it is given (:meth:`EmgTriggeredController.update`, or :meth:`~EmgTriggeredController.
advance` when time passes without samples) and returns :class:`StimCommand` objects that a
device driver executes (``start`` carries the ramps and the on-time, ``stop`` ends it).
:meth:`~EmgTriggeredController.abort` stops at once.

Timing, and what the tests verify:

* **detection delay** – ``start.at_s`` is the time of the first sample at which the envelope has
  been above the trigger for ``min_effort_s``; for samples every ``dt`` it lies within
  ``[t_cross + min_effort_s, t_cross + min_effort_s + dt]`` of the first sample above
  threshold ``t_cross``. A caller that feeds chunks sees the command at most one chunk later.
* **on-time** – ``stop.at_s - start.at_s`` is within ``[on_s, on_s + dt]`` (the stop is issued
  at the first sample at or after the end of the on-time; at most one chunk later by
  :meth:`~EmgTriggeredController.advance`).
* the commands do not depend on how the samples are cut into chunks.

Each chunk is processed with NumPy (a few array operations per state change), not sample by
sample in Python.

Examples
--------
>>> import numpy as np
>>> settings = TriggerSettings(trigger_pct_mvc=20, release_pct_mvc=10, min_effort_s=0.05,
...                            on_s=5, ramp_up_s=1, ramp_down_s=1, off_s=10)
>>> controller = EmgTriggeredController(settings=settings)
>>> times_s = np.arange(0, 20, 0.01)
>>> envelope = np.where((times_s >= 2.0) & (times_s < 4.0), 40.0, 2.0)
>>> [(c.action.value, round(c.at_s, 2)) for c in controller.update(envelope, times_s=times_s)]
[('start', 2.05), ('stop', 7.05)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.errors import InvalidParameterError, SignalQualityError

if TYPE_CHECKING:
    from reeducate.stim.protocols import Protocol

__all__ = [
    "ControllerState",
    "EmgTriggeredController",
    "StimAction",
    "StimCommand",
    "TriggerSettings",
    "command_pairs",
    "ramp_profile",
    "run_offline",
    "trigger_settings_for",
]

#: Tolerance on time comparisons (s): timestamps are sums of floating-point steps.
TIME_EPS_S: Final = 1e-9


class ControllerState(StrEnum):
    """States of the controller."""

    REST = "rest"
    STIMULATING = "stimulating"
    RECOVERY = "recovery"
    WAIT_RELEASE = "wait_release"


class StimAction(StrEnum):
    """What a command asks the stimulator to do."""

    START = "start"
    STOP = "stop"


@dataclass(frozen=True, slots=True, kw_only=True)
class StimCommand:
    """A command for the stimulator.

    Attributes
    ----------
    action : StimAction
        ``start`` (ramp up over ``ramp_up_s``, hold, ramp down over ``ramp_down_s``, all within
        ``on_s``) or ``stop`` (output off now).
    at_s : float
        Time of the sample at which the decision was made (the input's time base).
    on_s, ramp_up_s, ramp_down_s : float
        The stimulation's timing (a ``stop`` repeats those of its ``start``).
    reason : str
        Why: ``effort detected``, ``on-time elapsed`` or ``aborted: ...``.
    """

    action: StimAction
    at_s: float
    on_s: float
    ramp_up_s: float
    ramp_down_s: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerSettings:
    """Settings of the EMG-triggered controller.

    Attributes
    ----------
    trigger_pct_mvc : float
        Envelope level (% MVC) the voluntary effort must exceed, 0 < x <= 100.
    release_pct_mvc : float
        Level the envelope must fall below before another trigger, 0 <= x <= trigger.
    min_effort_s : float
        How long the envelope must stay above the trigger, s (>= 0; debounce against spikes:
        25–50 ms as in Hodges & Bui 1996, doi:10.1016/S0921-884X(96)95190-5).
    on_s : float
        Stimulation time, ramps included, s (> 0).
    ramp_up_s, ramp_down_s : float
        Ramps, s (>= 0, together at most ``on_s``).
    off_s : float
        Rest after each stimulation during which the EMG is ignored, s (>= 0).
    """

    trigger_pct_mvc: float
    release_pct_mvc: float
    min_effort_s: float
    on_s: float
    ramp_up_s: float
    ramp_down_s: float
    off_s: float

    def __post_init__(self) -> None:
        for name in ("trigger_pct_mvc", "release_pct_mvc", "min_effort_s", "on_s",
                     "ramp_up_s", "ramp_down_s", "off_s"):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidParameterError(f"{name} must be a number; got {value!r}")
            if not np.isfinite(value) or value < 0:
                raise InvalidParameterError(f"{name} must be a finite number >= 0; got {value!r}")
            object.__setattr__(self, name, float(value))
        if not 0 < self.trigger_pct_mvc <= 100:
            raise InvalidParameterError(
                f"trigger_pct_mvc must be > 0 and <= 100; got {self.trigger_pct_mvc!r}"
            )
        if self.release_pct_mvc > self.trigger_pct_mvc:
            raise InvalidParameterError(
                f"release_pct_mvc must be <= trigger_pct_mvc ({self.trigger_pct_mvc:g}); "
                f"got {self.release_pct_mvc!r}"
            )
        if self.on_s <= 0:
            raise InvalidParameterError(f"on_s must be > 0; got {self.on_s!r}")
        if self.ramp_up_s + self.ramp_down_s > self.on_s:
            raise InvalidParameterError(
                f"ramp_up_s plus ramp_down_s must not exceed on_s ({self.on_s:g} s); got "
                f"{self.ramp_up_s:g} + {self.ramp_down_s:g} s"
            )


def trigger_settings_for(protocol: Protocol, /) -> TriggerSettings:
    """The controller settings of an EMG-triggered protocol (its trigger and timing).

    Examples
    --------
    >>> from reeducate.stim.protocols import load_protocols
    >>> s = trigger_settings_for(load_protocols().get("dorsiflexion-assist"))
    >>> s.trigger_pct_mvc, s.min_effort_s, s.on_s, s.off_s
    (20.0, 0.05, 5.0, 10.0)
    """
    if protocol.trigger is None:
        raise InvalidParameterError(
            f"protocol must be EMG-triggered; got {protocol.id!r}, mode {protocol.mode.value}"
        )
    return TriggerSettings(
        trigger_pct_mvc=protocol.trigger.trigger_pct_mvc,
        release_pct_mvc=protocol.trigger.release_pct_mvc,
        min_effort_s=protocol.trigger.min_effort_s,
        on_s=protocol.on_s.value,
        ramp_up_s=protocol.ramp_up_s.value,
        ramp_down_s=protocol.ramp_down_s.value,
        off_s=protocol.off_s.value,
    )


@dataclass(slots=True)
class _Memory:
    state: ControllerState = ControllerState.REST
    last_time_s: float | None = None
    above_since_s: float | None = None  # start of the current run above the trigger (REST)
    started_at_s: float | None = None
    stopped_at_s: float | None = None
    commands: list[StimCommand] = field(default_factory=list)


class EmgTriggeredController:
    """The EMG-triggered stimulation state machine (see the module docstring).

    Parameters
    ----------
    settings : TriggerSettings
        Thresholds and timing.
    """

    def __init__(self, *, settings: TriggerSettings) -> None:
        if not isinstance(settings, TriggerSettings):
            raise InvalidParameterError(f"settings must be TriggerSettings; got {settings!r}")
        self._settings = settings
        self._m = _Memory()

    @property
    def settings(self) -> TriggerSettings:
        """The settings."""
        return self._settings

    @property
    def state(self) -> ControllerState:
        """The current state."""
        return self._m.state

    @property
    def history(self) -> tuple[StimCommand, ...]:
        """Every command issued so far, in order."""
        return tuple(self._m.commands)

    # ----------------------------------------------------------------------------------------

    def _start(self, at_s: float) -> StimCommand:
        self._m.state = ControllerState.STIMULATING
        self._m.started_at_s = at_s
        self._m.above_since_s = None
        return self._command(StimAction.START, at_s, "effort detected")

    def _stop(self, at_s: float, reason: str) -> StimCommand:
        self._m.state = ControllerState.RECOVERY
        self._m.stopped_at_s = at_s
        return self._command(StimAction.STOP, at_s, reason)

    def _command(self, action: StimAction, at_s: float, reason: str) -> StimCommand:
        s = self._settings
        command = StimCommand(
            action=action,
            at_s=at_s,
            on_s=s.on_s,
            ramp_up_s=s.ramp_up_s,
            ramp_down_s=s.ramp_down_s,
            reason=reason,
        )
        self._m.commands.append(command)
        return command

    def _check_times(self, times: NDArray[np.float64]) -> None:
        # ndarray methods, not np.all(...): this runs on every chunk of a live stream
        if times.size and not np.isfinite(times).all():
            raise InvalidParameterError("times_s must be finite; got NaN or infinity")
        if times.size > 1 and not (times[1:] > times[:-1]).all():
            bad = int(np.argmax(times[1:] <= times[:-1])) + 1
            raise InvalidParameterError(
                f"times_s must increase strictly; got {float(times[bad])!r} after "
                f"{float(times[bad - 1])!r} "
                f"at sample {bad}"
            )
        last = self._m.last_time_s
        if times.size and last is not None and times[0] <= last:
            raise InvalidParameterError(
                f"times_s must continue after the previous chunk (last {last!r}); got "
                f"{float(times[0])!r} first"
            )

    def update(self, envelope_pct_mvc: ArrayLike, /, *, times_s: ArrayLike) -> list[StimCommand]:
        """Feed one chunk of the EMG envelope; return the commands it causes, in order.

        Parameters
        ----------
        envelope_pct_mvc : array_like, shape (n_samples,)
            Envelope of the triggering muscle's EMG, % MVC (rectified and smoothed upstream;
            causal smoothing for live use).
        times_s : array_like, shape (n_samples,)
            Time of each sample, s, strictly increasing, after the previous chunk's.

        Returns
        -------
        list of StimCommand
            The commands caused by this chunk (often none).

        Raises
        ------
        InvalidParameterError
            Shapes that differ, times that are not finite and increasing.
        SignalQualityError
            A NaN or infinite envelope sample (named by its time).
        """
        env = np.asarray(envelope_pct_mvc, dtype=float)
        times = np.asarray(times_s, dtype=float)
        if env.ndim != 1 or times.shape != env.shape:
            raise InvalidParameterError(
                "envelope_pct_mvc and times_s must be 1-D of the same length; got shapes "
                f"{env.shape} and {times.shape}"
            )
        self._check_times(times)
        if not np.isfinite(env).all():
            bad = int(np.argmax(~np.isfinite(env)))
            raise SignalQualityError(
                f"envelope_pct_mvc must be finite; got {float(env[bad])!r} "
                f"at t = {times[bad]:.4f} s"
            )
        out: list[StimCommand] = []
        i = 0
        n = env.size
        while i < n:
            i = self._step(env, times, i, out)
        if n:
            self._m.last_time_s = float(times[-1])
        return out

    def advance(self, now_s: float, /) -> list[StimCommand]:
        """Let time pass without samples (a gap, or the end of a recording): issue a ``stop``
        that falls due by ``now_s`` (at the due time) and end a recovery that has elapsed.

        Examples
        --------
        >>> c = EmgTriggeredController(settings=TriggerSettings(trigger_pct_mvc=20,
        ...     release_pct_mvc=10, min_effort_s=0, on_s=2, ramp_up_s=0.5, ramp_down_s=0.5,
        ...     off_s=1))
        >>> [x.action.value for x in c.update([50.0], times_s=[1.0])]
        ['start']
        >>> [(x.action.value, x.at_s) for x in c.advance(10.0)], c.state.value
        ([('stop', 3.0)], 'wait_release')
        """
        if not np.isfinite(now_s):
            raise InvalidParameterError(f"now_s must be finite; got {now_s!r}")
        last = self._m.last_time_s
        if last is not None and now_s < last:
            raise InvalidParameterError(f"now_s must not go back before {last!r}; got {now_s!r}")
        s = self._settings
        out: list[StimCommand] = []
        if self._m.state is ControllerState.STIMULATING:
            assert self._m.started_at_s is not None
            due = self._m.started_at_s + s.on_s
            if now_s + TIME_EPS_S >= due:
                out.append(self._stop(due, "on-time elapsed"))
        if self._m.state is ControllerState.RECOVERY:
            assert self._m.stopped_at_s is not None
            if now_s + TIME_EPS_S >= self._m.stopped_at_s + s.off_s:
                self._m.state = ControllerState.WAIT_RELEASE
        if self._m.state is ControllerState.REST and (last is None or now_s > last):
            self._m.above_since_s = None  # no samples: an effort is not known to continue
        self._m.last_time_s = float(now_s)
        return out

    def abort(self, now_s: float, /, *, reason: str) -> list[StimCommand]:
        """Stop at once (a button, a fault, the patient's request); returns the ``stop`` when
        stimulating, else nothing. The controller then recovers as after any stimulation."""
        if self._m.state is not ControllerState.STIMULATING:
            return []
        return [self._stop(float(now_s), f"aborted: {reason}")]

    # ----------------------------------------------------------------------------------------

    def _step(
        self, env: NDArray[np.float64], times: NDArray[np.float64], i: int, out: list[StimCommand]
    ) -> int:
        """Process samples from ``i`` in the current state; return the next sample to process."""
        s = self._settings
        m = self._m
        if m.state is ControllerState.REST:
            seg_env, seg_t = env[i:], times[i:]
            above = seg_env > s.trigger_pct_mvc
            if not above.any():  # the common case at rest: nothing to track
                m.above_since_s = None
                return env.size
            previous = np.concatenate(([m.above_since_s is not None], above[:-1]))
            begins = above & ~previous
            index = np.arange(seg_env.size)
            run_start = np.maximum.accumulate(np.where(begins, index, -1))
            carried = m.above_since_s if m.above_since_s is not None else np.nan
            start_t = np.where(run_start >= 0, seg_t[np.maximum(run_start, 0)], carried)
            ready = above & (seg_t - start_t + TIME_EPS_S >= s.min_effort_s)
            if ready.any():
                k = int(np.argmax(ready))
                out.append(self._start(float(seg_t[k])))
                return i + k + 1
            m.above_since_s = float(start_t[-1]) if above[-1] else None
            return env.size
        if m.state is ControllerState.STIMULATING:
            assert m.started_at_s is not None
            due = m.started_at_s + s.on_s
            k = int(np.searchsorted(times[i:] + TIME_EPS_S, due, side="left"))
            if i + k >= env.size:
                return env.size
            out.append(self._stop(float(times[i + k]), "on-time elapsed"))
            return i + k + 1
        if m.state is ControllerState.RECOVERY:
            assert m.stopped_at_s is not None
            due = m.stopped_at_s + s.off_s
            k = int(np.searchsorted(times[i:] + TIME_EPS_S, due, side="left"))
            if i + k >= env.size:
                return env.size
            m.state = ControllerState.WAIT_RELEASE
            return i + k
        # WAIT_RELEASE
        below = env[i:] < s.release_pct_mvc
        if not below.any():
            return env.size
        m.state = ControllerState.REST
        m.above_since_s = None
        return i + int(np.argmax(below))


def run_offline(
    envelope_pct_mvc: ArrayLike,
    /,
    *,
    times_s: ArrayLike,
    settings: TriggerSettings,
    chunk_size: int | None = None,
) -> list[StimCommand]:
    """Run a fresh controller over a whole recording (in chunks of ``chunk_size`` samples, or
    at once), then :meth:`~EmgTriggeredController.advance` to the last sample.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0, 10, 0.001)
    >>> env = np.where(t >= 1.0, 30.0, 0.0)
    >>> s = TriggerSettings(trigger_pct_mvc=20, release_pct_mvc=10, min_effort_s=0.05,
    ...                     on_s=5, ramp_up_s=1, ramp_down_s=1, off_s=10)
    >>> [(c.action.value, round(c.at_s, 3)) for c in run_offline(env, times_s=t, settings=s,
    ...                                                           chunk_size=20)]
    [('start', 1.05), ('stop', 6.05)]
    """
    env = np.asarray(envelope_pct_mvc, dtype=float)
    times = np.asarray(times_s, dtype=float)
    controller = EmgTriggeredController(settings=settings)
    if chunk_size is None:
        commands = controller.update(env, times_s=times)
    else:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise InvalidParameterError(f"chunk_size must be an integer >= 1; got {chunk_size!r}")
        commands = []
        for start in range(0, env.size, chunk_size):
            stop = start + chunk_size
            commands += controller.update(env[start:stop], times_s=times[start:stop])
    if times.size:
        commands += controller.advance(float(times[-1]))
    return commands


def ramp_profile(
    t_s: ArrayLike, /, *, on_s: float, ramp_up_s: float, ramp_down_s: float
) -> NDArray[np.float64]:
    """Output amplitude (0–1) of one stimulation at times ``t_s`` after its start: a trapezoid,
    for a device driver without ramps of its own.

    Parameters
    ----------
    t_s : array_like
        Time since the ``start`` command, s.
    on_s, ramp_up_s, ramp_down_s : float
        The command's timing.

    Examples
    --------
    >>> ramp_profile([-1, 0, 0.5, 1, 3, 4.5, 5, 6], on_s=5, ramp_up_s=1, ramp_down_s=1)
    array([0. , 0. , 0.5, 1. , 1. , 0.5, 0. , 0. ])
    """
    t = np.asarray(t_s, dtype=float)
    rise = np.clip(t / ramp_up_s, 0.0, 1.0) if ramp_up_s > 0 else (t >= 0).astype(float)
    fall = (
        np.clip((on_s - t) / ramp_down_s, 0.0, 1.0) if ramp_down_s > 0 else (t < on_s).astype(float)
    )
    inside = (t >= 0) & (t <= on_s)
    return np.where(inside, np.minimum(rise, fall), 0.0)


def command_pairs(commands: Sequence[StimCommand], /) -> list[tuple[float, float]]:
    """(start, stop) times of each completed stimulation in a command list.

    >>> s = StimCommand(action=StimAction.START, at_s=1.0, on_s=5, ramp_up_s=1, ramp_down_s=1,
    ...                 reason="effort detected")
    >>> e = StimCommand(action=StimAction.STOP, at_s=6.0, on_s=5, ramp_up_s=1, ramp_down_s=1,
    ...                 reason="on-time elapsed")
    >>> command_pairs([s, e])
    [(1.0, 6.0)]
    """
    pairs: list[tuple[float, float]] = []
    started: float | None = None
    for c in commands:
        if c.action is StimAction.START:
            started = c.at_s
        elif started is not None:
            pairs.append((started, c.at_s))
            started = None
    return pairs
