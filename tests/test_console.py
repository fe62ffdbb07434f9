"""The console chat, driven in-process: push lines in, read the transcript out.

``tests/test_cli.py`` runs ``run_bot.py console`` as a process (Ctrl-C on a terminal); the
conversation itself is tested here, where it is quick.
"""

from __future__ import annotations

import io

from bot.console import Console
from bot.matching import Matcher


def chat(matcher: Matcher, lines: str, *, interactive: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    code = Console(matcher, io.StringIO(lines), out).run(interactive=interactive)
    return code, out.getvalue()


def test_piped_input_is_answered_and_numbers_follow_the_last_choices(matcher: Matcher):
    code, out = chat(matcher, "hi\nbilling\n3\n/topics\n1\n/quit\nnever read\n")
    assert code == 0
    assert "Hello!" in out
    assert "Did you mean one of these?" in out and "  1. " in out
    assert "Pick a topic:" in out and "Coding the procedure" in out
    assert "never read" not in out
    assert out.count("> ") == 5  # each input before /quit echoed once, no prompts


def test_answers_carry_their_sources(matcher: Matcher):
    _, out = chat(matcher, "which code for 3 muscles tpi\n")
    assert "20553" in out and "Sources: American Medical Association" in out


def test_interactive_chat_starts_with_help_and_prompts_without_echo(matcher: Matcher):
    _, out = chat(matcher, "what is a tpi\n", interactive=True)
    assert out.startswith("I answer questions about trigger point injections")
    assert out.count("\n> ") == 2  # before the question and before the end of input
    assert "> what is a tpi" not in out
