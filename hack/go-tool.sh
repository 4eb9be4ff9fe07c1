#!/usr/bin/env bash
# Prints the path of a Go tool built from the Go module proxy at a pinned version, cached per version
# outside the repository; builds it on first use. Used by helm.sh and actionlint.sh:
#   go-tool.sh NAME VERSION CACHE_DIR PACKAGE LDFLAGS
# CACHE_DIR empty: ~/.cache/telegram-channel-operator/NAME/VERSION.
set -euo pipefail
NAME=$1 VERSION=$2 PACKAGE=$4 LDFLAGS=$5
OUT=${3:-${XDG_CACHE_HOME:-$HOME/.cache}/telegram-channel-operator/$NAME/$VERSION}
if [ -x "$OUT/$NAME" ]; then
  echo "$OUT/$NAME"
  exit 0
fi
# Prefer the Go in /usr/local/go (helm v4 needs Go >= 1.26) over an older one from the distribution.
[ -x /usr/local/go/bin/go ] && export PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || { echo "$NAME.sh: Go is required to build $NAME (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$OUT"
# Two test files may ask at once on a cold machine: one builds, the other waits and then uses it.
exec 9>"$OUT/.lock"
flock 9
if [ -x "$OUT/$NAME" ]; then echo "$OUT/$NAME"; exit 0; fi
echo "$NAME.sh: building $NAME $VERSION into $OUT (first time only)" >&2
start=$(date +%s)
# `go install` of a module at a version builds it with its own go.mod, outside any module of ours.
GOBIN="$OUT/.tmp" CGO_ENABLED=0 go install -trimpath -ldflags "$LDFLAGS" "$PACKAGE@$VERSION" >&2
mv "$OUT/.tmp/$NAME" "$OUT/$NAME" && rmdir "$OUT/.tmp"
echo "$NAME.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$OUT/$NAME"
