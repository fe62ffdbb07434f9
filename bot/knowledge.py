"""Load and validate the knowledge base (``knowledge/*.yaml``) into frozen dataclasses.

Every YAML file is a mapping whose top-level keys are any of ``topics``, ``entries``,
``synonyms`` and ``smalltalk``; the loader merges all files of a directory. Validation
collects every problem it finds and raises one :class:`KnowledgeError` whose lines name
the file, the line and the entry, so staff can fix a whole file in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlparse

import yaml

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"

# Ids end up in callback data ("faq:<id>") and deep links, which allow 64 ASCII bytes.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")

SECTIONS = ("topics", "entries", "synonyms", "smalltalk", "diagnosis_lists")
ENTRY_FIELDS = {
    "id": True,
    "topic": True,
    "reviewed": True,
    "question": True,
    "alternates": False,
    "keywords": False,
    "answer": True,
    "sources": True,
    "related": False,
}
TOPIC_FIELDS = {"id": True, "title": True, "keywords": False}
SOURCE_FIELDS = {"name": True, "url": False}
SMALLTALK_FIELDS = {"id": True, "patterns": True, "reply": True}
DIAGNOSIS_LIST_FIELDS = {
    "id": True,
    "title": True,
    "policy": True,
    "scope": True,
    "context": False,
    "codes": True,
    "reviewed": True,
    "sources": True,
}


@dataclass(frozen=True)
class Source:
    """A citation shown under an answer; ``url`` only where a checked link exists."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class Topic:
    """A group of entries, offered when the bot cannot answer."""

    id: str
    title: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One question and its answer, with the texts the matcher compares against."""

    id: str
    topic: str
    question: str
    answer: str
    sources: tuple[Source, ...]
    reviewed: dt.date
    alternates: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class SmalltalkIntent:
    """Greetings, thanks and the like: patterns and the one reply they get."""

    id: str
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class DiagnosisList:
    """The ICD-10-CM codes a payer policy covers for trigger point injections.

    ``scope`` says whom the policy binds (which contractors, which differ); ``context_terms``
    are the words and codes that put a question about a code in this list's context.
    """

    id: str
    title: str
    policy: str
    scope: str
    codes: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed: dt.date
    context_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole validated knowledge base; immutable once loaded."""

    topics: tuple[Topic, ...]
    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    smalltalk: tuple[SmalltalkIntent, ...] = ()
    diagnosis_lists: tuple[DiagnosisList, ...] = ()
    _entries_by_id: Mapping[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = MappingProxyType({entry.id: entry for entry in self.entries})
        object.__setattr__(self, "_entries_by_id", by_id)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._entries_by_id.get(entry_id)

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def entries_in(self, topic_id: str) -> tuple[Entry, ...]:
        """The entries of one topic, in file order."""
        return tuple(entry for entry in self.entries if entry.topic == topic_id)

    def stale_entries(self, today: dt.date, max_age_days: int = 365) -> tuple[Entry, ...]:
        """Entries not reviewed within ``max_age_days`` of ``today``, oldest first."""
        cutoff = today - dt.timedelta(days=max_age_days)
        stale = (entry for entry in self.entries if entry.reviewed < cutoff)
        return tuple(sorted(stale, key=lambda entry: entry.reviewed))


@dataclass(frozen=True)
class Problem:
    """One validation failure, located as precisely as the YAML allows."""

    path: str
    line: int
    message: str
    entry_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        if self.entry_id:
            return f"{where}: entry '{self.entry_id}': {self.message}"
        return f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base is invalid; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class _LineFinder:
    """Finds the line of a list item or a field in block-style YAML text.

    ``yaml.safe_load`` returns plain data without positions, so positions are recovered
    from the text: the n-th item of a top-level section is the n-th ``-`` at that
    section's item indentation.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.sections: dict[str, int] = {}
        # Item lines per section, found once: looking them up per field made loading
        # quadratic in the number of entries.
        self._item_lines: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines):
            match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
            if match and match.group(1) not in self.sections:
                self.sections[match.group(1)] = number

    def section(self, name: str) -> int:
        return self.sections.get(name, 0) + 1

    def _items(self, name: str) -> list[int]:
        if name not in self._item_lines:
            self._item_lines[name] = self._find_items(name)
        return self._item_lines[name]

    def _find_items(self, name: str) -> list[int]:
        start = self.sections.get(name)
        if start is None:
            return []
        items: list[int] = []
        indent: int | None = None
        for number in range(start + 1, len(self.lines)):
            line = self.lines[number]
            if re.match(r"^[A-Za-z_]", line):
                break
            match = re.match(r"^(\s*)-(\s|$)", line)
            if match and (indent is None or len(match.group(1)) == indent):
                indent = len(match.group(1))
                items.append(number)
        return items

    def item(self, name: str, index: int) -> int:
        items = self._items(name)
        return items[index] + 1 if index < len(items) else self.section(name)

    def field(self, name: str, index: int, key: str) -> int:
        items = self._items(name)
        if index >= len(items):
            return self.section(name)
        end = items[index + 1] if index + 1 < len(items) else len(self.lines)
        pattern = re.compile(rf"^\s*(-\s+)?['\"]?{re.escape(key)}['\"]?\s*:")
        for number in range(items[index], end):
            if pattern.match(self.lines[number]):
                return number + 1
        return items[index] + 1


class _FileReader:
    """Validates the sections of one YAML file and turns them into dataclasses."""

    def __init__(self, display: str, text: str, problems: list[Problem]) -> None:
        self.display = display
        self.lines = _LineFinder(text)
        self.problems = problems

    def problem(self, line: int, message: str, entry_id: str | None = None) -> None:
        self.problems.append(Problem(self.display, line, message, entry_id))

    def check_fields(
        self, section: str, index: int, item: Any, fields: Mapping[str, bool], label: str | None
    ) -> bool:
        if not isinstance(item, dict):
            self.problem(self.lines.item(section, index), f"each {section} item must be a mapping")
            return False
        for key in item:
            if key not in fields:
                allowed = ", ".join(fields)
                line = self.lines.field(section, index, str(key))
                self.problem(line, f"unknown field '{key}' (allowed: {allowed})", label)
        missing = [key for key, required in fields.items() if required and key not in item]
        for key in missing:
            self.problem(self.lines.item(section, index), f"missing field '{key}'", label)
        return not missing

    def text(self, section: str, index: int, item: dict, key: str, label: str | None) -> str:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        line = self.lines.field(section, index, key)
        if isinstance(value, str) or value is None:
            self.problem(line, f"'{key}' must not be empty", label)
        else:
            self.problem(line, f"'{key}' must be text, not {_type_name(value)}", label)
        return ""

    def text_list(
        self, section: str, index: int, item: dict, key: str, label: str | None
    ) -> tuple[str, ...]:
        value = item.get(key, [])
        line = self.lines.field(section, index, key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(line, f"'{key}' must be a list, not {_type_name(value)}", label)
            return ()
        texts: list[str] = []
        for element in value:
            # Code numbers such as 20552 are natural to write unquoted; YAML reads them as ints.
            if isinstance(element, int) and not isinstance(element, bool):
                element = str(element)
            if not isinstance(element, str) or not element.strip():
                self.problem(line, f"'{key}' items must be non-empty text, got {element!r}", label)
                continue
            texts.append(element.strip())
        return tuple(texts)

    def date(
        self, section: str, index: int, item: dict, key: str, label: str | None
    ) -> dt.date | None:
        value = item.get(key)
        # YAML reads an unquoted 2026-11-26 as a date; a quoted one arrives as text.
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        line = self.lines.field(section, index, key)
        self.problem(line, f"'{key}' must be a date YYYY-MM-DD, got {value!r}", label)
        return None

    def entry_id(self, section: str, index: int, item: dict) -> str | None:
        value = item.get("id")
        if isinstance(value, str) and ID_PATTERN.match(value):
            return value
        self.problem(
            self.lines.field(section, index, "id"),
            f"id {value!r} must be lowercase letters, digits, '-' or '_' (at most 48)",
        )
        return None

    def items(self, data: dict, section: str) -> list[tuple[int, Any]]:
        value = data.get(section)
        if value is None:
            return []
        if not isinstance(value, list):
            line = self.lines.section(section)
            self.problem(line, f"'{section}' must be a list, not {_type_name(value)}")
            return []
        return list(enumerate(value))

    def sources(
        self, index: int, item: dict, label: str, section: str = "entries"
    ) -> tuple[Source, ...]:
        value = item.get("sources")
        line = self.lines.field(section, index, "sources")
        if not isinstance(value, list) or not value:
            self.problem(line, "'sources' must be a non-empty list of {name, url}", label)
            return ()
        sources: list[Source] = []
        for raw in value:
            if not isinstance(raw, dict):
                self.problem(line, f"each source must be a mapping, got {raw!r}", label)
                continue
            for key in raw:
                if key not in SOURCE_FIELDS:
                    self.problem(line, f"unknown source field '{key}' (allowed: name, url)", label)
            name = raw.get("name")
            if not isinstance(name, str) or not name.strip():
                self.problem(line, "a source has no name", label)
                continue
            url = raw.get("url")
            if url is not None and not _is_http_url(url):
                self.problem(line, f"source '{name}' has url {url!r}, not an http(s) URL", label)
                continue
            sources.append(Source(name.strip(), url.strip() if url else None))
        return tuple(sources)


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urlparse(value.strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in value


@dataclass
class _Collected:
    """What the files of a directory contribute, with where each id was defined."""

    topics: list[tuple[Topic, str, int]] = field(default_factory=list)
    entries: list[tuple[Entry, str, int]] = field(default_factory=list)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    smalltalk: list[SmalltalkIntent] = field(default_factory=list)
    diagnosis_lists: list[DiagnosisList] = field(default_factory=list)
    related_lines: dict[str, int] = field(default_factory=dict)
    topic_lines: dict[str, int] = field(default_factory=dict)


def load_knowledge(directory: Path | str = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load every ``*.yaml``/``*.yml`` file in ``directory``; raise KnowledgeError if invalid."""
    directory = Path(directory)
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 0, "knowledge directory not found")])
    paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not paths:
        raise KnowledgeError([Problem(str(directory), 0, "no .yaml files in this directory")])
    problems: list[Problem] = []
    collected = _Collected()
    for path in paths:
        _read_file(path, collected, problems)
    knowledge = _link(collected, problems)
    if problems:
        raise KnowledgeError(problems)
    return knowledge


