"""Durations as people say them ("2 jaar", not "730 dagen"), in every language."""

from __future__ import annotations

import pytest

from bot.i18n import Translator, available_languages

DAYS = (1, 2, 14, 30, 45, 90, 365, 730)
SAID = {
    "nl": ("1 dag", "2 dagen", "2 weken", "1 maand", "45 dagen", "3 maanden", "1 jaar", "2 jaar"),
    "en": ("1 day", "2 days", "2 weeks", "1 month", "45 days", "3 months", "1 year", "2 years"),
    "ar": ("يوم", "يومان", "أسبوعان", "شهر", "45 يومًا", "3 أشهر", "سنة", "سنتان"),
    # babel writes Tigrinya months as "3/ኣዋርሕ": the catalog's own words are used instead
    "ti": ("1 መዓልቲ", "2 መዓልታት", "2 ሰሙናት", "1 ወርሒ", "45 መዓልታት", "3 ኣዋርሕ", "1 ዓመት", "2 ዓመታት"),
    "tr": ("1 gün", "2 gün", "2 hafta", "1 ay", "45 gün", "3 ay", "1 yıl", "2 yıl"),
    "fa": ("1 روز", "2 روز", "2 هفته", "1 ماه", "45 روز", "3 ماه", "1 سال", "2 سال"),
    "uk": ("1 день", "2 дні", "2 тижні", "1 місяць", "45 днів", "3 місяці", "1 рік", "2 роки"),
    # babel's Somali year is a capitalised "Sannado": "sano" is what people say
    "so": (
        "1 maalin",
        "2 maalmood",
        "2 toddobaadyo",
        "1 bil",
        "45 maalmood",
        "3 bilood",
        "1 sano",
        "2 sano",
    ),
}


def test_the_table_covers_every_language() -> None:
    assert set(SAID) == set(available_languages())


@pytest.mark.parametrize(
    ("code", "days", "said"),
    [
        (code, days, said)
        for code, row in SAID.items()
        for days, said in zip(DAYS, row, strict=True)
    ],
)
def test_a_duration_is_said_in_the_largest_whole_unit(code: str, days: int, said: str) -> None:
    assert Translator(code).duration(days) == said


@pytest.mark.parametrize("code", available_languages())
def test_durations_keep_western_digits_and_the_readers_words(code: str) -> None:
    tr, english = Translator(code), Translator("en")
    for days in (3, 21, 60, 180, 390, 1095):  # not 7: "1 week" is Dutch too
        said = tr.duration(days)
        assert said and "/" not in said
        assert not any("٠" <= c <= "٩" or "۰" <= c <= "۹" for c in said)
        if code != "en":
            assert said != english.duration(days)
