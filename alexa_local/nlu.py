"""Alexa's language understanding, approximated from the skill's interaction model.

Every sample utterance becomes a pattern of literal words and slot captures. Typed text is
matched against all of them; the match with the most literal words wins, then the one that
left the least to free-text slots, then the one that comes first in the model. Nothing
matched gives AMAZON.FallbackIntent, as Alexa does for a skill that declares it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from alexa_local import slot_types

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
FALLBACK = "AMAZON.FallbackIntent"

# Standard phrases of the built-in intents; they count only for intents the model declares.
BUILT_IN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.HelpIntent": (
        "help",
        "help me",
        "help us",
        "what can i say",
        "i need help",
        "we need help",
        "can you help me",
        "can you help us",
    ),
    "AMAZON.StopIntent": (
        "stop",
        "stop it",
        "quit",
        "exit",
        "off",
        "shut up",
        "be quiet",
        "goodbye",
        "good bye",
        "bye",
    ),
    "AMAZON.CancelIntent": ("cancel", "cancel that", "never mind", "nevermind", "forget it"),
    "AMAZON.YesIntent": (
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "okay",
        "ok",
        "yes please",
        "sure thing",
        "of course",
        "alright",
        "all right",
    ),
    "AMAZON.NoIntent": ("no", "nope", "nah", "no thanks", "no thank you", "not now"),
    "AMAZON.RepeatIntent": (
        "repeat",
        "repeat that",
        "say that again",
        "again",
        "come again",
        "what did you say",
        "pardon",
    ),
    "AMAZON.StartOverIntent": (
        "start over",
        "restart",
        "start again",
        "begin again",
        "start from the beginning",
    ),
    "AMAZON.PauseIntent": ("pause", "wait", "pause that"),
    "AMAZON.ResumeIntent": ("resume", "continue", "keep going", "go on"),
    "AMAZON.NextIntent": ("next", "skip", "skip that", "skip this", "skip it", "next one"),
    "AMAZON.PreviousIntent": ("previous", "go back", "back"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "go to home"),
}

# What still works while Alexa waits for a slot value (everything else becomes the value).
ESCAPE_INTENTS = frozenset(
    {
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.HelpIntent",
        "AMAZON.RepeatIntent",
        "AMAZON.NextIntent",
        "AMAZON.PauseIntent",
        "AMAZON.StartOverIntent",
    }
)
_ESCAPE_PHRASES = frozenset(p for name in ESCAPE_INTENTS for p in BUILT_IN_PHRASES[name])

_LAUNCH_VERBS = frozenset({"open", "launch", "start", "begin", "load"})
_ONE_SHOT_VERBS = frozenset({"ask", "tell"})
_CONNECTORS = frozenset({"to", "for", "about", "if", "whether", "that"})
_FILLERS = frozenset({"um", "uh", "erm", "well", "so", "oh", "hey", "alexa", "please"})
# Words never heard as a first name, so '{firstName}' does not swallow ordinary speech.
_NOT_NAMES = frozenset(
    "a an and the i im we were you your my our me us it its is are was be to of in on at for "
    "with this that what how why when who not no yes but or so do did can will just".split()
)
_PUNCTUATION_EDGES = " \t\r\n.,;:!?"

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_LETTERS = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Token:
    norm: str  # lower case, apostrophes dropped: 'That's' -> 'thats'
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    text = text.replace("\u2019", "'")  # same length, so offsets stay valid
    return [
        Token(m.group().lower().replace("'", ""), m.start(), m.end()) for m in _WORD.finditer(text)
    ]


@dataclass(frozen=True)
class TypeValue:
    name: str
    id: str | None
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntentSpec:
    name: str
    slots: dict[str, str]  # slot name -> slot type
    samples: tuple[str, ...]
    slot_samples: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class InteractionModel:
    invocation_name: str
    intents: dict[str, IntentSpec]
    types: dict[str, tuple[TypeValue, ...]]
    dialog_intents: frozenset[str]

    @classmethod
    def load(cls, path: Path | str) -> InteractionModel:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InteractionModel:
        root = data["interactionModel"]
        language = root["languageModel"]
        intents: dict[str, IntentSpec] = {}
        for raw in language.get("intents", []):
            slots = raw.get("slots", [])
            intents[raw["name"]] = IntentSpec(
                name=raw["name"],
                slots={s["name"]: s["type"] for s in slots},
                samples=tuple(raw.get("samples", [])),
                slot_samples={s["name"]: tuple(s.get("samples", [])) for s in slots},
            )
        types = {
            raw["name"]: tuple(
                TypeValue(
                    name=v["name"]["value"],
                    id=v.get("id"),
                    synonyms=tuple(v["name"].get("synonyms", [])),
                )
                for v in raw.get("values", [])
            )
            for raw in language.get("types", [])
        }
        dialog = root.get("dialog", {}).get("intents", [])
        return cls(
            invocation_name=language["invocationName"],
            intents=intents,
            types=types,
            dialog_intents=frozenset(d["name"] for d in dialog),
        )


@dataclass(frozen=True)
class Understanding:
    """What Alexa would send for one utterance."""

    request_type: str  # "LaunchRequest" or "IntentRequest"
    intent: dict[str, Any] | None = None  # Alexa's intent JSON: name, confirmationStatus, slots
    dialog_state: str | None = None
    opens_session: bool = False  # "open/ask/tell closer together ...": a new session

    @property
    def intent_name(self) -> str | None:
        return self.intent["name"] if self.intent else None

    @property
    def slot_values(self) -> dict[str, str]:
        slots = (self.intent or {}).get("slots", {})
        return {name: s["value"] for name, s in slots.items() if s.get("value") is not None}

    def resolved(self, slot: str) -> list[dict[str, Any]]:
        """The entity-resolution values of a slot (empty without a match)."""
        found = (self.intent or {}).get("slots", {}).get(slot, {})
        authorities = found.get("resolutions", {}).get("resolutionsPerAuthority", [])
        return [v["value"] for a in authorities for v in a.get("values", [])]


@dataclass(frozen=True)
class DialogContext:
    """The dialog directive of the skill's last response, which shapes the next turn."""

    directive_type: str  # Dialog.ElicitSlot, Dialog.ConfirmIntent, Dialog.ConfirmSlot, ...
    intent: dict[str, Any]
    slot: str | None = None

    @classmethod
    def from_directives(
        cls, directives: Sequence[dict[str, Any]], last_intent: dict[str, Any] | None
    ) -> DialogContext | None:
        for directive in directives:
            kind = str(directive.get("type", ""))
            if not kind.startswith("Dialog."):
                continue
            intent = directive.get("updatedIntent") or last_intent
            if intent is None:
                return None
            slot = directive.get("slotToElicit") or directive.get("slotToConfirm")
            return cls(kind, copy.deepcopy(intent), slot)
        return None


