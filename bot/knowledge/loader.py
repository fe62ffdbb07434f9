"""Read ``knowledge/*.yaml`` into a :class:`KnowledgeBase`, section by section.

Every YAML file is a mapping whose top-level keys are sections (``topics``, ``entries``,
``synonyms``, ``smalltalk``, ``safety``, ``safety_contexts``, ``points``, ``cue_groups``,
``other_subjects``, ``diagnosis_lists``, ``muscles``, ``muscle_regions``,
``non_muscle_sites``); the loader merges all files of a directory. Each section has one
reader, listed in :data:`SECTION_READERS`; a new section is a model class and a
``KnowledgeBase`` field (``model.py``), a builder here, its line in ``SECTION_READERS`` and its
line in :func:`_knowledge_base`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.gcpause import collection_paused
from bot.knowledge.model import (
    DiagnosisList,
    Entry,
    KnowledgeBase,
    MuscleTerm,
    Point,
    SafetyRule,
    SmalltalkIntent,
    Topic,
)
from bot.knowledge.positions import ItemLines, line_of, mapping_pair, sequence_items
from bot.knowledge.validation import (
    DIAGNOSIS_LIST_FIELDS,
    ENTRY_FIELDS,
    MUSCLE_TERM_FIELDS,
    POINT_FIELDS,
    SAFETY_FIELDS,
    SMALLTALK_FIELDS,
    TOPIC_FIELDS,
    ItemChecker,
    KnowledgeError,
    Located,
    Problem,
    check_links,
    type_name,
)
from bot.phrases import UnknownGroupError, expand
from bot.text import tokenise

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge"

# libyaml's parser with the safe constructors: as safe as yaml.safe_load and several times
# faster; the pure-Python SafeLoader where PyYAML was built without libyaml.
SafeLoader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)

T = TypeVar("T")


@dataclass(frozen=True)
class Section:
    """One top-level section of one file: its value, its node and where problems go."""

    display: str
    name: str
    value: object
    node: yaml.Node | None
    line: int
    problems: list[Problem]

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.display, self.line, message))


SectionReader = Callable[[Section], list[Located[Any]]]


def list_section(build: Callable[[ItemChecker], T | None]) -> SectionReader:
    """A reader for a section that is a list of mappings, each built by ``build``."""

    def read(section: Section) -> list[Located[Any]]:
        if not isinstance(section.value, list):
            section.problem(f"'{section.name}' must be a list, not {type_name(section.value)}")
            return []
        located: list[Located[Any]] = []
        for item, node in zip(section.value, sequence_items(section.node), strict=True):
            lines = ItemLines(node, section.line)
            checker = ItemChecker(section.display, section.name, item, lines, section.problems)
            value = build(checker)
            if value is not None:
                located.append(Located(value, checker.where()))
        return located

    return read


def _topic(item: ItemChecker) -> Topic | None:
    if not item.check_fields(TOPIC_FIELDS, None):
        return None
    topic_id = item.entry_id()
    title = item.text("title", topic_id)
    keywords = item.text_list("keywords", topic_id)
    for_staff = item.flag("for_staff", topic_id)
    if not (topic_id and title):
        return None
    return Topic(topic_id, title, keywords, for_staff)


def _entry(item: ItemChecker) -> Entry | None:
    label = item.raw_id()
    if not item.check_fields(ENTRY_FIELDS, label):
        return None
    entry_id = item.entry_id()
    topic = item.text("topic", label)
    question = item.text("question", label)
    answer = item.text("answer", label)
    patient_answer = item.optional_text("patient_answer", label)
    alternates = item.text_list("alternates", label)
    keywords = item.text_list("keywords", label)
    related = item.text_list("related", label)
    sources = item.sources(label or "?")
    reviewed = item.date("reviewed", label)
    if not (entry_id and topic and question and answer and sources and reviewed):
        return None
    return Entry(
        entry_id,
        topic,
        question,
        answer,
        sources,
        reviewed,
        alternates,
        keywords,
        related,
        patient_answer,
    )


def _smalltalk(item: ItemChecker) -> SmalltalkIntent | None:
    if not item.check_fields(SMALLTALK_FIELDS, None):
        return None
    intent_id = item.entry_id()
    patterns = item.text_list("patterns", intent_id)
    reply = item.text("reply", intent_id)
    return (
        SmalltalkIntent(intent_id, patterns, reply) if intent_id and patterns and reply else None
    )


@dataclass(frozen=True)
class _SafetyItem:
    """A safety rule whose ``context`` and ``reported`` may still name lists in
    safety_contexts."""

    rule: SafetyRule
    context_name: str | None
    reported_name: str | None = None


def _safety(item: ItemChecker) -> _SafetyItem | None:
    if not item.check_fields(SAFETY_FIELDS, None):
        return None
    rule_id = item.entry_id()
    reply = item.text("reply", rule_id)
    patterns, symptoms, related = (
        item.text_list(key, rule_id) for key in ("patterns", "symptoms", "related")
    )
    context_name, context = _phrases_or_name(item, "context", rule_id)
    reported_name, reported = _phrases_or_name(item, "reported", rule_id)
    has_context = bool(context or context_name)
    if bool(symptoms) != has_context or not (patterns or symptoms):
        message = "needs 'patterns', or 'symptoms' together with 'context'"
        item.problem(item.lines.item, message, rule_id)
        return None
    if (reported or reported_name) and not symptoms:
        # A report only counts with one of the rule's symptoms: alone it would do nothing.
        message = "'reported' needs 'symptoms': a reported phrase counts only with a symptom"
        item.problem(item.lines.field("reported"), message, rule_id)
        return None
    if not (rule_id and reply):
        return None
    unless = item.text_list("unless", rule_id)
    rule = SafetyRule(rule_id, reply, patterns, symptoms, context, related, reported, unless)
    return _SafetyItem(rule, context_name, reported_name)


def _phrases_or_name(
    item: ItemChecker, key: str, rule_id: str | None
) -> tuple[str | None, tuple[str, ...]]:
    """A field that is either the name of a list in safety_contexts or a list itself."""
    raw = item.get(key)
    if isinstance(raw, str):
        return raw, ()
    return None, item.text_list(key, rule_id)


def _point(item: ItemChecker) -> Point | None:
    if not item.check_fields(POINT_FIELDS, None):
        return None
    point_id = item.entry_id()
    cues = item.text_list("cues", point_id)
    # No entries: the knowledge base does not answer this point; it is only suggested.
    # That must be said with "[]": a forgotten value would silence every entry.
    if item.get("entries") is None:
        message = "'entries' is empty: list the entries, or write [] if none answers it"
        item.problem(item.lines.field("entries"), message, point_id)
        return None
    entries = item.text_list("entries", point_id)
    unanswered = _unanswered(item, point_id, entries)
    subject_alone = item.flag("subject_alone", point_id)
    for_staff = item.flag("for_staff", point_id)
    billing_entries = item.text_list("billing_entries", point_id)
    reports = item.flag("reports", point_id)
    if not (point_id and cues):
        return None
    return Point(
        point_id, cues, entries, unanswered, subject_alone, for_staff, billing_entries, reports
    )


def _unanswered(item: ItemChecker, point_id: str | None, entries: tuple[str, ...]) -> str | None:
    """What a point no entry answers asks, for the reply to say the bot has no answer on
    it; a point with entries has none (they answer it)."""
    written = isinstance(item.item, dict) and "unanswered" in item.item
    if not isinstance(item.get("entries"), list):
        return None  # the entries are wrong already, and named
    if entries:
        if written:
            message = "'unanswered' is only for a point no entry answers (entries: [])"
            item.problem(item.lines.field("unanswered"), message, point_id)
        return None
    if not written:
        message = "a point no entry answers needs 'unanswered': what the bot has no answer on"
        item.problem(item.lines.item, message, point_id)
        return None
    return item.text("unanswered", point_id) or None


def _diagnosis_list(item: ItemChecker) -> DiagnosisList | None:
    if not item.check_fields(DIAGNOSIS_LIST_FIELDS, None):
        return None
    list_id = item.entry_id()
    title, policy, scope = (item.text(key, list_id) for key in ("title", "policy", "scope"))
    context = item.text_list("context", list_id)
    codes = item.text_list("codes", list_id)
    sources = item.sources(list_id or "?")
    reviewed = item.date("reviewed", list_id)
    if not codes:
        item.problem(item.lines.field("codes"), "no codes", list_id)
    if not (list_id and title and policy and scope and codes and sources and reviewed):
        return None
    codes = tuple(code.upper() for code in codes)
    return DiagnosisList(list_id, title, policy, scope, codes, sources, reviewed, context)


def _muscle_term(kind: str) -> Callable[[ItemChecker], MuscleTerm | None]:
    """The builder of one item of ``muscles``, ``muscle_regions`` or ``non_muscle_sites``."""

    def build(item: ItemChecker) -> MuscleTerm | None:
        if not item.check_fields(MUSCLE_TERM_FIELDS, item.raw_id()):
            return None
        term_id = item.entry_id()
        name = item.text("name", term_id)
        names = item.text_list("names", term_id)
        note = item.text("note", term_id) if item.get("note") is not None else None
        if not (term_id and name):
            return None
        return MuscleTerm(term_id, kind, name, names, note)

    return build


def _check_muscle_terms(collected: Collected, problems: list[Problem]) -> None:
    """Each word for a muscle, region or site names one thing only, and names something."""
    seen: dict[str, str] = {}
    for name in MUSCLE_SECTIONS:
        for located in collected[name]:
            term, where = located.value, located.where
            for word in (term.name, *term.names):
                key = " ".join(tokenise(word))
                if not key:
                    where.problem(where.lines.field("names"), f"'{word}' has no words", term.id)
                elif seen.setdefault(key, term.id) != term.id:
                    message = f"'{word}' already names '{seen[key]}'"
                    where.problem(where.lines.field("names"), message, term.id)


def _phrase_lists(section: Section) -> list[Located[Any]]:
    """A mapping of names to lists of phrases (``safety_contexts``, ``cue_groups``,
    ``other_subjects``, ``required_words``) or of entry ids (``other_subject_answers``)."""
    if not isinstance(section.value, dict):
        section.problem(f"'{section.name}' must be a mapping, not {type_name(section.value)}")
        return []
    lines = ItemLines(section.node, section.line)
    checker = ItemChecker(section.display, section.name, section.value, lines, section.problems)
    where = checker.where()
    located: list[Located[Any]] = []
    for name, phrases in section.value.items():
        if not isinstance(phrases, list) or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            section.problem(f"'{section.name}' entry '{name}' must be a list of phrases")
            continue
        located.append(Located((str(name), tuple(p.strip() for p in phrases)), where))
    return located


def _synonyms(section: Section) -> list[Located[Any]]:
    """The ``synonyms`` mapping: each word to the list of words that mean the same."""
    if not isinstance(section.value, dict):
        section.problem(f"'synonyms' must be a mapping, not {type_name(section.value)}")
        return []
    located: list[Located[Any]] = []
    lines = ItemLines(section.node, section.line)
    checker = ItemChecker(section.display, section.name, section.value, lines, section.problems)
    where = checker.where()
    for canonical, variants in section.value.items():
        ok = isinstance(canonical, str) and canonical.strip() and isinstance(variants, list)
        if not ok or not all(isinstance(v, str) and v.strip() for v in variants):
            section.problem(f"synonym '{canonical}' must map to a list of words")
            continue
        pair = (canonical.strip(), tuple(v.strip() for v in variants))
        located.append(Located(pair, where))
    return located


# The top-level sections, in reading order.
SECTION_READERS: dict[str, SectionReader] = {
    "topics": list_section(_topic),
    "entries": list_section(_entry),
    "synonyms": _synonyms,
    "smalltalk": list_section(_smalltalk),
    "safety": list_section(_safety),
    "safety_contexts": _phrase_lists,
    "points": list_section(_point),
    "cue_groups": _phrase_lists,
    "other_subjects": _phrase_lists,
    "other_subject_answers": _phrase_lists,
    "required_words": _phrase_lists,
    "diagnosis_lists": list_section(_diagnosis_list),
    "muscles": list_section(_muscle_term("muscle")),
    "muscle_regions": list_section(_muscle_term("region")),
    "non_muscle_sites": list_section(_muscle_term("site")),
}
MUSCLE_SECTIONS = ("muscles", "muscle_regions", "non_muscle_sites")
SECTIONS = tuple(SECTION_READERS)

Collected = dict[str, list[Located[Any]]]


def load_knowledge(
    directory: Path | str = DEFAULT_KNOWLEDGE_DIR, *, reuse: KnowledgeBase | None = None
) -> KnowledgeBase:
    """Load every ``*.yaml``/``*.yml`` file in ``directory``; raise KnowledgeError if invalid.

    ``reuse``: knowledge still in memory (a reload). Each entry equal to one of its entries
    is that object, not a copy, and the copy is dropped as soon as its file is read: at
    100,000 entries a second full copy would be hundreds of megabytes at once.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 0, "knowledge directory not found")])
    paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not paths:
        raise KnowledgeError([Problem(str(directory), 0, "no .yaml files in this directory")])
    problems: list[Problem] = []
    collected: Collected = {name: [] for name in SECTION_READERS}
    with collection_paused():
        for path in paths:
            read_before = len(collected["entries"])
            _read_file(path, collected, problems)
            if reuse is not None:
                _share(collected["entries"], read_before, reuse)
    check_links(collected["topics"], collected["entries"], problems)
    safety = _link_safety(collected, problems)
    _expand_cues(collected)
    _check_subject_answers(collected)
    _check_muscle_terms(collected, problems)
    if problems:
        raise KnowledgeError(problems)
    return dataclasses.replace(_knowledge_base(collected), safety=safety)


