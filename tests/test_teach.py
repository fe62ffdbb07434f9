"""Teaching a wording: ``bot.teach`` in-process, and ``run_bot.py teach`` as a subprocess."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.matching import Matcher, Status, Thresholds
from bot.questionlog import QuestionLog
from bot.teach import TeachError, knowledge_digest, teach
from tests.conftest import ROOT
from tests.test_cli import run

TOPICS = """\
topics:
  - id: billing
    title: Billing
  - id: care
    title: Care
"""

# Comments, three quoting styles, a flow list and a block scalar: all must survive.
ENTRIES = """\
# Fixture for teach: comments, quoting and layout must survive.
entries:
  - id: units
    topic: billing   # trailing comment
    reviewed: 2026-11-01
    question: How many units of 20552 can I bill?
    alternates:
      # a comment inside the list
      - 'Units per session for trigger point injections?'
      - "How many times can I bill 20553 in one visit?"
      - Billing units for TPI
    keywords: ["units"]
    answer: |-
      One unit per session, whatever the number of injections.
    sources:
      - name: AMA

  - id: ice
    topic: care
    reviewed: 2026-11-01
    question: Should I put ice on the injection site?
    alternates:
      - Ice or heat after the shot?
      - Can I use a heating pad after trigger point injections?
    answer: Ice helps with soreness for the first day; heat after that.
    sources:
      - name: Clinic leaflet
