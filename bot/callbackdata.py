"""Callback data of buttons: ``faq:<id>``, ``topic:<id>``, ``topics``,
``vote:<id>:<1|0>[:<question log row>]`` and the admins' teach buttons ``tc:...``.

The one place that writes and reads it, for the replies that offer buttons, the handlers
that answer presses and the console's numbered choices. The data names what to show, so a
button works after a restart and on any replica; Telegram allows 64 bytes, and ids are at
most 48 ASCII characters (see ``bot.knowledge.validation.ID_PATTERN``).

Teach buttons carry no question text: the question log row id names the wording, and an
8-character fingerprint of the knowledge files at report time refuses a change to files
edited since. ``tc:a:<row>:<entry>:<fp>`` asks for confirmation, ``tc:y:...`` (same fields)
teaches, ``tc:o:<row>:<fp>`` lists the topics, ``tc:t:<row>:<topic>:<fp>`` a topic's
entries, ``tc:i:<row>`` ignores the group, ``tc:n`` cancels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

MAX_BYTES = 64


class Kind(Enum):
    """What a button stands for."""

    FAQ = "faq"
    TOPIC = "topic"
    TOPICS = "topics"
    VOTE = "vote"


TOPICS_DATA = Kind.TOPICS.value
# Matches exactly what vote_data writes; the handler for votes is registered with it.
VOTE_PATTERN = r"^vote:[a-z0-9_-]+:[01](:[0-9]{1,18})?$"
TEACH_PREFIX = "tc"
TEACH_PATTERN = rf"^{TEACH_PREFIX}:"
# The fields each teach action carries, after ``tc:<action>``: row, id, fingerprint.
_TEACH_FIELDS = {"a": "rif", "y": "rif", "t": "rif", "o": "rf", "i": "r", "n": ""}
_TEACH_FIELD = {
    "r": re.compile(r"\d{1,18}"),
    "i": re.compile(r"[a-z0-9][a-z0-9_-]{0,47}"),
    "f": re.compile(r"[0-9a-f]{8}"),
}


@dataclass(frozen=True)
class ButtonData:
    """Parsed callback data; ``key`` is the entry or topic id, empty for ``topics``."""

    kind: Kind
    key: str = ""
    helpful: bool = False
    # For votes: the question log row of the question answered, if the button names it.
    row: int | None = None


@dataclass(frozen=True)
class TeachButton:
    """A decoded teach button: ``target`` is an entry or topic id."""

    action: str
    row: int | None
    target: str | None
    fingerprint: str | None


def faq_data(entry_id: str) -> str:
    return f"{Kind.FAQ.value}:{entry_id}"


def topic_data(topic_id: str) -> str:
    return f"{Kind.TOPIC.value}:{topic_id}"


def vote_data(entry_id: str, *, helpful: bool, question_row: int | None = None) -> str:
    """The vote, naming the question log row of the question answered where it fits in
    Telegram's 64 bytes (a long id with a large row id does not: the vote still counts)."""
    data = f"{Kind.VOTE.value}:{entry_id}:{int(helpful)}"
    with_row = f"{data}:{question_row}"
    return with_row if question_row is not None and len(with_row) <= MAX_BYTES else data


def teach_data(action: str, *fields: object) -> str | None:
    """Callback data for a teach button; None if it would exceed Telegram's 64 bytes."""
    data = ":".join([TEACH_PREFIX, action, *map(str, fields)])
    return data if len(data.encode()) <= MAX_BYTES else None


def parse_teach(data: str) -> TeachButton | None:
    """The teach button's fields, or None for data no teach button carries."""
    prefix, _, rest = data.partition(":")
    action, *fields = rest.split(":")
    kinds = _TEACH_FIELDS.get(action)
    if prefix != TEACH_PREFIX or kinds is None or len(fields) != len(kinds):
        return None
    pairs = list(zip(kinds, fields, strict=True))
    if not all(_TEACH_FIELD[kind].fullmatch(value) for kind, value in pairs):
        return None
    named = dict(pairs)
    row = named.get("r")
    return TeachButton(action, int(row) if row else None, named.get("i"), named.get("f"))


def parse(data: str) -> ButtonData | None:
    """The button that ``data`` stands for; None for anything this bot did not write."""
    if data == TOPICS_DATA:
        return ButtonData(Kind.TOPICS)
    kind, _, key = data.partition(":")
    if kind == Kind.VOTE.value:
        entry_id, _, rest = key.partition(":")
        helpful, _, row = rest.partition(":")
        if entry_id and helpful in ("0", "1") and (not row or row.isdigit()):
            return ButtonData(Kind.VOTE, entry_id, helpful == "1", int(row) if row else None)
        return None
    if kind in (Kind.FAQ.value, Kind.TOPIC.value) and key:
        return ButtonData(Kind(kind), key)
    return None