def _read_file(path: Path, collected: _Collected, problems: list[Problem]) -> None:
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(display, 0, f"cannot read file: {error}"))
        return
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 0
        reason = getattr(error, "problem", None) or str(error)
        problems.append(Problem(display, line, f"invalid YAML: {reason}"))
        return
    if data is None:
        return
    reader = _FileReader(display, text, problems)
    if not isinstance(data, dict):
        reader.problem(1, f"the file must be a mapping with keys {', '.join(SECTIONS)}")
        return
    for key in data:
        if key not in SECTIONS:
            reader.problem(reader.lines.section(str(key)), f"unknown section '{key}'")
    _read_topics(reader, data, collected)
    _read_entries(reader, data, collected)
    _read_synonyms(reader, data, collected)
    _read_smalltalk(reader, data, collected)
    _read_diagnosis_lists(reader, data, collected)


def _read_topics(reader: _FileReader, data: dict, collected: _Collected) -> None:
    for index, item in reader.items(data, "topics"):
        if not reader.check_fields("topics", index, item, TOPIC_FIELDS, None):
            continue
        topic_id = reader.entry_id("topics", index, item)
        title = reader.text("topics", index, item, "title", topic_id)
        keywords = reader.text_list("topics", index, item, "keywords", topic_id)
        if topic_id and title:
            line = reader.lines.item("topics", index)
            collected.topics.append((Topic(topic_id, title, keywords), reader.display, line))


