"""A demo clinic to try the application with: accounts, patients, plans, sessions, scores and
balance trials analysed from the bundled real recordings.

:func:`seed_demo_clinic` fills an empty database through the same use cases the pages call
(:mod:`reeducate.services.accounts`, :mod:`reeducate.services.care`), so everything it writes
passes the same checks and lands in the audit log under the account that "did" it: the
therapists record the clinic visits and scores, the patients their home sessions.

What it makes (dates relative to ``today``; the same ``today`` and ``seed`` give the same clinic):

* one clinic (the default ``CL-0001``, renamed :data:`DEMO_CLINIC_NAME`), an administrator,
  two therapists and six patients with a patient account each (:data:`DEMO_ACCOUNTS`);
* for each patient an episode of care (ICD-10 diagnoses, impairments), a plan with goals, a
  prescription of three exercises from the library, clinic visits twice a week and home
  sessions on most other days over three to six weeks, some with symptoms or a near-fall;
* outcome scores at the start and on re-assessment (TUG, Berg, ABC, ODI, NDI, LEFS, NPRS);
* balance trials of three patients: the twelve bundled trials of subject 14 of the public
  balance data set (Santos & Duarte 2016, ``reeducate/data/demo``), analysed by
  :func:`reeducate.services.care.log_session` and attached to assessment visits.

The patients are fictional; the balance recordings are real but of one anonymous volunteer,
lent to three demo patients. The passwords are public (:data:`DEMO_PASSWORDS`): a demo database
must never hold real patients.

Examples
--------
>>> from datetime import date
>>> from reeducate.services import accounts, care
>>> store = care.open_store("sqlite://", actor="demo")
>>> fast = accounts.SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024,
...                                  argon2_parallelism=1)
>>> clinic = seed_demo_clinic(store, today=date(2025, 3, 3), security=fast, with_trials=False)
>>> [a.login for a in clinic.accounts][:3], len(clinic.patient_codes)
(['demo.admin', 'pt.rivera', 'pt.chen'], 6)
>>> store.close()
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from reeducate.errors import DomainRuleError

if TYPE_CHECKING:
    from reeducate.services.accounts import SecuritySettings
    from reeducate.services.care import CareStore, ExerciseLog

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_CLINIC_NAME",
    "DEMO_PASSWORDS",
    "DemoAccount",
    "DemoClinic",
    "seed_demo_clinic",
]

#: The demo clinic's name.
DEMO_CLINIC_NAME: Final = "Riverside Physiotherapy (demo)"

#: The demo passwords, one per role: public, printed once when ``reeducate serve --demo`` starts.
DEMO_PASSWORDS: Final = {
    "administrator": "demo-admin-password",
    "therapist": "demo-therapist-password",
    "patient": "demo-patient-password",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoAccount:
    """One account of the demo clinic (its password is the role's :data:`DEMO_PASSWORDS`)."""

    login: str
    role: str
    password: str
    patient_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoClinic:
    """What :func:`seed_demo_clinic` made."""

    clinic_id: str
    accounts: tuple[DemoAccount, ...]
    patient_codes: tuple[str, ...]
    sessions: int
    scores: int
    trials: int


@dataclass(frozen=True, slots=True, kw_only=True)
class _Patient:
    login: str
    name: str
    date_of_birth: date
    diagnoses: tuple[str, ...]
    impairments: tuple[str, ...]
    weeks: int
    exercises: tuple[str, ...]
    goal: tuple[str, str, float, float]  # description, measure, baseline, target
    scores: tuple[tuple[str, float, float], ...]  # measure, first value, latest value
    trials: tuple[tuple[str, ...], ...] = ()  # bundled files per assessment visit
    symptom: str | None = None  # a symptom on the latest home sessions
    pain_rise: bool = False  # pain rises 2+ points during the latest sessions
    near_fall: bool = False
    skips_home: float = 0.15  # share of home days without a session


#: Demo accounts of the staff: (login, role).
_STAFF: Final = (
    ("demo.admin", "administrator"),
    ("pt.rivera", "therapist"),
    ("pt.chen", "therapist"),
)

_PATIENTS: Final = (
    _Patient(
        login="margaret.e",
        name="Margaret Ellis",
        date_of_birth=date(1947, 4, 12),
        diagnoses=("R26.81", "Z91.81"),
        impairments=("balance",),
        weeks=6,
        exercises=("bal-stance-ft-firm-ec", "bal-sls-two-hands", "bal-tw-one-hand"),
        goal=("Walk to the shops without fear of falling", "tug", 14.8, 11.0),
        scores=(("tug", 14.8, 11.9), ("bbs", 43, 49), ("abc", 58.1, 71.3)),
        trials=(
            ("BDS00160.txt.gz", "BDS00157.txt.gz", "BDS00166.txt.gz", "BDS00163.txt.gz"),
            ("BDS00161.txt.gz", "BDS00158.txt.gz", "BDS00167.txt.gz", "BDS00164.txt.gz"),
        ),
    ),
    _Patient(
        login="james.o",
        name="James Okafor",
        date_of_birth=date(1963, 9, 2),
        diagnoses=("S93.401D",),
        impairments=("proprioception", "balance"),
        weeks=4,
        exercises=("co-ankle-jpr-eyes-open", "bal-sls-firm-eo", "co-ankle-circles"),
        goal=("Return to hill walking", "lefs", 48, 68),
        scores=(("lefs", 48, 61), ("nprs", 4, 2)),
    ),
    _Patient(
        login="priya.n",
        name="Priya Nair",
        date_of_birth=date(1978, 1, 23),
        diagnoses=("M54.50",),
        impairments=("motor_control", "posture"),
        weeks=5,
        exercises=("ma-tra-supine", "ma-bridge-double", "co-pelvic-clock-supine-tilt"),
        goal=("Sit through a working day without back pain", "odi", 34, 16),
        scores=(("nprs", 6, 4), ("odi", 34, 26)),
        pain_rise=True,
    ),
    _Patient(
        login="walter.b",
        name="Walter Brandt",
        date_of_birth=date(1941, 11, 5),
        diagnoses=("G20.A1",),
        impairments=("balance", "coordination"),
        weeks=5,
        exercises=("bal-ws-two-hands", "bal-step-forward", "bal-stance-semitandem-firm-eo"),
        goal=("Turn in the kitchen without holding on", "bbs", 41, 48),
        scores=(("bbs", 41, 44), ("tug", 16.9, 15.2), ("abc", 52.5, 55.0)),
        trials=(("BDS00162.txt.gz", "BDS00159.txt.gz", "BDS00168.txt.gz", "BDS00165.txt.gz"),),
        symptom="dizziness",
        near_fall=True,
        skips_home=0.45,
    ),
    _Patient(
        login="sofia.m",
        name="Sofia Marin",
        date_of_birth=date(1989, 6, 30),
        diagnoses=("M54.2",),
        impairments=("motor_control", "posture"),
        weeks=3,
        exercises=("ma-dnf-supine", "ma-scap-set-prone", "co-cx-relocation-flexion"),
        goal=("Work at the computer for two hours without neck pain", "ndi", 30, 12),
        scores=(("ndi", 30, 22), ("nprs", 5, 3)),
    ),
    _Patient(
        login="henry.l",
        name="Henry Lowe",
        date_of_birth=date(1954, 3, 17),
        diagnoses=("I69.351",),
        impairments=("balance", "motor_control"),
        weeks=6,
        exercises=("ma-glute-set-supine", "bal-stance-ft-firm-eo", "co-mini-squat-one-hand"),
        goal=("Stand up from a chair and walk 3 m safely", "tug", 19.5, 13.5),
        scores=(("tug", 19.5, 15.8), ("bbs", 38, 45)),
        trials=(("BDS00160.txt.gz", "BDS00157.txt.gz"),),
    ),
)

#: The patients' accounts (their code is given once the clinic is seeded).
DEMO_ACCOUNTS: Final = tuple(
    DemoAccount(login=login, role=role, password=DEMO_PASSWORDS[role]) for login, role in _STAFF
) + tuple(
    DemoAccount(login=p.login, role="patient", password=DEMO_PASSWORDS["patient"])
    for p in _PATIENTS
)

#: The condition of each bundled trial (from ``demo_manifest.tsv``).
_CLINIC_DAYS: Final = (0, 3)  # weekdays of the clinic visits, counted from the episode start
_ITEMS: Final = {"bbs": 14, "abc": 16, "odi": 10, "ndi": 10, "lefs": 20}
_ITEM_MAX: Final = {"bbs": 4, "abc": 100, "odi": 5, "ndi": 5, "lefs": 4}
_SINGLE: Final = {"tug", "nprs"}


def _conditions() -> dict[str, str]:
    data = Path(str(resources.files("reeducate.data")))
    out: dict[str, str] = {}
    with (data / "demo_manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            out[row["file"]] = f"{'eo' if row['vision'] == 'open' else 'ec'}-{row['surface']}"
    return out


def _item_values(measure: str, total: float, rng: np.random.Generator) -> dict[str, float]:
    """Item scores summing (or averaging, for the ABC) to about ``total``."""
    from reeducate.clinic.outcomes import MEASURES

    ids = [item.id for item in MEASURES[measure].items]
    top = _ITEM_MAX[measure]
    if measure == "abc":  # the mean of 16 items rated 0-100 in steps of 10
        values = np.clip(np.round(rng.normal(total, 12, len(ids)) / 10) * 10, 0, 100)
        return dict(zip(ids, (float(v) for v in values), strict=True))
    if measure in ("odi", "ndi"):  # a percentage of 50 points
        points = round(total / 2)
    else:
        points = round(total)
    base = np.full(len(ids), points // len(ids))
    extra = rng.permutation(len(ids))[: points - int(base.sum())]
    base[extra] += 1
    return {i: float(min(v, top)) for i, v in zip(ids, base, strict=True)}


def _score(measure: str, value: float, rng: np.random.Generator) -> object:
    from reeducate.services.library import score_measure

    if measure in _SINGLE:
        return score_measure(measure, value=value)
    return score_measure(measure, _item_values(measure, value, rng))


def seed_demo_clinic(
    store: CareStore,
    /,
    *,
    today: date,
    seed: int = 20250303,
    security: SecuritySettings | None = None,
    with_trials: bool = True,
) -> DemoClinic:
    """Fill an empty database with the demo clinic (see the module text).

    Parameters
    ----------
    store : CareStore
        An open store with no user account yet.
    today : date
        The clinic's today: the latest sessions are the day before.
    seed : int
        Seeds the random generator of the session values (same seed and today: same clinic).
    security : SecuritySettings or None
        Password hashing parameters (None: the defaults).
    with_trials : bool
        Analyse and attach the bundled balance trials (about a second); False for quick tests.

    Raises
    ------
    DomainRuleError
        The database already has accounts (a demo is never mixed into a real clinic).
    """
    from reeducate.services import accounts, care
    from reeducate.services.accounts import DEFAULT_SECURITY
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    settings = DEFAULT_SECURITY if security is None else security
    with transaction(store.factory) as session:
        existing = Repositories(session, actor=store.actor, clock=store.clock).users.count()
    if existing:
        raise DomainRuleError(
            "the demo clinic is seeded only into an empty database (no accounts); "
            f"got one with {existing} account(s)"
        )
    rng = np.random.default_rng(seed)
    admin = accounts.bootstrap_administrator(
        store, login=_STAFF[0][0], password=DEMO_PASSWORDS["administrator"], settings=settings
    )
    clinic = accounts.rename_clinic(store, admin, "CL-0001", name=DEMO_CLINIC_NAME)
    therapists = [
        accounts.create_user(
            store,
            admin,
            login=login,
            password=DEMO_PASSWORDS["therapist"],
            role="therapist",
            clinic_id=clinic.id,
            settings=settings,
        )
        for login, role in _STAFF[1:]
    ]
    made: list[DemoAccount] = [
        DemoAccount(login=login, role=role, password=DEMO_PASSWORDS[role]) for login, role in _STAFF
    ]
    codes: list[str] = []
    n_sessions = n_scores = n_trials = 0
    conditions = _conditions()
    folder = Path(str(resources.files("reeducate.data"))) / "demo"
    for index, spec in enumerate(_PATIENTS):
        therapist = therapists[index % len(therapists)]
        as_therapist = replace(store, actor=therapist.id, engine=None)
        code = care.add_patient(
            as_therapist, name=spec.name, date_of_birth=spec.date_of_birth, clinic_id=clinic.id
        )
        codes.append(code)
        patient_user = accounts.create_user(
            store,
            therapist,
            login=spec.login,
            password=DEMO_PASSWORDS["patient"],
            role="patient",
            patient_code=code,
            settings=settings,
        )
        made.append(
            DemoAccount(
                login=spec.login,
                role="patient",
                password=DEMO_PASSWORDS["patient"],
                patient_code=code,
            )
        )
        as_patient = replace(store, actor=patient_user.id, engine=None)
        start = today - timedelta(weeks=spec.weeks)
        care.open_episode(
            as_therapist,
            patient_code=code,
            start_date=start,
            diagnoses=list(spec.diagnoses),
            impairments=spec.impairments,
        )
        description, measure, baseline, target = spec.goal
        care.create_plan(
            as_therapist,
            patient_code=code,
            start_date=start,
            frequency_per_week=2,
            duration_weeks=spec.weeks + 4,
            certification_date=start,
            goal=care.GoalSpec(
                description=description,
                measure=measure,
                baseline_value=baseline,
                target_value=target,
                target_date=start + timedelta(weeks=spec.weeks + 4),
            ),
        )
        for variant_id in spec.exercises:
            care.prescribe(as_therapist, patient_code=code, variant_id=variant_id, start_date=start)
        for measure_id, first, latest in spec.scores:
            for on, value in ((start, first), (today - timedelta(days=2), latest)):
                care.store_score(
                    as_therapist, _score(measure_id, value, rng), patient_code=code, scored_on=on
                )  # type: ignore[arg-type]  # a ScoreReport
                n_scores += 1
        library = store.exercises()
        days = (today - start).days
        visit = 0
        done: set[int] = set()  # assessments with their trials
        for day in range(days):
            on = start + timedelta(days=day)
            progress = day / max(days - 1, 1)
            late = days - day <= 5
            clinic_day = day % 7 in _CLINIC_DAYS
            if not clinic_day and rng.random() < spec.skips_home:
                continue
            logs = tuple(
                _exercise_log(
                    library.get(variant_id).dose,
                    variant_id=variant_id,
                    progress=progress,
                    rng=rng,
                    technique=str(library.get(variant_id).technique),
                    clinic=clinic_day,
                    symptom=spec.symptom if late and not clinic_day else None,
                    pain_rise=spec.pain_rise and late,
                    near_fall=spec.near_fall and late and k == 1 and not clinic_day,
                    cue=library.get(variant_id).cues[0] if library.get(variant_id).cues else None,
                )
                for k, variant_id in enumerate(spec.exercises)
            )
            trials: tuple[care.TrialLog, ...] = ()
            if clinic_day:
                assessment = 0 if visit == 0 else (1 if on >= today - timedelta(days=7) else None)
                if (
                    assessment is not None
                    and assessment < len(spec.trials)
                    and assessment not in done
                ):
                    done.add(assessment)
                    trials = (
                        ()
                        if not with_trials
                        else tuple(
                            care.TrialLog(path=folder / name, condition=conditions[name])
                            for name in spec.trials[assessment]
                        )
                    )
                visit += 1
            care.log_session(
                as_therapist if clinic_day else as_patient,
                care.SessionLog(
                    patient_code=code,
                    session_date=on,
                    setting="clinic" if clinic_day else "home",
                    exercises=logs,
                    minutes_by_code={"97112": int(rng.choice((30, 38, 45)))} if clinic_day else {},
                    trials=trials,
                    note=None if clinic_day else _home_note(rng),
                ),
            )
            n_sessions += 1
            n_trials += len(trials)
    return DemoClinic(
        clinic_id=clinic.id,
        accounts=tuple(made),
        patient_codes=tuple(codes),
        sessions=n_sessions,
        scores=n_scores,
        trials=n_trials,
    )


_NOTES: Final = (
    None,
    None,
    None,
    "Felt steadier today.",
    "Did them after my walk.",
    "A bit tired in the evening.",
)


def _home_note(rng: np.random.Generator) -> str | None:
    return _NOTES[int(rng.integers(len(_NOTES)))]


def _exercise_log(
    dose: object,
    *,
    variant_id: str,
    progress: float,
    rng: np.random.Generator,
    technique: str,
    clinic: bool,
    symptom: str | None,
    pain_rise: bool,
    near_fall: bool,
    cue: str | None,
) -> ExerciseLog:
    """One exercise as done on a day ``progress`` (0 to 1) through the episode."""
    from reeducate.clinic.exercises import Dose
    from reeducate.services.care import ExerciseLog

    assert isinstance(dose, Dose)
    reach = min(1.0, 0.7 + 0.35 * progress + float(rng.normal(0, 0.05)))
    sets = dose.sets
    reps = None if dose.reps is None else (max(1, round(dose.reps * reach)),) * sets
    hold = None if dose.hold_s is None else (round(dose.hold_s * reach, 1),) * sets
    balance = technique == "balance"
    if balance:
        difficulty = float(np.clip(round(4 - 2.5 * progress + rng.normal(0, 0.4)), 1, 5))
    else:
        difficulty = float(np.clip(round(6 - 4 * progress + rng.normal(0, 0.6)), 0, 10))
    pain_before = int(np.clip(round(rng.normal(2.5 - 1.5 * progress, 0.6)), 0, 10))
    pain_after = min(10, pain_before + (2 if pain_rise else int(rng.integers(0, 2))))
    return ExerciseLog(
        variant_id=variant_id,
        reps_done=reps,
        hold_done_s=hold,
        difficulty=difficulty,
        difficulty_scale="balance_1_5" if balance else "rpe_0_10",
        difficulty_rater="patient",
        quality_score=float(min(4, round(2 + 2.2 * progress))) if clinic else None,
        quality_scale_max=4,
        pain_before_nprs=pain_before,
        pain_after_nprs=pain_after,
        symptoms_during=(symptom,) if symptom else (),
        balance_event="near_fall" if near_fall else "none",
        cues=(cue,) if clinic and cue else (),
    )
