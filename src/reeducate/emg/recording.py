"""A multichannel surface-EMG recording in SI units (volts), as every reader returns it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import InvalidParameterError, NotFoundError, SignalQualityError
from reeducate.signals.checks import check_sampling_rate

__all__ = ["MICROVOLTS_PER_VOLT", "EmgRecording"]

#: Display factor: EMG amplitudes are computed in volts and shown in microvolts.
MICROVOLTS_PER_VOLT: Final[float] = 1e6


@dataclass(frozen=True, slots=True, kw_only=True)
class EmgRecording:
    """Surface EMG: samples in volts, one column per channel, uniformly sampled.

    Attributes
    ----------
    signals_v : ndarray, shape (n_samples, n_channels)
        EMG in volts (readers convert the file's unit at load).
    channel_names : tuple of str
        One unique name per column, as written in the file.
    sampling_rate_hz : float
    source_name : str
        File name (no directories) or another label.
    source_unit : str
        Unit of the samples in the source (``"uV"``, ``"mV"``, ``"V"``) and, where the file does
        not state it, where it was taken from.
    start_time_s : float
        Time of the first sample in the source's clock.

    Examples
    --------
    >>> import numpy as np
    >>> rec = EmgRecording(signals_v=np.zeros((4, 2)), channel_names=("VL", "BF"),
    ...                    sampling_rate_hz=2000.0, source_name="x.csv", source_unit="uV")
    >>> rec.n_channels, rec.duration_s, rec.channel_index("bf")
    (2, 0.002, 1)
    """

    signals_v: NDArray[np.float64]
    channel_names: tuple[str, ...]
    sampling_rate_hz: float
    source_name: str
    source_unit: str
    start_time_s: float = 0.0

    def __post_init__(self) -> None:
        data = np.array(self.signals_v, dtype=np.float64, copy=True)
        if data.ndim == 1:
            data = data[:, None]
        if data.ndim != 2:
            raise InvalidParameterError(
                f"signals_v must be 2-D (n_samples, n_channels); got shape {data.shape}"
            )
        if data.shape[0] < 2:
            raise SignalQualityError(
                f"{self.source_name}: has {data.shape[0]} sample(s); expected at least 2"
            )
        names = tuple(str(n).strip() for n in self.channel_names)
        if len(names) != data.shape[1]:
            raise InvalidParameterError(
                f"channel_names must name each of the {data.shape[1]} columns; got {len(names)}"
            )
        if len({n.lower() for n in names}) != len(names) or any(not n for n in names):
            raise InvalidParameterError(
                f"channel_names must be unique and non-empty; got {list(names)}"
            )
        bad = ~np.isfinite(data)
        if bad.any():
            row, col = (int(v) for v in np.argwhere(bad)[0])
            raise SignalQualityError(
                f"{self.source_name}: channel {names[col]!r} has {int(bad[:, col].sum())} "
                f"non-finite samples (first at sample {row}); expected finite numbers"
            )
        rate = check_sampling_rate(self.sampling_rate_hz)
        data.setflags(write=False)
        object.__setattr__(self, "signals_v", data)
        object.__setattr__(self, "channel_names", names)
        object.__setattr__(self, "sampling_rate_hz", rate)
        object.__setattr__(self, "start_time_s", float(self.start_time_s))

    @property
    def n_samples(self) -> int:
        """Number of samples per channel."""
        return int(self.signals_v.shape[0])

    @property
    def n_channels(self) -> int:
        """Number of channels."""
        return int(self.signals_v.shape[1])

    @property
    def duration_s(self) -> float:
        """Duration in seconds (``n_samples / sampling_rate_hz``)."""
        return self.n_samples / self.sampling_rate_hz

    def channel_index(self, name: str, /) -> int:
        """Column of channel ``name`` (case-insensitive); :class:`NotFoundError` otherwise."""
        key = name.strip().lower()
        for i, n in enumerate(self.channel_names):
            if n.lower() == key:
                return i
        raise NotFoundError(
            f"{self.source_name}: no channel named {name!r}; channels: "
            f"{', '.join(self.channel_names)}"
        )

    def channel(self, name: str, /) -> NDArray[np.float64]:
        """Samples of channel ``name`` in volts, shape (n_samples,)."""
        return np.asarray(self.signals_v[:, self.channel_index(name)])

    def select(self, names: tuple[str, ...], /) -> EmgRecording:
        """A recording with only the named channels, in that order."""
        idx = [self.channel_index(n) for n in names]
        return EmgRecording(
            signals_v=self.signals_v[:, idx],
            channel_names=tuple(self.channel_names[i] for i in idx),
            sampling_rate_hz=self.sampling_rate_hz,
            source_name=self.source_name,
            source_unit=self.source_unit,
            start_time_s=self.start_time_s,
        )
