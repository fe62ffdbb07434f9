"""The shipped knowledge base is complete and correct; bad YAML fails with file, line and entry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge, loader
from tests.conftest import MINIMAL_ENTRY, MINIMAL_TOPICS, ROOT

REQUIRED = {
    "coding": [
        "cpt-code",
        "billing-units",
        "imaging-guidance",
        "dry-needling",
        "same-day-visit",
        "cpt-purpose",
    ],
    "coverage": ["diagnosis-codes", "medicare-limits"],
    "drugs": ["drug-billing"],
    "procedure": ["what-is-tpi", "effectiveness"],
    "symptoms": ["symptoms", "referred-pain", "prevalence"],
    "diagnosis": ["diagnosis", "diagnostic-questions"],
    "treatment": ["treatments"],
    "conditions": ["related-conditions"],
}


def test_shipped_knowledge_has_every_required_entry_under_its_topic(knowledge: KnowledgeBase):
    assert {t.id for t in knowledge.topics} == set(REQUIRED)
    assert {e.id: e.topic for e in knowledge.entries} == {
        entry_id: topic for topic, ids in REQUIRED.items() for entry_id in ids
    }


def test_every_entry_has_six_alternates_and_a_source(knowledge: KnowledgeBase):
    for entry in knowledge.entries:
        assert len(entry.alternates) >= 6, entry.id
        assert entry.sources, entry.id


# The links ../shared/knowledge-facts.md lists as checked; no other URL may be cited.
CHECKED_URLS = {
    "https://aapc.com/codes/coding-newsletters/my-part-b-coding-alert/reader-questions-20552-20553-cover-paraspinal-muscle-tpi-article",
    "https://karenzupko.com/fluoroscopic-guidance-and-trigger-point-injections/",
    "https://acr.org/News-and-Publications/ACR-and-Partner-Societies-Challenge-MAC-Position-on-Trigger-Point-Injections",
    "https://www.apta.org/apta-magazine/2020/02/01/compliance-matters-physician-fee-schedule-coding-updates",
    "https://www.codingahead.com/cpt-20552-trigger-point-injections-tpis-1-or-2-muscles/",
    "https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?LCDId=34211",
    "https://the-rheumatologist.org/article/coding-corner-answer-53",
    "https://my.clevelandclinic.org/health/treatments/17582-trigger-point-injection",
    "https://www.ncbi.nlm.nih.gov/books/NBK542196/",
    "https://www.aafp.org/pubs/afp/issues/2023/0200/trigger-point-management.html",
    "https://www.mayoclinic.org/diseases-conditions/myofascial-pain-syndrome/symptoms-causes/syc-20375444",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC1026905",
    "https://www.aafp.org/pubs/afp/issues/2002/0215/p653.html",
}


def test_urls_are_only_the_checked_ones(knowledge: KnowledgeBase):
    used = {s.url for e in knowledge.entries for s in e.sources if s.url}
    assert len(used) >= 10
    assert used <= CHECKED_URLS


@pytest.mark.parametrize(
    "claim",
    [r"J10[234]0", r"\b20 ?%", r"\b75 ?%", r"gold standard", r"CPT code (for \w+ )*is 20552\b"],
)
def test_ruled_out_claims_are_absent(claim: str):
    for path in (ROOT / "knowledge").glob("*.yaml"):
        assert not re.search(claim, path.read_text(encoding="utf-8"), re.IGNORECASE), path


def test_key_billing_facts_are_stated(knowledge: KnowledgeBase):
    cpt = knowledge.entry("cpt-code")
    assert cpt is not None and "1 or 2 muscle" in cpt.answer and "3 or more" in cpt.answer
    drugs = knowledge.entry("drug-billing")
    assert drugs is not None and "40 mg = 4 units" in drugs.answer
    limits = knowledge.entry("medicare-limits")
    assert limits is not None and "3 TPI sessions" in limits.answer


def test_loaded_data_is_immutable(knowledge: KnowledgeBase):
    entry = knowledge.entries[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.answer = "changed"  # type: ignore[misc]
    assert isinstance(entry.alternates, tuple)
    assert isinstance(knowledge.entries, tuple)


def test_minimal_knowledge_loads(write_knowledge):
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY)
    knowledge = load_knowledge(directory)
    assert [e.id for e in knowledge.entries] == ["cpt-code"]


def _error(directory: Path) -> str:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return str(caught.value)


def test_invalid_yaml_names_file_and_line(write_knowledge):
    directory = write_knowledge(
        topics=MINIMAL_TOPICS,
        billing=MINIMAL_ENTRY + "  - id: broken\n    question: [unclosed\n",
    )
    message = _error(directory)
    # The bracket opened on line 10 is still open where the text ends, on line 11.
    assert "billing.yaml:11: invalid YAML: " in message, message


def test_unknown_field_names_file_line_and_entry(write_knowledge):
    entry = MINIMAL_ENTRY.replace("    answer:", "    anwser: typo\n    answer:")
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "billing.yaml:6: entry 'cpt-code': unknown field 'anwser'" in message


def test_missing_field_names_entry(write_knowledge):
    entry = MINIMAL_ENTRY.replace("    question: What is the CPT code?\n", "")
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "billing.yaml:2: entry 'cpt-code': missing field 'question'" in message


def test_wrong_type_is_reported(write_knowledge):
    entry = MINIMAL_ENTRY.replace(
        "    topic: billing\n", "    topic: billing\n    alternates: one\n"
    )
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "billing.yaml:4: entry 'cpt-code': 'alternates' must be a list, not str" in message


def test_duplicate_id_points_at_the_first(write_knowledge):
    duplicate = MINIMAL_ENTRY.replace("entries:\n", "")
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY + duplicate))
    assert "billing.yaml:9: entry 'cpt-code': duplicate id (first in" in message
    assert "billing.yaml:2)" in message


def test_unknown_topic_is_reported(write_knowledge):
    entry = MINIMAL_ENTRY.replace("topic: billing", "topic: biling")
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "billing.yaml:3: entry 'cpt-code': unknown topic 'biling'" in message


def test_unknown_related_id_is_reported(write_knowledge):
    entry = MINIMAL_ENTRY + "    related: [no-such-entry]\n"
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "billing.yaml:9: entry 'cpt-code': related id 'no-such-entry' does not exist" in message


def test_empty_answer_is_reported(write_knowledge):
    entry = MINIMAL_ENTRY.replace(
        "    answer: 20552 for 1 or 2 muscles, 20553 for 3 or more.", '    answer: "  "'
    )
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "billing.yaml:6: entry 'cpt-code': 'answer' must not be empty" in message


def test_source_without_name_is_reported(write_knowledge):
    entry = MINIMAL_ENTRY.replace("      - name: AMA", "      - url: https://www.ama-assn.org/")
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "billing.yaml:7: entry 'cpt-code': a source has no name" in message


def test_non_http_url_is_reported(write_knowledge):
    entry = MINIMAL_ENTRY.replace(
        "      - name: AMA", "      - name: AMA\n        url: javascript:alert(1)"
    )
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert (
        "entry 'cpt-code': source 'AMA' has url 'javascript:alert(1)', not an http(s) URL"
        in message
    )


def test_every_problem_is_reported_at_once(write_knowledge):
    entry = MINIMAL_ENTRY.replace("topic: billing", "topic: nope") + "    related: [ghost]\n"
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "unknown topic 'nope'" in message and "related id 'ghost'" in message


def test_missing_directory_is_a_clear_error(tmp_path: Path):
    assert "knowledge directory not found" in _error(tmp_path / "nowhere")


def test_yaml_tags_are_not_executed(write_knowledge):
    hostile = "entries: !!python/object/apply:os.system ['echo hacked']\n"
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=hostile))
    assert "invalid YAML" in message


def test_missing_or_malformed_review_date_is_reported(write_knowledge):
    missing = MINIMAL_ENTRY.replace("    reviewed: 2026-11-01\n", "")
    assert "entry 'cpt-code': missing field 'reviewed'" in _error(
        write_knowledge(topics=MINIMAL_TOPICS, billing=missing)
    )
    malformed = MINIMAL_ENTRY.replace("2026-11-01", "last spring")
    assert "billing.yaml:4: entry 'cpt-code': 'reviewed' must be a date YYYY-MM-DD" in _error(
        write_knowledge(topics=MINIMAL_TOPICS, billing=malformed)
    )


def test_stale_entries_are_found(write_knowledge):
    knowledge = load_knowledge(write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY))
    assert knowledge.stale_entries(dt.date(2027, 10, 31)) == ()
    assert [e.id for e in knowledge.stale_entries(dt.date(2027, 11, 2))] == ["cpt-code"]


def test_pure_python_loader_gives_the_same_knowledge_and_problems(write_knowledge, monkeypatch):
    """Where PyYAML lacks libyaml the loader falls back to SafeLoader, with the same results."""
    broken = write_knowledge(
        topics=MINIMAL_TOPICS,
        billing=MINIMAL_ENTRY.replace("topic: billing", "topic: nope") + "    related: [ghost]\n",
    )
    with_libyaml = (load_knowledge(ROOT / "knowledge"), _error(broken))
    monkeypatch.setattr(loader, "SafeLoader", yaml.SafeLoader)
    assert (load_knowledge(ROOT / "knowledge"), _error(broken)) == with_libyaml


def test_flow_style_items_are_located(write_knowledge):
    entries = (
        "entries:\n"
        "  - {id: cpt-code, topic: billing, reviewed: 2026-11-01, question: Q?, answer: A.,\n"
        "     sources: [{name: AMA}]}\n"
        "  - {id: other, topic: billing, reviewed: 2026-11-01, question: Q?, answer: A.,\n"
        "     sources: [{name: AMA}], colour: red}\n"
    )
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entries))
    assert "billing.yaml:5: entry 'other': unknown field 'colour'" in message


def test_a_repeated_field_is_located_where_the_used_value_is(write_knowledge):
    # YAML keeps the last of two equal keys, so the problem is on the second line.
    entry = MINIMAL_ENTRY.replace(
        "    topic: billing\n", "    topic: billing\n    alternates: [a]\n    alternates: b\n"
    )
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert "billing.yaml:5: entry 'cpt-code': 'alternates' must be a list, not str" in message