@dataclass(frozen=True)
class _SlotRef:
    name: str
    type: str


@dataclass(frozen=True)
class _Sample:
    intent: str
    elements: tuple[str | _SlotRef, ...]
    order: int
    literals: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class _Fill:
    value: str
    resolutions: dict[str, Any] | None = None
    free_tokens: int = 0  # tokens taken as free text rather than recognised as the type


@dataclass(frozen=True)
class _Match:
    intent: str
    fills: dict[str, _Fill]
    literals: int
    order: int

    @property
    def exact(self) -> bool:
        return not self.fills

    def rank(self) -> tuple[int, int, int]:
        free = sum(f.free_tokens for f in self.fills.values())
        return (self.literals, -free, -self.order)


class Nlu:
    """Typed text -> what Alexa's NLU would hand the skill, for one interaction model."""

    def __init__(self, model: InteractionModel, skill_id: str = DEFAULT_SKILL_ID) -> None:
        self.model = model
        self.skill_id = skill_id
        self._invocation = [t.norm for t in tokenize(model.invocation_name)]
        self._samples: list[_Sample] = []
        self._own_samples: dict[str, list[_Sample]] = {}
        order = 0
        for spec in model.intents.values():
            own: list[_Sample] = []
            for sample in spec.samples:
                compiled = _compile(sample, spec, order)
                self._samples.append(compiled)
                own.append(compiled)
                order += 1
            for slot_samples in spec.slot_samples.values():
                for sample in slot_samples:
                    own.append(_compile(sample, spec, order))
                    order += 1
            self._own_samples[spec.name] = own
        for name, phrases in BUILT_IN_PHRASES.items():
            if name in model.intents:
                for phrase in phrases:
                    self._samples.append(_compile(phrase, model.intents[name], order))
                    order += 1

    @classmethod
    def from_file(cls, path: Path | str, skill_id: str = DEFAULT_SKILL_ID) -> Nlu:
        return cls(InteractionModel.load(path), skill_id)

    def understand(
        self, text: str, *, dialog: DialogContext | None = None, today: date | None = None
    ) -> Understanding:
        reader = _SlotReader(self.model, self.skill_id, today or date.today())
        one_shot = self._one_shot(text, reader)
        if one_shot is not None:
            return one_shot
        return self._in_session(text, dialog, reader)

    def slots_for(
        self, intent: str, values: dict[str, str | None], *, today: date | None = None
    ) -> dict[str, dict[str, Any]]:
        """Alexa's slots JSON for given values; custom types get their resolutions."""
        spec = self.model.intents.get(intent)
        if spec is None:
            raise KeyError(f"intent {intent!r} is not in the interaction model")
        unknown = set(values) - set(spec.slots)
        if unknown:
            raise KeyError(f"intent {intent!r} has no slot(s) {sorted(unknown)}")
        reader = _SlotReader(self.model, self.skill_id, today or date.today())
        fills = {
            name: reader.given(spec.slots[name], value)
            for name, value in values.items()
            if value is not None
        }
        return _slots_json(spec, fills)

    # -- the forms that wake the skill ------------------------------------------------------

    def _one_shot(self, text: str, reader: _SlotReader) -> Understanding | None:
        tokens = tokenize(text)
        words = [t.norm for t in tokens]
        at = 1 if words[:1] == ["alexa"] else 0
        if at >= len(words):
            return None
        verb = words[at]
        after = at + 1 + len(self._invocation)
        if words[at + 1 : after] != self._invocation:
            return None
        if verb in _LAUNCH_VERBS and after == len(words):
            return Understanding("LaunchRequest", opens_session=True)
        if verb not in _ONE_SHOT_VERBS:
            return None
        if after == len(words):
            return Understanding("LaunchRequest", opens_session=True)
        # Alexa drops the connecting word ("ask ... to X", "ask ... for X") when X still fits
        if words[after] in _CONNECTORS and after + 1 < len(words):
            heard = self._in_session(text[tokens[after + 1].start :], None, reader)
            if heard.intent_name != FALLBACK:
                return replace(heard, opens_session=True)
        heard = self._in_session(text[tokens[after].start :], None, reader)
        return replace(heard, opens_session=True)

    # -- one turn inside a session ----------------------------------------------------------

    def _in_session(
        self, text: str, dialog: DialogContext | None, reader: _SlotReader
    ) -> Understanding:
        tokens = tokenize(text)
        best = self._best(self._samples, tokens, text, reader)
        if best is None:
            text, tokens = _without_fillers(text, tokens)
            best = self._best(self._samples, tokens, text, reader)
        if dialog is not None:
            continued = self._continue_dialog(dialog, best, tokens, text, reader)
            if continued is not None:
                return continued
        if best is None:
            return self._intent(FALLBACK, {})
        return self._intent(best.intent, best.fills)

    def _continue_dialog(
        self,
        dialog: DialogContext,
        best: _Match | None,
        tokens: list[Token],
        text: str,
        reader: _SlotReader,
    ) -> Understanding | None:
        name = dialog.intent.get("name")
        spec = self.model.intents.get(str(name))
        if spec is None:
            return None
        if dialog.directive_type == "Dialog.ElicitSlot" and dialog.slot in spec.slots:
            # Escape phrases, and whole samples of other intents (intent switching), still win.
            if best is not None and best.exact and (_is_escape(best, tokens) or best.literals > 1):
                return None
            own = self._best(self._own_samples[spec.name], tokens, text, reader, dialog.slot)
            if own is not None:
                fills = own.fills
            elif tokens:
                # Alexa takes the whole answer as the value of the slot it asked for
                slot_type = spec.slots[dialog.slot]
                whole = reader.read(slot_type, tokens, 0, len(tokens), text)
                fills = {dialog.slot: whole or reader.free(slot_type, tokens, 0, len(tokens), text)}
            else:
                return None
            intent = _merged(spec, dialog.intent, fills)
            return Understanding("IntentRequest", intent, "IN_PROGRESS")
        confirming = dialog.directive_type in ("Dialog.ConfirmIntent", "Dialog.ConfirmSlot")
        if confirming and best is not None and best.exact:
            status = {"AMAZON.YesIntent": "CONFIRMED", "AMAZON.NoIntent": "DENIED"}.get(best.intent)
            if status is None:
                return None
            intent = _merged(spec, dialog.intent, {})
            if dialog.directive_type == "Dialog.ConfirmIntent":
                intent["confirmationStatus"] = status
            elif dialog.slot in intent.get("slots", {}):
                intent["slots"][dialog.slot]["confirmationStatus"] = status
            return Understanding("IntentRequest", intent, "IN_PROGRESS")
        return None

    def _intent(self, name: str, fills: dict[str, _Fill]) -> Understanding:
        spec = self.model.intents.get(name) or IntentSpec(name, {}, (), {})
        intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if spec.slots:
            intent["slots"] = _slots_json(spec, fills)
        state = "STARTED" if name in self.model.dialog_intents else None
        return Understanding("IntentRequest", intent, state)

    def _best(
        self,
        samples: list[_Sample],
        tokens: list[Token],
        text: str,
        reader: _SlotReader,
        filling: str | None = None,
    ) -> _Match | None:
        """The best-ranked match; with `filling`, only matches that fill that slot count."""
        if not tokens:
            return None
        heard = {t.norm for t in tokens}
        best: _Match | None = None
        for sample in samples:
            if not sample.literals <= heard:
                continue
            found = _match(sample, tokens, text, reader)
            if found is None or (filling is not None and filling not in found.fills):
                continue
            if best is None or found.rank() > best.rank():
                best = found
        return best


