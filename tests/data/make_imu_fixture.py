"""Generate ``gaitmap_imu_slice.csv.gz``: rows 560-1159 of the gaitmap example IMU recording.

The slice keeps the two header rows (sensor, axis) and the original sample counter, byte for
byte, and is gzip-compressed (mtime 0, so the output is deterministic). It holds two complete
strides of each foot: left 584-802-1023 and right 691-913-1133 in the annotated stride borders
(``stride_borders_sample.csv`` of gaitmap).

Source: ``../shared/data/imu_gait/gaitmap_imu_sample.csv`` (= ``mad-lab-fau/gaitmap@05ad9716:
example_data/imu_sample.csv``, MIT). Run ``python tests/data/make_imu_fixture.py``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

FIRST_ROW = 560
STOP_ROW = 1160
#: Annotated stride borders inside the slice (original sample numbers): foot -> borders.
STRIDE_BORDERS = {"left": (584, 802, 1023), "right": (691, 913, 1133)}


def make(source: Path, target: Path) -> None:
    lines = source.read_bytes().splitlines(keepends=True)
    header, rows = lines[:2], lines[2:]
    text = b"".join(header + rows[FIRST_ROW:STOP_ROW])
    target.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    make(
        here.parents[1].parent / "shared" / "data" / "imu_gait" / "gaitmap_imu_sample.csv",
        here / "gaitmap_imu_slice.csv.gz",
    )
