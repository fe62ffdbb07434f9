"""Read a question: sentences and their focus, typo correction, synonyms, stems, the point.

:class:`QueryReader` turns a message into a :class:`Query` against a compiled
:class:`bot.index.KnowledgeIndex`; :class:`bot.matching.Matcher` scores it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from itertools import dropwhile

from bot.index import MIN_TYPO_LENGTH, KnowledgeIndex, content_words
from bot.text import (
    COMMON_WORDS,
    SUBJECT_PRONOUNS,
    TypoCorrector,
    focus_sentences,
    is_code,
    refers_back,
    tokenise,
    without_courtesy,
    without_fillers,
)

TYPO_CUTOFF = 80
# A word no entry's questions or keywords contain. Words the knowledge base never uses at
# all ("covid") weigh most: they are what the question is really about.
UNINDEXED_WEIGHT = 0.2
UNKNOWN_WEIGHT = 1.8
# Each further unknown word weighs this share of the one before: a question is about one
# or two things at most, and a long message brings many words the knowledge base lacks.
UNKNOWN_DECAY = 0.5
# Everyday words ("change", "rules") say little, but not nothing: one rare word among them
# must not cover a whole question.
COMMON_WEIGHT = 0.05
# Narrative around the question ("Our provider administered ...") says less than the
# question itself: its words weigh this share, and words the knowledge base has never
# seen count there as merely unindexed, not as the unknown subject of the question.
NARRATIVE_WEIGHT = 0.35
# Another subject a question names, with the entries that name it too.
NamedSubject = tuple[str, frozenset[int]]
# A question asked for oneself: a patient's, unless it has billing words of its own.
PERSONAL_WORDS = frozenset("i im ive id me my mine myself".split())
# A question with no subject the knowledge base indexes ("How is it done?", "What is the
# purpose of it?") is taken to be about this, the bot's subject.
IMPLICIT_SUBJECT = "trigger point injection"
# Per point: its id, the entries answering it, and where its cues occur (start, end).
CuesFound = tuple[str, frozenset[int], list[tuple[int, int]]]
# Words that lead into a question without changing it ("But what is a knot, really?").
LEAD_INS = frozenset({"and", "but", "so", "ok", "okay", "well", "then", "exactly"})
# Words that leave "what is a knot, really?" asking what one is ("really", "anyway", "is it
# just a knot").
DEFINITION_FILLERS = frozenset(
    """a an the and or these those this that exactly really even actually anyway again then
    meant by is it just""".split()
)
# Words that ask what something means wherever they stand: "trigger point meaning",
# "define trigger point", "definition of a knot".
DEFINITION_WORDS = frozenset("define definition meaning of".split())
# Longer messages are cut before matching so that time per question stays bounded: their
# opening (this share of the limit) and their end, where a pasted note's question stands.
MAX_QUERY_CHARS = 1000
OPENING_SHARE = 0.25


def readable_part(text: str) -> str:
    """What matching reads of a message: all of it up to ``MAX_QUERY_CHARS``; of a longer
    one its opening and its end (a biller pastes the note, then asks), cut between words
    and joined as separate lines."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    opening = int(MAX_QUERY_CHARS * OPENING_SHARE)
    head, tail = text[:opening], text[opening - MAX_QUERY_CHARS :]
    # Drop the word each cut may have split, if there is more than one.
    head = head.rsplit(maxsplit=1)[0] if len(head.split()) > 1 else head
    tail = tail.split(maxsplit=1)[-1] if len(tail.split()) > 1 else tail
    return f"{head}\n{tail}"


@dataclass(frozen=True)
class Query:
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
    # Other subjects the asking sentences name (knowledge/points.yaml), and the entries
    # that name them all; empty when it also names the bot's subject or a listed code.
    other_subjects: tuple[str, ...] = ()
    subject_entries: frozenset[int] = frozenset()
    # Whether it uses a billing word or a code (entries of for_staff topics need one).
    asks_staff: bool = True
    # Whether the asking sentences use a code or a word of BILLING_WORDS ("bill", "code",
    # "modifier"): staff asking, who get an answer in full, not its plain words first.
    asks_billing: bool = False
    # Whether an asking sentence points back at a story that names a code ("The patient
    # has M79.18. Is that code covered?").
    refers_back: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.code_shares)

    @property
    def asked_codes(self) -> tuple[str, ...]:
        """The codes of the asking sentences, not of the story before them, unless they
        name none and point back at it ("The patient has M79.18. Is that code covered?")."""
        asked = tuple(code for code, share in self.code_shares.items() if share >= 1.0)
        return asked or (self.codes if self.refers_back else ())

    @cached_property
    def padded(self) -> str:
        return f" {self.text} "

    @cached_property
    def text_words(self) -> frozenset[str]:
        return frozenset(self.text.split())


