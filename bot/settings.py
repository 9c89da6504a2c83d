"""Settings from environment variables, optionally over a TOML file.

Every problem is reported as one line that names the setting, because the person reading it
is an operator at a terminal, not a Python developer.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import available_languages


class SettingsError(ValueError):
    """A missing or malformed setting. The message is one line that names it."""


SECURITIES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class Smtp:
    """The mail server that delivers requests to municipal offices. Without a host, emails
    wait in the database (`buurtbot run`) or are printed (`buurtbot try`). `ca` is a file of
    extra certificate authorities to trust (a test server's, or an office's own)."""

    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str | None = None
    security: str = "starttls"
    ca: Path | None = None

    @property
    def the_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    db: Path = Path("buurtbot.sqlite3")
    api_url: str = "https://api.telegram.org/bot"
    admins: frozenset[int] = frozenset()
    language: str = "nl"
    languages: tuple[str, ...] = field(default_factory=available_languages)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    operator: str = ""
    privacy_contact: str = ""
    draft_days: int = 30
    keep_days: int = 730
    case_days: int = 365
    username: str | None = None
    smtp: Smtp = field(default_factory=lambda: Smtp())

    @property
    def file_url(self) -> str:
        """Where files are downloaded: `.../bot` becomes `.../file/bot`."""
        base = self.api_url.rstrip("/")
        return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"

    def for_run(self) -> Settings:
        """Check what a real deployment cannot do without."""
        if not self.token:
            raise SettingsError("BOT_TOKEN is not set: get a token from @BotFather and set it")
        if not self.operator:
            raise SettingsError(
                "BUURTBOT_OPERATOR is not set: name the organisation responsible for the data"
            )
        if not self.privacy_contact:
            raise SettingsError(
                "BUURTBOT_PRIVACY_CONTACT is not set: give an e-mail address or web page for "
                "privacy questions"
            )
        return self


# Setting name in the environment -> key in the TOML file.
KEYS = {
    "BOT_TOKEN": "token",
    "BUURTBOT_DB": "db",
    "BUURTBOT_API_URL": "api_url",
    "BUURTBOT_ADMINS": "admins",
    "BUURTBOT_LANGUAGE": "language",
    "BUURTBOT_LANGUAGES": "languages",
    "BUURTBOT_TIMEZONE": "timezone",
    "BUURTBOT_OPERATOR": "operator",
    "BUURTBOT_PRIVACY_CONTACT": "privacy_contact",
    "BUURTBOT_DRAFT_DAYS": "draft_days",
    "BUURTBOT_KEEP_DAYS": "keep_days",
    "BUURTBOT_CASE_DAYS": "case_days",
    "BUURTBOT_USERNAME": "username",
    "BUURTBOT_SMTP_HOST": "smtp_host",
    "BUURTBOT_SMTP_PORT": "smtp_port",
    "BUURTBOT_SMTP_USER": "smtp_user",
    "BUURTBOT_SMTP_PASSWORD": "smtp_password",
    "BUURTBOT_SMTP_FROM": "smtp_from",
    "BUURTBOT_SMTP_SECURITY": "smtp_security",
    "BUURTBOT_SMTP_CA": "smtp_ca",
}


def _list(name: str, value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str | int):
        return [part.strip() for part in str(value).split(",") if part.strip()]
    raise SettingsError(f"{name}: expected a comma-separated list, got {value!r}")


def _days(name: str, value: Any) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name}: expected a whole number of days, got {value!r}") from None
    if days < 1:
        raise SettingsError(f"{name}: must be at least 1 day, got {days}")
    return days


def load(environ: Mapping[str, str] | None = None, config: Path | None = None) -> Settings:
    """Settings from the environment, over `config` (or $BUURTBOT_CONFIG) when given."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    path = config or (Path(env["BUURTBOT_CONFIG"]) if env.get("BUURTBOT_CONFIG") else None)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise SettingsError(f"BUURTBOT_CONFIG: cannot read {path}: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"BUURTBOT_CONFIG: {path} is not valid TOML: {error}") from None
        unknown = set(data) - set(KEYS.values())
        if unknown:
            raise SettingsError(
                f"BUURTBOT_CONFIG: unknown setting(s) in {path}: {', '.join(sorted(unknown))}"
            )
        for name, key in KEYS.items():
            if key in data:
                raw[name] = data[key]
    for name in KEYS:
        if env.get(name, "").strip():
            raw[name] = env[name].strip()
    return _parse(raw)