"""


@pytest.fixture
def fixture_dir(write_knowledge: Callable[..., Path]) -> Path:
    return write_knowledge(topics=TOPICS, entries=ENTRIES)


def _teach(directory: Path, entry_id: str, wording: str, tmp_path: Path, **kwargs):
    return teach(
        directory,
        entry_id,
        wording,
        thresholds=Thresholds(),
        backup_dir=tmp_path / "bak",
        **kwargs,
    )


def test_teach_adds_one_line_and_keeps_the_rest_byte_for_byte(fixture_dir: Path, tmp_path: Path):
    path = fixture_dir / "entries.yaml"
    before = path.read_text()
    wording = "Can I put an ice pack on it: yes or no?"  # a colon needs quoting
    assert Matcher(load_knowledge(fixture_dir)).answer(wording).status is not Status.ANSWER

    taught = _teach(fixture_dir, "ice", wording, tmp_path)

    after = path.read_text()
    added = after.splitlines()[taught.line - 1]
    assert added == "      - 'Can I put an ice pack on it: yes or no?'"
    lines = after.splitlines(keepends=True)
    assert "".join(lines[: taught.line - 1] + lines[taught.line :]) == before
    assert (
        taught.line - 1
        == before.splitlines().index(
            "      - Can I use a heating pad after trigger point injections?"
        )
        + 1
    )
    assert taught.backup.read_text() == before
    result = Matcher(load_knowledge(fixture_dir)).answer(wording)
    assert result.status is Status.ANSWER and result.entry.id == "ice"
    assert not list(fixture_dir.glob(".*.tmp"))  # the temporary file was renamed


def test_a_collision_is_refused_and_nothing_written(fixture_dir: Path, tmp_path: Path):
    before = knowledge_digest(fixture_dir)
    with pytest.raises(TeachError) as refused:
        _teach(fixture_dir, "ice", "units", tmp_path)  # a keyword of 'units'
    assert refused.value.exit_code == 1
    assert "keyword 'units' matches 'ice' better" in str(refused.value)
    assert knowledge_digest(fixture_dir) == before
    assert not list((tmp_path / "bak").glob("*.yaml"))


@pytest.mark.parametrize(
    ("entry_id", "wording", "code", "message"),
    [
        ("icee", "ice after the shot?", 1, "There is no entry 'icee'. Did you mean ice?"),
        ("ice", "   ", 2, "empty"),
        ("ice", "ice or HEAT after the shot", 1, "already has the wording"),
        ("ice", "x" * 301, 2, "at most 300"),
    ],
)
def test_bad_requests_are_refused(
    fixture_dir: Path, tmp_path: Path, entry_id: str, wording: str, code: int, message: str
):
    before = knowledge_digest(fixture_dir)
    with pytest.raises(TeachError) as refused:
        _teach(fixture_dir, entry_id, wording, tmp_path)
    assert refused.value.exit_code == code and message in str(refused.value)
    assert knowledge_digest(fixture_dir) == before


def test_files_changed_since_the_report_are_refused(fixture_dir: Path, tmp_path: Path):
    seen = knowledge_digest(fixture_dir)
    path = fixture_dir / "entries.yaml"
    path.write_text(path.read_text() + "# edited by someone else\n")
    edited = path.read_text()
    with pytest.raises(TeachError, match="changed since"):
        _teach(fixture_dir, "ice", "ice pack or not", tmp_path, expected_digest=seen)
    assert path.read_text() == edited


def test_a_file_that_would_not_load_is_refused(fixture_dir: Path, tmp_path: Path):
    (fixture_dir / "broken.yaml").write_text("entries:\n  - id: broken\n")
    with pytest.raises(TeachError, match="do not load"):
        _teach(fixture_dir, "ice", "ice pack or not", tmp_path)


def test_cli_teach_on_the_shipped_knowledge(tmp_path: Path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    question = "can i drive home after trigger point injections"
    env = {"DATA_DIR": str(tmp_path / "data")}
    asked = run("--knowledge", str(knowledge), "ask", question, "--json", env=env)
    assert '"status": "answer"' not in asked.stdout
    old = {p.name: p.read_bytes() for p in knowledge.glob("*.yaml")}

    done = run("--knowledge", str(knowledge), "teach", question, "aftercare", env=env)

    assert done.returncode == 0, done.stderr
    assert "to entry 'aftercare'" in done.stdout and "/reload" in done.stdout
    changed = [p for p in knowledge.glob("*.yaml") if p.read_bytes() != old[p.name]]
    assert len(changed) == 1
    new_lines = changed[0].read_text().splitlines(keepends=True)
    added = [i for i, line in enumerate(new_lines) if line == f"      - {question}\n"]
    assert len(added) == 1
    del new_lines[added[0]]
    assert "".join(new_lines).encode() == old[changed[0].name]
    backups = list((tmp_path / "data" / "knowledge-backups").glob("*.yaml"))
    assert [b.read_bytes() for b in backups] == [old[changed[0].name]]
    asked = run("--knowledge", str(knowledge), "ask", question, "--json", env=env)
    assert '"status": "answer"' in asked.stdout and '"id": "aftercare"' in asked.stdout


def test_cli_teach_refusals_exit_with_a_message(fixture_dir: Path, tmp_path: Path):
    before = knowledge_digest(fixture_dir)
    env = {"DATA_DIR": str(tmp_path / "data")}
    cases = [
        (("teach", "units", "ice"), 1, "would make other questions match worse"),
        (("teach", "ice pack?", "nope"), 1, "There is no entry 'nope'"),
        (("teach", "", "ice"), 2, "empty"),
        (("teach", "only a question"), 2, "usage"),
        (("teach", "--list", "x"), 2, "--list takes no question"),
    ]
    for args, code, message in cases:
        done = run("--knowledge", str(fixture_dir), *args, env=env)
        assert done.returncode == code, (args, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
    assert knowledge_digest(fixture_dir) == before


def test_cli_teach_list_shows_groups_with_suggestions(tmp_path: Path, matcher: Matcher):
    log = QuestionLog(tmp_path / "data")
    log.start()
    for question in ("can i drive home after trigger point injections",) * 2 + (
        "can i drive home after a trigger point injection",
        "what is a tpi",
    ):
        log.record("private", matcher.answer(question))
    log.close()

    done = run("teach", "--list", "--days", "3", env={"DATA_DIR": str(tmp_path / "data")})

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "3 × 'can i drive home after trigger point injections' (2 wordings)" in out
    assert "run_bot.py teach 'can i drive home after trigger point injections' aftercare" in out
    assert "what is a tpi" not in out  # answered
