"""Build the MediaPipe Tasks pose bundles from the BlazePose files of a registry package.

Install-time only (run by ``scripts/pose-models.sh``; never at analysis time). Given the
unpacked npm package ``@mediapipe/pose@0.5.1675469404`` (see
:data:`reeducate.movement.pose.models.NPM_PACKAGE`) this module

1. cuts the detector out of ``pose_solution_packed_assets.data`` (bytes 0..2,962,288);
2. checks every source file against :data:`~reeducate.movement.pose.models.SOURCE_SHA256`
   and refuses a file that differs;
3. adds the TFLite metadata that the Tasks API needs (input normalisation: the detector takes
   RGB in [-1, 1], i.e. mean 127.5 / std 127.5; the landmark model RGB in [0, 1], i.e. mean
   0 / std 255), with the metadata writer that ships in ``mediapipe==1.2.2``;
4. zips ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite`` uncompressed, 4-byte
   aligned and with fixed timestamps into ``pose_landmarker_<model>.task``, so the bundle is
   byte-for-byte reproducible, and checks it against
   :data:`~reeducate.movement.pose.models.BUNDLE_SHA256`.

The recipe is that of ``shared/reference/movement.md`` §1.3. mediapipe 1.2.2's wheel lacks
the small C++ helper that reports the minimum metadata-parser version; it is replaced by a
function returning ``"1.0.0"`` (the version the written fields need).

Usage::

    python -m reeducate.movement.pose.provision --package-dir DIR --output-dir DIR

Example
-------
>>> from reeducate.movement.pose.provision import NORMALISATION
>>> NORMALISATION["detector"]
(127.5, 127.5)
"""

from __future__ import annotations

import argparse
import io
import sys
import types
import zipfile
from pathlib import Path
from typing import Final

from reeducate.errors import FileFormatError, NotFoundError
from reeducate.movement.pose.models import (
    BUNDLE_SHA256,
    DETECTOR_LENGTH_B,
    DETECTOR_OFFSET_B,
    POSE_MODELS,
    SOURCE_SHA256,
    bundle_name,
    sha256_of,
    verify_sha256,
)

NORMALISATION: Final[dict[str, tuple[float, float]]] = {
    "detector": (127.5, 127.5),
    "landmarks": (0.0, 255.0),
}
"""(mean, std) of the input normalisation written into each model's metadata."""

_PACKED_ASSETS: Final[str] = "pose_solution_packed_assets.data"
_ZIP_TIME: Final[tuple[int, int, int, int, int, int]] = (1980, 1, 1, 0, 0, 0)
_ALIGNMENT_B: Final[int] = 4


def _metadata_writer() -> types.ModuleType:
    """Import mediapipe's metadata writer, supplying the helper its wheel lacks."""
    name = "mediapipe.tasks.cc.metadata.python._pywrap_metadata_version"
    try:
        __import__(name)
    except ImportError:
        stub = types.ModuleType(name)
        stub.GetMinimumMetadataParserVersion = lambda _buf: "1.0.0"  # type: ignore[attr-defined]
        parts = name.split(".")
        for i in range(3, len(parts)):  # mediapipe.tasks.cc ... .python: absent from the wheel
            sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
        setattr(sys.modules[".".join(parts[:-1])], parts[-1], stub)
        sys.modules[name] = stub
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    module: types.ModuleType = metadata_writer
    return module


def _with_metadata(model: bytes, /, *, name: str, mean: float, std: float) -> bytes:
    mw = _metadata_writer()
    writer = mw.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose (npm @mediapipe/pose 0.5.1675469404)")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    content, _json = writer.populate()
    writer._temp_folder.cleanup()  # its __del__ fails when run at interpreter exit
    del writer
    return bytes(content)


