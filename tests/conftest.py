"""Shared fixtures: the shipped knowledge base, a matcher, a writer for small YAML fixtures
and a tiny ICD-10-CM release."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import icd10
from bot.icd10 import CodeSetFiles
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


NEWER_TABULAR = """\
<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2027</version>
  <introduction><introSection type="title"><title>T</title></introSection></introduction>
  <chapter>
    <name>13</name>
    <desc>Diseases of the musculoskeletal system and connective tissue (M00-M99)</desc>
    <section id="M70-M79">
      <desc>Other soft tissue disorders (M70-M79)</desc>
      <diag>
        <name>M79</name>
        <desc>Other and unspecified soft tissue disorders, not elsewhere classified</desc>
        <diag>
          <name>M79.1</name>
          <desc>Myalgia</desc>
          <excludes1><note>fibromyalgia (M79.7)</note></excludes1>
          <diag><name>M79.10</name><desc>Myalgia, unspecified site</desc></diag>
          <diag><name>M79.19</name><desc>Myalgia, a site added in this test release</desc></diag>
        </diag>
        <diag><name>M79.7</name><desc>Fibromyalgia</desc></diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""


@pytest.fixture
def newer_release(tmp_path: Path) -> Iterator[CodeSetFiles]:
    """A configured release in place of the package's: small, so it loads at once."""
    tabular = tmp_path / "icd10cm-tabular-2027.xml"
    tabular.write_text(NEWER_TABULAR, encoding="utf-8")
    code_list = tmp_path / "icd10cm-codes-2027.txt"
    code_list.write_text("M7910   Myalgia, unspecified site\n", encoding="utf-8")
    yield CodeSetFiles(tabular=tabular, codes=code_list)
    icd10.configure(None)