def _share(entries: list[Located[Any]], start: int, old: KnowledgeBase) -> None:
    """``entries[start:]`` with ``old``'s object for each entry it has, equal."""
    for number in range(start, len(entries)):
        located = entries[number]
        entries[number] = dataclasses.replace(located, value=old.own(located.value))


def _knowledge_base(collected: Collected) -> KnowledgeBase:
    def values(name: str) -> tuple[Any, ...]:
        return tuple(located.value for located in collected[name])

    return KnowledgeBase(
        topics=values("topics"),
        entries=values("entries"),
        # A word defined again in a later file takes the later variants.
        synonyms=tuple(dict(values("synonyms")).items()),
        smalltalk=values("smalltalk"),
        points=values("points"),
        other_subjects=values("other_subjects"),
        other_subject_answers=values("other_subject_answers"),
        required_words=values("required_words"),
        diagnosis_lists=values("diagnosis_lists"),
        muscle_terms=tuple(term for name in MUSCLE_SECTIONS for term in values(name)),
    )


def _link_safety(collected: Collected, problems: list[Problem]) -> tuple[SafetyRule, ...]:
    """Safety rules with named contexts filled in; related ids and point entries checked."""
    entry_ids = {located.value.id for located in collected["entries"]}
    contexts = dict(located.value for located in collected["safety_contexts"])
    rules: list[SafetyRule] = []
    for located in collected["safety"]:
        rule, where = located.value.rule, located.where
        for related in rule.related:
            if related not in entry_ids:
                message = f"safety reply: related id '{related}' does not exist"
                where.problem(where.lines.field("related"), message, rule.id)
        names = {"context": located.value.context_name, "reported": located.value.reported_name}
        # One message per list, though 'context' and 'reported' may both name it.
        unknown = [n for n in dict.fromkeys(names.values()) if n is not None and n not in contexts]
        for name in unknown:
            known = ", ".join(sorted(contexts)) or "none defined"
            message = f"unknown context '{name}' (safety_contexts: {known})"
            where.problem(where.lines.item, message, rule.id)
        if unknown:
            continue
        named = {key: contexts[name] for key, name in names.items() if name is not None}
        rules.append(dataclasses.replace(rule, **named))
    for located in collected["points"]:
        point, where = located.value, located.where
        for field, ids in (("entries", point.entries), ("billing_entries", point.billing_entries)):
            for entry_id in ids:
                if entry_id not in entry_ids:
                    message = f"point: entry '{entry_id}' does not exist"
                    where.problem(where.lines.field(field), message, point.id)
    return tuple(rules)


