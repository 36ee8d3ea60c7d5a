"""``reeducate patient|episode|goal|plan|session|progress ...``: an episode of care.

Thin commands over :mod:`reeducate.services.care`; each runs one use case (one transaction).
The database is ``--database-url`` or ``REEDUCATE_DATABASE_URL`` (default: a SQLite file in the
user's data directory, created and migrated on first use); the audit trail names ``--actor`` or
``REEDUCATE_ACTOR`` (default: the login name). The CLI supplies the clock: ``--date``/``--on``
default to today.

Patients appear only by their code (``P-0001``): names and dates of birth are stored, never
printed. Services, SQLAlchemy and the numerical stack are imported inside the commands, so
``reeducate --help`` stays instant.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from reeducate.cli.common import FormatOpt, TextFormat, err_console, out_console
from reeducate.cli.exit_codes import ExitCode
from reeducate.cli.key_values import parse_key_values, parse_number
from reeducate.errors import InvalidParameterError, ReeducateError
from reeducate.store.clock import utc_now

if TYPE_CHECKING:
    from reeducate.services.care import CareStore, PlanOverview, ProgressReport
    from reeducate.services.library import ScoreReport

ACTOR_ENV = "REEDUCATE_ACTOR"


DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        metavar="URL",
        help="Database URL (default: REEDUCATE_DATABASE_URL, else a SQLite file in the user's "
        "data directory).",
    ),
]
ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="NAME",
        help=f"Who makes the change, for the audit trail (default: {ACTOR_ENV}, else the login "
        "name). Never a patient's name.",
    ),
]
PatientArg = Annotated[str, typer.Argument(metavar="PATIENT", help="Patient code, e.g. P-0001.")]


def _today() -> date:
    return datetime.now().astimezone().date()


def _store(database_url: str | None, actor: str | None) -> CareStore:
    from reeducate.services.care import open_store

    who = actor or os.environ.get(ACTOR_ENV, "").strip() or getpass.getuser()
    return open_store(
        database_url,
        actor=who,
        clock=utc_now,
        notify=lambda line: err_console.print(f"note: {line}", highlight=False, soft_wrap=True),
    )


def _date(text: str | None, *, option: str) -> date:
    if text is None:
        return _today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidParameterError(f"{option} must be a date YYYY-MM-DD; got {text!r}") from None


def _numbers(text: str | None, *, option: str) -> tuple[float, ...] | None:
    if text is None:
        return None
    return tuple(
        parse_number(part.strip(), field_name=option) for part in text.split(",") if part.strip()
    )


def _ints(text: str | None, *, option: str) -> tuple[int, ...] | None:
    values = _numbers(text, option=option)
    if values is None:
        return None
    if not all(float(v).is_integer() for v in values):
        raise InvalidParameterError(f"{option} must be whole numbers, e.g. 10,10,8; got {text!r}")
    return tuple(int(v) for v in values)


def _emit_json(document: object) -> None:
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    return grid


def _done(text: str) -> None:
    out_console.print(text, highlight=False)


# --------------------------------------------------------------------------------------------
# reeducate patient
# --------------------------------------------------------------------------------------------

patient_app = typer.Typer(
    help="Patients, known everywhere by a pseudonymous code (P-0001).", no_args_is_help=True
)


@patient_app.command("add")
def patient_add(
    name: Annotated[str, typer.Option("--name", help="Full name (stored apart, never printed).")],
    date_of_birth: Annotated[
        str,
        typer.Option("--date-of-birth", metavar="YYYY-MM-DD", help="Stored, never printed."),
    ],
    code: Annotated[
        str | None, typer.Option("--code", help="Code to give (default: the next free one).")
    ] = None,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
) -> int:
    """Record a new patient; prints the patient's code."""
    from reeducate.services.care import add_patient

    try:
        born = date.fromisoformat(date_of_birth.strip())
    except ValueError:
        raise InvalidParameterError(
            "--date-of-birth must be a date YYYY-MM-DD; got a value that is not (not shown: "
            "identifying)"
        ) from None
    store = _store(database_url, actor)
    try:
        patient_code = add_patient(store, name=name, date_of_birth=born, code=code)
    finally:
        store.close()
    _done(patient_code)
    return ExitCode.OK


