"""Talk to Closer Together from a terminal, as if to an Echo in the room.

    python -m alexa_local.console                       # type, Alexa answers
    python -m alexa_local.console --say "open closer together" --say "stop"
    python -m alexa_local.console --script evening.txt --now 2025-03-05T19:55
    python -m alexa_local.console --nlu exact           # the kinder matcher, not real Alexa's

Runs the skill's real Lambda handler against a local DynamoDB (moto) and a local HTTPS
stand-in for the Alexa APIs (reminders, timers, settings). Data lives in --data-dir and
survives restarts; reminders and timers that come due are announced between turns.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from alexa_local.dynamo import LocalDynamo
from alexa_local.nlu import DEFAULT_SKILL_ID, NLU_MODES
from alexa_local.simulator import Handler, Simulator, Turn, consent_answer

REPO_ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = REPO_ROOT / "interaction_models" / "en-US.json"
DEFAULT_DATA_DIR = REPO_ROOT / ".local"
DEFAULT_USER = "amzn1.ask.account.LOCAL-HOUSEHOLD"
DEVICE_ID = "amzn1.ask.device.LOCAL-ECHO"
TABLE_NAME = "CloserTogether"
GRANTS_FILE = "permissions.json"
ALL_SCOPES = ("alexa::alerts:reminders:skill:readwrite", "alexa::alerts:timers:skill:readwrite")

HELP = """\
Type what you would say to Alexa, e.g. "open closer together", "we are Sam and Alex".
  :tomorrow        move the clock to the same time tomorrow (the session ends)
  :days N          move the clock N days ahead (the session ends)
  :time HH:MM      move the clock ahead to the next HH:MM (the session ends)
  :person ID|none  speak as a recognised voice profile, or as nobody known
  :allow / :deny   answer a pending permission request (yes / no work too);
                   :allow with nothing pending grants reminders and timers as the app would
  :help            this text
  :quit            leave (Ctrl-D and Ctrl-C too)"""


class SimulatedClock:
    """Wall-clock time shifted to where the couple's day is being simulated."""

    def __init__(self, start: datetime, zone: ZoneInfo) -> None:
        self.zone = zone
        self._offset = start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return (datetime.now(UTC) + self._offset).astimezone(self.zone)

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def advance_to(self, at: time) -> None:
        """Forward to the next moment the local clock shows `at`."""
        now = self()
        target = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        if target <= now:
            target += timedelta(days=1)
        self.advance(target - now)


class Console:
    def __init__(
        self,
        sim: Simulator,
        clock: SimulatedClock,
        *,
        due: Callable[[datetime], list[str]],
        grant: Callable[[str], None],
        save: Callable[[], object],
        out: TextIO,
        verbose: bool = False,
        show_ssml: bool = False,
        voice: bool = False,
    ) -> None:
        self.sim = sim
        self.clock = clock
        self._due = due
        self._grant = grant
        self._save = save
        self._out = out
        self._verbose = verbose
        self._show_ssml = show_ssml
        self._voice = voice and _espeak_available(out)
        self.failures = 0

    def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user asked to quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        try:
            if line.startswith(":"):
                if not self._command(line):
                    return False
            elif (
                answer := consent_answer(line) if self.sim.pending_permission else None
            ) is not None:
                self._permission(answer)
            else:
                self._show(self.sim.say(line))
        except Exception:  # a failing skill should not end the conversation
            self.failures += 1
            self._print("(the skill failed on that turn)")
            traceback.print_exc()
        finally:
            self._save()
        # Moving the clock is how a reminder comes due: announce it right away.
        self.announce_due()
        return True

    def walk_away(self) -> None:
        """Leaving the console is leaving the room: Alexa closes an open session."""
        if self.sim.in_session:
            try:
                self.sim.end("EXCEEDED_MAX_REPROMPTS")
            except Exception:
                traceback.print_exc()

    def announce_due(self) -> None:
        for text in self._due(self.clock()):
            self._print(f"(reminder) {text}")

    def _command(self, line: str) -> bool:
        name, _, argument = line[1:].partition(" ")
        argument = argument.strip()
        if name in ("quit", "exit", "q"):
            return False
        if name == "help":
            self._print(HELP)
        elif name == "tomorrow":
            self._move_clock(lambda: self.clock.advance(timedelta(days=1)))
        elif name == "days" and argument.lstrip("-").isdigit() and int(argument) > 0:
            self._move_clock(lambda: self.clock.advance(timedelta(days=int(argument))))
        elif name == "time" and _parse_hhmm(argument) is not None:
            at = _parse_hhmm(argument)
            assert at is not None
            self._move_clock(lambda: self.clock.advance_to(at))
        elif name == "person" and argument:
            person = None if argument.lower() == "none" else argument
            self.sim.set_person(person)
            self._print(f"(speaking as {person or 'nobody recognised'})")
        elif name in ("allow", "deny"):
            self._permission("ACCEPTED" if name == "allow" else "DENIED")
        else:
            self._print(f"(unknown command {line!r}; :help lists them)")
        return True

    def _move_clock(self, move: Callable[[], None]) -> None:
        if self.sim.in_session:
            # nobody answered for this long: Alexa gives up on the session
            self.sim.end("EXCEEDED_MAX_REPROMPTS")
            self._print("[session ended]")
        move()
        self._print(f"(it is now {self.clock():%A %Y-%m-%d %H:%M %Z})")

    def _permission(self, status: str) -> None:
        pending = self.sim.pending_permission
        if pending is None:
            if status == "ACCEPTED":
                for scope in ALL_SCOPES:
                    self._grant(scope)
                self._print("(reminders and timers allowed, as in the Alexa app)")
            else:
                self._print("(no permission request is pending)")
            return
        scopes = (pending.get("payload") or {}).get("permissionScopes") or []
        if status == "ACCEPTED":
            for scope in scopes:
                self._grant(scope["permissionScope"])
        self._show(self.sim.permission(status))

    def _show(self, turn: Turn) -> None:
        if self._verbose:
            self._print(f"  [{_describe(turn.request['request'])}]")
        if self._show_ssml and turn.ssml:
            self._print(f"ssml> {turn.ssml}")
        if turn.text:
            self._print(f"alexa> {turn.text}")
        for directive in turn.screens:
            self._print(f"[screen] {screen_text(directive)}")
        if self._verbose:
            if turn.reprompt:
                self._print(f"alexa (reprompt)> {turn.reprompt}")
            if turn.card:
                self._print(f"  [card] {json.dumps(turn.card, ensure_ascii=False)}")
            for directive in turn.directives:
                self._print(f"  [directive] {json.dumps(directive, ensure_ascii=False)}")
        if self.sim.pending_permission is not None:
            self._print("(Alexa asks whether the skill may use reminders: yes / no)")
        if turn.ends_session:
            self._print("[session ended]")
        if self._voice:
            _speak(turn)

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)


