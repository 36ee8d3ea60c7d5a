"""``reeducate nmes protocols|check|screen|log|sessions``: neuromuscular electrical stimulation.

Thin commands over :mod:`reeducate.services.nmes`. ``check`` prints the parameter check
(charge, rms current, current density against IEC 60601-2-10) and the screening of the
patient's contraindications against the protocol's electrode sites, and exits with status 3
(and one line on stderr) when a hard stop or a contraindication refuses the stimulation.
The database and actor options are those of ``reeducate patient`` (:mod:`reeducate.cli.care`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from reeducate.cli.care import (
    ActorOpt,
    DatabaseOpt,
    _date,
    _done,
    _emit_json,
    _grid,
    _store,
)
from reeducate.cli.common import FormatOpt, TextFormat, out_console
from reeducate.cli.exit_codes import ExitCode
from reeducate.errors import DomainRuleError, InvalidParameterError

if TYPE_CHECKING:
    from reeducate.services.nmes import NmesCheck
    from reeducate.store.nmes_repositories import StoredScreeningItem

nmes_app = typer.Typer(
    help="Neuromuscular electrical stimulation: protocols, safety check, screening, session log.",
    no_args_is_help=True,
)

PatientOpt = Annotated[str, typer.Option("--patient", metavar="CODE", help="Patient code.")]
ProtocolOpt = Annotated[
    str,
    typer.Option("--protocol", metavar="ID", help="Protocol id (see 'reeducate nmes protocols')."),
]
IntensityOpt = Annotated[
    float | None,
    typer.Option("--intensity-ma", metavar="MA", help="Peak current of a phase, mA."),
]
AreaOpt = Annotated[
    float | None,
    typer.Option(
        "--electrode-area-cm2",
        metavar="CM2",
        help="Area of the smaller electrode, cm² (default: the protocol's electrode).",
    ),
]
FrequencyOpt = Annotated[
    float | None, typer.Option("--frequency-hz", metavar="HZ", help="Pulse frequency, Hz.")
]
PulseWidthOpt = Annotated[
    float | None,
    typer.Option("--pulse-width-us", metavar="US", help="Phase duration, µs."),
]
WaveformOpt = Annotated[
    str | None,
    typer.Option("--waveform", help="symmetric_biphasic or monophasic (default: the protocol's)."),
]


def _fmt(value: float) -> str:
    return f"{value:g}"


@nmes_app.command("protocols")
def protocols_command(output_format: FormatOpt = TextFormat.text) -> int:
    """List the NMES protocols with their settings (ranges in brackets)."""
    from reeducate.services.nmes import list_protocols

    protocols = list_protocols()
    if output_format is TextFormat.json:
        _emit_json(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "purpose": p.purpose.value,
                    "mode": p.mode.value,
                    "waveform": p.waveform.value,
                    "frequency_hz": p.frequency_hz.value,
                    "pulse_width_us": p.pulse_width_us.value,
                    "on_s": p.on_s.value,
                    "off_s": p.off_s.value,
                    "ramp_up_s": p.ramp_up_s.value,
                    "ramp_down_s": p.ramp_down_s.value,
                    "contractions_per_session": int(p.contractions_per_session.value),
                    "sessions_per_day": int(p.sessions_per_day.value),
                    "intensity_target": p.intensity.target.value,
                    "min_pct_mvic": p.intensity.min_pct_mvic,
                    "electrode_area_cm2": p.electrode_area_cm2,
                    "sites": [s.value for s in p.sites],
                    "exercise_variants": list(p.exercise_variants),
                    "sources": sorted(p.sources()),
                }
                for p in protocols
            ]
        )
        return ExitCode.OK
    table = Table(title="NMES protocols", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("mode", no_wrap=True)
    table.add_column("Hz", justify="right", no_wrap=True)
    table.add_column("µs", justify="right", no_wrap=True)
    table.add_column("on/off", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("intensity", overflow="fold")
    table.add_column("cm²", justify="right", no_wrap=True)
    short = {"maximal_tolerated": "max", "pct_mvic": "%MVIC",
             "functional_movement": "move"}  # fmt: skip
    for p in protocols:
        intensity = short[p.intensity.target.value]
        if p.intensity.min_pct_mvic is not None:
            intensity += f" ≥{_fmt(p.intensity.min_pct_mvic)}%"
        table.add_row(
            p.id,
            "EMG" if p.mode.value == "emg_triggered" else "cyclic",
            _fmt(p.frequency_hz.value),
            _fmt(p.pulse_width_us.value),
            f"{_fmt(p.on_s.value)}/{_fmt(p.off_s.value)}",
            _fmt(p.contractions_per_session.value),
            intensity,
            f"{p.electrode_area_cm2:.0f}",
        )
    out_console.print(table)
    out_console.print(
        "on/off in s; n: contractions per session; intensity: max = maximal tolerated "
        "(≥ x% = evoked force target, % MVIC), move = moves the joint through its range; cm²: "
        "each electrode. Ramps, ranges and sources: --format json. Settings must be confirmed "
        "by the treating clinician.",
        highlight=False,
    )
    return ExitCode.OK


def _print_check(report: NmesCheck) -> None:
    p = report.protocol
    grid = _grid()
    grid.add_row("protocol", f"{p.id}: {p.name}")
    grid.add_row(
        "settings",
        f"{report.waveform.value}, {_fmt(report.frequency_hz)} Hz, "
        f"{_fmt(report.pulse_width_us)} µs per phase, "
        f"electrode {report.electrode_area_cm2:.1f} cm²",
    )
    grid.add_row("sites", ", ".join(s.value for s in p.sites))
    grid.add_row(
        "intensity limits",
        f"warning from {report.warn_from_ma:.0f} mA, hard stop at {report.stop_at_ma:.0f} mA",
    )
    if report.parameters is not None:
        c = report.parameters
        grid.add_row("intensity", f"{_fmt(c.intensity_ma)} mA peak")
        grid.add_row("charge per phase", f"{c.charge_per_phase_uc:.2f} µC")
        grid.add_row("rms current", f"{c.rms_current_ma:.2f} mA")
        grid.add_row("current density", f"{c.current_density_ma_cm2:.3f} mA rms/cm²")
        grid.add_row("energy per pulse", f"{c.energy_per_pulse_mj:.3g} mJ into 500 Ω")
        grid.add_row("parameters", c.severity.value)
    if report.screening is not None:
        grid.add_row("screening", report.screening.verdict.value)
        if report.screening.not_screened:
            grid.add_row("not NMES-related", ", ".join(report.screening.not_screened))
    grid.add_row("verdict", report.verdict)
    out_console.print(grid)
    for reason in report.reasons():
        out_console.print(f"  - {reason}", highlight=False, soft_wrap=True)


@nmes_app.command("check")
def check_command(
    protocol: ProtocolOpt,
    patient: Annotated[
        str | None,
        typer.Option("--patient", metavar="CODE", help="Screen this patient's record too."),
    ] = None,
    intensity_ma: IntensityOpt = None,
    electrode_area_cm2: AreaOpt = None,
    frequency_hz: FrequencyOpt = None,
    pulse_width_us: PulseWidthOpt = None,
    waveform: WaveformOpt = None,
    database_url: DatabaseOpt = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """Check a stimulation before it starts: parameters against IEC 60601-2-10 and the
    patient's contraindications against the electrode sites. Exits 3 on a hard stop or block."""
    from reeducate.services.nmes import check_nmes

    store = _store(database_url, None) if patient is not None else None
    try:
        report = check_nmes(
            store,
            protocol_id=protocol,
            patient_code=patient,
            intensity_ma=intensity_ma,
            electrode_area_cm2=electrode_area_cm2,
            frequency_hz=frequency_hz,
            pulse_width_us=pulse_width_us,
            waveform=waveform,
        )
    finally:
        if store is not None:
            store.close()
    if output_format is TextFormat.json:
        _emit_json(report.to_dict())
    else:
        _print_check(report)
    if report.refused:
        first = next(
            (r for r in report.reasons() if not r.startswith(("warn", "allow"))),
            report.verdict,
        )
        raise DomainRuleError(f"stimulation refused ({report.verdict}): {first}")
    return ExitCode.OK