@patient_app.command("list")
def patient_list(
    database_url: DatabaseOpt = None, output_format: FormatOpt = TextFormat.text
) -> int:
    """List the patients: code, latest episode, diagnoses, sessions."""
    from reeducate.services.care import list_patients

    store = _store(database_url, None)
    try:
        patients = list_patients(store)
    finally:
        store.close()
    if output_format is TextFormat.json:
        _emit_json([p.to_dict() for p in patients])
        return ExitCode.OK
    if not patients:
        _done("No patients yet: reeducate patient add --name ... --date-of-birth ...")
        return ExitCode.OK
    table = Table(title="Patients", title_justify="left")
    table.add_column("code", style="cyan", no_wrap=True)
    table.add_column("episode", no_wrap=True)
    table.add_column("since", no_wrap=True)
    table.add_column("diagnoses", overflow="fold")
    table.add_column("sessions", justify="right", no_wrap=True)
    table.add_column("last", no_wrap=True)
    for p in patients:
        table.add_row(
            p.code,
            p.episode_id or "—",
            p.episode_start.isoformat() if p.episode_start else "",
            ", ".join(p.diagnoses),
            str(p.sessions),
            p.last_session.isoformat() if p.last_session else "",
        )
    out_console.print(table)
    return ExitCode.OK


