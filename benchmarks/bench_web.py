"""Benchmark: the clinic web application under 50 concurrent clients (issue 4 "Performance").

For each database (SQLite in a temporary file; PostgreSQL on a throwaway server started with
``scripts/postgres.sh``), the benchmark

1. seeds a demo clinic straight into the store with bulk inserts (``_web_fixture.py``: 50
   therapists, 2,000 patients, 200,000 sessions by default);
2. starts ``reeducate serve`` (uvicorn; ``--workers`` processes, default 1) on a free
   port of 127.0.0.1;
3. signs 50 clients in as the therapists through the real ``/signin`` form (CSRF token and
   all), then drives them concurrently (asyncio + httpx2), phase by phase, each phase bounded
   in requests and in time: first one client alone on the chart (the page's own cost), then
   ``GET /api/v1/health`` (the baseline), the chart with the 50 clients as people at work
   (each waits an exponential think time, mean ``--think`` s, before each request), then as a
   closed loop (each sends again as soon as it is answered: saturation, where latency is
   simply clients / throughput), the chart
   ``GET /patients/{code}`` (HTML and JSON), the patient list ``GET /patients`` (its first
   page, whose entries the server may still be computing: the start-up warm-up runs while the
   earlier phases load the server) and its second page (cached by then);
4. times session logging the way the clinic does it: each client records clinic visits with
   ``POST /api/v1/patients/{code}/sessions`` (the visit as JSON, CSRF header), one patient per
   request, dated yesterday (the seeded sessions fall on every other day back from today);
5. prints p50/p95/p99 latency, throughput, errors, the ratio of each median to the baseline's,
   and the server's peak resident memory (``VmHWM``); with ``--profile``, cProfile hot spots of
   the list and the chart called in-process.

Target: p99 under 100 ms for the chart.

Usage::

    .venv/bin/python benchmarks/bench_web.py                      # full size, both databases
    .venv/bin/python benchmarks/bench_web.py --patients 200 --sessions 20 --backends sqlite
    .venv/bin/python benchmarks/bench_web.py --profile            # and the hot spots
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_fixture import PASSWORD, VARIANTS, Clinic, build_clinic

REPO_ROOT = Path(__file__).resolve().parents[1]
POSTGRES_SCRIPT = REPO_ROOT / "scripts" / "postgres.sh"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')

# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


@dataclass
class Phase:
    """Latencies of one endpoint on one database."""

    name: str
    where: str  # "HTTP" or "in-process"
    latencies_s: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def percentiles_ms(self) -> tuple[float, float, float]:
        if not self.latencies_s:
            return (float("nan"),) * 3
        p50, p95, p99 = np.percentile(np.asarray(self.latencies_s) * 1e3, [50, 95, 99])
        return float(p50), float(p95), float(p99)

    def throughput(self) -> float:
        """Answers per second of wall time."""
        return len(self.latencies_s) / self.wall_s if self.wall_s else float("nan")

    def line(self, baseline_p50_ms: float) -> str:
        p50, p95, p99 = self.percentiles_ms()
        throughput = self.throughput()
        errors = ", ".join(f"{k} x{v}" for k, v in sorted(self.errors.items())) or "none"
        return (
            f"  {self.name:<34} {self.where:<10} n={len(self.latencies_s):>5}  "
            f"p50 {p50:8.1f}  p95 {p95:8.1f}  p99 {p99:8.1f} ms  "
            f"{throughput:7.1f} req/s  x{p50 / baseline_p50_ms:7.1f} baseline  errors: {errors}"
        )


# --------------------------------------------------------------------------------------------
# Databases and the server
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A database URL of ``backend``: a SQLite file, or a throwaway PostgreSQL server."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    # beside the work folder, not in it: the server's user must reach it (as root it is not root)
    directory = Path(tempfile.gettempdir()) / f"{workdir.name}-pg"
    started = subprocess.run(
        ["bash", str(POSTGRES_SCRIPT), "start", str(directory)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        if started.returncode != 0:
            raise RuntimeError(f"scripts/postgres.sh start failed: {started.stderr.strip()}")
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(
            ["bash", str(POSTGRES_SCRIPT), "stop", str(directory)], check=False, timeout=60
        )


@contextlib.contextmanager
def server(
    url: str, workdir: Path, *, workers: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``reeducate serve`` (uvicorn, ``workers`` processes) on a free loopback port; yields
    (base URL, the serving process)."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        REEDUCATE_DATABASE_URL=url,
        REEDUCATE_COOKIE_SECURE="false",  # plain HTTP on loopback
        REEDUCATE_SECRET_KEY=secrets.token_urlsafe(48),
        REEDUCATE_GC_FREEZE=os.environ.get("REEDUCATE_GC_FREEZE", "true"),  # as `reeducate serve`
    )
    log = (workdir / f"server-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "reeducate", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited ({process.returncode}); see {log.name}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /api/v1/health within 60 s")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def print_server_errors(workdir: Path) -> None:
    """The kinds of exceptions the server logged (last line of each traceback), counted."""
    found: dict[str, int] = {}
    for log in workdir.glob("server-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            match = re.search(r"([A-Za-z_.]+(?:Error|Exception))\b:?\s?(.{0,100})", line)
            if match and not line.startswith(" "):
                key = re.sub(
                    r"\(reference \w+\)|/[\w/.-]+", "…", f"{match.group(1)}: {match.group(2)}"
                )
                found[key] = found.get(key, 0) + 1
    for key, count in sorted(found.items(), key=lambda kv: -kv[1]):
        print(f"  server logged x{count}: {key}")


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory (Linux ``VmHWM``) of a process and its worker processes (their
    sum), MiB."""
    total_kib = 0
    pids = [pid]
    while pids:
        one = pids.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kib += int(line.split()[1])
            for task in Path(f"/proc/{one}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
    return total_kib / 1024 if total_kib else float("nan")


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------


async def sign_in(client: httpx.AsyncClient, login: str) -> None:
    """Sign in through the real form: fetch it (pre-session cookie + token), post it."""
    page = await client.get("/signin")
    match = CSRF_FIELD.search(page.text)
    if page.status_code != 200 or match is None:
        raise RuntimeError(f"GET /signin answered {page.status_code} without a CSRF token")
    answer = await client.post(
        "/signin", data={"login": login, "password": PASSWORD, "csrf_token": match.group(1)}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"POST /signin as {login} answered {answer.status_code}")


Request = Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]


