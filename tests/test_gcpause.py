"""The collector is paused for the block and restored as it was, nested or not."""

from __future__ import annotations

import gc

from bot.gcpause import collection_paused


def test_the_collector_is_paused_and_restored():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