@patient_app.command("show")
def patient_show(
    patient: PatientArg,
    on: Annotated[
        str | None, typer.Option("--on", metavar="YYYY-MM-DD", help="As of (default today).")
    ] = None,
    database_url: DatabaseOpt = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """Show a patient's record (never the name or date of birth)."""
    from reeducate.services.care import patient_overview

    store = _store(database_url, None)
    try:
        overview = patient_overview(store, patient, today=_date(on, option="--on"))
    finally:
        store.close()
    if output_format is TextFormat.json:
        _emit_json(overview.to_dict())
        return ExitCode.OK
    c = out_console
    c.print(Text.assemble(("Patient ", "bold"), (overview.code, "bold cyan")))
    grid = _grid()
    grid.add_row("Identity", "recorded (not shown)" if overview.identity_recorded else "none")
    for e in overview.episodes:
        end = f" to {e.end_date.isoformat()}" if e.end_date else " (open)"
        grid.add_row(
            f"Episode {e.id}",
            Text(
                f"from {e.start_date.isoformat()}{end}; {', '.join(e.diagnoses)}; "
                f"{', '.join(sorted(e.impairments))}"
            ),
        )
    c.print(grid)
    if overview.plan is not None:
        _print_plan(overview.plan)
    if overview.sessions:
        c.print(Text("\nSessions", style="bold"))
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for name in ("id", "date", "setting", "exercises", "minutes"):
            table.add_column(name, overflow="fold", no_wrap=name in ("id", "date"))
        for s in overview.sessions:
            minutes = ", ".join(f"{k} {v}" for k, v in s.minutes_by_code.items())
            table.add_row(
                s.id,
                s.session_date.isoformat(),
                str(s.setting),
                ", ".join(x.variant_id for x in s.exercises),
                minutes or "—",
            )
        c.print(Padding(table, (0, 0, 0, 2)))
    if overview.scores:
        c.print(Text("\nOutcome measures", style="bold"))
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for name in ("id", "date", "measure", "total", "flags"):
            table.add_column(name, overflow="fold", no_wrap=name != "flags")
        for m in overview.scores:
            unit = "" if m.unit == "points" else f" {m.unit}"
            table.add_row(
                m.id, m.scored_on.isoformat(), m.measure, f"{m.total:g}{unit}", "; ".join(m.flags)
            )
        c.print(Padding(table, (0, 0, 0, 2)))
    if overview.decisions:
        c.print(Text("\nProgression decisions", style="bold"))
        for d in overview.decisions:
            why = f" — {d.reason}" if d.reason else ""
            c.print(
                Padding(
                    Text(
                        f"{d.id} {d.made_on.isoformat()}: {d.recommended} recommended for "
                        f"{d.variant_id}; {d.decision} → {d.variant_id_after} "
                        f"(by {d.decided_by}){why}"
                    ),
                    (0, 0, 0, 2),
                )
            )
    return ExitCode.OK


def store_measure_score(
    report: ScoreReport,
    /,
    *,
    patient: str,
    scored_on: str | None,
    database_url: str | None,
    actor: str | None,
) -> str:
    """Store a scored measure in a patient's record (``measure score --patient``); its id."""
    from reeducate.services.care import store_score

    store = _store(database_url, actor)
    try:
        record = store_score(
            store, report, patient_code=patient, scored_on=_date(scored_on, option="--date")
        )
    finally:
        store.close()
    return record.id


# --------------------------------------------------------------------------------------------
# reeducate episode / goal / plan
# --------------------------------------------------------------------------------------------

episode_app = typer.Typer(help="Episodes of care: ICD-10 diagnoses and impairments.")


def _split(values: list[str] | None) -> list[str]:
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


@episode_app.command("open")
def episode_open(
    patient: PatientArg,
    diagnosis: Annotated[
        list[str],
        typer.Option("--diagnosis", metavar="ICD10", help="ICD-10 code, e.g. R26.81 (repeatable)."),
    ],
    impairment: Annotated[
        list[str],
        typer.Option(
            "--impairment",
            help="balance, coordination, proprioception, posture or motor_control (repeatable).",
        ),
    ],
    start: Annotated[
        str | None, typer.Option("--start", metavar="YYYY-MM-DD", help="First day (today).")
    ] = None,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
) -> int:
    """Open an episode of care; prints its id."""
    from reeducate.services.care import open_episode

    store = _store(database_url, actor)
    try:
        episode = open_episode(
            store,
            patient_code=patient,
            start_date=_date(start, option="--start"),
            diagnoses=_split(diagnosis),
            impairments=_split(impairment),
        )
    finally:
        store.close()
    _done(f"{episode.id}: episode of {patient} from {episode.start_date.isoformat()}")
    return ExitCode.OK


goal_app = typer.Typer(help="Measurable goals of the plan of care.")

GoalText = Annotated[str, typer.Option("--description", help="The goal in plain language.")]
GoalMeasure = Annotated[
    str,
    typer.Option(
        "--measure",
        help="Outcome measure id (tug, bbs, ...; see 'reeducate measure list') or a metric name "
        "ending in its unit (single_leg_stance_s).",
    ),
]
GoalBaseline = Annotated[float, typer.Option("--baseline", help="Value now.")]
GoalTarget = Annotated[float, typer.Option("--target", help="Value to reach.")]
GoalBy = Annotated[str, typer.Option("--by", metavar="YYYY-MM-DD", help="Target date.")]


def _goal_spec(description: str, measure: str, baseline: float, target: float, by: str) -> Any:
    from reeducate.services.care import GoalSpec

    return GoalSpec(
        description=description,
        measure=measure,
        baseline_value=baseline,
        target_value=target,
        target_date=_date(by, option="--by"),
    )


@goal_app.command("add")
def goal_add(
    patient: PatientArg,
    description: GoalText,
    measure: GoalMeasure,
    baseline: GoalBaseline,
    target: GoalTarget,
    by: GoalBy,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
) -> int:
    """Add a goal to the patient's plan of care (the baseline dates from the plan's start)."""
    from reeducate.services.care import add_goal

    store = _store(database_url, actor)
    try:
        goal = add_goal(
            store,
            patient_code=patient,
            goal=_goal_spec(description, measure, baseline, target, by),
        )
    finally:
        store.close()
    _done(
        f"{goal.id}: {goal.measure} {goal.baseline_value:g} → {goal.target_value:g} "
        f"by {goal.target_date.isoformat()}"
    )
    return ExitCode.OK


plan_app = typer.Typer(
    help="Plans of care: frequency, duration, certification, goals, prescription.",
    no_args_is_help=True,
)


@plan_app.command("create")
def plan_create(
    patient: PatientArg,
    frequency: Annotated[int, typer.Option("--frequency", help="Visits per week, 1–7.")],
    weeks: Annotated[int, typer.Option("--weeks", help="Duration in weeks, 1–52.")],
    description: Annotated[str, typer.Option("--goal", help="The first goal, in plain language.")],
    measure: Annotated[
        str, typer.Option("--goal-measure", help="Its outcome measure id or metric name.")
    ],
    baseline: Annotated[float, typer.Option("--goal-baseline", help="Its value now.")],
    target: Annotated[float, typer.Option("--goal-target", help="Its value to reach.")],
    by: Annotated[str, typer.Option("--goal-by", metavar="YYYY-MM-DD", help="Its target date.")],
    start: Annotated[
        str | None, typer.Option("--start", metavar="YYYY-MM-DD", help="First day (today).")
    ] = None,
    certified: Annotated[
        str | None,
        typer.Option("--certified", metavar="YYYY-MM-DD", help="Certification date (start)."),
    ] = None,
    recertify_by: Annotated[
        str | None,
        typer.Option(
            "--recertify-by",
            metavar="YYYY-MM-DD",
            help="Re-certification due (default: the plan's end, at most 90 days).",
        ),
    ] = None,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
) -> int:
    """Create the plan of care of the patient's episode, with its first goal."""
    from reeducate.services.care import create_plan

    first_day = _date(start, option="--start")
    store = _store(database_url, actor)
    try:
        plan = create_plan(
            store,
            patient_code=patient,
            start_date=first_day,
            frequency_per_week=frequency,
            duration_weeks=weeks,
            certification_date=_date(certified, option="--certified") if certified else first_day,
            recertification_due_date=None
            if recertify_by is None
            else _date(recertify_by, option="--recertify-by"),
            goal=_goal_spec(description, measure, baseline, target, by),
        )
    finally:
        store.close()
    _done(
        f"{plan.id}: {plan.frequency_per_week}×/week for {plan.duration_weeks} weeks from "
        f"{plan.start_date.isoformat()}, re-certify by {plan.recertification_due_date.isoformat()}"
        f"; goal {plan.goals[0].id}"
    )
    return ExitCode.OK


def _print_plan(p: PlanOverview) -> None:
    from reeducate.services.care import describe_dose

    c = out_console
    plan = p.plan
    c.print(Text(f"\nPlan of care {plan.id} (episode {p.episode.id})", style="bold"))
    grid = _grid()
    grid.add_row(
        "Schedule",
        Text(
            f"{plan.frequency_per_week}×/week for {plan.duration_weeks} weeks, "
            f"{plan.start_date.isoformat()} to {plan.end_date.isoformat()}"
        ),
    )
    grid.add_row(
        "Certified",
        Text(
            f"{plan.certification_date.isoformat()}; re-certify by "
            f"{plan.recertification_due_date.isoformat()}"
        ),
    )
    grid.add_row(
        "Visits",
        Text(f"{p.visits} (progress report every {plan.progress_report_interval_visits})"),
    )
    c.print(Padding(grid, (0, 0, 0, 2)))
    c.print(Text("  Goals", style="bold"))
    for g in plan.goals:
        c.print(
            Padding(
                Text(
                    f"{g.id}: {g.description} — {g.measure} {g.baseline_value:g} → "
                    f"{g.target_value:g} by {g.target_date.isoformat()}"
                ),
                (0, 0, 0, 4),
            )
        )
    rx = p.prescription
    if rx is None:
        c.print("  No prescription yet: reeducate plan prescribe PATIENT VARIANT", highlight=False)
    else:
        c.print(Text(f"  Prescription {rx.id} (from {rx.start_date.isoformat()})", style="bold"))
        for x in rx.exercises:
            c.print(
                Padding(
                    Text.assemble(
                        (x.variant_id, "cyan"),
                        f"  {p.exercise_names.get(x.variant_id, '')}\n",
                        (describe_dose(x.dose), "dim"),
                    ),
                    (0, 0, 0, 4),
                )
            )
    for alert in p.alerts:
        c.print(Padding(Text(f"! {alert}", style="yellow"), (0, 0, 0, 2)))


@plan_app.command("show")
def plan_show(
    patient: PatientArg,
    on: Annotated[
        str | None, typer.Option("--on", metavar="YYYY-MM-DD", help="As of (default today).")
    ] = None,
    database_url: DatabaseOpt = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """Show the plan of care: goals, the prescription in force, visits and alerts."""
    from reeducate.services.care import plan_overview

    store = _store(database_url, None)
    try:
        overview = plan_overview(store, patient, today=_date(on, option="--on"))
    finally:
        store.close()
    if output_format is TextFormat.json:
        _emit_json(overview.to_dict())
    else:
        _print_plan(overview)
    return ExitCode.OK


@plan_app.command("prescribe")
def plan_prescribe(
    patient: PatientArg,
    variant: Annotated[str, typer.Argument(help="Exercise id (reeducate exercises search).")],
    sets: Annotated[int | None, typer.Option("--sets", help="Sets, 1–10.")] = None,
    reps: Annotated[int | None, typer.Option("--reps", help="Repetitions per set.")] = None,
    hold_s: Annotated[float | None, typer.Option("--hold-s", help="Hold, seconds.")] = None,
    rest_s: Annotated[float | None, typer.Option("--rest-s", help="Rest between sets.")] = None,
    per_week: Annotated[
        int | None, typer.Option("--per-week", help="Sessions per week, 1–14.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", metavar="YYYY-MM-DD", help="From (default today).")
    ] = None,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
) -> int:
    """Prescribe an exercise with its dose; options left out take the library's default dose."""
    from reeducate.clinic.exercises import Dose, load_library
    from reeducate.services.care import describe_dose, prescribe

    dose = None
    if any(v is not None for v in (sets, reps, hold_s, rest_s, per_week)):
        library = load_library()
        default = library.get(variant).dose if variant in library else None
        given_shape = reps is not None or hold_s is not None
        dose = Dose(
            sets=sets if sets is not None else (default.sets if default else 3),
            reps=reps if given_shape else (default.reps if default else None),
            hold_s=hold_s if given_shape else (default.hold_s if default else None),
            rest_s=rest_s if rest_s is not None else (default.rest_s if default else 30),
            sessions_per_week=per_week
            if per_week is not None
            else (default.sessions_per_week if default else 3),
            tempo=default.tempo if default and not given_shape else None,
        )
    store = _store(database_url, actor)
    try:
        rx = prescribe(
            store,
            patient_code=patient,
            variant_id=variant,
            start_date=_date(start, option="--start"),
            dose=dose,
        )
    finally:
        store.close()
    chosen = rx.dose_for(variant)
    _done(f"{rx.id}: {variant} {describe_dose(chosen)} from {rx.start_date.isoformat()}")
    return ExitCode.OK


# --------------------------------------------------------------------------------------------
# reeducate session
# --------------------------------------------------------------------------------------------

session_app = typer.Typer(
    help="Treatment sessions, in the clinic or at home.", no_args_is_help=True
)


@session_app.command("log")
def session_log(
    patient: PatientArg,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="A whole session as TOML (several exercises, trials): see the README or "
            "'python -m pydoc reeducate.services.care_files'.",
        ),
    ] = None,
    exercise: Annotated[
        str | None, typer.Option("--exercise", help="Exercise id (one-exercise log).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="Session date (today).")
    ] = None,
    setting: Annotated[str, typer.Option("--setting", help="clinic or home.")] = "clinic",
    sequence: Annotated[int, typer.Option("--sequence", help="Session of the day (1).")] = 1,
    hold_done: Annotated[
        str | None,
        typer.Option("--hold-done", metavar="S,S,..", help="Seconds held, per set: 30,30,25."),
    ] = None,
    reps_done: Annotated[
        str | None,
        typer.Option("--reps-done", metavar="N,N,..", help="Repetitions done, per set."),
    ] = None,
    sets: Annotated[
        int | None, typer.Option("--sets", help="Sets prescribed (default: the prescription).")
    ] = None,
    hold_target_s: Annotated[
        float | None, typer.Option("--hold-target-s", help="Hold target (prescription).")
    ] = None,
    reps_target: Annotated[
        int | None, typer.Option("--reps-target", help="Repetition target (prescription).")
    ] = None,
    load_kg: Annotated[float | None, typer.Option("--load-kg", help="Load, kg.")] = None,
    losses: Annotated[
        str | None,
        typer.Option("--losses-of-balance", metavar="N,N,..", help="Losses of balance per set."),
    ] = None,
    difficulty: Annotated[
        float | None, typer.Option("--difficulty", help="Self-rating 1–5 (or RPE, see below).")
    ] = None,
    difficulty_scale: Annotated[
        str, typer.Option("--difficulty-scale", help="balance_1_5 or rpe_0_10.")
    ] = "balance_1_5",
    quality: Annotated[
        str | None,
        typer.Option(
            "--quality", metavar="N/M", help="Therapist rating, e.g. 3/4 (or 0.85: measured)."
        ),
    ] = None,
    pain_before: Annotated[
        int | None, typer.Option("--pain-before", help="NPRS 0–10 at the start.")
    ] = None,
    pain_during: Annotated[int | None, typer.Option("--pain-during", help="NPRS 0–10.")] = None,
    pain_after: Annotated[int | None, typer.Option("--pain-after", help="NPRS 0–10.")] = None,
    symptom: Annotated[
        list[str] | None,
        typer.Option("--symptom", help="Symptom during the exercise, e.g. dizziness (repeatable)."),
    ] = None,
    balance_event: Annotated[
        str, typer.Option("--balance-event", help="none, near_fall or fall.")
    ] = "none",
    assistance: Annotated[
        str,
        typer.Option("--assistance", help="independent, supervision, contact_guard, minimal..."),
    ] = "independent",
    cue: Annotated[
        list[str] | None, typer.Option("--cue", help="A cue given (repeatable).")
    ] = None,
    duration_min: Annotated[
        float | None, typer.Option("--duration-min", help="Minutes on the exercise.")
    ] = None,
    minutes: Annotated[
        list[str] | None,
        typer.Option("--minutes", metavar="CODE=MIN", help="Treatment minutes per CPT code."),
    ] = None,
    trial: Annotated[
        list[Path] | None,
        typer.Option("--trial", help="A balance recording to analyse and attach (repeatable)."),
    ] = None,
    trial_condition: Annotated[
        str | None, typer.Option("--trial-condition", help="e.g. eo-firm, for every --trial.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free-text note.")] = None,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
) -> int:
    """Record a session: one exercise from the options, or a whole session with --file."""
    from reeducate.services.care import ExerciseLog, SessionLog, TrialLog, log_session

    if file is not None:
        if exercise is not None:
            raise InvalidParameterError(
                "--file and --exercise must not be given together; got both"
            )
        from reeducate.services.care_files import read_session_file

        log = read_session_file(file, patient_code=patient)
    else:
        if exercise is None:
            raise InvalidParameterError(
                "--exercise (one exercise) or --file (a whole session) must be given; got neither"
            )
        score = None
        scale_max = 1.0
        source = "measurement"
        if quality is not None:
            top, slash, bottom = quality.partition("/")
            score = parse_number(top.strip(), field_name="--quality")
            if slash:
                scale_max = parse_number(bottom.strip(), field_name="--quality")
                source = "therapist_rating"
        item = ExerciseLog(
            variant_id=exercise,
            hold_done_s=_numbers(hold_done, option="--hold-done"),
            reps_done=_ints(reps_done, option="--reps-done"),
            sets_prescribed=sets,
            hold_target_s=hold_target_s,
            reps_target=reps_target,
            load_kg=load_kg,
            losses_of_balance=_ints(losses, option="--losses-of-balance") or (),
            difficulty=difficulty,
            difficulty_scale=difficulty_scale,
            quality_score=score,
            quality_scale_max=scale_max,
            quality_source=source,
            pain_before_nprs=pain_before,
            pain_during_nprs=pain_during,
            pain_after_nprs=pain_after,
            symptoms_during=tuple(_split(symptom)),
            balance_event=balance_event,
            assistance=assistance,
            duration_min=duration_min,
            cues=tuple(cue or ()),
        )
        pairs = parse_key_values(minutes or [], option="--minutes", example="97112=25")
        log = SessionLog(
            patient_code=patient,
            session_date=_date(on, option="--date"),
            setting=setting,
            sequence=sequence,
            exercises=(item,),
            minutes_by_code={
                code: int(parse_number(v, field_name=f"--minutes {code}"))
                for code, v in pairs.items()
            },
            trials=tuple(TrialLog(path=p, condition=trial_condition) for p in trial or ()),
            note=note,
        )
    store = _store(database_url, actor)
    try:
        try:
            session = log_session(store, log)
        except ReeducateError as error:
            if file is None:
                raise
            raise type(error)(f"{file.name}: {error}") from None
    finally:
        store.close()
    done = ", ".join(x.variant_id for x in session.exercises)
    minutes_text = ", ".join(f"{k} {v} min" for k, v in session.minutes_by_code.items())
    trials_text = f"; trials {', '.join(session.trial_ids)}" if session.trial_ids else ""
    _done(
        f"{session.id}: {session.setting} session of {patient} on "
        f"{session.session_date.isoformat()}: {done}"
        + (f"; {minutes_text}" if minutes_text else "")
        + trials_text
    )
    return ExitCode.OK


# --------------------------------------------------------------------------------------------
# reeducate progress
# --------------------------------------------------------------------------------------------


class _ShowByDefault(TyperGroup):
    """``reeducate progress P-0001`` runs ``progress show P-0001``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's own click Context
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


progress_app = typer.Typer(
    cls=_ShowByDefault,
    help="Progression: 'reeducate progress PATIENT' recommends progress, hold or regress for "
    "each prescribed exercise with its evidence; 'progress decide' stores the decision.",
    no_args_is_help=True,
)

RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", help="The clinic's progression rules (TOML; default: built-in)."),
]
OnOpt = Annotated[
    str | None,
    typer.Option("--on", metavar="YYYY-MM-DD", help="Day of the recommendation (today)."),
]

_MARK = {
    "progress": ("▲ progress", "green"),
    "hold": ("● hold", "blue"),
    "regress": ("▼ regress", "red"),
}


def _print_progress(r: ProgressReport) -> None:
    c = out_console
    c.print(
        Text.assemble(
            ("Progress of ", "bold"),
            (r.patient_code, "bold cyan"),
            (f" on {r.on.isoformat()}", "bold"),
        )
    )
    c.print(
        Text(
            f"plan {r.plan_id}, prescription {r.prescription_id}, rules: {r.rules_source}",
            style="dim",
        )
    )
    for x in r.exercises:
        rec = x.recommendation
        label, colour = _MARK[str(rec.decision)]
        c.print()
        c.print(Text.assemble((label.upper(), f"bold {colour}"), "  ", (x.variant_id, "cyan")))
        body = Table.grid(padding=(0, 1))
        body.add_column(no_wrap=True, style="bold")
        body.add_column(overflow="fold")
        body.add_row("exercise", Text(x.name))
        if rec.target_variant_id != x.variant_id:
            step = ""
            if (
                rec.dimension is not None
                and rec.level_from is not None
                and rec.level_to is not None
            ):
                step = f" ({rec.dimension}: {rec.level_from} → {rec.level_to})"
            body.add_row("next", Text(f"{rec.target_variant_id}  {x.target_name}{step}"))
        elif rec.dose_change is not None:
            body.add_row("next", Text(rec.dose_change.describe()))
        body.add_row("rule", Text(str(rec.rule)))
        body.add_row("evidence", Text(rec.evidence))
        if rec.suggested_families:
            body.add_row("see also", Text(", ".join(rec.suggested_families)))
        body.add_row(
            "decide",
            Text(
                f"reeducate progress decide {r.patient_code} {x.variant_id} --accept "
                "(or --change-to ID / --reject, with --reason)",
                style="dim",
            ),
        )
        c.print(Padding(body, (0, 0, 0, 2)))
    c.print(Text("\nAlerts", style="bold"))
    if not r.alerts:
        c.print("  none", highlight=False)
    for alert in r.alerts:
        c.print(Padding(Text(f"! {alert}", style="yellow"), (0, 0, 0, 2)))


@progress_app.command("show")
def progress_show(
    patient: PatientArg,
    on: OnOpt = None,
    rules: RulesOpt = None,
    database_url: DatabaseOpt = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """Recommend progress, hold or regress for each prescribed exercise, with the evidence."""
    from reeducate.services.care import progress

    store = _store(database_url, None)
    try:
        report = progress(store, patient, today=_date(on, option="--on"), rules_path=rules)
    finally:
        store.close()
    if output_format is TextFormat.json:
        _emit_json(report.to_dict())
    else:
        _print_progress(report)
    return ExitCode.OK


@progress_app.command("decide")
def progress_decide(
    patient: PatientArg,
    variant: Annotated[str, typer.Argument(help="The prescribed exercise decided on.")],
    accept: Annotated[bool, typer.Option("--accept", help="Take the recommendation.")] = False,
    reject: Annotated[
        bool, typer.Option("--reject", help="Keep the prescription (needs --reason).")
    ] = False,
    change_to: Annotated[
        str | None,
        typer.Option(
            "--change-to", metavar="ID", help="Prescribe this variant instead (--reason)."
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (stored).")] = None,
    on: OnOpt = None,
    rules: RulesOpt = None,
    database_url: DatabaseOpt = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """Accept, change or reject the recommendation for one exercise; the reason is stored."""
    from reeducate.services.care import decide

    chosen = [
        name
        for name, given in (
            ("--accept", accept),
            ("--reject", reject),
            ("--change-to", change_to is not None),
        )
        if given
    ]
    if len(chosen) != 1:
        raise InvalidParameterError(
            "exactly one of --accept, --change-to ID and --reject must be given; got "
            + (", ".join(chosen) or "none")
        )
    kind = "accept" if accept else "reject" if reject else "change"
    store = _store(database_url, actor)
    try:
        result = decide(
            store,
            patient_code=patient,
            variant_id=variant,
            kind=kind,
            today=_date(on, option="--on"),
            reason=reason,
            change_to=change_to,
            rules_path=rules,
        )
    finally:
        store.close()
    if output_format is TextFormat.json:
        _emit_json(result.to_dict())
        return ExitCode.OK
    d = result.decision
    _done(
        f"{d.id}: {d.decision} ({d.recommended} was recommended by rule {d.rule}); "
        f"{patient} {d.variant_id} → {d.variant_id_after}"
    )
    if result.prescription is not None:
        _done(
            f"prescription {result.prescription.id} from "
            f"{result.prescription.start_date.isoformat()}: "
            + ", ".join(x.variant_id for x in result.prescription.exercises)
        )
    else:
        _done("prescription unchanged")
    if result.note:
        _done(result.note)
    return ExitCode.OK
