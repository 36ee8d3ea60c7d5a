"""Writers of small EMG files in every format :func:`reeducate.io.emg_readers.read_emg` reads.

The tests call these writers in ``tmp_path`` (nothing binary is committed): EDF with edfio's
``Edf``/``EdfSignal`` (16-bit), BDF with ``Bdf``/``BdfSignal`` (24-bit), C3D with ezc3d, and XDF
with the small writer below, which follows the XDF 1.0 specification
(https://github.com/sccn/xdf/wiki/Specifications: magic ``XDF:``, chunks of
[length-bytes][length][tag][content]; FileHeader 1, StreamHeader 2, Samples 3, StreamFooter 6)
and is read back with pyxdf, an independent implementation. The signals are deterministic
(seeded) band-limited noise in microvolts, so a test knows every sample it should read back.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

RATE_HZ = 2000.0
LABELS = ("VL", "BF")


def known_emg_uv(n: int = 4000, *, seed: int = 7) -> np.ndarray:
    """(n, 2) deterministic EMG-like samples in microvolts (burst on VL from 0.5 s to 1.5 s)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=10.0, size=(n, len(LABELS)))
    x[int(0.5 * RATE_HZ) : int(1.5 * RATE_HZ), 0] *= 20.0
    return np.round(x, 3)


def write_edf(path: Path, data_uv: np.ndarray, *, bdf: bool = False, unit: str = "uV") -> None:
    """EDF (16-bit) or BDF (24-bit) with physical range +-5000 uV (edfio)."""
    import edfio

    signal_cls = edfio.BdfSignal if bdf else edfio.EdfSignal
    doc_cls = edfio.Bdf if bdf else edfio.Edf
    digital = (-8388608, 8388607) if bdf else (-32768, 32767)
    signals = [
        signal_cls(
            data_uv[:, i],
            RATE_HZ,
            label=label,
            physical_dimension=unit,
            physical_range=(-5000.0, 5000.0),
            digital_range=digital,
        )
        for i, label in enumerate(LABELS)
    ]
    doc_cls(signals).write(path)


def _chunk(tag: int, content: bytes) -> bytes:
    length = len(content) + 2
    return b"\x08" + struct.pack("<Q", length) + struct.pack("<H", tag) + content


def write_xdf(
    path: Path,
    data: np.ndarray,
    *,
    units: tuple[str | None, ...] = ("microvolts", "microvolts"),
    stream_type: str = "EMG",
    rate_hz: float = RATE_HZ,
    stamp_rate_hz: float | None = None,
) -> None:
    """One float32 stream (plus a marker stream) in XDF 1.0; time stamps at ``stamp_rate_hz``."""
    stamp_rate = rate_hz if stamp_rate_hz is None else stamp_rate_hz
    chans = "".join(
        f"<channel><label>{label}</label>"
        + (f"<unit>{unit}</unit>" if unit is not None else "")
        + "<type>EMG</type></channel>"
        for label, unit in zip(LABELS, units, strict=True)
    )
    header = (
        '<?xml version="1.0"?><info><name>emg-amp</name>'
        f"<type>{stream_type}</type><channel_count>{data.shape[1]}</channel_count>"
        f"<nominal_srate>{rate_hz:g}</nominal_srate><channel_format>float32</channel_format>"
        f"<created_at>100.0</created_at><desc><channels>{chans}</channels></desc></info>"
    )
    markers = (
        '<?xml version="1.0"?><info><name>markers</name><type>Markers</type>'
        "<channel_count>1</channel_count><nominal_srate>0</nominal_srate>"
        "<channel_format>string</channel_format><created_at>100.0</created_at></info>"
    )
    out = bytearray(b"XDF:")
    out += _chunk(1, b'<?xml version="1.0"?><info><version>1.0</version></info>')
    out += _chunk(2, struct.pack("<I", 1) + header.encode())
    out += _chunk(2, struct.pack("<I", 2) + markers.encode())
    t0 = 100.0
    stamps = t0 + np.arange(data.shape[0]) / stamp_rate
    block = 500
    for start in range(0, data.shape[0], block):
        rows = data[start : start + block].astype("<f4")
        body = bytearray(struct.pack("<I", 1))
        body += b"\x04" + struct.pack("<I", rows.shape[0])
        for k in range(rows.shape[0]):
            body += b"\x08" + struct.pack("<d", stamps[start + k]) + rows[k].tobytes()
        out += _chunk(3, bytes(body))
    text = b"go"
    out += _chunk(
        3,
        struct.pack("<I", 2) + b"\x01\x01" + b"\x08" + struct.pack("<d", t0 + 0.5)
        + b"\x01" + bytes([len(text)]) + text,
    )  # fmt: skip
    footer = (
        '<?xml version="1.0"?><info>'
        f"<first_timestamp>{stamps[0]}</first_timestamp><last_timestamp>{stamps[-1]}"
        f"</last_timestamp><sample_count>{data.shape[0]}</sample_count></info>"
    )
    out += _chunk(6, struct.pack("<I", 1) + footer.encode())
    Path(path).write_bytes(bytes(out))


def write_c3d(path: Path, data_mv: np.ndarray, *, units: tuple[str, ...] = ("mV", "mV")) -> None:
    """Analog EMG channels 'EMG VL', 'EMG BF' plus a 'Force' channel (ezc3d), SCALE 0.5."""
    import ezc3d

    n = data_mv.shape[0]
    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [100.0]
    c["parameters"]["POINT"]["LABELS"]["value"] = ("marker",)
    c["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    c["data"]["points"] = np.ones((4, 1, n // 20))
    c["parameters"]["ANALOG"]["RATE"]["value"] = [RATE_HZ]
    c["parameters"]["ANALOG"]["LABELS"]["value"] = ("EMG VL", "EMG BF", "Force")
    c["parameters"]["ANALOG"]["UNITS"]["value"] = [*units, "N"]
    c["parameters"]["ANALOG"]["SCALE"]["value"] = [0.5, 0.5, 0.5]
    c["parameters"]["ANALOG"]["GEN_SCALE"]["value"] = [1.0]
    analogs = np.vstack([data_mv.T, np.full((1, n), 700.0)])
    c["data"]["analogs"] = analogs[None]
    c.write(str(path))
