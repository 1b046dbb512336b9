"""The function's package: `sam build` runs lambda/Makefile (BuildMethod: makefile).

Network-free: the full target is only dry-run (make -n); the copy and compile steps run for real
through the `build-code` target, which leaves the dependencies out. Those need a Python 3.12 (the
runtime's, whose .pyc they write) and are skipped without one. `make bench-package` builds and
measures the whole package.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import site
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.package import (
    BUILD_TARGET,
    CODE_DIR,
    FUNCTION,
    build,
    find_python312,
    pyc_check,
    run_import_probe,
)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
MAKEFILE = CODE_DIR / "Makefile"
PACKAGE = "closer_together"


class _AnyTagLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, ...) as None: only plain keys matter here."""


_AnyTagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _function() -> dict[str, Any]:
    template = yaml.load(TEMPLATE.read_text(), Loader=_AnyTagLoader)
    function: dict[str, Any] = template["Resources"][FUNCTION]
    return function


def _dry_run(target: str) -> list[str]:
    """The commands make would run for target, one a line (continuations joined)."""
    make = ["make", "-n", "-s", "-C", str(CODE_DIR), target]
    ran = subprocess.run(
        [*make, "ARTIFACTS_DIR=/artifacts", "PYTHON=py312"],
        capture_output=True,
        text=True,
        check=True,
    )
    return re.sub(r"\\\n\s*", " ", ran.stdout).splitlines()


@pytest.fixture(scope="module")
def python312() -> str:
    python = find_python312()
    if python is None:
        pytest.skip("no Python 3.12 (set PYTHON312): the .pyc are for the runtime's version")
    return python


@pytest.fixture(scope="module")
def code_artifact(tmp_path_factory: pytest.TempPathFactory, python312: str) -> Path:
    """The function's code as build-code leaves it in an ARTIFACTS_DIR."""
    artifacts = tmp_path_factory.mktemp("artifacts") / FUNCTION
    build(artifacts, python312, target="build-code")
    return artifacts


def test_template_builds_the_function_with_its_makefile() -> None:
    function = _function()
    assert function["Metadata"] == {"BuildMethod": "makefile"}
    props = function["Properties"]
    assert (props["Runtime"], props["Architectures"]) == ("python3.12", ["arm64"])
    # SAM looks for the Makefile in CodeUri and runs build-<LogicalId>.
    assert (ROOT / props["CodeUri"] / "Makefile") == MAKEFILE
    assert MAKEFILE.is_file()
    assert re.search(rf"^{re.escape(BUILD_TARGET)}:", MAKEFILE.read_text(), re.MULTILINE)


def test_build_target_installs_runtime_wheels_then_compiles() -> None:
    commands = _dry_run(BUILD_TARGET)
    pip = next(line for line in commands if " -m pip install " in line)
    for flag in (
        "--platform manylinux2014_aarch64",
        "--implementation cp",
        "--python-version 3.12",
        "--only-binary=:all:",
        "--no-compile",
        "-r requirements.txt",
        '-t "/artifacts"',
    ):
        assert flag in pip
    compile_ = next(line for line in commands if " -m compileall " in line)
    assert "--invalidation-mode unchecked-hash" in compile_
    assert compile_.endswith('"/artifacts"')
    # Compiling comes last, so that it covers the dependencies too.
    assert commands.index(pip) < commands.index(compile_) == len(commands) - 1
    # Only the handler and the package are copied: no Makefile, requirements or tests.
    (copy,) = [line for line in commands if line.startswith("cp ")]
    assert copy == 'cp -R lambda_function.py closer_together "/artifacts/"'


def test_build_code_is_the_same_minus_dependencies() -> None:
    deps = {" -m pip install ", 'rm -rf "/artifacts/bin"'}
    full = [line for line in _dry_run(BUILD_TARGET) if not any(step in line for step in deps)]
    assert full == _dry_run("build-code")


def test_build_needs_artifacts_dir_and_python312(tmp_path: Path) -> None:
    no_dir = subprocess.run(
        ["make", "-s", "-C", str(CODE_DIR), "build-code"], capture_output=True, text=True
    )
    assert no_dir.returncode != 0
    assert "ARTIFACTS_DIR is not set" in no_dir.stderr
    if sys.version_info[:2] == (3, 12):
        pytest.skip("the test interpreter is the runtime's version")
    # The dev venv's Python (3.11) would write .pyc that the runtime ignores.
    make = ["make", "-s", "-C", str(CODE_DIR), "build-code", f"ARTIFACTS_DIR={tmp_path}"]
    wrong = subprocess.run([*make, f"PYTHON={sys.executable}"], capture_output=True, text=True)
    assert wrong.returncode != 0
    assert "is not Python 3.12" in wrong.stderr
    assert not any(tmp_path.iterdir())


def test_code_and_data_files_ship_without_build_files(code_artifact: Path) -> None:
    assert {path.name for path in code_artifact.iterdir()} == {
        "lambda_function.py",
        PACKAGE,
        "__pycache__",
    }
    source = CODE_DIR / PACKAGE

    def files(root: Path) -> set[Path]:
        return {
            path.relative_to(root)
            for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    shipped = files(code_artifact / PACKAGE)
    assert shipped == files(source)
    assert any(path.parts[0] == "content" for path in shipped)
    _, mismatch, errors = filecmp.cmpfiles(
        source, code_artifact / PACKAGE, [str(path) for path in shipped], shallow=False
    )
    assert (mismatch, errors) == ([], [])


def test_every_module_has_unchecked_hash_bytecode(code_artifact: Path, python312: str) -> None:
    counts = pyc_check(code_artifact, python312)
    modules = len(list(code_artifact.rglob("*.py")))
    assert counts == {
        "pyc_files": modules,
        "not_for_this_python": 0,
        "not_unchecked_hash": 0,
        "py_without_pyc": 0,
    }
    # Caches of local runs (other Python versions) stay behind.
    assert {path.name.split(".")[1] for path in code_artifact.rglob("*.pyc")} == {"cpython-312"}


def test_handler_imports_from_the_bytecode_whatever_the_mtimes(
    code_artifact: Path, python312: str, tmp_path: Path
) -> None:
    artifacts = tmp_path / FUNCTION
    shutil.copytree(code_artifact, artifacts)
    # Sources newer than their .pyc: a timestamp-checked .pyc would be compiled again.
    later = time.time() + 10 * 24 * 3600
    for source in artifacts.rglob("*.py"):
        os.utime(source, (later, later))
    # The dependencies come from the dev venv here (pure Python; compiled from source by 3.12).
    probe = run_import_probe(artifacts, python312, tuple(site.getsitepackages()))
    assert probe["handler_file"] == "lambda_function.py"
    assert probe["handler_callable"] is True
    assert probe["compiled_from_source_in_package"] == []