def _describe(request: dict[str, Any]) -> str:
    kind = request["type"]
    if kind == "IntentRequest":
        intent = request["intent"]
        slots = {
            name: slot["value"]
            for name, slot in (intent.get("slots") or {}).items()
            if "value" in slot
        }
        state = f" {request['dialogState']}" if "dialogState" in request else ""
        return f"{kind} {intent['name']} {json.dumps(slots, ensure_ascii=False)}{state}"
    if kind == "Connections.Response":
        return f"{kind} {request['payload']['status']}"
    return kind


def _parse_hhmm(value: str) -> time | None:
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def _espeak_available(out: TextIO) -> bool:
    if shutil.which("espeak-ng"):
        return True
    print("(espeak-ng is not installed: answers are printed only)", file=out, flush=True)
    return False


def _speak(turn: Turn) -> None:
    words = ["-m", turn.ssml] if turn.ssml else [turn.text]
    if turn.ssml or turn.text:
        subprocess.run(["espeak-ng", *words], check=False, capture_output=True)


# -- start-up -----------------------------------------------------------------------------


def screen_text(directive: dict[str, Any]) -> str:
    """A RenderDocument's datasource as one line of text: what the screen shows."""
    payload = (directive.get("datasources") or {}).get("payload") or {}
    parts: list[str] = [str(payload.get("title", ""))]
    week = payload.get("week") or []
    if week:
        parts.append(" ".join(f"{d['day']} {'●' if d['done'] else '○'}" for d in week))
        parts += [str(payload.get("checked", "")), str(payload.get("streak", ""))]
        parts += [f"{c['kind']}: {c['text']}" for c in payload.get("cards") or []]
    asked = payload.get("question") if week else payload
    if isinstance(asked, dict) and asked.get("question"):
        parts += [str(asked.get("turn", "")), str(asked.get("progress", "")), asked["question"]]
    parts += [str(item["text"]) for item in payload.get("items") or []]
    parts.append(str(payload.get("empty", "")))
    return " · ".join(part for part in parts if part)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m alexa_local.console",
        description="Talk to Closer Together as if to an Echo.",
    )
    parser.add_argument("--say", action="append", default=[], metavar="TEXT")
    parser.add_argument("--script", type=Path, help="one utterance per line, # comments")
    parser.add_argument("--voice", action="store_true", help="speak answers with espeak-ng")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--user", default=DEFAULT_USER, help="the household's Alexa user id")
    parser.add_argument("--person", help="speak as this recognised voice profile")
    parser.add_argument(
        "--screen", action="store_true", help="an Echo Show: the device reports APL; screens print"
    )
    parser.add_argument("--time-zone", default="America/New_York")
    parser.add_argument("--date", help="start the simulated clock on YYYY-MM-DD")
    parser.add_argument("--now", help="start the simulated clock at this ISO date-time")
    parser.add_argument("--verbose", action="store_true", help="show intents and directives")
    parser.add_argument("--ssml", action="store_true", help="print the raw SSML too")
    parser.add_argument(
        "--nlu",
        choices=NLU_MODES,
        default="honest",
        help="honest (default): understand speech as real Alexa does (uncovered speech is "
        "AMAZON.FallbackIntent, names are names); exact: the older, kinder matcher",
    )
    args = parser.parse_args(argv)
    try:
        args.zone = ZoneInfo(args.time_zone)
    except (KeyError, ValueError):
        parser.error(f"unknown time zone {args.time_zone!r}")
    try:
        args.start = _start_time(args.date, args.now, args.zone)
    except ValueError as error:
        parser.error(str(error))
    return args


