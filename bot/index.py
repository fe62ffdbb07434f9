"""The knowledge base compiled for matching: vocabulary, stems, an inverted index.

Built once per knowledge base (at start-up and on ``/reload``) by :class:`KnowledgeIndex`;
:class:`bot.matching.Matcher` then answers questions against it. Every knowledge text is
normalised, its synonyms expanded and its words stemmed here, so a question costs only its
own processing.

Compiling is most of a large knowledge base's start-up, so the compiled texts can be kept
as plain data (:meth:`KnowledgeIndex.plain`: strings, lists and numbers, for the JSON
knowledge cache) and restored from it (``KnowledgeIndex(knowledge, compiled=...)``).
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from bot.knowledge import Entry, KnowledgeBase, SmalltalkIntent
from bot.phrases import PhraseSet, opening, phrase_words
from bot.safety import SafetyCheck
from bot.text import (
    COMMON_WORDS,
    STOPWORDS,
    Stemmer,
    SynonymExpander,
    is_code,
    normalise,
    without_fillers,
)

# Typo correction aims only at words at least this long.
MIN_TYPO_LENGTH = 4
# What counts as naming a subject (see Matcher): the bot's subject, or another procedure.
SUBJECT_WORDS = "trigger point injection needling botox procedure"
# The bot's own subject: a question that names it is about it, whatever else it names.
OWN_SUBJECT = "trigger point"
# Words that say an injection is meant (after synonyms: "shot" reads "injection"): "trigger
# point therapy with lidocaine" is the injection, "trigger point therapy" alone massage.
INJECTION_WORDS = (
    "injection needle lidocaine kenalog steroid anesthetic numbing botox saline marcaine"
    " bupivacaine"
)
# Words (after synonyms: "claim", "billed" and "report" read "bill") that make a question
# a billing one, whatever else it asks: "how is the injection administered and billed",
# "how do I appeal a TPI denial", "ICD10 for myofascial pain in the neck?". ("Denied" is
# not one: "my husband was denied a TPI"; nor "PT", which is physical therapy as often as
# a patient, nor "incident": "there was an incident during my injection".) "POS" is the
# place of service: "pos for tpi in hospital outpatient clinic" is not whether one stays.
BILLING_WORDS = "bill code cpt modifier units denial appeal icd lcd ncci payer payers pos"
# The shape of KnowledgeIndex.plain(); a cache of another shape is compiled afresh.
INDEX_FORMAT = 3
# A point cue's own pattern, its plain words and the beginnings of its starred words.
CueParts = tuple[PhraseSet, frozenset[str], tuple[str, ...]]


def sorted_words(words: Iterable[str]) -> str:
    """The words in sorted order, single-spaced: what ``fuzz.token_sort_ratio`` compares."""
    return " ".join(sorted(words))


def content_words(tokens: Iterable[str], *, keep_codes: bool = False) -> list[str]:
    """The tokens that carry meaning: no stop words, and no codes unless asked."""
    return [t for t in tokens if t not in STOPWORDS and (keep_codes or not is_code(t))]


class KnowledgeIndex:
    """Everything the matcher looks up, compiled from one knowledge base."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        compiled: Mapping[str, Any] | None = None,
        previous: KnowledgeIndex | None = None,
    ) -> None:
        """Compile ``knowledge``, or take its compiled texts from ``compiled`` (what
        :meth:`plain` gave for the same knowledge; a malformed one raises ValueError).

        ``previous``: the index this one replaces (a reload); the texts of entries it
        shares (the same objects, see ``knowledge_cache``) are taken from it, not compiled
        again, under the same synonyms.
        """
        self.knowledge = knowledge
        same_synonyms = previous is not None and previous.knowledge.synonyms == knowledge.synonyms
        self.previous = previous if same_synonyms else None
        self.synonyms = SynonymExpander(knowledge.synonyms)
        self.stem = Stemmer(compiled["stems"] if compiled is not None else None)
        self.entries = knowledge.entries
        self.safety = SafetyCheck(knowledge.safety)
        # Entry id -> position; the matcher looks candidates up per question.
        self.index_of = {entry.id: index for index, entry in enumerate(self.entries)}
        index_of = self.index_of
        # Cues without the filler words, as questions are read (see QueryReader.read).
        self._cues = {
            point.id: tuple(dict.fromkeys(map(without_fillers, point.cues)))
            for point in knowledge.points
        }
        self.points = [
            (
                point.id,
                PhraseSet(self._cues[point.id], longest_first=True),
                frozenset(index_of[i] for i in point.entries),
            )
            for point in knowledge.points
        ]
        self._cue_openings: dict[str, list[tuple[str, str | None]]] = {}
        self._cue_parts: dict[str, CueParts] = {}
        # The points a question asks that names nothing but the subject ("What are
        # trigger points?").
        self.subject_alone_points = [
            (point.id, entries)
            for point, (_, _, entries) in zip(knowledge.points, self.points, strict=True)
            if point.subject_alone
        ]
        # The points billing staff ask: a billing question keeps them (QueryReader), and
        # the entries that answer a point only then.
        self.staff_points = frozenset(point.id for point in knowledge.points if point.for_staff)
        # The points whose cues tell a symptom after the injection (Matcher._reports).
        self.report_points = frozenset(point.id for point in knowledge.points if point.reports)
        self.billing_point_entries = {
            point.id: frozenset(index_of[i] for i in point.billing_entries)
            for point in knowledge.points
            if point.billing_entries
        }
        # What the points no entry answers ask, by point id (the reply names it).
        self.unanswered_points = {
            point.id: point.unanswered for point in knowledge.points if point.unanswered
        }
        # Each knowledge text is normalised and expanded once while compiling, not once per
        # use; each distinct word is looked at once (stem, stop word, code), not once per
        # text: at 100,000 entries that is 20,000 words against 5 million occurrences.
        self.expansions: dict[str, str] = {}
        self.token_kinds: dict[str, tuple[str, bool, bool]] = {}
        self.compile_smalltalk()
        if compiled is None:
            self.compile_vocabulary()
            self.compile_entries()
        else:
            self.restore(compiled)
        self.compile_topics()
        self.compile_text_postings()
        self.subject_stems = frozenset(self.stems(self.expand(SUBJECT_WORDS).split()))
        self.own_subject_stems = frozenset(self.stems(self.expand(OWN_SUBJECT).split()))
        self.injection_stems = frozenset(self.stems(self.expand(INJECTION_WORDS).split()))
        # Not the "10" of "icd-10": "I'm 10 weeks pregnant" asks in no billing word.
        billing = self.stems(self.expand(BILLING_WORDS).split())
        self.billing_stems = frozenset(stem for stem in billing if not stem.isdigit())
        self.staff_entries, self.staff_words = self.compile_staff()
        answering = dict(knowledge.other_subject_answers)
        self.other_subjects = [
            (
                name,
                PhraseSet(phrases),
                self.entries_mentioning(name)
                | {self.index_of[entry_id] for entry_id in answering.get(name, ())},
            )
            for name, phrases in knowledge.other_subjects
        ]
        # Any other subject: most texts name none, which one search tells.
        self.any_other_subject = PhraseSet(
            p for _, phrases, _ in self.other_subjects for p in phrases.phrases
        )
        # The other subjects' phrases that name trigger points ("trigger point therapy").
        self.subject_phrases_naming_own = PhraseSet(
            p
            for p in self.any_other_subject.phrases
            if self.own_subject_stems <= set(self.stems(self.expand(p.replace("*", "")).split()))
        )
        self.entry_subjects = self.compile_entry_subjects()
        # Entries that answer only a question naming one of these phrases (or a code).
        self.required_words = {
            self.index_of[entry_id]: PhraseSet(phrases)
            for entry_id, phrases in knowledge.required_words
        }
        self.other_subject_words = self.compile_other_subject_words()
        del self.expansions, self.token_kinds, self.previous  # the old index may go

    def cue_parts(self, point_id: str, said: str) -> list[CueParts]:
        """Per cue of a point that may occur in ``said`` (its opening does), in order: its
        own pattern, its plain words and the beginnings of its starred words ("remed*").
        Compiled when first needed: only a cue found with a word no entry uses needs them
        (see QueryReader._cue_words), and only those that may be the one (compiling every
        cue of a point took up to 30 ms, that asker's wait)."""
        openings = self._cue_openings.get(point_id)
        if openings is None:
            cues = self._cues[point_id]
            openings = self._cue_openings[point_id] = [(cue, opening(cue)) for cue in cues]
        return [self.cue(cue) for cue, start in openings if start is None or start in said]

    def cue(self, cue: str) -> CueParts:
        """One cue's parts (see cue_parts), compiled once."""
        parts = self._cue_parts.get(cue)
        if parts is None:
            parts = self._cue_parts[cue] = (
                PhraseSet([cue]),
                phrase_words([cue]),
                tuple(word[:-1] for word in cue.split() if word[1:].endswith("*")),
            )
        return parts

    def expand(self, text: str) -> str:
        expanded = self.expansions.get(text)
        if expanded is None:
            expanded = self.expansions[text] = self.synonyms.expand(normalise(text))
        return expanded

    def kind(self, token: str) -> tuple[str, bool, bool]:
        """A token's stem, whether it is a stop word and whether it is a code."""
        kind = self.token_kinds.get(token)
        if kind is None:
            kind = self.token_kinds[token] = (self.stem(token), token in STOPWORDS, is_code(token))
        return kind

    def compile_smalltalk(self) -> None:
        self.smalltalk_patterns: list[str] = []
        self.smalltalk_intents: list[SmalltalkIntent] = []
        for intent in self.knowledge.smalltalk:
            for pattern in intent.patterns:
                self.smalltalk_patterns.append(normalise(pattern))
                self.smalltalk_intents.append(intent)
        self.smalltalk_words = frozenset(
            token for pattern in self.smalltalk_patterns for token in pattern.split()
        )

    def compile_vocabulary(self) -> None:
        asked: list[str] = []
        for entry in self.entries:
            asked += [entry.question, *entry.alternates, *entry.keywords]
        for topic in self.knowledge.topics:
            asked += [topic.title, *topic.keywords]
        answers = [entry.answer for entry in self.entries]
        # Words of questions, alternates and keywords are what the knowledge base is about;
        # words found only in answers ("depression") are worth correcting typos to, but a
        # question about them is not covered.
        known = self.words(asked) | self.synonyms.words
        self.known_stems = frozenset(self.kind(word)[0] for word in known)
        self.vocabulary = known | self.words(answers, remember=False)
        cue_words = phrase_words(cue for point in self.knowledge.points for cue in point.cues)
        known |= self.vocabulary | self.smalltalk_words | self.safety.words | cue_words
        known |= STOPWORDS
        # Typo correction aims only at words worth correcting to.
        self.correctable = sorted(
            word for word in known if len(word) >= MIN_TYPO_LENGTH and word.isalpha()
        )

    def words(self, texts: Iterable[str], *, remember: bool = True) -> frozenset[str]:
        """Every token of ``texts``, as written and after synonym expansion; ``remember``
        keeps the expansions for compile_entries (answers are not compiled again)."""
        found: set[str] = set()
        for text in texts:
            # normalise() joins the tokens of tokenise() with spaces: split() gives them back.
            normal = normalise(text)
            expanded = self.synonyms.expand(normal)
            if remember:
                self.expansions[text] = expanded
            found.update(normal.split())
            found.update(expanded.split())
        return frozenset(found)

    def compile_entries(self) -> None:
        self.texts: list[str] = []
        self.display: list[str] = []
        self.wordings: list[str] = []
        # The distinct content stems of each text: tuples, as a frozenset each took 600
        # bytes (500 MB at 100,000 entries) for what is only counted against a question.
        self.text_sets: list[tuple[str, ...]] = []
        self.text_ranges: list[tuple[int, int]] = []
        self.keywords: list[tuple[str, ...]] = []
        self.codes: dict[str, int] = {}
        self.code_mentions: dict[str, set[int]] = defaultdict(set)
        # Entries are visited in order, so each posting list grows sorted and an entry is
        # appended once: its last element tells whether it is already there.
        postings: dict[str, list[int]] = defaultdict(list)
        for index, entry in enumerate(self.entries):
            first = len(self.texts)
            indexed: set[str] = set()
            if not self.reuse(entry, index, indexed):
                self.compile_texts(entry, index, indexed)
            self.text_ranges.append((first, len(self.texts)))
            phrases: list[str] = []
            for keyword in entry.keywords:
                expanded = self.expand(keyword)
                if is_code(expanded):
                    self.codes.setdefault(expanded, index)
                elif expanded:
                    # Padded with spaces: the matcher finds it in the padded question.
                    phrases.append(f" {' '.join(self.stems(expanded.split()))} ")
                    indexed.update(self.stems(content_words(expanded.split())))
            # "shoulder" and "shoulders" are one stem: one keyword, not two hits.
            self.keywords.append(tuple(dict.fromkeys(phrases)))
            for token in indexed:
                postings[token].append(index)
        self.weigh(postings)

    def reuse(self, entry: Entry, index: int, indexed: set[str]) -> bool:
        """The compiled texts of ``entry`` from the previous index, if it has the entry."""
        if self.previous is None:
            return False
        position = self.previous.index_of.get(entry.id)
        if position is None or self.previous.entries[position] is not entry:
            return False
        first, end = self.previous.text_ranges[position]
        self.display += (entry.question, *entry.alternates)
        for text, wording, content in zip(
            self.previous.texts[first:end],
            self.previous.wordings[first:end],
            self.previous.text_sets[first:end],
            strict=True,
        ):
            self.texts.append(text)
            self.wordings.append(wording)
            self.text_sets.append(content)
            indexed.update(content)
            # A code is its own stem and never a stop word: the text keeps it as written.
            for token in text.split():
                if is_code(token):
                    self.code_mentions[token].add(index)
        return True

    def compile_texts(self, entry: Entry, index: int, indexed: set[str]) -> None:
        """An entry's question and alternates: stems, wording, content words, codes."""
        kinds, kind = self.token_kinds, self.kind
        for text in (entry.question, *entry.alternates):
            expanded = self.expand(text)
            words = expanded.split()
            # Codes stay in the knowledge texts (they tell texts apart) but are taken out
            # of the question, where they are matched exactly instead.
            with_codes: list[str] = []
            content: list[str] = []
            for word in words:
                stem, stop, code = kinds.get(word) or kind(word)
                if code:
                    self.code_mentions[word].add(index)
                if not stop:
                    with_codes.append(stem)
                    if not code:
                        content.append(stem)
            # Texts and wordings keep their words sorted: the matcher's scorers ignore word
            # order, and a sorted text is compared by one plain ratio (see Matcher).
            self.texts.append(sorted_words(with_codes))
            self.display.append(text)
            self.wordings.append(sorted_words(words))
            self.text_sets.append(tuple(dict.fromkeys(content)))
            indexed.update(content)

    def weigh(self, postings: Mapping[str, list[int]]) -> None:
        """Each indexed word's entries and weight (rarer words weigh more)."""
        count = max(1, len(self.entries))
        self.postings = {
            token: (tuple(ids), math.log(1 + count / len(ids))) for token, ids in postings.items()
        }
        self.rarest_weight = math.log(1 + count)

    def compile_topics(self) -> None:
        topic_words = {
            topic.id: frozenset(self.stems(self.expand(" ".join(topic.keywords)).split()))
            for topic in self.knowledge.topics
        }
        self.topic_words = [topic_words.get(entry.topic, frozenset()) for entry in self.entries]

    def compile_text_postings(self) -> None:
        """Per stem, the numbers of the texts that contain it (ties in the matcher); as
        machine ints, a third of the memory of lists (60 MB at 100,000 entries)."""
        postings: dict[str, array[int]] = {}
        for number, words in enumerate(self.text_sets):
            for stem in words:
                found = postings.get(stem)
                if found is None:
                    found = postings[stem] = array("i")
                found.append(number)
        self.text_postings = postings

    def compile_staff(self) -> tuple[frozenset[int], frozenset[str]]:
        """The entries of topics for staff, and the words that show a question is theirs:
        the keywords of those topics and entries that no other entry uses."""
        topics = [topic for topic in self.knowledge.topics if topic.for_staff]
        staff = {
            i for i, entry in enumerate(self.entries) if entry.topic in {t.id for t in topics}
        }
        words: set[str] = set()
        for topic in topics:
            words.update(self.stems(content_words(self.expand(" ".join(topic.keywords)).split())))
        for index in staff:
            words.update(word for phrase in self.keywords[index] for word in phrase.split())
        for index in range(len(self.entries)):
            if index not in staff:
                words -= self.entry_words(index)
        # The small words of keyword phrases ("3 or more muscles") say nothing, and nor do
        # everyday words inside a phrase ("thrown away": patients ask whether soreness goes
        # away); an everyday word listed as a keyword of its own ("guidance") still counts.
        alone = {phrase.strip() for index in staff for phrase in self.keywords[index]}
        everyday = set(self.stems(COMMON_WORDS)) - alone
        words = {
            word
            for word in content_words(words)
            if (len(word) > 1 or word.isdigit()) and word not in everyday
        }
        return frozenset(staff), frozenset(words)

    def compile_other_subject_words(self) -> dict[str, frozenset[str]]:
        """Per other subject (knowledge/points.yaml), the stems of the phrases naming it."""
        words: dict[str, frozenset[str]] = {}
        for name, phrases in self.knowledge.other_subjects:
            text = " ".join(phrases).replace("...", " ").replace("*", "")
            words[name] = frozenset(self.stems(content_words(self.expand(text).split())))
        return words

    def compile_entry_subjects(self) -> dict[int, tuple[str, PhraseSet]]:
        """Entries about another subject: their question names it (one subject only) and
        not the bot's own ("Which CPT code is used for dry needling?"), with the phrases of
        every other
        subject they mention (acupuncture too). A question that names none of these
        ("Is CPT 20552 covered by Medicare?") is not theirs, whatever words it shares."""
        about: dict[int, tuple[str, PhraseSet]] = {}
        for index, entry in enumerate(self.entries):
            question = normalise(entry.question)
            if not self.any_other_subject.search(question):
                continue  # one search per entry: most name no other subject
            stems = set(self.stems(content_words(self.expand(entry.question).split())))
            named = [(n, p) for n, p, _ in self.other_subjects if p.search(question)]
            if len(named) == 1 and not self.own_subject_stems <= stems:
                mentioned = [
                    p
                    for _, phrases, entries in self.other_subjects
                    if index in entries
                    for p in phrases.phrases
                ]
                about[index] = (named[0][0], PhraseSet([*named[0][1].phrases, *mentioned]))
        return about

    def entries_mentioning(self, subject: str) -> frozenset[int]:
        """The entries whose questions, alternates or keywords name all words of ``subject``."""
        wanted = set(self.stems(content_words(self.expand(subject).split())))
        return frozenset(
            index for index in range(len(self.entries)) if wanted <= self.entry_words(index)
        )

    def entry_words(self, index: int) -> frozenset[str]:
        """The stems of one entry's questions, alternates and keyword phrases."""
        first, end = self.text_ranges[index]
        keyword_words = (word for phrase in self.keywords[index] for word in phrase.split())
        return frozenset().union(*self.text_sets[first:end], keyword_words)

    def stems(self, words: Iterable[str]) -> list[str]:
        return [self.stem(word) for word in words]

    def plain(self) -> dict[str, Any]:
        """The compiled texts as plain data, for ``compiled`` (JSON-ready)."""
        return dict(self.plain_parts())

    def plain_parts(self) -> Iterator[tuple[str, Any]]:
        """:meth:`plain`, one field at a time, each made only when asked for: a writer
        then holds one field's text at a time (at 100,000 entries each long one is ~60 MB).

        The long lists of texts are single strings, one text a line (no text holds a line
        break: tokens are joined by spaces), which JSON reads many times faster than lists.
        """
        yield "format", INDEX_FORMAT
        yield "stems", self.stem.known()
        yield "known_stems", sorted(self.known_stems)
        yield "vocabulary", sorted(self.vocabulary)
        yield "correctable", self.correctable
        yield "texts", "\n".join(self.texts)
        yield "wordings", "\n".join(self.wordings)
        yield "text_sets", "\n".join(" ".join(words) for words in self.text_sets)
        yield "ends", [end for _, end in self.text_ranges]
        yield "keywords", self.keywords
        yield "codes", self.codes
        yield "code_mentions", {code: sorted(ids) for code, ids in self.code_mentions.items()}
        # Entry numbers as text: JSON would make an int object of each of millions.
        postings = self.postings.items()
        yield "postings", {token: " ".join(map(str, ids)) for token, (ids, _) in postings}

    def restore(self, compiled: Mapping[str, Any]) -> None:
        """The compiled texts from :meth:`plain`'s data, checked for shape."""
        if compiled.get("format") != INDEX_FORMAT:
            raise ValueError("compiled index of another format")
        self.known_stems = frozenset(_strings(compiled["known_stems"]))
        self.vocabulary = frozenset(_strings(compiled["vocabulary"]))
        self.correctable = _strings(compiled["correctable"])
        ends = [int(end) for end in compiled["ends"]]
        count = ends[-1] if ends else 0
        self.texts = _lines(compiled["texts"], count)
        self.wordings = _lines(compiled["wordings"], count)
        # One string object per distinct stem, as compiling gives: split() makes one per
        # occurrence, some 5 million (250 MB) at 100,000 entries.
        self.text_sets = [
            tuple(map(sys.intern, line.split())) for line in _lines(compiled["text_sets"], count)
        ]
        self.text_ranges = list(zip([0, *ends[:-1]], ends, strict=True))
        self.display = [
            text for entry in self.entries for text in (entry.question, *entry.alternates)
        ]
        if len(ends) != len(self.entries) or len(self.display) != count:
            raise ValueError("compiled index of other entries")
        self.keywords = [tuple(_strings(phrases)) for phrases in compiled["keywords"]]
        self.codes = {str(code): int(index) for code, index in compiled["codes"].items()}
        self.code_mentions = defaultdict(set)
        for code, ids in compiled["code_mentions"].items():
            self.code_mentions[str(code)] = {int(index) for index in ids}
        # One int object per entry shared by all posting lists, as when compiled.
        numbers = list(range(len(self.entries))).__getitem__
        self.weigh(
            {
                str(token): list(map(numbers, map(int, ids.split())))
                for token, ids in compiled["postings"].items()
            }
        )


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("compiled index: expected a list of strings")
    return value


def _lines(value: object, count: int) -> list[str]:
    if not isinstance(value, str):
        raise ValueError("compiled index: expected text")
    lines = value.split("\n") if count else []
    if len(lines) != count:
        raise ValueError("compiled index: wrong number of texts")
    return lines