def _parse_add(text: str) -> tuple[str, str | None]:
    code, sep, site = (part.strip() for part in text.partition("@"))
    if not code or (sep and not site):
        raise InvalidParameterError(
            f"--add must be CODE or CODE@SITE, e.g. malignancy_at_site@anterior_thigh; got {text!r}"
        )
    return code, site or None


def _print_items(items: list[StoredScreeningItem]) -> None:
    from reeducate.clinic.exercises import CONTRAINDICATION_LABELS, Contraindication

    if not items:
        _done("No screening items recorded.")
        return
    out_console.print("NMES screening", highlight=False)
    for i in items:
        label = CONTRAINDICATION_LABELS.get(Contraindication(i.code), i.code)
        status = "resolved" if i.resolved_at is not None else "active"
        where = f" at {i.body_site}" if i.body_site else ""
        out_console.print(f"{i.id}  {i.code}{where}  ({status})", highlight=False)
        out_console.print(f"    {label}", highlight=False)
        if i.precaution:
            out_console.print(f"    precaution: {i.precaution}", highlight=False)


@nmes_app.command("screen")
def screen_command(
    patient: PatientOpt,
    add: Annotated[
        list[str] | None,
        typer.Option(
            "--add",
            metavar="CODE[@SITE]",
            help="Add a contraindication or precaution (repeatable), e.g. pacemaker or "
            "impaired_sensation_at_site@anterior_thigh.",
        ),
    ] = None,
    precaution: Annotated[
        str | None,
        typer.Option(
            "--precaution",
            metavar="TEXT",
            help="The precaution documented for the items added by this command.",
        ),
    ] = None,
    resolve: Annotated[
        list[str] | None,
        typer.Option("--resolve", metavar="ID", help="Mark an item resolved (repeatable)."),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Show resolved items too.")] = False,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """Show, add to, or resolve a patient's NMES screening items (contraindications and
    precautions, with the body site where they are)."""
    from reeducate.services.nmes import ScreeningSpec, screening_items, update_screening

    specs = [
        ScreeningSpec(code=code, site=site, precaution=precaution)
        for code, site in (_parse_add(text) for text in add or [])
    ]
    if precaution is not None and not specs:
        raise InvalidParameterError("--precaution must come with --add; got no --add")
    store = _store(database_url, actor)
    try:
        if specs or resolve:
            update_screening(store, patient, add=specs, resolve=list(resolve or []))
        items = screening_items(store, patient, include_resolved=show_all)
    finally:
        store.close()
    if output_format is TextFormat.json:
        _emit_json([i.to_dict() for i in items])
    else:
        _print_items(items)
    return ExitCode.OK


@nmes_app.command("log")
def log_command(
    patient: PatientOpt,
    protocol: ProtocolOpt,
    intensity_ma: Annotated[
        float, typer.Option("--intensity-ma", metavar="MA", help="Peak intensity reached, mA.")
    ],
    contractions: Annotated[
        int, typer.Option("--contractions", metavar="N", help="Contractions delivered.")
    ],
    minutes: Annotated[
        int,
        typer.Option(
            "--minutes", metavar="MIN", help="Minutes of constant attendance (CPT 97032)."
        ),
    ],
    skin_before: Annotated[
        str,
        typer.Option(
            "--skin-before",
            help="intact, mild_redness, marked_redness or blister_or_burn.",
        ),
    ],
    skin_after: Annotated[str, typer.Option("--skin-after", help="As --skin-before.")],
    session_date: Annotated[
        str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="Default: today.")
    ] = None,
    electrode_area_cm2: AreaOpt = None,
    frequency_hz: FrequencyOpt = None,
    pulse_width_us: PulseWidthOpt = None,
    waveform: WaveformOpt = None,
    on_s: Annotated[float | None, typer.Option("--on-s", help="On time used, s.")] = None,
    off_s: Annotated[float | None, typer.Option("--off-s", help="Off time used, s.")] = None,
    ramp_up_s: Annotated[float | None, typer.Option("--ramp-up-s", help="Ramp up, s.")] = None,
    ramp_down_s: Annotated[
        float | None, typer.Option("--ramp-down-s", help="Ramp down, s.")
    ] = None,
    peak_force_n: Annotated[
        float | None,
        typer.Option("--peak-force-n", metavar="N", help="Peak evoked force on the dynamometer."),
    ] = None,
    mvic_n: Annotated[
        float | None,
        typer.Option("--mvic-n", metavar="N", help="The patient's MVIC on the same set-up."),
    ] = None,
    precaution: Annotated[
        str | None,
        typer.Option("--precaution", metavar="TEXT", help="Precaution taken this session."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT")] = None,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """Record an NMES session as delivered (refused on a hard stop, a contraindication, or a
    precaution without --precaution)."""
    from reeducate.services.nmes import NmesSessionLog, log_nmes_session

    log = NmesSessionLog(
        patient_code=patient,
        protocol_id=protocol,
        session_date=_date(session_date, option="--date"),
        intensity_ma=intensity_ma,
        contractions=contractions,
        minutes_attended=minutes,
        skin_before=skin_before,
        skin_after=skin_after,
        frequency_hz=frequency_hz,
        pulse_width_us=pulse_width_us,
        waveform=waveform,
        on_s=on_s,
        off_s=off_s,
        ramp_up_s=ramp_up_s,
        ramp_down_s=ramp_down_s,
        electrode_area_cm2=electrode_area_cm2,
        peak_force_n=peak_force_n,
        mvic_n=mvic_n,
        precaution=precaution,
        note=note,
    )
    store = _store(database_url, actor)
    try:
        stored, check = log_nmes_session(store, log)
    finally:
        store.close()
    if output_format is TextFormat.json:
        _emit_json(stored.to_dict())
        return ExitCode.OK
    r = stored.record
    force = (
        f", evoked force {r.evoked_force_pct_mvic:.0f} % MVIC"
        if r.evoked_force_pct_mvic is not None
        else ""
    )
    _done(
        f"{stored.id}: {r.protocol_id} on {r.session_date.isoformat()}, {_fmt(r.intensity_ma)} mA "
        f"({stored.current_density_ma_cm2:.3f} mA rms/cm²), {r.contractions} contractions"
        f"{force}, {r.minutes_attended} min attended (97032); check {check.verdict}"
    )
    target = check.protocol.intensity.min_pct_mvic
    if (
        r.evoked_force_pct_mvic is not None
        and target is not None
        and r.evoked_force_pct_mvic < target
    ):
        _done(f"note: evoked force is below the protocol's target of {_fmt(target)} % MVIC")
    if r.skin_after.value in ("marked_redness", "blister_or_burn"):
        _done(f"note: skin after is {r.skin_after.value}: check it again within the hour")
    return ExitCode.OK


@nmes_app.command("sessions")
def sessions_command(
    patient: PatientOpt,
    database_url: DatabaseOpt = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """List a patient's NMES sessions."""
    from reeducate.services.nmes import nmes_sessions

    store = _store(database_url, None)
    try:
        sessions = nmes_sessions(store, patient)
    finally:
        store.close()
    if output_format is TextFormat.json:
        _emit_json([s.to_dict() for s in sessions])
        return ExitCode.OK
    if not sessions:
        _done("No NMES sessions recorded.")
        return ExitCode.OK
    table = Table(title="NMES sessions", title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("id", "date", "protocol", "mA", "n", "%MVIC", "skin after", "min"):
        table.add_column(name, no_wrap=True)
    for s in sessions:
        r = s.record
        table.add_row(
            s.id,
            r.session_date.isoformat(),
            r.protocol_id,
            _fmt(r.intensity_ma),
            str(r.contractions),
            f"{r.evoked_force_pct_mvic:.0f}" if r.evoked_force_pct_mvic is not None else "—",
            r.skin_after.value,
            str(r.minutes_attended),
        )
    out_console.print(table)
    return ExitCode.OK
