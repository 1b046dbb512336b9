"""The ASK CLI project that `make package` assembles (scripts/package_skill.py), its icons
(scripts/draw_icons.py) and `make deploy` (scripts/deploy.py), offline: no network, no AWS,
no ASK CLI.

The generated skill.json is validated against the SMAPI swagger spec that ask-smapi-model ships
(node_modules/ask-smapi-model/spec.json, the same closed-object validator as
tests/test_interaction_model.py), which also holds SMAPI's length limits.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.test_interaction_model import MANIFEST_DEF, _schema_findings

ROOT = Path(__file__).resolve().parents[1]
MODELS = sorted((ROOT / "interaction_models").glob("*.json"))
REAL_URLS = {
    "PRIVACY_URL": "https://closertogether.app/privacy",
    "TERMS_URL": "https://closertogether.app/terms",
}
ARN = "arn:aws:lambda:us-east-1:210987654321:function:closer-together-SkillFunction-AbC123"


def _load(name: str) -> ModuleType:
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)  # the scripts import each other as siblings
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


package_skill = _load("package_skill")
draw_icons = _load("draw_icons")
deploy = _load("deploy")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One development build (placeholder legal URLs), shared by the read-only tests."""
    out = tmp_path_factory.mktemp("ask")
    package_skill.assemble(out, env={})
    return out


def _document(out: Path) -> dict[str, Any]:
    return json.loads((out / "skill-package" / "skill.json").read_text(encoding="utf-8"))


def _manifest(out: Path) -> dict[str, Any]:
    return _document(out)["manifest"]


# --- the files -------------------------------------------------------------------------------


def test_every_file_is_assembled(project: Path) -> None:
    expected = {
        "ask-resources.json",
        "skill-package/skill.json",
        "skill-package/assets/images/smallIcon.png",
        "skill-package/assets/images/largeIcon.png",
        *(f"skill-package/interactionModels/custom/{m.name}" for m in MODELS),
    }
    found = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert found == expected
    for model in MODELS:
        copied = project / "skill-package" / "interactionModels" / "custom" / model.name
        assert copied.read_bytes() == model.read_bytes()


def test_ask_resources_is_an_ask_cli_v2_project(project: Path) -> None:
    resources = json.loads((project / "ask-resources.json").read_text())
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    profile = resources["profiles"]["default"]
    assert profile["skillMetadata"] == {"src": "./skill-package"}
    assert (project / profile["skillMetadata"]["src"] / "skill.json").is_file()
    # SAM deploys the function; the ASK CLI deploys only the skill package.
    assert "skillInfrastructure" not in profile and "code" not in profile


def test_profile_is_configurable(tmp_path: Path) -> None:
    package_skill.assemble(tmp_path, env={}, profile="work")
    resources = json.loads((tmp_path / "ask-resources.json").read_text())
    assert list(resources["profiles"]) == ["work"]


def test_the_manifest_is_skill_json_with_only_the_generated_fields_changed(project: Path) -> None:
    source = json.loads((ROOT / "skill" / "skill.json").read_text())["manifest"]
    built = _manifest(project)
    for locale in source["publishingInformation"]["locales"].values():
        locale.pop("smallIconUri", None)
        locale.pop("largeIconUri", None)
    for locale in built["publishingInformation"]["locales"].values():
        locale.pop("smallIconUri")
        locale.pop("largeIconUri")
    assert built == source


def test_generated_manifest_matches_the_smapi_schema(project: Path) -> None:
    assert _schema_findings(_document(project), MANIFEST_DEF) == []


@pytest.mark.parametrize("variant", ["endpoint", "no-endpoint", "submission"])
def test_every_variant_matches_the_smapi_schema(tmp_path: Path, variant: str) -> None:
    source = json.loads((ROOT / "skill" / "skill.json").read_text())
    document = package_skill.build_manifest(
        source,
        privacy_url=REAL_URLS["PRIVACY_URL"],
        terms_url=REAL_URLS["TERMS_URL"],
        endpoint=ARN if variant == "endpoint" else None,
        drop_endpoint=variant == "no-endpoint",
    )
    assert _schema_findings(document, MANIFEST_DEF) == []