class QueryReader:
    """Reads questions against one compiled knowledge base."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self._correct = TypoCorrector(
            index.vocabulary | COMMON_WORDS,
            index.correctable,
            cutoff=TYPO_CUTOFF,
            min_length=MIN_TYPO_LENGTH,
        )

    def prepare(self) -> None:
        """Build now what reading a misspelt word would otherwise build first."""
        self._correct.prepare()

    def read(self, text: str) -> Query:
        """The question as the matcher scores it."""
        sentences = [
            ([self._correct(token) for token in tokenise(sentence)], is_focus)
            for sentence, is_focus in focus_sentences(without_courtesy(readable_part(text)))
        ]
        corrected = " ".join(token for tokens, _ in sentences for token in tokens)
        focus_text = " ".join(" ".join(tokens) for tokens, is_focus in sentences if is_focus)
        # Cues are looked for without filler words ("what do they actually inject").
        cue_text = without_fillers(focus_text)
        cues_found = self._cues_found(cue_text)
        cued = self._cue_words(cue_text, cues_found)
        weights: dict[str, float] = {}
        absent: dict[str, float] = {}
        unknown: list[str] = []
        all_words: list[str] = []
        focus_words: list[str] = []
        code_shares: dict[str, float] = {}
        focus: dict[str, None] = {}
        everyday: set[str] = set()
        for tokens, is_focus in sentences:
            sentence_words = self.index.synonyms.expand(" ".join(tokens)).split()
            all_words += sentence_words
            if is_focus:
                focus_words += sentence_words
            share = 1.0 if is_focus else NARRATIVE_WEIGHT
            for code in filter(is_code, sentence_words):
                code_shares[code] = max(share, code_shares.get(code, 0.0))
            for word in content_words(sentence_words):
                if len(word) == 1 and not word.isdigit():
                    continue  # "e.g.", initials
                stem = self.index.stem(word)
                if is_focus:
                    focus[stem] = None
                weights[stem] = max(share, weights.get(stem, 0.0))
                if word in COMMON_WORDS:
                    everyday.add(stem)
                is_unknown = self._is_unknown(word, stem) and word not in cued
                weight = self._absent_weight(word, share, is_unknown)
                if is_unknown and share == 1.0 and word not in unknown:
                    weight *= UNKNOWN_DECAY ** len(unknown)
                    unknown.append(word)
                absent[stem] = min(weight, absent.get(stem, weight))
        words = tuple(all_words)
        # "It" refers to another subject named in the message ("My doctor ordered an EMG.
        # What is it?"), else to the bot's own.
        named = self._subjects_named(focus_text)
        others = self._other_subjects(named, focus_text, corrected, focus, code_shares)
        if not others and self._about_the_subject(words, focus_text, weights, bool(code_shares)):
            for stem in self.index.stems(IMPLICIT_SUBJECT.split()):
                weights[stem], absent[stem], focus[stem] = 1.0, 0.0, None
        points = self._points(cues_found)
        if not points and self._names_only_the_subject(focus_words):
            points = list(self.index.subject_alone_points)
        asks_billing = bool(code_shares or self.index.billing_stems & focus.keys())
        if asks_billing:
            points = self._billing_points(points)
        return Query(
            " ".join(self.index.stems(words)),
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
            tuple(name for name, _ in others),
            frozenset.intersection(*(entries for _, entries in others)) if others else frozenset(),
            self._asks_staff(
                weights, code_shares, self._subjects_of_staff(focus_text, named, others)
            ),
            asks_billing,
            self._refers_to_story(sentences, code_shares),
        )

    @staticmethod
    def _refers_to_story(sentences: list[tuple[list[str], bool]], codes: dict[str, float]) -> bool:
        """Whether an asking sentence points back at a story that names a code (only
        such a story matters: see Query.asked_codes)."""
        if all(share >= 1.0 for share in codes.values()):
            return False
        return any(refers_back(" ".join(tokens)) for tokens, is_focus in sentences if is_focus)

    def _subjects_of_staff(
        self, focus_text: str, named: list[NamedSubject], others: list[NamedSubject]
    ) -> list[str]:
        """The other subjects whose words are no billing words here: those asked about
        alone, and in a question of one's own ("I", "my") all those named, beside trigger
        point injections too: "trigger point injection or nerve block, which one do I
        need?" is a patient's choice, "nerve block and tpi same day, need XS?" a coder's."""
        if not PERSONAL_WORDS.isdisjoint(focus_text.split()):
            return [name for name, _ in named]
        return [name for name, _ in others]

    def _asks_staff(
        self, weights: dict[str, float], codes: dict[str, float], subjects: list[str]
    ) -> bool:
        """Whether the question uses a billing word or a code. A procedure the bot does
        not cover ("dry needling", "nerve block") is a billing word only beside trigger
        point injections ("a nerve block and a TPI the same day"): asked about alone, it
        is what the public asks about too ("What does dry needling feel like?")."""
        if codes:
            return True
        named = self.index.other_subject_words
        beside = frozenset().union(*(named[subject] for subject in subjects))
        return any(stem in self.index.staff_words and stem not in beside for stem in weights)

    def _cues_found(self, focus_text: str) -> list[CuesFound]:
        """Per point, where its cues occur in the asking sentences. A cue inside a longer
        cue of another point does not count: "who should not get it" is about who must not
        have the injection (before), not who may give it (who)."""
        found = [
            (pid, entries, cues.spans(focus_text)) for pid, cues, entries in self.index.points
        ]
        spans = [span for _, _, spans in found for span in spans]
        kept = [
            (pid, entries, [span for span in own if not _inside_a_longer(span, spans)])
            for pid, entries, own in found
        ]
        return self._more_specific(focus_text, kept)

    def _more_specific(self, focus_text: str, found: list[CuesFound]) -> list[CuesFound]:
        """Of the points whose cues cover the same words, the one whose cue names more of
        them: "how long does the bruising last" is the soreness point's "how long ...
        bruis* ... last*", not the duration's "how long ... last*"."""
        points_at: dict[tuple[int, int], list[str]] = defaultdict(list)
        for pid, _, spans in found:
            for span in spans:
                points_at[span].append(pid)
        dropped: set[tuple[str, tuple[int, int]]] = set()
        for span, pids in points_at.items():
            if len(pids) > 1:
                said = focus_text[span[0] : span[1]]
                named = {pid: self._cue_size(pid, said) for pid in pids}
                most = max(named.values())
                dropped |= {(pid, span) for pid in pids if named[pid] < most}
        if not dropped:
            return found
        return [
            (pid, entries, [span for span in spans if (pid, span) not in dropped])
            for pid, entries, spans in found
        ]

    def _cue_size(self, point_id: str, said: str) -> int:
        """How many words the longest cue of the point that found ``said`` names."""
        whole = [(0, len(said))]
        return max(
            (
                len(plain)
                for single, plain, _ in self.index.cue_parts(point_id, said)
                if single.spans(said) == whole
            ),
            default=0,
        )

    def _cue_words(self, focus_text: str, found: list[CuesFound]) -> frozenset[str]:
        """The words of the cues found that no entry is indexed under ("untie" in "Can I
        untie the knots?", "home" in "what care is needed at home"): they say what is asked,
        so none of them counts as unknown. Only a cue's own words, not those its gap spans
        ("drive" in "can I drive home after ...", found by "can I ... after")."""
        cued: list[str] = []
        for point_id, _, spans in found:
            for start, end in spans:
                said = focus_text[start:end]
                new = [w for w in said.split() if self._is_unknown(w, self.index.stem(w))]
                if new:
                    cued += self._own_words(point_id, said, new)
        return frozenset(cued)

    def _own_words(self, point_id: str, said: str, words: list[str]) -> list[str]:
        """Of ``words``, those that the cue of point ``point_id`` found as ``said`` has."""
        for single, plain, prefixes in self.index.cue_parts(point_id, said):
            if single.spans(said) == [(0, len(said))]:
                return [w for w in words if w in plain or w.startswith(prefixes)]
        return []

    @staticmethod
    def _points(found: list[CuesFound]) -> list[tuple[str, frozenset[int]]]:
        """The points asked (a cue of theirs was found), with the entries answering each."""
        return [(pid, entries) for pid, entries, spans in found if spans]

    def _names_only_the_subject(self, focus_words: list[str]) -> bool:
        """Whether the asking sentences ask what the bot's subject is and name nothing
        else: "So what are trigger points, exactly?", "But what is a knot, really?" ("knot"
        reads as trigger point), "What does trigger point mean?", "define trigger point",
        not "What are trigger points used for?". ``focus_words``: the asking sentences'
        words after synonyms."""
        words = list(dropwhile(LEAD_INS.__contains__, focus_words))
        if words[:2] in (["what", "is"], ["what", "are"]):
            words = words[2:]
        elif words[:1] == ["whats"]:
            words = words[1:]
        elif words[:2] in (["what", "does"], ["what", "do"]) and words[-1:] == ["mean"]:
            words = words[2:-1]
        elif not DEFINITION_WORDS.intersection(words):
            return False
        named = [word for word in words if word not in DEFINITION_FILLERS | DEFINITION_WORDS]
        return set(self.index.stems(named)) == self.index.own_subject_stems

    def _billing_points(
        self, points: list[tuple[str, frozenset[int]]]
    ) -> list[tuple[str, frozenset[int]]]:
        """The points of a billing question (a code, "bill", "CPT", ...) that an entry for
        staff answers, or that are marked for staff: in "How are trigger point injections
        administered and which CPT code do we use?" the procedure is not what is asked.
        Their billing entries answer them here too."""
        staff, staff_points = self.index.staff_entries, self.index.staff_points
        billing = self.index.billing_point_entries
        points = [(pid, entries | billing.get(pid, frozenset())) for pid, entries in points]
        return [
            (pid, entries) for pid, entries in points if entries & staff or pid in staff_points
        ]

    def _other_subjects(
        self,
        named: list[NamedSubject],
        focus_text: str,
        text: str,
        focus: dict[str, None],
        codes: dict[str, float],
    ) -> list[NamedSubject]:
        """The other subjects that count: those the asking sentences name (``named``; or,
        when they say "it", the whole ``text``), with the entries naming each; none when
        the question names a code the knowledge lists ("units of J3301 for a steroid
        injection"), and only those no entry answers when it also names trigger points."""
        if any(code in self.index.codes for code in codes):
            return []
        if self.index.own_subject_stems <= focus.keys() and self._named_beside(focus_text):
            # Beside trigger points, only a subject no entry answers still counts: "will
            # trigger point injections show up on a drug test" got the imaging entry.
            return [(name, entries) for name, entries in named if not entries]
        return named or (self._subjects_named(text) if self._has_pronoun(focus_text) else [])

    def _named_beside(self, focus_text: str) -> bool:
        """Whether the asking sentences name trigger points, or an injection, outside the
        other subjects' phrases that name trigger points: "trigger point therapy"
        (massage) names them only as part of another subject ("Is trigger point therapy
        painful?"), "trigger point therapy injections" or "... with lidocaine" beside it."""
        rest = self.index.synonyms.expand(self.index.subject_phrases_naming_own.remove(focus_text))
        stems = self.index.stems(rest.split())
        # An injection named outside the other subjects' own words ("dry needling" is not
        # a needle named beside it).
        outside = self.index.any_other_subject.remove(rest).split()
        if self.index.injection_stems.intersection(self.index.stems(outside)):
            return True
        own = self.index.own_subject_stems
        if not own <= set(stems):
            return False
        # The knots named after another subject are what it is for ("does dry needling
        # work for knots", "how often should I get a massage for knots"): that subject is
        # what is asked about. Named first, they are ("what is a knot, and why do
        # massages relieve them").
        first_own = next(number for number, stem in enumerate(stems) if stem in own)
        others = self.index.any_other_subject.spans(rest)
        return not others or first_own < rest[: others[0][0]].count(" ")

    def _subjects_named(self, text: str) -> list[NamedSubject]:
        if self.index.any_other_subject.search(text) is None:
            return []  # one search for all subjects, not one each
        return [
            (name, entries)
            for name, phrases, entries in self.index.other_subjects
            if phrases.search(text)
        ]

    @staticmethod
    def _has_pronoun(focus_text: str) -> bool:
        return any(f" {word} " in f" {focus_text} " for word in SUBJECT_PRONOUNS)

    def _about_the_subject(
        self, words: tuple[str, ...], focus_text: str, weights: dict[str, float], codes: bool
    ) -> bool:
        """Whether a question that names no subject is about trigger point injections:
        nothing indexed at all ("How is it done?"), or "it"/"they" with no subject of its
        own ("Is it covered by Medicare?")."""
        if not words or codes:
            return False
        if not any(stem in self.index.postings for stem in weights):
            # A message of stop words alone ("ok", "lol", "the") says nothing about it.
            return bool(weights) or self._has_pronoun(focus_text)
        own = any(stem in weights for stem in self.index.subject_stems)
        return self._has_pronoun(focus_text) and not own

    def _is_unknown(self, word: str, stem: str) -> bool:
        known = stem in self.index.known_stems
        return not known and word not in COMMON_WORDS and not word.isdigit()

    def _absent_weight(self, word: str, share: float, is_unknown: bool) -> float:
        """The weight of a word no entry is indexed under (``share`` < 1 in narrative)."""
        if word in COMMON_WORDS:
            return COMMON_WEIGHT * self.index.rarest_weight
        if word in self.index.smalltalk_words or word.isdigit():
            return 0.0
        known = not is_unknown or share < 1.0
        return (UNINDEXED_WEIGHT if known else UNKNOWN_WEIGHT) * self.index.rarest_weight


def _inside_a_longer(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    start, end = span
    return any(s <= start and end <= e and e - s > end - start for s, e in spans)
