"""The shipped knowledge base is complete and correct; bad YAML fails with file, line and entry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from bot.checks import MIN_ALTERNATES
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge, loader
from tests.conftest import MINIMAL_ENTRY, MINIMAL_TOPICS, ROOT, read_yaml

REQUIRED = {
    "coding": [
        "cpt-code",
        "billing-units",
        "imaging-guidance",
        "dry-needling",
        "same-day-visit",
        "cpt-purpose",
        "documentation",
        "modifiers",
        "same-day-procedures",
        "im-injection-96372",
        "case-coding",
    ],
    "conditions": [
        "related-conditions",
        "mps-vs-fibromyalgia",
    ],
    "coverage": [
        "diagnosis-codes",
        "medicare-limits",
        "self-pay-cost",
        "insurance-coverage",
        "who-can-bill",
        "place-of-service",
        "denials-appeals",
        "icd10-site-codes",
    ],
    "diagnosis": [
        "diagnosis",
        "diagnostic-questions",
        "tests-and-imaging",
    ],
    "drugs": [
        "drug-billing",
        "drug-wastage",
        "botox",
        "drug-units",
    ],
    "procedure": [
        "what-is-tpi",
        "effectiveness",
        "side-effects",
        "what-happens",
        "relief-duration",
        "aftercare",
        "before-the-injection",
        "steroid-or-anesthetic",
        "pregnancy-diabetes",
    ],
    "symptoms": [
        "symptoms",
        "referred-pain",
        "prevalence",
        "causes",
    ],
    "treatment": [
        "treatments",
        "which-doctor",
    ],
}


def test_shipped_knowledge_has_every_required_entry_under_its_topic(knowledge: KnowledgeBase):
    assert {t.id for t in knowledge.topics} == set(REQUIRED)
    assert {e.id: e.topic for e in knowledge.entries} == {
        entry_id: topic for topic, ids in REQUIRED.items() for entry_id in ids
    }


def test_every_entry_has_eight_alternates_and_a_source(knowledge: KnowledgeBase):
    for entry in knowledge.entries:
        assert len(entry.alternates) >= MIN_ALTERNATES == 8, entry.id
        assert entry.sources, entry.id


# The links ../shared/knowledge-facts.md and knowledge-facts-v2.md list as checked; no other
# URL may be cited.
CHECKED_URLS = {
    "http://cgsmedicare.com/partb/pubs/news/2013/0813/cope22855.html",
    "http://www.mayoclinic.org/diseases-conditions/myofascial-pain-syndrome/basics/treatment/con-20033195",
    "http://www.proceduresconsult.com/medical-procedures/trigger-point-injection-FM-037-procedure.aspx",
    "http://www.rheumatology.org/Practice-Quality/Administrative-Support/Coding/Coding-Support/Injection-FAQs",
    "https://aamm.org.au/trigger-points",
    "https://aapc.com/codes/coding-newsletters/my-ophthalmology-coding-alert/you-be-the-coder-are-you-prepared-to-bill-incident-to-159967-article",
    "https://aapc.com/codes/coding-newsletters/my-outpatient-facility-coding-alert/you-be-the-coder-know-the-correct-pos-for-off-campus-outpatient-service-151719-article",
    "https://aapc.com/codes/coding-newsletters/my-part-b-coding-alert/reader-questions-20552-20553-cover-paraspinal-muscle-tpi-article",
    "https://acr.org/News-and-Publications/ACR-and-Partner-Societies-Challenge-MAC-Position-on-Trigger-Point-Injections",
    "https://americanmedicalcoding.com/96372-cpt-code-coding",
    "https://cms.gov/medicare-coverage-database/view/lcd.aspx?lcdid=39661",
    "https://doi.org/10.1007/s40122-013-0006-y",
    "https://drugcentral.org/label/cf970688-cd77-b95c-4bd9-c541590e9722/view",
    "https://drugs-library.com/drugs/ketorolac-tromethamine.html",
    "https://einstein.pure.elsevier.com/en/publications/patterns-of-use-of-peripheral-nerve-blocks-and-trigger-point-inje-2",
    "https://eorthopod.com/faq/for-years-i-thought-i-had-fibromyalgia-now-i-find-out-i-really-have-something-called-myofascial-pain-syndrome-whats-the-difference",
    "https://findacode.com/articles/injections-36618.html",
    "https://gawendaseminars.com/will-cms-pay-for-dry-needling-in-2020/",
    "https://healthhub.crestnerhealth.com/orthopedics/treatment/trigger-point-injection-your-experience?language_content_entity=en",
    "https://hhs.gov/guidance/document/mln1783722-proper-use-modifiers-59-xe-xp-xs-and-xu",
    "https://karenzupko.com/fluoroscopic-guidance-and-trigger-point-injections/",
    "https://legalclarity.org/medicare-drug-wastage-policy-jw-and-jz-modifier-rules/",
    "https://legalclarity.org/tension-headache-icd-10-codes-billing-and-documentation/",
    "https://med.noridianmedicare.com/web/jddme/topics/modifiers/jz",
    "https://med.noridianmedicare.com/web/jfb/topics/appeals/redetermination",
    "https://medicare-prod.fcso.com/appeals/avoid-claim-denials-bill-drug-wastage-correctly-using-jw-modifier",
    "https://medicarepaymentandreimbursement.com/2011/04/botulinum-toxin-types-and-b-cpt-64612.html",
    "https://medlearn.com/radiology-question-for-the-week-of-december-5-2022/",
    "https://medpolicy.amerihealth.com/ah/ma/Pages/Policy/ca5cf4f3-f26b-440a-9861-5d6da4e8efe2.aspx",
    "https://my.clevelandclinic.org/health/diseases/12054-myofascial-pain-syndrome",
    "https://my.clevelandclinic.org/health/diseases/12054-myofascial-pain-syndrome/diagnosis-and-tests",
    "https://my.clevelandclinic.org/health/diseases/12054-myofascial-pain-syndrome/management-and-treatment",
    "https://my.clevelandclinic.org/health/treatments/17582-trigger-point-injection",
    "https://ndclist.com/ndc/0003-0293",
    "https://pabau.com/procedure-codes/hcpcs-code-j1885",
    "https://plasticsurgery.org/for-medical-professionals/health-policy/place-of-service-coding",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC1026905",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC7214140",
    "https://rapm.bmj.com/content/early/2024/07/16/rapm-2024-105593",
    "https://salud.grupotriples.com/medical-policy/trigger-point-and-tender-point-injections/",
    "https://sccm.org/Communications/Critical-Connections/Archives/2018/Nonphysician-Practitioner-Billing",
    "https://statpearls.com/sp/al/39/30608/",
    "https://the-rheumatologist.org/article/coding-corner-answer-53",
    "https://the-rheumatologist.org/article/key-facts-on-billing-drug-wastage/?singlepage=1",
    "https://therightchoiceagency.com/blog/how-do-medicare-referrals-work",
    "https://www.aafp.org/fpm/blogs/getting-paid/place_of_service_codes_for",
    "https://www.aafp.org/pubs/afp/issues/2023/0200/trigger-point-management.html",
    "https://www.aafp.org/pubs/fpm/issues/2015/0300/p15.html",
    "https://www.aapc.com/blog/46811-be-careful-when-separately-reporting-e-m-and-minor-surgical-procedures/",
    "https://www.apta.org/apta-magazine/2020/02/01/compliance-matters-physician-fee-schedule-coding-updates",
    "https://www.canyonridgesc.com/service/trigger-point-injections",
    "https://www.cms.gov/Research-Statistics-Data-and-Systems/Monitoring-Programs/Medicare-FFS-Compliance-Programs/Recovery-Audit-Program/Approved-RAC-Topics-Items/0074-Excessive-or-Insufficient-Drugs-and-Biologicals.html",
    "https://www.cms.gov/medicare-coverage-database/details/nca-decision-memo.aspx?NCAId=295&bc=AAAAAAAAAAQAAAAA&",
    "https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?LCDId=34211",
    "https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?lcdId=33912",
    "https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?lcdId=35010",
    "https://www.codingahead.com/cpt-20552-trigger-point-injections-tpis-1-or-2-muscles/",
    "https://www.coronishealth.com/blog/pulling-the-trigger-new-policies-and-impediments-involving-trigger-points",
    "https://www.drugs.com/cg/trigger-point-injection-discharge-care.html",
    "https://www.ellzeycodingsolutions.com/kb_results.asp?ID=2",
    "https://www.emblemhealth.com/providers/claims-corner/coding/pain-management-trigger-point-injections-cpt-codes-20552-and-2050",
    "https://www.findacode.com/news/properly-coding-trigger-point-injections-20552-and-20553.html",
    "https://www.healthline.com/health/chronic-pain/what-to-expect-after-trigger-point-injections",
    "https://www.heraldopenaccess.us/openaccess/role-of-intramuscular-corticosteroids-in-trigger-point-injections-a-narrative-review",
    "https://www.hhs.gov/guidance/document/new-claims-modifier-requirement-drugs-and-biologicals-single-dose-container-or-single-use",
    "https://www.icd10monitor.com/coding-trigger-point-injections-for-pain-management",
    "https://www.mayoclinic.org/diseases-conditions/myofascial-pain-syndrome/symptoms-causes/syc-20375444",
    "https://www.mymosaiclifecare.org/health-information/diseases-and-conditions/m/myofascial-pain-syndrome2/?section=Diagnosis",
    "https://www.ngsmedicare.com/web/ngs/levels-of-appeals-and-time-limits-for-filing?selectedArticleId=2755329",
    "https://www.palmettogba.com/palmetto/jja.nsf/DID/AXBMW46087",
    "https://www.pyapc.com/insights/navigating-permanent-changes-to-direct-supervision-and-teaching-physician-requirements",
    "https://www.rcmguide.com/1762-2/",
    "https://www.uvahealth.com/support/billing-and-insurance/pricing/good-faith-estimates/",
    "https://www.verywellhealth.com/fibromyalgia-myofascial-pain-syndrome-716183",
}
# Copies, proxies and summary services: cite the primary document instead (facts v2).
FORBIDDEN_HOSTS = (
    "scribd.com",
    "arietiform",
    "staging.",
    "webhooks.",
    "bansdoc",
    "verity.backworkai",
    "payerready",
    "genhealth",
)


def test_urls_are_only_the_checked_ones(knowledge: KnowledgeBase):
    used = {s.url for e in knowledge.entries for s in e.sources if s.url}
    assert len(used) >= 10
    assert used <= CHECKED_URLS
    assert not [url for url in used if any(host in url for host in FORBIDDEN_HOSTS)]


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


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ('"  "', "'patient_answer' must not be empty"),
        ("[a, b]", "'patient_answer' must be text, not a list"),
    ],
)
def test_a_patient_answer_must_be_text(write_knowledge, written: str, problem: str):
    entry = MINIMAL_ENTRY.replace("    sources:", f"    patient_answer: {written}\n    sources:")
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=entry))
    assert f"billing.yaml:7: entry 'cpt-code': {problem}" in message


def test_a_patient_answer_is_optional_and_loaded(write_knowledge):
    entry = MINIMAL_ENTRY.replace(
        "    sources:", "    patient_answer: Ask your clinic.\n    sources:"
    )
    [loaded] = load_knowledge(write_knowledge(topics=MINIMAL_TOPICS, billing=entry)).entries
    assert loaded.patient_answer == "Ask your clinic."
    [plain] = load_knowledge(write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY)).entries
    assert plain.patient_answer is None


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


def test_no_held_out_real_question_is_copied_into_the_knowledge():
    def texts(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, dict):
            return [text for value in node.values() for text in texts(value)]
        if isinstance(node, list):
            return [text for value in node for text in texts(value)]
        return []

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()

    held = {norm(item["q"]) for item in read_yaml(ROOT / "tests/data/real_holdout.yaml")}
    copied = [
        text
        for path in (ROOT / "knowledge").glob("*.yaml")
        for text in texts(read_yaml(path))
        if norm(text) in held
    ]
    assert not copied


def test_other_subjects_load_and_a_malformed_one_names_its_line(write_knowledge):
    subjects = "other_subjects:\n  mri: [mri, magnetic resonance]\n  surgery: surgery\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=subjects)
    with pytest.raises(KnowledgeError, match=r"points\.yaml:1: .*'surgery' must be a list"):
        load_knowledge(directory)
    (directory / "points.yaml").write_text(subjects.replace("surgery: surgery", "ct: [ct]"))
    loaded = load_knowledge(directory).other_subjects
    assert loaded == (("mri", ("mri", "magnetic resonance")), ("ct", ("ct",)))


def test_other_subject_answers_name_a_subject_and_entries(write_knowledge):
    subjects = "other_subjects:\n  mri: [mri]\nother_subject_answers:\n  mri: [cpt-code]\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=subjects)
    assert load_knowledge(directory).other_subject_answers == (("mri", ("cpt-code",)),)
    for wrong, message in (
        ("  ct: [cpt-code]", "'ct' is not an other subject (mri)"),
        ("  mri: [no-such-entry]", "entry 'no-such-entry' does not exist"),
    ):
        (directory / "points.yaml").write_text(subjects.replace("  mri: [cpt-code]", wrong))
        with pytest.raises(KnowledgeError, match=re.escape(message)):
            load_knowledge(directory)


def test_required_words_name_an_entry_and_its_phrases(write_knowledge):
    required = "required_words:\n  cpt-code: [trigger*, tpi]\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=required)
    assert load_knowledge(directory).required_words == (("cpt-code", ("trigger*", "tpi")),)
    for wrong, message in (
        ("  no-such-entry: [tpi]", "points.yaml:2: required_words: entry 'no-such-entry' does"),
        ("  cpt-code: tpi", "'required_words' entry 'cpt-code' must be a list of phrases"),
    ):
        (directory / "points.yaml").write_text(
            required.replace("  cpt-code: [trigger*, tpi]", wrong)
        )
        with pytest.raises(KnowledgeError, match=re.escape(message)):
            load_knowledge(directory)


def test_cues_name_groups_that_are_written_out_when_loaded(write_knowledge):
    points = (
        "points:\n  - id: effect\n    cues: [does it help, would <the shot> help]\n"
        "    entries: [cpt-code]\n"
        "cue_groups:\n  shot: [shot*, tpi*]\n  the shot: [<shot>, the <shot>]\n"
    )
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=points)
    [point] = load_knowledge(directory).points
    assert point.cues == (
        "does it help",
        "would shot* help",
        "would tpi* help",
        "would the shot* help",
        "would the tpi* help",
    )
    # A group not defined is named, with the line of the point's cues and what is defined.
    (directory / "points.yaml").write_text(points.replace("would <the shot>", "would <shots>"))
    message = "points.yaml:3: entry 'effect': cue 'would <shots> help': unknown group <shots>"
    with pytest.raises(KnowledgeError, match=re.escape(message + " (cue_groups: shot, the shot)")):
        load_knowledge(directory)


def test_a_point_no_entry_answers_loads_with_no_entries(write_knowledge):
    points = (
        "points:\n  - id: prognosis\n    cues: [cured]\n    entries: []\n"
        "    unanswered: whether it can be cured\n"
    )
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=points)
    [point] = load_knowledge(directory).points
    assert point.id == "prognosis" and point.entries == ()
    assert point.unanswered == "whether it can be cured"
    # Left blank rather than [], it is a mistake, named with its line.
    (directory / "points.yaml").write_text(points.replace("entries: []", "entries:"))
    with pytest.raises(KnowledgeError, match=r"points\.yaml:4: .*'entries' is empty"):
        load_knowledge(directory)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        # Without it the reply could not say what the bot has no answer on.
        (
            ("    unanswered: whether it can be cured\n", ""),
            r"points\.yaml:2: .*needs 'unanswered'",
        ),
        (("whether it can be cured", ""), r"points\.yaml:5: .*'unanswered' must not be empty"),
        (("whether it can be cured", "[a, b]"), r"points\.yaml:5: .*'unanswered' must be text"),
        # Entries answer the point: there is nothing it lacks an answer on.
        (("entries: []", "entries: [cpt-code]"), r"points\.yaml:5: .*only for a point no entry"),
    ],
)
def test_what_a_point_no_entry_answers_lacks_is_checked(write_knowledge, change, problem):
    points = (
        "points:\n  - id: prognosis\n    cues: [cured]\n    entries: []\n"
        "    unanswered: whether it can be cured\n"
    )
    directory = write_knowledge(
        topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=points.replace(*change)
    )
    with pytest.raises(KnowledgeError, match=problem) as raised:
        load_knowledge(directory)
    assert len(raised.value.problems) == 1, raised.value.problems


def test_entries_that_are_not_a_list_are_the_one_problem_named(write_knowledge):
    points = "points:\n  - id: prognosis\n    cues: [cured]\n    entries: cured\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=points)
    with pytest.raises(KnowledgeError, match="'entries' must be a list") as raised:
        load_knowledge(directory)
    assert "unanswered" not in str(raised.value)


def test_a_points_billing_entries_load_and_must_exist(write_knowledge):
    points = (
        "points:\n  - id: frequency\n    cues: [how often]\n    entries: []\n"
        "    unanswered: how often\n    billing_entries: [cpt-code]\n"
    )
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=points)
    [point] = load_knowledge(directory).points
    assert point.billing_entries == ("cpt-code",)
    (directory / "points.yaml").write_text(points.replace("[cpt-code]", "[no-such-entry]"))
    with pytest.raises(KnowledgeError, match=r"points\.yaml:6: .*'no-such-entry' does not exist"):
        load_knowledge(directory)


@pytest.mark.parametrize("flag", ["subject_alone", "for_staff", "reports"])
def test_a_point_flag_must_be_true_or_false(write_knowledge, flag: str):
    points = "points:\n  - id: definition\n    cues: [whats a knot]\n    entries: [cpt-code]\n"
    flagged = points + f"    {flag}: sometimes\n"
    directory = write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, points=flagged)
    with pytest.raises(KnowledgeError, match=rf"points\.yaml:5: .*'{flag}' must be true"):
        load_knowledge(directory)
    (directory / "points.yaml").write_text(flagged.replace("sometimes", "true"))
    assert getattr(load_knowledge(directory).points[0], flag) is True
    (directory / "points.yaml").write_text(points)
    assert getattr(load_knowledge(directory).points[0], flag) is False


def test_for_staff_must_be_true_or_false(write_knowledge):
    topics = MINIMAL_TOPICS.replace("title:", "for_staff: sometimes\n    title:", 1)
    directory = write_knowledge(topics=topics, billing=MINIMAL_ENTRY)
    with pytest.raises(
        KnowledgeError, match=r"topics\.yaml:\d+: .*'for_staff' must be true or false"
    ):
        load_knowledge(directory)
    directory = write_knowledge(topics=topics.replace("sometimes", "true"), billing=MINIMAL_ENTRY)
    assert load_knowledge(directory).topics[0].for_staff is True


def test_problems_across_files_name_the_right_file_and_line(write_knowledge):
    """Links and duplicates are checked once every file is read, when the node trees of the
    earlier files are gone: the lines kept for them must still be right."""
    other = (
        "entries:\n"
        "  # a comment moves the lines\n"
        "  - id: other\n"
        "    topic: billing\n"
        "    reviewed: 2026-11-01\n"
        "    question: Q?\n"
        "    answer: A.\n"
        "    sources: [{name: AMA}]\n"
        "    related: [ghost]\n"
        "  - id: cpt-code\n"
        "    reviewed: 2026-11-01\n"
        "    topic: nope\n"
        "    question: Q?\n"
        "    answer: A.\n"
        "    sources: [{name: AMA}]\n"
    )
    message = _error(write_knowledge(topics=MINIMAL_TOPICS, billing=MINIMAL_ENTRY, more=other))
    assert "more.yaml:9: entry 'other': related id 'ghost' does not exist" in message
    assert "more.yaml:10: entry 'cpt-code': duplicate id (first in" in message
    assert "billing.yaml:2)" in message
    assert "more.yaml:12: entry 'cpt-code': unknown topic 'nope'" in message


def test_only_a_few_lines_per_item_outlive_the_node_tree():
    from bot.knowledge.positions import ItemLines, KeptLines

    root = yaml.compose("id: a\ntopic: t\nrelated: [b]\ntopic: u\nanswer: x\n")
    kept = ItemLines(root, 0).kept(("topic", "related", "names"))
    # the last of two equal keys, as in the data; absent fields fall back to the item
    assert kept == KeptLines(1, (("topic", 4), ("related", 3)))
    assert (kept.field("topic"), kept.field("names"), kept.field("answer")) == (4, 1, 1)
    assert ItemLines(None, 7).kept(("topic",)) == KeptLines(7)
