"""Match a question against the knowledge base and decide how to reply.

``Matcher.answer(text)`` returns a :class:`Result` with one of five statuses: ``safety``
(the message may describe an emergency: checked first, see :mod:`bot.safety`), ``answer``
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

from bot.cases import CaseAnswer, CaseCoder
from bot.icd10_answers import CodeAnswer, CodeAnswers
from bot.knowledge import Entry, KnowledgeBase, SafetyRule, SmalltalkIntent
from bot.phrases import PhraseSet, phrase_words
from bot.safety import SafetyCheck
from bot.text import (
    COMMON_WORDS,
    STOPWORDS,
    Stemmer,
    SynonymExpander,
    display_code,
    focus_sentences,
    is_code,
    normalise,
    tokenise,
)

# Longer messages are cut before matching so that time per question stays bounded.
MAX_QUERY_CHARS = 1000
MAX_CANDIDATES = 12
TYPO_CUTOFF = 80
MIN_TYPO_LENGTH = 4
SMALLTALK_CUTOFF = 90

# score = coverage x (COVERAGE_WEIGHT + (1 - COVERAGE_WEIGHT) x similarity) + bonuses
COVERAGE_WEIGHT = 0.4
# A code says more than any indexed word: it weighs this many times the rarest one. The
# entry listing it in its keywords explains all of it; an entry whose questions merely
# mention it ("Can I bill 20552 twice?" under billing units) explains this share.
CODE_WEIGHT = 1.5
CODE_MENTION_SHARE = 0.7
# A word no entry's questions or keywords contain. Words the knowledge base never uses at
# all ("covid") weigh most: they are what the question is really about.
UNINDEXED_WEIGHT = 0.2
UNKNOWN_WEIGHT = 1.8
# Below the answer threshold, a candidate this far ahead of the runner-up is answered.
DOMINANT_SCORE = 101.0
DOMINANT_RATIO = 1.6
# An answer needs the asking sentences to be mostly known words: in "side effects of the
# flu shot" the unknown "flu" is what is asked about, whatever the rest matches.
MAX_UNKNOWN_SHARE = 0.2
# Each further unknown word weighs this share of the one before: a question is about one
# or two things at most, and a long message brings many words the knowledge base lacks.
UNKNOWN_DECAY = 0.5
# Everyday words ("change", "rules") say little, but not nothing: one rare word among them
# must not cover a whole question.
COMMON_WEIGHT = 0.05
# Below this much information (summed word and code weight) a question is too vague to
# answer outright ("pain", "billing"): the best candidates are suggested instead.
MIN_INFORMATION = 0.5
# Narrative around the question ("Our provider administered ...") says less than the
# question itself: its words weigh this share, and words the knowledge base has never
# seen count there as merely unindexed, not as the unknown subject of the question.
NARRATIVE_WEIGHT = 0.35
# The point asked (cost, duration, pain during...; knowledge/points.yaml): entries that
# answer it get a bonus, others keep this share of their score and are never answered
# outright, only suggested.
POINT_BONUS = 8
POINT_MISMATCH = 0.8
# The point itself is information, carried by words such as "after" or "how long" that
# the index ignores: it weighs this many times the rarest word, explained by its entries.
POINT_WEIGHT = 2.0
# A question with no subject the knowledge base indexes ("How is it done?", "What is the
# purpose of it?") is taken to be about this, the bot's subject.
IMPLICIT_SUBJECT = "trigger point injection"
# Entries tied at the cut-off are all compared ("what is a tpi" is covered fully by every
# entry that says "trigger point injection"), up to this many.
MAX_TIED_CANDIDATES = 48
# A question worded exactly like one of an entry's texts.
EXACT_BONUS = 5
KEYWORD_BONUS = 6
MAX_KEYWORD_BONUS = 12
TOPIC_BONUS = 2
MAX_TOPIC_BONUS = 4


class Status(StrEnum):
    """What kind of reply a result calls for."""

    SAFETY = "safety"
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
    safety: SafetyRule | None = None
    # An answer about ICD-10-CM codes from the code set (status answer, no entry).
    icd10: CodeAnswer | None = None
    # A described case counted by the case coder (status answer, its entry as candidate).
    case: CaseAnswer | None = None

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
    """A question after normalisation, typo correction and synonym expansion.

    ``weights`` holds, per ``content`` word, 1 when it occurs in the focus (the sentences
    that ask) and ``NARRATIVE_WEIGHT`` when it occurs only in the story around it.
    """

    text: str
    corrected: str
    words: tuple[str, ...]
    content: tuple[str, ...]
    weights: tuple[float, ...]
    absent: dict[str, float]
    # Each code with its share: 1 in the focus, NARRATIVE_WEIGHT in the story only.
    code_shares: dict[str, float]
    unknown: tuple[str, ...]
    # Everyday words ("change", "year"): they count towards coverage, not information.
    everyday: frozenset[str] = frozenset()
    # The content words of the sentences that ask.
    focus: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    point_entries: frozenset[int] = frozenset()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.code_shares)

    @property
    def padded(self) -> str:
        return f" {self.text} "


@dataclass(frozen=True)
class _Scored:
    """Ranked candidates for a question, how much it says, and its unknown codes."""

    candidates: list[Candidate]
    information: float
    unknown_codes: tuple[str, ...]
    # Ids of the entries that answer the point asked; None when no point was recognised.
    point_entries: frozenset[str] | None = None
    # Share of the asking sentences' words that the knowledge base has never seen.
    unknown_share: float = 0.0


def _content(tokens: Iterable[str], *, keep_codes: bool = False) -> list[str]:
    return [t for t in tokens if t not in STOPWORDS and (keep_codes or not is_code(t))]


class Matcher:
    """Compiled once per knowledge base; ``answer`` is then cheap and never raises."""

    def __init__(self, knowledge: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self._synonyms = SynonymExpander(knowledge.synonyms)
        self._stem = Stemmer()
        self._entries = knowledge.entries
        self._safety = SafetyCheck(knowledge.safety)
        index_of = {entry.id: index for index, entry in enumerate(self._entries)}
        self._points = [
            (point.id, PhraseSet(point.cues), frozenset(index_of[i] for i in point.entries))
            for point in knowledge.points
        ]
        # Each knowledge text is expanded once while compiling, not once per use.
        self._expansions: dict[str, str] = {}
        self._compile_smalltalk()
        self._compile_vocabulary()
        self._compile_entries()
        del self._expansions
        self._icd10 = CodeAnswers(knowledge.diagnosis_lists, self.code_owner)
        self._cases = CaseCoder(knowledge)

    # --- compilation ------------------------------------------------------------------

    def _expand(self, text: str) -> str:
        expanded = self._expansions.get(text)
        if expanded is None:
            expanded = self._expansions[text] = self._synonyms.expand(normalise(text))
        return expanded

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
        asked: list[str] = []
        for entry in self._entries:
            asked += [entry.question, *entry.alternates, *entry.keywords]
        for topic in self.knowledge.topics:
            asked += [topic.title, *topic.keywords]
        answers = [entry.answer for entry in self._entries]
        # Words of questions, alternates and keywords are what the knowledge base is about;
        # words found only in answers ("depression") are worth correcting typos to, but a
        # question about them is not covered.
        known = self._words(asked) | self._synonyms.words
        self._known_stems = frozenset(self._stem(word) for word in known)
        self._vocabulary = known | self._words(answers)
        cue_words = phrase_words(cue for point in self.knowledge.points for cue in point.cues)
        known |= self._vocabulary | self._smalltalk_words | self._safety.words | cue_words
        known |= STOPWORDS
        # Typo correction aims only at words worth correcting to.
        self._correctable = sorted(
            word for word in known if len(word) >= MIN_TYPO_LENGTH and word.isalpha()
        )

    def _words(self, texts: Iterable[str]) -> frozenset[str]:
        """Every token of ``texts``, as written and after synonym expansion."""
        raw = {token for text in texts for token in tokenise(text)}
        return frozenset(raw | {token for text in texts for token in self._expand(text).split()})

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
                self._texts.append(" ".join(self._stems(_content(words, keep_codes=True))))
                self._display.append(text)
                for token in self._stems(_content(words)):
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
                    phrases.append(" ".join(self._stems(expanded.split())))
                    for token in self._stems(_content(expanded.split())):
                        postings[token].add(index)
            self._keywords.append(tuple(phrases))
        count = max(1, len(self._entries))
        self._postings = {
            token: (tuple(sorted(ids)), math.log(1 + count / len(ids)))
            for token, ids in postings.items()
        }
        self._rarest_weight = math.log(1 + count)
        topic_words = {
            topic.id: frozenset(self._stems(self._expand(" ".join(topic.keywords)).split()))
            for topic in self.knowledge.topics
        }
        self._topic_words = [topic_words.get(entry.topic, frozenset()) for entry in self._entries]

    def _stems(self, words: Iterable[str]) -> list[str]:
        return [self._stem(word) for word in words]

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
        sentences = [
            ([self._correct(token) for token in tokenise(sentence)], is_focus)
            for sentence, is_focus in focus_sentences(text[:MAX_QUERY_CHARS])
        ]
        corrected = " ".join(token for tokens, _ in sentences for token in tokens)
        weights: dict[str, float] = {}
        absent: dict[str, float] = {}
        unknown: list[str] = []
        all_words: list[str] = []
        code_shares: dict[str, float] = {}
        focus: dict[str, None] = {}
        everyday: set[str] = set()
        for tokens, is_focus in sentences:
            words = self._synonyms.expand(" ".join(tokens)).split()
            all_words += words
            share = 1.0 if is_focus else NARRATIVE_WEIGHT
            for code in filter(is_code, words):
                code_shares[code] = max(share, code_shares.get(code, 0.0))
            for word in _content(words):
                if len(word) == 1 and not word.isdigit():
                    continue  # "e.g.", initials
                stem = self._stem(word)
                if is_focus:
                    focus[stem] = None
                weights[stem] = max(share, weights.get(stem, 0.0))
                if word in COMMON_WORDS:
                    everyday.add(stem)
                weight = self._absent_weight(word, stem, share)
                if self._is_unknown(word, stem) and share == 1.0 and word not in unknown:
                    weight *= UNKNOWN_DECAY ** len(unknown)
                    unknown.append(word)
                absent[stem] = min(weight, absent.get(stem, weight))
        words = tuple(all_words)
        if words and not code_shares and not any(stem in self._postings for stem in weights):
            for stem in self._stems(IMPLICIT_SUBJECT.split()):
                weights[stem], absent[stem], focus[stem] = 1.0, 0.0, None
        focus_text = " ".join(" ".join(tokens) for tokens, is_focus in sentences if is_focus)
        points = [(pid, entries) for pid, cues, entries in self._points if cues.search(focus_text)]
        return _Query(
            " ".join(self._stems(words)),
            corrected,
            words,
            tuple(weights),
            tuple(weights.values()),
            absent,
            code_shares,
            tuple(unknown),
            frozenset(everyday),
            tuple(focus),
            tuple(pid for pid, _ in points),
            frozenset(index for _, entries in points for index in entries),
        )

    def _is_unknown(self, word: str, stem: str) -> bool:
        known = stem in self._known_stems
        return not known and word not in COMMON_WORDS and not word.isdigit()

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
        return [c for c in scored.candidates if c.raw_score >= self.thresholds.suggest][:limit]

    def answer(self, text: str) -> Result:
        """Decide how to reply to ``text``."""
        query = self._parse(text)
        if not query.words:
            return Result(Status.NONE, text)
        # Typo correction may repair a symptom ("cant breth"); the raw words are checked too.
        safety = self._safety.check(normalise(text[:MAX_QUERY_CHARS]), query.corrected)
        if safety is not None:
            return Result(Status.SAFETY, text, safety=safety)
        smalltalk = self._smalltalk(query)
        if smalltalk is not None:
            return Result(Status.SMALLTALK, text, smalltalk=smalltalk)
        # ICD-10-CM codes asked in a TPI context: the code set answers, not an entry.
        icd10 = self._icd10.answer(" ".join(query.words), query.codes)
        if icd10 is not None:
            return Result(Status.ANSWER, text, icd10=icd10)
        # A described case (muscles named, asking the code): counted, not matched.
        case = self._cases.answer(text[:MAX_QUERY_CHARS])
        if case is not None:
            counted = Candidate(case.entry, 100.0, "described case", ("muscles counted",))
            return Result(Status.ANSWER, text, (counted,), case=case)
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
        best = _best_covered(coverage, limit)
        unknown_codes = tuple(display_code(c) for c, owner in owners.items() if owner is None)
        point_entries = (
            frozenset(self._entries[index].id for index in query.point_entries)
            if query.points
            else None
        )
        # Unknown words are only counted in the asking sentences (see _parse).
        unknown_share = len(query.unknown) / max(1, len(query.focus))
        return _Scored(
            self._rank(query, best, owners),
            information,
            unknown_codes,
            point_entries,
            unknown_share,
        )

    def _smalltalk(self, query: _Query) -> SmalltalkIntent | None:
        if query.codes or not self._smalltalk_patterns:
            return None
        if any(t not in self._smalltalk_words for t in _content(query.words)):
            return None
        match = process.extractOne(
            " ".join(query.words),
            self._smalltalk_patterns,
            scorer=fuzz.token_set_ratio,
            score_cutoff=SMALLTALK_CUTOFF,
        )
        return self._smalltalk_intents[match[2]] if match else None

    def _coverage(
        self, query: _Query, owners: dict[str, int | None]
    ) -> tuple[dict[int, float], float]:
        """Share (0-1) of the question's weight each entry explains, and the information
        in the question (the weight of its words and codes, everyday words left out)."""
        explained: dict[int, float] = defaultdict(float)
        total = everyday = 0.0
        for token, share in zip(query.content, query.weights, strict=True):
            ids, weight = self._postings.get(token, ((), query.absent[token]))
            weight *= share
            total += weight
            everyday += weight if token in query.everyday else 0.0
            for index in ids:
                explained[index] += weight
        if query.points:
            point_weight = POINT_WEIGHT * self._rarest_weight
            total += point_weight
            for index in query.point_entries:
                explained[index] += point_weight
        for code, owner in owners.items():
            code_weight = CODE_WEIGHT * self._rarest_weight * query.code_shares[code]
            total += code_weight
            if owner is None:
                continue
            explained[owner] += code_weight
            for index in self._code_mentions.get(code, ()):
                if index != owner:
                    explained[index] += CODE_MENTION_SHARE * code_weight
        if not total:
            return {}, 0.0
        shares = {index: weight / total for index, weight in explained.items()}
        return shares, total - everyday

    def _absent_weight(self, word: str, stem: str, share: float) -> float:
        """The weight of a word no entry is indexed under (``share`` < 1 in narrative)."""
        if word in COMMON_WORDS:
            return COMMON_WEIGHT * self._rarest_weight
        if word in self._smalltalk_words or word.isdigit():
            return 0.0
        known = not self._is_unknown(word, stem) or share < 1.0
        return (UNINDEXED_WEIGHT if known else UNKNOWN_WEIGHT) * self._rarest_weight

    def _rank(
        self, query: _Query, coverage: list[tuple[int, float]], owners: dict[str, int | None]
    ) -> list[Candidate]:
        # Known codes take part in the similarity too: the knowledge texts carry them.
        known_codes = [code for code, owner in owners.items() if owner is not None]
        content = " ".join([*known_codes, *(query.focus or query.content)])
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
        bonus = EXACT_BONUS if similar is not None and similar[0] >= 100 else 0.0
        keyword_hits = [p for p in self._keywords[index] if f" {p} " in query.padded]
        if keyword_hits:
            bonus += min(MAX_KEYWORD_BONUS, KEYWORD_BONUS * len(keyword_hits))
            reasons.append("keywords: " + ", ".join(keyword_hits))
        topic_hits = sorted(set(query.text.split()) & self._topic_words[index])
        if topic_hits:
            bonus += min(MAX_TOPIC_BONUS, TOPIC_BONUS * len(topic_hits))
            reasons.append("topic words: " + ", ".join(topic_hits))
        if query.points:
            if index in query.point_entries:
                bonus += POINT_BONUS
                reasons.append("answers the point asked: " + ", ".join(query.points))
            else:
                base *= POINT_MISMATCH
                reasons.append("does not answer the point asked: " + ", ".join(query.points))
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
        # A long question scores lower overall; one entry far ahead of all others is still
        # the answer.
        dominant = (
            best.raw_score >= DOMINANT_SCORE and best.raw_score >= DOMINANT_RATIO * runner_up
        )
        confident = confident or dominant
        on_point = scored.point_entries is None or best.entry.id in scored.point_entries
        known_subject = scored.unknown_share <= MAX_UNKNOWN_SHARE
        if confident and on_point and known_subject and scored.information >= MIN_INFORMATION:
            return Result(Status.ANSWER, text, (best,), unknown_codes=scored.unknown_codes)
        close = [c for c in candidates if c.raw_score >= limits.suggest]
        return Result(
            Status.SUGGEST,
            text,
            tuple(close[: limits.max_suggestions]),
            unknown_codes=scored.unknown_codes,
        )


def _best_covered(coverage: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best-covered entries, plus those tied with the last (within a cap)."""
    ranked = heapq.nlargest(
        max(limit, MAX_TIED_CANDIDATES), coverage.items(), key=lambda kv: (kv[1], -kv[0])
    )
    if len(ranked) <= limit:
        return ranked
    cut = ranked[limit - 1][1]
    return [pair for n, pair in enumerate(ranked) if n < limit or pair[1] >= cut]


def _similarity(query: str, choice: str, **_: object) -> float:
    """Half token-set (the question's words are in the text), half token-sort (same length)."""
    return (fuzz.token_set_ratio(query, choice) + fuzz.token_sort_ratio(query, choice)) / 2