def _is_escape(match: _Match, tokens: list[Token]) -> bool:
    phrase = " ".join(t.norm for t in tokens)
    return match.intent in ESCAPE_INTENTS or phrase in _ESCAPE_PHRASES


def _without_fillers(text: str, tokens: list[Token]) -> tuple[str, list[Token]]:
    """'um, we are Sam and Alex please' -> 'we are Sam and Alex'."""
    first, last = 0, len(tokens)
    while first < last and tokens[first].norm in _FILLERS:
        first += 1
    while last > first and tokens[last - 1].norm == "please":
        last -= 1
    if (first, last) == (0, len(tokens)) or first == last:
        return text, tokens
    trimmed = text[tokens[first].start : tokens[last - 1].end]
    return trimmed, tokenize(trimmed)


def _compile(sample: str, spec: IntentSpec, order: int) -> _Sample:
    elements: list[str | _SlotRef] = []
    at = 0
    for found in _SLOT.finditer(sample):
        elements.extend(t.norm for t in tokenize(sample[at : found.start()]))
        slot = found.group(1)
        if slot not in spec.slots:
            raise ValueError(f"sample {sample!r} of {spec.name} uses undeclared slot {{{slot}}}")
        elements.append(_SlotRef(slot, spec.slots[slot]))
        at = found.end()
    elements.extend(t.norm for t in tokenize(sample[at:]))
    literals = frozenset(e for e in elements if isinstance(e, str))
    return _Sample(spec.name, tuple(elements), order, literals)


