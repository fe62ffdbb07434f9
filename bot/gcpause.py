"""Pause the cyclic garbage collector while a large structure is built.

Reading a big knowledge base creates millions of objects that all survive (the YAML nodes
of a file, then the entries), and CPython's collector scans the survivors again at every
collection of the older generations: at 10,000 entries that was about a third of the load
time, with nothing to free. Reference counting still frees everything that is not in a
cycle while the collector is paused; what is, waits for the next collection afterwards.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; nested and concurrent uses are counted,
    and the last one out restores what was there before the first."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
