"""The command line, run as a subprocess exactly as people run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.synthetic_knowledge import write_knowledge
from bot.checks import OVERLAPS_UP_TO
from bot.evaluation import HELD_OUT_MARK, evaluate, is_held_out, load_dev_set
from bot.knowledge import KnowledgeBase
from bot.matching import Matcher
from bot.results import Status
from tests.conftest import MINIMAL_TOPICS, ROOT

# Every test here runs run_bot.py as a subprocess (a second or more each): not in the
# fast loop; CI runs them all.
pytestmark = pytest.mark.slow

TOKEN = "123456:SECRETtokenDoNotLeak"


def clean_environment() -> dict[str, str]:
    """This process's environment without the bot's settings (a developer's shell may
    have them)."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))
    }
    environment.pop("KNOWLEDGE_DIR", None)
    return environment


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT):
    environment = clean_environment()
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=60,
    )


def test_run_without_token_names_the_variable(tmp_path: Path):
    for args in ((), ("run",)):
        done = run(*args, cwd=tmp_path)
        assert done.returncode == 2
        assert "TELEGRAM_BOT_TOKEN" in done.stderr and ".env.example" in done.stderr
        assert "console" in done.stderr and "Traceback" not in done.stderr


def test_malformed_token_is_rejected_without_echoing_it(tmp_path: Path):
    done = run("run", env={"TELEGRAM_BOT_TOKEN": "not a token SECRET42"}, cwd=tmp_path)
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in done.stderr and "SECRET42" not in done.stderr


def test_ask_one_question_prints_the_reply():
    done = run("ask", "is dry needling 20560?")
    assert done.returncode == 0
    assert done.stdout.startswith("Which CPT code is used for dry needling?")
    assert "APTA Magazine" in done.stdout


def test_ask_json_has_the_documented_fields():
    done = run("ask", "J3301 units for 40 mg", "--json")
    data = json.loads(done.stdout)
    assert data["status"] == "answer" and data["id"] == "drug-units"
    assert set(data) >= {"status", "id", "score", "question", "answer", "sources", "suggestions"}
    assert {"name", "url"} <= set(data["sources"][0])
    assert data["unknown_codes"] == data["other_subjects"] == data["unanswered_points"] == []


def test_ask_json_gives_the_plain_words_for_patients_and_whether_billing_was_asked():
    patient = json.loads(run("ask", "will medicare pay for my shots", "--json").stdout)
    assert patient["id"] == "medicare-limits" and patient["asks_billing"] is False
    assert patient["patient_answer"].startswith("Original Medicare pays")
    staff = json.loads(run("ask", "J3301 units for 40 mg", "--json").stdout)
    assert staff["asks_billing"] is True and staff["patient_answer"] is None


def test_ask_json_names_what_no_entry_answers():
    data = json.loads(run("ask", "how long does it take to work?", "--json").stdout)
    assert data["status"] == "none"
    assert data["unanswered_points"] == ["how soon an injection starts to work"]


def test_ask_json_names_another_language():
    data = json.loads(run("ask", "¿Cuánto cuesta una inyección?", "--json").stdout)
    assert data["status"] == "none" and data["language"] == "Spanish"
    english = json.loads(run("ask", "how much does a tpi cost?", "--json").stdout)
    assert english["language"] is None


def test_ask_json_batch_reads_stdin_line_by_line():
    questions = ["20553", "hello", "symptoms of covid", "billing"] * 50
    done = run("ask", "--json", stdin="\n".join(questions) + "\n")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 200
    assert [r["status"] for r in rows[:4]] == ["answer", "smalltalk", "none", "suggest"]
    assert rows[3]["suggestions"] and rows[3]["id"] is None


def test_ask_batch_plain_prints_one_line_each():
    done = run("ask", stdin="20560\nknee replacement cpt\n")
    answered, declined = done.stdout.splitlines()
    status, ids, score, question = answered.split("\t")
    assert (status, ids, question) == ("answer", "dry-needling", "20560") and 0 <= int(
        score
    ) <= 100
    assert declined.startswith("none\t-\t") and declined.endswith("\tknee replacement cpt")