def _parse(raw: Mapping[str, Any]) -> Settings:
    values: dict[str, Any] = {}
    if "BOT_TOKEN" in raw:
        token = str(raw["BOT_TOKEN"])
        if ":" not in token:
            raise SettingsError(
                "BOT_TOKEN: does not look like a token from @BotFather (123456:ABC...)"
            )
        values["token"] = token
    if "BUURTBOT_DB" in raw:
        values["db"] = Path(str(raw["BUURTBOT_DB"])).expanduser()
    if "BUURTBOT_API_URL" in raw:
        url = str(raw["BUURTBOT_API_URL"]).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise SettingsError(f"BUURTBOT_API_URL: expected an http(s) URL, got {url!r}")
        values["api_url"] = url
    if "BUURTBOT_ADMINS" in raw:
        try:
            values["admins"] = frozenset(
                int(a) for a in _list("BUURTBOT_ADMINS", raw["BUURTBOT_ADMINS"])
            )
        except ValueError:
            raise SettingsError(
                "BUURTBOT_ADMINS: expected Telegram user ids like 12345,67890, got "
                f"{raw['BUURTBOT_ADMINS']!r}"
            ) from None
    found = available_languages()
    if "BUURTBOT_LANGUAGES" in raw:
        languages = tuple(_list("BUURTBOT_LANGUAGES", raw["BUURTBOT_LANGUAGES"]))
        missing = [code for code in languages if code not in found]
        if missing or not languages:
            raise SettingsError(
                f"BUURTBOT_LANGUAGES: no catalog for {', '.join(missing) or 'an empty list'}; "
                f"available: {', '.join(found)}"
            )
        values["languages"] = languages
    languages = values.get("languages", found)
    language = str(raw.get("BUURTBOT_LANGUAGE", "nl"))
    if language not in languages:
        raise SettingsError(f"BUURTBOT_LANGUAGE: {language!r} is not one of {', '.join(languages)}")
    values["language"] = language
    if "BUURTBOT_TIMEZONE" in raw:
        try:
            values["timezone"] = ZoneInfo(str(raw["BUURTBOT_TIMEZONE"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"BUURTBOT_TIMEZONE: unknown time zone {raw['BUURTBOT_TIMEZONE']!r} "
                "(for example Europe/Amsterdam)"
            ) from None
    for name, key in (
        ("BUURTBOT_OPERATOR", "operator"),
        ("BUURTBOT_PRIVACY_CONTACT", "privacy_contact"),
    ):
        if name in raw:
            values[key] = str(raw[name])
    if "BUURTBOT_USERNAME" in raw:
        username = str(raw["BUURTBOT_USERNAME"]).removeprefix("@")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", username):
            raise SettingsError(
                "BUURTBOT_USERNAME: expected the bot's username like buurtbot_bot, "
                f"got {username!r}"
            )
        values["username"] = username
    for name, key in (
        ("BUURTBOT_DRAFT_DAYS", "draft_days"),
        ("BUURTBOT_KEEP_DAYS", "keep_days"),
        ("BUURTBOT_CASE_DAYS", "case_days"),
    ):
        if name in raw:
            values[key] = _days(name, raw[name])
    values["smtp"] = _smtp(raw)
    return Settings(**values)


def _smtp(raw: Mapping[str, Any]) -> Smtp:
    def text(name: str) -> str | None:
        return str(raw[name]).strip() or None if name in raw else None

    security = (text("BUURTBOT_SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITIES:
        raise SettingsError(
            f"BUURTBOT_SMTP_SECURITY: expected starttls, tls or none, got {security!r}"
        )
    port = None
    if "BUURTBOT_SMTP_PORT" in raw:
        try:
            port = int(raw["BUURTBOT_SMTP_PORT"])
        except (TypeError, ValueError):
            port = 0
        if not 0 < port < 65536:
            raise SettingsError(
                f"BUURTBOT_SMTP_PORT: expected a port number like 587, got "
                f"{raw['BUURTBOT_SMTP_PORT']!r}"
            )
    smtp = Smtp(
        host=text("BUURTBOT_SMTP_HOST"),
        port=port,
        user=text("BUURTBOT_SMTP_USER"),
        password=text("BUURTBOT_SMTP_PASSWORD"),
        sender=text("BUURTBOT_SMTP_FROM"),
        security=security,
        ca=None if text("BUURTBOT_SMTP_CA") is None else Path(str(text("BUURTBOT_SMTP_CA"))),
    )
    if security == "none" and (smtp.user or smtp.password):
        raise SettingsError(
            "BUURTBOT_SMTP_SECURITY is none: Buurtbot never sends BUURTBOT_SMTP_USER and "
            "BUURTBOT_SMTP_PASSWORD over a plain connection; use starttls or tls"
        )
    if bool(smtp.user) != bool(smtp.password):
        raise SettingsError("BUURTBOT_SMTP_USER and BUURTBOT_SMTP_PASSWORD: set both, or neither")
    if smtp.host is not None and (smtp.sender is None or "@" not in smtp.sender):
        raise SettingsError(
            "BUURTBOT_SMTP_FROM: give the address emails to municipalities are sent from "
            "(for example buurtbot@example.org)"
        )
    if smtp.ca is not None and not smtp.ca.is_file():
        raise SettingsError(f"BUURTBOT_SMTP_CA: {smtp.ca} is not a readable file")
    return smtp
