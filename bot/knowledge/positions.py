"""Line numbers of YAML items and fields, taken from the node tree ``yaml.compose`` builds.

Loading gives plain data without positions; the composed nodes carry a start mark for every
item, key and value, so a problem can name the line a person has to edit. A file's node
tree lives only while that file is validated: what the checks across files need later
(an item's line and the lines of the few fields they report on) is kept as
:class:`KeptLines`, a handful of integers per item. At 100,000 entries the node trees of
every file together took gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import yaml


def line_of(node: yaml.Node) -> int:
    """The 1-based line where ``node`` starts."""
    return int(node.start_mark.line) + 1


def mapping_pair(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) of ``key`` in a mapping node; the last wins, as in the data."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = (key_node, value_node)
    return found


def sequence_items(node: yaml.Node | None) -> list[yaml.Node]:
    """The item nodes of a sequence node; empty for anything else."""
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


class Lines(Protocol):
    """Where an item starts and where its fields are."""

    @property
    def item(self) -> int: ...

    def field(self, key: str) -> int: ...


@dataclass(frozen=True, slots=True)
class KeptLines:
    """An item's line and the lines of some of its fields, without the node tree."""

    item: int
    fields: tuple[tuple[str, int], ...] = ()

    def field(self, key: str) -> int:
        """The line of ``key:`` if it was kept, else the item's line."""
        return next((line for name, line in self.fields if name == key), self.item)


class ItemLines:
    """Lines of one item of a section (a list element or the section itself) and its fields."""

    def __init__(self, node: yaml.Node | None, fallback: int) -> None:
        self.node = node
        self.item = line_of(node) if node is not None else fallback

    def field(self, key: str) -> int:
        """The line of ``key:`` in this item, or the item's line when the key is absent."""
        pair = mapping_pair(self.node, key)
        return line_of(pair[0]) if pair else self.item

    def kept(self, keys: tuple[str, ...]) -> KeptLines:
        """The lines of ``keys`` (those present) for use after the node tree is gone."""
        if not isinstance(self.node, yaml.MappingNode):
            return KeptLines(self.item)
        wanted = set(keys)
        found: dict[str, int] = {}
        for key_node, _ in self.node.value:  # the last of equal keys wins, as in the data
            if isinstance(key_node, yaml.ScalarNode) and key_node.value in wanted:
                found[key_node.value] = line_of(key_node)
        return KeptLines(self.item, tuple(found.items()))
