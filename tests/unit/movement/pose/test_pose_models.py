"""Model location and sha256 verification of the pose bundles."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError
from reeducate.movement.pose import models
from reeducate.movement.pose.models import (
    BUNDLE_SHA256,
    ENV_VAR,
    bundle_name,
    default_models_dir,
    locate_model,
    sha256_of,
    verify_sha256,
)


def test_model_names() -> None:
    assert [bundle_name(m) for m in models.POSE_MODELS] == [
        "pose_landmarker_lite.task",
        "pose_landmarker_full.task",
        "pose_landmarker_heavy.task",
    ]
    with pytest.raises(InvalidParameterError, match=r"model must be one of .*got 'huge'"):
        bundle_name("huge")


def test_sha256_closed_form(tmp_path: Path) -> None:
    p = tmp_path / "abc"
    p.write_bytes(b"abc")
    # FIPS 180-2, appendix B.1: SHA-256("abc")
    assert sha256_of(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_env_var_points_at_the_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert default_models_dir() == tmp_path
    monkeypatch.delenv(ENV_VAR)
    assert default_models_dir().parts[-3:] == ("share", "reeducate", "pose-models")


def test_missing_bundle_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"pose_landmarker_full.task not found .*install"):
        locate_model("full", models_dir=tmp_path)


def test_a_file_with_another_sha256_is_refused_and_named(tmp_path: Path) -> None:
    fake = tmp_path / "pose_landmarker_lite.task"
    fake.write_bytes(b"not a model")
    with pytest.raises(FileFormatError, match=r"pose_landmarker_lite.task: sha256 must be 72b"):
        locate_model("lite", models_dir=tmp_path)
    with pytest.raises(FileFormatError, match="got "):
        verify_sha256(fake, expected=BUNDLE_SHA256["lite"])


@pytest.mark.video
def test_installed_bundles_verify_and_a_tampered_copy_is_refused(tmp_path: Path) -> None:
    for model in models.POSE_MODELS:
        path = locate_model(model)
        assert sha256_of(path) == BUNDLE_SHA256[model]
    copy = tmp_path / "pose_landmarker_lite.task"
    shutil.copyfile(locate_model("lite"), copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit inside the landmark model's weights
    copy.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match=r"pose_landmarker_lite\.task: sha256"):
        locate_model("lite", models_dir=tmp_path)


@pytest.mark.video
def test_bundle_layout_is_what_the_tasks_api_expects() -> None:
    with zipfile.ZipFile(locate_model("full")) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert set(infos) == {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
        for info in infos.values():
            assert info.compress_type == zipfile.ZIP_STORED  # mmap-able, as MediaPipe needs
            data_offset = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert data_offset % 4 == 0
            # TFLite flatbuffers carry the file identifier "TFL3" at bytes 4..8
            assert zf.read(info.filename)[4:8] == b"TFL3"
