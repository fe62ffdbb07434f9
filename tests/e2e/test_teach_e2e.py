"""End to end: an admin teaches an unanswered question in three taps; a restart keeps it."""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tests.e2e.conftest import TOKEN, running_bot
from tests.fakes import FakeBotApi, callback_query, message

ADMIN_ID = 4242
ADMIN = {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"}
QUESTION = "can i drive home after trigger point injections"


def buttons(sent: dict[str, Any]) -> dict[str, str]:
    rows = sent.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def sent_texts(api: FakeBotApi) -> list[dict[str, Any]]:
    return api.calls_to("sendMessage")


def wait_for_message(
    api: FakeBotApi, wanted: str, after: int, timeout: float = 30, *, other: str = "\0"
) -> dict[str, Any]:
    """The first message sent after the first ``after`` that says ``wanted`` (or ``other``)."""

    def found() -> list[dict[str, Any]]:
        texts = [(m, html.unescape(m["text"])) for m in api.calls_to("sendMessage")[after:]]
        return [m for m, text in texts if wanted in text or other in text]

    assert api.wait_for(lambda: bool(found()), timeout=timeout), [
        m["text"] for m in sent_texts(api)
    ]
    return found()[0]


def press(api: FakeBotApi, data: str, query_id: str) -> int:
    query = callback_query(data, query_id)
    query["from"] = ADMIN
    query["message"]["chat"]["id"] = ADMIN_ID
    before = len(api.calls_to("sendMessage"))
    api.push({"callback_query": query})
    return before


def test_three_taps_teach_and_a_restart_keeps_it(api: FakeBotApi, tmp_path: Path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    env = {
        "KNOWLEDGE_DIR": str(knowledge),
        "DATA_DIR": str(tmp_path / "data"),
        "ADMIN_USER_IDS": str(ADMIN_ID),
        "LOG_LEVEL": "INFO",
    }
    with running_bot(api, tmp_path, **env) as bot:
        api.wait_for_call("getUpdates", timeout=30)
        for number in range(1, 4):
            api.push({"message": message(QUESTION, message_id=number)})
        answers = api.wait_for_call("sendMessage", 3, timeout=30)
        assert all("Did you mean" in a["text"] for a in answers)

        group = None
        for attempt in range(20):  # the log's writer thread commits within moments
            before = len(sent_texts(api))
            admin_message = message("/unanswered", message_id=10 + attempt, chat_id=ADMIN_ID)
            api.push({"message": {**admin_message, "from": ADMIN}})
            header = wait_for_message(api, "Unanswered or unclear questions", before)
            if "0 groups" not in header["text"]:
                group = wait_for_message(api, QUESTION, before)
                break
            time.sleep(0.2)
        assert group is not None and f"3 × {QUESTION!r}" in html.unescape(group["text"])
        add = next(data for data in buttons(group).values() if ":aftercare:" in data)

        confirm = wait_for_message(api, "(aftercare)?", press(api, add, "t1"))
        # Teaching loads and checks the knowledge twice in a worker thread: seconds.
        yes = press(api, buttons(confirm)["✅ Yes, add it"], "t2")
        done = wait_for_message(api, "Added", yes, timeout=120, other="Not taught")
        assert "Added" in done["text"] and "edited: aftercare" in done["text"], bot.output

        before = len(sent_texts(api))
        api.push({"message": message(QUESTION, message_id=30)})
        answered = api.wait_for_call("sendMessage", before + 1, timeout=30)[-1]
        assert "Did you mean" not in answered["text"] and "aftercare:0:" in str(
            answered["reply_markup"]
        )
        code, _ = bot.stop()
        assert code == 0, bot.output
    assert TOKEN not in bot.output and "Traceback" not in bot.output

    with FakeBotApi(TOKEN) as fresh, running_bot(fresh, tmp_path, **env) as restarted:
        fresh.wait_for_call("getUpdates", timeout=30)
        fresh.push({"message": message(QUESTION, message_id=40)})
        [again] = fresh.wait_for_call("sendMessage", timeout=30)
        assert "Did you mean" not in again["text"] and "aftercare:1:" in str(again["reply_markup"])
        assert restarted.stop()[0] == 0
