"""Match a question against the knowledge base and decide how to reply.

``Matcher.answer(text)`` returns a :class:`Result` with one of four statuses: ``answer``
(one confident entry), ``suggest`` (a few close candidates), ``none`` (not covered) or
``smalltalk``. Matching is deterministic and explainable: each candidate carries its score
(0-100), the knowledge text it matched best, and the reasons for its score.

How a question is scored:

1. Normalise it, correct typos against the knowledge base's own vocabulary (rapidfuzz) and
   rewrite synonyms from ``knowledge/synonyms.yaml`` (``tpi`` -> ``trigger point injection``).
2. Code numbers (CPT, HCPCS, ICD-10, LCD) are looked up exactly, never fuzzily: 20552 and
   20553 are different codes. A question whose codes are all unknown gets ``none``.
3. Coverage: how much of the question's information an entry explains. Each word weighs
   its inverse document frequency (rare words such as "units" say more than "trigger point
   injection", which every entry mentions); a word the knowledge base has never seen
   ("covid", "knee") weighs as much as the rarest word and no entry explains it, which is
   what keeps "symptoms of covid" from being answered. Everyday words weigh little.
4. An inverted index gives the entries with the highest coverage; only those are compared
   with rapidfuzz against their question and alternates, and keyword hits add a bonus.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from bot.icd10_answers import CodeAnswer, CodeAnswers
from bot.knowledge import Entry, KnowledgeBase, SmalltalkIntent
from bot.text import (
    COMMON_WORDS,
    STOPWORDS,
    SynonymExpander,
    display_code,
    is_code,
    normalise,
    tokenise,
)

# Longer messages are cut before matching so that time per question stays bounded.
MAX_QUERY_CHARS = 1000
MAX_CANDIDATES = 12
TYPO_CUTOFF = 80
MIN_TYPO_LENGTH = 3
SMALLTALK_CUTOFF = 90

# score = coverage x (COVERAGE_WEIGHT + (1 - COVERAGE_WEIGHT) x similarity) + bonuses
COVERAGE_WEIGHT = 0.5
# A code says more than any indexed word: it weighs this many times the rarest one. The
# entry listing it in its keywords explains all of it; an entry whose questions merely
# mention it ("Can I bill 20552 twice?" under billing units) explains this share.
CODE_WEIGHT = 1.5
CODE_MENTION_SHARE = 0.5
# A word no entry's questions or keywords contain. Words the knowledge base never uses at
# all ("covid") weigh most: they are what the question is really about.
UNINDEXED_WEIGHT = 0.2
UNKNOWN_WEIGHT = 2.5
# Everyday words ("change", "rules") say little, but not nothing: one rare word among them
# must not cover a whole question.
COMMON_WEIGHT = 0.1
# Below this much information (summed word and code weight) a question is too vague to
# answer outright ("pain", "billing"): the best candidates are suggested instead.
MIN_INFORMATION = 1.6
KEYWORD_BONUS = 6
MAX_KEYWORD_BONUS = 12
TOPIC_BONUS = 2
MAX_TOPIC_BONUS = 4


class Status(StrEnum):
    """What kind of reply a result calls for."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Thresholds:
    """Score limits for each decision (see README, "Tuning the matcher")."""

    answer: float = 60.0
    suggest: float = 50.0
    margin: float = 3.0
    max_suggestions: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.suggest <= self.answer <= 100:
            raise ValueError("thresholds need 0 <= suggest <= answer <= 100")
        if self.margin < 0 or self.max_suggestions < 1:
            raise ValueError("margin must be >= 0 and max_suggestions >= 1")


@dataclass(frozen=True)
class Candidate:
    """An entry the question may be about, with why it scored what it did."""

    entry: Entry
    raw_score: float
    matched: str
    reasons: tuple[str, ...] = ()

    @property
    def score(self) -> int:
        """The score shown to people, 0-100; ranking uses the uncapped ``raw_score``."""
        return max(0, min(100, round(self.raw_score)))


@dataclass(frozen=True)
class Result:
    """The decision for one question."""

    status: Status
    query: str
    candidates: tuple[Candidate, ...] = ()
    smalltalk: SmalltalkIntent | None = None
    unknown_codes: tuple[str, ...] = ()
    # An answer about ICD-10-CM codes from the code set (status answer, no entry).
    icd10: CodeAnswer | None = None

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None

    @property
    def entry(self) -> Entry | None:
        """The answered entry (status answer only)."""
        return (
            self.candidates[0].entry if self.status is Status.ANSWER and self.candidates else None
        )

    @property
    def score(self) -> int:
        """The top candidate's score, 0 when there is none; 100 for a code-set answer."""
        if self.icd10 is not None:
            return 100
        return self.candidates[0].score if self.candidates else 0


