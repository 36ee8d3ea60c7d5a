"""A bounded, thread-safe, in-process cache of what is derived from a patient's records.

Values are kept under keys that hold everything they are derived from, the patient's
*revision* included (``patient.revision``: every write of the patient's records adds 1 in the
same transaction; :mod:`reeducate.store.repositories`). A key is therefore never stale: after a
write, readers read the new revision and look up a new key; the old entry is never looked up
again and leaves by least-recent use. There is no invalidation to forget, and none across
processes to coordinate: each process reads the revisions from the database.

Two requests that miss the same entries at once should not both compute them:
:meth:`RevisionCache.flight` gives the lock of a scope (one database, say) under which the
missing entries are looked up again and only the ones still missing are computed (the
single-flight pattern). It is held for one batch at a time, so that a long warm-up lets requests
in between its batches.

Examples
--------
>>> cache = RevisionCache[str](max_entries=2)
>>> cache.put(("P-0001", 3), "entry at revision 3")
>>> cache.get_many([("P-0001", 3), ("P-0001", 4)])
{('P-0001', 3): 'entry at revision 3'}
>>> cache.put(("P-0002", 0), "b"); cache.put(("P-0003", 0), "c"); len(cache)
2
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

from reeducate.errors import InvalidParameterError

__all__ = ["RevisionCache"]

V = TypeVar("V")


class RevisionCache(Generic[V]):
    """Least-recently-used entries (at most ``max_entries``), safe to share between threads.

    Parameters
    ----------
    max_entries : int
        The most entries kept; the least recently used leave first.
    """

    def __init__(self, *, max_entries: int) -> None:
        if not isinstance(max_entries, int) or max_entries < 1:
            raise InvalidParameterError(f"max_entries must be an integer >= 1; got {max_entries!r}")
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get_many(self, keys: Iterable[Hashable], /) -> dict[Hashable, V]:
        """The entries found of ``keys`` (each marked as just used)."""
        found: dict[Hashable, V] = {}
        with self._lock:
            for key in keys:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[key] = self._entries[key]
        return found

    def put(self, key: Hashable, value: V, /) -> None:
        """Keep ``value`` under ``key`` (the least recently used leave beyond the bound)."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def flight(self, scope: Hashable, /) -> threading.Lock:
        """The single-flight lock of ``scope``: hold it to look up missing entries again and
        compute those still missing."""
        with self._lock:
            lock = self._flights.get(scope)
            if lock is None:
                lock = self._flights[scope] = threading.Lock()
            return lock

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
