"""Validation of the knowledge base: the allowed fields, the typed checks and the problems.

Validation collects every problem it finds and raises one :class:`KnowledgeError` whose
lines name the file, the line and the entry, so staff can fix a whole file in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlparse

from bot.knowledge.model import Entry, Source, Topic
from bot.knowledge.positions import ItemLines, KeptLines

# Ids end up in callback data ("faq:<id>") and deep links, which allow 64 ASCII bytes.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")

# Field name -> whether it is required.
ENTRY_FIELDS = {
    "id": True,
    "topic": True,
    "reviewed": True,
    "question": True,
    "alternates": False,
    "keywords": False,
    "answer": True,
    "patient_answer": False,
    "sources": True,
    "related": False,
}
TOPIC_FIELDS = {"id": True, "title": True, "keywords": False, "for_staff": False}
SOURCE_FIELDS = {"name": True, "url": False}
SMALLTALK_FIELDS = {"id": True, "patterns": True, "reply": True}
SAFETY_FIELDS = {
    "id": True,
    "reply": True,
    "patterns": False,
    "symptoms": False,
    "context": False,
    "reported": False,
    "unless": False,
    "related": False,
}
POINT_FIELDS = {
    "id": True,
    "cues": True,
    "entries": True,
    "unanswered": False,
    "subject_alone": False,
    "for_staff": False,
    "billing_entries": False,
    "reports": False,
}
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

MUSCLE_TERM_FIELDS = {"id": True, "name": True, "names": False, "note": False}

# The fields that the checks across files (links, duplicates) report problems on: their
# lines are all that is kept of an item once its file's node tree is dropped.
LINKED_FIELDS = ("topic", "related", "entries", "billing_entries", "names", "cues")

T = TypeVar("T")


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


class ItemChecker:
    """Checks the fields of one item of a section and reports problems at their lines."""

    def __init__(
        self,
        display: str,
        section: str,
        item: object,
        lines: ItemLines,
        problems: list[Problem],
    ) -> None:
        self.display = display
        self.section = section
        self.item = item
        self.lines = lines
        self.problems = problems

    def problem(self, line: int, message: str, entry_id: str | None = None) -> None:
        self.problems.append(Problem(self.display, line, message, entry_id))

    def get(self, key: str, default: object = None) -> Any:
        """The raw value of a field; ``default`` when absent or the item is no mapping."""
        return self.item.get(key, default) if isinstance(self.item, dict) else default

    def raw_id(self) -> str | None:
        """The item's id as written, to label problems found before the id is checked."""
        value = self.get("id")
        return value if isinstance(value, str) else None

    def check_fields(self, fields: Mapping[str, bool], label: str | None) -> bool:
        if not isinstance(self.item, dict):
            self.problem(self.lines.item, f"each {self.section} item must be a mapping")
            return False
        for key in self.item:
            if key not in fields:
                allowed = ", ".join(fields)
                line = self.lines.field(str(key))
                self.problem(line, f"unknown field '{key}' (allowed: {allowed})", label)
        missing = [key for key, required in fields.items() if required and key not in self.item]
        for key in missing:
            self.problem(self.lines.item, f"missing field '{key}'", label)
        return not missing

    def text(self, key: str, label: str | None) -> str:
        value = self.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        line = self.lines.field(key)
        if isinstance(value, str) or value is None:
            self.problem(line, f"'{key}' must not be empty", label)
        else:
            self.problem(line, f"'{key}' must be text, not {type_name(value)}", label)
        return ""

    def optional_text(self, key: str, label: str | None) -> str | None:
        """A text field that may be left out; when written, it must be text."""
        if isinstance(self.item, dict) and key in self.item:
            return self.text(key, label) or None
        return None

    def text_list(self, key: str, label: str | None) -> tuple[str, ...]:
        value = self.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list):
            line = self.lines.field(key)
            self.problem(line, f"'{key}' must be a list, not {type_name(value)}", label)
            return ()
        texts: list[str] = []
        for element in value:
            # Code numbers such as 20552 are natural to write unquoted; YAML reads them as ints.
            if isinstance(element, int) and not isinstance(element, bool):
                element = str(element)
            if not isinstance(element, str) or not element.strip():
                message = f"'{key}' items must be non-empty text, got {element!r}"
                self.problem(self.lines.field(key), message, label)
                continue
            texts.append(element.strip())
        return tuple(texts)

    def flag(self, key: str, label: str | None) -> bool:
        """A true/false field; false when absent."""
        value = self.get(key, False)
        if isinstance(value, bool):
            return value
        self.problem(self.lines.field(key), f"'{key}' must be true or false", label)
        return False

    def date(self, key: str, label: str | None) -> dt.date | None:
        value = self.get(key)
        # YAML reads an unquoted 2026-11-26 as a date; a quoted one arrives as text.
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        line = self.lines.field(key)
        self.problem(line, f"'{key}' must be a date YYYY-MM-DD, got {value!r}", label)
        return None

    def where(self) -> Where:
        """What outlives this item's node tree: its file, its lines, the problem list."""
        return Where(self.display, self.lines.kept(LINKED_FIELDS), self.problems)

    def entry_id(self) -> str | None:
        value = self.get("id")
        if isinstance(value, str) and ID_PATTERN.match(value):
            return value
        self.problem(
            self.lines.field("id"),
            f"id {value!r} must be lowercase letters, digits, '-' or '_' (at most 48)",
        )
        return None

    def sources(self, label: str) -> tuple[Source, ...]:
        value = self.get("sources")

        def problem(message: str) -> None:  # the line is looked up only when needed
            self.problem(self.lines.field("sources"), message, label)

        if not isinstance(value, list) or not value:
            problem("'sources' must be a non-empty list of {name, url}")
            return ()
        sources: list[Source] = []
        for raw in value:
            if not isinstance(raw, dict):
                problem(f"each source must be a mapping, got {raw!r}")
                continue
            for key in raw:
                if key not in SOURCE_FIELDS:
                    problem(f"unknown source field '{key}' (allowed: name, url)")
            name = raw.get("name")
            if not isinstance(name, str) or not name.strip():
                problem("a source has no name")
                continue
            url = raw.get("url")
            if url is not None and not is_http_url(url):
                problem(f"source '{name}' has url {url!r}, not an http(s) URL")
                continue
            sources.append(Source(name.strip(), url.strip() if url else None))
        return tuple(sources)


