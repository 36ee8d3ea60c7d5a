"""Building the Tasks bundles: reproducible aligned zips and source verification."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from reeducate.errors import FileFormatError, NotFoundError
from reeducate.movement.pose.models import DETECTOR_LENGTH_B
from reeducate.movement.pose.provision import _aligned_zip, main, read_sources


@pytest.mark.parametrize("names", [("a", "bb"), ("pose_detector.tflite", "x" * 7)])
def test_aligned_zip_is_reproducible_aligned_and_readable(names: tuple[str, str]) -> None:
    members = {names[0]: b"\x01" * 13, names[1]: b"\x02" * 1001}
    first, second = _aligned_zip(members), _aligned_zip(members)
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert zf.testzip() is None
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            offset = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert offset % 4 == 0, info.filename
            assert zf.read(info.filename) == members[info.filename]


def test_missing_package_is_named(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"pose_solution_packed_assets\.data not found"):
        read_sources(tmp_path)


def test_a_modified_source_model_is_refused_and_named(tmp_path: Path) -> None:
    (tmp_path / "pose_solution_packed_assets.data").write_bytes(b"\0" * DETECTOR_LENGTH_B)
    for model in ("lite", "full", "heavy"):
        (tmp_path / f"pose_landmark_{model}.tflite").write_bytes(b"tampered")
    with pytest.raises(FileFormatError, match=r"pose_landmark_lite.tflite: sha256 must be f17"):
        read_sources(tmp_path)


def test_cli_reports_errors_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--package-dir", str(tmp_path), "--output-dir", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
