"""Balance use cases shared by the CLI (and later the API): analyse files, build reports, demo.

Services own I/O orchestration and parallelism; the numbers come from :mod:`reeducate.balance`.
"""

from __future__ import annotations

import csv
import ctypes
import ctypes.util
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reeducate.balance.preset_names import DEFAULT_PRESET, check_preset_name
from reeducate.balance.trial import CopTrial, Stance, Surface, TrialCondition, Vision
from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError, ReeducateError
from reeducate.io.options import DelimitedOptions
from reeducate.units import to_display

if TYPE_CHECKING:
    from reeducate.balance.analysis import TrialAnalysis
    from reeducate.io import TrialInfo

# The numerical stack (reading, metrics) is imported inside the functions that use it, so the
# command line starts at once and worker processes import it in parallel.


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisRequest:
    """What to analyse and how: reader options, preset and per-file conditions."""

    reader_options: DelimitedOptions = field(default_factory=DelimitedOptions)
    preset: str = DEFAULT_PRESET
    conditions: Mapping[str, TrialCondition] = field(default_factory=dict)
    metadata: Mapping[str, TrialInfo] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileOutcome:
    """Result for one file: a row of display-unit metrics, or the error that stopped it."""

    source_name: str
    row: Mapping[str, Any] | None = None
    settings: Mapping[str, Any] | None = None
    error: str | None = None
    error_kind: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file was analysed."""
        return self.error is None


#: File name endings taken from a folder given as input.
RECORDING_SUFFIXES = (".txt", ".csv", ".tsv", ".dat", ".c3d", ".txt.gz", ".csv.gz", ".tsv.gz")


def expand_paths(paths: Sequence[Path], /) -> list[Path]:
    """Replace each folder by the recordings directly inside it (sorted by name).

    A named file is kept as given (its reader reports it if it is not a recording); a folder with
    no recording in it is refused.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.name.lower().endswith(RECORDING_SUFFIXES)
            )
            if not found:
                raise NotFoundError(
                    f"{path.name}/: no recordings ({', '.join(RECORDING_SUFFIXES)}) in this folder"
                )
            out.extend(found)
        else:
            out.append(path)
    return out


def load_trial(path: Path, /, *, request: AnalysisRequest) -> tuple[CopTrial, dict[str, float]]:
    """Read one recording as a :class:`CopTrial` (the net CoP for two plates).

    Returns the trial and any extra per-file values (weight-bearing asymmetry for two plates),
    already SI-named.
    """
    from reeducate.balance.forceplate import weight_bearing_summary
    from reeducate.io import read_cop

    loaded = read_cop(path, options=request.reader_options, metadata=request.metadata or None)
    extra: dict[str, float] = {}
    trial: CopTrial
    if isinstance(loaded, CopTrial):
        trial = loaded
    else:  # two plates
        trial = loaded.net
        extra = weight_bearing_summary(loaded)
    condition = request.conditions.get(path.name)
    if condition is None and trial.condition == TrialCondition():
        condition = infer_condition(path.name)
    if condition is not None:
        trial = replace(trial, condition=condition)
    return trial, extra


def analyze_path(
    path: Path, /, *, request: AnalysisRequest
) -> tuple[TrialAnalysis, dict[str, float]]:
    """Read and analyse one file (in this process)."""
    from reeducate.balance.analysis import analyze_trial
    from reeducate.balance.presets import get_preset

    trial, extra = load_trial(path, request=request)
    return analyze_trial(trial, preset=get_preset(request.preset)), extra


def metrics_row(analysis: TrialAnalysis, extra: Mapping[str, float]) -> dict[str, Any]:
    """One output row: file, condition, preset, sampling, then every metric in display units."""
    trial = analysis.trial
    row: dict[str, Any] = {
        "file": trial.source_name,
        "condition": trial.condition.label,
        "preset": analysis.preset,
        "n_samples": trial.n_samples,
        "sampling_rate_hz": trial.sampling_rate_hz,
        "duration_s": trial.duration_s,
        "source_unit": trial.source_unit,
    }
    row.update(to_display(analysis.metrics))
    row.update(to_display(extra))
    return row


