"""Languages: catalogs, choosing a resident's language, and rendering messages for a reader.

The `.po` files under `locales/` are the only source: they are compiled in memory when the
bot starts, so there is no build step to forget and an installed wheel speaks every language
it carries. English message ids double as the English text and as the last fallback.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import html
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from bot.flows.dates import DateWords
from bot.replies import (
    NN_,
    WRITTEN_IN,
    Code,
    Day,
    Duration,
    Euro,
    LanguageName,
    Listing,
    Moment,
    Msg,
    Param,
    Said,
)

DOMAIN = "messages"
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ps", "ur", "ckb"})

# Telegram language codes that mean one of our languages under another name: Dari, the
# Persian of Afghanistan, is written the same way and read by the same catalog.
ALIASES: Mapping[str, str] = {"prs": "fa", "fa-af": "fa"}
# Extra entries in the language picker, so people find their language by the name they use.
ALSO_CALLED: Mapping[str, tuple[str, str]] = {"fa": ("prs", "دری")}

# Durations are said in the largest unit that fits exactly: 730 days are "2 jaar", 14 are
# "2 weken", 45 stay "45 dagen". Babel's own month is 30 days and its year 365.
DURATION_UNITS = (("year", 365), ("month", 30), ("week", 7), ("day", 1))
# Where babel's words for a unit read wrongly (Tigrinya months come out as "3/ኣዋርሕ", Somali
# years as a capitalised "Sannado"), the catalog's own plural message is used instead.
OWN_DURATION_WORDS = frozenset({("ti", "month"), ("so", "year")})


def _own_duration_words(unit: str, count: int) -> Msg | None:
    # Translators: a length of time, said as people say it ("2 years").
    if unit == "year":
        return NN_("{count} year", "{count} years", count)
    if unit == "month":
        return NN_("{count} month", "{count} months", count)
    return None


# Unicode first-strong isolate: an inserted value keeps its own direction inside a message.
FSI, PDI, RLM = "\u2068", "\u2069", "\u200f"


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def locales_dir() -> Path:
    """The catalogs: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).parent / "locales"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "locales"


def catalog_path(code: str, root: Path | None = None) -> Path:
    return (root or locales_dir()) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


# The order of the language picker; a language added later comes after these.
PICKER_ORDER = ("nl", "en", "ar", "ti", "tr", "fa", "uk", "so")


