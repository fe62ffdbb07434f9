"""The console chat (``run_bot.py console``): the same core and reply text as Telegram.

Numbers pick from the options of the last reply, as buttons do in Telegram; ``/topics``,
``/help`` and ``/quit`` work as commands. ``run`` returns the exit code, 0.
"""

from __future__ import annotations

from typing import TextIO

from bot.answering import answer
from bot.matching import Matcher
from bot.replies import (
    Option,
    Reply,
    help_reply,
    render_plain,
    reply_for_data,
    text,
    topics_reply,
)


class Console:
    """A terminal chat on the same core and reply text as Telegram."""

    def __init__(self, matcher: Matcher, stdin: TextIO, stdout: TextIO) -> None:
        self.matcher = matcher
        self.knowledge = matcher.knowledge
        self.stdin = stdin
        self.stdout = stdout
        self.options: tuple[Option, ...] = ()

    def run(self, *, interactive: bool) -> int:
        try:
            return self._chat(interactive)
        except KeyboardInterrupt:  # Ctrl-C is a normal way to leave a chat
            self.stdout.write("\n")
            return 0

    def _chat(self, interactive: bool) -> int:
        if interactive:
            self.show(help_reply())
        while True:
            if interactive:
                self.stdout.write("\n> ")
                self.stdout.flush()
            line = self.stdin.readline()
            if not line:
                return 0
            message = line.strip()
            if message.lower() in ("/quit", "/exit", "quit", "exit"):
                return 0
            if message:
                if not interactive:  # a transcript of piped input reads better with it
                    self.stdout.write(f"> {message}\n")
                self.show(self.respond(message))

    def respond(self, message: str) -> Reply:
        """The reply to one console input."""
        command = message.lower()
        if command in ("/help", "/start"):
            return help_reply()
        if command == "/topics":
            return topics_reply(self.knowledge)
        if message.isdigit():
            number = int(message)
            if 1 <= number <= len(self.options):
                picked = reply_for_data(self.options[number - 1].data, self.knowledge)
                if picked is not None:
                    return picked
            if self.options:
                return Reply(
                    text(f"Pick a number from 1 to {len(self.options)}, or ask a question.")
                )
        return answer(self.matcher, message).reply

    def show(self, reply: Reply) -> None:
        self.options = reply.options
        self.stdout.write(render_plain(reply) + "\n\n")
        self.stdout.flush()
