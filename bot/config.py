"""Settings from environment variables (and a ``.env`` file), validated once at start-up.

Every variable has a safe default except ``TELEGRAM_BOT_TOKEN``, which only ``run`` needs.
An invalid value raises :class:`ConfigError` naming the variable; the token itself never
appears in a message.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

from bot.digest import DigestSchedule, ScheduleError, parse_schedule
from bot.icd10 import CodeSetFiles
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR
from bot.matching import Thresholds

TOKEN_VARIABLE = "TELEGRAM_BOT_TOKEN"  # noqa: S105 (a variable name, not a secret)
_TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class WebhookSettings:
    """Webhook mode: Telegram posts updates to ``url``; we listen on listen:port/path."""

    url: str
    secret: str = field(repr=False)  # never in a repr, hence never in a log line
    listen: str
    port: int
    path: str


@dataclass(frozen=True)
class Settings:
    """Everything the program reads from its environment."""

    token: str | None
    api_base_url: str | None
    webhook: WebhookSettings | None
    knowledge_dir: Path
    log_level: str
    thresholds: Thresholds
    data_dir: Path = Path("data")
    keep_question_texts: bool = True
    question_log_days: int = 90
    admin_user_ids: frozenset[int] = frozenset()
    # None: the ICD-10-CM release shipped with simple-icd-10-cm.
    code_set: CodeSetFiles | None = None
    # When admins get the weekly digest (DIGEST_SCHEDULE, TZ); None: never.
    digest: DigestSchedule | None = None

    def __repr__(self) -> str:  # never show the token
        return (
            f"Settings(knowledge_dir={self.knowledge_dir!s}, webhook={self.webhook is not None})"
        )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate settings; raise ConfigError naming the first bad variable."""
    env = os.environ if environ is None else environ
    token = _get(env, TOKEN_VARIABLE)
    if token is not None and not _TOKEN_PATTERN.match(token):
        raise ConfigError(
            f"{TOKEN_VARIABLE} does not look like a bot token (digits, ':', then letters);"
            " copy it again from @BotFather"
        )
    return Settings(
        token=token,
        api_base_url=_url(env, "TELEGRAM_API_BASE_URL"),
        webhook=_webhook(env),
        knowledge_dir=Path(_get(env, "KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR),
        log_level=_log_level(env),
        thresholds=_thresholds(env),
        data_dir=Path(_get(env, "DATA_DIR") or "data"),
        keep_question_texts=_switch(env, "QUESTION_LOG", default=True),
        question_log_days=_number(env, "QUESTION_LOG_DAYS", 90, int, 1, 36500),
        admin_user_ids=_user_ids(env, "ADMIN_USER_IDS"),
        code_set=_code_set(env),
        digest=_digest(env),
    )


def _digest(env: Mapping[str, str]) -> DigestSchedule | None:
    try:
        return parse_schedule(env.get("DIGEST_SCHEDULE"), env.get("TZ"))
    except ScheduleError as error:
        raise ConfigError(f"{error.variable}: {error}") from None


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _url(env: Mapping[str, str], name: str, *, https: bool = False) -> str | None:
    value = _get(env, name)
    if value is None:
        return None
    parsed = urlparse(value)
    schemes = ("https",) if https else ("http", "https")
    if parsed.scheme not in schemes or not parsed.netloc:
        wanted = "an https:// URL" if https else "an http(s):// URL"
        raise ConfigError(f"{name} must be {wanted}, got {value!r}")
    return value


Number = TypeVar("Number", int, float)


def _number(
    env: Mapping[str, str],
    name: str,
    default: Number,
    parse: Callable[[str], Number],
    low: Number,
    high: Number,
) -> Number:
    value = _get(env, name)
    if value is None:
        return default
    try:
        number = parse(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        kind = "a whole number" if parse is int else "a number"
        raise ConfigError(f"{name} must be {kind} from {low} to {high}, got {value!r}")
    return number


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = (_get(env, name) or "").lower()
    if not value:
        return default
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ConfigError(f"{name} must be on or off, got {value!r}")


def _user_ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    value = _get(env, name) or ""
    parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise ConfigError(
            f"{name} must be numeric Telegram user ids separated by commas, got {value!r}"
        )
    return frozenset(int(part) for part in parts)


def _log_level(env: Mapping[str, str]) -> str:
    level = (_get(env, "LOG_LEVEL") or "INFO").upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, got {level!r}")
    return level


def _thresholds(env: Mapping[str, str]) -> Thresholds:
    default = Thresholds()
    try:
        return Thresholds(
            answer=_number(env, "ANSWER_THRESHOLD", default.answer, float, 0.0, 100.0),
            suggest=_number(env, "SUGGEST_THRESHOLD", default.suggest, float, 0.0, 100.0),
            margin=_number(env, "ANSWER_MARGIN", default.margin, float, 0.0, 100.0),
        )
    except ValueError as error:
        if isinstance(error, ConfigError):
            raise
        raise ConfigError(f"ANSWER_THRESHOLD/SUGGEST_THRESHOLD: {error}") from None


def _code_set(env: Mapping[str, str]) -> CodeSetFiles | None:
    tabular, codes = _get(env, "ICD10CM_TABULAR"), _get(env, "ICD10CM_CODES")
    if tabular is None and codes is None:
        return None
    if tabular is None or codes is None:
        raise ConfigError(
            "ICD10CM_TABULAR and ICD10CM_CODES go together: the tabular XML and the code list"
            " of the same CMS release (e.g. icd10cm-tabular-2027.xml, icd10cm-codes-2027.txt)"
        )
    for name, value in (("ICD10CM_TABULAR", tabular), ("ICD10CM_CODES", codes)):
        if not Path(value).is_file():
            raise ConfigError(f"{name}: file not found: {value}")
    return CodeSetFiles(Path(tabular), Path(codes), _get(env, "ICD10CM_RELEASE"))


def _webhook(env: Mapping[str, str]) -> WebhookSettings | None:
    url = _url(env, "WEBHOOK_URL", https=True)
    if url is None:
        return None
    secret = _get(env, "WEBHOOK_SECRET")
    if secret is None:
        raise ConfigError(
            "WEBHOOK_SECRET must be set in webhook mode (1-256 characters A-Z a-z 0-9 _ -);"
            " without it anyone could post fake updates"
        )
    if not _SECRET_PATTERN.match(secret):
        raise ConfigError("WEBHOOK_SECRET may only use 1-256 characters A-Z a-z 0-9 _ -")
    path = _get(env, "WEBHOOK_PATH") or urlparse(url).path or "/"
    return WebhookSettings(
        url=url,
        secret=secret,
        listen=_get(env, "WEBHOOK_LISTEN") or "127.0.0.1",
        port=_number(env, "WEBHOOK_PORT", 8443, int, 1, 65535),
        path="/" + path.lstrip("/"),
    )


class RedactingFormatter(logging.Formatter):
    """Replaces secrets in every formatted line, tracebacks included.

    Keeping httpx at WARNING is not enough: python-telegram-bot logs its API URL, which
    contains the token, at DEBUG, and an exception may quote a URL too.
    """

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, "[redacted]")
        return line


def configure_logging(settings: Settings) -> None:
    """Log to stderr at the configured level, with the token and secret redacted."""
    handler = logging.StreamHandler()
    secrets = [settings.token or "", settings.webhook.secret if settings.webhook else ""]
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    # httpx logs every request URL (with the token) at INFO: noise even when redacted.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # The job queue's scheduler logs each job it adds and runs at INFO: the operator's log
    # is the bot's own lines; its warnings and errors still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
