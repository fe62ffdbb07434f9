"""Settings: defaults, validation messages that name the variable, no token in output."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456:ABCdef_ghi-JKL"


def test_defaults_need_nothing():
    settings = load_settings({})
    assert settings.token is None and settings.webhook is None
    assert settings.log_level == "INFO" and settings.knowledge_dir.name == "knowledge"


def test_webhook_path_defaults_to_the_url_path():
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "WEBHOOK_URL": "https://bot.example.org/tg/hook",
            "WEBHOOK_SECRET": "s3cret_-X",
        }
    )
    assert settings.webhook is not None
    assert settings.webhook.path == "/tg/hook" and settings.webhook.port == 8443


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"WEBHOOK_URL": "https://x.org/h"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://x.org/h", "WEBHOOK_SECRET": "bad secret!"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "http://x.org/h", "WEBHOOK_SECRET": "ok"}, "WEBHOOK_URL"),
        (
            {"WEBHOOK_URL": "https://x.org/h", "WEBHOOK_SECRET": "ok", "WEBHOOK_PORT": "99999"},
            "WEBHOOK_PORT",
        ),
        ({"TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"SUGGEST_THRESHOLD": "150"}, "SUGGEST_THRESHOLD"),
        ({"TELEGRAM_BOT_TOKEN": "oops"}, "TELEGRAM_BOT_TOKEN"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], variable: str):
    with pytest.raises(ConfigError, match=variable):
        load_settings(env)


def test_settings_repr_hides_the_token():
    assert TOKEN not in repr(load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}))


def test_webhook_settings_repr_hides_the_secret():
    secret = "Very_secret-value_42"
    settings = load_settings(
        {"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": secret}
    )
    assert settings.webhook is not None and settings.webhook.secret == secret
    assert secret not in repr(settings.webhook) and "bot.example.org" in repr(settings.webhook)
