"""The one place speech is built: prompt lookup, variety, SSML escaping.

Rituals describe what to say as `Line`s (a prompt key and its values); a `Voice`
turns them into SSML for the request's locale. Every value is escaped here, so
text a partner said can never break the SSML.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

CONTENT = Path(__file__).parent / "content"
DEFAULT_LOCALE = "en-US"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
PAUSE = "~pause"
# Reviewed SSML from the skill's own content (safety lines), spoken as written.
TRUSTED = "~ssml"
# Characters XML 1.0 forbids; Alexa rejects SSML that contains them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
MAX_ECHO_CHARS = 280
# A sentence this long is noticed when it comes again; shorter ones ("Thank you.") are not.
NOTICED_WORDS = 6
# Long sentences remembered per session (as short hashes: session attributes stay small).
REMEMBERED = 160


def escape(text: str) -> str:
    """Make user text safe inside SSML (and short enough to say in one breath)."""
    text = _FORBIDDEN.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_ECHO_CHARS:
        text = text[:MAX_ECHO_CHARS].rsplit(" ", 1)[0] + "…"
    return text.translate(_XML_ESCAPES)


def plain(ssml: str) -> str:
    """SSML to the words a card or a log of prompt keys would show."""
    text = _TAGS.sub(" ", ssml)
    for entity, char in (("&quot;", '"'), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">")):
        text = text.replace(entity, char)
    return _SPACES.sub(" ", text.replace("&amp;", "&")).strip()


class Name(NamedTuple):
    """A partner's name; with a voice profile, Alexa can say it from the profile."""

    text: str
    person_id: str | None = None

    def ssml(self) -> str:
        if self.person_id:
            return f'<alexa:name type="first" personId="{escape(self.person_id)}"/>'
        return escape(self.text)


class Line(NamedTuple):
    key: str
    params: Mapping[str, Any] = MappingProxyType({})


def line(key: str, **params: Any) -> Line:
    return Line(key, params)


def pause(ms: int = 400) -> Line:
    return Line(PAUSE, {"ms": ms})


def trusted(ssml: str) -> Line:
    """Reviewed SSML from a content file (never user text): spoken exactly as written."""
    return Line(TRUSTED, {"ssml": ssml})


class Screen(NamedTuple):
    """What a device with a screen shows with a reply: an APL document of content/apl/ and
    its datasource, plain values (a `Line` in it is shown as the plain text it is said as)."""

    document: str
    data: Mapping[str, Any]


class Reply:
    """What a ritual wants said; the skill layer turns it into an Alexa response.

    A plain class, not a dataclass: every class built at import is paid for at cold start.
    """

    __slots__ = ("ask_permission", "card", "elicit", "end_session", "reprompt", "screen", "speak")

    def __init__(
        self,
        speak: list[Line],
        reprompt: list[Line] | None = None,
        end_session: bool = False,
        elicit: str | None = None,
        ask_permission: str | None = None,
        card: tuple[Line, Line] | None = None,
        screen: Screen | None = None,
    ) -> None:
        self.speak = speak
        self.reprompt = reprompt
        self.end_session = end_session
        # Slot to elicit next ("Intent.slot", or a slot of AnswerIntent), so an answer
        # without carrier words still arrives.
        self.elicit = elicit
        # Ask the user for an Alexa permission by voice: "reminders" or "timers".
        self.ask_permission = ask_permission
        # A card in the Alexa app: (title key, body key) rendered like speech.
        self.card = card
        # What a device with a screen shows (devices without one get nothing).
        self.screen = screen

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Reply({fields})"

    def then(self, *lines: Line) -> Reply:
        self.speak.extend(lines)
        return self


class Catalog(NamedTuple):
    locale: str
    prompts: dict[str, list[str]]

    def variants(self, key: str) -> list[str]:
        found = self.prompts.get(key)
        if found is None and self.locale != DEFAULT_LOCALE:
            found = catalog(DEFAULT_LOCALE).prompts.get(key)
        if not found:
            raise KeyError(f"no prompt {key!r} for {self.locale}")
        return found

    def data(self, name: str) -> Any:
        """A non-prompt data file of the locale (decks, resources)."""
        return _load_data(self.locale, name)


def supported_locale(raw: object) -> str:
    """The request's locale if the skill speaks it, else the default: checked before a
    locale names a file (a 5,000-character "locale" is no path)."""
    if not isinstance(raw, str) or len(raw) > 16:
        return DEFAULT_LOCALE
    lang, _, region = raw.strip().replace("_", "-").partition("-")
    candidate = f"{lang.lower()}-{region.upper()}"
    return candidate if candidate in LOCALES else DEFAULT_LOCALE


def catalog(locale: object) -> Catalog:
    """The prompts of `locale`; anything but a locale the skill speaks gets the default's.

    The locale comes from the request: it names a folder only after `supported_locale`
    has matched it to LOCALES, so "../../etc" or 42 never reaches the filesystem.
    """
    return _catalog(supported_locale(locale))


@cache
def _catalog(locale: str) -> Catalog:
    folder = CONTENT / locale
    if not folder.is_dir():
        if locale == DEFAULT_LOCALE:
            raise FileNotFoundError(folder)
        return _catalog(DEFAULT_LOCALE)
    prompts: dict[str, list[str]] = {}
    for path in sorted(folder.glob("prompts*.json")):
        for key, value in json.loads(path.read_text("utf-8")).items():
            prompts[key] = [value] if isinstance(value, str) else list(value)
    return Catalog(locale, prompts)


