"""check's warnings: the bound that settles most wordings gives the same warnings as
answering every one, and the scoring facts the bound rests on hold."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from pathlib import Path

import pytest

import bot.checks as checks
from benchmarks.synthetic_knowledge import write_knowledge
from bot.checks import MAX_BONUS, knowledge_warnings, warnings_without_overlaps
from bot.evaluation import load_dev_set
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.matching import MAX_CANDIDATES, WORDING_WEIGHT, Matcher
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 27)


def every_wording_answered(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    with monkeypatch.context() as patch:
        patch.setattr(checks, "_surely_its_own", lambda *args: False)
        return knowledge_warnings(matcher, TODAY)


def test_the_bound_gives_the_warnings_of_answering_everything(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
):
    assert knowledge_warnings(matcher, TODAY) == every_wording_answered(matcher, monkeypatch)


@pytest.mark.slow
def test_the_bound_gives_the_same_warnings_on_overlapping_synthetic_knowledge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    matcher = Matcher(load_knowledge(write_knowledge(tmp_path / "knowledge", 300)))
    warnings = knowledge_warnings(matcher, TODAY)
    assert any("better (score" in warning for warning in warnings)  # overlaps exist
    assert warnings == every_wording_answered(matcher, monkeypatch)


def test_the_warnings_without_overlaps_are_the_rest_of_them(tmp_path: Path):
    knowledge = load_knowledge(write_knowledge(tmp_path / "knowledge", 120))
    every = knowledge_warnings(Matcher(knowledge), TODAY)
    overlapping = [w for w in every if "better (score" in w or "describes a case" in w]
    assert overlapping  # the synthetic keywords recur: some overlap
    rest = [w for w in every if w not in overlapping]
    assert warnings_without_overlaps(knowledge, TODAY) == rest


PARENT = os.getpid()


def _answer_in_a_child(wordings: list[tuple[str, list[int]]]) -> dict[str, object]:
    """What checks._answer_in_worker does, failing unless it runs in a worker process."""
    assert os.getpid() != PARENT, "answered in the parent process"
    assert checks._shared_matcher is not None
    return dict(checks._answer_some(checks._shared_matcher, wordings))


@pytest.mark.skipif(sys.platform != "linux", reason="check forks workers only on Linux")
def test_worker_processes_give_the_warnings_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    matcher = Matcher(load_knowledge(write_knowledge(tmp_path / "knowledge", 120)))
    alone = knowledge_warnings(matcher, TODAY)  # 1,200 wordings: one process
    assert any("better (score" in warning for warning in alone)
    monkeypatch.setattr(checks, "PARALLEL_FROM", 1)
    monkeypatch.setattr(checks, "_usable_cores", lambda: 2)
    monkeypatch.setattr(checks, "_answer_in_worker", _answer_in_a_child)
    assert checks._can_fork()
    assert knowledge_warnings(matcher, TODAY) == alone


def test_no_fork_beside_another_thread():
    # A lock held by another thread at the fork would stay held in the child for ever.
    started, done = threading.Event(), threading.Event()
    other = threading.Thread(target=lambda: (started.set(), done.wait()))
    other.start()
    started.wait()
    try:
        assert not checks._can_fork()
    finally:
        done.set()
        other.join()


def test_an_entry_scored_from_its_own_text_scores_as_ranked(knowledge: KnowledgeBase):
    """The shortcut for a wording read back as one of its entry's texts (similarity 100)
    gives the score Matcher._rank gives."""
    matcher = Matcher(knowledge)
    for index, entry in enumerate(knowledge.entries):
        for phrase in entry.alternates:
            query = matcher._reader.read(phrase)
            owners = {code: matcher._code_index(code) for code in query.codes}
            share = matcher._coverage(query, owners)[0].get(index)
            if share is None:
                continue
            [ranked] = matcher._rank(query, [(index, share)], owners)
            own = checks._own_candidate(matcher, query, index, share, owners)
            assert own.raw_score == ranked.raw_score, phrase


def test_the_bound_settles_alternates_and_leaves_ties_to_the_matcher(tmp_path: Path):
    matcher = Matcher(load_knowledge(write_knowledge(tmp_path / "knowledge", 50)))
    entry = matcher.knowledge.entries[0]
    assert all(checks._surely_its_own(matcher, text, 0) for text in entry.alternates)
    # another entry's wording is never settled as this entry's own
    other = matcher.knowledge.entries[1].alternates[0]
    assert not checks._surely_its_own(matcher, other, 0)


def _questions() -> list[str]:
    cases, _ = load_dev_set(ROOT / "tests" / "data" / "dev_questions.yaml")
    return [case.question for case in cases]


def test_no_candidate_scores_over_its_coverage_and_the_bonuses(knowledge: KnowledgeBase):
    """What the bound assumes of Matcher: score <= 100 x coverage + MAX_BONUS, and the
    wording tie-break lowers a score by at most WORDING_WEIGHT."""
    matcher = Matcher(knowledge)
    for question in _questions():
        query = matcher._reader.read(question)
        if not query.words:
            continue
        owners = {code: matcher._code_index(code) for code in query.codes}
        coverage, _ = matcher._coverage(query, owners)
        best = matcher._best_covered(query, coverage, MAX_CANDIDATES)
        for index, share in best:
            [alone] = matcher._rank(query, [(index, share)], owners)
            assert alone.raw_score <= 100 * share + MAX_BONUS, question
        ranked = {c.entry.id: c.raw_score for c in matcher._rank(query, best, owners)}
        for index, share in best:
            [alone] = matcher._rank(query, [(index, share)], owners)
            final = ranked[knowledge.entries[index].id]
            assert alone.raw_score - WORDING_WEIGHT <= final <= alone.raw_score, question
