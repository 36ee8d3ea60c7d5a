"""The exercise library: exercise variants as validated data, linked into progression ladders.

The library lives in TOML files (``reeducate/clinic/data/exercises/*.toml``, one per technique)
so that clinicians can read and review it. Each file holds **families**; a family is one
exercise idea (single-leg stance, dead bug, chin nod ...) and its **variants** are the points of
its ladder. Every variant has a level on every difficulty dimension
(:mod:`reeducate.clinic.dimensions`), plain-language instructions, cues, common faults, safety
notes, coded contraindications, equipment, a default dose, the CPT code it normally falls under,
and the measurements that can judge it.

File layout
-----------
::

    schema_version = 1

    [[family]]
    id = "bal-sls"                     # family id
    name = "Single-leg stance"
    technique = "balance"              # see Technique
    regions = ["ankle_foot", "hip"]    # see Region
    entry = "bal-sls-two-hands"        # the variant every other one is reached from
    leads_to = ["bal-reach"]           # optional: families that follow this one
    posture = "standing"               # see Posture
    cpt_code = "97112"                 # see CptCode
    instructions = [                   # steps a patient can follow, in order
      "Stand beside a sturdy counter.",
      "{setup}",                       # optional: where a variant's setup lines go
      "Shift your weight onto one leg and lift the other foot just off the floor.",
      "{then}",                        # optional: where a variant's then lines go
      "Hold for the time given, then change legs.",
    ]
    cues = ["..."]
    common_faults = ["..."]
    safety_notes = ["..."]
    contraindications = ["vestibular_acute"]   # see Contraindication
    equipment = ["counter"]                    # see Equipment
    measurements = [{ kind = "balance_trial" }]
    dose = { sets = 3, hold_s = 10, rest_s = 30, sessions_per_week = 3 }
    [family.levels]                    # a level on EVERY dimension
    joints = "multi"
    ...

    [[family.variant]]
    id = "bal-sls-two-hands"
    name = "Single-leg stance holding on with two hands"
    levels = { support = "two_hands" }     # only what differs from the family
    setup = ["Hold the counter with both hands."]   # goes where the family has "{setup}"
    harder = { support = "bal-sls-one-hand" }       # one step harder along a dimension

    [[family.variant]]
    id = "bal-sls-firm-ht"
    ...
    setup = ["Keep your hands just above the counter without touching it."]
    then = ["Once steady, turn your head slowly left and right."]  # goes where "{then}" is

A variant inherits everything from its family. ``levels``, ``dose``, ``measurements``, ``nmes``,
``posture``, ``cpt_code`` and ``instructions`` given on a variant replace the family's;
``cues``, ``common_faults``, ``safety_notes``, ``contraindications`` and ``equipment`` add to the
family's.

Where a variant's own steps go
------------------------------
A variant usually keeps its family's steps and adds a few of its own, and a patient reads the
result top to bottom, so the family says where those lines belong. Two placeholder lines may
stand, each at most once and ``{setup}`` before ``{then}``, in a family's ``instructions``:

* a variant's ``setup`` lines replace the family's ``{setup}`` line; a family without one gets
  them before its first step (so ``setup`` is for how to start: position, support, surface);
* a variant's ``then`` lines replace the family's ``{then}`` line; a family without one refuses
  a variant that gives ``then`` (there is no safe default place for "turn your head" or "close
  your eyes": it belongs after the step that gets the patient into position);
* a placeholder a variant does not fill is dropped, so a family step can be written once for
  all its variants. ``setup`` and ``then`` are not allowed beside a variant's own
  ``instructions``, and no other text may hold ``{`` or ``}`` (a misspelt placeholder is an
  error, not a step).

Rules checked on load
---------------------
A file that breaks any rule is refused with a :class:`~reeducate.errors.FileFormatError` naming
the file, the family or variant id and the field (unknown keys are errors too, so typos do not
pass silently):

* family ids, and variant ids, are unique across the whole library (all files together);
* every enumerated value (technique, region, level, CPT code, contraindication ...) is known and
  every number is in its range (e.g. ``dose.sets`` is an integer 1–10);
* the placeholder lines ``{setup}`` and ``{then}`` follow the rules above;
* ``harder.D = "x"`` names a variant of the same family that is **exactly one level higher on D
  and equal on every other dimension** (a different default dose is allowed: a harder variant
  usually restarts at a lower dose); "one step easier" is the inverse of these links;
* no two variants of a family sit at the same levels;
* **no dead ends, no skipped rungs**: if a family holds a variant ``w`` that is higher than ``v``
  on D and equal to ``v`` on every other dimension, then ``v`` links one step harder on D;
* every variant of a family is reached from the family's entry by harder steps.

Because every link climbs exactly one level on one dimension, the graph has no cycles.

Examples
--------
>>> from reeducate.clinic.exercises import load_library
>>> from reeducate.clinic.dimensions import Dimension
>>> library = load_library()
>>> library.get("bal-sls-firm-eo").name
'Single-leg stance, firm floor, eyes open'
>>> library.harder("bal-sls-firm-eo", Dimension.SURFACE).id
'bal-sls-foam-eo'
>>> library.easier("bal-sls-foam-eo", Dimension.SURFACE).id
'bal-sls-firm-eo'
>>> hits = library.search(region="knee", technique="nmes_activation",
...                       contraindications={"pacemaker"})
>>> len(hits)
0
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, TypeVar

from reeducate.clinic.dimensions import (
    LADDER_ORDER,
    Dimension,
    DimensionLevels,
    Level,
    LevelMapping,
    levels_of,
    next_level,
    parse_level,
    previous_level,
    rank,
)
from reeducate.enums import allowed_values, member_of
from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError

__all__ = [
    "CONTRAINDICATION_LABELS",
    "TECHNIQUE_LABELS",
    "BodyJoint",
    "BodySegment",
    "Contraindication",
    "CptCode",
    "Dose",
    "Equipment",
    "ExerciseFamily",
    "ExerciseLibrary",
    "ExerciseVariant",
    "ImuQuantity",
    "JointAngle",
    "Measurement",
    "MeasurementKind",
    "Muscle",
    "NmesMode",
    "NmesSettings",
    "Plane",
    "Posture",
    "Region",
    "SearchHit",
    "Technique",
    "load_library",
    "load_library_from",
]

SCHEMA_VERSION: Final = 1


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


class Technique(StrEnum):
    """The NMR techniques of ``DOMAIN.md``."""

    MUSCLE_ACTIVATION = "muscle_activation"
    NMES_ACTIVATION = "nmes_activation"
    POSTURAL_CONTROL = "postural_control"
    BALANCE = "balance"
    COORDINATION = "coordination"


#: Plain-language names of the techniques.
TECHNIQUE_LABELS: Final[Mapping[Technique, str]] = MappingProxyType(
    {
        Technique.MUSCLE_ACTIVATION: "Muscle activation",
        Technique.NMES_ACTIVATION: "NMES-assisted activation",
        Technique.POSTURAL_CONTROL: "Postural control",
        Technique.BALANCE: "Balance",
        Technique.COORDINATION: "Coordination and kinesthetic sense",
    }
)


class Region(StrEnum):
    """Body region an exercise targets."""

    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR_CORE = "lumbar_core"
    SHOULDER = "shoulder"
    HIP = "hip"
    KNEE = "knee"
    ANKLE_FOOT = "ankle_foot"


class Posture(StrEnum):
    """Starting posture."""

    SUPINE = "supine"
    PRONE = "prone"
    SIDE_LYING = "side_lying"
    QUADRUPED = "quadruped"
    SITTING = "sitting"
    TALL_KNEELING = "tall_kneeling"
    HALF_KNEELING = "half_kneeling"
    STANDING = "standing"


class CptCode(StrEnum):
    """CPT code an exercise normally falls under (``reference/clinic.md`` §1.1)."""

    THERAPEUTIC_EXERCISE = "97110"
    NEUROMUSCULAR_REEDUCATION = "97112"
    THERAPEUTIC_ACTIVITIES = "97530"
    ESTIM_ATTENDED = "97032"


class Contraindication(StrEnum):
    """Coded contraindications and precautions; :data:`CONTRAINDICATION_LABELS` explains each."""

    ACUTE_DVT = "acute_dvt"
    UNHEALED_FRACTURE = "unhealed_fracture"
    POST_OP_WEIGHT_BEARING_RESTRICTION = "post_op_weight_bearing_restriction"
    POST_OP_MOTION_RESTRICTION = "post_op_motion_restriction"
    HIP_PRECAUTIONS_POSTERIOR = "hip_precautions_posterior"
    ACUTE_LIGAMENT_INJURY = "acute_ligament_injury"
    VESTIBULAR_ACUTE = "vestibular_acute"
    CERVICAL_INSTABILITY = "cervical_instability"
    CERVICAL_ARTERIAL_DYSFUNCTION = "cervical_arterial_dysfunction"
    PROGRESSIVE_NEUROLOGICAL_DEFICIT = "progressive_neurological_deficit"
    SEVERE_OSTEOPOROSIS = "severe_osteoporosis"
    UNCONTROLLED_HYPERTENSION = "uncontrolled_hypertension"
    RECENT_ABDOMINAL_SURGERY = "recent_abdominal_surgery"
    ACUTE_SHOULDER_INSTABILITY = "acute_shoulder_instability"
    UNABLE_TO_STAND_UNASSISTED = "unable_to_stand_unassisted"
    HIGH_FALL_RISK_UNSUPERVISED = "high_fall_risk_unsupervised"
    PACEMAKER = "pacemaker"
    PREGNANCY = "pregnancy"
    MALIGNANCY_AT_SITE = "malignancy_at_site"
    SKIN_DAMAGE_AT_SITE = "skin_damage_at_site"
    IMPAIRED_SENSATION_AT_SITE = "impaired_sensation_at_site"
    IMPAIRED_COGNITION = "impaired_cognition"
    EPILEPSY = "epilepsy"
    BLEEDING_DISORDER = "bleeding_disorder"
    RECENT_RADIATION_AT_SITE = "recent_radiation_at_site"
    # NMES screening codes (reeducate.stim.screening.RULES; reference §5.3)
    IMPLANTED_DEFIBRILLATOR = "implanted_defibrillator"
    IMPLANTED_NEUROSTIMULATOR = "implanted_neurostimulator"
    CARDIAC_DISEASE_OR_DYSRHYTHMIA = "cardiac_disease_or_dysrhythmia"
    HEART_FAILURE = "heart_failure"
    INFECTION_AT_SITE = "infection_at_site"
    IMPAIRED_COMMUNICATION = "impaired_communication"
    ACTIVE_EPIPHYSES_AT_SITE = "active_epiphyses_at_site"
    REGENERATING_NERVES_AT_SITE = "regenerating_nerves_at_site"
    RECENT_SURGERY_AT_SITE = "recent_surgery_at_site"


#: What each contraindication code means. NMES entries follow Houghton et al. 2010
#: (doi:10.3138/ptc.62.5) as summarised in ``reference/emg-nmes-streaming.md`` §5.3.
CONTRAINDICATION_LABELS: Final[Mapping[Contraindication, str]] = MappingProxyType(
    {
        Contraindication.ACUTE_DVT: "acute deep vein thrombosis or thrombophlebitis",
        Contraindication.UNHEALED_FRACTURE: "unhealed fracture in the region",
        Contraindication.POST_OP_WEIGHT_BEARING_RESTRICTION: (
            "weight-bearing restriction after surgery"
        ),
        Contraindication.POST_OP_MOTION_RESTRICTION: (
            "range-of-motion or loading restriction after surgery (e.g. tendon repair)"
        ),
        Contraindication.HIP_PRECAUTIONS_POSTERIOR: (
            "posterior hip precautions after hip replacement (no flexion past 90°, no crossing "
            "the midline, no inward rotation)"
        ),
        Contraindication.ACUTE_LIGAMENT_INJURY: "acute ligament sprain or tear in the region",
        Contraindication.VESTIBULAR_ACUTE: (
            "acute vestibular episode (active vertigo attack, untreated positional vertigo)"
        ),
        Contraindication.CERVICAL_INSTABILITY: (
            "cervical instability or upper cervical ligament injury"
        ),
        Contraindication.CERVICAL_ARTERIAL_DYSFUNCTION: (
            "suspected cervical arterial dysfunction (vertebrobasilar or carotid)"
        ),
        Contraindication.PROGRESSIVE_NEUROLOGICAL_DEFICIT: (
            "progressive neurological deficit or other red flag needing medical review"
        ),
        Contraindication.SEVERE_OSTEOPOROSIS: (
            "severe osteoporosis or osteoporotic vertebral fracture (avoid loaded flexion and "
            "perturbation)"
        ),
        Contraindication.UNCONTROLLED_HYPERTENSION: "uncontrolled high blood pressure",
        Contraindication.RECENT_ABDOMINAL_SURGERY: "recent abdominal or hernia surgery",
        Contraindication.ACUTE_SHOULDER_INSTABILITY: "recent shoulder dislocation or instability",
        Contraindication.UNABLE_TO_STAND_UNASSISTED: "cannot stand without the help of a person",
        Contraindication.HIGH_FALL_RISK_UNSUPERVISED: (
            "high fall risk and no one to supervise (eyes-closed, foam and unstable-surface "
            "balance only under supervision)"
        ),
        Contraindication.PACEMAKER: (
            "cardiac pacemaker, ICD or other active implanted electronic device"
        ),
        Contraindication.PREGNANCY: "pregnancy (no NMES over the abdomen, pelvis or low back)",
        Contraindication.MALIGNANCY_AT_SITE: "known or suspected malignancy at the electrode site",
        Contraindication.SKIN_DAMAGE_AT_SITE: (
            "broken, infected or fragile skin at the electrode site"
        ),
        Contraindication.IMPAIRED_SENSATION_AT_SITE: (
            "impaired sensation at the electrode site (precaution)"
        ),
        Contraindication.IMPAIRED_COGNITION: (
            "cannot understand the treatment or report what is felt"
        ),
        Contraindication.EPILEPSY: "epilepsy (no stimulation of the head and neck)",
        Contraindication.BLEEDING_DISORDER: "bleeding tissue or untreated bleeding disorder",
        Contraindication.RECENT_RADIATION_AT_SITE: "radiotherapy to the site in the last 6 months",
        Contraindication.IMPLANTED_DEFIBRILLATOR: "implanted cardioverter-defibrillator (ICD)",
        Contraindication.IMPLANTED_NEUROSTIMULATOR: (
            "implanted neurostimulator (spinal cord, deep brain, sacral or vagus nerve)"
        ),
        Contraindication.CARDIAC_DISEASE_OR_DYSRHYTHMIA: (
            "heart disease or dysrhythmia (no stimulation through the chest)"
        ),
        Contraindication.HEART_FAILURE: "heart failure (no NMES over the anterior chest)",
        Contraindication.INFECTION_AT_SITE: (
            "infected tissue, tuberculosis or osteomyelitis at the electrode site"
        ),
        Contraindication.IMPAIRED_COMMUNICATION: (
            "impaired cognition or communication, but can report what is felt (precaution)"
        ),
        Contraindication.ACTIVE_EPIPHYSES_AT_SITE: (
            "growing bone (active epiphyses) at the electrode site (precaution)"
        ),
        Contraindication.REGENERATING_NERVES_AT_SITE: (
            "regenerating nerves at the electrode site (precaution)"
        ),
        Contraindication.RECENT_SURGERY_AT_SITE: (
            "recent surgery in the stimulated limb or region (precaution)"
        ),
    }
)


class Equipment(StrEnum):
    """Equipment an exercise needs."""

    MAT = "mat"
    TOWEL_ROLL = "towel_roll"
    PILLOW = "pillow"
    CHAIR = "chair"
    COUNTER = "counter"
    WALL = "wall"
    FOAM_PAD = "foam_pad"
    WOBBLE_BOARD = "wobble_board"
    BALANCE_DISC = "balance_disc"
    STABILITY_BALL = "stability_ball"
    SMALL_BALL = "small_ball"
    RESISTANCE_BAND = "resistance_band"
    DOOR_ANCHOR = "door_anchor"
    DUMBBELL = "dumbbell"
    ANKLE_WEIGHT = "ankle_weight"
    STEP = "step"
    PRESSURE_BIOFEEDBACK = "pressure_biofeedback"
    NMES_UNIT = "nmes_unit"
    LASER_POINTER = "laser_pointer"
    WALL_TARGET = "wall_target"
    STICK = "stick"
    CONES = "cones"


class MeasurementKind(StrEnum):
    """How an exercise can be judged."""

    BALANCE_TRIAL = "balance_trial"
    JOINT_ANGLE_KEYPOINTS = "joint_angle_keypoints"
    IMU = "imu"
    EMG_ACTIVATION = "emg_activation"
    THERAPIST_RATING = "therapist_rating"


class BodyJoint(StrEnum):
    """Joint whose angle is measured from keypoints."""

    NECK = "neck"
    TRUNK = "trunk"
    SHOULDER = "shoulder"
    ELBOW = "elbow"
    HIP = "hip"
    KNEE = "knee"
    ANKLE = "ankle"


class JointAngle(StrEnum):
    """Which angle of the joint."""

    FLEXION_EXTENSION = "flexion_extension"
    ABDUCTION_ADDUCTION = "abduction_adduction"
    ROTATION = "rotation"
    LATERAL_FLEXION = "lateral_flexion"
    DORSIFLEXION_PLANTARFLEXION = "dorsiflexion_plantarflexion"
    FRONTAL_PLANE_PROJECTION = "frontal_plane_projection"
    CRANIOVERTEBRAL = "craniovertebral"


class Plane(StrEnum):
    """Anatomical plane."""

    SAGITTAL = "sagittal"
    FRONTAL = "frontal"
    TRANSVERSE = "transverse"


class Muscle(StrEnum):
    """Muscle whose surface EMG is recorded."""

    STERNOCLEIDOMASTOID = "sternocleidomastoid"
    CERVICAL_EXTENSORS = "cervical_extensors"
    UPPER_TRAPEZIUS = "upper_trapezius"
    MIDDLE_TRAPEZIUS = "middle_trapezius"
    LOWER_TRAPEZIUS = "lower_trapezius"
    SERRATUS_ANTERIOR = "serratus_anterior"
    DELTOID = "deltoid"
    SUPRASPINATUS = "supraspinatus"
    THORACIC_ERECTOR_SPINAE = "thoracic_erector_spinae"
    TRANSVERSUS_ABDOMINIS = "transversus_abdominis"
    EXTERNAL_OBLIQUE = "external_oblique"
    LUMBAR_MULTIFIDUS = "lumbar_multifidus"
    GLUTEUS_MAXIMUS = "gluteus_maximus"
    GLUTEUS_MEDIUS = "gluteus_medius"
    QUADRICEPS = "quadriceps"
    VASTUS_MEDIALIS = "vastus_medialis"
    HAMSTRINGS = "hamstrings"
    GASTROCNEMIUS = "gastrocnemius"
    TIBIALIS_ANTERIOR = "tibialis_anterior"
    FIBULARIS_LONGUS = "fibularis_longus"


class BodySegment(StrEnum):
    """Segment an IMU is worn on."""

    HEAD = "head"
    TRUNK = "trunk"
    PELVIS = "pelvis"
    UPPER_ARM = "upper_arm"
    THIGH = "thigh"
    SHANK = "shank"
    FOOT = "foot"


class ImuQuantity(StrEnum):
    """What is computed from the IMU."""

    SWAY = "sway"
    ANGLE = "angle"
    REPOSITIONING_ERROR = "repositioning_error"
    SMOOTHNESS = "smoothness"


class NmesMode(StrEnum):
    """How stimulation is timed."""

    CYCLIC = "cyclic"
    EMG_TRIGGERED = "emg_triggered"


# --------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------


class _FieldError(InvalidParameterError):
    """An invalid field; ``field`` and ``detail`` let the loader add the file and id."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field} {detail}")
        self.field = field
        self.detail = detail


