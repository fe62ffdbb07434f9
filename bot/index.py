"""The knowledge base compiled for matching: vocabulary, stems, an inverted index.

Built once per knowledge base (at start-up and on ``/reload``) by :class:`KnowledgeIndex`;
:class:`bot.matching.Matcher` then answers questions against it. Every knowledge text is
normalised, its synonyms expanded and its words stemmed here, so a question costs only its
own processing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from bot.knowledge import KnowledgeBase, SmalltalkIntent
from bot.phrases import PhraseSet, phrase_words
from bot.safety import SafetyCheck
from bot.text import STOPWORDS, Stemmer, SynonymExpander, is_code, normalise, tokenise

# Typo correction aims only at words at least this long.
MIN_TYPO_LENGTH = 4
# What counts as naming a subject (see Matcher): the bot's subject, or another procedure.
SUBJECT_WORDS = "trigger point injection needling botox procedure"
# The bot's own subject: a question that names it is about it, whatever else it names.
OWN_SUBJECT = "trigger point"


def content_words(tokens: Iterable[str], *, keep_codes: bool = False) -> list[str]:
    """The tokens that carry meaning: no stop words, and no codes unless asked."""
    return [t for t in tokens if t not in STOPWORDS and (keep_codes or not is_code(t))]


class KnowledgeIndex:
    """Everything the matcher looks up, compiled from one knowledge base."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self.synonyms = SynonymExpander(knowledge.synonyms)
        self.stem = Stemmer()
        self.entries = knowledge.entries
        self.entry_index = {entry.id: index for index, entry in enumerate(self.entries)}
        self.safety = SafetyCheck(knowledge.safety)
        self.points = [
            (
                point.id,
                PhraseSet(point.cues),
                frozenset(self.entry_index[i] for i in point.entries),
            )
            for point in knowledge.points
        ]
        # Each knowledge text is expanded once while compiling, not once per use.
        self.expansions: dict[str, str] = {}
        self.compile_smalltalk()
        self.compile_vocabulary()
        self.compile_entries()
        self.subject_stems = frozenset(self.stems(self.expand(SUBJECT_WORDS).split()))
        self.own_subject_stems = frozenset(self.stems(self.expand(OWN_SUBJECT).split()))
        self.staff_entries, self.staff_words = self.compile_staff()
        self.other_subjects = [
            (name, PhraseSet(phrases), self.entries_mentioning(name))
            for name, phrases in knowledge.other_subjects
        ]
        del self.expansions

    def expand(self, text: str) -> str:
        expanded = self.expansions.get(text)
        if expanded is None:
            expanded = self.expansions[text] = self.synonyms.expand(normalise(text))
        return expanded

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
        self.known_stems = frozenset(self.stem(word) for word in known)
        self.vocabulary = known | self.words(answers)
        cue_words = phrase_words(cue for point in self.knowledge.points for cue in point.cues)
        known |= self.vocabulary | self.smalltalk_words | self.safety.words | cue_words
        known |= STOPWORDS
        # Typo correction aims only at words worth correcting to.
        self.correctable = sorted(
            word for word in known if len(word) >= MIN_TYPO_LENGTH and word.isalpha()
        )

    def words(self, texts: Iterable[str]) -> frozenset[str]:
        """Every token of ``texts``, as written and after synonym expansion."""
        raw = {token for text in texts for token in tokenise(text)}
        return frozenset(raw | {token for text in texts for token in self.expand(text).split()})

    def compile_entries(self) -> None:
        self.texts: list[str] = []
        self.display: list[str] = []
        self.wordings: list[str] = []
        # Token-sorted copies: rapidfuzz's token_sort_ratio is the plain ratio of the
        # token-sorted strings, so sorting the knowledge side once saves it per question.
        self.sorted_texts: list[str] = []
        self.sorted_wordings: list[str] = []
        # Per stem, the texts that contain it (ties in Matcher._best_covered).
        self.text_postings: dict[str, list[int]] = defaultdict(list)
        self.text_sets: list[frozenset[str]] = []
        self.text_ranges: list[tuple[int, int]] = []
        self.keywords: list[tuple[str, ...]] = []
        self.codes: dict[str, int] = {}
        self.code_mentions: dict[str, set[int]] = defaultdict(set)
        postings: dict[str, set[int]] = defaultdict(set)
        for index, entry in enumerate(self.entries):
            first = len(self.texts)
            for text in (entry.question, *entry.alternates):
                words = self.expand(text).split()
                # Codes stay in the knowledge texts (they tell texts apart) but are taken
                # out of the question, where they are matched exactly instead.
                stems = self.stems(content_words(words, keep_codes=True))
                self.texts.append(" ".join(stems))
                self.sorted_texts.append(" ".join(sorted(stems)))
                self.display.append(text)
                self.wordings.append(" ".join(words))
                self.sorted_wordings.append(" ".join(sorted(words)))
                text_set = frozenset(self.stems(content_words(words)))
                for stem in text_set:
                    self.text_postings[stem].append(len(self.text_sets))
                self.text_sets.append(text_set)
                for token in self.stems(content_words(words)):
                    postings[token].add(index)
                for token in words:
                    if is_code(token):
                        self.code_mentions[token].add(index)
            self.text_ranges.append((first, len(self.texts)))
            phrases: list[str] = []
            for keyword in entry.keywords:
                expanded = self.expand(keyword)
                if is_code(expanded):
                    self.codes.setdefault(expanded, index)
                elif expanded:
                    phrases.append(" ".join(self.stems(expanded.split())))
                    for token in self.stems(content_words(expanded.split())):
                        postings[token].add(index)
            self.keywords.append(tuple(phrases))
        count = max(1, len(self.entries))
        self.postings = {
            token: (tuple(sorted(ids)), math.log(1 + count / len(ids)))
            for token, ids in postings.items()
        }
        self.rarest_weight = math.log(1 + count)
        topic_words = {
            topic.id: frozenset(self.stems(self.expand(" ".join(topic.keywords)).split()))
            for topic in self.knowledge.topics
        }
        self.topic_words = [topic_words.get(entry.topic, frozenset()) for entry in self.entries]

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
        # The small words of keyword phrases ("3 or more muscles") say nothing.
        words = {word for word in content_words(words) if len(word) > 1 or word.isdigit()}
        return frozenset(staff), frozenset(words)

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