def test_icons_are_referenced_as_skill_package_assets(project: Path) -> None:
    package = project / "skill-package"
    for info in _manifest(project)["publishingInformation"]["locales"].values():
        for key, size in (("smallIconUri", 108), ("largeIconUri", 512)):
            uri = info[key]
            assert uri.startswith("file://assets/images/"), uri
            assert _png_size((package / uri.removeprefix("file://")).read_bytes()) == (size, size)


# --- the icons ---------------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR, after checking the signature, every chunk's CRC and
    that the image data inflates to exactly the rows the header announces."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour, interlace) == (8, 2, 0)  # 8-bit RGB, not interlaced
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == height * (1 + 3 * width)
    return width, height


@pytest.mark.parametrize(("name", "size"), list(draw_icons.ICONS.items()))
def test_icon_files_are_pngs_of_the_right_size(project: Path, name: str, size: int) -> None:
    data = (project / "skill-package" / "assets" / "images" / name).read_bytes()
    assert _png_size(data) == (size, size)


def test_icons_are_drawn_the_same_every_time(project: Path) -> None:
    small = project / "skill-package" / "assets" / "images" / "smallIcon.png"
    assert draw_icons.draw(108) == small.read_bytes()


def test_icon_has_a_soft_background_and_two_circles() -> None:
    rows = draw_icons.pixels(108)

    def at(x: float, y: float) -> tuple[int, ...]:
        row = rows[int(y * 108)]
        i = int(x * 108) * 3
        return tuple(row[i : i + 3])

    corner, left, right, shared = at(0.02, 0.02), at(0.2, 0.5), at(0.8, 0.5), at(0.5, 0.5)
    assert min(corner) > 200  # light
    assert len({corner, left, right, shared}) == 4
    assert left[1] > left[0] and right[0] > right[2]  # teal, then coral


# --- the legal URLs and the submission build -------------------------------------------------


def test_privacy_and_terms_urls_come_from_the_environment(tmp_path: Path) -> None:
    package_skill.assemble(tmp_path, env=REAL_URLS)
    manifest = _manifest(tmp_path)
    for locale in manifest["publishingInformation"]["locales"]:
        assert manifest["privacyAndCompliance"]["locales"][locale] == {
            "privacyPolicyUrl": REAL_URLS["PRIVACY_URL"],
            "termsOfUseUrl": REAL_URLS["TERMS_URL"],
        }


PLACEHOLDERS = [
    {},
    {"PRIVACY_URL": "", "TERMS_URL": ""},
    {"PRIVACY_URL": "https://example.com/privacy", "TERMS_URL": REAL_URLS["TERMS_URL"]},
    {"PRIVACY_URL": REAL_URLS["PRIVACY_URL"], "TERMS_URL": "https://closer.example.org/terms"},
    {"PRIVACY_URL": "http://closertogether.app/privacy", "TERMS_URL": REAL_URLS["TERMS_URL"]},
    {"PRIVACY_URL": "https://localhost/privacy", "TERMS_URL": REAL_URLS["TERMS_URL"]},
    {"PRIVACY_URL": REAL_URLS["PRIVACY_URL"], "TERMS_URL": "https://replace-me.app/terms"},
    {"PRIVACY_URL": "privacy.html", "TERMS_URL": REAL_URLS["TERMS_URL"]},
]