def _check_int(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _FieldError(field, f"must be an integer {low}–{high}; got {value!r}")
    return value


def _check_number(field: str, value: object, low: float, high: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not low <= value <= high  # also refuses NaN
    ):
        raise _FieldError(field, f"must be a number {low:g}–{high:g}; got {value!r}")
    return float(value)


def _check_text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise _FieldError(
            field, f"must be non-empty text without leading or trailing spaces; got {value!r}"
        )
    return value


_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


def _check_enum(field: str, value: object, enum: type[_E]) -> _E:
    member = member_of(enum, value) if isinstance(value, str) else None
    if member is None:
        raise _FieldError(field, f"must be one of {allowed_values(enum)}; got {value!r}")
    return member


@dataclass(frozen=True, slots=True, kw_only=True)
class Dose:
    """Default dose of an exercise.

    Attributes
    ----------
    sets : int
        Number of sets, 1–10.
    reps : int or None
        Repetitions per set, 1–100; None when the exercise is a hold.
    hold_s : float or None
        Hold per repetition (or per set when ``reps`` is None), 1–300 s.
    rest_s : float
        Rest between sets, 0–600 s.
    sessions_per_week : int
        How often, 1–14 (14 = twice a day).
    tempo : str or None
        Plain-language tempo, e.g. ``"3 s up, 3 s down"``.

    At least one of ``reps`` and ``hold_s`` is given.

    Examples
    --------
    >>> Dose(sets=3, reps=10, rest_s=60, sessions_per_week=3).hold_s is None
    True
    """

    sets: int
    reps: int | None = None
    hold_s: float | None = None
    rest_s: float
    sessions_per_week: int
    tempo: str | None = None

    def __post_init__(self) -> None:
        _check_int("sets", self.sets, 1, 10)
        if self.reps is not None:
            _check_int("reps", self.reps, 1, 100)
        if self.hold_s is not None:
            object.__setattr__(self, "hold_s", _check_number("hold_s", self.hold_s, 1, 300))
        if self.reps is None and self.hold_s is None:
            raise _FieldError("reps", "or hold_s must be given; got neither")
        object.__setattr__(self, "rest_s", _check_number("rest_s", self.rest_s, 0, 600))
        _check_int("sessions_per_week", self.sessions_per_week, 1, 14)
        if self.tempo is not None:
            _check_text("tempo", self.tempo)


@dataclass(frozen=True, slots=True, kw_only=True)
class NmesSettings:
    """Default stimulation settings of an NMES-assisted exercise.

    Ranges follow the protocol table of ``reference/emg-nmes-streaming.md`` §5.1 (Maffiuletti
    2010, doi:10.1007/s00421-010-1502-y); the ``stim`` package checks charge and current density.
    Settings must be confirmed by the treating clinician.

    Attributes
    ----------
    mode : NmesMode
        Cyclic (timer) or EMG-triggered stimulation.
    frequency_hz : float
        Pulse frequency, 20–100 Hz.
    pulse_width_us : float
        Phase duration, 100–1000 µs.
    on_s, off_s : float
        Stimulation on time (2–30 s) and off time (2–120 s).
    ramp_up_s, ramp_down_s : float
        Ramps, 0–5 s each, together no longer than ``on_s``.
    electrode_sites : tuple of str
        Where the electrodes go, in plain language.

    Examples
    --------
    >>> NmesSettings(mode=NmesMode.CYCLIC, frequency_hz=50, pulse_width_us=300, on_s=10,
    ...              off_s=30, ramp_up_s=2, ramp_down_s=1,
    ...              electrode_sites=("over the quadriceps motor points",)).off_s
    30.0
    """

    mode: NmesMode
    frequency_hz: float
    pulse_width_us: float
    on_s: float
    off_s: float
    ramp_up_s: float
    ramp_down_s: float
    electrode_sites: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_enum("mode", self.mode, NmesMode)
        for name, low, high in (
            ("frequency_hz", 20, 100),
            ("pulse_width_us", 100, 1000),
            ("on_s", 2, 30),
            ("off_s", 2, 120),
            ("ramp_up_s", 0, 5),
            ("ramp_down_s", 0, 5),
        ):
            object.__setattr__(self, name, _check_number(name, getattr(self, name), low, high))
        if self.ramp_up_s + self.ramp_down_s > self.on_s:
            raise _FieldError(
                "ramp_up_s",
                f"plus ramp_down_s must not exceed on_s ({self.on_s:g} s); "
                f"got {self.ramp_up_s:g} + {self.ramp_down_s:g} s",
            )
        if not self.electrode_sites:
            raise _FieldError("electrode_sites", "must name at least one site; got none")
        for site in self.electrode_sites:
            _check_text("electrode_sites", site)


# Which parameters each measurement kind needs (required, optional).
_MEASUREMENT_FIELDS: Final[Mapping[MeasurementKind, tuple[frozenset[str], frozenset[str]]]] = (
    MappingProxyType(
        {
            MeasurementKind.BALANCE_TRIAL: (frozenset(), frozenset()),
            MeasurementKind.JOINT_ANGLE_KEYPOINTS: (
                frozenset({"joint", "angle", "plane"}),
                frozenset(),
            ),
            MeasurementKind.IMU: (frozenset({"segment", "quantity"}), frozenset()),
            MeasurementKind.EMG_ACTIVATION: (frozenset({"muscle"}), frozenset({"target_pct_mvc"})),
            MeasurementKind.THERAPIST_RATING: (frozenset(), frozenset()),
        }
    )
)
_MEASUREMENT_PARAMETERS: Final = (
    "joint",
    "angle",
    "plane",
    "muscle",
    "target_pct_mvc",
    "segment",
    "quantity",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Measurement:
    """A measurement that can judge an exercise, with its parameters.

    ``balance_trial`` takes its stance, surface and vision from the variant's levels;
    ``joint_angle_keypoints`` needs ``joint``, ``angle`` and ``plane``; ``imu`` needs ``segment``
    and ``quantity``; ``emg_activation`` needs ``muscle`` (``target_pct_mvc`` optional, 1–100);
    ``therapist_rating`` takes none. Parameters a kind does not use must be None.

    Examples
    --------
    >>> Measurement(kind=MeasurementKind.EMG_ACTIVATION, muscle=Muscle.GLUTEUS_MEDIUS).muscle
    <Muscle.GLUTEUS_MEDIUS: 'gluteus_medius'>
    """

    kind: MeasurementKind
    joint: BodyJoint | None = None
    angle: JointAngle | None = None
    plane: Plane | None = None
    muscle: Muscle | None = None
    target_pct_mvc: float | None = None
    segment: BodySegment | None = None
    quantity: ImuQuantity | None = None

    def __post_init__(self) -> None:
        kind = _check_enum("kind", self.kind, MeasurementKind)
        required, optional = _MEASUREMENT_FIELDS[kind]
        for name in _MEASUREMENT_PARAMETERS:
            value = getattr(self, name)
            if name in required and value is None:
                raise _FieldError(name, f"is required for kind {kind}; got none")
            if name not in required | optional and value is not None:
                raise _FieldError(name, f"is not a parameter of kind {kind}; got {value!r}")
        for name, enum in (
            ("joint", BodyJoint),
            ("angle", JointAngle),
            ("plane", Plane),
            ("muscle", Muscle),
            ("segment", BodySegment),
            ("quantity", ImuQuantity),
        ):
            if getattr(self, name) is not None:
                _check_enum(name, getattr(self, name), enum)
        if self.target_pct_mvc is not None:
            object.__setattr__(
                self, "target_pct_mvc", _check_number("target_pct_mvc", self.target_pct_mvc, 1, 100)
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseVariant:
    """One exercise at one point of its family's ladder.

    Attributes
    ----------
    id, name : str
        Stable id and plain-language name.
    family : str
        Id of the family (the ladder) it belongs to.
    technique : Technique
    regions : tuple of Region
    posture : Posture
    levels : DimensionLevels
        Its level on every difficulty dimension.
    instructions, cues, common_faults, safety_notes : tuple of str
        Plain-language text for the patient and therapist.
    contraindications : frozenset of Contraindication
    equipment : frozenset of Equipment
    dose : Dose
        Default dose.
    cpt_code : CptCode
        CPT code it normally falls under.
    measurements : tuple of Measurement
        Measurements that can judge it, preferred first.
    nmes : NmesSettings or None
        Stimulation settings; given exactly for NMES-assisted exercises.
    source : str
        The file it was read from.
    """

    id: str
    name: str
    family: str
    technique: Technique
    regions: tuple[Region, ...]
    posture: Posture
    levels: DimensionLevels
    instructions: tuple[str, ...]
    cues: tuple[str, ...]
    common_faults: tuple[str, ...]
    safety_notes: tuple[str, ...]
    contraindications: frozenset[Contraindication]
    equipment: frozenset[Equipment]
    dose: Dose
    cpt_code: CptCode
    measurements: tuple[Measurement, ...]
    nmes: NmesSettings | None
    source: str

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise _FieldError("id", f"must match {_ID.pattern}; got {self.id!r}")
        if not self.regions:
            raise _FieldError("regions", "must name at least one region; got none")
        if not self.instructions:
            raise _FieldError("instructions", "must have at least one step; got none")
        if not self.measurements:
            raise _FieldError("measurements", "must name at least one measurement; got none")
        if (self.technique is Technique.NMES_ACTIVATION) != (self.nmes is not None):
            raise _FieldError(
                "nmes",
                "must be given exactly when technique is nmes_activation; "
                f"got technique {self.technique} with{'out' if self.nmes is None else ''} nmes",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseFamily:
    """A family: one exercise idea and the ladder of its variants.

    Attributes
    ----------
    id, name : str
    technique : Technique
    regions : tuple of Region
    entry : str
        The variant every other variant is reached from by harder steps.
    leads_to : tuple of str
        Families that usually follow when this family's ladder is mastered.
    variant_ids : tuple of str
        Its variants, in file order.
    source : str
        The file it was read from.
    """

    id: str
    name: str
    technique: Technique
    regions: tuple[Region, ...]
    entry: str
    leads_to: tuple[str, ...]
    variant_ids: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit:
    """A search result: the variant and the patient's contraindications it conflicts with.

    ``contraindicated_by`` is empty unless the search used ``on_contraindication="flag"``.
    """

    variant: ExerciseVariant
    contraindicated_by: frozenset[Contraindication]

    @property
    def flagged(self) -> bool:
        """True when the variant conflicts with one of the patient's contraindications."""
        return bool(self.contraindicated_by)


# --------------------------------------------------------------------------------------------
# The library
# --------------------------------------------------------------------------------------------


class ExerciseLibrary:
    """Validated exercise variants, their families and the harder/easier links between them.

    Build it with :func:`load_library` or :func:`load_library_from`; it is immutable.

    Examples
    --------
    >>> library = load_library()
    >>> len(library) >= 150
    True
    >>> [hit.variant.id for hit in library.search(text="chin nod", region="cervical")][:2]
    ['ma-dnf-supine', 'ma-dnf-supine-long']
    """

    __slots__ = ("_easier", "_families", "_harder", "_search_text", "_variants")

    def __init__(
        self,
        *,
        variants: Mapping[str, ExerciseVariant],
        families: Mapping[str, ExerciseFamily],
        harder: Mapping[tuple[str, Dimension], str],
    ) -> None:
        self._variants = MappingProxyType(dict(variants))
        self._families = MappingProxyType(dict(families))
        self._harder = MappingProxyType(dict(harder))
        self._easier = MappingProxyType({(t, d): s for (s, d), t in harder.items()})
        self._search_text = MappingProxyType(
            {
                v.id: " ".join(
                    (
                        v.id,
                        v.name,
                        families[v.family].name,
                        TECHNIQUE_LABELS[v.technique],
                        *v.regions,
                        *v.instructions,
                        *v.cues,
                        *v.equipment,
                    )
                ).lower()
                for v in variants.values()
            }
        )

    def __len__(self) -> int:
        return len(self._variants)

    def __iter__(self) -> Iterator[ExerciseVariant]:
        return iter(self._variants.values())

    def __contains__(self, variant_id: object) -> bool:
        return variant_id in self._variants

    @property
    def variants(self) -> tuple[ExerciseVariant, ...]:
        """All variants, in file order."""
        return tuple(self._variants.values())

    @property
    def families(self) -> tuple[ExerciseFamily, ...]:
        """All families, in file order."""
        return tuple(self._families.values())

    def get(self, variant_id: str, /) -> ExerciseVariant:
        """Return the variant with this id.

        Raises
        ------
        NotFoundError
            If there is no such variant.
        """
        try:
            return self._variants[variant_id]
        except KeyError:
            raise NotFoundError(
                f"exercise variant id {variant_id!r} is not in the library"
            ) from None

    def family(self, family_id: str, /) -> ExerciseFamily:
        """Return the family with this id.

        Raises
        ------
        NotFoundError
            If there is no such family.
        """
        try:
            return self._families[family_id]
        except KeyError:
            raise NotFoundError(f"exercise family id {family_id!r} is not in the library") from None

    def harder(self, variant_id: str, dimension: Dimension | str, /) -> ExerciseVariant | None:
        """Return the variant one level harder on ``dimension`` (every other level equal), or None
        when ``variant_id`` is its family's end on that dimension.

        Raises
        ------
        NotFoundError
            If ``variant_id`` is unknown.
        InvalidParameterError
            If ``dimension`` is not a dimension.
        """
        self.get(variant_id)
        target = self._harder.get((variant_id, _dimension_param(dimension)))
        return None if target is None else self._variants[target]

    def easier(self, variant_id: str, dimension: Dimension | str, /) -> ExerciseVariant | None:
        """Return the variant one level easier on ``dimension`` (every other level equal), or None
        when ``variant_id`` is its family's start on that dimension.

        Raises
        ------
        NotFoundError
            If ``variant_id`` is unknown.
        InvalidParameterError
            If ``dimension`` is not a dimension.
        """
        self.get(variant_id)
        source = self._easier.get((variant_id, _dimension_param(dimension)))
        return None if source is None else self._variants[source]

    def harder_options(self, variant_id: str, /) -> tuple[tuple[Dimension, ExerciseVariant], ...]:
        """Return every one-step-harder variant with its dimension, in the ladder's order
        (:data:`~reeducate.clinic.dimensions.LADDER_ORDER`)."""
        self.get(variant_id)
        return tuple(
            (d, self._variants[self._harder[(variant_id, d)]])
            for d in LADDER_ORDER
            if (variant_id, d) in self._harder
        )

    def easier_options(self, variant_id: str, /) -> tuple[tuple[Dimension, ExerciseVariant], ...]:
        """Return every one-step-easier variant with its dimension, in the ladder's order."""
        self.get(variant_id)
        return tuple(
            (d, self._variants[self._easier[(variant_id, d)]])
            for d in LADDER_ORDER
            if (variant_id, d) in self._easier
        )

    def search(
        self,
        *,
        region: Region | str | None = None,
        technique: Technique | str | None = None,
        levels: LevelMapping | None = None,
        equipment_available: Collection[Equipment | str] | None = None,
        contraindications: Collection[Contraindication | str] | None = None,
        on_contraindication: Literal["exclude", "flag"] = "exclude",
        text: str | None = None,
    ) -> tuple[SearchHit, ...]:
        """Return the variants that match every given filter, in library order.

        Parameters
        ----------
        region, technique
            Keep variants of this region (one of their regions) or technique.
        levels
            Keep variants at exactly these levels on these dimensions.
        equipment_available
            Keep variants whose equipment is **all** available (an empty collection keeps only
            variants that need no equipment). None: no equipment filter.
        contraindications
            The patient's contraindication codes.
        on_contraindication
            ``"exclude"`` drops variants with any of the patient's contraindications;
            ``"flag"`` keeps them and names the conflicting codes in
            :attr:`SearchHit.contraindicated_by`.
        text
            Words that must all appear (case-insensitive) in the variant's id, name, family name,
            technique, regions, instructions, cues or equipment.

        Raises
        ------
        InvalidParameterError
            If a filter names an unknown region, technique, dimension, level, equipment or
            contraindication code, or ``on_contraindication`` is neither value.
        """
        if on_contraindication not in ("exclude", "flag"):
            raise InvalidParameterError(
                f"on_contraindication must be 'exclude' or 'flag'; got {on_contraindication!r}"
            )
        want_region = None if region is None else _param_enum("region", region, Region)
        want_technique = (
            None if technique is None else _param_enum("technique", technique, Technique)
        )
        want_levels = (
            {}
            if levels is None
            else {
                _dimension_param(d): _level_param(_dimension_param(d), lv)
                for d, lv in levels.items()
            }
        )
        available = (
            None
            if equipment_available is None
            else frozenset(
                _param_enum("equipment_available", e, Equipment) for e in equipment_available
            )
        )
        patient = frozenset(
            _param_enum("contraindications", c, Contraindication) for c in contraindications or ()
        )
        words = [] if text is None else text.lower().split()
        hits: list[SearchHit] = []
        for variant in self._variants.values():
            if want_region is not None and want_region not in variant.regions:
                continue
            if want_technique is not None and variant.technique is not want_technique:
                continue
            if any(variant.levels.level(d) != lv for d, lv in want_levels.items()):
                continue
            if available is not None and not variant.equipment <= available:
                continue
            blob = self._search_text[variant.id]
            if any(word not in blob for word in words):
                continue
            conflicts = variant.contraindications & patient
            if conflicts and on_contraindication == "exclude":
                continue
            hits.append(SearchHit(variant=variant, contraindicated_by=conflicts))
        return tuple(hits)


def _dimension_param(dimension: Dimension | str) -> Dimension:
    return _param_enum("dimension", dimension, Dimension)


def _level_param(dimension: Dimension, level: Level | str) -> Level:
    if not isinstance(level, str):
        raise InvalidParameterError(f"level of {dimension} must be a level name; got {level!r}")
    return parse_level(dimension, level)


def _param_enum(name: str, value: object, enum: type[_E]) -> _E:
    try:
        return _check_enum(name, value, enum)
    except _FieldError as error:
        raise InvalidParameterError(str(error)) from None


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------

_ID: Final = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

_FAMILY_KEYS: Final = frozenset(
    {
        "id",
        "name",
        "technique",
        "regions",
        "entry",
        "leads_to",
        "posture",
        "cpt_code",
        "levels",
        "instructions",
        "cues",
        "common_faults",
        "safety_notes",
        "contraindications",
        "equipment",
        "dose",
        "measurements",
        "nmes",
        "variant",
    }
)
_FAMILY_REQUIRED: Final = _FAMILY_KEYS - {"leads_to", "nmes"}
_VARIANT_KEYS: Final = frozenset(
    {
        "id",
        "name",
        "levels",
        "setup",
        "then",
        "instructions",
        "cues",
        "common_faults",
        "safety_notes",
        "contraindications",
        "equipment",
        "dose",
        "measurements",
        "nmes",
        "posture",
        "cpt_code",
        "harder",
    }
)
_DOSE_KEYS: Final = frozenset({"sets", "reps", "hold_s", "rest_s", "sessions_per_week", "tempo"})
_NMES_KEYS: Final = frozenset(
    {
        "mode",
        "frequency_hz",
        "pulse_width_us",
        "on_s",
        "off_s",
        "ramp_up_s",
        "ramp_down_s",
        "electrode_sites",
    }
)
_MEASUREMENT_KEYS: Final = frozenset({"kind", *_MEASUREMENT_PARAMETERS})


class _Where:
    """Names the place of an error: file, and family or variant id."""

    __slots__ = ("file", "owner")

    def __init__(self, file: str, owner: str) -> None:
        self.file = file
        self.owner = owner

    def error(self, field: str, detail: str) -> FileFormatError:
        return FileFormatError(f"{self.file}, {self.owner}, field {field}: {detail}")


def _table(where: _Where, field: str, value: object, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(field or "(whole entry)", f"must be a table; got {value!r}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise where.error(
            f"{field}.{unknown[0]}" if field else unknown[0],
            f"is not a known field (allowed: {', '.join(sorted(allowed))})",
        )
    return value


def _text_list(where: _Where, field: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise where.error(field, f"must be a list of text; got {value!r}")
    try:
        return tuple(_check_text(field, item) for item in value)
    except _FieldError as error:
        raise where.error(field, error.detail) from None


#: Placeholder lines of a family's instructions: where a variant's ``setup`` and ``then`` go.
_SLOTS: Final = ("{setup}", "{then}")


def _family_steps(where: _Where, value: object) -> tuple[str, ...]:
    """A family's instructions, placeholder lines kept (see "Where a variant's own steps go")."""
    steps = _text_list(where, "instructions", value)
    for step in steps:
        if step not in _SLOTS and ("{" in step or "}" in step):
            raise where.error(
                "instructions",
                "may hold braces only in the whole-line placeholders '{setup}' and '{then}'; "
                f"got {step!r}",
            )
    for slot in _SLOTS:
        if steps.count(slot) > 1:
            raise where.error(
                "instructions", f"must hold {slot!r} at most once; got it {steps.count(slot)} times"
            )
    if all(step in _SLOTS for step in steps):
        raise where.error(
            "instructions", f"must have at least one step besides the placeholders; got {steps!r}"
        )
    if all(slot in steps for slot in _SLOTS) and steps.index("{then}") < steps.index("{setup}"):
        raise where.error("instructions", "must put '{setup}' before '{then}'")
    return steps


def _variant_steps(where: _Where, field: str, value: object) -> tuple[str, ...]:
    """A variant's ``setup``, ``then`` or ``instructions`` lines: text without placeholders."""
    lines = _text_list(where, field, value)
    for line in lines:
        if "{" in line or "}" in line:
            raise where.error(
                field,
                "must not hold braces (placeholders such as '{setup}' belong in a family's "
                f"instructions); got {line!r}",
            )
    return lines


def _fill_steps(
    where: _Where,
    family_id: str,
    steps: Sequence[str],
    setup: Sequence[str],
    then: Sequence[str],
) -> tuple[str, ...]:
    """Put a variant's ``setup`` and ``then`` lines in its family's placeholders."""
    if then and "{then}" not in steps:
        raise where.error(
            "then",
            f"needs a '{{then}}' line in the instructions of family {family_id!r} to mark "
            "where these steps go; it has none",
        )
    if "{setup}" not in steps:
        steps = ("{setup}", *steps)
    filled: list[str] = []
    for step in steps:
        if step == "{setup}":
            filled.extend(setup)
        elif step == "{then}":
            filled.extend(then)
        else:
            filled.append(step)
    return tuple(filled)


def _enum_list(where: _Where, field: str, value: object, enum: type[_E]) -> tuple[_E, ...]:
    if not isinstance(value, list):
        raise where.error(field, f"must be a list; got {value!r}")
    try:
        items = tuple(_check_enum(field, item, enum) for item in value)
    except _FieldError as error:
        raise where.error(field, error.detail) from None
    if len(set(items)) != len(items):
        raise where.error(field, f"must not repeat an entry; got {value!r}")
    return items


def _enum_field(where: _Where, field: str, value: object, enum: type[_E]) -> _E:
    try:
        return _check_enum(field, value, enum)
    except _FieldError as error:
        raise where.error(field, error.detail) from None


def _id_field(where: _Where, field: str, value: object) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value) or len(value) > 64:
        raise where.error(
            field, f"must be an id of lowercase letters, digits and hyphens; got {value!r}"
        )
    return value


def _levels(where: _Where, value: object) -> dict[Dimension, Level]:
    table = _table(where, "levels", value, frozenset(d.value for d in Dimension))
    parsed: dict[Dimension, Level] = {}
    for key, level in table.items():
        dimension = Dimension(key)
        try:
            parsed[dimension] = parse_level(dimension, level)
        except InvalidParameterError:
            allowed = ", ".join(str(lv) for lv in _levels_text(dimension))
            raise where.error(
                f"levels.{key}", f"must be a level of {key} ({allowed}); got {level!r}"
            ) from None
    return parsed


def _levels_text(dimension: Dimension) -> tuple[str, ...]:
    return tuple(str(level) for level in levels_of(dimension))


def _dose(where: _Where, value: object) -> Dose:
    table = _table(where, "dose", value, _DOSE_KEYS)
    for required in ("sets", "rest_s", "sessions_per_week"):
        if required not in table:
            raise where.error(f"dose.{required}", "is required; got nothing")
    try:
        return Dose(**table)
    except _FieldError as error:
        raise where.error(f"dose.{error.field}", error.detail) from None


def _nmes(where: _Where, value: object) -> NmesSettings:
    table = _table(where, "nmes", value, _NMES_KEYS)
    missing = sorted(_NMES_KEYS - set(table))
    if missing:
        raise where.error(f"nmes.{missing[0]}", "is required; got nothing")
    sites = _text_list(where, "nmes.electrode_sites", table["electrode_sites"])
    try:
        return NmesSettings(
            **{
                **table,
                "mode": _check_enum("mode", table["mode"], NmesMode),
                "electrode_sites": sites,
            }
        )
    except _FieldError as error:
        raise where.error(f"nmes.{error.field}", error.detail) from None


def _measurements(where: _Where, value: object) -> tuple[Measurement, ...]:
    if not isinstance(value, list) or not value:
        raise where.error("measurements", f"must be a non-empty list of tables; got {value!r}")
    result = []
    for index, item in enumerate(value):
        field = f"measurements[{index}]"
        table = _table(where, field, item, _MEASUREMENT_KEYS)
        if "kind" not in table:
            raise where.error(f"{field}.kind", "is required; got nothing")
        try:
            kind = _check_enum("kind", table["kind"], MeasurementKind)
            enums: dict[str, type[StrEnum]] = {
                "joint": BodyJoint,
                "angle": JointAngle,
                "plane": Plane,
                "muscle": Muscle,
                "segment": BodySegment,
                "quantity": ImuQuantity,
            }
            params: dict[str, Any] = {
                k: _check_enum(k, v, enums[k]) if k in enums else v
                for k, v in table.items()
                if k != "kind"
            }
            result.append(Measurement(kind=kind, **params))
        except _FieldError as error:
            raise where.error(f"{field}.{error.field}", error.detail) from None
    return tuple(result)


def _merge_unique(first: Sequence[_T], second: Sequence[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys((*first, *second)))


@dataclass(frozen=True, slots=True, kw_only=True)
class _RawVariant:
    variant: ExerciseVariant
    harder: Mapping[Dimension, str]
    where: _Where


def _parse_document(
    label: str, text: str
) -> tuple[list[tuple[ExerciseFamily, _Where]], list[_RawVariant]]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FileFormatError(f"{label}: not valid TOML: {error}") from None
    top = _Where(label, "top level")
    _table(top, "", document, frozenset({"schema_version", "family"}))
    if document.get("schema_version") != SCHEMA_VERSION:
        raise top.error(
            "schema_version", f"must be {SCHEMA_VERSION}; got {document.get('schema_version')!r}"
        )
    raw_families = document.get("family", [])
    if not isinstance(raw_families, list) or not raw_families:
        raise top.error("family", "must be a non-empty array of tables ([[family]])")
    families: list[tuple[ExerciseFamily, _Where]] = []
    variants: list[_RawVariant] = []
    for index, raw in enumerate(raw_families):
        fid = raw.get("id") if isinstance(raw, dict) else None
        where = _Where(label, f"family {fid!r}" if isinstance(fid, str) else f"family #{index + 1}")
        table = _table(where, "", raw, _FAMILY_KEYS)
        for required in sorted(_FAMILY_REQUIRED):
            if required not in table:
                raise where.error(required, "is required; got nothing")
        family_id = _id_field(where, "id", table["id"])
        name = _check_text_at(where, "name", table["name"])
        technique = _enum_field(where, "technique", table["technique"], Technique)
        regions = _enum_list(where, "regions", table["regions"], Region)
        if not regions:
            raise where.error("regions", "must name at least one region; got none")
        base_levels = _levels(where, table["levels"])
        missing = [d.value for d in Dimension if d not in base_levels]
        if missing:
            raise where.error(
                f"levels.{missing[0]}", "is required: a family gives a level on every dimension"
            )
        base = {
            "posture": _enum_field(where, "posture", table["posture"], Posture),
            "cpt_code": _enum_field(where, "cpt_code", table["cpt_code"], CptCode),
            "instructions": _family_steps(where, table["instructions"]),
            "cues": _text_list(where, "cues", table["cues"]),
            "common_faults": _text_list(where, "common_faults", table["common_faults"]),
            "safety_notes": _text_list(where, "safety_notes", table["safety_notes"]),
            "contraindications": _enum_list(
                where, "contraindications", table["contraindications"], Contraindication
            ),
            "equipment": _enum_list(where, "equipment", table["equipment"], Equipment),
            "dose": _dose(where, table["dose"]),
            "measurements": _measurements(where, table["measurements"]),
            "nmes": None if "nmes" not in table else _nmes(where, table["nmes"]),
        }
        raw_variants = table["variant"]
        if not isinstance(raw_variants, list) or not raw_variants:
            raise where.error("variant", "must be a non-empty array of tables ([[family.variant]])")
        ids: list[str] = []
        for v_index, raw_variant in enumerate(raw_variants):
            vid = raw_variant.get("id") if isinstance(raw_variant, dict) else None
            v_where = _Where(
                label,
                f"variant {vid!r}"
                if isinstance(vid, str)
                else f"family {family_id!r} variant #{v_index + 1}",
            )
            variants.append(
                _parse_variant(
                    v_where, raw_variant, family_id, technique, regions, base, base_levels
                )
            )
            ids.append(variants[-1].variant.id)
        entry = _id_field(where, "entry", table["entry"])
        if entry not in ids:
            raise where.error("entry", f"must be one of the family's variants; got {entry!r}")
        leads_to = tuple(
            _id_field(where, "leads_to", item)
            for item in _list_at(where, "leads_to", table.get("leads_to", []))
        )
        families.append(
            (
                ExerciseFamily(
                    id=family_id,
                    name=name,
                    technique=technique,
                    regions=regions,
                    entry=entry,
                    leads_to=leads_to,
                    variant_ids=tuple(ids),
                    source=label,
                ),
                where,
            )
        )
    return families, variants


def _check_text_at(where: _Where, field: str, value: object) -> str:
    try:
        return _check_text(field, value)
    except _FieldError as error:
        raise where.error(field, error.detail) from None


def _list_at(where: _Where, field: str, value: object) -> list[object]:
    if not isinstance(value, list):
        raise where.error(field, f"must be a list; got {value!r}")
    return value


def _parse_variant(
    where: _Where,
    raw: object,
    family_id: str,
    technique: Technique,
    regions: tuple[Region, ...],
    base: Mapping[str, Any],
    base_levels: Mapping[Dimension, Level],
) -> _RawVariant:
    table = _table(where, "", raw, _VARIANT_KEYS)
    for required in ("id", "name"):
        if required not in table:
            raise where.error(required, "is required; got nothing")
    variant_id = _id_field(where, "id", table["id"])
    levels = {**base_levels, **(_levels(where, table["levels"]) if "levels" in table else {})}
    own = {
        field: _variant_steps(where, field, table[field])
        for field in ("setup", "then", "instructions")
        if field in table
    }
    if "instructions" in own:
        for field in ("setup", "then"):
            if field in own:
                raise where.error(field, "must not be given together with instructions")
        instructions = own["instructions"]
    else:
        instructions = _fill_steps(
            where, family_id, base["instructions"], own.get("setup", ()), own.get("then", ())
        )

    def added(field: str, parse: Any) -> tuple[Any, ...]:
        extra = parse(where, field, table[field]) if field in table else ()
        return _merge_unique(base[field], extra)

    harder: dict[Dimension, str] = {}
    if "harder" in table:
        links = _table(where, "harder", table["harder"], frozenset(d.value for d in Dimension))
        for key, target in links.items():
            harder[Dimension(key)] = _id_field(where, f"harder.{key}", target)
    try:
        variant = ExerciseVariant(
            id=variant_id,
            name=_check_text_at(where, "name", table["name"]),
            family=family_id,
            technique=technique,
            regions=regions,
            posture=(
                _enum_field(where, "posture", table["posture"], Posture)
                if "posture" in table
                else base["posture"]
            ),
            levels=DimensionLevels.from_mapping(levels),
            instructions=instructions,
            cues=added("cues", _text_list),
            common_faults=added("common_faults", _text_list),
            safety_notes=added("safety_notes", _text_list),
            contraindications=frozenset(
                added("contraindications", lambda w, f, v: _enum_list(w, f, v, Contraindication))
            ),
            equipment=frozenset(added("equipment", lambda w, f, v: _enum_list(w, f, v, Equipment))),
            dose=_dose(where, table["dose"]) if "dose" in table else base["dose"],
            cpt_code=(
                _enum_field(where, "cpt_code", table["cpt_code"], CptCode)
                if "cpt_code" in table
                else base["cpt_code"]
            ),
            measurements=(
                _measurements(where, table["measurements"])
                if "measurements" in table
                else base["measurements"]
            ),
            nmes=_nmes(where, table["nmes"]) if "nmes" in table else base["nmes"],
            source=where.file,
        )
    except _FieldError as error:
        raise where.error(error.field, error.detail) from None
    return _RawVariant(variant=variant, harder=MappingProxyType(harder), where=where)


def _build(documents: Iterable[tuple[str, str]]) -> ExerciseLibrary:
    families: dict[str, ExerciseFamily] = {}
    family_where: dict[str, _Where] = {}
    raws: dict[str, _RawVariant] = {}
    for label, text in documents:
        parsed_families, parsed_variants = _parse_document(label, text)
        for family, where in parsed_families:
            if family.id in families:
                raise where.error(
                    "id",
                    f"must be unique; {family.id!r} is already a family in "
                    f"{families[family.id].source}",
                )
            families[family.id] = family
            family_where[family.id] = where
        for raw in parsed_variants:
            vid = raw.variant.id
            if vid in raws:
                raise raw.where.error(
                    "id", f"must be unique; {vid!r} is already a variant in {raws[vid].where.file}"
                )
            raws[vid] = raw
    for family in families.values():
        for target in family.leads_to:
            if target not in families or target == family.id:
                raise family_where[family.id].error(
                    "leads_to", f"must name other families of the library; got {target!r}"
                )
    harder = _check_links(raws)
    for family in families.values():
        _check_family_graph(family, family_where[family.id], raws, harder)
    return ExerciseLibrary(
        variants={vid: raw.variant for vid, raw in raws.items()},
        families=families,
        harder=harder,
    )


def _check_links(raws: Mapping[str, _RawVariant]) -> dict[tuple[str, Dimension], str]:
    harder: dict[tuple[str, Dimension], str] = {}
    for vid, raw in raws.items():
        source = raw.variant
        for dimension, target_id in raw.harder.items():
            field = f"harder.{dimension}"
            target = raws.get(target_id)
            if target is None:
                raise raw.where.error(
                    field, f"must name a variant of the library; got {target_id!r}"
                )
            if target.variant.family != source.family:
                raise raw.where.error(
                    field,
                    f"must name a variant of the same family ({source.family!r}); "
                    f"{target_id!r} is in family {target.variant.family!r}",
                )
            expected = _one_step(source.levels, dimension, up=True)
            if target.variant.levels != expected:
                differences = (
                    ", ".join(
                        f"{d} {source.levels.level(d)} → {target.variant.levels.level(d)}"
                        for d in target.variant.levels.differences(source.levels)
                    )
                    or "none"
                )
                raise raw.where.error(
                    field,
                    f"must name a variant exactly one level higher on {dimension} and equal on "
                    f"every other dimension; {target_id!r} differs by: {differences}",
                )
            harder[(vid, dimension)] = target_id
    return harder


def _one_step(levels: DimensionLevels, dimension: Dimension, *, up: bool) -> DimensionLevels | None:
    level = levels.level(dimension)
    moved = next_level(level) if up else previous_level(level)
    return None if moved is None else levels.replace(dimension, moved)


def _check_family_graph(
    family: ExerciseFamily,
    where: _Where,
    raws: Mapping[str, _RawVariant],
    harder: Mapping[tuple[str, Dimension], str],
) -> None:
    members = [raws[vid] for vid in family.variant_ids]
    by_levels: dict[DimensionLevels, str] = {}
    for raw in members:
        twin = by_levels.setdefault(raw.variant.levels, raw.variant.id)
        if twin != raw.variant.id:
            raise raw.where.error(
                "levels",
                f"must differ from every other variant of family {family.id!r}; "
                f"{twin!r} has the same level on every dimension",
            )
    # No dead ends, no skipped rungs: a variant higher on D, equal elsewhere, implies a link on D.
    for raw in members:
        source = raw.variant
        for other in members:
            differences = other.variant.levels.differences(source.levels)
            if len(differences) != 1:
                continue
            (dimension,) = differences
            if rank(other.variant.levels.level(dimension)) <= rank(source.levels.level(dimension)):
                continue
            if (source.id, dimension) in harder:
                continue
            step = _one_step(source.levels, dimension, up=True)
            present = by_levels.get(step) if step is not None else None
            if present is not None:
                detail = f"is missing; add harder.{dimension} = {present!r}"
            else:
                missing_level = None if step is None else step.level(dimension)
                detail = (
                    f"is missing: {other.variant.id!r} is higher on {dimension} with every other "
                    f"level equal, but no variant sits at {dimension} = {missing_level} "
                    "(the family skips a level)"
                )
            raise raw.where.error(f"harder.{dimension}", detail)
    # Every variant is reached from the entry by harder steps.
    seen = {family.entry}
    frontier = [family.entry]
    while frontier:
        current = frontier.pop()
        for dimension in Dimension:
            nxt = harder.get((current, dimension))
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    unreached = [vid for vid in family.variant_ids if vid not in seen]
    if unreached:
        raise where.error(
            "entry",
            f"must reach every variant of the family by harder steps; from {family.entry!r} "
            f"none reaches {', '.join(repr(v) for v in unreached)}",
        )


def _read(source: Traversable, label: str) -> tuple[str, str]:
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"exercise file {label} does not exist") from None
    try:
        return label, data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileFormatError(f"{label}: must be UTF-8 text; {error}") from None


def _builtin_documents() -> list[tuple[str, str]]:
    folder = resources.files("reeducate.clinic.data").joinpath("exercises")
    files = sorted(
        (item for item in folder.iterdir() if item.name.endswith(".toml")),
        key=lambda item: item.name,
    )
    return [_read(item, f"exercises/{item.name}") for item in files]


@cache
def load_library() -> ExerciseLibrary:
    """Return the built-in exercise library (read once, then cached).

    Returns
    -------
    ExerciseLibrary

    Raises
    ------
    FileFormatError
        If a built-in file breaks a rule (a packaging defect).

    Examples
    --------
    >>> load_library() is load_library()
    True
    """
    return _build(_builtin_documents())


def load_library_from(
    paths: Iterable[str | os.PathLike[str] | Traversable], /, *, include_builtin: bool = False
) -> ExerciseLibrary:
    """Build a library from a clinic's own TOML files (the only files this module reads that are
    not its own data, and only because the caller names them).

    Parameters
    ----------
    paths : iterable of path-like or Traversable
        Files, or folders whose ``*.toml`` files are read in name order.
    include_builtin : bool
        Also include the built-in library (the clinic's files add to it; ids must not clash).

    Returns
    -------
    ExerciseLibrary

    Raises
    ------
    NotFoundError
        If a file does not exist.
    FileFormatError
        If a file breaks a rule; the message names the file, the id and the field.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "bad.toml").write_text("schema_version = 2")
    >>> try:
    ...     load_library_from([folder / "bad.toml"])
    ... except ValueError as error:
    ...     print(str(error).split(folder.name)[-1])
    /bad.toml, top level, field schema_version: must be 1; got 2
    """
    documents = _builtin_documents() if include_builtin else []
    for item in paths:
        source: Traversable = Path(os.fspath(item)) if isinstance(item, str | os.PathLike) else item
        if source.is_dir():
            for child in sorted(source.iterdir(), key=lambda c: c.name):
                if child.name.endswith(".toml"):
                    documents.append(_read(child, str(child)))
        else:
            documents.append(_read(source, str(source)))
    return _build(documents)
