# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint clean codex-cli ccusage chromium sshd

# The real Codex CLI, pinned, for the compatibility tests (tests/compat/test_fork_codex_compat.py):
# installed once from npm into a cache folder outside the project.
CODEX_VERSION := 0.171.0
CODEX_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/codex-tui-test
CODEX_PREFIX := $(CODEX_CACHE)/codex-$(CODEX_VERSION)
CODEX_BIN := $(CODEX_PREFIX)/node_modules/.bin/codex

# ccusage's Codex report, pinned, for the usage comparison (tests/compat/test_usage_ccusage.py): the
# tool Codex users reach for today; installed the same way, into the same cache folder.
CCUSAGE_VERSION := 18.0.11
CCUSAGE_PREFIX := $(CODEX_CACHE)/ccusage-codex-$(CCUSAGE_VERSION)
CCUSAGE_BIN := $(CCUSAGE_PREFIX)/node_modules/.bin/ccusage-codex

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the project's metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m codex_tui.cli.launch

$(CODEX_BIN):
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js and npm (the compatibility tests run the real Codex CLI $(CODEX_VERSION))" >&2; exit 1; }
	npm install --prefix $(CODEX_PREFIX) --no-save --no-audit --no-fund @openai/codex@$(CODEX_VERSION)
	@test -x $@ || { echo "npm did not install $@" >&2; exit 1; }

codex-cli: $(CODEX_BIN)

$(CCUSAGE_BIN):
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js and npm (the usage comparison runs ccusage $(CCUSAGE_VERSION))" >&2; exit 1; }
	npm install --prefix $(CCUSAGE_PREFIX) --no-save --no-audit --no-fund @ccusage/codex@$(CCUSAGE_VERSION)
	@test -x $@ || { echo "npm did not install $@" >&2; exit 1; }

ccusage: $(CCUSAGE_BIN)

# Headless Chromium, for the test that opens an HTML export and takes a screenshot
# (tests/compat/test_export_html.py). Installed once with apt-get (Debian's `chromium`).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ command -v apt-get >/dev/null 2>&1 || { echo "chromium not found and no apt-get: install Chromium (the HTML export test takes a screenshot with it)" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

# A real OpenSSH server, for the `--remote` tests (tests/compat/): tests/support/sshd.py runs its
# own /usr/sbin/sshd on 127.0.0.1 with throwaway keys. Installed once with apt-get (Debian's openssh-server), without
# running the system's sshd: /etc/ssh/sshd_not_to_be_run, made before the install, keeps
# Debian's init script and systemd units from starting it, at install time and at boot
# (`apt-get purge openssh-server` removes the file; sshd run by hand does not look at it).
SSHD_BIN := /usr/sbin/sshd

sshd:
	@test -x $(SSHD_BIN) || \
	{ command -v apt-get >/dev/null 2>&1 || { echo "$(SSHD_BIN) not found and no apt-get: install OpenSSH's server (the --remote tests run one on 127.0.0.1)" >&2; exit 1; }; \
	  mkdir -p /etc/ssh && touch /etc/ssh/sshd_not_to_be_run && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server && \
	  echo "openssh-server installed; the system's sshd stays off (/etc/ssh/sshd_not_to_be_run)"; }

test: $(STAMP) $(CODEX_BIN) $(CCUSAGE_BIN) chromium sshd
	$(BIN)/ruff check .
	$(BIN)/mypy
	CODEX_TUI_TEST_CODEX=$(CODEX_BIN) CODEX_TUI_REQUIRE_CODEX=1 \
	CODEX_TUI_TEST_CCUSAGE=$(CCUSAGE_BIN) CODEX_TUI_REQUIRE_CCUSAGE=1 CODEX_TUI_REQUIRE_CHROMIUM=1 CODEX_TUI_REQUIRE_SSHD=1 $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
