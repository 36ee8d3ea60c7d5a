"""Generate ``wbb_synthetic.csv``: a synthetic Wii Balance Board recording with a known CoP.

The CoP follows an ellipse-like path (AP 10 mm at 0.25 Hz, ML 6 mm at 0.4 Hz) on the Wii board
geometry of Leach et al. 2014 (433 mm x 238 mm between sensors); timestamps are jittered
(nominal 60 Hz, each step 0.75-1.25 of nominal) and written in milliseconds; loads in kg.
Run ``python tests/data/make_wbb_fixture.py`` to regenerate (seeded, deterministic).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SPACING_ML_M = 0.433
SPACING_AP_M = 0.238
MASS_KG = 68.0


def true_cop_m(time_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CoP path (AP, ML) in metres of the fixture at ``time_s``."""
    return (
        0.010 * np.sin(2 * np.pi * 0.25 * time_s),
        0.006 * np.sin(2 * np.pi * 0.4 * time_s + 0.5),
    )


def make(path: Path, *, seed: int = 20160801, duration_s: float = 10.0) -> None:
    rng = np.random.default_rng(seed)
    n = int(duration_s * 60)
    time_s = np.cumsum(rng.uniform(0.75, 1.25, n) / 60.0)
    ap, ml = true_cop_m(time_s)
    u = 0.5 + ml / SPACING_ML_M
    v = 0.5 + ap / SPACING_AP_M
    loads = np.column_stack((v * (1 - u), v * u, (1 - v) * u, (1 - v) * (1 - u))) * MASS_KG
    rows = np.column_stack((time_s * 1e3, loads))
    header = "time (ms),TL[kg],TR[kg],BR[kg],BL[kg]"
    np.savetxt(path, rows, fmt="%.6f", delimiter=",", header=header, comments="")


if __name__ == "__main__":
    make(Path(__file__).with_name("wbb_synthetic.csv"))