def _match(sample: _Sample, tokens: list[Token], text: str, reader: _SlotReader) -> _Match | None:
    """The first full match of a sample, slots taking as much as they can (greedy)."""
    elements = sample.elements
    count = len(tokens)
    if count < len(elements):
        return None

    def walk(i: int, j: int, fills: dict[str, _Fill]) -> dict[str, _Fill] | None:
        if j == len(elements):
            return fills if i == count else None
        element = elements[j]
        rest = len(elements) - j - 1  # each later element needs at least one word
        if isinstance(element, str):
            return walk(i + 1, j + 1, fills) if tokens[i].norm == element else None
        for end in range(count - rest, i, -1):
            fill = reader.read(element.type, tokens, i, end, text)
            if fill is None:
                continue
            found = walk(end, j + 1, {**fills, element.name: fill})
            if found is not None:
                return found
        return None

    fills = walk(0, 0, {})
    if fills is None:
        return None
    literals = sum(1 for e in elements if isinstance(e, str))
    return _Match(sample.intent, fills, literals, sample.order)


def _slots_json(spec: IntentSpec, fills: dict[str, _Fill]) -> dict[str, dict[str, Any]]:
    return {name: _slot_json(name, fills.get(name)) for name in spec.slots}


def _slot_json(name: str, fill: _Fill | None) -> dict[str, Any]:
    if fill is None:
        return {"name": name, "confirmationStatus": "NONE"}
    slot_value: dict[str, Any] = {"type": "Simple", "value": fill.value}
    slot: dict[str, Any] = {
        "name": name,
        "value": fill.value,
        "confirmationStatus": "NONE",
        "source": "USER",
        "slotValue": slot_value,
    }
    if fill.resolutions is not None:
        slot["resolutions"] = fill.resolutions
        slot_value["resolutions"] = fill.resolutions
    return slot


