#!/usr/bin/env bash
# Prints the path of a helm binary built from the Go module proxy (helm.sh/helm/v4), cached per
# version outside the repository; builds it on first use (about two minutes on 2 cores). A helm
# already installed on the machine is not used: the tests pin the version the chart is tested with.
set -euo pipefail
HELM_VERSION=${HELM_VERSION:-v4.3.2}
OUT=${HELM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/telegram-channel-operator/helm/$HELM_VERSION}
if [ -x "$OUT/helm" ]; then
  echo "$OUT/helm"
  exit 0
fi
# Prefer the Go in /usr/local/go (Go >= 1.26, which helm v4 needs) over an older one from the distribution.
[ -x /usr/local/go/bin/go ] && export PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || { echo "helm.sh: Go is required to build helm (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$OUT"
# Two test files may ask at once on a cold machine: one builds, the other waits and then uses it.
exec 9>"$OUT/.lock"
flock 9
if [ -x "$OUT/helm" ]; then echo "$OUT/helm"; exit 0; fi
echo "helm.sh: building helm $HELM_VERSION into $OUT (first time only)" >&2
start=$(date +%s)
# `go install` of a module at a version builds it with its own go.mod, outside any module of ours.
GOBIN="$OUT/.tmp" CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
  "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
mv "$OUT/.tmp/helm" "$OUT/helm" && rmdir "$OUT/.tmp"
echo "helm.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$OUT/helm"