@pytest.mark.slow  # loads the ICD-10-CM code set or runs a subprocess
def test_check_passes_on_shipped_knowledge(knowledge: KnowledgeBase):
    done = run("check")
    assert done.returncode == 0
    counts = f"{len(knowledge.entries)} entries in {len(knowledge.topics)} topics"
    assert counts in done.stdout and "; 0 warning(s)." in done.stdout


def test_check_reports_errors_with_file_and_line(tmp_path: Path):
    (tmp_path / "topics.yaml").write_text(MINIMAL_TOPICS)
    (tmp_path / "bad.yaml").write_text("entries:\n  - id: Bad Id\n    topic: billing\n")
    done = run("check", str(tmp_path))
    assert done.returncode == 1
    assert "bad.yaml:2" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow  # loads the ICD-10-CM code set or runs a subprocess
def test_check_warns_about_shared_codes_and_stale_entries(tmp_path: Path):
    entry = (
        "  - {{id: {id}, topic: billing, reviewed: 2020-01-01, question: 'Q {id}', answer: A.,"
        " sources: [{{name: S}}], keywords: ['20552']}}\n"
    )
    (tmp_path / "topics.yaml").write_text(MINIMAL_TOPICS)
    (tmp_path / "e.yaml").write_text(
        "entries:\n" + entry.format(id="one") + entry.format(id="two")
    )
    done = run("check", str(tmp_path))
    assert done.returncode == 0
    assert "code 20552 is a keyword of several entries: one, two" in done.stdout
    assert "entry 'one': last reviewed 2020-01-01, over 12 months ago" in done.stdout


@pytest.mark.slow  # loads the ICD-10-CM code set or runs a subprocess
def test_check_warns_about_answers_longer_than_one_message(tmp_path: Path):
    long_answer = "Words that go on. " * 300
    plain = "Plain words. " * 250  # one message alone, two with an answer of 3,600 characters
    (tmp_path / "topics.yaml").write_text(MINIMAL_TOPICS)
    (tmp_path / "e.yaml").write_text(
        "entries:\n  - {id: long, topic: billing, reviewed: 2026-01-01, question: 'Long?',"
        f" answer: '{long_answer}', sources: [{{name: S}}]}}\n"
        "  - {id: both, topic: billing, reviewed: 2026-01-01, question: 'Both?',"
        f" answer: '{long_answer[:3600]}', patient_answer: '{plain}', sources: [{{name: S}}]}}\n"
    )
    done = run("check", str(tmp_path))
    assert done.returncode == 0
    assert "entry 'long': the answer takes 3 Telegram messages" in done.stdout
    assert "entry 'both': its patient_answer and answer take 2 Telegram messages" in done.stdout
    assert "entry 'both': the answer takes" not in done.stdout


def test_check_leaves_the_overlaps_of_a_large_knowledge_base_to_a_flag(tmp_path: Path):
    directory = write_knowledge(tmp_path / "knowledge", OVERLAPS_UP_TO + 1)
    quick = run("check", str(directory))
    assert quick.returncode == 0, quick.stderr
    assert f"Not checked, as there are more than {OVERLAPS_UP_TO:,} entries" in quick.stdout
    assert f"check --overlaps {directory}" in quick.stdout
    assert "better (score" not in quick.stdout
    full = run("check", "--overlaps", str(directory))
    assert full.returncode == 0, full.stderr
    assert "better (score" in full.stdout and "Not checked" not in full.stdout
    warned = [line for line in quick.stdout.splitlines() if line.startswith("warning:")]
    assert warned and set(warned) <= set(full.stdout.splitlines())


def test_knowledge_option_and_variable_are_honoured(tmp_path: Path):
    done = run("--knowledge", str(tmp_path / "missing"), "ask", "hi")
    assert done.returncode == 1 and "knowledge directory not found" in done.stderr
    done = run("ask", "hi", env={"KNOWLEDGE_DIR": str(tmp_path / "gone")})
    assert done.returncode == 1 and "gone" in done.stderr


