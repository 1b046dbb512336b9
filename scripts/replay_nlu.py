#!/usr/bin/env python3
"""Replay the couple-speech corpus against the real Alexa NLU through SMAPI's simulation API.

For each line of tests/data/couple_speech.tsv the script opens a session on the deployed skill
(default setup: "open closer together", then "start our check in", so the skill is waiting for
an answer), says the corpus utterance, and records what the skill received: the request type,
the intent name, the slot values, and the skill's spoken reply. It writes one JSON object per
line to a report (default .local/nlu_replay.jsonl) and prints a summary: per category, how many
utterances reached which intent, and the `answer` lines that did not arrive as AnswerIntent with
their words (the ones the interaction model loses).

    .venv/bin/python scripts/replay_nlu.py --skill-id amzn1.ask.skill.<id> [--limit 20]
        [--category answer,filler] [--stage development] [--locale en-US] [--delay 1.0]

Standard library only. Nothing here needs installing; nothing runs without credentials.

Credentials, first found wins:
  1. ASK_ACCESS_TOKEN: a Login with Amazon access token with SMAPI scopes (valid one hour).
  2. ASK_REFRESH_TOKEN with ASK_CLIENT_ID and ASK_CLIENT_SECRET (or the ASK CLI's names
     ASK_LWA_CLIENT_ID / ASK_LWA_CLIENT_CONFIRMATION): refreshed at LWA_ENDPOINT/auth/o2/token
     (grant_type=refresh_token, form-encoded).
  3. The ASK CLI's ~/.ask/cli_config, profile ASK_PROFILE, else ASK_DEFAULT_PROFILE, else
     "default": `profiles.<profile>.token.access_token`, used while `expires_at` (ISO 8601) is in
     the future. An expired token is refreshed only when a client id and secret are set (the
     CLI's tokens belong to the CLI's own LWA client); otherwise run any `ask smapi` command to
     let the CLI refresh it, or set ASK_ACCESS_TOKEN.
  Without any of these it prints one line and exits 0: nothing is replayed.
The skill id comes from --skill-id or SKILL_ID. SMAPI_ENDPOINT (default
https://api.amazonalexa.com) and LWA_ENDPOINT (default https://api.amazon.com) may be overridden
for tests; plain http is refused except on 127.0.0.1, ::1 and localhost. Redirects are never
followed (the bearer token must not travel elsewhere).

SMAPI facts used, checked against the SMAPI swagger spec shipped as spec.json in the npm package
ask-smapi-model 1.24.0 (definitions v2.skill.simulations.*, v2.skill.Invocation*) and the ASK
CLI's dialog controller (alexa/ask-cli, lib/controllers/dialog-controller):
  - POST /v2/skills/{skillId}/stages/{stage}/simulations with {"session": {"mode": "DEFAULT" |
    "FORCE_NEW_SESSION"}, "input": {"content": text}, "device": {"locale": locale}}; the answer
    (200) holds {"id", "status", "result"?}.
  - GET .../simulations/{simulationId}: status IN_PROGRESS | SUCCESSFUL | FAILED; results are
    kept for 10 minutes; concurrent simulations per user are not supported (409).
  - result.skillExecutionInfo.invocations[].invocationRequest.body is the request envelope the
    skill received; invocationResponse.body its response (response.shouldEndSession);
    result.alexaExecutionInfo.alexaResponses[].content.caption is what Alexa said;
    result.alexaExecutionInfo.consideredIntents[].name the intents NLU weighed; result.error
    {code, message} explains a FAILED simulation.
  - The ASK CLI's `ask dialog` (lib/clients/smapi-client) sends session.mode FORCE_NEW_SESSION
    for its first utterance and no mode (the default) afterwards, which keeps the skill session
    open across separate simulations; this script sends "DEFAULT" explicitly.
Not verified here (no account): the SMAPI rate limit (hence --delay, and a bounded back-off on
429, 409 and 503), how long a simulation stays IN_PROGRESS in practice, and whether the
simulator ever reports several invocations for one utterance (the first is taken as the one the
utterance caused; all are kept in the report).

Side effects on the skill: every replayed answer is a real turn, so the developer account's
household stores the best moments and appreciations said; use a test account's household.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.corpus import CorpusError, parse_couple_speech  # noqa: E402  (one corpus reader)

DEFAULT_CORPUS = ROOT / "tests" / "data" / "couple_speech.tsv"
DEFAULT_REPORT = ROOT / ".local" / "nlu_replay.jsonl"
DEFAULT_MODEL_DIR = ROOT / "interaction_models"
DEFAULT_SETUP = ("open closer together", "start our check in")
SMAPI_DEFAULT = "https://api.amazonalexa.com"
LWA_DEFAULT = "https://api.amazon.com"
LWA_TOKEN_PATH = "/auth/o2/token"
ANSWER_INTENT = "AnswerIntent"
# An answer arrives "whole" when its slot keeps at least this share of the answer's words (after
# any carrier phrase of the AnswerIntent samples): room for Alexa writing "5" as "five".
WHOLE_SHARE = 0.8
MAX_BODY = 2_000_000  # bytes read from any answer
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
CATEGORY_ORDER = ("answer", "filler", "yesno", "command", "ritual", "timer", "timeout", "sibling")
NO_CREDENTIALS = (
    "no SMAPI credentials (set ASK_ACCESS_TOKEN, or ASK_REFRESH_TOKEN with ASK_CLIENT_ID and"
    " ASK_CLIENT_SECRET, or configure the ASK CLI's ~/.ask/cli_config): nothing replayed"
)
NO_SKILL_REQUEST = "(no skill request)"
ERROR_LABEL = "(error)"


class ReplayError(Exception):
    """A problem that stops the run, with a message for the person running it."""


class FatalHttpError(ReplayError):
    """SMAPI refused the call in a way that retrying cannot fix (401, 403, 404, 400)."""


# ---------------------------------------------------------------------------------------------
# Corpus and interaction model
# ---------------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case words and numbers, the way the comparison of answer and slot sees them."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("\u2019", "'"))


def answer_carriers(model_path: Path, intent: str) -> list[tuple[list[str], list[str]]]:
    """(prefix words, suffix words) around the slot in each sample of `intent`, longest first.

    "the best part was {answer}" gives (["the", "best", "part", "was"], []): an answer said with
    its carrier phrase is judged on the words after it. A missing model means no carriers.
    """
    try:
        model = json.loads(model_path.read_text(encoding="utf-8"))
        intents = model["interactionModel"]["languageModel"]["intents"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    carriers: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    for entry in intents:
        if not isinstance(entry, dict) or entry.get("name") != intent:
            continue
        for sample in entry.get("samples", []):
            match = re.fullmatch(r"(.*?)\{\w+\}(.*)", str(sample))
            if match:
                carriers.add((tuple(words(match.group(1))), tuple(words(match.group(2)))))
    ordered = sorted(carriers, key=lambda c: len(c[0]) + len(c[1]), reverse=True)
    return [(list(p), list(s)) for p, s in ordered]


def expected_answer_words(
    utterance: str, carriers: Sequence[tuple[list[str], list[str]]]
) -> list[str]:
    said = words(utterance)
    for prefix, suffix in carriers:
        if not prefix and not suffix:
            continue
        end = len(said) - len(suffix)
        if end > len(prefix) and said[: len(prefix)] == prefix and said[end:] == suffix:
            return said[len(prefix) : end]
    return said


def kept_share(expected: Sequence[str], heard: Sequence[str]) -> float:
    """The share of `expected` words found, in order, in `heard`."""
    if not expected:
        return 1.0
    matcher = SequenceMatcher(a=list(expected), b=list(heard), autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected)


# ---------------------------------------------------------------------------------------------
# HTTP: bounded, no redirects, https except on loopback
# ---------------------------------------------------------------------------------------------


def checked_base_url(url: str, name: str) -> str:
    """`url` without a trailing slash; refuses plain http anywhere but on this machine."""
    parsed = urllib.parse.urlsplit(url.strip())
    host = (parsed.hostname or "").lower()
    if parsed.scheme == "https" and host:
        return url.strip().rstrip("/")
    if parsed.scheme == "http" and host in LOOPBACK_HOSTS:
        return url.strip().rstrip("/")
    raise ReplayError(
        f"{name} must be an https URL (plain http only on 127.0.0.1 or localhost): {url!r}"
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None  # a redirect surfaces as an HTTPError: the token never follows it


@dataclass
class HttpResponse:
    status: int
    body: Any


@dataclass
class Http:
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 2.0
    sleep: Callable[[float], None] = time.sleep
    _opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(_NoRedirect())
    )

    def call(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        token: str | None = None,
    ) -> HttpResponse:
        data: bytes | None = None
        headers = {"Accept": "application/json"}
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with self._opener.open(request, timeout=self.timeout) as answer:
                    return HttpResponse(answer.status, _json_or_text(answer.read(MAX_BODY)))
            except urllib.error.HTTPError as error:
                body = _json_or_text(error.read(MAX_BODY))
                status = error.code
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise ReplayError(f"{method} {_path(url)}: no answer ({reason})") from None
            if status in (409, 429, 500, 503) and attempt < self.retries:
                self.sleep(self.backoff * (2**attempt))
                continue
            return HttpResponse(status, body)
        raise AssertionError("unreachable")


def _json_or_text(raw: bytes) -> Any:
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return text


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error_description") or body.get("error") or "")
    return str(body or "")[:200]


# ---------------------------------------------------------------------------------------------
# Credentials
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    source: str
    access_token: str | None = None
    refresh_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


def _env(env: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def find_credentials(env: Mapping[str, str], home: Path) -> Credentials | None:
    """Where the access token will come from; no network. None: there are no credentials."""
    client_id = _env(env, "ASK_CLIENT_ID", "ASK_LWA_CLIENT_ID")
    client_secret = _env(env, "ASK_CLIENT_SECRET", "ASK_LWA_CLIENT_CONFIRMATION")
    if access := _env(env, "ASK_ACCESS_TOKEN"):
        return Credentials("ASK_ACCESS_TOKEN", access_token=access)
    if refresh := _env(env, "ASK_REFRESH_TOKEN"):
        if not (client_id and client_secret):
            raise ReplayError(
                "ASK_REFRESH_TOKEN is set but ASK_CLIENT_ID/ASK_CLIENT_SECRET are not"
            )
        return Credentials("ASK_REFRESH_TOKEN", None, refresh, client_id, client_secret)
    profile = _env(env, "ASK_PROFILE", "ASK_DEFAULT_PROFILE") or "default"
    path = home / ".ask" / "cli_config"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise ReplayError(f"{path}: cannot read it ({error})") from None
    token = _get(config, "profiles", profile, "token")
    if not isinstance(token, dict) or not (token.get("access_token") or token.get("refresh_token")):
        return None
    source = f"{path} profile {profile!r}"
    access = token.get("access_token")
    if access and not _expired(token.get("expires_at")):
        return Credentials(source, access_token=str(access))
    refresh = token.get("refresh_token")
    if refresh and client_id and client_secret:
        return Credentials(source, None, str(refresh), client_id, client_secret)
    raise ReplayError(
        f"the access token in {source} has expired; run any `ask smapi` command to refresh it,"
        " or set ASK_ACCESS_TOKEN"
    )


def _expired(expires_at: Any) -> bool:
    if not expires_at:
        return False  # unknown: try it, SMAPI answers 401 if it is stale
    try:
        when = datetime.fromisoformat(str(expires_at).replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when <= datetime.now(UTC)


def access_token(credentials: Credentials, http: Http, lwa_base: str) -> str:
    if credentials.access_token:
        return credentials.access_token
    answer = http.call(
        "POST",
        lwa_base + LWA_TOKEN_PATH,
        form={
            "grant_type": "refresh_token",
            "refresh_token": credentials.refresh_token or "",
            "client_id": credentials.client_id or "",
            "client_secret": credentials.client_secret or "",
        },
    )
    token = answer.body.get("access_token") if isinstance(answer.body, dict) else None
    if answer.status != 200 or not token:
        raise ReplayError(
            f"Login with Amazon refused the refresh token from {credentials.source}"
            f" ({answer.status} {_message(answer.body)})"
        )
    return str(token)


# ---------------------------------------------------------------------------------------------
# Simulations
# ---------------------------------------------------------------------------------------------


@dataclass
class Heard:
    """What one simulated utterance did."""

    status: str
    request_type: str | None = None
    intent: str | None = None
    slots: dict[str, str | None] = field(default_factory=dict)
    reply: str = ""
    session_ended: bool = False
    considered: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def label(self) -> str:
        if self.error:
            return ERROR_LABEL
        if self.request_type == "IntentRequest" and self.intent:
            return self.intent
        return self.request_type or NO_SKILL_REQUEST


def _get(data: Any, *keys: str | int) -> Any:
    for key in keys:
        if isinstance(key, int):
            data = data[key] if isinstance(data, list) and -len(data) <= key < len(data) else None
        else:
            data = data.get(key) if isinstance(data, dict) else None
    return data


def heard_from(simulation: Any) -> Heard:
    status = str(_get(simulation, "status") or "UNKNOWN")
    result = _get(simulation, "result")
    invocations = [i for i in _get(result, "skillExecutionInfo", "invocations") or [] if i]
    heard = Heard(status=status)
    for invocation in invocations:
        request = _get(invocation, "invocationRequest", "body", "request")
        kind = str(_get(request, "type") or "?")
        name = _get(request, "intent", "name")
        heard.requests.append(f"{kind}:{name}" if name else kind)
        if _get(invocation, "invocationResponse", "body", "response", "shouldEndSession"):
            heard.session_ended = True
    first = _get(invocations, 0, "invocationRequest", "body", "request")
    if first is not None:
        heard.request_type = _get(first, "type")
        heard.intent = _get(first, "intent", "name")
        slots = _get(first, "intent", "slots") or {}
        if isinstance(slots, dict):
            heard.slots = {
                str(name): (_get(slot, "value") if isinstance(slot, dict) else None)
                for name, slot in slots.items()
            }
    captions = [
        str(_get(r, "content", "caption"))
        for r in _get(result, "alexaExecutionInfo", "alexaResponses") or []
        if _get(r, "content", "caption")
    ]
    if not captions and invocations:
        speech = _get(invocations, 0, "invocationResponse", "body", "response", "outputSpeech")
        said = _get(speech, "text") or _get(speech, "ssml") or ""
        captions = [re.sub(r"<[^>]+>", "", str(said)).strip()] if said else []
    heard.reply = " ".join(c for c in captions if c)
    heard.considered = [
        str(_get(i, "name")) for i in _get(result, "alexaExecutionInfo", "consideredIntents") or []
    ]
    if status == "FAILED":
        heard.error = f"simulation failed: {_message(_get(result, 'error')) or 'no reason given'}"
    elif status != "SUCCESSFUL":
        heard.error = f"simulation status {status}"
    return heard


@dataclass
class Simulator:
    http: Http
    base: str
    skill_id: str
    stage: str
    locale: str
    token: str
    poll_interval: float = 1.0
    max_polls: int = 20
    delay: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    # Gets a fresh token once when SMAPI answers 401 (a refresh token outlives the hour).
    renew: Callable[[], str] | None = None
    calls: int = 0

    @property
    def _url(self) -> str:
        skill = urllib.parse.quote(self.skill_id, safe="")
        stage = urllib.parse.quote(self.stage, safe="")
        return f"{self.base}/v2/skills/{skill}/stages/{stage}/simulations"

    def say(self, text: str, *, new_session: bool) -> Heard:
        if self.calls:
            self.sleep(self.delay)  # SMAPI is rate limited and runs one simulation at a time
        self.calls += 1
        body = {
            "session": {"mode": "FORCE_NEW_SESSION" if new_session else "DEFAULT"},
            "input": {"content": text},
            "device": {"locale": self.locale},
        }
        simulation = self._call("POST", self._url, body)
        simulation_id = _get(simulation, "id")
        polls = 0
        while _get(simulation, "status") in (None, "IN_PROGRESS"):
            if not simulation_id:
                return Heard(status="UNKNOWN", error="SMAPI gave no simulation id")
            if polls >= self.max_polls:
                return Heard(status="IN_PROGRESS", error=f"still in progress after {polls} polls")
            polls += 1
            self.sleep(self.poll_interval)
            url = f"{self._url}/{urllib.parse.quote(str(simulation_id), safe='')}"
            simulation = self._call("GET", url, None)
        return heard_from(simulation)

    def _call(self, method: str, url: str, body: Any) -> Any:
        answer = self.http.call(method, url, json_body=body, token=self.token)
        if answer.status == 401 and self.renew is not None:
            self.token, self.renew = self.renew(), None
            answer = self.http.call(method, url, json_body=body, token=self.token)
        if 200 <= answer.status < 300:
            return answer.body
        reason = _message(answer.body)
        if answer.status == 401:
            raise FatalHttpError(f"SMAPI refused the access token (401 {reason}); refresh it")
        if answer.status in (400, 403, 404):
            raise FatalHttpError(
                f"SMAPI answered {answer.status} {reason} (is the skill id right, the skill"
                " enabled for testing in this stage, and the token from its developer account?)"
            )
        raise FatalHttpError(f"SMAPI answered {answer.status} {reason}; stopped")


# ---------------------------------------------------------------------------------------------
# Replay, report and summary
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    category: str
    utterance: str
    heard: Heard
    setup_reply: str = ""
    setup_left_session_open: bool = True
    verdict: str | None = None  # answers only: whole, cut, lost
    kept: float | None = None

    def record(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "utterance": self.utterance,
            "status": self.heard.status,
            "request_type": self.heard.request_type,
            "intent": self.heard.intent,
            "label": self.heard.label,
            "slots": self.heard.slots,
            "reply": self.heard.reply,
            "session_ended": self.heard.session_ended,
            "requests": self.heard.requests,
            "considered_intents": self.heard.considered,
            "setup_reply": self.setup_reply,
            "setup_left_session_open": self.setup_left_session_open,
            "verdict": self.verdict,
            "kept_share": None if self.kept is None else round(self.kept, 3),
            "error": self.heard.error,
        }


def judge_answer(
    outcome: Outcome, answer_intent: str, carriers: Sequence[tuple[list[str], list[str]]]
) -> None:
    heard = outcome.heard
    if heard.label != answer_intent:
        outcome.verdict, outcome.kept = "lost", 0.0
        return
    slot_words = [w for value in heard.slots.values() if value for w in words(value)]
    outcome.kept = kept_share(expected_answer_words(outcome.utterance, carriers), slot_words)
    outcome.verdict = "whole" if outcome.kept >= WHOLE_SHARE else "cut"


def replay(
    corpus: Sequence[tuple[str, str]],
    simulator: Simulator,
    setup: Sequence[str],
    *,
    answer_intent: str,
    carriers: Sequence[tuple[list[str], list[str]]],
    report: IO[str],
    progress: IO[str],
    outcomes: list[Outcome],
) -> None:
    """Replays `corpus`, appending to `outcomes` (kept when interrupted) and to `report`."""
    warned = False
    for number, (category, utterance) in enumerate(corpus, start=1):
        setup_reply, open_after_setup = "", True
        for index, text in enumerate(setup):
            heard = simulator.say(text, new_session=index == 0)
            setup_reply, open_after_setup = heard.reply, not heard.session_ended
            if heard.error:
                open_after_setup = False
        if not open_after_setup and not warned:
            warned = True
            print(
                f"warning: the setup utterances left no open session (last reply:"
                f" {setup_reply!r}); the skill may need the couple's names first",
                file=progress,
            )
        heard = simulator.say(utterance, new_session=not setup)
        outcome = Outcome(category, utterance, heard, setup_reply, open_after_setup)
        if category == "answer":
            judge_answer(outcome, answer_intent, carriers)
        outcomes.append(outcome)
        report.write(json.dumps(outcome.record(), ensure_ascii=False) + "\n")
        report.flush()
        slots = ", ".join(f"{k}={v!r}" for k, v in heard.slots.items() if v)
        shown = f"{heard.label}({slots})" if slots else heard.label
        extra = f" [{outcome.verdict}]" if outcome.verdict else ""
        print(
            f"[{number}/{len(corpus)}] {category}: {utterance!r} -> {shown}{extra}", file=progress
        )


def summary(outcomes: Sequence[Outcome], answer_intent: str) -> str:
    lines = ["", "Where each category went (intent or request type: count):"]
    present = {o.category for o in outcomes}
    ordered = [c for c in CATEGORY_ORDER if c in present] + sorted(present - set(CATEGORY_ORDER))
    width = max((len(c) for c in ordered), default=0)
    for category in ordered:
        counts = Counter(o.heard.label for o in outcomes if o.category == category)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        total = sum(counts.values())
        shown = ", ".join(f"{label} {n}" for label, n in ranked)
        lines.append(f"  {category + ':':<{width + 1}} {shown}  (of {total})")
    answers = [o for o in outcomes if o.category == "answer"]
    if answers:
        lost = [o for o in answers if o.verdict == "lost"]
        cut = [o for o in answers if o.verdict == "cut"]
        whole = len(answers) - len(lost) - len(cut)
        lines.append("")
        lines.append(
            f"Answers: {whole} of {len(answers)} arrived as {answer_intent} with their words;"
            f" {len(lost)} lost to another intent, {len(cut)} cut short."
        )
        if lost:
            lines.append(f"Lost (did not arrive as {answer_intent}):")
            lines += [f"  - {o.utterance!r} -> {o.heard.label}" for o in lost]
        if cut:
            lines.append(f"Cut ({answer_intent}, but the slot kept too few of the words):")
            for o in cut:
                heard = " / ".join(v for v in o.heard.slots.values() if v) or "(empty)"
                lines.append(f"  - {o.utterance!r} -> {heard!r} ({o.kept or 0:.0%} kept)")
    errors = [o for o in outcomes if o.heard.error]
    if errors:
        lines.append("")
        lines.append(f"Errors: {len(errors)}")
        lines += [f"  - {o.utterance!r}: {o.heard.error}" for o in errors[:20]]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Replay tests/data/couple_speech.tsv against the real Alexa NLU (SMAPI).",
    )
    p.add_argument("--skill-id", help="the skill id (default: env SKILL_ID)")
    p.add_argument("--stage", default="development", help="skill stage (default: development)")
    p.add_argument("--locale", default="en-US", help="device locale (default: en-US)")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the corpus TSV")
    p.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="JSON-lines report path")
    p.add_argument(
        "--model", type=Path, help="interaction model for carrier phrases (default: by locale)"
    )
    p.add_argument(
        "--category",
        action="append",
        default=[],
        help="only these categories (repeat or comma-separate)",
    )
    p.add_argument("--limit", type=int, help="replay at most N corpus lines")
    p.add_argument(
        "--setup",
        action="append",
        help="utterances that open the session before each line (repeat; default: "
        + ", ".join(repr(s) for s in DEFAULT_SETUP)
        + "); --setup '' for none",
    )
    p.add_argument("--answer-intent", default=ANSWER_INTENT, help="the intent answers should reach")
    p.add_argument("--delay", type=float, default=1.0, help="seconds between simulations")
    p.add_argument("--poll-interval", type=float, default=1.0, help="seconds between polls")
    p.add_argument("--max-polls", type=int, default=20, help="polls per simulation at most")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP request")
    p.add_argument("--retries", type=int, default=3, help="retries on 409, 429, 500, 503")
    p.add_argument("--backoff", type=float, default=2.0, help="first retry wait, doubled each time")
    return p


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    env = os.environ if env is None else env
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parser().parse_args(argv)
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    try:
        return _run(args, env, home, out, err)
    except ReplayError as error:
        print(f"replay_nlu: {error}", file=err)
        return 1 if isinstance(error, FatalHttpError) else 2


def _run(
    args: argparse.Namespace, env: Mapping[str, str], home: Path, out: IO[str], err: IO[str]
) -> int:
    credentials = find_credentials(env, home)
    if credentials is None:
        print(NO_CREDENTIALS, file=out)
        return 0
    skill_id = (args.skill_id or env.get("SKILL_ID", "")).strip()
    if not skill_id:
        raise ReplayError("no skill id: pass --skill-id amzn1.ask.skill.<id> or set SKILL_ID")
    smapi = checked_base_url(env.get("SMAPI_ENDPOINT") or SMAPI_DEFAULT, "SMAPI_ENDPOINT")
    lwa = checked_base_url(env.get("LWA_ENDPOINT") or LWA_DEFAULT, "LWA_ENDPOINT")
    for name in ("limit", "max_polls", "retries", "delay", "poll_interval", "backoff"):
        if (getattr(args, name) or 0) < 0:
            raise ReplayError(f"--{name.replace('_', '-')} must not be negative")
    if not 0 < args.timeout <= 60:
        raise ReplayError("--timeout must be between 0 and 60 seconds")

    try:
        corpus = parse_couple_speech(args.corpus.read_text(encoding="utf-8"), str(args.corpus))
    except OSError as error:
        raise ReplayError(f"{args.corpus}: {error}") from None
    except CorpusError as error:
        raise ReplayError(str(error)) from None
    wanted = {c.strip() for value in args.category for c in value.split(",") if c.strip()}
    if wanted:
        unknown = wanted - {c for c, _ in corpus}
        if unknown:
            raise ReplayError(f"no corpus lines in categories: {', '.join(sorted(unknown))}")
        corpus = [(c, u) for c, u in corpus if c in wanted]
    if args.limit is not None:
        corpus = corpus[: args.limit]
    setup = [s for s in (DEFAULT_SETUP if args.setup is None else args.setup) if s.strip()]
    model = args.model or DEFAULT_MODEL_DIR / f"{args.locale}.json"
    carriers = answer_carriers(model, args.answer_intent)

    http = Http(timeout=args.timeout, retries=args.retries, backoff=args.backoff)
    token = access_token(credentials, http, lwa)
    renewable = credentials.refresh_token is not None
    simulator = Simulator(
        http=http,
        base=smapi,
        skill_id=skill_id,
        stage=args.stage,
        locale=args.locale,
        token=token,
        poll_interval=args.poll_interval,
        max_polls=args.max_polls,
        delay=args.delay,
        renew=(lambda: access_token(credentials, http, lwa)) if renewable else None,
    )
    print(
        f"replaying {len(corpus)} corpus lines against {args.stage} of {skill_id}"
        f" ({args.locale}, credentials from {credentials.source})",
        file=err,
    )
    args.report.parent.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []
    code = 0
    with args.report.open("w", encoding="utf-8") as report:
        try:
            replay(
                corpus,
                simulator,
                setup,
                answer_intent=args.answer_intent,
                carriers=carriers,
                report=report,
                progress=err,
                outcomes=outcomes,
            )
        except KeyboardInterrupt:
            print("interrupted: the summary covers the lines replayed so far", file=err)
            code = 130
        except ReplayError as error:
            print(f"replay_nlu: {error}", file=err)
            code = 1
    if outcomes or code == 0:
        print(summary(outcomes, args.answer_intent), file=out)
        print(f"\nreport ({len(outcomes)} lines): {args.report}", file=out)
    return code


if __name__ == "__main__":
    sys.exit(main())
