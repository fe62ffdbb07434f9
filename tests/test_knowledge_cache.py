"""The knowledge cache: same knowledge as the YAML, used only while the files are unchanged."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest

from bot import knowledge_cache
from bot.knowledge import KnowledgeError, load_knowledge
from bot.knowledge_cache import CACHE_DIRECTORY, load_cached, load_matcher
from bot.matching import Matcher
from tests.conftest import ROOT


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge"))


def cache_files(data: Path) -> list[Path]:
    return sorted((data / CACHE_DIRECTORY).glob("knowledge-*.json"))


def test_the_cache_gives_the_same_knowledge_and_is_used_while_files_are_unchanged(
    knowledge_dir: Path, tmp_path: Path
):
    data = tmp_path / "data"
    fresh = load_knowledge(knowledge_dir)
    assert load_cached(knowledge_dir, data) == fresh
    [cache] = cache_files(data)
    assert cache.stat().st_mode & 0o777 == 0o600
    assert load_cached(knowledge_dir, data) == fresh
    # proof that the second load came from the cache: what the file says is what loads
    stored = json.loads(cache.read_text(encoding="utf-8"))
    stored["knowledge"]["entries"][0]["answer"] = "Cached."
    cache.write_text(json.dumps(stored), encoding="utf-8")
    assert load_cached(knowledge_dir, data).entries[0].answer == "Cached."


def test_an_edited_file_is_read_again_and_replaces_the_cache(knowledge_dir: Path, tmp_path: Path):
    data = tmp_path / "data"
    load_cached(knowledge_dir, data)
    [before] = cache_files(data)
    first = load_knowledge(knowledge_dir).entries[0]
    path = next(p for p in knowledge_dir.glob("*.yaml") if f"id: {first.id}\n" in p.read_text())
    path.write_text(path.read_text().replace(first.question, "An edited question?"))
    assert load_cached(knowledge_dir, data).entries[0].question == "An edited question?"
    [after] = cache_files(data)
    assert after != before


def test_a_damaged_or_foreign_cache_is_ignored(knowledge_dir: Path, tmp_path: Path, caplog):
    data = tmp_path / "data"
    fresh = load_cached(knowledge_dir, data)
    [cache] = cache_files(data)
    cache.write_text("{not json")
    assert load_cached(knowledge_dir, data) == fresh
    assert "unreadable" in caplog.text
    key = json.loads(cache.read_text())["key"]
    cache.write_text(json.dumps({"key": key, "knowledge": {"@": "Popen", "args": ["id"]}}))
    assert load_cached(knowledge_dir, data) == fresh


def test_invalid_knowledge_is_refused_and_never_cached(knowledge_dir: Path, tmp_path: Path):
    data = tmp_path / "data"
    (knowledge_dir / "broken.yaml").write_text("entries:\n  - id: Bad Id\n")
    with pytest.raises(KnowledgeError):
        load_cached(knowledge_dir, data)
    assert cache_files(data) == []


def index_files(data: Path) -> list[Path]:
    return sorted((data / CACHE_DIRECTORY).glob("index-*.json"))


def test_the_matcher_from_the_cache_answers_as_a_fresh_one(knowledge_dir: Path, tmp_path: Path):
    data = tmp_path / "data"
    fresh = Matcher(load_knowledge(knowledge_dir))
    questions = [
        "which code for 3 muscles?",
        "does medicare cover trigger point injections",
        "how long does a tpi take",
        "can I bill 20552 twice",
        "is M79.18 covered",
        "hello",
    ]
    compiled = load_matcher(knowledge_dir, data)  # compiles and writes the index
    [index] = index_files(data)
    assert index.stat().st_mode & 0o777 == 0o600
    cached = load_matcher(knowledge_dir, data)  # from the cache
    for question in questions:
        expected = fresh.answer(question)
        assert compiled.answer(question) == expected
        assert cached.answer(question) == expected
    # proof that the index came from the cache: what the file says is what is matched
    stored = json.loads(index.read_text(encoding="utf-8"))
    stored["index"]["texts"] = stored["index"]["texts"].replace("20553", "99999")
    index.write_text(json.dumps(stored), encoding="utf-8")
    assert any("99999" in text for text in load_matcher(knowledge_dir, data)._index.texts)


def test_an_edit_or_other_compiling_code_compiles_the_index_again(
    knowledge_dir: Path, tmp_path: Path, monkeypatch
):
    data = tmp_path / "data"
    load_matcher(knowledge_dir, data)
    [before] = index_files(data)
    path = sorted(knowledge_dir.glob("*.yaml"))[0]
    path.write_text(path.read_text() + "\n# edited\n")
    load_matcher(knowledge_dir, data)
    [after] = index_files(data)
    assert after != before
    monkeypatch.setattr(knowledge_cache, "_INDEX_SOURCES", ("index.py", "text.py"))
    load_matcher(knowledge_dir, data)
    [other_code] = index_files(data)
    assert other_code != after


def test_a_damaged_index_cache_is_compiled_again(knowledge_dir: Path, tmp_path: Path, caplog):
    data = tmp_path / "data"
    load_matcher(knowledge_dir, data)
    [index] = index_files(data)
    stored = json.loads(index.read_text(encoding="utf-8"))
    stored["index"]["ends"] = stored["index"]["ends"][:-1]
    index.write_text(json.dumps(stored), encoding="utf-8")
    matcher = load_matcher(knowledge_dir, data)
    assert "unreadable" in caplog.text
    assert matcher.answer("which code for 3 muscles?") == Matcher(
        load_knowledge(knowledge_dir)
    ).answer("which code for 3 muscles?")
    index.write_text("[1, 2")
    load_matcher(knowledge_dir, data)
    assert json.loads(index.read_text())["key"]  # rewritten whole


def test_a_reload_shares_the_unchanged_entries_and_answers_as_a_fresh_load(
    knowledge_dir: Path, tmp_path: Path
):
    data = tmp_path / "data"
    old = load_matcher(knowledge_dir, data)
    first = old.knowledge.entries[0]
    path = next(p for p in knowledge_dir.glob("*.yaml") if f"id: {first.id}\n" in p.read_text())
    path.write_text(path.read_text().replace(first.question, "An edited question?"))
    new = load_matcher(knowledge_dir, data, previous=old)
    assert new.knowledge == load_knowledge(knowledge_dir)
    assert new.knowledge.entries[0] is not first
    assert all(e is old.knowledge.entry(e.id) for e in new.knowledge.entries[1:])
    fresh = Matcher(load_knowledge(knowledge_dir))
    for question in ("An edited question?", "which code for 3 muscles?", "tpi cost"):
        assert new.answer(question) == fresh.answer(question)


def test_loading_with_reuse_shares_unchanged_entries_as_each_file_is_read(knowledge_dir: Path):
    old = load_knowledge(knowledge_dir)
    first = old.entries[0]
    path = next(p for p in knowledge_dir.glob("*.yaml") if f"id: {first.id}\n" in p.read_text())
    path.write_text(path.read_text().replace(first.question, "An edited question?"))
    new = load_knowledge(knowledge_dir, reuse=old)
    assert new == load_knowledge(knowledge_dir)
    assert new.entries[0] is not first and new.entries[0].question == "An edited question?"
    assert all(e is old.entry(e.id) for e in new.entries[1:])


@pytest.mark.parametrize(
    "value",
    [
        'a\n"quoted" ünïcode \\ back\tslash \x01' * 80_000,  # over a million characters
        {f"stem{n}": " ".join(map(str, range(n % 7))) for n in range(2_500)},
        [f"text {n}\n" for n in range(2_500)],
        "short",
    ],
    ids=["long text", "long mapping", "long list", "short"],
)
def test_a_long_value_is_written_in_pieces_as_one_json_text(value: object):
    written = StringIO()
    knowledge_cache._write_value(written, value)
    assert written.getvalue() == knowledge_cache._json(value)
    assert json.loads(written.getvalue()) == value


def test_a_reload_of_unchanged_files_shares_every_entry_from_the_cache(
    knowledge_dir: Path, tmp_path: Path
):
    data = tmp_path / "data"
    old = load_matcher(knowledge_dir, data)  # writes the cache
    new = load_matcher(knowledge_dir, data, previous=old)  # read back from it
    assert new.knowledge == old.knowledge
    assert all(e is old.knowledge.entry(e.id) for e in new.knowledge.entries)