def get(path_for: Callable[[int, int], str]) -> Request:
    """``GET path_for(client, k)``."""

    async def send(client: httpx.AsyncClient, index: int, k: int) -> httpx.Response:
        return await client.get(path_for(index, k))

    return send


async def drive(
    clients: Sequence[httpx.AsyncClient],
    phase: Phase,
    send: Request,
    *,
    requests_per_client: int,
    duration_s: float,
    ok: int = 200,
    think_s: float = 0.0,
) -> None:
    """Every client sends ``send(client, index, k)`` in turn until it has made
    ``requests_per_client`` requests or ``duration_s`` has passed (no request starts later).

    ``think_s`` 0: a closed loop (each client sends again as soon as it is answered: the
    server's saturation, where latency is clients / throughput). Otherwise each client first
    waits an exponentially distributed time of mean ``think_s`` (seeded), as people do between
    clicks: the latency a clinic of that many people working at that pace sees."""
    deadline = time.perf_counter() + duration_s

    async def one(index: int, client: httpx.AsyncClient) -> None:
        rng = np.random.default_rng(index)
        for k in range(requests_per_client):
            if think_s > 0:
                await asyncio.sleep(float(rng.exponential(think_s)))
            if time.perf_counter() >= deadline:
                return
            t0 = time.perf_counter()
            try:
                response = await send(client, index, k)
            except httpx.TimeoutException:
                phase.error("timeout")
                continue
            except httpx.TransportError as exc:
                phase.error(type(exc).__name__)
                continue
            if response.status_code == ok:
                phase.latencies_s.append(time.perf_counter() - t0)
            else:
                phase.error(f"HTTP {response.status_code}")

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i, c) for i, c in enumerate(clients)))
    phase.wall_s = time.perf_counter() - t0


async def _solo(
    client: httpx.AsyncClient, phase: Phase, path_for: Callable[[int], str], *, count: int
) -> Phase:
    """One client alone, one request after another: the page's own cost on an idle server."""
    t0 = time.perf_counter()
    for k in range(count):
        t1 = time.perf_counter()
        response = await client.get(path_for(k))
        if response.status_code == 200:
            phase.latencies_s.append(time.perf_counter() - t1)
        else:
            phase.error(f"HTTP {response.status_code}")
    phase.wall_s = time.perf_counter() - t0
    return phase