@pytest.mark.parametrize("env", PLACEHOLDERS, ids=lambda e: "|".join(e.values()) or "unset")
def test_submission_refuses_placeholder_urls(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(package_skill.PackageError, match="refusing to build a submission"):
        package_skill.assemble(tmp_path, env=env, submission=True)
    assert not any(tmp_path.iterdir())  # refused before writing anything


def test_submission_with_real_urls_is_built(tmp_path: Path) -> None:
    package_skill.assemble(tmp_path, env=REAL_URLS, submission=True)
    assert _schema_findings(_document(tmp_path), MANIFEST_DEF) == []


def test_the_committed_urls_are_placeholders() -> None:
    # skill/skill.json holds placeholders: the real URLs are given at package time.
    source = json.loads((ROOT / "skill" / "skill.json").read_text())["manifest"]
    urls = package_skill.legal_urls(source, {})
    assert all(package_skill.url_problem(name, url) for name, url in urls.items())


def _make(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", **env},
    )


@pytest.mark.parametrize("target", [["package", "SUBMISSION=1"], ["package-submission"]])
def test_make_refuses_a_submission_with_placeholders(tmp_path: Path, target: list[str]) -> None:
    done = _make(*target, f"PACKAGE_DIR={tmp_path}", f"PYTHON={sys.executable}")
    assert done.returncode != 0
    assert "refusing to build a submission package" in done.stderr
    assert "PRIVACY_URL" in done.stderr and "TERMS_URL" in done.stderr
    assert not any(tmp_path.iterdir())


def test_make_package_passes_the_urls_through(tmp_path: Path) -> None:
    done = _make(
        "package-submission",
        f"PACKAGE_DIR={tmp_path}",
        f"PYTHON={sys.executable}",
        *(f"{k}={v}" for k, v in REAL_URLS.items()),
    )
    assert done.returncode == 0, done.stderr
    privacy = _manifest(tmp_path)["privacyAndCompliance"]["locales"]["en-US"]
    assert privacy["privacyPolicyUrl"] == REAL_URLS["PRIVACY_URL"]


def test_a_rebuild_replaces_the_package_and_keeps_the_ask_cli_state(tmp_path: Path) -> None:
    package_skill.assemble(tmp_path, env={})
    stale = tmp_path / "skill-package" / "interactionModels" / "custom" / "xx-XX.json"
    stale.write_text("{}")
    deploy.remember_skill_id(tmp_path, "default", "amzn1.ask.skill.kept")
    package_skill.assemble(tmp_path, env={})
    assert not stale.exists()
    assert deploy.stored_skill_id(tmp_path, "default") == "amzn1.ask.skill.kept"


# --- the manifest's words ----------------------------------------------------------------------


def _listing() -> tuple[str, str]:
    info = json.loads((ROOT / "skill" / "skill.json").read_text())["manifest"]
    info = info["publishingInformation"]
    return info["locales"]["en-US"]["description"], info["testingInstructions"]


def test_description_carries_the_disclaimer_and_the_resources() -> None:
    description, _ = _listing()
    assert re.search(
        r"not a substitute for professional advice, therapy or emergency services", description
    )
    for resource in ("988", "1-800-799-7233", "911", "cannot place emergency calls"):
        assert resource in description


def test_testing_instructions_explain_crisis_abuse_and_permissions() -> None:
    _, instructions = _listing()
    lowered = instructions.lower()
    for words in (
        "crisis",
        "abuse",
        "i want to end my life",
        "tell closer together i'm scared of my partner",
        "stores nothing",
        "988",
        "permission",
        "by voice",
        "reminders",
        "timers",
    ):
        assert words in lowered, words


def test_texts_are_within_smapi_limits() -> None:
    description, instructions = _listing()
    assert len(description) <= 4000 and len(instructions) <= 4000
    source = json.loads((ROOT / "skill" / "skill.json").read_text())["manifest"]
    assert package_skill.limit_problems(source) == []
    source["publishingInformation"]["testingInstructions"] = "x" * 4001
    source["publishingInformation"]["locales"]["en-US"]["summary"] = "x" * 161
    assert len(package_skill.limit_problems(source)) == 2


# --- make deploy -------------------------------------------------------------------------------


def _args(out: Path, **overrides: Any) -> argparse.Namespace:
    args = deploy.parse(["--out", str(out)], {})
    for key, value in overrides.items():
        setattr(args, key, value)
    return args


def _tools(tmp_path: Path, *names: str) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in names:
        tool = bin_dir / name
        tool.write_text("#!/bin/sh\nexit 0\n")
        tool.chmod(0o755)
    return str(bin_dir)


def test_deploy_without_tools_stops_early_and_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ask"
    calls: list[Any] = []
    code = deploy.main(
        ["--out", str(out)],
        {"PATH": str(tmp_path)},
        run=lambda *a, **k: calls.append(a),
        credentials=lambda: calls.append("credentials") or True,
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "`sam` not found" in err and "`ask` not found" in err and "python3.12" in err
    assert "Nothing was built or deployed" in err
    assert calls == [] and not out.exists()


def test_deploy_without_credentials_stops_early(tmp_path: Path) -> None:
    path = _tools(tmp_path, "sam", "ask", "python3.12")
    calls: list[Any] = []
    with pytest.raises(deploy.DeployError, match="no AWS credentials"):
        deploy.deploy(
            _args(tmp_path / "ask"),
            {"PATH": path},
            run=lambda *a, **k: calls.append(a),
            credentials=lambda: False,
        )
    assert calls == []


def test_deploy_runs_sam_then_feeds_the_arn_and_the_skill_id_across(tmp_path: Path) -> None:
    """A first deploy: the skill is created without an endpoint, the stack gets its id, the
    package gets the stack's function ARN."""
    out = tmp_path / "ask"
    path = _tools(tmp_path, "sam", "ask", "python3.12")
    calls: list[tuple[list[str], Path]] = []
    uploaded: list[dict[str, Any]] = []

    def run(command: list[str], *, cwd: Path, **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append((command, cwd))
        stdout = ""
        if command[:2] == ["ask", "deploy"]:
            uploaded.append(_manifest(out))
            if deploy.stored_skill_id(out, "default") is None:
                deploy.remember_skill_id(out, "default", "amzn1.ask.skill.new-one")
        if command[:3] == ["sam", "list", "stack-outputs"]:
            stdout = json.dumps(
                [
                    {"OutputKey": "HouseholdTableName", "OutputValue": "table"},
                    {"OutputKey": "SkillFunctionArn", "OutputValue": ARN},
                ]
            )
        return subprocess.CompletedProcess(command, 0, stdout, "")

    arn = deploy.deploy(_args(out), {"PATH": path}, run=run, credentials=lambda: True)
    assert arn == ARN
    commands = [c[:2] for c, _ in calls]
    assert commands == [
        ["ask", "deploy"],
        ["sam", "build"],
        ["sam", "deploy"],
        ["sam", "list"],
        ["ask", "deploy"],
    ]
    sam_deploy = calls[2][0]
    assert "SkillId=amzn1.ask.skill.new-one" in sam_deploy
    config = deploy.samconfig_defaults()
    assert sam_deploy[sam_deploy.index("--stack-name") + 1] == config["stack_name"]
    assert all(cwd == out for c, cwd in calls if c[0] == "ask")
    # Created without an endpoint (no function yet), then pointed at the function.
    assert "endpoint" not in uploaded[0]["apis"]["custom"] and "events" not in uploaded[0]
    final = uploaded[1]
    assert final["apis"]["custom"]["endpoint"]["uri"] == ARN
    assert final["events"]["endpoint"]["uri"] == ARN


def test_deploy_with_a_known_skill_id_updates_that_skill(tmp_path: Path) -> None:
    out = tmp_path / "ask"
    path = _tools(tmp_path, "sam", "ask", "python3.12")
    calls: list[list[str]] = []

    def run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        stdout = json.dumps([{"OutputKey": "SkillFunctionArn", "OutputValue": ARN}])
        return subprocess.CompletedProcess(command, 0, stdout, "")

    args = _args(out, skill_id="amzn1.ask.skill.known", sam_arg=["--no-confirm-changeset"])
    deploy.deploy(args, {"PATH": path}, run=run, credentials=lambda: True)
    assert [c[:2] for c in calls].count(["ask", "deploy"]) == 1
    assert deploy.stored_skill_id(out, "default") == "amzn1.ask.skill.known"
    sam_deploy = next(c for c in calls if c[:2] == ["sam", "deploy"])
    assert "SkillId=amzn1.ask.skill.known" in sam_deploy
    assert sam_deploy[-1] == "--no-confirm-changeset"


def test_a_failed_step_stops_the_deploy(tmp_path: Path) -> None:
    path = _tools(tmp_path, "sam", "ask", "python3.12")
    calls: list[list[str]] = []

    def run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 1 if command[1] == "build" else 0, "", "")

    args = _args(tmp_path / "ask", skill_id="amzn1.ask.skill.known")
    with pytest.raises(deploy.DeployError, match="`sam build` failed"):
        deploy.deploy(args, {"PATH": path}, run=run, credentials=lambda: True)
    assert calls == [["sam", "build"]]


def test_function_arn_needs_the_output() -> None:
    with pytest.raises(deploy.DeployError, match="SkillFunctionArn"):
        deploy.function_arn(json.dumps([{"OutputKey": "Other", "OutputValue": "x"}]))
