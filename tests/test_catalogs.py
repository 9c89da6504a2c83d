"""Every language is first-class: a catalog that misses or breaks a message fails CI."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from babel import Locale
from babel.messages.plurals import get_plural

from bot.catalogs import PLACEHOLDER, TAG, ids, messages, read, strings, template
from bot.i18n import available_languages

LANGUAGES = available_languages()
WANTED = {(m.context, ids(m)[0]): m for m in messages(template())}


def test_dutch_and_english_are_there() -> None:
    assert {"nl", "en"} <= set(LANGUAGES)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_is_known_to_babel(code: str) -> None:
    assert Locale.parse(code).get_display_name(code)


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalog_has_every_message_of_the_code_translated(code: str) -> None:
    catalog = read(code)
    have = {(m.context, ids(m)[0]): m for m in messages(catalog)}
    missing = sorted(str(k) for k in set(WANTED) - set(have))
    assert not missing, f"{code}: not in the catalog (run python -m bot.catalogs update)"
    untranslated = sorted(str(k) for k, m in have.items() if k in WANTED and not all(strings(m)))
    assert not untranslated, f"{code}: untranslated"
    fuzzy = sorted(str(k) for k, m in have.items() if m.fuzzy)
    assert not fuzzy, f"{code}: fuzzy entries must be checked"
    stale = sorted(str(k) for k in set(have) - set(WANTED))
    assert not stale, f"{code}: messages the code no longer uses"


@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_and_tags_match_the_message_id(code: str) -> None:
    for message in messages(read(code)):
        expected_names = Counter(PLACEHOLDER.findall(ids(message)[0]))
        expected_tags = Counter(TAG.findall(ids(message)[0]))
        for form in strings(message):
            if ids(message)[0] != ids(message)[-1]:
                # a plural form may say "one" instead of {count}, but nothing else
                names = Counter(PLACEHOLDER.findall(form))
                names["count"] = expected_names["count"]
            else:
                names = Counter(PLACEHOLDER.findall(form))
            assert names == expected_names, f"{code}: {ids(message)[0]!r} -> {form!r}"
            assert Counter(TAG.findall(form)) == expected_tags, f"{code}: {form!r}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_plural_forms_are_babels_for_the_language(code: str) -> None:
    catalog = read(code)
    count, expression = get_plural(code)
    assert catalog.mime_headers and dict(catalog.mime_headers)["Plural-Forms"] == (
        f"nplurals={count}; plural={expression};"
    )
    for message in messages(catalog):
        if isinstance(message.id, list | tuple):
            assert len(strings(message)) == count, f"{code}: {ids(message)[0]!r}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_text_is_nfc_normalised(code: str) -> None:
    for message in messages(read(code)):
        for form in strings(message):
            assert unicodedata.normalize("NFC", form) == form, f"{code}: {form!r}"