@pytest.mark.slow  # loads the ICD-10-CM code set or runs a subprocess
def test_eval_prints_categories_and_exits_by_the_targets(matcher: Matcher):
    path = ROOT / "tests" / "data" / "dev_questions.yaml"
    done = run("eval", str(path))
    assert "near-domain" in done.stdout and "target >= 92%" in done.stdout
    assert done.returncode == (0 if evaluate(matcher, *load_dev_set(path)).passed else 1)


def test_eval_of_real_questions_splits_by_asker_and_length():
    done = run("eval", "tests/data/real_tuning.yaml")
    lines = done.stdout.splitlines()
    for group in ("all", "patient", "staff", "under 12 words", "over 30", "staff, 30+ words"):
        assert any(line.startswith(group + " ") for line in lines), group
    assert "answerable answered wrong:" in done.stdout and "misses (" in done.stdout


def test_eval_of_a_held_out_file_prints_counts_not_questions(tmp_path: Path):
    path = tmp_path / "real_holdout.yaml"
    path.write_text(
        f"# Real questions.\n{HELD_OUT_MARK} never tune on these.\n"
        "- {q: Does it hurt at all?, source: s, asker: patient, ids: [billing-units]}\n"
    )
    done = run("eval", str(path))
    assert "Does it hurt" not in done.stdout and "misses: 1" in done.stdout
    assert "--show-held-out" in done.stdout and done.returncode == 1
    shown = run("eval", str(path), "--show-held-out")
    assert "'Does it hurt at all?': expected billing-units" in shown.stdout
    # Piped, the file can be read only once: the mark is found in what is scored (the
    # misses were shown, as the mark was looked for in an emptied pipe).
    piped = run("eval", "/dev/stdin", stdin=path.read_text())
    assert "Does it hurt" not in piped.stdout and "misses: 1" in piped.stdout


def test_only_the_opening_comment_marks_a_file_held_out(tmp_path: Path):
    path = tmp_path / "real.yaml"
    path.write_text(f"- {{q: hi, source: s, asker: patient, ids: []}}\n{HELD_OUT_MARK}\n")
    assert not is_held_out(path)
    item = "- {q: hi, source: s, asker: patient, ids: []}\n"
    for opening in (
        "\ufeff# HELD OUT: x\n",
        "\n---\n  # held out: x\n",
        "%YAML 1.1\n##Held out\n",
    ):
        path.write_text(opening + item, encoding="utf-8")
        assert is_held_out(path), repr(opening)
    assert is_held_out(ROOT / "tests" / "data" / "real_holdout.yaml")
    assert not is_held_out(ROOT / "tests" / "data" / "real_tuning.yaml")


def test_eval_counts_suggestions_that_list_a_right_entry(matcher: Matcher, tmp_path: Path):
    # Two entries answer "who should not get it" alike: suggested, not answered.
    question = "Who should not get this treatment?"
    assert matcher.answer(question).status is Status.SUGGEST
    path = tmp_path / "real.yaml"
    path.write_text(
        f"- {{q: {question}, source: s, asker: patient, ids: [before-the-injection]}}\n"
        f"- {{q: {question} Thanks, source: s, asker: patient, ids: [aftercare]}}\n"
    )
    tally = evaluate(matcher, *load_dev_set(path)).tally()
    assert (tally.suggested, tally.suggested_right) == (2, 1)


def test_eval_shows_a_group_without_questions_as_not_applicable(matcher: Matcher, tmp_path: Path):
    path = tmp_path / "real.yaml"
    path.write_text("- {q: Does it hurt?, source: s, asker: patient, ids: [what-happens]}\n")
    text = evaluate(matcher, *load_dev_set(path)).format()
    [long_staff] = [line for line in text.splitlines() if line.startswith("staff, 30+ words")]
    assert long_staff.split()[-1] == "n/a" and "100.0%" not in long_staff
    assert "staff 30+ words answered right: n/a" in text


