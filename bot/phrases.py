"""Phrase lists that staff write in the knowledge files, compiled to regular expressions.

Used by the safety replies and the question-point cues. Phrases match normalised text
(:func:`bot.text.normalise`) as whole words, with two conveniences:

- ``breath*``: a word ending in ``*`` matches any word it starts (breath, breathe, breathing);
- ``swell* ... throat``: ``...`` stands for up to four words in between.

Point cues may also name a group of phrases in angle brackets (``knowledge/points.yaml``,
``cue_groups``): ``would <the injection> help`` stands for one cue per phrase of the group
(``would the injection help``, ``would a shot help``...); :func:`expand` writes them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

from bot.text import tokenise

GAP = "..."
MAX_GAP_WORDS = 4
PLACEHOLDER = re.compile(r"<([^<>]*)>")
# A group may name other groups; this deep at most, which also ends a group naming itself.
MAX_GROUP_DEPTH = 4


class UnknownGroupError(ValueError):
    """A phrase names a group that is not defined, or groups name each other in a circle."""


def expand(phrase: str, groups: Mapping[str, tuple[str, ...]], depth: int = 0) -> tuple[str, ...]:
    """``phrase`` with each ``<name>`` replaced by each phrase of group ``name`` in turn
    (every combination, in order); a phrase naming no group is itself. ``depth``: how many
    groups this phrase lies inside."""
    found = PLACEHOLDER.search(phrase)
    if found is None:
        return (phrase,)
    name = found.group(1).strip()
    if name not in groups:
        raise UnknownGroupError(f"unknown group <{name}>")
    if depth >= MAX_GROUP_DEPTH:
        depth_limit = f"groups inside groups more than {MAX_GROUP_DEPTH} deep"
        raise UnknownGroupError(f"{depth_limit}: does <{name}> name itself?")
    members = [each for member in groups[name] for each in expand(member, groups, depth + 1)]
    rests = expand(phrase[found.end() :], groups, depth)
    head = phrase[: found.start()]
    return tuple(f"{head}{member}{rest}" for member in members for rest in rests)


@cache
def _tokens(word: str) -> tuple[str, ...]:
    """A phrase word's tokens: the same few hundred words recur in thousands of phrases
    once cue groups are written out, and tokenising them again and again took most of
    the knowledge's compile time."""
    return tuple(tokenise(word))


def phrase_pattern(phrase: str) -> str:
    """The regular expression for one phrase, over normalised text."""
    parts: list[str] = []
    for word in phrase.split():
        if word == GAP:
            parts.append(rf"(?:\S+ ){{0,{MAX_GAP_WORDS}}}")
            continue
        tokens = _tokens(word)
        if not tokens:
            continue
        pieces = [re.escape(token) for token in tokens]
        if word.endswith("*"):
            pieces[-1] += r"[a-z0-9]*"
        parts.append(" ".join(pieces) + " ")
    return "".join(parts).rstrip()


def phrase_words(phrases: Iterable[str]) -> frozenset[str]:
    """The plain words of some phrases (typo correction may aim at them)."""
    return frozenset(
        token
        for phrase in phrases
        for word in phrase.split()
        if word != GAP
        for token in _tokens(word)
    )


class PhraseSet:
    """Any of several phrases; ``search`` finds the first occurrence in normalised text."""

    def __init__(self, phrases: Iterable[str], *, longest_first: bool = False) -> None:
        """``longest_first``: where two phrases start at the same word, the one of more
        words (a ``...`` gap counts as one) is the match ("why ... not ... go away" over
        "why won't"), whatever the list order; otherwise the one listed first (the safety
        rules keep their own order)."""
        self.phrases = tuple(phrases)
        ordered = (
            sorted(self.phrases, key=lambda p: -len(p.split())) if longest_first else self.phrases
        )
        joined = _alternation(ordered)
        # A gap ends in a space, so the last word of a phrase must end at a word boundary.
        self._pattern = re.compile(rf"(?<![a-z0-9])(?:{joined})(?![a-z0-9])") if joined else None
        # A plain alternation of literals: one scan instead of a substring test each.
        openings = _openings(self.phrases)
        self._openings = (
            None if openings is None else re.compile("|".join(map(re.escape, sorted(openings))))
        )

    def __bool__(self) -> bool:
        return self._pattern is not None

    def _may_occur(self, text: str) -> bool:
        """False when no phrase can occur in ``text``: none of their first tokens is in it
        (see _openings). Most texts hold none, and one scan for a few literals is far
        quicker than the full expression. SynonymExpander has its own such shortcut: its
        variants are plain words, so it can compare whole words instead."""
        return self._openings is None or self._openings.search(text) is not None

    def search(self, text: str) -> str | None:
        """The matched words, or None."""
        if self._pattern is None or not self._may_occur(text):
            return None
        match = self._pattern.search(text)
        return match.group(0) if match else None

    def remove(self, text: str) -> str:
        """``text`` with every occurrence of the phrases blanked out."""
        if self._pattern is None or not self._may_occur(text):
            return text
        return self._pattern.sub(" ", text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the phrases occur in normalised text (start, end), left to right."""
        if self._pattern is None or not self._may_occur(text):
            return []
        return [match.span() for match in self._pattern.finditer(text)]


def _alternation(phrases: Iterable[str]) -> str:
    """The phrases' patterns as one alternation, tried in the phrases' order, where the
    phrases that start with the same plain word share it: "how (?:long...|often...)".
    The regex engine then tries at each word only the phrases that start with it, not
    every phrase in turn (hundreds in a point's cues, thousands once its groups are written
    out). A phrase starting with a starred word or a gap may match where any other does,
    so no later phrase joins a group begun before it: the order in which phrases are
    tried stays the listed one."""
    groups: list[tuple[str, list[str]]] = []  # (shared first word, the rest of each)
    open_groups: dict[str, list[str]] = {}
    for phrase in phrases:
        pattern = phrase_pattern(phrase)
        if not pattern:
            continue
        head = _plain_head(phrase)
        if head is None:
            groups.append(("", [pattern]))
            open_groups.clear()
            continue
        rests = open_groups.get(head)
        if rests is None:
            rests = open_groups[head] = []
            groups.append((head, rests))
        rests.append(pattern[len(head) :])
    return "|".join(
        head + "(?:" + "|".join(f"(?:{rest})" for rest in rests) + ")" for head, rests in groups
    )


def _plain_head(phrase: str) -> str | None:
    """The escaped first word of a phrase's pattern, when it is a plain word (not starred,
    not a gap) that every match starts with; else None."""
    for word in phrase.split():
        if word == GAP:
            return None
        tokens = _tokens(word)
        if not tokens:
            continue
        if len(tokens) == 1 and word.endswith("*"):
            return None
        return re.escape(tokens[0])
    return None


def opening(phrase: str) -> str | None:
    """A literal that every match of ``phrase`` contains: its first token (for ``word*``,
    the part before the star). None when the phrase starts with a gap, to keep the rule
    simple; empty when it has no token at all."""
    words = phrase.split()
    if words and words[0] == GAP:
        return None
    # The first word with tokens, as phrase_pattern skips words without any.
    tokens = next(filter(None, map(_tokens, words)), ("",))
    return tokens[0]


def _openings(phrases: Iterable[str]) -> frozenset[str] | None:
    """Per phrase, its opening; None (no shortcut) when a phrase has none."""
    openings: set[str] = set()
    for phrase in phrases:
        literal = opening(phrase)
        if literal is None:
            return None
        if literal:
            openings.add(literal)
    return frozenset(openings)