def _start_time(day: str | None, now: str | None, zone: ZoneInfo) -> datetime:
    if now is not None:
        moment = datetime.fromisoformat(now)
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    current = datetime.now(zone)
    if day is not None:
        chosen = datetime.strptime(day, "%Y-%m-%d").date()
        return datetime.combine(chosen, current.timetz())
    return current


def _utterances(args: argparse.Namespace, stdin: TextIO) -> Iterator[str] | None:
    """Lines to play through, or None for an interactive session."""
    sources: list[Iterable[str]] = [args.say]
    if args.script is not None:
        sources.append(args.script.read_text(encoding="utf-8").splitlines())
    if not stdin.isatty():
        sources.append(line.rstrip("\n") for line in stdin)
    elif not args.say and args.script is None:
        return None
    return (line for source in sources for line in source)


def _skill_environment(dynamodb_endpoint: str, ca_path: Path) -> dict[str, str]:
    # Dummy credentials and a local endpoint: nothing here can reach real AWS
    return {
        "TABLE_NAME": TABLE_NAME,
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "SKILL_ID": DEFAULT_SKILL_ID,
        "REQUESTS_CA_BUNDLE": str(ca_path),
    }


def _import_skill() -> tuple[Handler, Callable[[], None]]:
    """The Lambda handler and the table maker, imported once the environment is set."""
    lambda_dir = str(REPO_ROOT / "lambda")
    if lambda_dir not in sys.path:
        sys.path.insert(0, lambda_dir)
    storage = importlib.import_module("closer_together.storage")
    handler: Handler = importlib.import_module("lambda_function").lambda_handler
    return handler, storage.create_table


def _load_grants(data_dir: Path) -> list[str]:
    path = data_dir / GRANTS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def _save_grants(data_dir: Path, scopes: Iterable[str]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / GRANTS_FILE).write_text(json.dumps(sorted(scopes)), encoding="utf-8")


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    args = parse_args(argv)
    lines = _utterances(args, stdin)
    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    # moto's web server logs every request; the couple's dialog is what should show
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from alexa_local.api_standin import AlexaApiStandIn

    clock = SimulatedClock(args.start, args.zone)
    grants = set(_load_grants(data_dir))
    with contextlib.ExitStack() as stack:
        dynamo = stack.enter_context(LocalDynamo(data_dir))
        standin = stack.enter_context(
            AlexaApiStandIn(
                data_dir=data_dir, time_zone=args.time_zone, clock=clock, granted=grants
            )
        )
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.update(_skill_environment(dynamo.endpoint, standin.ca_path))
        handler, create_table = _import_skill()
        create_table()
        dynamo.restore()
        sim = Simulator(
            handler,
            model_path=MODEL_PATH,
            user_id=args.user,
            device_id=DEVICE_ID,
            api_endpoint=standin.endpoint,
            api_token=standin.token,
            clock=clock,
            person_id=args.person,
            screen=args.screen,
            nlu_mode=args.nlu,
        )

        def grant(scope: str) -> None:
            standin.grant(scope)
            grants.add(scope)
            _save_grants(data_dir, grants)

        console = Console(
            sim,
            clock,
            due=standin.due,
            grant=grant,
            save=dynamo.snapshot,
            out=out,
            verbose=args.verbose,
            show_ssml=args.ssml,
            voice=args.voice,
        )
        stack.callback(dynamo.snapshot)
        stack.callback(console.walk_away)
        console.announce_due()
        if lines is None:
            _interactive(console, out)
            return 0
        try:
            for line in lines:
                if line.strip() and not line.lstrip().startswith("#"):
                    print(f"you> {line.strip()}", file=out, flush=True)
                if not console.handle(line):
                    break
        except KeyboardInterrupt:
            return 130
        return 1 if console.failures else 0


def _interactive(console: Console, out: TextIO) -> None:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    print("Closer Together on a pretend Echo. :help lists commands, :quit leaves.", file=out)
    while True:
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return
        try:
            if not console.handle(line):
                return
        except KeyboardInterrupt:
            print(file=out)
            return


if __name__ == "__main__":
    sys.exit(main())
