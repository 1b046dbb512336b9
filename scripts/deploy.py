#!/usr/bin/env python3
"""Deploy the function with SAM and the skill package with the ASK CLI, each fed the other's id.

    .venv/bin/python scripts/deploy.py [--out build/ask] [--skill-id amzn1.ask.skill.<id>]
                                      [--profile default] [--log-level INFO] [--submission]
                                      [--sam-arg=--no-confirm-changeset ...]

In order:
 1. Preflight: `sam`, `ask` and the function's Python (python3.12, or PYTHON) on the PATH, then
    AWS credentials. Anything missing stops here, before anything is built, with what to do.
 2. `make package`'s assembly into OUT (scripts/package_skill.py; --submission refuses
    placeholder PRIVACY_URL/TERMS_URL).
 3. The skill id: --skill-id or SKILL_ID, else the one the ASK CLI keeps in
    OUT/.ask/ask-states.json, else a first `ask deploy` of the package without an endpoint
    creates the skill (the function cannot exist yet: its trigger needs the skill id).
 4. `sam build`, then `sam deploy --parameter-overrides SkillId=<id> LogLevel=<level>` with the
    stack and region of samconfig.toml (it asks to confirm the change set unless told not to).
 5. `sam list stack-outputs`: the SkillFunctionArn output.
 6. The package again, with that ARN as apis.custom.endpoint.uri and events.endpoint.uri, and
    `ask deploy` in OUT: the manifest, the interaction model and the icons.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import package_skill  # noqa: E402  (a sibling script, found through HERE)

ROOT = HERE.parent
SAMCONFIG = ROOT / "samconfig.toml"
OUTPUT_KEY = "SkillFunctionArn"
ASK_STATES_VERSION = "2020-03-31"

Runner = Callable[..., subprocess.CompletedProcess[str]]

HINTS = {
    "sam": "install the AWS SAM CLI: pip install aws-sam-cli (or see the SAM docs)",
    "ask": "install the ASK CLI v2 and link your developer account: npm install -g ask-cli, "
    "then ask configure",
}


class DeployError(Exception):
    """A step that failed or cannot run; the message says which and what to do."""


def samconfig_defaults(path: Path = SAMCONFIG) -> dict[str, str]:
    params = tomllib.loads(path.read_text())["default"]["global"]["parameters"]
    return {"stack_name": params["stack_name"], "region": params["region"]}


def missing_tools(env: Mapping[str, str]) -> list[str]:
    """What is not on the PATH, each with how to get it."""
    path = env.get("PATH", "")
    problems = [
        f"`{tool}` not found: {hint}"
        for tool, hint in HINTS.items()
        if shutil.which(tool, path=path) is None
    ]
    python = env.get("PYTHON") or "python3.12"
    if shutil.which(python, path=path) is None:
        problems.append(
            f"`{python}` not found: sam build compiles the function for Python 3.12 "
            "(lambda/Makefile); install it or set PYTHON to a Python 3.12"
        )
    return problems


def aws_credentials_found() -> bool:
    """Whether botocore's usual chain (environment, profile, SSO, instance role) finds any."""
    import botocore.session

    return botocore.session.Session().get_credentials() is not None


def states_path(out: Path) -> Path:
    return out / ".ask" / "ask-states.json"


def stored_skill_id(out: Path, profile: str) -> str | None:
    """The skill id the ASK CLI wrote after creating the skill (OUT/.ask/ask-states.json)."""
    try:
        states = json.loads(states_path(out).read_text())
    except (OSError, ValueError):
        return None
    skill_id = states.get("profiles", {}).get(profile, {}).get("skillId")
    return skill_id if isinstance(skill_id, str) and skill_id else None


def remember_skill_id(out: Path, profile: str, skill_id: str) -> None:
    """Tell the ASK CLI which skill to update (as it would have written it itself)."""
    path = states_path(out)
    try:
        states: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        states = {"askcliStatesVersion": ASK_STATES_VERSION, "profiles": {}}
    states.setdefault("profiles", {}).setdefault(profile, {})["skillId"] = skill_id
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(states, indent=2) + "\n")


def function_arn(outputs_json: str) -> str:
    """SkillFunctionArn from `sam list stack-outputs --output json`."""
    try:
        outputs = json.loads(outputs_json)
    except ValueError as error:
        raise DeployError(f"sam list stack-outputs did not print JSON: {error}") from error
    rows = outputs if isinstance(outputs, list) else outputs.get("Outputs", [])
    for row in rows:
        if isinstance(row, dict) and row.get("OutputKey") == OUTPUT_KEY:
            return str(row["OutputValue"])
    raise DeployError(f"the stack has no {OUTPUT_KEY} output (template.yaml declares one)")


