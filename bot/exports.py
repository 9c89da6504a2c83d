"""Exports for a municipality's records (`buurtbot export requests|summary`).

Requests: one row each, with the answers flattened into `answer.<key>` columns. Summary:
counts of initiatives and handoffs per 4-digit area, month and outcome, no personal data.
CSV is written as spreadsheets in the Netherlands open it: UTF-8 with a BOM, `;` between
cells. A cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a
carriage return) gets a leading `'`, so text a resident typed can never run as one. Files
are created readable by their owner only (0600), like the database.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.domain import SupportRequest
from bot.files import PRIVATE

BOM = "\ufeff"
SEPARATOR = ";"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

REQUEST_COLUMNS = (
    "reference",
    "uuid",
    "submitted",
    "state",
    "kind",
    "amount",
    "district",
    "supporters",
    "case_number",
    "letter_date",
    "history",
)
SUMMARY_COLUMNS = ("what", "area", "month", "outcome", "count")


def harmless(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def _flat(value: Any) -> str:
    """An answer as one cell: lists joined with ", ", a voice note named, the rest as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value)
    if isinstance(value, dict) and "voice" in value:
        return f"voice message ({value.get('seconds', '?')} s)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def flatten(answers: Mapping[str, Any], prefix: str = "answer.") -> dict[str, str]:
    """Answers as cells: nested objects become `answer.<key>.<sub>`, lists of objects (budget
    lines) `answer.<key>.<n>.<sub>`, counting from 1."""
    cells: dict[str, str] = {}
    for key, value in answers.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and "voice" not in value:
            cells.update(flatten(value, f"{name}."))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for n, item in enumerate(value, 1):
                cells.update(flatten(item, f"{name}.{n}."))
        else:
            cells[name] = _flat(value)
    return cells


def history(request: SupportRequest) -> str:
    """Every change in one cell: `2026-03-02 submitted; 2026-03-04 received (note)`."""
    parts = []
    for event in request.history:
        part = f"{event.at.date().isoformat()} {event.state}"
        extra = [x for x in (event.amount, event.note) if x]
        parts.append(f"{part} ({', '.join(extra)})" if extra else part)
    return "; ".join(parts)


def request_row(request: SupportRequest) -> dict[str, Any]:
    """One request as a JSON object; `flatten` of its answers makes the CSV row."""
    return {
        "reference": request.reference,
        "uuid": request.uuid,
        "submitted": None if request.submitted_at is None else request.submitted_at.isoformat(),
        "state": request.state,
        "kind": request.kind,
        "amount": request.answers.get("amount"),
        "district": request.district,
        "supporters": request.supporters,
        "case_number": request.case_number,
        "letter_date": None if request.letter_date is None else request.letter_date.isoformat(),
        "history": history(request),
        "answers": dict(request.answers),
    }


def requests_csv(found: Sequence[SupportRequest]) -> str:
    rows = []
    for request in found:
        row = request_row(request)
        answers = row.pop("answers")
        cells = {k: _flat(v) for k, v in row.items()}
        rows.append({**cells, **flatten(answers)})
    answer_columns = sorted({k for row in rows for k in row} - set(REQUEST_COLUMNS))
    return to_csv((*REQUEST_COLUMNS, *answer_columns), rows)


def requests_json(found: Sequence[SupportRequest]) -> str:
    return json.dumps([request_row(r) for r in found], ensure_ascii=False, indent=2) + "\n"


def summary_rows(counts: Iterable[tuple[str, str, str, str, int]]) -> list[dict[str, Any]]:
    return [dict(zip(SUMMARY_COLUMNS, row, strict=True)) for row in counts]


def summary_csv(counts: Iterable[tuple[str, str, str, str, int]]) -> str:
    rows = [{k: str(v) for k, v in row.items()} for row in summary_rows(counts)]
    return to_csv(SUMMARY_COLUMNS, rows)


def summary_json(counts: Iterable[tuple[str, str, str, str, int]]) -> str:
    return json.dumps(summary_rows(counts), ensure_ascii=False, indent=2) + "\n"


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    """UTF-8 text with a BOM, `;` between cells, every cell made harmless."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([harmless(row.get(c, "")) for c in columns])
    return BOM + out.getvalue()


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` as UTF-8, readable by its owner only (0600), also when the file
    was there before with a wider mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    os.fchmod(fd, PRIVATE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
        file.write(text)
