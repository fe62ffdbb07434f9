"""Recognise messages that may describe an emergency, before any knowledge answer.

The rules live in ``knowledge/safety.yaml`` (:class:`bot.knowledge.SafetyRule`); their
phrases use the syntax of :mod:`bot.phrases`. Matching is deliberately literal: a safety
reply that fires on a general question ("is chest pain a side effect?") would hide the
answer, and one that misses a real emergency is worse, so each rule's phrases are tested
in both directions (tests/test_safety.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.knowledge import SafetyRule
from bot.phrases import PhraseSet, phrase_words


class _CompiledRule:
    def __init__(self, rule: SafetyRule) -> None:
        self.rule = rule
        self.alone = PhraseSet(rule.patterns)
        self.symptoms = PhraseSet(rule.symptoms)
        self.context = PhraseSet(rule.context)
        self.reported = PhraseSet(rule.reported)
        self.unless = PhraseSet(rule.unless)

    def applies(self, text: str, reports: Callable[[], bool]) -> bool:
        text = self.unless.remove(text)
        if self.alone.search(text):
            return True
        if not self.symptoms.search(text):
            return False
        return bool(self.context.search(text)) or (bool(self.reported.search(text)) and reports())


class SafetyCheck:
    """Compiled once per knowledge base; ``check`` returns the first rule that applies."""

    def __init__(self, rules: Iterable[SafetyRule]) -> None:
        self._rules = [_CompiledRule(rule) for rule in rules]

    @property
    def words(self) -> frozenset[str]:
        """Every plain word in the rules' phrases (typo correction may aim at them)."""
        return phrase_words(
            phrase
            for compiled in self._rules
            for phrase in (
                *compiled.rule.patterns,
                *compiled.rule.symptoms,
                *compiled.rule.context,
                *compiled.rule.reported,
            )
        )

    def check(self, *texts: str, reports: Callable[[], bool]) -> SafetyRule | None:
        """The first rule (in file order) that applies to any of the normalised ``texts``;
        ``reports``: whether the message reports rather than asks (see Matcher._reports),
        called only when a rule's symptoms and reported phrases are found, as working it
        out costs more than the whole check."""
        # The texts are mostly the same (a message without typos): each is checked once.
        texts = tuple(dict.fromkeys(texts))
        for compiled in self._rules:
            if any(compiled.applies(text, reports) for text in texts):
                return compiled.rule
        return None
