"""Settings: sensible defaults, and one clear line naming a setting that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from bot.settings import SettingsError, load


def test_defaults_work_without_any_setting() -> None:
    settings = load({})
    assert settings.db == Path("buurtbot.sqlite3")
    assert settings.api_url == "https://api.telegram.org/bot"
    assert settings.file_url == "https://api.telegram.org/file/bot"
    assert str(settings.timezone) == "Europe/Amsterdam"
    assert settings.language == "nl"
    assert settings.languages[:2] == ("nl", "en")


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "buurtbot.toml"
    config.write_text('db = "from-file.sqlite3"\nadmins = [1, 2]\nlanguage = "en"\n')
    settings = load({"BUURTBOT_CONFIG": str(config), "BUURTBOT_DB": "from-env.sqlite3"})
    assert settings.db == Path("from-env.sqlite3")
    assert settings.admins == frozenset({1, 2})
    assert settings.language == "en"


def test_a_self_hosted_bot_api_server() -> None:
    settings = load({"BUURTBOT_API_URL": "http://localhost:8081/bot/"})
    assert settings.api_url == "http://localhost:8081/bot"
    assert settings.file_url == "http://localhost:8081/file/bot"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"BUURTBOT_ADMINS": "12,abc"}, "BUURTBOT_ADMINS"),
        ({"BUURTBOT_TIMEZONE": "Mars/Olympus"}, "BUURTBOT_TIMEZONE"),
        ({"BUURTBOT_API_URL": "api.telegram.org"}, "BUURTBOT_API_URL"),
        ({"BUURTBOT_LANGUAGE": "xx"}, "BUURTBOT_LANGUAGE"),
        ({"BUURTBOT_LANGUAGES": "nl,xx"}, "BUURTBOT_LANGUAGES"),
        ({"BUURTBOT_DRAFT_DAYS": "soon"}, "BUURTBOT_DRAFT_DAYS"),
        ({"BOT_TOKEN": "nonsense"}, "BOT_TOKEN"),
        ({"BUURTBOT_CONFIG": "/nonexistent/buurtbot.toml"}, "BUURTBOT_CONFIG"),
    ],
)
def test_a_malformed_setting_is_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load(environ)
    assert str(caught.value).startswith(named + ":")
    assert "\n" not in str(caught.value)


def test_run_without_token_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("BOT_TOKEN", "BUURTBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["run"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "buurtbot: BOT_TOKEN is not set: get a token from @BotFather and set it"
    ]


def test_run_needs_to_know_who_is_responsible_for_the_data(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.delenv("BUURTBOT_OPERATOR", raising=False)
    assert cli.main(["run"]) == 2
    assert capsys.readouterr().err.startswith("buurtbot: BUURTBOT_OPERATOR is not set")