def type_name(value: object) -> str:
    """How a wrongly typed YAML value is named in a problem."""
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urlparse(value.strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in value


@dataclass(frozen=True, slots=True)
class Where:
    """The file and lines of a loaded item, for problems found once all files are read."""

    display: str
    lines: KeptLines
    problems: list[Problem]

    def problem(self, line: int, message: str, entry_id: str | None = None) -> None:
        self.problems.append(Problem(self.display, line, message, entry_id))


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A value read from a section item, with where it came from."""

    value: T
    where: Where


def check_links(
    topics: Sequence[Located[Topic]], entries: Sequence[Located[Entry]], problems: list[Problem]
) -> None:
    """Check what spans files: unique ids and references to topics and entries."""
    topic_ids: dict[str, str] = {}
    for located_topic in topics:
        topic = located_topic.value
        path, line = located_topic.where.display, located_topic.where.lines.item
        if topic.id in topic_ids:
            problems.append(
                Problem(path, line, f"duplicate topic id (first in {topic_ids[topic.id]})")
            )
        topic_ids.setdefault(topic.id, f"{path}:{line}")
    entry_ids: dict[str, str] = {}
    for located_entry in entries:
        entry = located_entry.value
        path, line = located_entry.where.display, located_entry.where.lines.item
        if entry.id in entry_ids:
            first = entry_ids[entry.id]
            problems.append(Problem(path, line, f"duplicate id (first in {first})", entry.id))
        entry_ids.setdefault(entry.id, f"{path}:{line}")
    for located_entry in entries:
        entry = located_entry.value
        path, lines = located_entry.where.display, located_entry.where.lines
        if entry.topic not in topic_ids:
            known = ", ".join(sorted(topic_ids)) or "none defined"
            problems.append(
                Problem(
                    path,
                    lines.field("topic"),
                    f"unknown topic '{entry.topic}' (topics: {known})",
                    entry.id,
                )
            )
        for related in entry.related:
            if related not in entry_ids:
                line = lines.field("related")
                problems.append(
                    Problem(path, line, f"related id '{related}' does not exist", entry.id)
                )
    if not entries and not problems:
        problems.append(Problem("(knowledge)", 0, "the knowledge base has no entries"))
