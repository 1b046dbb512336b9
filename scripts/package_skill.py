#!/usr/bin/env python3
"""Assemble the ASK CLI v2 project that `ask deploy` uploads, from the committed sources.

    python3 scripts/package_skill.py [--out build/ask] [--submission] [--endpoint ARN]
                                     [--no-endpoint] [--profile default]

Writes, into OUT (default build/ask, gitignored):

    ask-resources.json                       ASK CLI v2 project file (askcliResourcesVersion
                                             2020-03-31): skillMetadata.src ./skill-package, no
                                             skillInfrastructure (SAM deploys the function)
    skill-package/skill.json                 skill/skill.json with the icons, the privacy and
                                             terms URLs and, if given, the endpoint filled in
    skill-package/interactionModels/custom/<locale>.json    from interaction_models/
    skill-package/assets/images/smallIcon.png (108x108), largeIcon.png (512x512), drawn by
                                             scripts/draw_icons.py

Anything else in OUT is left alone: the ASK CLI keeps the skill id in OUT/.ask/ask-states.json.

The privacy policy and terms of use URLs are deploy-time values: PRIVACY_URL and TERMS_URL from
the environment, else the placeholders in skill/skill.json. A submission build (--submission, or
SUBMISSION=1 in the environment) refuses to run while either is unset, not https, or a
placeholder (example.com and the like), and names what is wrong.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import draw_icons  # noqa: E402  (a sibling script, found through HERE)

ROOT = HERE.parent
SKILL_JSON = ROOT / "skill" / "skill.json"
MODEL_DIR = ROOT / "interaction_models"
DEFAULT_OUT = ROOT / "build" / "ask"

ASK_RESOURCES_VERSION = "2020-03-31"
PACKAGE_DIR = "skill-package"
IMAGES = Path("assets") / "images"
SMALL_ICON, LARGE_ICON = "smallIcon.png", "largeIcon.png"

# Hosts reserved for documentation (RFC 2606 / 6761) or that cannot be a public policy page.
PLACEHOLDER_HOSTS = frozenset(
    {"example.com", "example.org", "example.net", "localhost", "127.0.0.1", "0.0.0.0"}
)
PLACEHOLDER_SUFFIXES = (".example", ".invalid", ".test", ".localhost", ".local")
PLACEHOLDER_WORDS = ("replace", "placeholder", "todo", "changeme", "your-domain", "xxx")

# Everything SMAPI limits that a packaging change could break (the manifest tests hold the rest).
LIMITS = {"summary": 160, "description": 4000, "testingInstructions": 4000}


class PackageError(Exception):
    """A package that must not be built (the message says why and what to do)."""


def url_problem(name: str, url: str | None) -> str | None:
    """Why `url` cannot go into a certification submission, or None if it can."""
    if not url or not url.strip():
        return f"{name} is not set"
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        return f"{name}={url} is not an https:// URL"
    if (
        host in PLACEHOLDER_HOSTS
        or any(host == s[1:] or host.endswith(s) for s in PLACEHOLDER_SUFFIXES)
        or any(host.endswith("." + h) for h in PLACEHOLDER_HOSTS)
    ):
        return f"{name}={url} is a placeholder host ({host})"
    if any(word in url.lower() for word in PLACEHOLDER_WORDS):
        return f"{name}={url} looks like a placeholder"
    if "." not in host:
        return f"{name}={url} has no public host name"
    return None


def legal_urls(manifest: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """PRIVACY_URL and TERMS_URL from `env`, else the first locale's values in the manifest."""
    locales = manifest["privacyAndCompliance"].get("locales", {})
    first: Mapping[str, str] = next(iter(locales.values()), {})
    return {
        "PRIVACY_URL": env.get("PRIVACY_URL") or first.get("privacyPolicyUrl", ""),
        "TERMS_URL": env.get("TERMS_URL") or first.get("termsOfUseUrl", ""),
    }


def build_manifest(
    source: Mapping[str, Any],
    *,
    privacy_url: str,
    terms_url: str,
    endpoint: str | None = None,
    drop_endpoint: bool = False,
) -> dict[str, Any]:
    """The skill.json the package carries: icons and legal URLs for every published locale,
    and the endpoint (ARN or https URL) for requests and skill events if given. With
    `drop_endpoint` there is none (and so no event subscriptions, which need one): what the
    first `ask deploy` uploads to create the skill before the function exists."""
    document = copy.deepcopy(dict(source))
    manifest = document["manifest"]
    published = manifest["publishingInformation"]["locales"]
    for info in published.values():
        info["smallIconUri"] = f"file://{(IMAGES / SMALL_ICON).as_posix()}"
        info["largeIconUri"] = f"file://{(IMAGES / LARGE_ICON).as_posix()}"
    privacy = manifest["privacyAndCompliance"].setdefault("locales", {})
    for locale in published:
        privacy[locale] = {"privacyPolicyUrl": privacy_url, "termsOfUseUrl": terms_url}
    custom = manifest["apis"]["custom"]
    if drop_endpoint:
        custom.pop("endpoint", None)
        manifest.pop("events", None)
    elif endpoint:
        custom["endpoint"] = {"uri": endpoint}
        if "events" in manifest:
            manifest["events"]["endpoint"] = {"uri": endpoint}
    return document