def available_languages(root: Path | None = None) -> tuple[str, ...]:
    """Every language with a catalog on disk, in the picker's order."""
    base = root or locales_dir()
    found = sorted(p.parent.parent.name for p in base.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    first = [c for c in PICKER_ORDER if c in found]
    return (*first, *[c for c in found if c not in first])


@functools.cache
def _compiled(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as po:
        catalog = read_po(po)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def negotiate(language_code: str | None, languages: Iterable[str]) -> str | None:
    """Our language for Telegram's `language_code` (`nl`, `fa-AF`, `uk-UA`), or None.

    None means "ask": the code was missing, or names a language we do not speak.
    """
    if not language_code:
        return None
    tag = language_code.replace("_", "-").lower()
    supported = set(languages)
    for candidate in (ALIASES.get(tag), tag, ALIASES.get(tag.split("-")[0]), tag.split("-")[0]):
        if candidate in supported:
            return candidate
    return None


class Translator:
    """Everything language-specific for one reader: words, dates, numbers and direction."""

    def __init__(self, code: str, root: Path | None = None) -> None:
        self.code = code
        self.root = root or locales_dir()
        self.locale = Locale.parse(code, sep="-")
        self.rtl = code in RTL_LANGUAGES
        path = catalog_path(code, root)
        self._gettext: gettext.NullTranslations = (
            _compiled(path) if path.is_file() else gettext.NullTranslations()
        )

    @property
    def name(self) -> str:
        """The language's own name in its own script, as shown in the language picker."""
        name = self.locale.get_display_name(self.locale) or self.code
        return name[:1].upper() + name[1:]

    def template(self, msg: Msg) -> str:
        g = self._gettext
        if msg.plural is not None:
            count = msg.count or 0
            if msg.context is not None:
                return g.npgettext(msg.context, msg.msgid, msg.plural, count)
            return g.ngettext(msg.msgid, msg.plural, count)
        if msg.context is not None:
            return g.pgettext(msg.context, msg.msgid)
        return g.gettext(msg.msgid)

    def _isolate(self, value: str) -> str:
        return f"{FSI}{value}{PDI}" if self.rtl else value

    def param(self, value: Param, *, markup: bool) -> str:
        """One parameter, escaped for HTML when `markup` is set and isolated in RTL text."""
        if isinstance(value, Msg):
            return self.render(value, markup=markup)
        if isinstance(value, Listing):
            return "\n".join(f"• {self.param(m, markup=markup)}" for m in value.items)
        if isinstance(value, Said):
            return self._said(value, markup=markup)
        if isinstance(value, Code):
            return self._isolate(html.escape(value.text, quote=False) if markup else value.text)
        if isinstance(value, Day):
            return self._isolate(self.date(value))
        if isinstance(value, Euro):
            return self._isolate(format_currency(value.amount, "EUR", locale=self.locale))
        if isinstance(value, Duration):
            return self._isolate(self.duration(value.days))
        if isinstance(value, LanguageName):
            return self._isolate(self.language_name(value.code))
        if isinstance(value, Moment):
            day = format_date(value.value.date(), format="long", locale=self.locale)
            return self._isolate(
                f"{day} {format_time(value.value, format='short', locale=self.locale)}"
            )
        return self._isolate(format_decimal(value, locale=self.locale))

    def _said(self, said: Said, *, markup: bool) -> str:
        text = html.escape(said.text, quote=False) if markup else said.text
        # Right-to-left text inside a left-to-right message needs isolating too, or its
        # neighbouring punctuation and numbers jump around.
        shown = f"{FSI}{text}{PDI}" if self.rtl or _has_rtl(said.text) else text
        if said.language is None or said.language == self.code:
            return shown
        language = self._isolate(self.language_name(said.language))
        return self.template(WRITTEN_IN).format_map({"text": shown, "language": language})

    def language_name(self, code: str) -> str:
        """A language's name in this reader's language."""
        return Locale.parse(code).get_display_name(self.locale) or code

    def render(self, msg: Msg, *, markup: bool = True) -> str:
        """A message in this language; HTML-safe when `markup` is set (for message bodies)."""
        template = self.template(msg)
        if not msg.params:
            return template
        return template.format_map({k: self.param(p, markup=markup) for k, p in msg.params.items()})

    def label(self, label: Msg | Day | Code) -> str:
        """A button label: plain text, never HTML."""
        if isinstance(label, Msg):
            return self.render(label, markup=False)
        return label.text if isinstance(label, Code) else self.date(label)

    def date(self, day: Day) -> str:
        """Long dates everywhere: short numeric forms are read differently around the world."""
        if day.short:
            return _short_date(day.value, self.code)
        return format_date(day.value, format="full" if day.full else "long", locale=self.locale)

    @property
    def dates(self) -> DateWords:
        """The words of this language for dates, for reading what a resident types."""
        return _date_words(self.code, self.root)

    def duration(self, days: int) -> str:
        """A number of days as people say it: "2 jaar", "3 maanden", "2 weken", "10 dagen"."""
        unit, size = next(
            (u, n) for u, n in DURATION_UNITS if (days > 0 and days % n == 0) or n == 1
        )
        count = days // size
        own = _own_duration_words(unit, count)
        if own is not None and (self.code, unit) in OWN_DURATION_WORDS:
            return self.render(own, markup=False)
        # With `count` as the threshold, every larger unit counts less than it, so babel says
        # the unit chosen above; it writes the number with Western digits in every language.
        said = format_timedelta(
            dt.timedelta(days=days), threshold=max(count, 1), granularity="day", locale=self.locale
        )
        if not said and own is not None:  # a language babel has no words for
            return self.render(own, markup=False)
        return said or str(days)

    @functools.cached_property
    def months(self) -> dict[str, int]:
        """Month names a resident of this language may type, with Dutch and English always."""
        names: dict[str, int] = {}
        for locale in {self.locale, Locale.parse("nl"), Locale.parse("en")}:
            for context in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    for number, name in locale.months[context][width].items():
                        names.setdefault(name.lower().rstrip("."), number)
        return names


def _short_date(value: dt.date, code: str) -> str:
    """A date as on a button: weekday, day and month ("za 5 december")."""
    return format_skeleton("MMMMEEEEd", value, locale=Locale.parse(code, sep="-"))


@functools.cache
def _date_words(code: str, root: Path) -> DateWords:
    """Loaded once per process: babel's names, the language's table and dateparser's data."""
    return DateWords.load(
        code,
        root,
        label=functools.partial(_short_date, code=code),
        languages=available_languages(root),
    )


@dataclass(frozen=True)
class Languages:
    """The languages this deployment speaks, with one translator each."""

    codes: tuple[str, ...]
    default: str

    def __post_init__(self) -> None:
        # Load every language's date words now, at start-up, not at a resident's first date.
        for translator in self.translators.values():
            translator.dates  # noqa: B018

    @functools.cached_property
    def translators(self) -> dict[str, Translator]:
        return {code: Translator(code) for code in self.codes}

    @functools.cached_property
    def names(self) -> dict[str, str]:
        """The picker's entries: each language's own name, and the other names people use."""
        names = {}
        for code in self.codes:
            names[code] = self(code).name
            if code in ALSO_CALLED:
                alias, name = ALSO_CALLED[code]
                names[alias] = name
        return names

    def __call__(self, code: str | None) -> Translator:
        """The translator for a language, or for another name of it (Dari reads Persian)."""
        code = code or self.default
        found = self.translators.get(code) or self.translators.get(ALIASES.get(code.lower(), ""))
        return found or self.translators[self.default]

    def negotiate(self, language_code: str | None) -> str | None:
        return negotiate(language_code, self.codes)