def _read_entries(reader: _FileReader, data: dict, collected: _Collected) -> None:
    for index, item in reader.items(data, "entries"):
        label = item.get("id") if isinstance(item, dict) else None
        label = label if isinstance(label, str) else None
        if not reader.check_fields("entries", index, item, ENTRY_FIELDS, label):
            continue
        entry_id = reader.entry_id("entries", index, item)
        topic = reader.text("entries", index, item, "topic", label)
        question = reader.text("entries", index, item, "question", label)
        answer = reader.text("entries", index, item, "answer", label)
        alternates = reader.text_list("entries", index, item, "alternates", label)
        keywords = reader.text_list("entries", index, item, "keywords", label)
        related = reader.text_list("entries", index, item, "related", label)
        sources = reader.sources(index, item, label or "?")
        reviewed = reader.date("entries", index, item, "reviewed", label)
        if not (entry_id and topic and question and answer and sources and reviewed):
            continue
        entry = Entry(
            entry_id, topic, question, answer, sources, reviewed, alternates, keywords, related
        )
        line = reader.lines.item("entries", index)
        collected.entries.append((entry, reader.display, line))
        collected.related_lines[entry_id] = reader.lines.field("entries", index, "related")
        collected.topic_lines[entry_id] = reader.lines.field("entries", index, "topic")


def _read_synonyms(reader: _FileReader, data: dict, collected: _Collected) -> None:
    value = data.get("synonyms")
    if value is None:
        return
    line = reader.lines.section("synonyms")
    if not isinstance(value, dict):
        reader.problem(line, f"'synonyms' must be a mapping, not {_type_name(value)}")
        return
    for canonical, variants in value.items():
        ok = isinstance(canonical, str) and canonical.strip() and isinstance(variants, list)
        if not ok or not all(isinstance(v, str) and v.strip() for v in variants):
            reader.problem(line, f"synonym '{canonical}' must map to a list of words")
            continue
        collected.synonyms[canonical.strip()] = tuple(v.strip() for v in variants)


