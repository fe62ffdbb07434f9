"""The typo corrector: one-edit typos are found through its index of deletions."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from rapidfuzz import fuzz, process

from bot import text
from bot.index import MIN_TYPO_LENGTH, KnowledgeIndex
from bot.knowledge import KnowledgeBase
from bot.query import TYPO_CUTOFF
from bot.text import TypoCorrector, english_words

TARGETS = ["trigger", "injection", "imaging", "medicare", "rhomboid"]


def corrector(known: frozenset[str] = frozenset()) -> TypoCorrector:
    return TypoCorrector(known, TARGETS, cutoff=TYPO_CUTOFF, min_length=MIN_TYPO_LENGTH)


def test_letters_dropped_added_changed_or_swapped_are_corrected():
    correct = corrector()
    assert correct("triger") == "trigger"  # dropped
    assert correct("injecttion") == "injection"  # added
    assert correct("rhombiod") == "rhomboid"  # swapped
    assert correct("medicere") == "medicare"  # changed
    assert correct("immagingg") == "imaging"  # two letters too many


def test_two_swapped_letters_count_as_one_edit():
    # "ijnection" has the same ratio to "infection" and "injection"; one swap is one edit.
    correct = TypoCorrector(
        frozenset(), ["infection", "injection"], cutoff=TYPO_CUTOFF, min_length=4
    )
    assert correct("ijnection") == "injection"
    assert correct("infetcion") == "infection"


def test_english_words_are_not_corrected():
    correct = TypoCorrector(
        frozenset(), ["valid", "denial", "medical"], cutoff=TYPO_CUTOFF, min_length=4
    )
    # One letter from a target, but words of their own: the meaning must not flip.
    assert correct("invalid") == "invalid"
    assert correct("dental") == "dental"
    assert correct("medicaid") == "medicaid"
    assert correct("medicaal") == "medical"
    spelling_blind = TypoCorrector(
        frozenset(), ["valid"], cutoff=TYPO_CUTOFF, min_length=4, english=False
    )
    assert spelling_blind("invalid") == "valid"


def test_prepare_loads_the_english_words_when_they_are_used():
    english_words.cache_clear()
    TypoCorrector(
        frozenset(), ["valid"], cutoff=TYPO_CUTOFF, min_length=4, english=False
    ).prepare()
    assert english_words.cache_info().currsize == 0
    corrector().prepare()
    assert english_words.cache_info().currsize == 1


def test_two_threads_needing_the_english_words_at_once_read_them_once():
    # The start job reads the list in a worker thread while a question may need it.
    english_words.cache_clear()
    text._read_english_words.cache_clear()
    together = threading.Barrier(2)

    def read(_: int) -> frozenset[str]:
        together.wait()
        return english_words()

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(read, range(2))
    assert first is second
    assert text._read_english_words.cache_info().misses == 1


def test_known_short_numeric_and_far_words_stay():
    correct = corrector(known=frozenset({"trigge"}))
    assert correct("trigge") == "trigge"
    assert correct("img") == "img"
    assert correct("m79.1") == "m79.1"
    assert correct("colonoscopy") == "colonoscopy"
    # The cache answers the second time with the same word.
    assert correct("triger") == correct("triger") == "trigger"


def test_it_agrees_with_comparing_every_target(knowledge: KnowledgeBase):
    # Against the shipped vocabulary, one-edit typos get what a comparison with every
    # target would give, but for the rare word two letters longer ("mots": "months").
    targets = KnowledgeIndex(knowledge).correctable
    correct = TypoCorrector(frozenset(), targets, cutoff=TYPO_CUTOFF, min_length=MIN_TYPO_LENGTH)
    rng = random.Random(20552)
    typos = []
    for word in rng.sample(targets, 400):
        at = rng.randrange(len(word))
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        typos += [word[:at] + word[at + 1 :], word[:at] + letter + word[at:]]
    typos = [typo for typo in typos if len(typo) >= MIN_TYPO_LENGTH]
    agree = 0
    for typo in typos:
        best = process.extractOne(typo, targets, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
        ours = correct(typo)
        # A typo that makes another English word ("trial" from "trail") stays as typed.
        expected = typo if typo in english_words() or not best else best[0]
        agree += ours == expected
        assert ours == typo or fuzz.ratio(typo, ours) >= TYPO_CUTOFF
    assert agree >= 0.99 * len(typos)
