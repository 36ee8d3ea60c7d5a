"""Where the BlazePose model bundles live, and their pinned sha256 checksums.

The pose models are **never** downloaded at run time. ``scripts/pose-models.sh`` (run by
``scripts/install.sh`` when the ``video`` extra is installed) obtains the BlazePose tflite
files from the npm registry package ``@mediapipe/pose@0.5.1675469404`` (Apache-2.0), checks
each file against :data:`SOURCE_SHA256`, adds the TFLite metadata that the MediaPipe Tasks API
needs and writes one ``pose_landmarker_<model>.task`` bundle per model size
(:mod:`reeducate.movement.pose.provision`). The bundles are built deterministically, so their
checksums are pinned too (:data:`BUNDLE_SHA256`) and checked every time a model is loaded: a
file whose checksum differs is refused, never used.

The folder is ``$REEDUCATE_POSE_MODELS`` when that variable is set, otherwise
``<sys.prefix>/share/reeducate/pose-models`` (inside the virtual environment).

Example
-------
>>> from reeducate.movement.pose.models import BUNDLE_SHA256, bundle_name
>>> bundle_name("lite"), sorted(BUNDLE_SHA256)
('pose_landmarker_lite.task', ['full', 'heavy', 'lite'])
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Final, Literal, get_args

from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError

PoseModel = Literal["lite", "full", "heavy"]
"""BlazePose GHUM landmark model size (Bazarevsky et al. 2020, arXiv:2006.10204)."""

POSE_MODELS: Final[tuple[str, ...]] = get_args(PoseModel)

NPM_PACKAGE: Final[str] = "@mediapipe/pose@0.5.1675469404"
"""The npm registry package that carries the three landmark models and the detector."""

DETECTOR_OFFSET_B: Final[int] = 0
DETECTOR_LENGTH_B: Final[int] = 2_962_288
"""The detector is bytes 0..2,962,288 of ``pose_solution_packed_assets.data`` (stated in
``pose_solution_packed_assets_loader.js`` of the same package)."""

SOURCE_SHA256: Final[dict[str, str]] = {
    "pose_detection.tflite": "a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85",
    "pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite": (
        "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"
    ),
}
"""sha256 of the files taken from the npm package (shared/reference/movement.md §1.1)."""

BUNDLE_SHA256: Final[dict[str, str]] = {
    "lite": "72b78346340ff162227e9005ab931e2f8b0fe23940ea6b264e019fe481c1d7f8",
    "full": "4d0426d7d41af8efdb6e6c439721a90b466ef446a4eb7ec52869b825175e6363",
    "heavy": "7e39edcfec1e32cbb857cacbce84940c20e6269b520b849128145bcc2f760812",
}
"""sha256 of the ``.task`` bundles that :mod:`~reeducate.movement.pose.provision` builds."""

ENV_VAR: Final[str] = "REEDUCATE_POSE_MODELS"


def check_model(model: str, /) -> PoseModel:
    """Return ``model`` if it is a known model size, else :class:`InvalidParameterError`."""
    if model not in POSE_MODELS:
        raise InvalidParameterError(f"model must be one of {list(POSE_MODELS)}; got {model!r}")
    return model  # type: ignore[return-value]


def bundle_name(model: str, /) -> str:
    """File name of the bundle of ``model`` (``"lite"``, ``"full"`` or ``"heavy"``)."""
    return f"pose_landmarker_{check_model(model)}.task"


def default_models_dir() -> Path:
    """``$REEDUCATE_POSE_MODELS`` if set, else ``<sys.prefix>/share/reeducate/pose-models``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(sys.prefix) / "share" / "reeducate" / "pose-models"


def sha256_of(path: Path, /) -> str:
    """Hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: Path, /, *, expected: str) -> None:
    """Refuse ``path`` (:class:`FileFormatError` naming it) unless its sha256 is ``expected``.

    Example
    -------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "m.task"; _ = p.write_bytes(b"abc")
    ...     verify_sha256(p, expected="0" * 64)
    Traceback (most recent call last):
    ...
    reeducate.errors.FileFormatError: m.task: sha256 must be 000...
    """
    got = sha256_of(path)
    if got != expected:
        raise FileFormatError(
            f"{path.name}: sha256 must be {expected[:3]}... ({expected}); got {got}. "
            f"The file in {path.parent} is not the pinned model; rebuild it with "
            "scripts/pose-models.sh"
        )


def locate_model(model: str, /, *, models_dir: Path | None = None) -> Path:
    """Path of the verified bundle of ``model``.

    Parameters
    ----------
    model : {"lite", "full", "heavy"}
        Landmark model size.
    models_dir : Path, optional
        Folder of the bundles; :func:`default_models_dir` when omitted.

    Returns
    -------
    Path
        The bundle, whose sha256 has been checked against :data:`BUNDLE_SHA256`.

    Raises
    ------
    NotFoundError
        The bundle is absent (the message says how to install it).
    FileFormatError
        The bundle's sha256 differs from the pinned value.
    """
    name = bundle_name(model)
    folder = default_models_dir() if models_dir is None else Path(models_dir)
    path = folder / name
    if not path.is_file():
        raise NotFoundError(
            f"pose model {name} not found in {folder}; install the video extra with "
            "scripts/install.sh video (it runs scripts/pose-models.sh), or point "
            f"{ENV_VAR} at the folder holding the bundles"
        )
    verify_sha256(path, expected=BUNDLE_SHA256[check_model(model)])
    return path
