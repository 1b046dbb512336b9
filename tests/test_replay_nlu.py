"""scripts/replay_nlu.py against a fake SMAPI and a fake Login with Amazon on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "replay_nlu.py"
SKILL_ID = "amzn1.ask.skill.test-replay"
FAST = ["--delay", "0", "--poll-interval", "0", "--backoff", "0"]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("replay_nlu", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


replay_nlu = _load_script()

CORPUS = """\
# a five-line corpus
answer\tthe best part was lunch with mum
answer\tstopping by the bakery with you
answer\tkids < 5 get in free so the zoo was cheap
filler\tum
command\tnext
"""

MODEL = {
    "interactionModel": {
        "languageModel": {
            "invocationName": "closer together",
            "intents": [
                {
                    "name": "AnswerIntent",
                    "slots": [{"name": "answer", "type": "FreeText"}],
                    "samples": ["the best part was {answer}", "i appreciate {answer}"],
                }
            ],
        }
    }
}

# What the fake NLU makes of each text: (request type, intent, slots, caption, ends session).
HEARD: dict[str, tuple[str, str | None, dict[str, str], str, bool]] = {
    "open closer together": ("LaunchRequest", None, {}, "Welcome back, Sam and Alex.", False),
    "start our check in": (
        "IntentRequest",
        "StartCheckInIntent",
        {},
        "What was the best part of your day, Sam?",
        False,
    ),
    "the best part was lunch with mum": (
        "IntentRequest",
        "AnswerIntent",
        {"answer": "lunch with mum"},
        "Lovely. Alex, your turn.",
        False,
    ),
    "stopping by the bakery with you": (
        "IntentRequest",
        "AMAZON.FallbackIntent",
        {},
        "Sorry, I didn't catch that.",
        False,
    ),
    "kids < 5 get in free so the zoo was cheap": (
        "IntentRequest",
        "AnswerIntent",
        {"answer": "kids"},
        "Lovely. Alex, your turn.",
        False,
    ),
    "um": ("IntentRequest", "AMAZON.FallbackIntent", {}, "Sorry, I didn't catch that.", False),
    "next": ("IntentRequest", "AMAZON.NextIntent", {}, "Alex, what was yours?", False),
}


def _envelope(text: str) -> dict[str, Any]:
    kind, intent, slots, caption, ends = HEARD[text]
    request: dict[str, Any] = {"type": kind, "requestId": "r", "locale": "en-US"}
    if intent:
        request["intent"] = {
            "name": intent,
            "confirmationStatus": "NONE",
            "slots": {
                name: {"name": name, "value": value, "confirmationStatus": "NONE"}
                for name, value in slots.items()
            },
        }
    return {
        "skillExecutionInfo": {
            "invocations": [
                {
                    "invocationRequest": {
                        "endpoint": "arn:aws:lambda:us-east-1:000000000000:function:skill",
                        "body": {"version": "1.0", "session": {"new": False}, "request": request},
                    },
                    "invocationResponse": {
                        "body": {
                            "version": "1.0",
                            "response": {
                                "outputSpeech": {
                                    "type": "SSML",
                                    "ssml": f"<speak>{caption}</speak>",
                                },
                                "shouldEndSession": ends,
                            },
                        }
                    },
                }
            ]
        },
        "alexaExecutionInfo": {
            "alexaResponses": [{"type": "Speech", "content": {"caption": caption}}],
            "consideredIntents": [{"name": intent or kind, "confirmationStatus": "NONE"}],
        },
    }


@dataclass
class FakeAmazon:
    """SMAPI simulations (IN_PROGRESS once, then SUCCESSFUL) and the LWA token endpoint."""

    accepted_tokens: set[str] = field(default_factory=lambda: {"Atza|given"})
    issued_tokens: list[str] = field(default_factory=lambda: ["Atza|fresh"])
    requests: list[dict[str, Any]] = field(default_factory=list)
    simulations: dict[str, dict[str, Any]] = field(default_factory=dict)
    url: str = ""

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "auth": headers.get("authorization"),
        }
        self.requests.append(entry)
        if path == "/auth/o2/token" and method == "POST":
            entry["form"] = dict(urllib.parse.parse_qsl(body.decode()))
            if entry["form"].get("grant_type") != "refresh_token" or not self.issued_tokens:
                return 400, {"error": "invalid_grant"}
            token = self.issued_tokens.pop(0)
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600}
        base = f"/v2/skills/{SKILL_ID}/stages/development/simulations"
        if not path.startswith(base):
            return 404, {"message": "no such skill"}
        if (headers.get("authorization") or "").removeprefix("Bearer ") not in self.accepted_tokens:
            return 401, {"message": "Token is invalid/expired"}
        if method == "POST" and path == base:
            payload = json.loads(body)
            entry["payload"] = payload
            sim_id = f"sim-{len(self.simulations) + 1}"
            self.simulations[sim_id] = {"text": payload["input"]["content"], "polls": 0}
            return 200, {"id": sim_id, "status": "IN_PROGRESS"}
        sim_id = path.removeprefix(base + "/")
        simulation = self.simulations.get(sim_id)
        if method != "GET" or simulation is None:
            return 404, {"message": "no such simulation"}
        simulation["polls"] += 1
        if simulation["polls"] == 1:
            return 200, {"id": sim_id, "status": "IN_PROGRESS"}
        return 200, {"id": sim_id, "status": "SUCCESSFUL", "result": _envelope(simulation["text"])}

    @property
    def said(self) -> list[tuple[str, str]]:
        return [
            (r["payload"]["input"]["content"], r["payload"]["session"]["mode"])
            for r in self.requests
            if "payload" in r
        ]


@pytest.fixture
def amazon() -> Iterator[FakeAmazon]:
    fake = FakeAmazon()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body = fake.handle(self.command, self.path, headers, self.rfile.read(length))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    corpus = tmp_path / "corpus.tsv"
    corpus.write_text(CORPUS, encoding="utf-8")
    model = tmp_path / "model.json"
    model.write_text(json.dumps(MODEL), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    return {"corpus": corpus, "model": model, "home": home, "report": tmp_path / "report.jsonl"}


def _run(
    amazon: FakeAmazon, files: dict[str, Path], extra_env: dict[str, str], *args: str
) -> tuple[int, str, str]:
    env = {
        "HOME": str(files["home"]),
        "SMAPI_ENDPOINT": amazon.url,
        "LWA_ENDPOINT": amazon.url,
        **extra_env,
    }
    argv = [
        "--skill-id",
        SKILL_ID,
        "--corpus",
        str(files["corpus"]),
        "--model",
        str(files["model"]),
        "--report",
        str(files["report"]),
        *FAST,
        *args,
    ]
    out, err = io.StringIO(), io.StringIO()
    code = replay_nlu.main(argv, env, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _report(files: dict[str, Path]) -> list[dict[str, Any]]:
    lines = files["report"].read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_without_credentials_it_exits_0_and_says_so(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--skill-id", SKILL_ID],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == replay_nlu.NO_CREDENTIALS
    assert "nothing replayed" in done.stdout
    assert done.stderr == ""


def test_it_replays_a_corpus_and_summarises_where_each_line_went(
    amazon: FakeAmazon, files: dict[str, Path]
) -> None:
    code, out, err = _run(amazon, files, {"ASK_ACCESS_TOKEN": "Atza|given"})
    assert code == 0, err

    # Each corpus line: a new session, the setup, then the line in that session.
    corpus_lines = [line.split("\t")[1] for line in CORPUS.splitlines()[1:]]
    expected = []
    for line in corpus_lines:
        expected += [
            ("open closer together", "FORCE_NEW_SESSION"),
            ("start our check in", "DEFAULT"),
            (line, "DEFAULT"),
        ]
    assert amazon.said == expected
    posted = [r for r in amazon.requests if "payload" in r]
    assert all(r["payload"]["device"] == {"locale": "en-US"} for r in posted)
    assert all(r["auth"] == "Bearer Atza|given" for r in amazon.requests)
    assert all(sim["polls"] == 2 for sim in amazon.simulations.values())  # polled past IN_PROGRESS
    assert not any(r["path"] == "/auth/o2/token" for r in amazon.requests)

    report = _report(files)
    assert [r["utterance"] for r in report] == corpus_lines
    first = report[0]
    assert first["category"] == "answer"
    assert first["request_type"] == "IntentRequest"
    assert first["intent"] == "AnswerIntent"
    assert first["slots"] == {"answer": "lunch with mum"}
    assert first["reply"] == "Lovely. Alex, your turn."
    assert first["setup_reply"] == "What was the best part of your day, Sam?"
    assert first["setup_left_session_open"] is True
    assert first["verdict"] == "whole"  # the carrier phrase "the best part was" is not lost
    assert [r["verdict"] for r in report] == ["whole", "lost", "cut", None, None]
    assert report[1]["label"] == "AMAZON.FallbackIntent"
    assert report[4]["intent"] == "AMAZON.NextIntent"
    assert all(r["error"] is None and r["status"] == "SUCCESSFUL" for r in report)

    assert "answer:  AnswerIntent 2, AMAZON.FallbackIntent 1  (of 3)" in out
    assert "filler:  AMAZON.FallbackIntent 1  (of 1)" in out
    assert "command: AMAZON.NextIntent 1  (of 1)" in out
    assert "1 of 3 arrived as AnswerIntent with their words; 1 lost to another intent, 1 cut" in out
    lost = out.split("Lost (did not arrive as AnswerIntent):")[1].split("Cut (")[0]
    assert lost.strip().splitlines() == [
        "- 'stopping by the bakery with you' -> AMAZON.FallbackIntent"
    ]
    cut = out.split("Cut (")[1]
    assert "'kids < 5 get in free so the zoo was cheap' -> 'kids'" in cut
    assert "lunch with mum" not in lost + cut
    assert "[5/5] command: 'next' -> AMAZON.NextIntent" in err


def test_category_and_limit_bound_the_replay(amazon: FakeAmazon, files: dict[str, Path]) -> None:
    env = {"ASK_ACCESS_TOKEN": "Atza|given"}
    code, out, err = _run(amazon, files, env, "--category", "filler,command", "--setup", "")
    assert code == 0, err
    assert amazon.said == [("um", "FORCE_NEW_SESSION"), ("next", "FORCE_NEW_SESSION")]
    assert "answer" not in out.split("report")[0].replace("AnswerIntent", "")

    amazon.requests.clear()
    code, out, err = _run(amazon, files, env, "--limit", "1")
    assert code == 0, err
    assert [text for text, _ in amazon.said] == [
        "open closer together",
        "start our check in",
        "the best part was lunch with mum",
    ]
    assert len(_report(files)) == 1


def test_refresh_credentials_are_exchanged_at_login_with_amazon(
    amazon: FakeAmazon, files: dict[str, Path]
) -> None:
    amazon.accepted_tokens = {"Atza|fresh"}
    env = {
        "ASK_REFRESH_TOKEN": "Atzr|long-lived",
        "ASK_CLIENT_ID": "amzn1.application-oa2-client.test",
        "ASK_CLIENT_SECRET": "secret",
    }
    code, out, err = _run(amazon, files, env, "--limit", "2")
    assert code == 0, err
    token_calls = [r for r in amazon.requests if r["path"] == "/auth/o2/token"]
    assert len(token_calls) == 1
    assert token_calls[0]["form"] == {
        "grant_type": "refresh_token",
        "refresh_token": "Atzr|long-lived",
        "client_id": "amzn1.application-oa2-client.test",
        "client_secret": "secret",
    }
    smapi = [r for r in amazon.requests if r["path"] != "/auth/o2/token"]
    assert smapi and all(r["auth"] == "Bearer Atza|fresh" for r in smapi)
    assert len(_report(files)) == 2
    assert "Atzr|long-lived" not in out + err and "Atza|fresh" not in out + err


def test_a_token_that_expires_mid_run_is_refreshed_once(
    amazon: FakeAmazon, files: dict[str, Path]
) -> None:
    amazon.issued_tokens = ["Atza|stale", "Atza|renewed"]
    amazon.accepted_tokens = {"Atza|renewed"}
    env = {"ASK_REFRESH_TOKEN": "Atzr|x", "ASK_CLIENT_ID": "id", "ASK_CLIENT_SECRET": "s"}
    code, _, err = _run(amazon, files, env, "--limit", "1")
    assert code == 0, err
    assert sum(r["path"] == "/auth/o2/token" for r in amazon.requests) == 2
    assert _report(files)[0]["intent"] == "AnswerIntent"


def test_an_expired_token_stops_the_run_with_a_clear_message(
    amazon: FakeAmazon, files: dict[str, Path]
) -> None:
    code, out, err = _run(amazon, files, {"ASK_ACCESS_TOKEN": "Atza|old"}, "--limit", "1")
    assert code == 1
    assert "refused the access token (401" in err
    assert len(amazon.simulations) == 0


def test_the_ask_cli_config_profile_is_read(amazon: FakeAmazon, files: dict[str, Path]) -> None:
    later = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    config: dict[str, Any] = {
        "profiles": {
            "default": {"token": {"access_token": "Atza|wrong-profile", "expires_at": later}},
            "work": {
                "vendor_id": "M1",
                "token": {
                    "access_token": "Atza|given",
                    "refresh_token": "Atzr|cli",
                    "token_type": "bearer",
                    "expires_in": 3600,
                    "expires_at": later,
                },
            },
        }
    }
    (files["home"] / ".ask").mkdir()
    (files["home"] / ".ask" / "cli_config").write_text(json.dumps(config), encoding="utf-8")
    code, _, err = _run(amazon, files, {"ASK_PROFILE": "work"}, "--limit", "1")
    assert code == 0, err
    assert "cli_config profile 'work'" in err

    config["profiles"]["work"]["token"]["expires_at"] = "2020-01-01T00:00:00.000Z"
    (files["home"] / ".ask" / "cli_config").write_text(json.dumps(config), encoding="utf-8")
    code, _, err = _run(amazon, files, {"ASK_PROFILE": "work"}, "--limit", "1")
    assert code == 2
    assert "has expired" in err


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.amazonalexa.com", True),
        ("http://127.0.0.1:8443", True),
        ("http://localhost:9000/", True),
        ("http://[::1]:9000", True),
        ("http://api.amazonalexa.com", False),
        ("http://10.0.0.5:8080", False),
        ("http://127.0.0.1.example.com", False),
        ("ftp://127.0.0.1", False),
    ],
)
def test_plain_http_only_on_loopback(url: str, allowed: bool) -> None:
    if allowed:
        assert replay_nlu.checked_base_url(url, "SMAPI_ENDPOINT") == url.rstrip("/")
    else:
        with pytest.raises(replay_nlu.ReplayError, match="https"):
            replay_nlu.checked_base_url(url, "SMAPI_ENDPOINT")


def test_a_plain_http_endpoint_elsewhere_is_refused_before_any_call(
    amazon: FakeAmazon, files: dict[str, Path]
) -> None:
    env = {"ASK_ACCESS_TOKEN": "Atza|given", "LWA_ENDPOINT": "http://api.amazon.com"}
    code, _, err = _run(amazon, files, env)
    assert code == 2
    assert "LWA_ENDPOINT must be an https URL" in err
    assert amazon.requests == []
