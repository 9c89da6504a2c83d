"""`buurtbot export requests` and `export summary` as an operator runs them: one
municipality's requests only, CSV as Dutch spreadsheets open it, formulas made harmless, files
0600, and a summary without personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import stat
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from test_directory_cli import buurtbot

from bot import exports
from bot.domain import R_DRAFT, Initiative, Resident, SupportRequest
from bot.flows.effects import SubmitRequest
from bot.store import Changes, Store, rows

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
FORMULA = '=HYPERLINK("http://evil.example","klik")'


def request(municipality: str, answers: dict[str, object]) -> SupportRequest:
    return SupportRequest(
        uuid=str(uuid.uuid4()),
        municipality=municipality,
        owner=None,
        language="nl",
        kind="money",
        answers=answers,
        state=R_DRAFT,
        created_at=NOW,
    )


async def database(tmp_path: Path) -> Path:
    """Requests of Amsterdam (one with a formula as its title) and of Diemen, and a saved plan."""
    db = tmp_path / "bot.sqlite3"
    store = await Store.open(db, now=lambda: NOW)
    try:
        changes = Changes(now=NOW)
        for municipality, prefix, answers in (
            ("GM0363", "AMS", {"title": FORMULA, "amount": "250.00", "name": "Amina Yilmaz"}),
            (
                "GM0363",
                "AMS",
                {
                    "title": "Moestuin",
                    "amount": "400.00",
                    "budget": [{"item": "Zaden", "amount": "40.00"}],
                },
            ),
            ("GM0384", "DIE", {"title": "Straatfeest Diemen", "name": "Piet Diemen"}),
        ):
            changes.conditional.append(
                (0, SubmitRequest(request(municipality, answers), prefix, None))
            )
        await store.commit(changes)
        plan = Initiative(
            reference="INI-1",
            language="nl",
            title="Buurtfeest",
            plan="Een feest",
            category="party",
            postcode="1053AB",
            starts_on=None,
            helpers=3,
            needs=(),
            created_at=NOW,
        )
        saved = Changes(now=NOW)
        saved.ops.append(
            (rows.UPSERT_USER, rows.user_row(Resident(4242, "nl", True), rows.iso(NOW)))
        )
        saved.add_initiative(4242, plan)
        await store.commit(saved)
    finally:
        await store.close()
    return db


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith(exports.BOM)
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


async def test_requests_export_holds_only_that_municipalitys_requests(tmp_path: Path) -> None:
    db = await database(tmp_path)
    status, out, err = await buurtbot(
        db, "export", "requests", "--municipality", "GM0363", "--format", "csv"
    )
    assert status == 0, err
    found = rows_of(out)
    assert [r["reference"] for r in found] == ["AMS-2026-0001", "AMS-2026-0002"]
    assert "Diemen" not in out
    assert found[1]["answer.budget.1.item"] == "Zaden"
    assert found[0]["history"].endswith("submitted")


async def test_requests_csv_uses_semicolons_and_a_bom(tmp_path: Path) -> None:
    db = await database(tmp_path)
    _status, out, _err = await buurtbot(
        db, "export", "requests", "--municipality", "GM0363", "--format", "csv"
    )
    assert out.startswith(exports.BOM + "reference;uuid;submitted;state")


async def test_a_formula_in_an_answer_is_made_harmless(tmp_path: Path) -> None:
    db = await database(tmp_path)
    _status, out, _err = await buurtbot(
        db, "export", "requests", "--municipality", "GM0363", "--format", "csv"
    )
    assert rows_of(out)[0]["answer.title"] == "'" + FORMULA


async def test_an_export_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    db = await database(tmp_path)
    out = tmp_path / "ams.json"
    out.write_text("old")
    out.chmod(0o644)
    status, _out, err = await buurtbot(
        db, "export", "requests", "--municipality", "GM0363", "--format", "json", "--out", str(out)
    )
    assert status == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [r["reference"] for r in json.loads(out.read_text())] == [
        "AMS-2026-0001",
        "AMS-2026-0002",
    ]


async def test_since_leaves_out_earlier_requests(tmp_path: Path) -> None:
    db = await database(tmp_path)
    _status, out, _err = await buurtbot(
        db,
        "export",
        "requests",
        "--municipality",
        "GM0363",
        "--since",
        "2026-03-03",
        "--format",
        "json",
    )
    assert json.loads(out) == []


async def test_the_summary_counts_without_personal_data(tmp_path: Path) -> None:
    db = await database(tmp_path)
    status, _out, err = await buurtbot(db, "export", "summary", "--out", str(tmp_path / "s.csv"))
    assert status == 0, err
    text = (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert rows_of(text) == [
        {
            "what": "initiative",
            "area": "1053",
            "month": "2026-03",
            "outcome": "active",
            "count": "1",
        }
    ]
    for personal in ("Buurtfeest", "Een feest", "1053AB", "Amina", "4242"):
        assert personal not in text
