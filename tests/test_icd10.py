"""The ICD-10-CM code set: codes, headers, Excludes1 pairs, the release name, another release."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import icd10
from bot.icd10 import CodeSet, CodeSetError, CodeSetFiles
from bot.matching import Matcher

# Each module loads the ICD-10-CM code set (several seconds): not in the fast loop.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def codes() -> CodeSet:
    return icd10.code_set()


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("M79.10", "Myalgia, unspecified site"),
        ("m79.18", "Myalgia, other site"),
        ("G44.209", "Tension-type headache, unspecified, not intractable"),
        ("M54.50", "Low back pain, unspecified"),
    ],
)
def test_billable_codes_have_their_official_title(codes: CodeSet, code: str, title: str):
    info = codes.lookup(code)
    assert info.exists and info.billable
    assert info.code == code.upper()
    assert info.title == title
    assert info.billable_codes == ()


def test_a_billable_code_names_the_few_other_codes_of_its_header(codes: CodeSet):
    # A probe's "Is M79.18 right for neck muscles?": M79.12 is the head and neck code.
    myalgia = codes.lookup("M79.18")
    assert myalgia.header == "M79.1"
    assert myalgia.siblings == ("M79.10", "M79.11", "M79.12")
    # Under a header of many codes (M79), none are named.
    fibromyalgia = codes.lookup("M79.7")
    assert fibromyalgia.header is None and fibromyalgia.siblings == ()


def test_a_header_is_not_billable_and_lists_its_billable_codes(codes: CodeSet):
    myalgia = codes.lookup("M79.1")
    assert myalgia.exists and not myalgia.billable
    assert myalgia.title == "Myalgia"
    assert myalgia.billable_codes == ("M79.10", "M79.11", "M79.12", "M79.18")
    assert "Myofascial pain syndrome" in myalgia.inclusion_terms
    tension = codes.lookup("G44.2")
    assert not tension.billable
    assert tension.billable_codes == (
        "G44.201",
        "G44.209",
        "G44.211",
        "G44.219",
        "G44.221",
        "G44.229",
    )


def test_excludes1_notes_of_the_header_apply_to_the_codes_below(codes: CodeSet):
    notes = codes.lookup("M79.18").excludes1
    assert ("M79.1", "fibromyalgia (M79.7)") in notes
    assert ("M79.1", "myositis (M60.-)") in notes


@pytest.mark.parametrize(
    ("pair", "header", "note"),
    [
        (("M79.18", "M79.7"), "M79.1", "fibromyalgia (M79.7)"),
        (("M79.7", "M79.10"), "M79.1", "fibromyalgia (M79.7)"),
        (("M79.12", "M60.10"), "M79.1", "myositis (M60.-)"),
        # The note sits under M62 and names a whole header: myalgia (M79.1-).
        (("M62.838", "M79.18"), "M62", "myalgia (M79.1-)"),
        # A chapter's note naming a range of categories.
        (
            ("E11.9", "P72.0"),
            "4",
            "transitory endocrine and metabolic disorders specific to newborn (P70-P74)",
        ),
    ],
)
def test_excludes1_pairs_are_found_whichever_code_carries_the_note(
    codes: CodeSet, pair: tuple[str, str], header: str, note: str
):
    (conflict,) = codes.conflicts(pair)
    assert {conflict.code, conflict.excluded} == set(pair)
    assert (conflict.header, conflict.note) == (header, note)


@pytest.mark.parametrize(
    "pair",
    [
        ("M79.18", "G44.209"),  # different chapters, no note
        ("M79.1", "M79.18"),  # a header and a code below it
        ("M79.10", "M79.18"),  # siblings
        ("M54.50", "M79.18"),
    ],
)
def test_codes_no_note_keeps_apart_do_not_conflict(codes: CodeSet, pair: tuple[str, str]):
    assert codes.conflicts(pair) == ()


def test_a_code_that_does_not_exist_names_its_nearest_header(codes: CodeSet):
    info = codes.lookup("M79.19")
    assert not info.exists and not info.billable
    assert info.title == ""
    assert info.nearest == "M79.1"
    assert not codes.exists("M70-M79")  # a block, not a code


def test_the_release_is_named(codes: CodeSet):
    assert codes.release == "April 2026"
    assert codes.label == "ICD-10-CM, April 2026 tabular"
    assert codes.version_line.startswith("ICD-10-CM, April 2026 tabular (read with")
    assert codes.package_version in codes.version_line


@pytest.mark.slow  # loads the ICD-10-CM code set or runs a subprocess
def test_a_newer_release_is_loaded_by_configuration(newer_release: CodeSetFiles):
    icd10.configure(newer_release)
    newer = icd10.code_set()
    assert newer.release == "FY2027"
    assert newer.lookup("M79.19").title == "Myalgia, a site added in this test release"
    assert newer.billable_under("M79.1") == ("M79.10", "M79.19")
    icd10.configure(None)
    assert not icd10.code_set().exists("M79.19")


def test_a_configured_release_can_carry_its_own_name(newer_release: CodeSetFiles):
    named = CodeSetFiles(newer_release.tabular, newer_release.codes, release="FY2027 test")
    icd10.configure(named)
    assert icd10.code_set().label == "ICD-10-CM, FY2027 test tabular"


def test_a_missing_release_file_is_a_clear_error(tmp_path: Path):
    icd10.configure(CodeSetFiles(tmp_path / "none.xml", tmp_path / "none.txt"))
    try:
        with pytest.raises(CodeSetError, match=r"ICD-10-CM file not found: .*none"):
            icd10.code_set()
    finally:
        icd10.configure(None)


def test_a_broken_release_file_is_a_clear_error(newer_release: CodeSetFiles):
    newer_release.tabular.write_text("<ICD10CM.tabular><version>", encoding="utf-8")
    icd10.configure(newer_release)
    with pytest.raises(CodeSetError, match=r"cannot load the ICD-10-CM release .*2027\.xml"):
        icd10.code_set()


def test_a_release_that_failed_is_tried_again_once_its_files_change(
    newer_release: CodeSetFiles,
):
    good = newer_release.tabular.read_text(encoding="utf-8")
    newer_release.tabular.write_text("<ICD10CM.tabular><version>", encoding="utf-8")
    icd10.configure(newer_release)
    for _ in range(2):  # the second time from memory: each question would parse it again
        with pytest.raises(CodeSetError, match=r"cannot load the ICD-10-CM release"):
            icd10.code_set()
    newer_release.tabular.write_text(good, encoding="utf-8")  # repaired while running
    assert icd10.code_set().release == "FY2027"


def test_only_a_question_that_looks_a_code_up_needs_the_code_set_loaded(
    newer_release: CodeSetFiles, matcher: Matcher
):
    icd10.configure(newer_release)  # nothing loaded yet
    asks = "Is M79.18 covered for trigger point injections?"
    assert matcher.needs_code_set(asks)
    assert not matcher.needs_code_set("what is the cpt code for trigger point injections?")
    assert not matcher.needs_code_set("what is E11.9?")  # outside a TPI context: not looked up
    # The safety reply comes first and waits for nothing.
    assert not matcher.needs_code_set("I can't breathe after my trigger point injection M79.18")
    assert not icd10.is_loaded()
    icd10.code_set()
    assert not matcher.needs_code_set(asks)
