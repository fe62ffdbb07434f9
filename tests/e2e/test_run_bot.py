"""End to end: run_bot.py as a subprocess against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.e2e.conftest import TOKEN, BotProcess, free_port, running_bot
from tests.fakes import FakeBotApi, callback_query, error_body, inline_query, message


def test_polling_bot_answers_over_http_and_stops_on_sigterm(api: FakeBotApi, tmp_path: Path):
    with running_bot(api, tmp_path) as bot:
        api.wait_for_call("getUpdates", timeout=20)
        start_up = api.methods()
        assert start_up[:4] == ["getMe", "setMyCommands", "setMyCommands", "deleteWebhook"]
        scopes = [call["scope"]["type"] for call in api.calls_to("setMyCommands")]
        assert scopes == ["all_private_chats", "all_group_chats"]
        assert api.calls_to("getUpdates")[0]["allowed_updates"] == [
            "message",
            "inline_query",
            "callback_query",
        ]

        api.push({"message": message("which code do I bill for 3 muscles tpi")})
        [private] = api.wait_for_call("sendMessage")
        assert private["chat_id"] == 42 and "20553" in private["text"]
        assert private["text"].startswith("<b>") and private["parse_mode"] == "HTML"

        api.push(
            {
                "message": message(
                    "/ask@tpi_faq_bot dry needling code", chat_type="supergroup", message_id=2
                )
            }
        )
        group = api.wait_for_call("sendMessage", 2)[-1]
        assert group["chat_id"] == -100123 and "20560" in group["text"]
        assert group["reply_parameters"]["message_id"] == 2

        api.push({"inline_query": inline_query("J3301")})
        [inline] = api.wait_for_call("answerInlineQuery")
        assert inline["results"][0]["id"] == "drug-units"

        api.push({"callback_query": callback_query("faq:medicare-limits")})
        api.wait_for_call("answerCallbackQuery")
        pressed = api.wait_for_call("sendMessage", 3)[-1]
        assert "rolling 12 months" in pressed["text"]

        code, seconds = bot.stop()
    output = bot.output
    assert code == 0, output
    assert seconds < 5
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "[redacted]" in output  # PTB's DEBUG lines carry the token: redacted
    assert "Traceback" not in output


def test_webhook_mode_checks_the_secret(api: FakeBotApi, tmp_path: Path):
    port = free_port()
    secret = "s3cret_-Token"
    env = {
        "WEBHOOK_URL": "https://bot.example.invalid/tg/hook",
        "WEBHOOK_SECRET": secret,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    with running_bot(api, tmp_path, **env) as bot:
        [hook] = api.wait_for_call("setWebhook", timeout=20)
        assert hook["url"] == "https://bot.example.invalid/tg/hook"
        assert hook["secret_token"] == secret
        update = {"update_id": 1, "message": message("what is a trigger point injection")}
        url = f"http://127.0.0.1:{port}/tg/hook"
        deadline = time.monotonic() + 10
        while True:  # the server starts right after setWebhook
            try:
                wrong = httpx.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        missing = httpx.post(url, json=update)
        assert wrong.status_code == 403 and missing.status_code == 403
        time.sleep(0.3)
        assert api.calls_to("sendMessage") == []

        right = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert right.status_code == 200
        [sent] = api.wait_for_call("sendMessage")
        assert sent["text"].startswith("<b>What is a trigger point injection?</b>")
        code, _ = bot.stop()
    assert code == 0, bot.output
    assert TOKEN not in bot.output and secret not in bot.output


def test_rejected_token_exits_with_a_clear_message(api: FakeBotApi, tmp_path: Path):
    api.failures.permanent["getMe"] = error_body(401, "Unauthorized")
    with running_bot(api, tmp_path) as bot:
        code = bot.wait()
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN" in bot.output and TOKEN not in bot.output
    assert "Traceback" not in bot.output


def test_webhook_without_secret_refuses_to_start(tmp_path: Path):
    with (
        FakeBotApi(TOKEN) as server,
        running_bot(server, tmp_path, WEBHOOK_URL="https://bot.example.invalid/hook") as bot,
    ):
        code = bot.wait()
    assert code == 2 and "WEBHOOK_SECRET" in bot.output
    assert server.calls == []


def test_ctrl_c_stops_the_bot_cleanly(api: FakeBotApi, tmp_path: Path):
    with running_bot(api, tmp_path) as bot:
        api.wait_for_call("getUpdates", timeout=20)
        code, _ = bot.stop(signal.SIGINT)
    assert code == 0, bot.output
    assert "Traceback" not in bot.output and "stopped" in bot.output


def test_unreachable_api_at_start_up_is_retried_and_logged(tmp_path: Path):
    port = free_port()
    bot = BotProcess(f"http://127.0.0.1:{port}/bot", tmp_path, {"LOG_LEVEL": "INFO"})
    try:
        bot.wait_for_line("Telegram is not reachable (attempt 2); retrying with backoff")
        assert bot.process.poll() is None  # still alive, not crash-looping
        with FakeBotApi(TOKEN, port=port) as api:
            api.wait_for_call("getUpdates", timeout=30)
            api.push({"message": message("what is a tpi")})
            [sent] = api.wait_for_call("sendMessage")
            assert sent["text"].startswith("<b>What is a trigger point injection?</b>")
            code, _ = bot.stop()
        assert code == 0, bot.output
        assert "DEBUG" not in bot.output
        # The job queue's scheduler logged each job added and run ("Running job ...").
        assert "apscheduler" not in bot.output
    finally:
        if bot.process.poll() is None:
            bot.process.kill()


def test_a_long_entry_inline_keeps_its_sources_and_links_the_full_answer(
    api: FakeBotApi, tmp_path: Path
):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    paragraphs = "\n\n      ".join(
        f"Detail {n}: " + "the payer rule applies. " * 12 for n in range(40)
    )
    (knowledge / "long.yaml").write_text(
        "entries:\n"
        "  - id: long-rules\n"
        "    topic: coverage\n"
        "    reviewed: 2026-10-01\n"
        "    question: What are all the zebrafish billing rules?\n"
        "    alternates: [zebrafish rules, zebrafish billing]\n"
        "    keywords: [zebrafish]\n"
        "    answer: |-\n"
        f"      {paragraphs}\n"
        "    sources:\n"
        "      - name: Zebrafish Manual\n"
        "        url: https://example.org/zebrafish\n",
        encoding="utf-8",
    )
    with running_bot(api, tmp_path, KNOWLEDGE_DIR=str(knowledge)) as bot:
        api.wait_for_call("getUpdates", timeout=20)
        api.push({"inline_query": inline_query("zebrafish billing rules")})
        [answered] = api.wait_for_call("answerInlineQuery")
        code, _ = bot.stop()
    assert code == 0, bot.output
    first = answered["results"][0]
    assert first["id"] == "long-rules"
    sent = first["input_message_content"]["message_text"]
    assert sent.startswith("<b>What are all the zebrafish billing rules?</b>\n\nDetail 0:")
    assert '<a href="https://example.org/zebrafish">Zebrafish Manual</a>' in sent
    assert "Reviewed October 2026" in sent
    assert '<a href="https://t.me/tpi_faq_bot?start=long-rules">' in sent
    assert "Detail 39" not in sent
