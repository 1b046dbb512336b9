"""Alexa's language understanding, approximated from the skill's interaction model.

Every sample utterance becomes a pattern of literal words and slot captures. Typed text is
matched against all of them; the match with the most literal words wins, then the one that
left the least to free-text slots, then the one that comes first in the model. Nothing
matched gives AMAZON.FallbackIntent, as Alexa does for a skill that declares it.

Two modes:

- "exact" (the original stand-in) is kind: while a slot is elicited it hands the skill the whole
  utterance in that slot, free-text slots take anything, and fillers are trimmed generously.
- "honest" behaves as real Alexa does (ALEXA_NOTES.md, "What real Alexa sends"):
  near misses of a sample resolve to its intent (a weighted word edit distance, below), speech
  no sample covers is AMAZON.FallbackIntent with no words, AMAZON.FirstName holds only
  name-like words, long phrases in a custom-type slot are bent to a listed value (or refused),
  and during Dialog.ElicitSlot a better-fitting intent (built-ins, yes/no, another intent's
  whole sample) wins over filling the slot. A slot never gets a value its type cannot hold.

Honest near misses: the utterance is aligned to a sample's words, slots taking spans their
type can read, with these costs per edit:

- a hesitation (um, uh, erm, hmm, mm, "alexa", "please") anywhere: 0
- one light word (article, pronoun, preposition, auxiliary, "now", "just", ...: `LIGHT_WORDS`)
  extra, missing, or said instead of another light word: 1
- two neighbouring words said in swapped order: 1
- one extra content word: 2, only against a sample of three or more literal words
- one missing content word: 2, only from a sample of four or more literal words
- a content word said instead of another: never (that is a different request)

A sample matches when the total cost is within its budget: 1 for samples of one or two
literal words, 2 for longer ones, 0 (exact only) for a bare slot. A near miss must still say
one of the sample's content words; a sample of light words only ("we are {firstName} and
{secondName}", "for {duration}") must be said whole, give or take one extra light word or a
swap. The best match has the lowest cost, then the most literal words heard, then the least
free text, then comes first in the model. AMAZON.SearchQuery is free text, never resolved.
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
from typing import Any, Literal, get_args

from alexa_local import slot_types

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
FALLBACK = "AMAZON.FallbackIntent"
SEARCH_QUERY = "AMAZON.SearchQuery"
FIRST_NAME = "AMAZON.FirstName"

NluMode = Literal["exact", "honest"]
NLU_MODES: tuple[NluMode, ...] = get_args(NluMode)

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

# -- honest mode -------------------------------------------------------------------------------

# Alexa's built-in intents know more phrasings than the exact mode's list above; honest mode
# adds these common, unambiguous ones (an approximation: Amazon does not publish its training
# phrases; simulating the deployed skill through SMAPI is the real check).
HONEST_BUILT_IN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": (
        "absolutely",
        "definitely",
        "correct",
        "that's right",
        "that's correct",
        "yes i do",
        "yes we do",
        "yes it is",
        "i think so",
        "i guess so",
        "go ahead",
        "sounds good",
        "yeah sure",
        "okay sure",
    ),
    "AMAZON.NoIntent": (
        "definitely not",
        "absolutely not",
        "no i don't",
        "no we don't",
        "no it isn't",
        "not really",
        "not at all",
        "no way",
        "i don't think so",
        "not right now",
        "not today",
    ),
    "AMAZON.RepeatIntent": (
        "repeat the question",
        "repeat the last question",
        "can you repeat that",
        "could you repeat that",
    ),
    "AMAZON.NextIntent": ("move on", "let's move on", "next please"),
    "AMAZON.HelpIntent": ("what can we say", "what do i say", "what do we say"),
    # none for stop, cancel or pause: a wrong guess there ends or interrupts a ritual
}

# What Alexa still switches to while it waits for a slot value (honest mode).
ALWAYS_SWITCH = ESCAPE_INTENTS | {"AMAZON.ResumeIntent", "AMAZON.YesIntent", "AMAZON.NoIntent"}
_SWITCH_PHRASES = frozenset(
    " ".join(re.findall(r"[a-z]+", phrase.replace("'", "")))
    for phrases in (BUILT_IN_PHRASES, HONEST_BUILT_IN_PHRASES)
    for name in ALWAYS_SWITCH
    for phrase in phrases.get(name, ())
)

# Said anywhere, these cost nothing: Alexa's speech recognition and NLU look past them.
HESITATIONS = frozenset({"um", "umm", "uh", "uhm", "erm", "er", "hmm", "mm", "alexa", "please"})
# Words that carry little of a request's meaning: one of them more, less or different is a
# near miss. Negations, question words and verbs of the request are deliberately not here.
LIGHT_WORDS = frozenset(
    """a an the this that these those some any
    i im me my mine we were us our ours you youre your yours it its they them their he she him
    her his
    to for of on in at with about by from into onto up
    and or then so well oh ok
    is are was be been am do does did have has had ive weve can could would will should shall
    may might must lets let
    now just really right actually maybe also still again today tonight""".split()
)
LIGHT_EDIT_COST = 1  # a light word extra, missing or swapped for another; two words swapped
CONTENT_EDIT_COST = 2  # a content word extra (3+ word samples) or missing (4+ word samples)
SHORT_SAMPLE_BUDGET = 1  # samples of one or two literal words
LONG_SAMPLE_BUDGET = 2  # samples of three or more literal words
CONTENT_INSERT_MIN_LITERALS = 3
CONTENT_DELETE_MIN_LITERALS = 4
# A custom-type slot keeps up to this many words as they were said; longer is bent or refused.
CUSTOM_SLOT_MAX_WORDS = 4
FIRST_NAME_MAX_WORDS = 2
_NEVER = 1_000  # cost of an edit honest mode does not allow

# Never heard as an AMAZON.FirstName value in honest mode: greetings, fillers, answers and the
# commonest English words. Words that are also common first names (will, may, grace, mark,
# rose, hope, ...) are left out on purpose.
NOT_FIRST_NAMES = frozenset(
    """hi hello hey hiya howdy yo greetings morning evening afternoon night goodnight bye goodbye
    there here um umm uh uhm erm er hmm mm ah ahh oh ooh huh eh
    okay ok alright yes yeah yep yup ya no nope nah sure thanks thank thankyou cheers please
    sorry pardon excuse welcome well fine good great nice cool awesome perfect lovely right
    wrong true false maybe perhaps probably definitely absolutely totally really very quite
    so too also just only even still yet again already now then today tonight tomorrow
    yesterday later soon always never sometimes often
    a an the this that these those some any all every each both either neither none nothing
    something everything anything someone anyone everyone nobody somebody everybody
    i im ive id ill me my mine myself we were weve wed well us our ours ourselves you youre
    youve youd your yours yourself it its itd itll they theyre them their theirs he hes him his
    she shes her hers
    to for of on in at with about by from into onto up down out over under off after before
    and or but nor if because since while as than like unlike
    is are was be been being am do does did done doing have has had having can could would
    should shall must might cant wont dont doesnt didnt isnt arent wasnt werent havent
    hasnt hadnt couldnt wouldnt shouldnt not
    what who whom whose which when where why how whats whos wheres hows
    go goes going went gone get gets got getting make makes made say says said see saw seen
    know knew think thought want wanted need needed feel felt take took come came give gave
    tell told ask asked try tried let lets put keep kept talk talked call called
    start stop help skip next repeat cancel pause resume continue wait hold listen look
    name names named partner partners wife husband boyfriend girlfriend friend friends spouse
    babe baby honey sweetie sweetheart darling dear love mom dad mum mother father kids
    tired happy sad okay busy exhausted stressed ready done home back hungry sick bored excited
    glad worried upset angry mad lonely grateful thankful lucky proud scared afraid nervous calm
    relaxed confused lost free late early fun funny boring hard easy tough rough awful terrible
    horrible bad better best worse worst little big new old same different other another own
    quiet loud alone
    walk dinner lunch breakfast work school job house car dog cat family movie music game
    day days week weeks month time times thing things way lot lots much many more most less
    one two three four five six seven eight nine ten first second third last
    alexa echo amazon computer skill closer together couple question answer check""".split()
)

# Nlu.from_file: compiled models by (path, mtime, size, skill id, mode)
_FROM_FILE: dict[tuple[str, int, int, str, str], Nlu] = {}
_FROM_FILE_LIMIT = 16

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
    budget: int = 0  # honest mode: the largest near-miss cost this sample accepts
    literal_count: int = 0
    content_count: int = 0  # literal words that are not LIGHT_WORDS
    spoken_count: int = 0  # literal words that are not HESITATIONS
    has_slots: bool = False


@dataclass(frozen=True)
class _Fill:
    value: str
    resolutions: dict[str, Any] | None = None
    free_tokens: int = 0  # tokens taken as free text rather than recognised as the type


@dataclass(frozen=True)
class _Match:
    intent: str
    fills: dict[str, _Fill]
    literals: int  # literal words of the sample heard as they are
    order: int
    cost: int = 0  # honest mode: how far the utterance is from the sample (0: exactly it)

    @property
    def exact(self) -> bool:
        return not self.fills

    def rank(self) -> tuple[int, int, int, int]:
        free = sum(f.free_tokens for f in self.fills.values())
        return (-self.cost, self.literals, -free, -self.order)


class Nlu:
    """Typed text -> what Alexa's NLU would hand the skill, for one interaction model.

    `mode` is "exact" (the kind stand-in) or "honest" (real Alexa's behaviour; module doc).
    """

    def __init__(
        self,
        model: InteractionModel,
        skill_id: str = DEFAULT_SKILL_ID,
        mode: NluMode = "exact",
    ) -> None:
        if mode not in NLU_MODES:
            raise ValueError(f"unknown NLU mode {mode!r}; expected one of {NLU_MODES}")
        self.model = model
        self.skill_id = skill_id
        self.mode: NluMode = mode
        self._honest = mode == "honest"
        self._vocabulary = _vocabulary(model)
        self._forms = _forms(model)
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
                if self._honest:
                    phrases = phrases + HONEST_BUILT_IN_PHRASES.get(name, ())
                for phrase in phrases:
                    self._samples.append(_compile(phrase, model.intents[name], order))
                    order += 1

    @classmethod
    def from_file(
        cls, path: Path | str, skill_id: str = DEFAULT_SKILL_ID, mode: NluMode = "exact"
    ) -> Nlu:
        """The NLU of a model file, shared while the file is unchanged (it keeps no state)."""
        resolved = Path(path).resolve()
        stat = resolved.stat()
        key = (str(resolved), stat.st_mtime_ns, stat.st_size, skill_id, mode)
        nlu = _FROM_FILE.get(key)
        if nlu is None:
            nlu = cls(InteractionModel.load(resolved), skill_id, mode)
            if len(_FROM_FILE) >= _FROM_FILE_LIMIT:
                _FROM_FILE.pop(next(iter(_FROM_FILE)))
            _FROM_FILE[key] = nlu
        return nlu

    def understand(
        self, text: str, *, dialog: DialogContext | None = None, today: date | None = None
    ) -> Understanding:
        reader = self._reader(today)
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
        reader = self._reader(today)
        fills = {
            name: reader.given(spec.slots[name], value)
            for name, value in values.items()
            if value is not None
        }
        return _slots_json(spec, fills)

    def _reader(self, today: date | None) -> _SlotReader:
        return _SlotReader(
            self.model,
            self.skill_id,
            today or date.today(),
            self._vocabulary,
            self._honest,
            self._forms,
        )

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
        if self._honest:
            return self._honest_turn(text, dialog, reader)
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
        return _confirmation(dialog, spec, best)

    def _honest_turn(
        self, text: str, dialog: DialogContext | None, reader: _SlotReader
    ) -> Understanding:
        spans = _Spans(reader, tokenize(text), text)
        best = _best_near(self._samples, spans)
        if dialog is not None:
            continued = self._honest_dialog(dialog, best, spans)
            if continued is not None:
                return continued
        if best is None:
            return self._intent(FALLBACK, {})
        return self._intent(best.intent, best.fills)

    def _honest_dialog(
        self, dialog: DialogContext, best: _Match | None, spans: _Spans
    ) -> Understanding | None:
        """What Alexa sends while the skill's last dialog directive is pending (None: as usual)."""
        spec = self.model.intents.get(str(dialog.intent.get("name")))
        if spec is None:
            return None
        slot = dialog.slot
        if dialog.directive_type != "Dialog.ElicitSlot" or slot not in spec.slots:
            return _confirmation(dialog, spec, best)
        said = " ".join(t.norm for t in spans.tokens if t.norm not in HESITATIONS)
        if best is not None and (best.intent in ALWAYS_SWITCH or said in _SWITCH_PHRASES):
            return None  # stop, cancel, help, ..., yes and no always win
        # A whole sample of another intent (with at least one word of its own) switches to it,
        # unless one of this intent's samples with words of its own fits at least as well.
        # Ties go to the intent Alexa is already in.
        other = _best_near(self._samples, spans, exclude=spec.name)
        own_samples = self._own_samples[spec.name]
        worded = _best_near([s for s in own_samples if s.literal_count], spans, filling=slot)
        if other is not None and (worded is None or other.rank()[:3] > worded.rank()[:3]):
            return self._intent(other.intent, other.fills)
        own = _best_near(own_samples, spans, filling=slot)
        if own is not None:
            fills = own.fills
        else:
            whole = spans.read(spec.slots[slot], 0, len(spans.tokens)) if spans.tokens else None
            if whole is None:
                return self._intent(FALLBACK, {})  # nothing the slot's type could hold
            fills = {slot: whole}
        intent = _merged(spec, dialog.intent, fills)
        return Understanding("IntentRequest", intent, "IN_PROGRESS")

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


def _confirmation(
    dialog: DialogContext, spec: IntentSpec, best: _Match | None
) -> Understanding | None:
    """A yes or no answering Dialog.ConfirmIntent / ConfirmSlot (None: not such an answer)."""
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
    words = [e for e in elements if isinstance(e, str)]
    literals = frozenset(words)
    if not words:
        budget = 0  # a bare slot: nothing to recognise a near miss by
    elif literals <= LIGHT_WORDS:
        budget = SHORT_SAMPLE_BUDGET  # all its words must be said (_delete_cost, substitution)
    else:
        budget = SHORT_SAMPLE_BUDGET if len(words) <= 2 else LONG_SAMPLE_BUDGET
    has_slots = len(words) < len(elements)
    content = sum(1 for word in words if word not in LIGHT_WORDS)
    spoken = sum(1 for word in words if word not in HESITATIONS)
    return _Sample(
        spec.name, tuple(elements), order, literals, budget, len(words), content, spoken, has_slots
    )


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


class _Spans:
    """One utterance's tokens, with each (slot type, span) read at most once."""

    def __init__(self, reader: _SlotReader, tokens: list[Token], text: str) -> None:
        self.reader = reader
        self.tokens = tokens
        self.text = text
        self.heard = frozenset(t.norm for t in tokens)
        self.spoken = sum(1 for t in tokens if t.norm not in HESITATIONS)
        self._read: dict[tuple[str, int, int], _Fill | None] = {}

    def read(self, slot_type: str, i: int, j: int) -> _Fill | None:
        key = (slot_type, i, j)
        if key not in self._read:
            self._read[key] = self.reader.read(slot_type, self.tokens, i, j, self.text)
        return self._read[key]


def _best_near(
    samples: list[_Sample],
    spans: _Spans,
    filling: str | None = None,
    exclude: str | None = None,
) -> _Match | None:
    """Honest mode: the best match, near misses included.

    With `filling`, only matches that fill that slot count; with `exclude`, that intent's
    samples and samples without a literal word (a bare slot) are left out."""
    if not spans.tokens:
        return None
    best: _Match | None = None
    for sample in samples:
        if exclude is not None and (sample.intent == exclude or not sample.literal_count):
            continue
        if not _could_be_near(sample, spans):
            continue
        found = _near_match(sample, spans)
        if found is None or (filling is not None and filling not in found.fills):
            continue
        if best is None or found.rank() > best.rank():
            best = found
    return best


def _could_be_near(sample: _Sample, spans: _Spans) -> bool:
    """A cheap lower bound on the cost: words of the sample not heard, and length."""
    missing = sample.literals - spans.heard
    # each word of the sample not heard was left out or said as another word: at least the
    # cost of leaving it out (a light word said as another light word costs the same)
    if missing and (
        len(missing) > sample.budget
        or sum(_delete_cost(sample, word) for word in missing) > sample.budget
    ):
        return False
    # each word more or fewer (hesitations aside) costs at least 1
    return sample.has_slots or abs(spans.spoken - sample.spoken_count) <= sample.budget


def _insert_cost(sample: _Sample, word: str) -> int:
    if word in HESITATIONS:
        return 0
    if word in LIGHT_WORDS:
        return LIGHT_EDIT_COST
    if sample.literal_count >= CONTENT_INSERT_MIN_LITERALS:
        return CONTENT_EDIT_COST
    return _NEVER


def _delete_cost(sample: _Sample, word: str) -> int:
    if not sample.content_count:
        return _NEVER  # a sample of light words only ("we are {a} and {b}") is said whole
    if word in LIGHT_WORDS:
        return LIGHT_EDIT_COST
    if sample.literal_count >= CONTENT_DELETE_MIN_LITERALS and sample.content_count >= 2:
        return CONTENT_EDIT_COST  # one content word may go; another is still heard
    return _NEVER


# (cost, free-text tokens, -literal words heard, slot fills): smaller is better
_Path = tuple[int, int, int, tuple[tuple[str, _Fill], ...]]


def _near_match(sample: _Sample, spans: _Spans) -> _Match | None:
    """The cheapest alignment of the utterance with the sample, if within the sample's budget.

    Weighted word edit distance (module doc) in which a slot takes any span its type can read.
    """
    tokens, elements, budget = spans.tokens, sample.elements, sample.budget
    count, size = len(tokens), len(elements)
    memo: dict[tuple[int, int], _Path | None] = {}

    def walk(i: int, j: int) -> _Path | None:
        if (i, j) in memo:
            return memo[i, j]
        if i == count and j == size:
            memo[i, j] = (0, 0, 0, ())
            return memo[i, j]
        options: list[_Path] = []

        def step(
            cost: int,
            free: int,
            heard: int,
            fills: tuple[tuple[str, _Fill], ...],
            to_i: int,
            to_j: int,
        ) -> None:
            if cost > budget:
                return
            rest = walk(to_i, to_j)
            if rest is not None and cost + rest[0] <= budget:
                options.append((cost + rest[0], free + rest[1], rest[2] - heard, fills + rest[3]))

        word = tokens[i].norm if i < count else None
        if word is not None:
            step(_insert_cost(sample, word), 0, 0, (), i + 1, j)
        if j < size:
            element = elements[j]
            if isinstance(element, _SlotRef):
                for end in range(i + 1, count + 1):
                    fill = spans.read(element.type, i, end)
                    if fill is not None:
                        step(0, fill.free_tokens, 0, ((element.name, fill),), end, j + 1)
            else:
                if word == element:
                    step(0, 0, 1, (), i + 1, j + 1)
                elif word in LIGHT_WORDS and element in LIGHT_WORDS and sample.content_count:
                    step(LIGHT_EDIT_COST, 0, 0, (), i + 1, j + 1)
                step(_delete_cost(sample, element), 0, 0, (), i, j + 1)
                following = elements[j + 1] if j + 1 < size else None
                if (
                    isinstance(following, str)
                    and following != element
                    and i + 1 < count
                    and word == following
                    and tokens[i + 1].norm == element
                ):
                    step(LIGHT_EDIT_COST, 0, 2, (), i + 2, j + 2)
        memo[i, j] = min(options, key=lambda path: path[:3]) if options else None
        return memo[i, j]

    found = walk(0, 0)
    if found is None:
        return None
    cost, _free, heard, fills = found
    return _Match(sample.intent, dict(fills), -heard, sample.order, cost)


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

    def __init__(
        self,
        model: InteractionModel,
        skill_id: str,
        today: date,
        vocabulary: _Vocabulary | None = None,
        honest: bool = False,
        forms: _Forms | None = None,
    ) -> None:
        self._model = model
        self._skill_id = skill_id
        self._honest = honest
        self._typed: dict[str, _Parser] = {
            "AMAZON.NUMBER": lambda w: _str_or_none(slot_types.parse_number(w)),
            "AMAZON.TIME": slot_types.parse_time,
            "AMAZON.DATE": lambda w: slot_types.parse_date(w, today),
            "AMAZON.DURATION": slot_types.parse_duration,
            "AMAZON.DayOfWeek": slot_types.parse_day_of_week,
        }
        self._vocabulary = vocabulary if vocabulary is not None else _vocabulary(model)
        self._forms = forms if forms is not None else _forms(model)

    def read(self, slot_type: str, tokens: list[Token], i: int, j: int, text: str) -> _Fill | None:
        words = [t.norm for t in tokens[i:j]]
        spoken = text[tokens[i].start : tokens[j - 1].end]
        if slot_type == FIRST_NAME:
            reader = _honest_first_name if self._honest else _first_name
            return reader(tokens[i:j], text)
        parser = self._typed.get(slot_type)
        if parser is not None:
            value = parser(words)
            return None if value is None else _Fill(value)
        if slot_type == SEARCH_QUERY:
            return self.free(slot_type, tokens, i, j, text)  # a phrase type: never resolved
        vocabulary = self._vocabulary.get(slot_type)
        if vocabulary is not None:
            values = vocabulary.get(" ".join(words))
            if values:
                return _Fill(spoken.lower(), self._resolutions(slot_type, values))
        if self._honest and _is_custom(slot_type, self._model) and j - i > CUSTOM_SLOT_MAX_WORDS:
            return self._bent(slot_type, words)
        return self.free(slot_type, tokens, i, j, text)

    def _bent(self, slot_type: str, words: list[str]) -> _Fill | None:
        """A long phrase in a custom-type slot, bent to the listed value (or synonym) that
        shares the most content words with it (ties: fewer unsaid words, then model order);
        None when no listed value shares one."""
        said = set(words)
        content = said - LIGHT_WORDS - HESITATIONS
        best: tuple[int, int] | None = None
        chosen: tuple[str, TypeValue] | None = None
        for form, form_words, value in self._forms.get(slot_type, ()):
            score = (len(content & form_words), -len(form_words - said))
            if score[0] and (best is None or score > best):
                best, chosen = score, (form, value)
        if chosen is None:
            return None
        form, value = chosen
        # bent, not recognised: it ranks as free text of the same length
        return _Fill(form, self._resolutions(slot_type, [value]), free_tokens=len(words))

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


_Vocabulary = dict[str, dict[str, list[TypeValue]]]


def _vocabulary(model: InteractionModel) -> _Vocabulary:
    """Each custom type's values and synonyms, by their normalised words."""
    vocabulary: _Vocabulary = {}
    for type_name, values in model.types.items():
        index: dict[str, list[TypeValue]] = {}
        for value in values:
            for said in (value.name, *value.synonyms):
                key = " ".join(t.norm for t in tokenize(said))
                if value not in index.setdefault(key, []):
                    index[key].append(value)
        if index:
            vocabulary[type_name] = index
    return vocabulary


_Forms = dict[str, list[tuple[str, frozenset[str], TypeValue]]]


def _forms(model: InteractionModel) -> _Forms:
    """Each custom type's values and synonyms as said, with their words (for bending)."""
    return {
        type_name: [
            (form, frozenset(t.norm for t in tokenize(form)), value)
            for value in values
            for form in (value.name, *value.synonyms)
        ]
        for type_name, values in model.types.items()
    }


def _is_custom(slot_type: str, model: InteractionModel) -> bool:
    """A type the model defines itself (not an AMAZON.* type, nor an extension of one)."""
    return slot_type in model.types and not slot_type.startswith("AMAZON.")


def _honest_first_name(tokens: Sequence[Token], text: str) -> _Fill | None:
    """At most two name-like words: letters only, none a common word, greeting or filler."""
    if not 1 <= len(tokens) <= FIRST_NAME_MAX_WORDS:
        return None
    for token in tokens:
        said = text[token.start : token.end]
        if (
            len(token.norm) < 2
            or token.norm in NOT_FIRST_NAMES
            or token.norm in HESITATIONS
            or not _LETTERS.fullmatch(said)
        ):
            return None
    return _name(tokens, text)


def _first_name(tokens: Sequence[Token], text: str) -> _Fill | None:
    if len(tokens) > 2:
        return None
    for token in tokens:
        said = text[token.start : token.end]
        if token.norm in _NOT_NAMES or not _LETTERS.fullmatch(said):
            return None
    return _name(tokens, text)


def _name(tokens: Sequence[Token], text: str) -> _Fill:
    words = (text[t.start : t.end] for t in tokens)
    return _Fill(" ".join(w.capitalize() if w.islower() else w for w in words))


def _generated_id(name: str) -> str:
    # Alexa makes an id from the value when the model gives none; any stable hash will do
    return hashlib.md5(name.encode("utf-8"), usedforsecurity=False).hexdigest()


def _str_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)