def test_invalid_setting_names_the_variable():
    done = run("ask", "hi", env={"ANSWER_THRESHOLD": "lots"})
    assert done.returncode == 2 and "ANSWER_THRESHOLD" in done.stderr


def test_report_reads_the_question_log(tmp_path: Path):
    from bot.knowledge import load_knowledge
    from bot.matching import Matcher
    from bot.questionlog import QuestionLog

    matcher = Matcher(load_knowledge(ROOT / "knowledge"))
    log = QuestionLog(tmp_path / "data")
    log.start()
    for question in ["20553", "20553", "cpt for knee replacement", "knee replacement cpt"]:
        log.record("private", matcher.answer(question))
    log.vote(1, 2, "cpt-code", helpful=True)
    log.close()
    done = run("report", "--days", "3", env={"DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert "Questions since" in done.stdout and "answer: 2" in done.stdout
    assert "2 × cpt-code" in done.stdout and "cpt-code: 1 / 0" in done.stdout
    assert "2 × 'cpt for knee replacement' (2 wordings)" in done.stdout
    assert "Entries not reviewed in the last 12 months:" in done.stdout


def test_report_without_a_log_says_so(tmp_path: Path):
    done = run("report", env={"DATA_DIR": str(tmp_path / "none")})
    assert done.returncode == 0 and "No question log yet" in done.stdout


def _console_on_a_terminal(*args: str) -> tuple[int, int]:
    """Starts run_bot.py with ``args`` on a pseudo-terminal, without a token: the child's
    pid and the terminal's file descriptor (read its output with _read_until)."""
    import pty
    import signal

    environment = clean_environment()
    pid, fd = pty.fork()
    if pid == 0:  # the child: run_bot.py on a terminal
        # As a terminal session has it: a shell running the tests in the background
        # ("bash .ci/run &") ignores Ctrl-C, and the child would inherit that.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(ROOT / "tests")  # no .env here
        os.execve(sys.executable, [sys.executable, str(ROOT / "run_bot.py"), *args], environment)
    return pid, fd


def _read_until(fd: int, marker: bytes | None, output: bytes = b"") -> bytes:
    """``output`` and what the terminal says next, until ``marker`` (None: until the child
    closes it; at most 30 s; a child that ends first ends the reading too)."""
    import select
    import time

    deadline = time.monotonic() + 30
    while (marker is None or marker not in output) and (left := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal closed with the child
            break
        if not chunk:
            break
        output += chunk
    return output


def _exit_code(pid: int, seconds: float = 30) -> int:
    """The child's exit code; a child still running after ``seconds`` is killed and the
    test fails (rather than wait for ever: CI has a time limit for the whole run)."""
    import signal
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"run_bot.py on a terminal did not exit within {seconds} s")


def test_without_a_token_on_a_terminal_the_bot_chats_in_the_console():
    """The quickstart's `python run_bot.py`: no token, a terminal: the console, with a note."""
    pid, fd = _console_on_a_terminal()
    output = _read_until(fd, b"> ")
    assert b"TELEGRAM_BOT_TOKEN is not set: chatting here in the terminal" in output
    os.write(fd, b"which cpt code for 3 muscles\n")
    output = _read_until(fd, b"20553", output)
    os.write(fd, b"\x04")  # end of input: the console says goodbye and exits
    assert _exit_code(pid) == 0
    os.close(fd)
    assert b"20553" in output and b"Traceback" not in output


def test_console_leaves_quietly_on_ctrl_c():
    import signal

    pid, fd = _console_on_a_terminal("console")
    output = _read_until(fd, b"> ")
    os.kill(pid, signal.SIGINT)
    output = _read_until(fd, None, output)
    assert _exit_code(pid) == 0
    os.close(fd)
    assert b"Traceback" not in output


def test_batch_output_into_a_closed_pipe_ends_quietly():
    questions = "20553\n" * 3000
    shell = f"{sys.executable} {ROOT / 'run_bot.py'} ask | head -n 2"
    done = subprocess.run(
        shell, shell=True, input=questions, capture_output=True, text=True, timeout=60
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith("answer\tcpt-code\t") for line in lines)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