def limit_problems(manifest: Mapping[str, Any]) -> list[str]:
    info = manifest["publishingInformation"]
    problems = []
    texts = [("testingInstructions", info.get("testingInstructions", ""))]
    for locale, localized in info["locales"].items():
        texts += [(f"{locale} {key}", localized.get(key, "")) for key in ("summary", "description")]
    for where, text in texts:
        limit = LIMITS[where.split()[-1]]
        if len(text) > limit:
            problems.append(f"{where} is {len(text)} characters (SMAPI allows {limit})")
    return problems


def ask_resources(profile: str) -> dict[str, Any]:
    return {
        "askcliResourcesVersion": ASK_RESOURCES_VERSION,
        "profiles": {profile: {"skillMetadata": {"src": f"./{PACKAGE_DIR}"}}},
    }


def _write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def assemble(
    out: Path,
    *,
    env: Mapping[str, str] | None = None,
    submission: bool = False,
    endpoint: str | None = None,
    drop_endpoint: bool = False,
    profile: str = "default",
) -> list[Path]:
    """Write the ASK CLI project into `out`; returns the files written. Raises PackageError
    (before writing anything) for a submission with placeholder legal URLs or a manifest over
    SMAPI's limits."""
    env = os.environ if env is None else env
    source = json.loads(SKILL_JSON.read_text(encoding="utf-8"))
    urls = legal_urls(source["manifest"], env)
    if submission:
        problems = [p for name, url in urls.items() if (p := url_problem(name, url))]
        if problems:
            raise PackageError(
                "refusing to build a submission package: "
                + "; ".join(problems)
                + ". Host docs/PRIVACY.md and docs/TERMS.md and pass their public https URLs, "
                "e.g. make package-submission PRIVACY_URL=https://... TERMS_URL=https://..."
            )
    document = build_manifest(
        source,
        privacy_url=urls["PRIVACY_URL"],
        terms_url=urls["TERMS_URL"],
        endpoint=endpoint,
        drop_endpoint=drop_endpoint,
    )
    if problems := limit_problems(document["manifest"]):
        raise PackageError("the manifest is over SMAPI's limits: " + "; ".join(problems))
    models = sorted(MODEL_DIR.glob("*.json"))
    missing = set(document["manifest"]["publishingInformation"]["locales"]) - {
        m.stem for m in models
    }
    if missing:
        raise PackageError(f"no interaction model for published locale(s) {sorted(missing)}")

    package = out / PACKAGE_DIR
    if package.exists():
        shutil.rmtree(package)
    written = [out / "ask-resources.json", package / "skill.json"]
    _write_json(written[0], ask_resources(profile))
    _write_json(written[1], document)
    for model in models:
        target = package / "interactionModels" / "custom" / model.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(model, target)
        written.append(target)
    written.extend(draw_icons.write_icons(package / IMAGES).values())
    return written


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "no", "false", "off")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--submission",
        action="store_true",
        default=truthy(os.environ.get("SUBMISSION")),
        help="refuse placeholder PRIVACY_URL/TERMS_URL (also SUBMISSION=1)",
    )
    parser.add_argument("--endpoint", help="the function's ARN (or https URL) for the manifest")
    parser.add_argument(
        "--no-endpoint", action="store_true", help="no endpoint and no events (skill creation)"
    )
    parser.add_argument("--profile", default=os.environ.get("ASK_PROFILE") or "default")
    args = parser.parse_args(argv)
    try:
        written = assemble(
            args.out,
            submission=args.submission,
            endpoint=args.endpoint,
            drop_endpoint=args.no_endpoint,
            profile=args.profile,
        )
    except PackageError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    where = os.path.relpath(args.out)
    print(f"package: wrote {len(written)} files to {where}/ (ask deploy runs there)")
    manifest = json.loads((args.out / PACKAGE_DIR / "skill.json").read_text())["manifest"]
    placeholders = [
        p for n, u in legal_urls(manifest, {}).items() if (p := url_problem(n, u)) is not None
    ]
    if placeholders and not args.submission:
        print("package: note: " + "; ".join(placeholders) + " (fine for development)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
