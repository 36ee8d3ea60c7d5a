"""Benchmark: loading the exercise library (issue 3 target: under 200 ms).

Prints the import time of ``reeducate.clinic.exercises`` (in a fresh interpreter), and latency
percentiles of an uncached build from the package's TOML files, with the TOML parsing alone
as the baseline measured in the same process.

Usage: ``.venv/bin/python benchmarks/bench_library.py``
"""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib

import numpy as np

from reeducate.clinic import exercises


def percentiles(samples_s: list[float]) -> str:
    ms = np.asarray(samples_s) * 1e3
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return f"p50 {p50:.1f} ms, p90 {p90:.1f} ms, p99 {p99:.1f} ms"


def main() -> None:
    code = (
        "import time; t = time.perf_counter(); import reeducate.clinic.exercises; "
        "print((time.perf_counter() - t) * 1e3)"
    )
    imports = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    print(
        f"import reeducate.clinic.exercises (fresh interpreter): median {np.median(imports):.1f} ms"
    )
    builds, parses = [], []
    for _ in range(30):
        t0 = time.perf_counter()
        docs = exercises._builtin_documents()
        library = exercises._build(docs)
        t1 = time.perf_counter()
        for _, text in docs:
            tomllib.loads(text)
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        parses.append(t2 - t1)
    print(f"variants: {len(library)}")
    print(f"uncached load (read + parse + validate + link): {percentiles(builds)}")
    print(f"baseline, tomllib parsing the same text:        {percentiles(parses)}")
    print(f"ratio load / parse (median): {np.median(builds) / np.median(parses):.1f}x")


if __name__ == "__main__":
    main()
