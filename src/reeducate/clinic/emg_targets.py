"""EMG targets of the muscle-activation exercises, and what a scored recording means for a session.

A variant's target is derived from data, not code: its ``emg_activation`` measurement (muscle,
optional ``target_pct_mvc``), its dose (hold seconds, reps per set) and the per-muscle table
:data:`MUSCLE_RULES` below (default level, the muscle that should stay quiet and its limit).
:data:`TARGET_DEFAULTS` holds the rules shared by every muscle. Clinicians read and change these
tables; the tests print them.

The numbers are starting points for low-level "wake-up" contractions (20–30 %MVC is the range of
submaximal isometric activation used in motor-control retraining; an antagonist kept below
15 %MVC is the issue's example) and need clinician review before clinical use.

:func:`set_record_from_score` and :func:`quality_from_score` turn an
:class:`~reeducate.emg.activation.ActivationScore` into the progression engine's records: reps
done (achieved repetitions) against the dose's reps, the median unbroken hold against the
dose's hold, and a measured quality (mean hold quality, 0–1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from reeducate.clinic.exercises import (
    ExerciseLibrary,
    ExerciseVariant,
    MeasurementKind,
    Muscle,
    Technique,
)
from reeducate.clinic.progression import Quality, QualitySource, SetRecord
from reeducate.emg.activation import ActivationScore, ActivationTarget
from reeducate.errors import DomainRuleError

__all__ = [
    "MUSCLE_RULES",
    "TARGET_DEFAULTS",
    "MuscleRule",
    "TargetDefaults",
    "activation_target",
    "activation_targets",
    "quality_from_score",
    "set_record_from_score",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MuscleRule:
    """How one muscle's activation is judged.

    Attributes
    ----------
    target_pct_mvc : float or None
        Default level when the measurement gives none; None: the muscle's EMG is not an
        activation target (see ``note``).
    quiet_muscle : Muscle or None
        Antagonist or substituting muscle that should stay quiet.
    quiet_max_pct_mvc : float or None
    note : str
    """

    target_pct_mvc: float | None
    quiet_muscle: Muscle | None = None
    quiet_max_pct_mvc: float | None = None
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetDefaults:
    """Rules shared by every muscle.

    Attributes
    ----------
    time_to_target_s : float
        Reach the target within this time of starting the contraction.
    hold_floor_ratio : float
        The hold counts while the envelope stays at or above this share of the target.
    rest_ratio : float
        An attempt starts above ``rest_ratio * target`` and ends below it.
    hold_without_dose_s : float
        Hold asked of tempo-based variants whose dose has no ``hold_s`` (a brief hold at the
        end of range, e.g. "1 s hold").
    """

    time_to_target_s: float = 2.0
    hold_floor_ratio: float = 0.8
    rest_ratio: float = 1.0 / 3.0
    hold_without_dose_s: float = 1.0


TARGET_DEFAULTS: Final[TargetDefaults] = TargetDefaults()

#: Per-muscle rules (muscles not listed here have no EMG activation target).
MUSCLE_RULES: Final[Mapping[Muscle, MuscleRule]] = MappingProxyType(
    {
        Muscle.STERNOCLEIDOMASTOID: MuscleRule(
            target_pct_mvc=None,
            note="recorded to check that it stays quiet during the chin nod (deep neck "
            "flexors cannot be reached by surface EMG): not an activation target",
        ),
        Muscle.CERVICAL_EXTENSORS: MuscleRule(target_pct_mvc=20.0),
        Muscle.LOWER_TRAPEZIUS: MuscleRule(
            target_pct_mvc=20.0, quiet_muscle=Muscle.UPPER_TRAPEZIUS, quiet_max_pct_mvc=15.0
        ),
        Muscle.SERRATUS_ANTERIOR: MuscleRule(
            target_pct_mvc=20.0, quiet_muscle=Muscle.UPPER_TRAPEZIUS, quiet_max_pct_mvc=15.0
        ),
        Muscle.THORACIC_ERECTOR_SPINAE: MuscleRule(target_pct_mvc=20.0),
        Muscle.TRANSVERSUS_ABDOMINIS: MuscleRule(
            target_pct_mvc=15.0, quiet_muscle=Muscle.EXTERNAL_OBLIQUE, quiet_max_pct_mvc=15.0
        ),
        Muscle.LUMBAR_MULTIFIDUS: MuscleRule(target_pct_mvc=20.0),
        Muscle.GLUTEUS_MAXIMUS: MuscleRule(
            target_pct_mvc=30.0, quiet_muscle=Muscle.HAMSTRINGS, quiet_max_pct_mvc=15.0
        ),
        Muscle.GLUTEUS_MEDIUS: MuscleRule(target_pct_mvc=30.0),
        Muscle.QUADRICEPS: MuscleRule(
            target_pct_mvc=30.0, quiet_muscle=Muscle.HAMSTRINGS, quiet_max_pct_mvc=15.0
        ),
        Muscle.VASTUS_MEDIALIS: MuscleRule(
            target_pct_mvc=30.0, quiet_muscle=Muscle.HAMSTRINGS, quiet_max_pct_mvc=15.0
        ),
        Muscle.TIBIALIS_ANTERIOR: MuscleRule(
            target_pct_mvc=30.0, quiet_muscle=Muscle.GASTROCNEMIUS, quiet_max_pct_mvc=15.0
        ),
    }
)


def activation_target(variant: ExerciseVariant, /) -> ActivationTarget:
    """The EMG target of a variant, from its first ``emg_activation`` measurement and its dose.

    Raises
    ------
    DomainRuleError
        The variant has no EMG activation measurement, or its muscle's EMG is not an activation
        target (the message says why).

    Examples
    --------
    >>> from reeducate.clinic.exercises import load_library
    >>> t = activation_target(load_library().get("ma-quad-set-long"))
    >>> t.target_pct_mvc, t.hold_s, t.reps, t.antagonist, t.antagonist_max_pct_mvc
    (30.0, 10.0, 10, 'hamstrings', 15.0)
    """
    emg = [m for m in variant.measurements if m.kind is MeasurementKind.EMG_ACTIVATION]
    if not emg:
        raise DomainRuleError(
            f"variant {variant.id!r} has no emg_activation measurement; its measurements: "
            f"{', '.join(str(m.kind) for m in variant.measurements)}"
        )
    measurement = emg[0]
    muscle = measurement.muscle
    assert muscle is not None  # required by Measurement for this kind
    rule = MUSCLE_RULES.get(muscle)
    if rule is None or rule.target_pct_mvc is None:
        why = rule.note if rule is not None else "no rule in MUSCLE_RULES"
        raise DomainRuleError(f"variant {variant.id!r}: EMG of {muscle} has no target ({why})")
    level = (
        measurement.target_pct_mvc
        if measurement.target_pct_mvc is not None
        else rule.target_pct_mvc
    )
    d = TARGET_DEFAULTS
    hold = variant.dose.hold_s if variant.dose.hold_s is not None else d.hold_without_dose_s
    return ActivationTarget(
        muscle=str(muscle),
        target_pct_mvc=level,
        time_to_target_s=d.time_to_target_s,
        hold_s=hold,
        hold_floor_ratio=d.hold_floor_ratio,
        reps=variant.dose.reps if variant.dose.reps is not None else 1,
        rest_pct_mvc=d.rest_ratio * level,
        antagonist=None if rule.quiet_muscle is None else str(rule.quiet_muscle),
        antagonist_max_pct_mvc=rule.quiet_max_pct_mvc,
    )


def activation_targets(library: ExerciseLibrary, /) -> dict[str, ActivationTarget | str]:
    """Target (or the reason there is none) of every muscle-activation variant with an
    ``emg_activation`` measurement, by variant id.

    >>> from reeducate.clinic.exercises import load_library
    >>> targets = activation_targets(load_library())
    >>> isinstance(targets["ma-glute-set-supine"], ActivationTarget)
    True
    """
    out: dict[str, ActivationTarget | str] = {}
    for variant in library:
        if variant.technique is not Technique.MUSCLE_ACTIVATION:
            continue
        if not any(m.kind is MeasurementKind.EMG_ACTIVATION for m in variant.measurements):
            continue
        try:
            out[variant.id] = activation_target(variant)
        except DomainRuleError as exc:
            out[variant.id] = str(exc)
    return out


def set_record_from_score(score: ActivationScore, /) -> SetRecord:
    """The set as the progression engine records it: achieved reps against the target's reps,
    and the median unbroken hold against its hold.

    >>> from reeducate.emg.activation import ActivationTarget, score_activation
    >>> import numpy as np
    >>> t = ActivationTarget(muscle="vm", target_pct_mvc=30, time_to_target_s=2, hold_s=5,
    ...                      hold_floor_ratio=0.8, reps=2, rest_pct_mvc=10)
    >>> env = np.zeros(2000); env[100:700] = 35.0; env[1000:1300] = 35.0
    >>> set_record_from_score(score_activation(env, sampling_rate_hz=100.0, target=t)).describe()
    '1/2 reps × 4.5/5 s'
    """
    target = score.target
    return SetRecord(
        reps_target=min(target.reps, 100),
        reps_done=min(score.reps_achieved, 1000),
        hold_target_s=target.hold_s,
        hold_done_s=min(round(score.median_held_s, 1), 3600.0),
    )


def quality_from_score(score: ActivationScore, /) -> Quality:
    """Measured quality: the mean hold quality of the attempts (0–1), with what it means.

    >>> from reeducate.emg.activation import ActivationTarget, score_activation
    >>> import numpy as np
    >>> t = ActivationTarget(muscle="vm", target_pct_mvc=30, time_to_target_s=2, hold_s=5,
    ...                      hold_floor_ratio=0.8, reps=1, rest_pct_mvc=10)
    >>> env = np.zeros(1000); env[100:350] = 35.0
    >>> quality_from_score(score_activation(env, sampling_rate_hz=100.0, target=t)).describe()
    'quality 0.50 (measured)'
    """
    return Quality(
        source=QualitySource.MEASUREMENT,
        score=round(min(max(score.mean_hold_quality_ratio, 0.0), 1.0), 3),
        method=(
            f"EMG hold quality: share of the {score.target.hold_s:g} s hold at >= "
            f"{score.target.hold_floor_pct_mvc:g} %MVC ({score.target.muscle})"
        ),
    )
