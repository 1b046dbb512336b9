"""Drives a skill's Lambda handler the way Alexa would: sessions, dialog, permissions.

A `Simulator` keeps what Alexa keeps between turns (the session, its attributes, the dialog
directive of the last response, a pending permission request) and hands back each answer as
a `Turn`. Every SSML the skill returns is checked to parse as XML inside <speak>.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alexa_local import envelopes
from alexa_local.envelopes import Device, Envelope, Session
from alexa_local.nlu import (
    BUILT_IN_PHRASES,
    DEFAULT_SKILL_ID,
    DialogContext,
    Nlu,
    NluMode,
    Understanding,
    tokenize,
)

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
Clock = Callable[[], datetime]

_SSML_PREFIXES = ("alexa", "amazon")  # Alexa's own SSML tags use these undeclared prefixes
_YES = frozenset(BUILT_IN_PHRASES["AMAZON.YesIntent"])
_NO = frozenset(BUILT_IN_PHRASES["AMAZON.NoIntent"])


RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"


@dataclass(frozen=True)
class LambdaContext:
    """The bits of the Lambda context object a skill might look at."""

    function_name: str = "closer-together-local"
    aws_request_id: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 8000  # Alexa waits at most eight seconds for an answer


@dataclass(frozen=True)
class Turn:
    """One request and what the skill answered."""

    request: Envelope
    raw: dict[str, Any]
    heard: Understanding | None = None
    ends_session: bool = False

    @property
    def response(self) -> dict[str, Any]:
        return self.raw.get("response") or {}

    @property
    def directives(self) -> list[dict[str, Any]]:
        return list(self.response.get("directives") or [])

    @property
    def screens(self) -> list[dict[str, Any]]:
        """The APL RenderDocument directives of the response (a screen's content)."""
        return [d for d in self.directives if d.get("type") == RENDER_DOCUMENT]

    @property
    def ssml(self) -> str | None:
        return _ssml_of(self.response.get("outputSpeech"))

    @property
    def text(self) -> str:
        return _spoken(self.response.get("outputSpeech"))

    @property
    def reprompt(self) -> str | None:
        speech = (self.response.get("reprompt") or {}).get("outputSpeech")
        return _spoken(speech) if speech else None

    @property
    def card(self) -> dict[str, Any] | None:
        return self.response.get("card")

    @property
    def session_attributes(self) -> dict[str, Any]:
        return self.raw.get("sessionAttributes") or {}


class Simulator:
    def __init__(
        self,
        handler: Handler,
        *,
        model_path: Path | str,
        user_id: str,
        device_id: str,
        api_endpoint: str,
        api_token: str,
        locale: str = "en-US",
        clock: Clock | None = None,
        person_id: str | None = None,
        skill_id: str = DEFAULT_SKILL_ID,
        nlu_mode: NluMode = "exact",
        screen: bool = False,
    ) -> None:
        """`nlu_mode`: "exact" (the kind stand-in) or "honest" (as real Alexa; see nlu.py)."""
        self._handler = handler
        self.nlu = Nlu.from_file(model_path, skill_id, nlu_mode)
        self.device = Device(
            user_id=user_id,
            device_id=device_id,
            api_endpoint=api_endpoint,
            api_token=api_token,
            locale=locale,
            skill_id=skill_id,
            person_id=person_id,
            screen=screen,
        )
        self._clock: Clock = clock or (lambda: datetime.now(UTC))
        self._session: Session | None = None
        self._directives: list[dict[str, Any]] = []
        self._last_intent: dict[str, Any] | None = None
        self._pending_permission: dict[str, Any] | None = None

    # -- state ------------------------------------------------------------------------------

    @property
    def in_session(self) -> bool:
        return self._session is not None

    @property
    def session_id(self) -> str | None:
        return self._session.session_id if self._session else None

    @property
    def attributes(self) -> dict[str, Any]:
        return dict(self._session.attributes) if self._session else {}

    @property
    def pending_permission(self) -> dict[str, Any] | None:
        """The AskFor directive still waiting for the user's yes or no."""
        return self._pending_permission

    def now(self) -> datetime:
        return self._clock()

    def set_person(self, person_id: str | None) -> None:
        self.device = replace(self.device, person_id=person_id)

    def set_screen(self, screen: bool) -> None:
        """Talk through a device with a screen (APL) or without one."""
        self.device = replace(self.device, screen=screen)

    # -- what the couple does ---------------------------------------------------------------

    def launch(self) -> Turn:
        session = self._open(fresh=True)
        return self._send(envelopes.launch(self.device, session, self.now()))

    def intent(self, name: str, **slot_values: str | None) -> Turn:
        """An IntentRequest as if the NLU had heard exactly these slot values."""
        intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        spec = self.nlu.model.intents.get(name)
        if spec is not None and spec.slots:
            intent["slots"] = self.nlu.slots_for(name, slot_values, today=self.now().date())
        elif slot_values:
            raise KeyError(f"intent {name!r} has no slots in the interaction model")
        dialog = self._dialog()
        if dialog is not None and dialog.intent.get("name") == name:
            state: str | None = "IN_PROGRESS"
        else:
            state = "STARTED" if name in self.nlu.model.dialog_intents else None
        session = self._open(fresh=False)
        envelope = envelopes.intent(self.device, session, self.now(), intent, state)
        return self._send(envelope)

    def say(self, text: str) -> Turn:
        """What Alexa would send after hearing `text`, in or out of a session."""
        if self._pending_permission is not None:
            # Alexa itself asks for consent: a yes or no answers that question
            answer = consent_answer(text)
            if answer is not None:
                return self.permission(answer)
            self._pending_permission = None
        heard = self.nlu.understand(text, dialog=self._dialog(), today=self.now().date())
        session = self._open(fresh=heard.opens_session)
        if heard.request_type == "LaunchRequest":
            envelope = envelopes.launch(self.device, session, self.now())
        else:
            assert heard.intent is not None
            envelope = envelopes.intent(
                self.device, session, self.now(), heard.intent, heard.dialog_state
            )
        return self._send(envelope, heard)

    def end(self, reason: str = "USER_INITIATED", error: dict[str, str] | None = None) -> Turn:
        """Alexa closing the session (the user walked away, said nothing, or an error)."""
        if self._session is None:
            raise RuntimeError("no session is open")
        envelope = envelopes.session_ended(self.device, self._session, self.now(), reason, error)
        return self._send(envelope)

    def permission(self, status: str = "ACCEPTED", scope: str | None = None) -> Turn:
        """The user's answer to the skill's AskFor request: ACCEPTED, DENIED, NOT_ANSWERED."""
        pending = self._pending_permission
        if pending is None:
            raise RuntimeError("the skill has not asked for a permission")
        payload = pending.get("payload") or {}
        scopes = payload.get("permissionScopes") or [{}]
        scope = scope or scopes[0].get("permissionScope") or payload.get("permissionScope")
        if not scope:
            raise RuntimeError(f"the permission request names no scope: {pending}")
        session = self._open(fresh=False)
        envelope = envelopes.connections_response(
            self.device,
            session,
            self.now(),
            status=status,
            scope=scope,
            token=pending.get("token", ""),
        )
        return self._send(envelope)

    def event(self, envelope: Envelope) -> Turn:
        """A request outside any session, e.g. a skill or reminders event."""
        return self._send(envelope)

    # -- plumbing ---------------------------------------------------------------------------

    def _open(self, *, fresh: bool) -> Session:
        if fresh or self._session is None:
            self._close()
            self._session = Session()
        return self._session

    def _dialog(self) -> DialogContext | None:
        if self._session is None:
            return None
        return DialogContext.from_directives(self._directives, self._last_intent)

    def _send(self, envelope: Envelope, heard: Understanding | None = None) -> Turn:
        # A JSON round trip on both sides, as over the wire: nothing shared, nothing unserialisable
        wire = json.dumps(envelope)
        sent = json.loads(wire)
        raw = self._handler(json.loads(wire), LambdaContext())
        raw = json.loads(json.dumps(raw))
        if not isinstance(raw, dict):
            raise AssertionError(f"the skill returned {type(raw).__name__}, not a response dict")
        response = raw.get("response") or {}
        check_speech(response.get("outputSpeech"))
        check_speech((response.get("reprompt") or {}).get("outputSpeech"))
        check_directives(sent["request"].get("type"), response.get("directives") or [])
        turn = Turn(sent, raw, heard)
        return replace(turn, ends_session=self._after(turn))

    def _after(self, turn: Turn) -> bool:
        """Update the session from the answer; True when the session is over."""
        sent, response = turn.request, turn.response
        kind = sent["request"]["type"]
        if kind == "SessionEndedRequest":
            self._close()
            return True
        if "session" not in sent or self._session is None:
            return False  # events: no session to keep
        if kind == "IntentRequest":
            self._last_intent = sent["request"]["intent"]
        asking = next((d for d in turn.directives if _is_ask_for(d)), None)
        should_end = response.get("shouldEndSession")
        ends = should_end is True or (should_end is None and not response.get("reprompt"))
        if asking is not None:
            # Alexa asks the consent question itself and comes back with the answer
            self._pending_permission = asking
            ends = False
        elif kind == "Connections.Response":
            self._pending_permission = None
        if ends:
            self._close()
            return True
        self._session.new = False
        self._session.attributes = turn.session_attributes
        self._directives = turn.directives
        return False

    def _close(self) -> None:
        self._session = None
        self._directives = []
        self._last_intent = None
        self._pending_permission = None


def consent_answer(text: str) -> str | None:
    """ACCEPTED or DENIED when `text` answers Alexa's consent question, else None."""
    answer = " ".join(t.norm for t in tokenize(text))
    if answer in _YES:
        return "ACCEPTED"
    if answer in _NO:
        return "DENIED"
    return None


def _is_ask_for(directive: dict[str, Any]) -> bool:
    return directive.get("type") == "Connections.SendRequest" and directive.get("name") == "AskFor"


def check_directives(request_type: Any, directives: list[dict[str, Any]]) -> None:
    """Dialog directives answer only an IntentRequest (Alexa's dialog interface reference):
    a LaunchRequest or Connections.Response answered with one is refused on a device."""
    dialog = [d.get("type") for d in directives if str(d.get("type", "")).startswith("Dialog.")]
    if dialog and request_type != "IntentRequest":
        raise AssertionError(f"{request_type} answered with {dialog}")


def check_speech(speech: dict[str, Any] | None) -> None:
    """Raise AssertionError unless SSML output parses as XML inside <speak>."""
    if speech and speech.get("type") == "SSML":
        parse_ssml(speech.get("ssml") or "")


def parse_ssml(ssml: str) -> ET.Element:
    body = ssml.strip()
    if not (body.startswith("<speak>") or body.startswith("<speak ")) or not body.endswith(
        "</speak>"
    ):
        raise AssertionError(f"SSML must be wrapped in <speak>...</speak>: {ssml!r}")
    declarations = "".join(
        f' xmlns:{prefix}="urn:{prefix}"'
        for prefix in _SSML_PREFIXES
        if f"xmlns:{prefix}=" not in body
    )
    try:
        return ET.fromstring("<speak" + declarations + body[len("<speak") :])
    except ET.ParseError as error:
        raise AssertionError(
            f"skill returned SSML that is not valid XML ({error}): {ssml!r}"
        ) from error


def ssml_to_text(ssml: str) -> str:
    """The words a listener hears, entities decoded and tags dropped."""
    return " ".join(_words(parse_ssml(ssml)).split())


def _words(element: ET.Element) -> str:
    tag = element.tag.rsplit("}", 1)[-1]
    if tag == "break":
        inner = " "
    elif tag == "sub":
        inner = element.get("alias", "")
    elif tag == "audio":
        inner = " [sound] "
    elif tag == "name":
        inner = " [name] "  # <alexa:name>: Alexa says the recognised speaker's first name
    else:
        inner = (element.text or "") + "".join(_words(child) for child in element)
    return f"{inner}{element.tail or ''}"


def _ssml_of(speech: dict[str, Any] | None) -> str | None:
    if speech and speech.get("type") == "SSML":
        return speech.get("ssml")
    return None


def _spoken(speech: dict[str, Any] | None) -> str:
    if not speech:
        return ""
    if speech.get("type") == "SSML":
        return ssml_to_text(speech.get("ssml") or "")
    return str(speech.get("text") or "")
