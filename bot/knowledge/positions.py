"""Line numbers of YAML items and fields, taken from the node tree ``yaml.compose`` builds.

Loading gives plain data without positions; the composed nodes carry a start mark for every
item, key and value, so a problem can name the line a person has to edit.
"""

from __future__ import annotations

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


class ItemLines:
    """Lines of one item of a section (a list element or the section itself) and its fields."""

    def __init__(self, node: yaml.Node | None, fallback: int) -> None:
        self.node = node
        self.item = line_of(node) if node is not None else fallback

    def field(self, key: str) -> int:
        """The line of ``key:`` in this item, or the item's line when the key is absent."""
        pair = mapping_pair(self.node, key)
        return line_of(pair[0]) if pair else self.item
