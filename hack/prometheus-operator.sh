#!/usr/bin/env bash
# Prints the directory of a Prometheus Operator built from the Go module proxy, cached per version
# outside the repository: <dir>/operator (the binary) and <dir>/crds/ (its CRDs, from the module's
# example/prometheus-operator-crd). Builds it on first use (several minutes on 2 cores). Used by the
# AlertmanagerConfig integration test (test/integration/alertmanager-config.test.ts).
#   hack/prometheus-operator.sh crds   prints the module's CRD directory only (a download, no build)
#
# v0.94.1: the newest version the module proxy serves here (v0.95.x answers 403 "not available").
# Needs only the Go module proxy: no git, no download site.
set -euo pipefail
PO_VERSION=${PO_VERSION:-v0.94.1}
MODULE=github.com/prometheus-operator/prometheus-operator
OUT=${PROMETHEUS_OPERATOR_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/telegram-channel-operator/prometheus-operator/$PO_VERSION}
if [ -x "$OUT/operator" ] && [ -d "$OUT/crds" ]; then
  if [ "${1:-}" = crds ]; then echo "$OUT/crds"; else echo "$OUT"; fi
  exit 0
fi
# Prefer the Go in /usr/local/go (the module needs Go >= 1.26) over an older one from the distribution.
[ -x /usr/local/go/bin/go ] && export PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || { echo "prometheus-operator.sh: Go is required (apt-get install golang-go)" >&2; exit 1; }
modDir() { GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }
if [ "${1:-}" = crds ]; then
  dir=$(modDir "$MODULE@$PO_VERSION")
  [ -d "$dir/example/prometheus-operator-crd" ] || { echo "prometheus-operator.sh: could not download $MODULE@$PO_VERSION" >&2; exit 1; }
  echo "$dir/example/prometheus-operator-crd"
  exit 0
fi
mkdir -p "$OUT"
# Two test files (or worktrees) may ask at once on a cold machine: one builds, the others wait.
exec 9>"$OUT/.lock"
flock 9
if [ -x "$OUT/operator" ] && [ -d "$OUT/crds" ]; then echo "$OUT"; exit 0; fi
echo "prometheus-operator.sh: building the Prometheus Operator $PO_VERSION into $OUT (first time only)" >&2
start=$(date +%s)
# The module's go.mod replaces two of its own modules with directories the module proxy's zip leaves out:
# pkg/apis/monitoring (served as a module of its own: copied into place) and pkg/client (not served at all).
# pkg/client is code generated from pkg/apis with k8s.io/code-generator, so it is generated here the way
# the project's Makefile (k8s-client-gen) does, as packages of the main module.
dir=$(modDir "$MODULE@$PO_VERSION")
apis=$(modDir "$MODULE/pkg/apis/monitoring@$PO_VERSION")
[ -d "$dir" ] && [ -d "$apis" ] || { echo "prometheus-operator.sh: could not download $MODULE@$PO_VERSION" >&2; exit 1; }
src=$(mktemp -d)
trap 'chmod -R u+w "$src"; rm -rf "$src"' EXIT
cp -r "$dir/." "$src" && mkdir -p "$src/pkg/apis/monitoring" && cp -r "$apis/." "$src/pkg/apis/monitoring" && chmod -R u+w "$src"
K8S_GEN_VERSION=$(cd "$src" && go list -m -f '{{.Version}}' k8s.io/apimachinery)
GOBIN="$src/.bin" CGO_ENABLED=0 go install \
  k8s.io/code-generator/cmd/{applyconfiguration-gen,client-gen,lister-gen,informer-gen}@"$K8S_GEN_VERSION" >&2
(
  cd "$src"
  go mod edit -dropreplace="$MODULE/pkg/client" -droprequire="$MODULE/pkg/client"
  GO_PKG=$MODULE
  APIS=("$GO_PKG/pkg/apis/monitoring/v1" "$GO_PKG/pkg/apis/monitoring/v1alpha1" "$GO_PKG/pkg/apis/monitoring/v1beta1")
  ARGS=(--go-header-file "$src/.header")
  .bin/applyconfiguration-gen "${ARGS[@]}" --output-pkg "$GO_PKG/pkg/client/applyconfiguration" \
    --output-dir pkg/client/applyconfiguration "${APIS[@]}"
  .bin/client-gen "${ARGS[@]}" --apply-configuration-package "$GO_PKG/pkg/client/applyconfiguration" \
    --input-base "$GO_PKG/pkg/apis" --clientset-name versioned --output-pkg "$GO_PKG/pkg/client" --output-dir pkg/client \
    --input monitoring/v1 --input monitoring/v1beta1 --input monitoring/v1alpha1
  .bin/lister-gen "${ARGS[@]}" --output-pkg "$GO_PKG/pkg/client/listers" --output-dir pkg/client/listers "${APIS[@]}"
  .bin/informer-gen "${ARGS[@]}" --versioned-clientset-package "$GO_PKG/pkg/client/versioned" \
    --listers-package "$GO_PKG/pkg/client/listers" --output-pkg "$GO_PKG/pkg/client/informers" \
    --output-dir pkg/client/informers "${APIS[@]}"
  echo "prometheus-operator.sh: pkg/client generated; compiling the operator" >&2
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=${PO_VERSION#v}" \
    -o "$OUT/operator.tmp" ./cmd/operator
) >&2
rm -rf "$OUT/crds" && cp -r "$src/example/prometheus-operator-crd" "$OUT/crds"
mv "$OUT/operator.tmp" "$OUT/operator"
echo "prometheus-operator.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$OUT"