def _expand_cues(collected: Collected) -> None:
    """Each point's cues with the ``<group>`` names of ``cue_groups`` written out, each
    cue once; a cue naming an unknown group is a problem at the point's ``cues``."""
    groups = dict(located.value for located in collected["cue_groups"])
    points = collected["points"]
    for number, located in enumerate(points):
        point, where = located.value, located.where
        cues: dict[str, None] = {}
        for cue in point.cues:
            try:
                cues.update(dict.fromkeys(expand(cue, groups)))
            except UnknownGroupError as error:
                known = ", ".join(sorted(groups)) or "none defined"
                message = f"cue '{cue}': {error} (cue_groups: {known})"
                where.problem(where.lines.field("cues"), message, point.id)
        points[number] = dataclasses.replace(
            located, value=dataclasses.replace(point, cues=tuple(cues))
        )


def _check_subject_answers(collected: Collected) -> None:
    """Each subject of ``other_subject_answers`` is an other subject, each id an entry; each
    key of ``required_words`` is an entry."""
    entry_ids = {located.value.id for located in collected["entries"]}
    subjects = {located.value[0] for located in collected["other_subjects"]}
    for located in collected["other_subject_answers"]:
        (subject, ids), where = located.value, located.where
        if subject not in subjects:
            known = ", ".join(sorted(subjects)) or "none defined"
            message = f"other_subject_answers: '{subject}' is not an other subject ({known})"
            where.problem(where.lines.item, message)
        for entry_id in ids:
            if entry_id not in entry_ids:
                message = f"other_subject_answers: entry '{entry_id}' does not exist"
                where.problem(where.lines.item, message)
    for located in collected["required_words"]:
        (entry_id, _), where = located.value, located.where
        if entry_id not in entry_ids:
            where.problem(where.lines.item, f"required_words: entry '{entry_id}' does not exist")


def parse_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The data of one YAML document and its node tree, from a single parse.

    This is what ``yaml.load(text, Loader=SafeLoader)`` does (compose, then construct with the
    safe constructors), keeping the composed nodes for their line numbers.
    """
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def _read_file(path: Path, collected: Collected, problems: list[Problem]) -> None:
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(display, 0, f"cannot read file: {error}"))
        return
    try:
        data, root = parse_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 0
        reason = getattr(error, "problem", None) or str(error)
        problems.append(Problem(display, line, f"invalid YAML: {reason}"))
        return
    if data is None:
        return
    if not isinstance(data, dict):
        problems.append(
            Problem(display, 1, f"the file must be a mapping with keys {', '.join(SECTIONS)}")
        )
        return

    def key_line(name: str) -> int:
        pair = mapping_pair(root, name)
        return line_of(pair[0]) if pair else 1

    for key in data:
        if key not in SECTION_READERS:
            problems.append(Problem(display, key_line(str(key)), f"unknown section '{key}'"))
    for name, read in SECTION_READERS.items():
        value = data.get(name)
        if value is None:
            continue
        pair = mapping_pair(root, name)
        node = pair[1] if pair else None
        section = Section(display, name, value, node, key_line(name), problems)
        collected[name].extend(read(section))