def _run(run: Runner, command: Sequence[str], cwd: Path, *, capture: bool = False) -> str:
    print("deploy: $ " + " ".join(command) + (f"   (in {cwd})" if cwd != ROOT else ""))
    done = run(list(command), cwd=cwd, text=True, capture_output=capture, check=False)
    if done.returncode != 0:
        detail = (done.stderr or "").strip() if capture else ""
        raise DeployError(
            f"`{' '.join(command[:2])}` failed (exit {done.returncode})"
            + (f": {detail}" if detail else "")
        )
    return done.stdout or ""


def _package(out: Path, env: Mapping[str, str], args: argparse.Namespace, **kwargs: Any) -> None:
    try:
        package_skill.assemble(
            out, env=env, submission=args.submission, profile=args.profile, **kwargs
        )
    except package_skill.PackageError as error:
        raise DeployError(str(error)) from error


def deploy(
    args: argparse.Namespace,
    env: Mapping[str, str],
    *,
    run: Runner = subprocess.run,
    credentials: Callable[[], bool] = aws_credentials_found,
) -> str:
    """Everything after the argument parsing; returns the function ARN deployed."""
    problems = missing_tools(env)
    if not problems and not credentials():
        problems.append(
            "no AWS credentials: run aws configure (or aws sso login), or set AWS_PROFILE"
        )
    if problems:
        raise DeployError(
            "cannot deploy from here:\n  - "
            + "\n  - ".join(problems)
            + "\nNothing was built or deployed. `make package` still assembles the skill package."
        )
    out: Path = args.out
    ask = ["ask", "deploy", "--profile", args.profile]

    _package(out, env, args)
    skill_id = args.skill_id or stored_skill_id(out, args.profile)
    if skill_id:
        remember_skill_id(out, args.profile, skill_id)
    else:
        print("deploy: no skill id yet: creating the skill (its endpoint comes after the stack)")
        _package(out, env, args, drop_endpoint=True)
        _run(run, ask, out)
        skill_id = stored_skill_id(out, args.profile)
        if not skill_id:
            raise DeployError(f"ask deploy left no skill id in {states_path(out)}")
    print(f"deploy: skill {skill_id}")

    _run(run, ["sam", "build"], ROOT)
    overrides = [f"SkillId={skill_id}", f"LogLevel={args.log_level}"]
    _run(
        run,
        [
            "sam",
            "deploy",
            "--stack-name",
            args.stack_name,
            "--region",
            args.region,
            "--parameter-overrides",
            *overrides,
            *args.sam_arg,
        ],
        ROOT,
    )
    outputs = _run(
        run,
        [
            "sam",
            "list",
            "stack-outputs",
            "--stack-name",
            args.stack_name,
            "--region",
            args.region,
            "--output",
            "json",
        ],
        ROOT,
        capture=True,
    )
    arn = function_arn(outputs)
    print(f"deploy: function {arn}")

    _package(out, env, args, endpoint=arn)
    _run(run, [*ask, "--ignore-hash"], out)
    return arn


def parse(argv: Sequence[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    defaults = samconfig_defaults()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=package_skill.DEFAULT_OUT)
    parser.add_argument("--skill-id", default=env.get("SKILL_ID") or None)
    parser.add_argument("--profile", default=env.get("ASK_PROFILE") or "default")
    parser.add_argument("--stack-name", default=env.get("STACK_NAME") or defaults["stack_name"])
    parser.add_argument("--region", default=env.get("AWS_REGION") or defaults["region"])
    parser.add_argument("--log-level", default=env.get("LOG_LEVEL") or "INFO")
    parser.add_argument(
        "--submission",
        action="store_true",
        default=package_skill.truthy(env.get("SUBMISSION")),
        help="refuse placeholder PRIVACY_URL/TERMS_URL",
    )
    parser.add_argument(
        "--sam-arg",
        action="append",
        default=[],
        help="extra argument for sam deploy, e.g. --sam-arg=--no-confirm-changeset",
    )
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    run: Runner = subprocess.run,
    credentials: Callable[[], bool] = aws_credentials_found,
) -> int:
    env = os.environ if env is None else env
    args = parse(argv, env)
    try:
        deploy(args, env, run=run, credentials=credentials)
    except DeployError as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 2
    print("deploy: done. Test it in the developer console (Test tab), then submit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
