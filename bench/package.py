"""Size of the function's package, built as `sam build` builds it.

`sam build` runs `make build-SkillFunction` from lambda/Makefile (template.yaml: Metadata
BuildMethod: makefile) with ARTIFACTS_DIR set; this bench runs the same target into a temporary
directory with PYTHON pointing at a Python 3.12 (the runtime's), then measures what would ship:

- unzipped size and file count (Lambda's limit: 250 MB unzipped, function and layers together);
- zipped size, deflated with zipfile as SAM zips the build directory (50 MB for a direct upload);
- the largest top-level entries, the function's own code, and what the bytecode adds (unzipped,
  and zipped: the package zipped with and without its .pyc);
- that the handler imports from the package alone, with a Python 3.12, compiling none of the
  package's modules from source (on this machine: arm64 extension modules do not load here, but
  the handler's import needs none);
- that boto3 is absent (pynamodb brings botocore; boto3 has no place in the function) and that
  every .pyc is an unchecked-hash one for cpython-312.

MB here are 2**20 bytes, as Lambda's quotas count them. The pip step needs the network (or pip's
cache). With --sam PATH it also runs that `sam` CLI's `sam build` into a temporary directory and
compares its tree with this one.
"""

from __future__ import annotations

import argparse
import glob
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CODE_DIR = ROOT / "lambda"
FUNCTION = "SkillFunction"
BUILD_TARGET = f"build-{FUNCTION}"
RUNTIME_VERSION = (3, 12)
MB = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT_MB = 250
LAMBDA_ZIPPED_DIRECT_UPLOAD_LIMIT_MB = 50
OWN_CODE = ("closer_together", "lambda_function.py")
# PEP 552 flags word of a hash-based .pyc that the import system does not check against source.
UNCHECKED_HASH_FLAGS = 0b01


def find_python312() -> str | None:
    """A Python 3.12 interpreter that runs: $PYTHON312, python3.12 on PATH, or pyenv's."""
    candidates = [
        os.environ.get("PYTHON312", ""),
        shutil.which("python3.12") or "",
        *sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.12*/bin/python3.12")), reverse=True),
    ]
    check = f"import sys; sys.exit(sys.version_info[:2] != {RUNTIME_VERSION!r})"
    for candidate in filter(None, candidates):
        try:
            ran = subprocess.run([candidate, "-c", check], capture_output=True, timeout=30)
        except OSError:
            continue
        if ran.returncode == 0:
            return candidate
    return None