def with_file_name(message: str, name: str, /) -> str:
    """``message`` prefixed with the file name, unless it already names the file."""
    return message if name in message else f"{name}: {message}"


def _analyze_one(args: tuple[Path, AnalysisRequest]) -> FileOutcome:
    path, request = args
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        try:
            analysis, extra = analyze_path(path, request=request)
        except ReeducateError as exc:
            return FileOutcome(
                source_name=path.name,
                error=with_file_name(str(exc), path.name),
                error_kind=type(exc).__name__,
            )
        except MemoryError:
            raise
        except Exception as exc:  # an unexpected failure in one file must not sink the batch
            return FileOutcome(
                source_name=path.name,
                error=f"{path.name}: internal error ({type(exc).__name__}: {exc})",
                error_kind="InternalError",
            )
    caught = [with_file_name(str(w.message), path.name) for w in recorded]
    return FileOutcome(
        source_name=path.name,
        row=metrics_row(analysis, extra),
        settings=analysis.settings,
        warnings=tuple(caught),
    )


# glibc mallopt parameters (malloc.h): M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_KEEP_BYTES = 256 * 2**20


def keep_freed_memory() -> bool:
    """Ask glibc's allocator to keep freed blocks instead of returning them to the system.

    A trial allocates and frees several buffers of 0.1-1 MB (file text, parsed table, FFT and
    metric work arrays). By default glibc hands each back with ``munmap`` and the next trial
    faults the pages in again: about 300 page faults and 14 % of the time per 60-s trial
    (measured: 9.5 -> 8.2 ms). Raising the mmap and trim thresholds to 256 MiB keeps them; a
    batch process then holds on to its peak heap (about 200 MB) until it exits. Settings are
    inherited by forked workers. Returns False (and changes nothing) where the C library is
    not glibc.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return all(
        mallopt(param, _KEEP_BYTES) == 1
        for param in (_M_MMAP_THRESHOLD, _M_TRIM_THRESHOLD, _M_TOP_PAD)
    )


def analyze_files(
    paths: Sequence[Path],
    /,
    *,
    request: AnalysisRequest,
    jobs: int,
    on_done: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Analyse many files, in ``jobs`` worker processes, keeping the input order.

    A file that fails does not stop the others; its outcome carries the error message.
    """
    if jobs < 1:
        raise InvalidParameterError(f"jobs must be >= 1; got {jobs}")
    check_preset_name(request.preset)  # fail fast on an unknown preset, before any work
    keep_freed_memory()
    work = [(Path(p), request) for p in paths]
    outcomes: list[FileOutcome] = []
    if jobs == 1 or len(work) < 4:
        for item in work:
            outcome = _analyze_one(item)
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
        return outcomes
    # Small chunks keep both workers busy to the end (a 120-file chunk left to one worker
    # would idle the other for about a second); a chunk is still many milliseconds of work.
    chunksize = max(1, min(8, len(work) // (jobs * 16)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for outcome in pool.map(_analyze_one, work, chunksize=chunksize):
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
    return outcomes


# -- conditions -------------------------------------------------------------------------------

_CONDITION_WORDS: Mapping[str, TrialCondition] = {
    "eo-firm": TrialCondition(vision=Vision.OPEN, surface=Surface.FIRM),
    "ec-firm": TrialCondition(vision=Vision.CLOSED, surface=Surface.FIRM),
    "eo-foam": TrialCondition(vision=Vision.OPEN, surface=Surface.FOAM),
    "ec-foam": TrialCondition(vision=Vision.CLOSED, surface=Surface.FOAM),
}


def parse_condition(text: str, /, *, field_name: str) -> TrialCondition:
    """Parse ``eo-firm``/``ec-foam``... (optionally ``+tandem`` or ``+single-leg-left``)."""
    base, _, stance_text = text.strip().lower().partition("+")
    if base not in _CONDITION_WORDS:
        raise InvalidParameterError(
            f"{field_name} must be one of {', '.join(_CONDITION_WORDS)} "
            f"(optionally +tandem, +semi-tandem, +single-leg-left, +single-leg-right); got {text!r}"
        )
    condition = _CONDITION_WORDS[base]
    if stance_text:
        try:
            stance = Stance(stance_text.replace("-", "_"))
        except ValueError:
            raise InvalidParameterError(
                f"{field_name}: stance must be one of "
                f"{', '.join(s.value.replace('_', '-') for s in Stance)}; got {stance_text!r}"
            ) from None
        condition = TrialCondition(
            vision=condition.vision, surface=condition.surface, stance=stance
        )
    return condition


def infer_condition(file_name: str, /) -> TrialCondition | None:
    """Condition encoded in a PDS file name (``PDS13OF2grf.txt`` -> eyes open, foam)."""
    stem = file_name.upper()
    if stem.startswith("PDS") and "GRF" in stem:
        code = stem.split("GRF")[0].rstrip("0123456789")[-2:]
        vision = {"O": Vision.OPEN, "C": Vision.CLOSED}.get(code[:1])
        surface = {"R": Surface.FIRM, "F": Surface.FOAM}.get(code[1:2])
        if vision is not None and surface is not None:
            return TrialCondition(vision=vision, surface=surface)
    return None


def read_manifest(path: Path, /) -> dict[str, TrialCondition]:
    """Read a manifest: a delimited file with columns ``file`` and ``condition`` (e.g. ``ec-foam``)
    or ``file``, ``vision`` (open|closed), ``surface`` (firm|foam) and optional ``stance``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileFormatError(f"manifest {path.name}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"manifest {path.name}: cannot be read as text ({exc})") from None
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if "file" not in fields or not ({"condition"} <= fields or {"vision", "surface"} <= fields):
        raise FileFormatError(
            f"manifest {path.name}: header must have columns file and condition, or file, "
            f"vision and surface; got {sorted(fields)}"
        )
    out: dict[str, TrialCondition] = {}
    for line_no, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        where = f"manifest {path.name}, line {line_no}"
        if row.get("condition"):
            condition = parse_condition(row["condition"], field_name=f"{where}, column condition")
        else:
            try:
                vision = Vision(row["vision"].lower())
                surface = Surface(row["surface"].lower())
                stance = Stance(row.get("stance", "bipedal").lower().replace("-", "_") or "bipedal")
            except ValueError as exc:
                raise FileFormatError(
                    f"{where}: vision must be open|closed, surface firm|foam, stance one of "
                    f"{', '.join(s.value for s in Stance)}; {exc}"
                ) from None
            condition = TrialCondition(vision=vision, surface=surface, stance=stance)
        out[Path(row["file"]).name] = condition
    return out


# -- writing results --------------------------------------------------------------------------


def write_atomically(path: Path, text: str, /) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def rows_to_csv(rows: Iterable[Mapping[str, Any]], /) -> str:
    """CSV text with one column per metric (union of all rows' keys, first-seen order)."""
    rows = list(rows)
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(_csv_cell(row.get(c)) for c in columns))
    return "\n".join(lines) + "\n"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def outcomes_to_json(outcomes: Sequence[FileOutcome], /) -> str:
    """JSON document with each file's metrics (display units) and the settings that made them."""
    doc = {
        "results": [
            {"metrics": o.row, "settings": o.settings, "warnings": list(o.warnings)}
            for o in outcomes
            if o.ok
        ],
        "errors": [{"file": o.source_name, "error": o.error} for o in outcomes if not o.ok],
    }
    return json.dumps(doc, indent=2, allow_nan=True) + "\n"
