# Closer Together: one command to run it locally, one to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: run test lint serve serve-local bench bench-web bench-web-rps bench-devices bench-capacity bench-package \
	package package-submission deploy clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): lambda/requirements.txt requirements-dev.txt requirements-web.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -r requirements-web.txt
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

run: $(STAMP)  ## talk to the skill in a local console (ARGS="--voice", "--say '...'", ...)
	$(BIN)/python -m alexa_local.console $(ARGS)

test: $(STAMP) node_modules/.package-lock.json  ## everything CI runs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The type and template checks run beside the tests, which leave a core idle while
	@# they wait on the local servers; their output follows the tests'.
	@($(BIN)/mypy && scripts/lint_template.sh) > $(VENV)/.checks.log 2>&1 & checks=$$!; \
	$(BIN)/pytest -p no:cacheprovider -n 2; tests=$$?; \
	wait $$checks; checked=$$?; cat $(VENV)/.checks.log; \
	test $$tests -eq 0 && test $$checked -eq 0

lint: $(STAMP)  ## ruff, mypy and the SAM-aware template lint only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	scripts/lint_template.sh

serve: $(STAMP)  ## the skill as a verified web service (needs SKILL_ID, a table and AWS credentials)
	PYTHONPATH=lambda $(BIN)/python -m webservice

serve-local: $(STAMP)  ## the web service on an embedded DynamoDB, verification off (local only)
	$(BIN)/python -m alexa_local.serve $(ARGS)

bench: $(STAMP) $(VENV)/.bench  ## cold start side by side, warm latency and memory (see README)
	$(BIN)/python bench/run.py $(ARGS)

# The official-sample peer of the cold-start comparison (bench only, never in the function).
$(VENV)/.bench: $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $@

bench-web: $(STAMP)  ## the web service under idle connections and certificate-URL floods (~1.5 min)
	$(BIN)/python bench/webservice_load.py $(ARGS)

bench-web-rps: $(STAMP)  ## web service requests/s and p50/p95/p99, verification on vs off (~1 min)
	$(BIN)/python bench/webservice_load.py --throughput $(ARGS)

bench-devices: $(STAMP)  ## devices of one household at once, and a year of history's item sizes (~2 min)
	$(BIN)/python bench/devices.py $(ARGS)

bench-capacity: $(STAMP)  ## DynamoDB reads, writes, RCU and WCU of each conversation, new and a year old (~30 s)
	$(BIN)/python bench/capacity.py $(ARGS)

bench-package: $(STAMP)  ## the package sam build makes (Python 3.12, PyPI): sizes vs Lambda limits, no boto3 (~30 s)
	$(BIN)/python bench/package.py $(ARGS)

# The ASK CLI project (skill package, icons, ask-resources.json), generated into PACKAGE_DIR.
# PRIVACY_URL and TERMS_URL are deploy-time values (the hosted docs/PRIVACY.md and TERMS.md);
# SUBMISSION=1 (or package-submission) refuses to build while they are unset or placeholders.
PACKAGE_DIR ?= build/ask
export PRIVACY_URL TERMS_URL

package:  ## assemble the ASK CLI project in build/ask (PRIVACY_URL=, TERMS_URL=, SUBMISSION=1)
	$(PYTHON) scripts/package_skill.py --out $(PACKAGE_DIR) $(if $(filter-out 0 no false,$(SUBMISSION)),--submission)

package-submission:  ## the same, refusing placeholder privacy/terms URLs (for certification)
	$(PYTHON) scripts/package_skill.py --out $(PACKAGE_DIR) --submission

deploy: $(STAMP)  ## sam build + deploy, the function ARN into the package, ask deploy (needs sam, ask, AWS)
	$(BIN)/python scripts/deploy.py --out $(PACKAGE_DIR) $(ARGS)

clean:  ## remove the virtual environment and caches (keeps .local data)
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
