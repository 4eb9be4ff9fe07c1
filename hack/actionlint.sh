#!/usr/bin/env bash
# Prints the path of actionlint built from the Go module proxy (github.com/rhysd/actionlint), cached
# per version outside the repository; builds it on first use (under a minute). `make lint-workflows`
# runs it on .github/workflows. It also runs shellcheck on `run:` scripts when shellcheck is installed.
set -euo pipefail
ACTIONLINT_VERSION=${ACTIONLINT_VERSION:-v1.7.12}
exec bash "$(dirname "$0")/go-tool.sh" actionlint "$ACTIONLINT_VERSION" "${ACTIONLINT_DIR:-}" github.com/rhysd/actionlint/cmd/actionlint \
  "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION"
