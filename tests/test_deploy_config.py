"""Checks of the deployment files: template.yaml (SAM), samconfig.toml and their link to
skill/skill.json.

cfn-lint is pinned to 1.53.3 because later releases no longer run the SAM transform; the
negative lint tests below prove that this run still catches errors only the transform sees.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
SAMCONFIG = ROOT / "samconfig.toml"
SKILL_JSON = ROOT / "skill" / "skill.json"
LINT_SCRIPT = ROOT / "scripts" / "lint_template.sh"
# The venv's own cfn-lint, next to the interpreter running the tests.
CFN_LINT = Path(sys.executable).parent / "cfn-lint"

FUNCTION = "SkillFunction"
TABLE = "HouseholdTable"
TABLE_ARN = {"Fn::GetAtt": [TABLE, "Arn"]}
TABLE_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
}

Template = dict[str, Any]


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !GetAtt, !Sub, ...) as their long form."""


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(text: str | None = None) -> Template:
    return yaml.load(text if text is not None else TEMPLATE.read_text(), Loader=_CfnLoader)


def _resources(template: Template, type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def _function(template: Template) -> dict[str, Any]:
    return template["Resources"][FUNCTION]["Properties"]


# --- cfn-lint ----------------------------------------------------------------------------------


def _cfn_lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CFN_LINT), "--non-zero-exit-code", "informational", "--", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cfn_lint_is_the_pinned_release() -> None:
    version = subprocess.run(
        [str(CFN_LINT), "--version"], capture_output=True, text=True, check=True, timeout=60
    )
    assert version.stdout.strip() == "cfn-lint 1.53.3"


