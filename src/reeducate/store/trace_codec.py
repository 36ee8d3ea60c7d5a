"""How a display trace (:class:`reeducate.balance.display.DisplayTrace`) is stored: bytes.

Encoding :data:`TRACE_ENCODING` (``balance_trial_trace.encoding``): the ML samples then the AP
samples (planar, metres), each an IEEE-754 single-precision float, little-endian, the whole
compressed with zlib (RFC 1950). ``n_samples`` and ``sampling_rate_hz`` are columns of their own.
Single precision keeps about 7 significant digits (a CoP of 0.3 m to 0.03 µm), far below what a
plate resolves; the trace is for drawing only, the metrics having been computed on the full
signal at analysis time. A 60-s trial at 25 Hz takes about 11 KiB.

Examples
--------
>>> import numpy as np
>>> from reeducate.balance.display import DisplayTrace
>>> trace = DisplayTrace(ml_m=np.array([0.0, 0.001, 0.002]), ap_m=np.array([0.01, 0.0, -0.01]),
...                      sampling_rate_hz=25.0)
>>> data = encode_trace(trace)
>>> back = decode_trace(data, encoding=TRACE_ENCODING, n_samples=3, sampling_rate_hz=25.0)
>>> bool(np.allclose(back.ap_m, trace.ap_m, rtol=1e-6, atol=0.0))
True
"""

from __future__ import annotations

import zlib
from typing import Final

import numpy as np

from reeducate.balance.display import DisplayTrace
from reeducate.errors import FileFormatError

__all__ = ["TRACE_ENCODING", "decode_trace", "encode_trace"]

#: The one encoding written today (module docstring).
TRACE_ENCODING: Final = "zlib/f4le/ml,ap"
_DTYPE: Final = np.dtype("<f4")


def encode_trace(trace: DisplayTrace, /) -> bytes:
    """The trace's samples as :data:`TRACE_ENCODING` bytes."""
    planar = np.concatenate([trace.ml_m, trace.ap_m]).astype(_DTYPE)
    return zlib.compress(planar.tobytes(), level=6)


def decode_trace(
    data: bytes, /, *, encoding: str, n_samples: int, sampling_rate_hz: float
) -> DisplayTrace:
    """The trace stored as ``data`` (float64 arrays holding the stored single-precision values).

    Raises
    ------
    FileFormatError
        An unknown encoding, data that does not decompress, or a sample count that disagrees.
    """
    if encoding != TRACE_ENCODING:
        raise FileFormatError(
            f"encoding must be {TRACE_ENCODING!r} for a stored trace; got {encoding!r}"
        )
    try:
        raw = zlib.decompress(data)
    except zlib.error:
        raise FileFormatError(
            f"data must be zlib-compressed ({TRACE_ENCODING}); got {len(data)} bytes that are not"
        ) from None
    expected = 2 * n_samples * _DTYPE.itemsize
    if len(raw) != expected:
        raise FileFormatError(
            f"data must hold 2 x {n_samples} samples ({expected} bytes); got {len(raw)} bytes"
        )
    values = np.frombuffer(raw, dtype=_DTYPE).astype(np.float64)
    return DisplayTrace(
        ml_m=values[:n_samples], ap_m=values[n_samples:], sampling_rate_hz=sampling_rate_hz
    )
