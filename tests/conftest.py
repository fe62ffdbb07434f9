"""Shared fixtures: the shipped knowledge base, a matcher, and a writer for small YAML fixtures."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.knowledge.loader import parse_yaml
from bot.matching import Matcher

ROOT = Path(__file__).resolve().parent.parent

MINIMAL_TOPICS = """\
topics:
  - id: billing
    title: Billing
"""

MINIMAL_ENTRY = """\
entries:
  - id: cpt-code
    topic: billing
    reviewed: 2026-11-01
    question: What is the CPT code?
    answer: 20552 for 1 or 2 muscles, 20553 for 3 or more.
    sources:
      - name: AMA
"""


def read_yaml(path: Path) -> Any:
    """``yaml.safe_load`` of a file, parsed as the knowledge loader does: with libyaml where
    available (pure-Python PyYAML took about a second of the fast loop on the test data)."""
    data, _ = parse_yaml(path.read_text(encoding="utf-8"))
    return data


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every end-to-end test starts run_bot.py as a process: mark them all slow."""
    e2e = ROOT / "tests" / "e2e"
    for item in items:
        if item.path.is_relative_to(e2e):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return load_knowledge(ROOT / "knowledge")


@pytest.fixture(scope="session")
def matcher(knowledge: KnowledgeBase) -> Matcher:
    return Matcher(knowledge)


@pytest.fixture
def write_knowledge(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML files (name -> text) into a fresh directory and return it."""

    def write(**files: str) -> Path:
        for name, content in files.items():
            (tmp_path / f"{name}.yaml").write_text(textwrap.dedent(content), encoding="utf-8")
        return tmp_path

    return write