def _aligned_zip(members: dict[str, bytes], /) -> bytes:
    """Zip ``members`` stored (uncompressed), each payload 4-byte aligned, fixed timestamps."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for member, payload in members.items():
            info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            header_b = 30 + len(member.encode())
            pad = (-(buf.tell() + header_b)) % _ALIGNMENT_B
            info.extra = b"\x00" * pad if pad == 0 else _padding_extra(pad)
            zf.writestr(info, payload)
    return buf.getvalue()


def _padding_extra(pad_b: int, /) -> bytes:
    """An 'extra field' of ``pad_b`` bytes (a zip extra needs >= 4 bytes: id + length)."""
    while pad_b < 4:
        pad_b += _ALIGNMENT_B
    return (0xD935).to_bytes(2, "little") + (pad_b - 4).to_bytes(2, "little") + b"\x00" * (
        pad_b - 4
    )


def read_sources(package_dir: Path, /) -> dict[str, bytes]:
    """Read and verify the detector and the three landmark models from the npm package."""
    package_dir = Path(package_dir)
    packed = package_dir / _PACKED_ASSETS
    if not packed.is_file():
        raise NotFoundError(
            f"{_PACKED_ASSETS} not found in {package_dir}; expected the unpacked npm package "
            "@mediapipe/pose@0.5.1675469404"
        )
    with packed.open("rb") as fh:
        fh.seek(DETECTOR_OFFSET_B)
        detector = fh.read(DETECTOR_LENGTH_B)
    sources = {"pose_detection.tflite": detector}
    for model in POSE_MODELS:
        path = package_dir / f"pose_landmark_{model}.tflite"
        if not path.is_file():
            raise NotFoundError(f"{path.name} not found in {package_dir}")
        verify_sha256(path, expected=SOURCE_SHA256[path.name])
        sources[path.name] = path.read_bytes()
    import hashlib

    got = hashlib.sha256(detector).hexdigest()
    if got != SOURCE_SHA256["pose_detection.tflite"]:
        raise FileFormatError(
            f"{_PACKED_ASSETS} bytes {DETECTOR_OFFSET_B}..{DETECTOR_LENGTH_B} (the pose "
            f"detector): sha256 must be {SOURCE_SHA256['pose_detection.tflite']}; got {got}"
        )
    return sources


def build_bundles(package_dir: Path, output_dir: Path, /, *, check: bool = True) -> list[Path]:
    """Build and verify ``pose_landmarker_{lite,full,heavy}.task`` into ``output_dir``.

    Parameters
    ----------
    package_dir : Path
        The unpacked npm package (its ``package/`` folder).
    output_dir : Path
        Destination folder (created if needed).
    check : bool
        Check each bundle against the pinned sha256 (off only to print new pins).

    Returns
    -------
    list of Path
        The bundles written.
    """
    sources = read_sources(package_dir)
    mean, std = NORMALISATION["detector"]
    detector = _with_metadata(
        sources["pose_detection.tflite"], name="pose_detector", mean=mean, std=std
    )
    mean, std = NORMALISATION["landmarks"]
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for model in POSE_MODELS:
        landmarks = _with_metadata(
            sources[f"pose_landmark_{model}.tflite"],
            name=f"pose_landmarks_detector_{model}",
            mean=mean,
            std=std,
        )
        bundle = _aligned_zip(
            {"pose_detector.tflite": detector, "pose_landmarks_detector.tflite": landmarks}
        )
        target = output_dir / bundle_name(model)
        tmp = target.with_suffix(".task.part")
        tmp.write_bytes(bundle)
        if check:
            try:
                verify_sha256(tmp, expected=BUNDLE_SHA256[model])
            except FileFormatError:
                tmp.unlink()
                raise
        tmp.replace(target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (install time)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package-dir", type=Path, required=True)
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--print-sha256", action="store_true", help="build without pin check")
    args = parser.parse_args(argv)
    try:
        paths = build_bundles(args.package_dir, args.output_dir, check=not args.print_sha256)
    except (FileFormatError, NotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"{sha256_of(path)}  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