def _read_smalltalk(reader: _FileReader, data: dict, collected: _Collected) -> None:
    for index, item in reader.items(data, "smalltalk"):
        if not reader.check_fields("smalltalk", index, item, SMALLTALK_FIELDS, None):
            continue
        intent_id = reader.entry_id("smalltalk", index, item)
        patterns = reader.text_list("smalltalk", index, item, "patterns", intent_id)
        reply = reader.text("smalltalk", index, item, "reply", intent_id)
        if intent_id and patterns and reply:
            collected.smalltalk.append(SmalltalkIntent(intent_id, patterns, reply))


def _read_diagnosis_lists(reader: _FileReader, data: dict, collected: _Collected) -> None:
    section = "diagnosis_lists"
    for index, item in reader.items(data, section):
        if not reader.check_fields(section, index, item, DIAGNOSIS_LIST_FIELDS, None):
            continue
        list_id = reader.entry_id(section, index, item)
        title = reader.text(section, index, item, "title", list_id)
        policy = reader.text(section, index, item, "policy", list_id)
        scope = reader.text(section, index, item, "scope", list_id)
        context = reader.text_list(section, index, item, "context", list_id)
        codes = reader.text_list(section, index, item, "codes", list_id)
        sources = reader.sources(index, item, list_id or "?", section)
        reviewed = reader.date(section, index, item, "reviewed", list_id)
        if not codes:
            reader.problem(reader.lines.field(section, index, "codes"), "no codes", list_id)
        if list_id and title and policy and scope and codes and sources and reviewed:
            codes = tuple(code.upper() for code in codes)
            collected.diagnosis_lists.append(
                DiagnosisList(list_id, title, policy, scope, codes, sources, reviewed, context)
            )


def _link(collected: _Collected, problems: list[Problem]) -> KnowledgeBase:
    """Check what spans files: unique ids and references to topics and entries."""
    topic_ids: dict[str, str] = {}
    for topic, path, line in collected.topics:
        if topic.id in topic_ids:
            problems.append(
                Problem(path, line, f"duplicate topic id (first in {topic_ids[topic.id]})")
            )
        topic_ids.setdefault(topic.id, f"{path}:{line}")
    entry_ids: dict[str, str] = {}
    for entry, path, line in collected.entries:
        if entry.id in entry_ids:
            first = entry_ids[entry.id]
            problems.append(Problem(path, line, f"duplicate id (first in {first})", entry.id))
        entry_ids.setdefault(entry.id, f"{path}:{line}")
    for entry, path, _ in collected.entries:
        if entry.topic not in topic_ids:
            known = ", ".join(sorted(topic_ids)) or "none defined"
            line = collected.topic_lines[entry.id]
            problems.append(
                Problem(path, line, f"unknown topic '{entry.topic}' (topics: {known})", entry.id)
            )
        for related in entry.related:
            if related not in entry_ids:
                line = collected.related_lines[entry.id]
                problems.append(
                    Problem(path, line, f"related id '{related}' does not exist", entry.id)
                )
    if not collected.entries and not problems:
        problems.append(Problem("(knowledge)", 0, "the knowledge base has no entries"))
    return KnowledgeBase(
        topics=tuple(topic for topic, _, _ in collected.topics),
        entries=tuple(entry for entry, _, _ in collected.entries),
        synonyms=tuple(collected.synonyms.items()),
        smalltalk=tuple(collected.smalltalk),
        diagnosis_lists=tuple(collected.diagnosis_lists),
    )


@dataclass(frozen=True)
class KnowledgeChanges:
    """What a reload changed, by entry id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    edited: tuple[str, ...]

    def __str__(self) -> str:
        parts = [
            f"{label}: {', '.join(ids)}"
            for label, ids in (
                ("added", self.added),
                ("removed", self.removed),
                ("edited", self.edited),
            )
            if ids
        ]
        return "; ".join(parts) or "no entry changed"


def compare(old: KnowledgeBase, new: KnowledgeBase) -> KnowledgeChanges:
    """Entries added, removed and edited between two loads."""
    before = {entry.id: entry for entry in old.entries}
    after = {entry.id: entry for entry in new.entries}
    return KnowledgeChanges(
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        edited=tuple(i for i in after if i in before and after[i] != before[i]),
    )