def test_lint_script_passes_on_template() -> None:
    result = subprocess.run(
        ["bash", str(LINT_SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "CFN_LINT": str(CFN_LINT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Each mutation is an error only the SAM transform exposes (the resource is AWS::Serverless::*).
SAM_ONLY_ERRORS = [
    ("Runtime: python3.12", "Runtime: python2.9", "E3030"),
    ("Type: AlexaSkill", "Type: AlexaSkil", "E0001"),
    ("Architectures: [arm64]", "Architectures: [arm65]", "E3030"),
    ("LogGroup: !Ref SkillFunctionLogGroup", "LogGroup: !Ref NoSuchLogGroup", "E1020"),
]


def test_lint_runs_the_sam_transform(tmp_path: Path) -> None:
    """Every mutation is caught, each in its own template (one cfn-lint run: it starts slowly)."""
    text = TEMPLATE.read_text()
    broken = []
    for n, (good, bad, _) in enumerate(SAM_ONLY_ERRORS):
        assert text.count(good) == 1, f"template no longer contains {good!r}: update this test"
        path = tmp_path / f"broken{n}" / "template.yaml"
        path.parent.mkdir()
        path.write_text(text.replace(good, bad))
        broken.append(path)
    result = _cfn_lint(*broken)
    assert result.returncode != 0
    found = {
        (rule, str(path))
        for (_, _, rule), path in zip(SAM_ONLY_ERRORS, broken, strict=True)
        for block in result.stdout.split("\n\n")
        if rule in block and str(path) in block
    }
    assert len(found) == len(SAM_ONLY_ERRORS), result.stdout + result.stderr


# --- the function ------------------------------------------------------------------------------


def test_function_runtime_and_sizing() -> None:
    function = _function(load_template())
    assert function["CodeUri"] == "lambda/"
    runtime = re.fullmatch(r"python(\d+)\.(\d+)", function["Runtime"])
    assert runtime and (int(runtime[1]), int(runtime[2])) >= (3, 12)
    assert function["Architectures"] == ["arm64"]
    assert function["MemorySize"] >= 512
    # Alexa waits at most 8 s for a response.
    assert 3 <= function["Timeout"] < 8


def test_handler_exists_in_code_uri() -> None:
    function = _function(load_template())
    module, _, name = function["Handler"].rpartition(".")
    source = ROOT / function["CodeUri"] / f"{module.replace('.', '/')}.py"
    assert source.is_file(), f"{source} named by Handler does not exist"
    defined: set[str] = set()
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            defined.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            defined.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
    assert name in defined, f"{source} defines no top-level {name}"


def test_function_environment() -> None:
    template = load_template()
    variables = _function(template)["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == {"Ref": TABLE}
    assert variables["SKILL_ID"] == {"Ref": "SkillId"}
    assert variables["LOG_LEVEL"] == {"Ref": "LogLevel"}
    assert not [k for k in variables if k.startswith("POWERTOOLS")]
    assert (
        template["Parameters"]["LogLevel"]["Default"]
        in (template["Parameters"]["LogLevel"]["AllowedValues"])
    )


def test_only_the_skill_can_invoke() -> None:
    events = _function(load_template())["Events"]
    assert [e["Type"] for e in events.values()] == ["AlexaSkill"]
    assert all(e["Properties"]["SkillId"] == {"Ref": "SkillId"} for e in events.values())


def test_skill_id_placeholder_cannot_be_deployed() -> None:
    template = load_template()
    parameter = template["Parameters"]["SkillId"]
    placeholder = parameter["Default"]
    assert re.fullmatch(parameter["AllowedPattern"], placeholder)
    assert re.fullmatch(
        parameter["AllowedPattern"], "amzn1.ask.skill.0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
    )
    assertions = [a for rule in template["Rules"].values() for a in rule["Assertions"]]
    assert {"Fn::Not": [{"Fn::Equals": [{"Ref": "SkillId"}, placeholder]}]} in [
        a["Assert"] for a in assertions
    ]


def test_function_logs_have_a_retention() -> None:
    template = load_template()
    log_ref = _function(template)["LoggingConfig"]["LogGroup"]
    log_group = template["Resources"][log_ref["Ref"]]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert 1 <= log_group["Properties"]["RetentionInDays"] <= 90


def policy_problems(template: Template) -> list[str]:
    """Least privilege: inline statements only, on this table only, with the actions the code
    uses (no wildcards, no Scan)."""
    problems: list[str] = []
    for policy in _function(template).get("Policies", []):
        if not (isinstance(policy, dict) and set(policy) == {"Statement"}):
            problems.append(f"not an inline policy statement: {policy!r}")
            continue
        for statement in policy["Statement"]:
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            resources = statement.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            if statement.get("Effect") != "Allow" or "NotAction" in statement:
                problems.append(f"unexpected statement shape: {statement!r}")
            for action in actions:
                if "*" in action or action not in TABLE_ACTIONS:
                    problems.append(f"action {action} is not one the skill needs")
            if resources != [TABLE_ARN]:
                problems.append(f"resources {resources!r} are not exactly the household table")
    granted = {
        a
        for p in _function(template).get("Policies", [])
        if isinstance(p, dict)
        for s in p.get("Statement", [])
        for a in ([s["Action"]] if isinstance(s.get("Action"), str) else s.get("Action", []))
    }
    if missing := TABLE_ACTIONS - granted:
        problems.append(f"actions the skill needs are missing: {sorted(missing)}")
    return problems


def test_policy_is_least_privilege() -> None:
    assert policy_problems(load_template()) == []


def _with_policies(policies: list[Any]) -> Template:
    template = load_template()
    _function(template)["Policies"] = policies
    return template


def _statement(actions: list[str], resource: Any = TABLE_ARN) -> dict[str, Any]:
    return {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}


@pytest.mark.parametrize(
    "policies",
    [
        [_statement([*TABLE_ACTIONS, "dynamodb:Scan"])],
        [_statement(["dynamodb:*"])],
        [_statement(sorted(TABLE_ACTIONS), "*")],
        [_statement(sorted(TABLE_ACTIONS), {"Fn::Sub": "${HouseholdTable.Arn}/*"})],
        [_statement(sorted(TABLE_ACTIONS)), {"DynamoDBCrudPolicy": {"TableName": {"Ref": TABLE}}}],
        ["AmazonDynamoDBFullAccess"],
        [_statement(sorted(TABLE_ACTIONS - {"dynamodb:Query"}))],
    ],
    ids=["scan", "wildcard", "any-resource", "sub-resources", "crud-template", "managed", "short"],
)
def test_policy_rule_catches(policies: list[Any]) -> None:
    assert policy_problems(_with_policies(policies))


# --- the table -----------------------------------------------------------------------------------


def test_household_table() -> None:
    table = load_template()["Resources"][TABLE]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert sorted(props["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    # A generated name lets several stacks (dev, prod) live in one account.
    assert "TableName" not in props


def test_single_function_and_table() -> None:
    template = load_template()
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert list(_resources(template, "AWS::Serverless::Function")) == [FUNCTION]
    assert list(_resources(template, "AWS::DynamoDB::Table")) == [TABLE]


def test_outputs() -> None:
    outputs = load_template()["Outputs"]
    assert outputs["SkillFunctionArn"]["Value"] == {"Fn::GetAtt": [FUNCTION, "Arn"]}
    assert outputs["HouseholdTableName"]["Value"] == {"Ref": TABLE}


def test_loader_reads_short_form_tags() -> None:
    text = "A: !Ref X\nB: !GetAtt T.Arn\nC: !Sub '${X}-y'\nD: !Not [!Equals [!Ref X, z]]\n"
    assert load_template(text) == {
        "A": {"Ref": "X"},
        "B": {"Fn::GetAtt": ["T", "Arn"]},
        "C": {"Fn::Sub": "${X}-y"},
        "D": {"Fn::Not": [{"Fn::Equals": [{"Ref": "X"}, "z"]}]},
    }


# --- samconfig.toml and skill.json ---------------------------------------------------------------


def _samconfig() -> dict[str, Any]:
    return tomllib.loads(SAMCONFIG.read_text())


def _overrides(value: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in value.split())


def test_samconfig() -> None:
    config = _samconfig()
    assert config["version"] == 0.1
    default = config["default"]
    assert default["global"]["parameters"]["stack_name"]
    assert default["global"]["parameters"]["region"] == "us-east-1"
    deploy = default["deploy"]["parameters"]
    # SAM creates the function's IAM role.
    assert "CAPABILITY_IAM" in deploy["capabilities"].split()
    assert deploy["confirm_changeset"] is True


def test_samconfig_overrides_name_template_parameters() -> None:
    parameters = load_template()["Parameters"]
    for command in _samconfig()["default"].values():
        overrides = _overrides(command.get("parameters", {}).get("parameter_overrides", ""))
        assert set(overrides) <= set(parameters)
        # The real skill ID is passed at deploy time, never committed as the placeholder.
        assert overrides.get("SkillId") != parameters["SkillId"]["Default"]
        if "LogLevel" in overrides:
            assert overrides["LogLevel"] in parameters["LogLevel"]["AllowedValues"]


def test_skill_endpoint_placeholder_points_at_the_deploy_region() -> None:
    manifest = json.loads(SKILL_JSON.read_text())["manifest"]
    uri = manifest["apis"]["custom"]["endpoint"]["uri"]
    arn = re.fullmatch(r"arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:([\w-]+)", uri)
    assert arn, uri
    assert arn[1] == _samconfig()["default"]["global"]["parameters"]["region"]
    assert manifest["events"]["endpoint"]["uri"] == uri
