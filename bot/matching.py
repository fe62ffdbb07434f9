"""Match a question against the knowledge base and decide how to reply.

``Matcher.answer(text)`` returns a :class:`Result` with one of five statuses: ``safety``
(the message may describe an emergency: checked first, see :mod:`bot.safety`), ``answer``
(one confident entry), ``suggest`` (a few close candidates), ``none`` (not covered) or
``smalltalk``. Matching is deterministic and explainable: each candidate carries its score
(0-100), the knowledge text it matched best, and the reasons for its score.

How a question is scored (the README's "How matching works" walks through it):

1. :class:`bot.query.QueryReader` reads it: sentences and the focus (the asking ones), typo
   correction, synonyms, stems, unknown words, the point asked (``knowledge/points.yaml``).
2. Code numbers (CPT, HCPCS, ICD-10, LCD) are looked up exactly, never fuzzily: 20552 and
   20553 are different codes. A question whose codes are all unknown gets ``none``.
3. Coverage: the share of the question's weight (inverse document frequency per word,
   narrative words less, the point like a rare word) that an entry explains.
4. The best-covered entries (:class:`bot.index.KnowledgeIndex`) are compared with
   rapidfuzz against their question and alternates; keywords add a bonus; the whole wording
   breaks near-ties; the decision needs a score, a lead, the point and a known subject,
   and an entry that names any other subject the question is about ("MRI").
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter, defaultdict
from itertools import chain

from rapidfuzz import fuzz, process

from bot import icd10
from bot.cases import CaseCoder
from bot.decision import Scored, decide
from bot.icd10_answers import CodeAnswers
from bot.index import KnowledgeIndex, content_words, sorted_words
from bot.knowledge import Entry, KnowledgeBase, SmalltalkIntent
from bot.language import other_language
from bot.query import Query, QueryReader, readable_part
from bot.results import Candidate, Result, Status, Thresholds
from bot.text import (
    SUBJECT_PRONOUNS,
    asks_a_question,
    display_code,
    is_icd10_code,
    normalise,
    tokenise,
)

# A Telegram message holds at most 4,096 characters: the safety rules read all of them,
# though matching reads at most query.MAX_QUERY_CHARS of them (query.readable_part).
MAX_SAFETY_CHARS = 4096

# The results are defined in bot.results; importing them from here is the usual way.
__all__ = ["Candidate", "Matcher", "Result", "Status", "Thresholds"]

MAX_CANDIDATES = 12
SMALLTALK_CUTOFF = 90

# score = coverage x (COVERAGE_WEIGHT + (1 - COVERAGE_WEIGHT) x similarity) + bonuses
COVERAGE_WEIGHT = 0.4
# A code says more than any indexed word: it weighs this many times the rarest one. The
# entry listing it in its keywords explains all of it; an entry whose questions merely
# mention it ("Can I bill 20552 twice?" under billing units) explains this share.
CODE_WEIGHT = 1.5
CODE_MENTION_SHARE = 0.7
# The point asked (cost, duration, pain during...; knowledge/points.yaml): entries that
# answer it get a bonus, others keep this share of their score and are never answered
# outright, only suggested.
POINT_BONUS = 8
POINT_MISMATCH = 0.8
# An entry for billing staff, asked without a billing word or code ("What kind of doctor
# does trigger point injections?"), keeps this share: the patients' entry on the same
# subject comes first.
STAFF_MISMATCH = 0.9
# The point itself is information, carried by words such as "after" or "how long" that
# the index ignores: it weighs this many times the rarest word, explained by its entries.
POINT_WEIGHT = 2.0
# The leading candidates' scores get up to this much for how closely the question's whole
# wording (small words included) follows one of their texts.
WORDING_WEIGHT = 15.0
WORDING_CANDIDATES = 4
# Entries tied at the cut-off are all compared ("what is a tpi" is covered fully by every
# entry that says "trigger point injection"), up to this many.
MAX_TIED_CANDIDATES = 48
# Unknown words this long are masked in the similarity (see Matcher._compared_text); a
# shorter one may be a typo the corrector left ("lond"), where letters still help.
MASKED_LENGTH = 6
MASK = "~"
# A question worded exactly like one of an entry's texts.
EXACT_BONUS = 5
# A message of one word that many entries share ("modifier", "units", "code", "pain")
# names a subject, not a question: the entries are offered, none is given as the answer.
VAGUE_WORD_ENTRIES = 5
KEYWORD_BONUS = 6
MAX_KEYWORD_BONUS = 12
TOPIC_BONUS = 2
MAX_TOPIC_BONUS = 4


class Matcher:
    """Compiled once per knowledge base; ``answer`` is then cheap and never raises."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        thresholds: Thresholds | None = None,
        index: KnowledgeIndex | None = None,
    ) -> None:
        """``index``: ``knowledge`` already compiled (e.g. restored from the cache)."""
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self._index = index if index is not None else KnowledgeIndex(knowledge)
        self._reader = QueryReader(self._index)
        self._icd10 = CodeAnswers(knowledge.diagnosis_lists, self.code_owner)
        self._cases = CaseCoder(knowledge)
        self._prepared = False
        self._staff_ids = self._ids(self._index.staff_entries)
        # The entry and the number of distinct words of each knowledge text, as machine
        # ints: as lists they took 9 MB more at 100,000 entries (twice during a reload).
        self._text_entry = array(
            "i",
            (
                index
                for index, (first, end) in enumerate(self._index.text_ranges)
                for _ in range(first, end)
            ),
        )
        self._text_sizes = array("i", (len(words) for words in self._index.text_sets))

    def prepare(self) -> None:
        """Load what the first misspelt question would otherwise wait for (the English word
        list, 0.2-0.3 s; the typo indexes). The bot calls it in a worker thread once it
        runs and before a reloaded matcher serves, so no asker waits for it."""
        self._reader.prepare()
        self._cases.prepare()
        self._prepared = True

    @property
    def prepared(self) -> bool:
        """Whether ``prepare`` has run."""
        return self._prepared

    @property
    def index(self) -> KnowledgeIndex:
        """The compiled knowledge (a reload reuses what did not change)."""
        return self._index

    # --- matching ---------------------------------------------------------------------

    def code_owner(self, code: str) -> Entry | None:
        """The entry whose keywords list this code (ICD-10 codes also match by prefix)."""
        index = self._code_index(normalise(code))
        return None if index is None else self._index.entries[index]

    def _code_index(self, code: str) -> int | None:
        if code in self._index.codes:
            return self._index.codes[code]
        if "." in code:  # ICD-10 is hierarchical: M79.18 belongs where M79.1 does.
            codes = self._index.codes
            parents = [known for known in codes if "." in known and code.startswith(known)]
            if parents:
                return codes[max(parents, key=len)]
        return None

    def search(self, text: str, limit: int = 10) -> list[Candidate]:
        """Entries worth listing for ``text`` (inline mode), best first, at most ``limit``."""
        query = self._reader.read(text)
        scored = self._score(query, limit) if query.words else None
        if scored is None or self._smalltalk(query) is not None:
            return []
        return [c for c in scored.candidates if c.raw_score >= self.thresholds.suggest][:limit]

    def answer(self, text: str) -> Result:
        """Decide how to reply to ``text``."""
        query = self._reader.read(text)
        early = self._before_matching(text, query)
        if early is not None:
            return early
        # ICD-10-CM codes asked in a TPI context: the code set answers, not an entry.
        # Only codes asked about: "dx on the claim was M54.2" in the story of an appeal
        # question is no code lookup.
        icd10 = self._icd10.answer(" ".join(query.words), query.asked_codes)
        if icd10 is not None:
            return Result(Status.ANSWER, text, icd10=icd10)
        # A described case (muscles named, asking the code): counted, not matched.
        case = self._cases.answer(readable_part(text))
        if case is not None:
            counted = Candidate(case.entry, 100.0, "described case", ("muscles counted",))
            return Result(Status.ANSWER, text, (counted,), case=case)
        scored = self._score(query, MAX_CANDIDATES)
        if scored is None:  # only unknown codes
            unknown = tuple(display_code(c) for c in query.codes)
            return Result(Status.NONE, text, unknown_codes=unknown)
        return decide(text, scored, self.thresholds, self._staff_ids)

    def needs_code_set(self, text: str) -> bool:
        """Whether answering ``text`` first loads the ICD-10-CM code set: seconds of parsing,
        once, which a front end serving other chats does off its event loop."""
        if icd10.is_loaded() or not any(map(is_icd10_code, tokenise(readable_part(text)))):
            return False
        query = self._reader.read(text)
        return self._before_matching(text, query) is None and self._icd10.looks_up(
            " ".join(query.words), query.asked_codes
        )

    def _before_matching(self, text: str, query: Query) -> Result | None:
        """The replies that come before any lookup: nothing to match, safety, another
        language, small talk."""
        if not query.words:
            return Result(Status.NONE, text, language=other_language(readable_part(text)))
        # Typo correction may repair a symptom ("cant breth"); the raw words are checked too,
        # all of them: "... she can't breathe since the injection" may come after a long story.
        safety = self._index.safety.check(
            normalise(text[:MAX_SAFETY_CHARS]),
            query.corrected,
            reports=lambda: self._reports(text, query),
        )
        if safety is not None:
            return Result(Status.SAFETY, text, safety=safety)
        language = other_language(readable_part(text))
        if language is not None:
            return Result(Status.NONE, text, language=language)
        smalltalk = self._smalltalk(query)
        if smalltalk is not None:
            return Result(Status.SMALLTALK, text, smalltalk=smalltalk)
        return None

    def _reports(self, text: str, query: Query) -> bool:
        """Whether a message tells what is happening rather than asks: no question, no
        billing word or code ("ICD-10 code for chest pain after a TPI" is a coder's
        search), and no point asked ("risk of pneumothorax after a TPI") but those whose
        cues tell a symptom ("fainted after the shot"). Not any word of the staff entries:
        "chest pain, tpi 2 days ago" is a report, whatever the "2"."""
        asks = asks_a_question(readable_part(text))
        asked = set(query.points) - self._index.report_points
        return not (asks or query.asks_billing or asked)

    def _score(self, query: Query, limit: int) -> Scored | None:
        """The ``limit`` best-covered entries, ranked; None when every code is unknown."""
        owners = {code: self._code_index(code) for code in query.codes}
        # Only unknown codes: nothing is known about what is asked, unless it is asked
        # beside trigger points or an injection ("tpi + 64405 same day?", "doc did a
        # 99204 consult then injected the left trap, bill both?": the same-day entries).
        content = set(query.content)
        beside = (
            self._index.own_subject_stems <= content or self._index.stem("injection") in content
        )
        if owners and all(owner is None for owner in owners.values()) and not beside:
            return None
        coverage, information = self._coverage(query, owners)
        best = self._best_covered(query, coverage, limit)
        unknown_codes = tuple(display_code(c) for c, owner in owners.items() if owner is None)
        point_entries = self._ids(query.point_entries) if query.points else None
        subject_entries = self._ids(query.subject_entries) if query.other_subjects else None
        # Unknown words are only counted in the asking sentences (see _parse).
        unknown_share = len(query.unknown) / max(1, len(query.focus))
        unnamed = self._unnamed(query)
        return Scored(
            self._rank(query, best, owners, unnamed),
            information,
            unknown_codes,
            point_entries,
            unknown_share,
            query.other_subjects,
            subject_entries,
            query.asks_staff,
            self._ids(frozenset(owner for owner in owners.values() if owner is not None)),
            self._unanswered_points(query),
            query.asks_billing,
            self._ids(unnamed),
            self._vague(query),
        )

    def _vague(self, query: Query) -> bool:
        """Whether the message is one word that ``VAGUE_WORD_ENTRIES`` or more entries
        share, and asks no point nor code; the bot's own subject alone ("tpi", "knots")
        is not vague: it asks what that is."""
        if len(query.words) != 1 or query.codes or query.points:
            return False
        stems = set(query.content) - self._index.subject_stems
        postings = self._index.postings
        return bool(stems) and all(
            len(postings.get(stem, ((), 0.0))[0]) >= VAGUE_WORD_ENTRIES for stem in stems
        )

    def _unanswered_points(self, query: Query) -> tuple[str, ...]:
        """What the question asks, when no entry answers any point it asks."""
        unanswered = self._index.unanswered_points
        if not query.points or any(point not in unanswered for point in query.points):
            return ()
        return tuple(unanswered[point] for point in query.points)

    def _ids(self, indexes: frozenset[int]) -> frozenset[str]:
        return frozenset(self._index.entries[index].id for index in indexes)

    def _best_covered(
        self, query: Query, coverage: dict[int, float], limit: int
    ) -> list[tuple[int, float]]:
        """The ``limit`` best-covered entries; ties broken by how much of an entry's closest
        text the question says ("what is a tpi" is covered by every entry that mentions
        trigger point injections, but is most of only a few of their texts)."""
        ranked = heapq.nlargest(
            max(limit, MAX_TIED_CANDIDATES), coverage.items(), key=lambda kv: (kv[1], -kv[0])
        )
        if len(ranked) <= limit:
            return ranked
        cut = ranked[limit - 1][1]
        sure = [pair for pair in ranked if pair[1] > cut]
        tied = [pair for pair in ranked if pair[1] == cut]
        if len(sure) + len(tied) <= limit:
            return sure + tied
        # Per text, how many of the question's words it has: counted over the postings of
        # those words, not by intersecting every tied entry's texts.
        postings = self._index.text_postings
        shared = Counter(
            chain.from_iterable(postings.get(stem, ()) for stem in set(query.content))
        )
        closeness: dict[int, float] = {}
        text_entry, text_sizes = self._text_entry, self._text_sizes
        for text, count in shared.items():
            entry, value = text_entry[text], count / text_sizes[text]
            if value > closeness.get(entry, 0.0):
                closeness[entry] = value
        tied.sort(key=lambda pair: (-closeness.get(pair[0], 0.0), pair[0]))
        return sure + tied[: limit - len(sure)]

    def _smalltalk(self, query: Query) -> SmalltalkIntent | None:
        """The small talk a message is, if nothing else: "What can you do?" asks about the
        bot, "What can you do about them?" about something said before (a pronoun)."""
        if query.codes or not self._index.smalltalk_patterns:
            return None
        if any(word in SUBJECT_PRONOUNS for word in query.words):
            return None
        if any(t not in self._index.smalltalk_words for t in content_words(query.words)):
            return None
        match = process.extractOne(
            " ".join(query.words),
            self._index.smalltalk_patterns,
            scorer=fuzz.token_set_ratio,
            score_cutoff=SMALLTALK_CUTOFF,
        )
        return self._index.smalltalk_intents[match[2]] if match else None

    def _coverage(
        self, query: Query, owners: dict[str, int | None]
    ) -> tuple[dict[int, float], float]:
        """Share (0-1) of the question's weight each entry explains, and the information
        in the question (the weight of its words and codes, everyday words left out)."""
        explained: dict[int, float] = defaultdict(float)
        total = everyday = 0.0
        for token, share in zip(query.content, query.weights, strict=True):
            ids, weight = self._index.postings.get(token, ((), query.absent[token]))
            weight *= share
            total += weight
            everyday += weight if token in query.everyday else 0.0
            for index in ids:
                explained[index] += weight
        if query.points:
            point_weight = POINT_WEIGHT * self._index.rarest_weight
            total += point_weight
            for index in query.point_entries:
                explained[index] += point_weight
        for code, owner in owners.items():
            code_weight = CODE_WEIGHT * self._index.rarest_weight * query.code_shares[code]
            total += code_weight
            if owner is None:
                continue
            explained[owner] += code_weight
            for index in self._index.code_mentions.get(code, ()):
                if index != owner:
                    explained[index] += CODE_MENTION_SHARE * code_weight
        if not total:
            return {}, 0.0
        shares = {index: weight / total for index, weight in explained.items()}
        return shares, total - everyday

    def _rank(
        self,
        query: Query,
        coverage: list[tuple[int, float]],
        owners: dict[str, int | None],
        unnamed: frozenset[int] = frozenset(),
    ) -> list[Candidate]:
        """The candidates, best first; ``unnamed``: the entries whose required words the
        question does not name (see _unnamed), marked in their reasons."""
        content = self._compared_text(query, owners)
        similarity: dict[int, tuple[float, int]] = {}
        if content:
            texts, text_ranges = self._index.texts, self._index.text_ranges
            ranges = [text_ranges[index] for index, _ in coverage]
            scores = _similarities(content, [t for first, end in ranges for t in texts[first:end]])
            start = 0
            for (index, _), (first, end) in zip(coverage, ranges, strict=True):
                # Per entry its closest text, the first of equals.
                entry_scores = scores[start : start + end - first]
                start += end - first
                if entry_scores:
                    best = max(entry_scores)
                    similarity[index] = (best, first + entry_scores.index(best))
        scored = [
            self._candidate(query, index, share, similarity.get(index), owners, unnamed)
            for index, share in coverage
        ]
        # Equal scores keep coverage order, which is deterministic.
        ranked = sorted(enumerate(scored), key=lambda pair: (-pair[1].raw_score, pair[0]))
        return self._by_wording(query, [candidate for _, candidate in ranked])

    def _compared_text(self, query: Query, owners: dict[str, int | None]) -> str:
        """What _rank compares with the knowledge texts: the focus, and the known codes
        (the knowledge texts carry them). An unknown word of ``MASKED_LENGTH`` letters or
        more is a word in its own right, not a typo (the corrector left it), so it is
        masked: "medicaid" must not pass for "medicare" letter by letter."""
        known_codes = [code for code, owner in owners.items() if owner is not None]
        stem = self._index.stem
        masked = {stem(word) for word in query.unknown if len(word) >= MASKED_LENGTH}
        words = [MASK * len(w) if w in masked else w for w in query.focus or query.content]
        return " ".join([*known_codes, *words])

    def _by_wording(self, query: Query, ranked: list[Candidate]) -> list[Candidate]:
        """Break near-ties among the leaders by the whole wording, small words included.

        Stop words carry the point ("what should I let the doctor know before...") where
        the content words of two entries are the same.
        """
        if WORDING_WEIGHT <= 0 or len(ranked) < 2:
            return ranked
        asked = sorted_words(query.words)
        ranges = [
            self._index.text_ranges[self._index.index_of[candidate.entry.id]]
            for candidate in ranked[:WORDING_CANDIDATES]
        ]
        choices = [self._index.wordings[p] for first, end in ranges for p in range(first, end)]
        # One native pass over the leaders' wordings, not a Python call per wording; both
        # sides' words are sorted, so a plain ratio is their token-sort ratio.
        scores = [0.0] * len(choices)
        extracted = process.extract(asked, choices, scorer=fuzz.ratio, limit=None)
        for _, score, offset in extracted:
            scores[offset] = score
        wordings, start = [], 0
        for first, end in ranges:
            wordings.append(max(scores[start : start + end - first]))
            start += end - first
        # Only ever lowers a score: the best-worded leader keeps its own, so wording decides
        # between leaders but never lifts a question over the answer threshold.
        best = max(wordings)
        leaders = [
            Candidate(
                entry=candidate.entry,
                raw_score=candidate.raw_score - WORDING_WEIGHT * (best - wording) / 100,
                matched=candidate.matched,
                reasons=(*candidate.reasons, f"wording {wording:.0f}"),
            )
            for candidate, wording in zip(ranked, wordings, strict=False)
        ]
        leaders.sort(key=lambda candidate: -candidate.raw_score)
        return [*leaders, *ranked[WORDING_CANDIDATES:]]

    def _candidate(
        self,
        query: Query,
        index: int,
        share: float,
        similar: tuple[float, int] | None,
        owners: dict[str, int | None],
        unnamed: frozenset[int] = frozenset(),
    ) -> Candidate:
        entry = self._index.entries[index]
        reasons = [f"coverage {share:.0%}"]
        if similar is None:  # a question of codes alone: coverage says it all
            base = 100 * share
            matched = entry.question
        else:
            base = share * (COVERAGE_WEIGHT * 100 + (1 - COVERAGE_WEIGHT) * similar[0])
            matched = self._index.display[similar[1]]
            reasons.append(f"similarity {similar[0]:.0f}")
        bonus = EXACT_BONUS if similar is not None and similar[0] >= 100 else 0.0
        padded = query.padded
        keyword_hits = [p for p in self._index.keywords[index] if p in padded]
        if keyword_hits:
            bonus += min(MAX_KEYWORD_BONUS, KEYWORD_BONUS * len(keyword_hits))
            reasons.append("keywords: " + ", ".join(p.strip() for p in keyword_hits))
        topic_hits = sorted(query.text_words & self._index.topic_words[index])
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
        if index in self._index.staff_entries and not query.asks_staff:
            base *= 1.0 if keyword_hits else STAFF_MISMATCH
            reasons.append("an answer for billing staff; no billing words asked")
        if query.other_subjects and index not in query.subject_entries:
            reasons.append("about another subject: " + ", ".join(query.other_subjects))
        codes = [display_code(code) for code, owner in owners.items() if owner == index]
        subject, named = self._index.entry_subjects.get(index, (None, None))
        if named is not None and not codes and not named.search(query.corrected):
            base *= POINT_MISMATCH
            reasons.append(f"about {subject}, which the question does not name")
        if index in unnamed:
            reasons.append("names none of the words the entry requires (required_words)")
        if codes:
            reasons.append("code " + ", ".join(codes))
        if query.unknown:
            reasons.append("unknown words: " + ", ".join(query.unknown))
        return Candidate(entry, base + bonus, matched, tuple(reasons))

    def _unnamed(self, query: Query) -> frozenset[int]:
        """The entries whose required words (knowledge/points.yaml) the question does not
        name, as written or after synonyms ("TP inj", "mod 25"), nor any code: "Can I
        bill for nerve blocks?" is not the entry on a nerve block beside a TPI."""
        if query.codes:
            return frozenset()
        texts = (query.corrected, " ".join(query.words))
        return frozenset(
            index
            for index, words in self._index.required_words.items()
            if not any(map(words.search, texts))
        )


def _similarities(query: str, choices: list[str]) -> list[float]:
    """Per choice, half token-set (the question's words are in the text), half token-sort
    (same length); two native rapidfuzz passes rather than a Python scorer per pair. The
    choices' words are sorted (see KnowledgeIndex), so token-sort is a plain ratio with the
    question's words sorted: a fourth of the time."""
    contained = process.extract(query, choices, scorer=fuzz.token_set_ratio, limit=None)
    alike = process.extract(sorted_words(query.split()), choices, scorer=fuzz.ratio, limit=None)
    scores = [0.0] * len(choices)
    for (_, score, offset), (_, other, other_offset) in zip(contained, alike, strict=True):
        scores[offset] += score / 2
        scores[other_offset] += other / 2
    return scores
