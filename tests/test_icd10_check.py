"""``check`` validates the ICD-10-CM codes of the knowledge against the code set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot import icd10
from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.icd10 import CodeSetFiles
from tests.conftest import MINIMAL_TOPICS

# Each module loads the ICD-10-CM code set (several seconds): not in the fast loop.
pytestmark = pytest.mark.slow

ENTRY = """\
entries:
  - id: dx
    topic: billing
    reviewed: 2026-11-01
    question: Which diagnosis code for a trigger point injection?
    keywords: [{keywords}]
    answer: |-
      For myofascial pain:
      {answer}
    sources:
      - name: ICD-10-CM
"""

TPI_LIST = """\
diagnosis_lists:
  - id: tpi
    title: TPI list
    policy: A policy
    scope: Where it applies.
    codes: [{codes}]
    reviewed: 2026-11-01
    sources:
      - name: An LCD
"""


def check(
    write_knowledge: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    answer: str,
    keywords: str = "myalgia",
    codes: str = "M79.18",
) -> tuple[int, str, str]:
    directory = write_knowledge(
        topics=MINIMAL_TOPICS,
        dx=ENTRY.format(answer=answer, keywords=keywords),
        lists=TPI_LIST.format(codes=codes),
    )
    status = main(["check", str(directory)])
    out, err = capsys.readouterr()
    return status, out, err


def test_check_prints_the_code_set_version(write_knowledge, capsys):
    status, out, err = check(write_knowledge, capsys, "Bill M79.18 (myalgia, other site).")
    assert status == 0, err
    assert "checked against the ICD-10-CM, April 2026 tabular (read with simple-icd-10-cm" in out


def test_a_header_presented_as_billable_fails_naming_file_line_and_entry(write_knowledge, capsys):
    status, _, err = check(write_knowledge, capsys, "Bill M79.1 for myofascial pain.")
    assert status == 1
    assert "dx.yaml:9: entry 'dx': the answer presents M79.1 as a code to bill" in err
    assert "M79.10, M79.11, M79.12, M79.18" in err


@pytest.mark.parametrize(
    "answer",
    [
        "M79.1 Myalgia needs a 5th character: M79.10 or M79.18.",
        "Tension-type headache is G44.2- (six billable codes).",
    ],
)
def test_a_header_named_as_a_header_passes(write_knowledge, capsys, answer: str):
    status, _, err = check(write_knowledge, capsys, answer)
    assert status == 0, err


def test_a_code_that_does_not_exist_fails(write_knowledge, capsys):
    status, _, err = check(write_knowledge, capsys, "Bill M79.18.", keywords="M79.19, myalgia")
    assert status == 1
    assert "dx.yaml:6: entry 'dx': keywords names M79.19, which is not an ICD-10-CM code" in err


def test_codes_an_excludes1_note_keeps_apart_fail_when_presented_together(write_knowledge, capsys):
    status, _, err = check(write_knowledge, capsys, "Use M79.18, or M79.7 fibromyalgia.")
    assert status == 1
    assert "entry 'dx': the answer presents M79.18 together with M79.7 as billable" in err
    assert "Excludes1 note under M79.1" in err and "fibromyalgia (M79.7)" in err


def test_an_answer_that_states_the_excludes1_note_passes(write_knowledge, capsys):
    answer = "M79.18, not with M79.7 fibromyalgia: M79.1 has an Excludes1 note for it."
    status, _, err = check(write_knowledge, capsys, answer)
    assert status == 0, err


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("M79.18, M79.1", "entry 'tpi': M79.1 is a header, not billable"),
        ("M79.18, G44.299", "entry 'tpi': codes names G44.299, which is not an ICD-10-CM code"),
    ],
)
def test_a_diagnosis_list_holds_billable_codes_only(
    write_knowledge, capsys, codes: str, message: str
):
    status, _, err = check(write_knowledge, capsys, "Bill M79.18.", codes=codes)
    assert status == 1
    assert f"lists.yaml:6: {message}" in err


@pytest.mark.slow  # loads the ICD-10-CM code set or runs a subprocess
def test_the_shipped_diagnosis_list_is_checked_against_the_code_set(capsys):
    directory = Path(__file__).resolve().parent.parent / "knowledge"
    main(["check", str(directory)])
    _, err = capsys.readouterr()
    assert "diagnosis-lists.yaml" not in err


def test_a_newer_release_is_configured_by_its_two_files(tmp_path: Path):
    tabular, codes = tmp_path / "icd10cm-tabular-2027.xml", tmp_path / "icd10cm-codes-2027.txt"
    tabular.write_text("<ICD10CM.tabular/>")
    codes.write_text("")
    env = {"ICD10CM_TABULAR": str(tabular), "ICD10CM_CODES": str(codes)}
    assert load_settings(env).code_set == CodeSetFiles(tabular, codes)
    named = load_settings({**env, "ICD10CM_RELEASE": "FY2027"}).code_set
    assert named is not None and named.release == "FY2027"
    with pytest.raises(ConfigError, match="ICD10CM_TABULAR and ICD10CM_CODES go together"):
        load_settings({"ICD10CM_TABULAR": str(tabular)})
    with pytest.raises(ConfigError, match="ICD10CM_CODES: file not found"):
        load_settings({**env, "ICD10CM_CODES": str(tmp_path / "gone.txt")})


def test_knowledge_quoting_no_code_is_checked_without_the_code_set(
    write_knowledge, capsys, monkeypatch, tmp_path: Path
):
    # A broken release: reading it fails, so only a check that never reads it passes.
    tabular, codes = tmp_path / "broken-tabular.xml", tmp_path / "broken-codes.txt"
    tabular.write_text("<ICD10CM.tabular><version>", encoding="utf-8")
    codes.write_text("", encoding="utf-8")
    monkeypatch.setenv("ICD10CM_TABULAR", str(tabular))
    monkeypatch.setenv("ICD10CM_CODES", str(codes))
    try:
        entry = ENTRY.format(answer="Bill the myalgia code.", keywords="myalgia")
        status = main(["check", str(write_knowledge(topics=MINIMAL_TOPICS, dx=entry))])
        out, err = capsys.readouterr()
        assert status == 0, err
        assert "No ICD-10-CM codes are quoted, so none were checked." in out
        status, _, err = check(write_knowledge, capsys, "Bill M79.18 (myalgia, other site).")
        assert status == 2
        assert "Cannot check the ICD-10-CM codes: cannot load the ICD-10-CM release" in err
    finally:
        icd10.configure(None)