def build(artifacts_dir: Path, python: str, target: str = BUILD_TARGET) -> None:
    """Runs lambda/Makefile's target into artifacts_dir, as `sam build` does."""
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-s",
            "-C",
            str(CODE_DIR),
            target,
            f"ARTIFACTS_DIR={artifacts_dir.resolve()}",
            f"PYTHON={python}",
        ],
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def files_of(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def zipped_size(root: Path, into: Path, *, bytecode: bool = True) -> int:
    """Bytes of root zipped with deflate, as SAM's make_zip does; optionally without .pyc."""
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files_of(root):
            if bytecode or path.suffix != ".pyc":
                archive.write(path, path.relative_to(root).as_posix())
    return into.stat().st_size


def top_level_sizes(root: Path) -> dict[str, int]:
    """Bytes under each top-level entry; all *.dist-info together, as one entry."""
    sizes: dict[str, int] = {}
    for path in files_of(root):
        top = path.relative_to(root).parts[0]
        name = "*.dist-info" if top.endswith(".dist-info") else top
        sizes[name] = sizes.get(name, 0) + path.stat().st_size
    return sizes


def pyc_counts(root: Path) -> dict[str, int]:
    """The .pyc under root as the running interpreter sees them (run by the runtime's Python)."""
    pycs = [path.read_bytes()[:8] for path in root.rglob("*.pyc")]
    tag = sys.implementation.cache_tag
    return {
        "pyc_files": len(pycs),
        "not_for_this_python": sum(head[:4] != MAGIC_NUMBER for head in pycs),
        "not_unchecked_hash": sum(
            int.from_bytes(head[4:8], "little") != UNCHECKED_HASH_FLAGS for head in pycs
        ),
        "py_without_pyc": sum(
            not (source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc").exists()
            for source in root.rglob("*.py")
        ),
    }


def pyc_check(root: Path, python: str) -> dict[str, int]:
    """pyc_counts(root) computed by `python` (this file needs only the standard library)."""
    ran = subprocess.run(
        [python, "-I", "-B", __file__, "--pyc-counts", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    counts: dict[str, int] = json.loads(ran.stdout)
    return counts


def import_probe(root: Path, extra_paths: list[str]) -> dict[str, Any]:
    """Imports the handler module from root (run by the runtime's Python, in a fresh process).

    Counts the modules compiled from source instead of loaded from a .pyc: none of the package's
    should be, whatever the files' mtimes. extra_paths go after root (dependencies, when root
    holds only the function's code).
    """
    from importlib.machinery import SourceFileLoader

    sys.path[:0] = [str(root)]
    sys.path.extend(extra_paths)
    compiled: list[str] = []
    source_to_code = SourceFileLoader.source_to_code

    def recording(self: SourceFileLoader, data: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(path))
        return source_to_code(self, data, path, *args, **kwargs)

    SourceFileLoader.source_to_code = recording  # type: ignore[method-assign, assignment]
    before = set(sys.modules)
    started = time.perf_counter()
    handler = importlib.import_module("lambda_function")
    seconds = time.perf_counter() - started
    inside = [path for path in compiled if Path(path).is_relative_to(root)]
    return {
        "handler_file": str(Path(handler.__file__ or "").relative_to(root)),
        "handler_callable": callable(getattr(handler, "lambda_handler", None)),
        "modules_imported": len(set(sys.modules) - before),
        "compiled_from_source_in_package": inside,
        "compiled_from_source_elsewhere": len(compiled) - len(inside),
        "seconds_on_this_machine": round(seconds, 3),
    }


def run_import_probe(root: Path, python: str, extra_paths: tuple[str, ...] = ()) -> dict[str, Any]:
    """import_probe(root) in a fresh, isolated `python` process that writes no bytecode."""
    command = [python, "-I", "-B", __file__, "--import-probe", str(root)]
    for path in extra_paths:
        command += ["--extra-path", path]
    ran = subprocess.run(command, capture_output=True, text=True, check=True)
    probe: dict[str, Any] = json.loads(ran.stdout)
    return probe


def package_report(python: str | None = None, keep: Path | None = None) -> dict[str, Any]:
    """Builds the package as `sam build` would and measures it (see the module docstring)."""
    python = python or find_python312()
    if python is None:
        raise SystemExit("package: no Python 3.12 found; set PYTHON312=/path/to/python3.12")
    with tempfile.TemporaryDirectory(prefix="closer-pkg-") as tmp:
        artifacts = keep or Path(tmp) / FUNCTION
        started = time.perf_counter()
        build(artifacts, python)
        build_seconds = time.perf_counter() - started
        files = files_of(artifacts)
        unzipped = sum(path.stat().st_size for path in files)
        zipped = zipped_size(artifacts, Path(tmp) / f"{FUNCTION}.zip")
        zipped_source_only = zipped_size(artifacts, Path(tmp) / "source.zip", bytecode=False)
        pyc_bytes = sum(path.stat().st_size for path in files if path.suffix == ".pyc")
        own = sum(
            path.stat().st_size
            for path in files
            if path.relative_to(artifacts).parts[0] in OWN_CODE
        )
        tops = sorted(top_level_sizes(artifacts).items(), key=lambda item: -item[1])
        entries = {path.name for path in artifacts.iterdir()}
        pycs = pyc_check(artifacts, python)
        probe = run_import_probe(artifacts, python)

    def mb(size: int) -> float:
        return round(size / MB, 2)

    return {
        "function": FUNCTION,
        "build": f"make -C lambda {BUILD_TARGET} (what sam build runs)",
        "python": python,
        "build_seconds": round(build_seconds, 1),
        "unzipped_mb": mb(unzipped),
        "zipped_mb": mb(zipped),
        "files": len(files),
        "pyc": {**pycs, "mb": mb(pyc_bytes), "zipped_mb": mb(zipped - zipped_source_only)},
        "own_code_mb": mb(own),
        "handler_import": probe,
        "largest_top_level": [{"name": name, "mb": mb(size)} for name, size in tops[:10]],
        "boto3_absent": "boto3" not in entries,
        "botocore_present": "botocore" in entries,
        "shipped_build_files": sorted(entries & {"Makefile", "requirements.txt"}),
        "lambda_limits_mb": {
            "unzipped": LAMBDA_UNZIPPED_LIMIT_MB,
            "zipped_direct_upload": LAMBDA_ZIPPED_DIRECT_UPLOAD_LIMIT_MB,
        },
        "share_of_limits": {
            "unzipped": round(unzipped / (LAMBDA_UNZIPPED_LIMIT_MB * MB), 3),
            "zipped_direct_upload": round(zipped / (LAMBDA_ZIPPED_DIRECT_UPLOAD_LIMIT_MB * MB), 3),
        },
    }


def sam_cross_check(sam: str, python: str) -> dict[str, Any]:
    """Runs that CLI's `sam build` into a temporary directory; compares it with the make build."""
    with tempfile.TemporaryDirectory(prefix="closer-sam-") as tmp:
        out = Path(tmp)
        # sam runs `make` with python3.12 from PATH: put the chosen interpreter's directory first.
        env = {
            **os.environ,
            "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHON": python,
            "PYTHONDONTWRITEBYTECODE": "1",
            "SAM_CLI_TELEMETRY": "0",
        }
        started = time.perf_counter()
        ran = subprocess.run(
            [
                sam,
                "build",
                "--template",
                str(ROOT / "template.yaml"),
                "--build-dir",
                str(out / "sam"),
                "--cache-dir",
                str(out / "sam-cache"),
                "--no-cached",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        if ran.returncode != 0:
            return {"ok": False, "error": (ran.stdout + ran.stderr)[-2000:]}
        build(out / "make", python)
        by_sam = out / "sam" / FUNCTION
        sam_tree = {path.relative_to(by_sam).as_posix() for path in files_of(by_sam)}
        make_tree = {path.relative_to(out / "make").as_posix() for path in files_of(out / "make")}
        return {
            "ok": True,
            "sam_version": subprocess.run(
                [sam, "--version"], capture_output=True, text=True
            ).stdout.strip(),
            "sam_build_seconds": round(seconds, 1),
            "same_files": sam_tree == make_tree,
            "only_in_sam": sorted(sam_tree - make_tree)[:20],
            "only_in_make": sorted(make_tree - sam_tree)[:20],
            "sam_unzipped_mb": round(sum((by_sam / f).stat().st_size for f in sam_tree) / MB, 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--python", help="Python 3.12 for the build (default: found)")
    parser.add_argument("--keep", type=Path, help="build into this directory and keep it")
    parser.add_argument("--sam", help="also run this sam CLI's `sam build` and compare trees")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "package.json"))
    parser.add_argument("--pyc-counts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--import-probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--extra-path", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pyc_counts:
        print(json.dumps(pyc_counts(args.pyc_counts)))
        return
    if args.import_probe:
        print(json.dumps(import_probe(args.import_probe, args.extra_path)))
        return

    python = args.python or find_python312()
    if python is None:
        sys.exit("package: no Python 3.12 found; pass --python or set PYTHON312")
    report = package_report(python, keep=args.keep.resolve() if args.keep else None)
    if args.sam:
        report["sam_cross_check"] = sam_cross_check(args.sam, python)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if not report["boto3_absent"] or report["shipped_build_files"]:
        sys.exit("package: boto3 or build files would ship with the function")


if __name__ == "__main__":
    main()
