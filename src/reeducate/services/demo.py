"""The demo: the bundled real trials of one person through the full balance pipeline."""

from __future__ import annotations

import csv
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from reeducate.balance.trial import Surface, TrialCondition, Vision
from reeducate.services.balance import AnalysisRequest
from reeducate.services.balance_report import ReportResult, build_report

#: Pseudonymous label of the demo person: subject 14 of the public balance data set.
DEMO_LABEL = "HBEDB subject 14 (public data set)"


def demo_files() -> tuple[list[Path], dict[str, TrialCondition], str]:
    """The bundled trials, their conditions and the person's age group."""
    data = Path(str(resources.files("reeducate.data")))
    folder = data / "demo"
    conditions: dict[str, TrialCondition] = {}
    groups = set()
    with (data / "demo_manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            conditions[row["file"]] = TrialCondition(
                vision=Vision(row["vision"]), surface=Surface(row["surface"])
            )
            groups.add(row["age_group"])
    (group,) = groups
    return [folder / name for name in conditions], conditions, group


def run_demo(out_dir: Path, /, *, on_file: Callable[[], None] | None = None) -> ReportResult:
    """Analyse the bundled trials and write the report into ``out_dir``."""
    paths, conditions, group = demo_files()
    return build_report(
        paths,
        request=AnalysisRequest(conditions=conditions),
        out_dir=out_dir,
        title="Balance assessment (demo)",
        age_group=group,
        subject_label=DEMO_LABEL,
        on_file=on_file,
    )
