#!/usr/bin/env bash
# Prints the path of actionlint built from the Go module proxy (github.com/rhysd/actionlint), cached
# per version outside the repository; builds it on first use (under a minute). `make lint-workflows`
# runs it on .github/workflows. It also runs shellcheck on `run:` scripts when shellcheck is installed.
set -euo pipefail
ACTIONLINT_VERSION=${ACTIONLINT_VERSION:-v1.7.12}
OUT=${ACTIONLINT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/telegram-channel-operator/actionlint/$ACTIONLINT_VERSION}
if [ -x "$OUT/actionlint" ]; then
  echo "$OUT/actionlint"
  exit 0
fi
# Prefer the Go in /usr/local/go over an older one from the distribution.
[ -x /usr/local/go/bin/go ] && export PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || { echo "actionlint.sh: Go is required to build actionlint (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$OUT"
# Two test files may ask at once on a cold machine: one builds, the other waits and then uses it.
exec 9>"$OUT/.lock"
flock 9
if [ -x "$OUT/actionlint" ]; then echo "$OUT/actionlint"; exit 0; fi
echo "actionlint.sh: building actionlint $ACTIONLINT_VERSION into $OUT (first time only)" >&2
GOBIN="$OUT/.tmp" CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" \
  "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
mv "$OUT/.tmp/actionlint" "$OUT/actionlint" && rmdir "$OUT/.tmp"
echo "$OUT/actionlint"
