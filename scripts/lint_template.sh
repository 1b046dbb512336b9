#!/usr/bin/env bash
# Lint template.yaml with cfn-lint 1.53.3, the last release that still runs the SAM transform
# (1.54+ skips it and misses bad runtimes, event types and refs inside Serverless resources).
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT="${CFN_LINT:-.venv/bin/cfn-lint}"
if [[ ! -x "$CFN_LINT" ]]; then
  echo "lint_template: $CFN_LINT not found; create the venv (pip install -r requirements-dev.txt)" >&2
  exit 2
fi
want="cfn-lint 1.53.3"
have="$("$CFN_LINT" --version)"
if [[ "$have" != "$want" ]]; then
  echo "lint_template: need $want (pinned in requirements-dev.txt), found: $have" >&2
  exit 2
fi
exec "$CFN_LINT" --non-zero-exit-code informational "$@" -- template.yaml
