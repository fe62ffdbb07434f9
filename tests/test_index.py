"""The compiled index: restored from its plain data it is the same; synonym expansion's
shortcut changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.index import KnowledgeIndex
from bot.knowledge import KnowledgeBase
from bot.text import SynonymExpander

COMPILED = (
    "texts display wordings text_sets text_ranges keywords codes code_mentions postings"
    " rarest_weight topic_words known_stems vocabulary correctable smalltalk_patterns"
    " smalltalk_words subject_stems index_of text_postings own_subject_stems staff_entries"
    " staff_words"
).split()


def test_an_index_restored_from_plain_data_equals_the_compiled_one(knowledge: KnowledgeBase):
    compiled = KnowledgeIndex(knowledge)
    through_json = json.loads(json.dumps(compiled.plain()))
    restored = KnowledgeIndex(knowledge, compiled=through_json)
    for name in COMPILED:
        assert getattr(restored, name) == getattr(compiled, name), name
    assert restored.stem.known() == compiled.stem.known()
    subjects = [(name, entries) for name, _, entries in compiled.other_subjects]
    assert [(name, entries) for name, _, entries in restored.other_subjects] == subjects


def test_plain_data_of_another_shape_is_refused(knowledge: KnowledgeBase):
    plain = KnowledgeIndex(knowledge).plain()
    for broken in (
        {"ends": plain["ends"][:-1]},  # one entry fewer than the knowledge has
        {"texts": plain["texts"] + "\nmore"},
        {"vocabulary": "not a list"},
        {"format": -1},
    ):
        with pytest.raises(ValueError):
            KnowledgeIndex(knowledge, compiled=plain | broken)


SYNONYMS = (
    ("trigger point injection", ("tpi", "trigger point shot")),
    ("m79.1", ("myalgia", "muscle pain")),
    ("20552", ("one or two muscles",)),
)
WORDS = st.sampled_from(
    "tpi trigger point shot m79.1 m79.18 myalgia muscle pain one or two muscles 20552 x . -"
    " a.tpi tpi. TPI".split()
)


class _Unguarded(SynonymExpander):
    """Expansion as it was: the pattern always runs."""

    def expand(self, normalised: str) -> str:
        assert self._pattern is not None
        return self._pattern.sub(lambda match: self._mapping[match.group(0)], normalised)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=8), st.sampled_from([" ", "  ", "-", "."]))
def test_skipping_texts_without_a_variant_changes_no_expansion(words: list[str], sep: str):
    text = sep.join(words)
    assert SynonymExpander(SYNONYMS).expand(text) == _Unguarded(SYNONYMS).expand(text)


def test_a_reload_reuses_unchanged_entries_and_compiles_the_same(knowledge: KnowledgeBase):
    import dataclasses

    from bot.knowledge_cache import _sharing

    pointed = {entry_id for point in knowledge.points for entry_id in point.entries}
    free = [entry for entry in knowledge.entries if entry.id not in pointed]
    removed, edited, copied = free[0], free[1], free[2]
    entries = [e for e in knowledge.entries if e is not removed]
    entries = [
        dataclasses.replace(e, alternates=(*e.alternates, "a new way to ask 20553?"))
        if e is edited
        else e
        for e in entries
    ]
    entries.append(dataclasses.replace(copied, id="a-new-entry"))
    entries.reverse()
    # as loaded again from the files: equal entries, other objects
    reloaded = dataclasses.replace(
        knowledge, entries=tuple(dataclasses.replace(e) for e in entries)
    )
    previous = KnowledgeIndex(knowledge)
    shared = _sharing(reloaded, knowledge)
    assert sum(e is knowledge.entry(e.id) for e in shared.entries) == len(entries) - 2
    reused = KnowledgeIndex(shared, previous=previous)
    fresh = KnowledgeIndex(reloaded)
    for name in COMPILED:
        assert getattr(reused, name) == getattr(fresh, name), name
    assert reused.plain() == fresh.plain()
    # other synonyms: nothing is reused (the texts would expand differently)
    other = dataclasses.replace(shared, synonyms=(("tpi", ("trigger point injection",)),))
    assert KnowledgeIndex(other, previous=previous).texts == KnowledgeIndex(other).texts


def test_everyday_words_in_staff_keyword_phrases_are_not_billing_words(knowledge: KnowledgeBase):
    """drug-wastage lists "thrown away": "away" alone must not make "does the soreness
    ever go away" a billing question; an everyday word that is a keyword of its own
    ("guidance", imaging-guidance) still is one."""
    index = KnowledgeIndex(knowledge)
    assert any(
        "away" in phrase.split() for phrase in index.keywords[index.index_of["drug-wastage"]]
    )
    assert "away" not in index.staff_words
    assert index.stem("guidance") in index.staff_words
    assert index.stem("modifier") in index.staff_words


def test_cue_parts_are_those_of_the_cues_that_may_find_the_words(knowledge: KnowledgeBase):
    # "can i drive after" is found by the aftercare cue "can i ... after"; only cues that
    # open with a word of it are compiled to tell which cue that was.
    index = KnowledgeIndex(knowledge)
    said = "can i drive after"
    parts = index.cue_parts("aftercare", said)
    assert any(single.spans(said) == [(0, len(said))] for single, _, _ in parts)
    cues = next(point.cues for point in knowledge.points if point.id == "aftercare")
    assert 0 < len(parts) < len(cues)
    assert all(single.phrases[0].split()[0] in said for single, _, _ in parts)
