"""Read ``knowledge/*.yaml`` into a :class:`KnowledgeBase`, section by section.

Every YAML file is a mapping whose top-level keys are sections (``topics``, ``entries``,
``synonyms``, ``smalltalk``); the loader merges all files of a directory. Each section has one
reader, listed in :data:`SECTION_READERS`; a new section is a model class and a
``KnowledgeBase`` field (``model.py``), a builder here, its line in ``SECTION_READERS`` and its
line in :func:`_knowledge_base`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.knowledge.model import Entry, KnowledgeBase, SmalltalkIntent, Topic
from bot.knowledge.positions import ItemLines, line_of, mapping_pair, sequence_items
from bot.knowledge.validation import (
    ENTRY_FIELDS,
    SMALLTALK_FIELDS,
    TOPIC_FIELDS,
    ItemChecker,
    KnowledgeError,
    Located,
    Problem,
    check_links,
    type_name,
)

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
                located.append(Located(value, checker))
        return located

    return read


def _topic(item: ItemChecker) -> Topic | None:
    if not item.check_fields(TOPIC_FIELDS, None):
        return None
    topic_id = item.entry_id()
    title = item.text("title", topic_id)
    keywords = item.text_list("keywords", topic_id)
    if not (topic_id and title):
        return None
    return Topic(topic_id, title, keywords)


def _entry(item: ItemChecker) -> Entry | None:
    label = item.raw_id()
    if not item.check_fields(ENTRY_FIELDS, label):
        return None
    entry_id = item.entry_id()
    topic = item.text("topic", label)
    question = item.text("question", label)
    answer = item.text("answer", label)
    alternates = item.text_list("alternates", label)
    keywords = item.text_list("keywords", label)
    related = item.text_list("related", label)
    sources = item.sources(label or "?")
    reviewed = item.date("reviewed", label)
    if not (entry_id and topic and question and answer and sources and reviewed):
        return None
    return Entry(
        entry_id, topic, question, answer, sources, reviewed, alternates, keywords, related
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


def _synonyms(section: Section) -> list[Located[Any]]:
    """The ``synonyms`` mapping: each word to the list of words that mean the same."""
    if not isinstance(section.value, dict):
        section.problem(f"'synonyms' must be a mapping, not {type_name(section.value)}")
        return []
    located: list[Located[Any]] = []
    lines = ItemLines(section.node, section.line)
    where = ItemChecker(section.display, section.name, section.value, lines, section.problems)
    for canonical, variants in section.value.items():
        ok = isinstance(canonical, str) and canonical.strip() and isinstance(variants, list)
        if not ok or not all(isinstance(v, str) and v.strip() for v in variants):
            section.problem(f"synonym '{canonical}' must map to a list of words")
            continue
        located.append(Located((canonical.strip(), tuple(v.strip() for v in variants)), where))
    return located


# The top-level sections, in reading order.
SECTION_READERS: dict[str, SectionReader] = {
    "topics": list_section(_topic),
    "entries": list_section(_entry),
    "synonyms": _synonyms,
    "smalltalk": list_section(_smalltalk),
}
SECTIONS = tuple(SECTION_READERS)

Collected = dict[str, list[Located[Any]]]


def load_knowledge(directory: Path | str = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load every ``*.yaml``/``*.yml`` file in ``directory``; raise KnowledgeError if invalid."""
    directory = Path(directory)
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 0, "knowledge directory not found")])
    paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not paths:
        raise KnowledgeError([Problem(str(directory), 0, "no .yaml files in this directory")])
    problems: list[Problem] = []
    collected: Collected = {name: [] for name in SECTION_READERS}
    for path in paths:
        _read_file(path, collected, problems)
    check_links(collected["topics"], collected["entries"], problems)
    if problems:
        raise KnowledgeError(problems)
    return _knowledge_base(collected)


def _knowledge_base(collected: Collected) -> KnowledgeBase:
    def values(name: str) -> tuple[Any, ...]:
        return tuple(located.value for located in collected[name])

    return KnowledgeBase(
        topics=values("topics"),
        entries=values("entries"),
        # A word defined again in a later file takes the later variants.
        synonyms=tuple(dict(values("synonyms")).items()),
        smalltalk=values("smalltalk"),
    )


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