# Data files are named by the skill's own code, never by a request: a plain name, no path.
_DATA_NAME = re.compile(r"[a-z][a-z0-9_]*")


@cache
def _load_data(locale: str, name: str) -> Any:
    if not _DATA_NAME.fullmatch(name):
        raise ValueError(f"not a content file name: {name!r}")
    path = CONTENT / supported_locale(locale) / f"{name}.json"
    if not path.exists():
        path = CONTENT / DEFAULT_LOCALE / f"{name}.json"
    return json.loads(path.read_text("utf-8"))


class AssumedZone(NamedTuple):
    zone: str  # IANA name
    said: str  # how the couple hears it named


@cache
def assumed_zone(locale: object) -> AssumedZone:
    """The time zone used for `locale` while the device's own is unknown (content/zones.json)."""
    zones = json.loads((CONTENT / "zones.json").read_text("utf-8"))
    found = zones.get(supported_locale(locale)) or zones[DEFAULT_LOCALE]
    return AssumedZone(str(found["zone"]), str(found["said"]))


def _noticed(text: str) -> list[int]:
    """Hashes of the sentences of `text` long enough to be noticed if said again."""
    sentences = _SENTENCE_END.split(plain(text).lower())
    return [
        zlib.crc32(sentence.encode("utf-8"))
        for sentence in sentences
        if len(sentence.split()) >= NOTICED_WORDS
    ]


class Voice:
    """Renders lines for one turn, varying wording and never repeating itself.

    `memory` lives in session attributes: how often each prompt was used, the sentences of
    the previous turn, and the long sentences already spoken this session, so a ritual never
    says the same long sentence twice (repeating on request is not rendered again). The seed
    is the day, so openers rotate from one day to the next.
    """

    def __init__(self, catalog: Catalog, memory: dict[str, Any], seed: int) -> None:
        self.catalog = catalog
        self.memory = memory
        self.seed = seed
        self._said: list[str] = []
        self._speaking = False
        # The wording chosen for each line rendered this turn: a screen shows the same words.
        self._chosen: list[tuple[Line, int]] = []

    def render(self, lines: list[Line]) -> str:
        """Text for a reprompt or a card: varied, but not remembered as spoken."""
        return " ".join(part for part in (self._render(item) for item in lines) if part)

    def speak(self, lines: list[Line]) -> str:
        """What the couple hears now: its long sentences are not said again this session."""
        self._speaking = True
        try:
            return self.render(lines)
        finally:
            self._speaking = False

    def _render(self, item: Line) -> str:
        if item.key == TRUSTED:
            return str(item.params["ssml"])
        if item.key == PAUSE:
            return f'<break time="{int(item.params.get("ms", 400))}ms"/>'
        variants = self.catalog.variants(item.key)
        uses: dict[str, int] = self.memory.setdefault("uses", {})
        # The same question to each partner, or again after a new session, words differently.
        offset = zlib.crc32(repr(sorted(item.params.items())).encode("utf-8"))
        start = (self.seed + uses.get(item.key, 0) + offset) % len(variants)
        uses[item.key] = uses.get(item.key, 0) + 1
        previous = set(self.memory.get("last", []))
        spoken: list[int] = self.memory.setdefault("spoken", [])
        # Wordings of this prompt used this session: the same question to the other partner
        # comes in other words, not the same sentence with the names swapped.
        worded: list[int] = self.memory.setdefault("worded", {}).setdefault(item.key, [])
        order = [(start + offset) % len(variants) for offset in range(len(variants))]
        candidates = [(index, self._fill(variants[index], item.params)) for index in order]
        fresh = [c for c in candidates if c[1] not in previous and c[1] not in self._said]
        unheard = [c for c in fresh if not set(_noticed(c[1])) & set(spoken)]
        new_wording = [c for c in unheard if c[0] not in worded]
        index, text = (new_wording or unheard or fresh or candidates)[0]
        if index not in worded:
            worded.append(index)
        self._chosen.append((item, index))
        self._said.append(text)
        if self._speaking:
            spoken.extend(_noticed(text))
            del spoken[:-REMEMBERED]
        return text

    def shown(self, item: Line) -> str:
        """A line as plain text for a screen: in the wording it was said in this turn (else
        its first), names as written (a voice profile's name tag shows nothing). Nothing is
        remembered: showing is not saying."""
        if item.key == TRUSTED:
            return plain(str(item.params["ssml"]))
        if item.key == PAUSE:
            return ""
        variants = self.catalog.variants(item.key)
        index = next((index for said, index in self._chosen if said is item), 0)
        values = {
            k: escape(v.text if isinstance(v, Name) else str(v)) for k, v in item.params.items()
        }
        return plain(variants[index].format_map(values))

    @staticmethod
    def _fill(template: str, params: Mapping[str, Any]) -> str:
        values = {k: v.ssml() if isinstance(v, Name) else escape(str(v)) for k, v in params.items()}
        return template.format_map(values)

    def finish_turn(self) -> None:
        """Remember this turn's sentences so the next turn says something different."""
        self.memory["last"] = self._said[-6:]
        self._said = []
        self._chosen = []