@dataclass(frozen=True)
class _Query:
    """A question after normalisation, typo correction and synonym expansion."""

    text: str
    words: tuple[str, ...]
    content: tuple[str, ...]
    codes: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def padded(self) -> str:
        return f" {self.text} "


@dataclass(frozen=True)
class _Scored:
    """Ranked candidates for a question, how much it says, and its unknown codes."""

    candidates: list[Candidate]
    information: float
    unknown_codes: tuple[str, ...]


def _content(tokens: Iterable[str], *, keep_codes: bool = False) -> list[str]:
    return [t for t in tokens if t not in STOPWORDS and (keep_codes or not is_code(t))]


class Matcher:
    """Compiled once per knowledge base; ``answer`` is then cheap and never raises."""

    def __init__(self, knowledge: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self._synonyms = SynonymExpander(knowledge.synonyms)
        self._entries = knowledge.entries
        self._compile_smalltalk()
        self._compile_vocabulary()
        self._compile_entries()
        self._icd10 = CodeAnswers(knowledge.diagnosis_lists, self.code_owner)

    # --- compilation ------------------------------------------------------------------

    def _expand(self, text: str) -> str:
        return self._synonyms.expand(normalise(text))

    def _compile_smalltalk(self) -> None:
        self._smalltalk_patterns: list[str] = []
        self._smalltalk_intents: list[SmalltalkIntent] = []
        for intent in self.knowledge.smalltalk:
            for pattern in intent.patterns:
                self._smalltalk_patterns.append(normalise(pattern))
                self._smalltalk_intents.append(intent)
        self._smalltalk_words = frozenset(
            token for pattern in self._smalltalk_patterns for token in pattern.split()
        )

    def _compile_vocabulary(self) -> None:
        texts: list[str] = []
        for entry in self._entries:
            texts += [entry.question, entry.answer, *entry.alternates, *entry.keywords]
        for topic in self.knowledge.topics:
            texts += [topic.title, *topic.keywords]
        raw = {token for text in texts for token in tokenise(text)}
        expanded = {token for text in texts for token in self._expand(text).split()}
        self._vocabulary = frozenset(raw | expanded | self._synonyms.words)
        known = self._vocabulary | self._smalltalk_words | STOPWORDS
        # Typo correction aims only at words worth correcting to.
        self._correctable = sorted(
            word for word in known if len(word) >= MIN_TYPO_LENGTH and word.isalpha()
        )

    def _compile_entries(self) -> None:
        self._texts: list[str] = []
        self._display: list[str] = []
        self._text_ranges: list[tuple[int, int]] = []
        self._keywords: list[tuple[str, ...]] = []
        self._codes: dict[str, int] = {}
        self._code_mentions: dict[str, set[int]] = defaultdict(set)
        postings: dict[str, set[int]] = defaultdict(set)
        for index, entry in enumerate(self._entries):
            first = len(self._texts)
            for text in (entry.question, *entry.alternates):
                words = self._expand(text).split()
                # Codes stay in the knowledge texts (they tell texts apart) but are taken
                # out of the question, where they are matched exactly instead.
                self._texts.append(" ".join(_content(words, keep_codes=True)))
                self._display.append(text)
                for token in _content(words):
                    postings[token].add(index)
                for token in words:
                    if is_code(token):
                        self._code_mentions[token].add(index)
            self._text_ranges.append((first, len(self._texts)))
            phrases: list[str] = []
            for keyword in entry.keywords:
                expanded = self._expand(keyword)
                if is_code(expanded):
                    self._codes.setdefault(expanded, index)
                elif expanded:
                    phrases.append(expanded)
                    for token in _content(expanded.split()):
                        postings[token].add(index)
            self._keywords.append(tuple(phrases))
        count = max(1, len(self._entries))
        self._postings = {
            token: (tuple(sorted(ids)), math.log(1 + count / len(ids)))
            for token, ids in postings.items()
        }
        self._rarest_weight = math.log(1 + count)
        topic_words = {
            topic.id: frozenset(self._expand(" ".join(topic.keywords)).split())
            for topic in self.knowledge.topics
        }
        self._topic_words = [topic_words.get(entry.topic, frozenset()) for entry in self._entries]

    # --- matching ---------------------------------------------------------------------

    def code_owner(self, code: str) -> Entry | None:
        """The entry whose keywords list this code (ICD-10 codes also match by prefix)."""
        index = self._code_index(normalise(code))
        return None if index is None else self._entries[index]

    def _code_index(self, code: str) -> int | None:
        if code in self._codes:
            return self._codes[code]
        if "." in code:  # ICD-10 is hierarchical: M79.18 belongs where M79.1 does.
            parents = [known for known in self._codes if "." in known and code.startswith(known)]
            if parents:
                return self._codes[max(parents, key=len)]
        return None

    def _parse(self, text: str) -> _Query:
        tokens = [self._correct(token) for token in tokenise(text[:MAX_QUERY_CHARS])]
        expanded = self._synonyms.expand(" ".join(tokens))
        words = tuple(expanded.split())
        codes = tuple(dict.fromkeys(t for t in words if is_code(t)))
        content = tuple(dict.fromkeys(_content(words)))
        unknown = tuple(
            t
            for t in content
            if t not in self._vocabulary and t not in COMMON_WORDS and not t.isdigit()
        )
        return _Query(expanded, words, content, codes, unknown)

    def _correct(self, token: str) -> str:
        known = token in self._vocabulary or token in COMMON_WORDS
        if known or len(token) < MIN_TYPO_LENGTH or not token.isalpha():
            return token
        match = process.extractOne(
            token, self._correctable, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
        )
        return match[0] if match else token

    def search(self, text: str, limit: int = 10) -> list[Candidate]:
        """Entries worth listing for ``text`` (inline mode), best first, at most ``limit``."""
        query = self._parse(text)
        scored = self._score(query, limit) if query.words else None
        if scored is None or self._smalltalk(query) is not None:
            return []
        return [c for c in scored.candidates if c.raw_score >= self.thresholds.suggest]

    def answer(self, text: str) -> Result:
        """Decide how to reply to ``text``."""
        query = self._parse(text)
        if not query.words:
            return Result(Status.NONE, text)
        smalltalk = self._smalltalk(query)
        if smalltalk is not None:
            return Result(Status.SMALLTALK, text, smalltalk=smalltalk)
        # ICD-10-CM codes asked in a TPI context: the code set answers, not an entry.
        icd10 = self._icd10.answer(query.text, query.codes)
        if icd10 is not None:
            return Result(Status.ANSWER, text, icd10=icd10)
        scored = self._score(query, MAX_CANDIDATES)
        if scored is None:  # only unknown codes
            unknown = tuple(display_code(c) for c in query.codes)
            return Result(Status.NONE, text, unknown_codes=unknown)
        return self._decide(text, scored)

    def _score(self, query: _Query, limit: int) -> _Scored | None:
        """The ``limit`` best-covered entries, ranked; None when every code is unknown."""
        owners = {code: self._code_index(code) for code in query.codes}
        if owners and all(owner is None for owner in owners.values()):
            return None
        coverage, information = self._coverage(query, owners)
        best = heapq.nlargest(limit, coverage.items(), key=lambda kv: (kv[1], -kv[0]))
        unknown_codes = tuple(display_code(c) for c, owner in owners.items() if owner is None)
        return _Scored(self._rank(query, best, owners), information, unknown_codes)

    def _smalltalk(self, query: _Query) -> SmalltalkIntent | None:
        if query.codes or not self._smalltalk_patterns:
            return None
        if any(t not in self._smalltalk_words for t in query.content):
            return None
        match = process.extractOne(
            query.text,
            self._smalltalk_patterns,
            scorer=fuzz.token_set_ratio,
            score_cutoff=SMALLTALK_CUTOFF,
        )
        return self._smalltalk_intents[match[2]] if match else None

    def _coverage(
        self, query: _Query, owners: dict[str, int | None]
    ) -> tuple[dict[int, float], float]:
        """Share (0-1) of the question's weight each entry explains, and that total weight."""
        explained: dict[int, float] = defaultdict(float)
        total = 0.0
        for token in query.content:
            ids, weight = self._postings.get(token, ((), self._absent_weight(token)))
            total += weight
            for index in ids:
                explained[index] += weight
        code_weight = CODE_WEIGHT * self._rarest_weight
        for code, owner in owners.items():
            total += code_weight
            if owner is None:
                continue
            explained[owner] += code_weight
            for index in self._code_mentions.get(code, ()):
                if index != owner:
                    explained[index] += CODE_MENTION_SHARE * code_weight
        if not total:
            return {}, 0.0
        return {index: weight / total for index, weight in explained.items()}, total

    def _absent_weight(self, token: str) -> float:
        """The weight of a word no entry is indexed under."""
        if token in COMMON_WORDS:
            return COMMON_WEIGHT * self._rarest_weight
        if token in self._smalltalk_words or token.isdigit():
            return 0.0
        known = token in self._vocabulary
        return (UNINDEXED_WEIGHT if known else UNKNOWN_WEIGHT) * self._rarest_weight

    def _rank(
        self, query: _Query, coverage: list[tuple[int, float]], owners: dict[str, int | None]
    ) -> list[Candidate]:
        # Known codes take part in the similarity too: the knowledge texts carry them.
        known_codes = [code for code, owner in owners.items() if owner is not None]
        content = " ".join([*known_codes, *query.content])
        similarity: dict[int, tuple[float, int]] = {}
        if content:
            positions = [
                (index, p) for index, _ in coverage for p in range(*self._text_ranges[index])
            ]
            choices = [self._texts[p] for _, p in positions]
            for _, score, offset in process.extract(
                content, choices, scorer=_similarity, limit=None
            ):
                index, position = positions[offset]
                if index not in similarity or score > similarity[index][0]:
                    similarity[index] = (score, position)
        scored = [
            self._candidate(query, index, share, similarity.get(index), owners)
            for index, share in coverage
        ]
        # Equal scores keep coverage order, which is deterministic.
        ranked = sorted(enumerate(scored), key=lambda pair: (-pair[1].raw_score, pair[0]))
        return [candidate for _, candidate in ranked]

    def _candidate(
        self,
        query: _Query,
        index: int,
        share: float,
        similar: tuple[float, int] | None,
        owners: dict[str, int | None],
    ) -> Candidate:
        entry = self._entries[index]
        reasons = [f"coverage {share:.0%}"]
        if similar is None:  # a question of codes alone: coverage says it all
            base = 100 * share
            matched = entry.question
        else:
            base = share * (COVERAGE_WEIGHT * 100 + (1 - COVERAGE_WEIGHT) * similar[0])
            matched = self._display[similar[1]]
            reasons.append(f"similarity {similar[0]:.0f}")
        bonus = 0.0
        keyword_hits = [p for p in self._keywords[index] if f" {p} " in query.padded]
        if keyword_hits:
            bonus += min(MAX_KEYWORD_BONUS, KEYWORD_BONUS * len(keyword_hits))
            reasons.append("keywords: " + ", ".join(keyword_hits))
        topic_hits = sorted(set(query.words) & self._topic_words[index])
        if topic_hits:
            bonus += min(MAX_TOPIC_BONUS, TOPIC_BONUS * len(topic_hits))
            reasons.append("topic words: " + ", ".join(topic_hits))
        codes = [display_code(code) for code, owner in owners.items() if owner == index]
        if codes:
            reasons.append("code " + ", ".join(codes))
        if query.unknown:
            reasons.append("unknown words: " + ", ".join(query.unknown))
        return Candidate(entry, base + bonus, matched, tuple(reasons))

    def _decide(self, text: str, scored: _Scored) -> Result:
        limits = self.thresholds
        candidates = scored.candidates
        if not candidates or candidates[0].raw_score < limits.suggest:
            return Result(
                Status.NONE,
                text,
                tuple(candidates[:1]),
                unknown_codes=scored.unknown_codes,
            )
        best = candidates[0]
        runner_up = candidates[1].raw_score if len(candidates) > 1 else 0.0
        confident = best.raw_score >= limits.answer and best.raw_score - runner_up >= limits.margin
        if confident and scored.information >= MIN_INFORMATION:
            return Result(Status.ANSWER, text, (best,), unknown_codes=scored.unknown_codes)
        close = [c for c in candidates if c.raw_score >= limits.suggest]
        return Result(
            Status.SUGGEST,
            text,
            tuple(close[: limits.max_suggestions]),
            unknown_codes=scored.unknown_codes,
        )


def _similarity(query: str, choice: str, **_: object) -> float:
    """Half token-set (the question's words are in the text), half token-sort (same length)."""
    return (fuzz.token_set_ratio(query, choice) + fuzz.token_sort_ratio(query, choice)) / 2
