"""The translation catalogs as data: extract messages from the code, update and check `.po` files.

Used by the test suite (a catalog that misses a message or breaks a placeholder fails CI), by
`buurtbot translations` (coverage per language) and by translators through
`python -m bot.catalogs update` after the code gained new messages.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, available_languages, catalog_path, locales_dir

KEYWORDS = {"N_": None, "NP_": ((1, "c"), 2), "NN_": (1, 2)}
PACKAGE = Path(__file__).parent
PLACEHOLDER = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?([a-zA-Z-]+)[^>]*>")
UNREVIEWED = "unreviewed"  # translator comment on a translation no fluent speaker has checked


def template() -> Catalog:
    """Every message id the code uses, as a fresh catalog."""
    catalog = Catalog(project="Buurtbot", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        if filename.startswith("locales"):
            continue
        catalog.add(
            message,
            locations=[(f"bot/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def read(code: str, root: Path | None = None) -> Catalog:
    with catalog_path(code, root).open("rb") as po:
        return read_po(po, locale=code)


def write(code: str, catalog: Catalog, root: Path | None = None) -> None:
    path = catalog_path(code, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(
            po, catalog, width=100, omit_header=False, sort_output=False, include_previous=False
        )


def update(root: Path | None = None) -> None:
    """Bring every catalog up to date with the code; new messages arrive untranslated."""
    fresh = template()
    for code in available_languages(root):
        catalog = read(code, root)
        catalog.update(fresh, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        write(code, catalog, root)


def messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, list | tuple) else (message.id,)


def strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, list | tuple):
        return tuple(message.string)
    return (message.string or "",)


@dataclass(frozen=True)
class Coverage:
    code: str
    name: str
    total: int
    translated: int
    reviewed: int


def coverage(root: Path | None = None) -> list[Coverage]:
    wanted = {(m.context, ids(m)[0]) for m in messages(template())}
    rows = []
    for code in available_languages(root):
        catalog = read(code, root)
        done = [
            m
            for m in messages(catalog)
            if (m.context, ids(m)[0]) in wanted and all(strings(m)) and not m.fuzzy
        ]
        reviewed = [m for m in done if not any(UNREVIEWED in c for c in m.user_comments)]
        name = Locale.parse(code).get_display_name(code) or code
        rows.append(
            Coverage(code, name[:1].upper() + name[1:], len(wanted), len(done), len(reviewed))
        )
    return rows


def coverage_table(root: Path | None = None) -> str:
    lines = ["| language | code | translated | reviewed by a fluent speaker |", "|---|---|---|---|"]
    for row in coverage(root):
        lines.append(
            f"| {row.name} | {row.code} | {row.translated}/{row.total} | "
            f"{row.reviewed}/{row.total} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
        print(f"updated the catalogs under {locales_dir()}")
    else:
        print(coverage_table())
