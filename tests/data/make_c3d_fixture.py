"""Generate ``plate_type2.c3d``: one TYPE 2 force plate with known forces, moments and CoP.

A 68 kg person's vertical load with small shear; the CoP follows AP 8 mm at 0.3 Hz and ML 5 mm
at 0.2 Hz; the plate's moment origin is 40 mm below its surface (ORIGIN z = -40 mm); analog
channels are stored with ANALOG:SCALE 0.5 and GEN_SCALE 2 so the reader must honour scaling.
Moments in N·mm, positions in mm. ``write_type2_c3d`` is also used by the tests to write
variants. Run ``python tests/data/make_c3d_fixture.py`` to regenerate (deterministic).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

RATE_HZ = 100.0
DEPTH_MM = 40.0


def true_cop_m(time_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fixture's CoP path (AP, ML) in metres at ``time_s``."""
    return (
        0.008 * np.sin(2 * np.pi * 0.3 * time_s),
        0.005 * np.cos(2 * np.pi * 0.2 * time_s),
    )


def forces_moments(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Forces (N) and moments (N·mm) about the origin 40 mm below the surface (z down)."""
    t = np.arange(n) / RATE_HZ
    ap, ml = true_cop_m(t)
    fx = 5.0 * np.sin(2 * np.pi * 0.5 * t)
    fy = -3.0 * np.cos(2 * np.pi * 0.7 * t)
    fz = 667.0 + 10.0 * np.sin(2 * np.pi * 1.1 * t)
    depth_m = DEPTH_MM * 1e-3
    mx = ml * fz + depth_m * fy
    my = -ap * fz - depth_m * fx
    mz = 0.5 * np.ones(n)
    return np.vstack((fx, fy, fz)), np.vstack((mx, my, mz)) * 1e3


def write_type2_c3d(
    path: Path,
    force_n: np.ndarray,
    moment_nmm: np.ndarray,
    *,
    origin_mm: tuple[float, float, float] = (0.0, 0.0, -DEPTH_MM),
    moment_unit: str = "Nmm",
    plate_type: int = 2,
    n_plates: int = 1,
) -> None:
    """Write a C3D with ``n_plates`` identical plates (ezc3d applies SCALE/GEN_SCALE on write)."""
    import ezc3d
    from ezc3d import ezc3d as swig

    n = force_n.shape[1]
    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [RATE_HZ]
    c["parameters"]["POINT"]["LABELS"]["value"] = ("marker",)
    c["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    c["data"]["points"] = np.ones((4, 1, n))
    channels = np.vstack([np.vstack((force_n, moment_nmm))] * n_plates)
    names = [f"{q}{k + 1}" for k in range(n_plates) for q in ("Fx", "Fy", "Fz", "Mx", "My", "Mz")]
    units = [u for _ in range(n_plates) for u in ["N"] * 3 + [moment_unit] * 3]
    c["parameters"]["ANALOG"]["RATE"]["value"] = [RATE_HZ]
    c["parameters"]["ANALOG"]["LABELS"]["value"] = tuple(names)
    c["parameters"]["ANALOG"]["UNITS"]["value"] = units
    c["parameters"]["ANALOG"]["SCALE"]["value"] = [0.5] * len(names)
    c["parameters"]["ANALOG"]["GEN_SCALE"]["value"] = [2.0]
    c["data"]["analogs"] = channels[None]
    corners = np.array([[232, 254, 0], [-232, 254, 0], [-232, -254, 0], [232, -254, 0]], float)
    c.add_parameter("FORCE_PLATFORM", "USED", np.array([float(n_plates)]))
    c.add_parameter("FORCE_PLATFORM", "TYPE", np.full(n_plates, float(plate_type)))
    c.add_parameter("FORCE_PLATFORM", "ZERO", np.array([1.0, 0.0]))
    c.add_parameter("FORCE_PLATFORM", "CORNERS", np.repeat(corners.T[:, :, None], n_plates, 2))
    c.add_parameter(
        "FORCE_PLATFORM", "ORIGIN", np.repeat(np.array(origin_mm, float)[:, None], n_plates, 1)
    )
    c.add_parameter(
        "FORCE_PLATFORM", "CHANNEL", np.arange(1.0, 6 * n_plates + 1).reshape(n_plates, 6).T
    )
    for key in ("USED", "TYPE", "ZERO", "CHANNEL"):  # integer parameters in the C3D spec
        c["parameters"]["FORCE_PLATFORM"][key]["type"] = swig.INT
    c.write(str(path))


if __name__ == "__main__":
    f, m = forces_moments(300)
    write_type2_c3d(Path(__file__).with_name("plate_type2.c3d"), f, m)