def _merged(spec: IntentSpec, carried: dict[str, Any], fills: dict[str, _Fill]) -> dict[str, Any]:
    """The intent the skill handed back in its dialog directive, with newly heard slots."""
    old_slots = carried.get("slots") or {}
    slots: dict[str, dict[str, Any]] = {}
    for name in spec.slots:
        if name in fills:
            slots[name] = _slot_json(name, fills[name])
        elif name in old_slots:
            slots[name] = {"confirmationStatus": "NONE", **old_slots[name], "name": name}
        else:
            slots[name] = _slot_json(name, None)
    intent: dict[str, Any] = {
        "name": spec.name,
        "confirmationStatus": carried.get("confirmationStatus") or "NONE",
    }
    if slots:
        intent["slots"] = slots
    return intent


_Parser = Callable[[list[str]], str | None]


class _SlotReader:
    """Recognises a span of words as a value of a slot type, as Alexa's NLU would."""

    def __init__(self, model: InteractionModel, skill_id: str, today: date) -> None:
        self._model = model
        self._skill_id = skill_id
        self._typed: dict[str, _Parser] = {
            "AMAZON.NUMBER": lambda w: _str_or_none(slot_types.parse_number(w)),
            "AMAZON.TIME": slot_types.parse_time,
            "AMAZON.DATE": lambda w: slot_types.parse_date(w, today),
            "AMAZON.DURATION": slot_types.parse_duration,
            "AMAZON.DayOfWeek": slot_types.parse_day_of_week,
        }
        self._vocabulary: dict[str, dict[str, list[TypeValue]]] = {}
        for type_name, values in model.types.items():
            index: dict[str, list[TypeValue]] = {}
            for value in values:
                for said in (value.name, *value.synonyms):
                    key = " ".join(t.norm for t in tokenize(said))
                    if value not in index.setdefault(key, []):
                        index[key].append(value)
            if index:
                self._vocabulary[type_name] = index

    def read(self, slot_type: str, tokens: list[Token], i: int, j: int, text: str) -> _Fill | None:
        words = [t.norm for t in tokens[i:j]]
        spoken = text[tokens[i].start : tokens[j - 1].end]
        if slot_type == "AMAZON.FirstName":
            return _first_name(tokens[i:j], text)
        parser = self._typed.get(slot_type)
        if parser is not None:
            value = parser(words)
            return None if value is None else _Fill(value)
        vocabulary = self._vocabulary.get(slot_type)
        if vocabulary is not None:
            values = vocabulary.get(" ".join(words))
            if values:
                return _Fill(spoken.lower(), self._resolutions(slot_type, values))
        return self.free(slot_type, tokens, i, j, text)

    def free(self, slot_type: str, tokens: list[Token], i: int, j: int, text: str) -> _Fill:
        """Free text: everything between the neighbouring words, punctuation and emoji kept."""
        start = tokens[i - 1].end if i > 0 else 0
        end = tokens[j].start if j < len(tokens) else len(text)
        value = text[start:end].strip(_PUNCTUATION_EDGES)
        resolutions = self._resolutions(slot_type, []) if slot_type in self._vocabulary else None
        return _Fill(value, resolutions, free_tokens=j - i)

    def given(self, slot_type: str, value: str) -> _Fill:
        """A value handed over as Alexa would have resolved it (for scripted intents)."""
        vocabulary = self._vocabulary.get(slot_type)
        if vocabulary is None:
            return _Fill(value)
        matches = vocabulary.get(" ".join(t.norm for t in tokenize(value)), [])
        return _Fill(value, self._resolutions(slot_type, matches))

    def _resolutions(self, slot_type: str, values: list[TypeValue]) -> dict[str, Any]:
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{self._skill_id}.{slot_type}",
            "status": {"code": "ER_SUCCESS_MATCH" if values else "ER_SUCCESS_NO_MATCH"},
        }
        if values:
            authority["values"] = [
                {"value": {"name": v.name, "id": v.id or _generated_id(v.name)}} for v in values
            ]
        return {"resolutionsPerAuthority": [authority]}


def _first_name(tokens: Sequence[Token], text: str) -> _Fill | None:
    if len(tokens) > 2:
        return None
    words = []
    for token in tokens:
        said = text[token.start : token.end]
        if token.norm in _NOT_NAMES or not _LETTERS.fullmatch(said):
            return None
        words.append(said.capitalize() if said.islower() else said)
    return _Fill(" ".join(words))


def _generated_id(name: str) -> str:
    # Alexa makes an id from the value when the model gives none; any stable hash will do
    return hashlib.md5(name.encode("utf-8"), usedforsecurity=False).hexdigest()


def _str_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)