async def http_phases(base: str, clinic: Clinic, args: argparse.Namespace) -> list[Phase]:
    timeout = httpx.Timeout(args.request_timeout)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits)
        for _ in range(args.clients)
    ]
    try:
        t0 = time.perf_counter()
        for i, client in enumerate(clients):  # one at a time: sign-in is throttled and costly
            await sign_in(client, clinic.logins[i % len(clinic.logins)])
        print(f"  signed in {len(clients)} clients in {time.perf_counter() - t0:.1f} s")
        if args.settle > 0:  # the server's start-up work (the patient list warm-up) done
            print(f"  settling {args.settle:g} s")
            await asyncio.sleep(args.settle)
        codes = clinic.patient_codes
        n = len(clients)
        tokens = [(await c.get("/api/v1/auth/csrf")).json()["csrf_token"] for c in clients]
        yesterday = (clinic.today - timedelta(days=1)).isoformat()
        visit = {
            "session_date": yesterday,
            "exercises": [
                {"variant_id": v, "kind": "hold", "done": [30, 28], "difficulty": 3,
                 "pain_before": 1, "pain_after": 1}
                for v in VARIANTS
            ],
            "minutes": {"97112": 25},
        }  # fmt: skip
        body = json.dumps(visit)

        async def log_visit(client: httpx.AsyncClient, i: int, k: int) -> httpx.Response:
            code = codes[(k * n + i) % len(codes)]  # a patient once: one visit a day each
            return await client.post(
                f"/api/v1/patients/{code}/sessions",
                data={"visit": body},
                headers={"X-CSRF-Token": tokens[i]},
            )

        def chart(i: int, k: int) -> str:
            return f"/patients/{codes[(k * n + i) * 7919 % len(codes)]}"

        think = args.think
        solo = await _solo(clients[0], Phase("chart, one client alone", "HTTP"),
                           lambda k: chart(0, 1000 + k), count=args.requests * 2)  # fmt: skip
        print(f"  {solo.name}: {len(solo.latencies_s)} answered in {solo.wall_s:.1f} s")
        plan: list[tuple[Phase, Request, int, int, float]] = [
            (Phase("baseline GET /api/v1/health", "HTTP"), get(lambda i, k: "/api/v1/health"),
             args.requests, 200, 0.0),
            (Phase(f"chart, {n} users, think {think:g} s", "HTTP"),
             get(lambda i, k: chart(i, k + 500)), args.requests, 200, think),
            (Phase("chart GET /patients/{code}", "HTTP"), get(chart), args.requests, 200, 0.0),
            (Phase("chart JSON /api/v1/patients/{code}", "HTTP"),
             get(lambda i, k: f"/api/v1/patients/{codes[(k * n + i) * 104729 % len(codes)]}"),
             args.requests, 200, 0.0),
            (Phase("patient list GET /patients", "HTTP"), get(lambda i, k: "/patients"),
             args.list_requests, 200, 0.0),
            # Again: the entries are cached per patient revision by now (what a clinic sees
            # all day long after the first view or the start-up warm-up).
            (Phase("patient list again, page 2", "HTTP"), get(lambda i, k: "/patients?page=2"),
             args.list_requests, 200, 0.0),
            (Phase("log visit POST .../sessions", "HTTP"), log_visit,
             min(args.log_requests, len(codes) // n), 201, 0.0),
        ]  # fmt: skip
        phases = [solo]
        for phase, send, count, ok, think_s in plan:
            await drive(
                clients,
                phase,
                send,
                requests_per_client=count,
                duration_s=args.duration,
                ok=ok,
                think_s=think_s,
            )
            print(f"  {phase.name}: {len(phase.latencies_s)} answered in {phase.wall_s:.1f} s")
            phases.append(phase)
        return phases
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------


def print_hot_spots(stats: pstats.Stats, /, *, top: int = 14) -> None:
    """The application's functions by cumulative time, then everything by own time."""
    rows = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}

    def label(key: tuple[str, int, str]) -> str:
        path, line, name = key
        short = path.split("/reeducate/")[-1] if "/reeducate/" in path else Path(path).name
        return f"{short}:{line}({name})"

    ours = sorted((k for k in rows if "/src/reeducate/" in k[0]), key=lambda k: -rows[k][3])[:top]
    print("  ours, by cumulative time:       calls   cumulative s   own s")
    for key in ours:
        _cc, nc, tt, ct, _callers = rows[key]
        print(f"    {label(key):<58} {nc:>8} {ct:>10.3f} {tt:>9.3f}")
    print("  everything, by own time:")
    for key in sorted(rows, key=lambda k: -rows[k][2])[:top]:
        _cc, nc, tt, ct, _callers = rows[key]
        print(f"    {label(key):<58} {nc:>8} {ct:>10.3f} {tt:>9.3f}")


def profile(url: str, clinic: Clinic) -> None:
    """cProfile of the list and the chart called in-process, top functions by own time."""
    from reeducate.services import care
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories
    from reeducate.web.therapist import patient_chart, patient_list

    store = care.open_store(url, actor="profile")
    try:
        with transaction(store.factory) as session:
            user = Repositories(session, actor="profile", clock=store.clock).users.by_login(
                clinic.logins[0]
            )
        assert user is not None
        patient_chart(store, user, clinic.patient_codes[0], today=clinic.today)  # warm caches
        for what, call in (
            ("chart", lambda: patient_chart(store, user, clinic.patient_codes[1],
                                            today=clinic.today)),
            ("patient list", lambda: patient_list(store, user, today=clinic.today)),
        ):  # fmt: skip
            profiler = cProfile.Profile()
            t0 = time.perf_counter()
            profiler.runcall(call)
            elapsed = time.perf_counter() - t0
            print(f"\n--- profile: {what}, one call in-process: {elapsed * 1e3:.0f} ms ---")
            print_hot_spots(pstats.Stats(profiler))
    finally:
        store.close()


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace) -> list[str]:
    from reeducate.services import accounts
    from reeducate.store import migrate
    from reeducate.store.engine import create_engine_for

    print(f"\n=== {backend} ===")
    with tempfile.TemporaryDirectory(prefix="reeducate-bench-") as tmp:
        workdir = Path(tmp)
        with database(backend, workdir) as url:
            engine = create_engine_for(url)
            try:
                migrate.upgrade(engine)
                clinic = build_clinic(
                    engine,
                    therapists=args.therapists,
                    patients=args.patients,
                    sessions_per_patient=args.sessions,
                    today=datetime.now(UTC).date(),
                    password_hash=accounts.hash_password(PASSWORD),
                )
            finally:
                engine.dispose()
            print(f"  seeded {clinic.rows:,} rows in {clinic.seconds:.1f} s")
            with server(url, workdir, workers=args.workers) as (base, process):
                idle_mib = peak_rss_mib(process.pid)
                phases = asyncio.run(http_phases(base, clinic, args))
                peak_mib = peak_rss_mib(process.pid)
            print_server_errors(workdir)
            if args.profile:
                profile(url, clinic)
    baseline = phases[1].percentiles_ms()[0]  # GET /api/v1/health under the same load
    lines = [
        f"{backend}: {args.therapists} therapists, {args.patients:,} patients, "
        f"{args.patients * args.sessions:,} sessions, {args.clients} concurrent clients; "
        f"server peak RSS {peak_mib:.0f} MiB (after start {idle_mib:.0f} MiB)",
        *(p.line(baseline) for p in phases),
    ]
    for phase in (phases[0], phases[2]):  # alone, paced users: the target's load
        chart_p99 = phase.percentiles_ms()[2]
        verdict = "meets" if chart_p99 < 100 else "MISSES"
        lines.append(f"  {phase.name}: p99 {chart_p99:.1f} ms {verdict} the 100 ms target")
    loop = phases[3]  # closed loop: saturation, where latency is clients / throughput
    lines.append(
        f"  {loop.name} (closed loop, saturation): p99 {loop.percentiles_ms()[2]:.0f} ms = "
        f"{args.clients} clients / {loop.throughput():.0f} req/s; not the target's load"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--therapists", type=int, default=50)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=100, help="sessions per patient")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client and phase")
    parser.add_argument("--list-requests", type=int, default=1, help="list requests per client")
    parser.add_argument("--log-requests", type=int, default=4, help="sessions logged per client")
    parser.add_argument("--duration", type=float, default=60.0, help="phase time budget, s")
    parser.add_argument(
        "--settle", type=float, default=0.0, help="idle seconds after sign-in, before timing"
    )
    parser.add_argument(
        "--think", type=float, default=5.0, help="mean think time of the paced chart phase, s"
    )
    parser.add_argument("--request-timeout", type=float, default=120.0, help="s")
    parser.add_argument("--profile", action="store_true", help="cProfile the list and chart")
    parser.add_argument("--workers", type=int, default=1, help="reeducate serve --workers")
    args = parser.parse_args(argv)
    if args.therapists < 1 or args.patients < 1 or args.sessions < 1 or args.clients < 1:
        parser.error("sizes must be >= 1")
    print(f"cpu cores {os.cpu_count()}; python {sys.version.split()[0]}")
    report: list[str] = []
    for backend in args.backends.split(","):
        lines = run_backend(backend.strip(), args)
        print("\n".join(lines))
        report += lines
    print("\n=== results (latency in ms; ratio = p50 / baseline p50) ===")
    print("\n".join(report))


if __name__ == "__main__":
    main()
