"""Callback data of buttons: ``faq:<id>``, ``topic:<id>``, ``topics`` and ``vote:<id>:<1|0>``.

The one place that writes and reads it, for the replies that offer buttons, the handlers
that answer presses and the console's numbered choices. The data names what to show, so a
button works after a restart and on any replica; Telegram allows 64 bytes, and ids are at
most 48 ASCII characters (see ``bot.knowledge.validation.ID_PATTERN``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a button stands for."""

    FAQ = "faq"
    TOPIC = "topic"
    TOPICS = "topics"
    VOTE = "vote"


TOPICS_DATA = Kind.TOPICS.value
# Matches exactly what vote_data writes; the handler for votes is registered with it.
VOTE_PATTERN = r"^vote:[a-z0-9_-]+:[01]$"


@dataclass(frozen=True)
class ButtonData:
    """Parsed callback data; ``key`` is the entry or topic id, empty for ``topics``."""

    kind: Kind
    key: str = ""
    helpful: bool = False


def faq_data(entry_id: str) -> str:
    return f"{Kind.FAQ.value}:{entry_id}"


def topic_data(topic_id: str) -> str:
    return f"{Kind.TOPIC.value}:{topic_id}"


def vote_data(entry_id: str, *, helpful: bool) -> str:
    return f"{Kind.VOTE.value}:{entry_id}:{int(helpful)}"


def parse(data: str) -> ButtonData | None:
    """The button that ``data`` stands for; None for anything this bot did not write."""
    if data == TOPICS_DATA:
        return ButtonData(Kind.TOPICS)
    kind, _, key = data.partition(":")
    if kind == Kind.VOTE.value:
        entry_id, _, helpful = key.partition(":")
        if entry_id and helpful in ("0", "1"):
            return ButtonData(Kind.VOTE, entry_id, helpful == "1")
        return None
    if kind in (Kind.FAQ.value, Kind.TOPIC.value) and key:
        return ButtonData(Kind(kind), key)
    return None
