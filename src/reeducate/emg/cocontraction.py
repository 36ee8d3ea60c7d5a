"""Co-contraction index of an agonist and its antagonist, from their envelopes in %MVC.

Methods (``method``):

* ``"falconer_winter"``: ``CCI = 2 * sum(min(a, b)) / sum(a + b) * 100`` (%): the common area of
  the two curves over their total area (Falconer & Winter 1985; the definition pyCGM2's
  ``FalconerCoActivationProcedure`` implements).
* ``"rudolph"``: ``CCI = mean((lower / higher) * (lower + higher))`` at each sample, in %MVC
  (Rudolph, Axe & Snyder-Mackler 2000; pyCGM2's ``UnithanCoActivationProcedure`` family):
  large when both muscles are active and equally so.

Both need the two envelopes on the same scale: %MVC of each muscle.

References
----------
Falconer K, Winter DA (1985) Quantitative assessment of co-contraction at the ankle joint in
walking. Electromyogr Clin Neurophysiol 25(2-3):135-149 (PMID 3987606).
Rudolph KS, Axe MJ, Snyder-Mackler L (2000) Dynamic stability after ACL injury: who can hop?
Knee Surg Sports Traumatol Arthrosc 8(5):262-269 (PMID 11061293).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from reeducate.errors import InvalidParameterError, SignalQualityError

__all__ = ["CciMethod", "co_contraction_index"]

CciMethod = Literal["falconer_winter", "rudolph"]


def co_contraction_index(
    agonist_pct_mvc: ArrayLike, antagonist_pct_mvc: ArrayLike, /, *, method: CciMethod
) -> float:
    """Co-contraction index over the samples given (select the task's span first).

    Parameters
    ----------
    agonist_pct_mvc, antagonist_pct_mvc : array_like, shape (n_samples,)
        Envelopes in %MVC (>= 0), sampled together.
    method : {"falconer_winter", "rudolph"}

    Returns
    -------
    float
        ``falconer_winter``: percent (0–100); ``rudolph``: %MVC.

    References
    ----------
    Falconer K, Winter DA (1985) Electromyogr Clin Neurophysiol 25:135-149.
    Rudolph KS et al. (2000) Knee Surg Sports Traumatol Arthrosc 8:262-269.

    Examples
    --------
    Two identical envelopes co-contract fully; one silent muscle not at all:

    >>> co_contraction_index([10.0, 20.0], [10.0, 20.0], method="falconer_winter")
    100.0
    >>> co_contraction_index([10.0, 20.0], [0.0, 0.0], method="falconer_winter")
    0.0
    >>> co_contraction_index([10.0, 30.0], [10.0, 10.0], method="rudolph")
    16.666666666666664
    """
    a = np.asarray(agonist_pct_mvc, dtype=np.float64)
    b = np.asarray(antagonist_pct_mvc, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise InvalidParameterError(
            f"agonist and antagonist must be 1-D of the same length; got {a.shape} and {b.shape}"
        )
    if a.size == 0:
        raise SignalQualityError("co-contraction needs at least one sample; got none")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise SignalQualityError("co-contraction needs finite envelopes; got NaN or inf")
    if np.any(a < 0) or np.any(b < 0):
        raise InvalidParameterError("envelopes in %MVC must be >= 0; got negative values")
    if method == "falconer_winter":
        total = float(np.sum(a + b))
        if total == 0:
            raise SignalQualityError("both envelopes are zero; co-contraction is undefined")
        return float(200.0 * np.sum(np.minimum(a, b)) / total)
    if method == "rudolph":
        low = np.minimum(a, b)
        high = np.maximum(a, b)
        ratio = np.divide(low, high, out=np.zeros_like(low), where=high > 0)
        return float(np.mean(ratio * (low + high)))
    raise InvalidParameterError(f"method must be 'falconer_winter' or 'rudolph'; got {method!r}")
