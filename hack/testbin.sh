#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy into a per-version cache outside the
# repository, and does nothing when both binaries are already there. Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
K8S_VERSION=${K8S_VERSION:-v1.36.3}
MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
OUT=${TESTBIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/telegram-channel-operator/k8s-testbin/$K8S_VERSION}
# kubectl is on most machines; where it is not, build it from the same wrapper module and link it
# into .dev/bin, which every make target has on PATH after the system's own directories.
link_kubectl() {
  if ! command -v kubectl >/dev/null 2>&1 || [ "$(command -v kubectl)" = "$PWD/.dev/bin/kubectl" ]; then
    if [ ! -x "$OUT/kubectl" ]; then
      echo "testbin: kubectl not found; building it (about a minute)" >&2
      (cd test/k8s-testbin && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$OUT/kubectl" k8s.io/kubernetes/cmd/kubectl) >&2
    fi
    mkdir -p .dev/bin && ln -sf "$OUT/kubectl" .dev/bin/kubectl
  fi
}
if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/etcd" ]; then
  link_kubectl
  echo "$OUT"
  exit 0
fi
command -v go >/dev/null || { echo "testbin: Go is required to build the control plane (apt-get install golang or see README)" >&2; exit 1; }
mkdir -p "$OUT"
# Two callers at once on a cold machine (parallel worktrees, a test and `make demo`) would build the same
# binaries side by side on 2 cores: one builds, the others wait and then use what it built.
exec 9>"$OUT/.lock"
flock 9
if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/etcd" ]; then
  link_kubectl
  echo "$OUT"
  exit 0
fi
cd test/k8s-testbin
LDF="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDF="$LDF -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
start=$(date +%s)
echo "testbin: building etcd into $OUT (first time only; about a minute)" >&2
go mod download >&2
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$OUT/etcd.tmp" go.etcd.io/etcd/server/v3 >&2
mv "$OUT/etcd.tmp" "$OUT/etcd"
echo "testbin: etcd built in $(( $(date +%s) - start ))s; building kube-apiserver $K8S_VERSION (first time only; several minutes on 2 cores)" >&2
CGO_ENABLED=0 go build -v -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$LDF" \
  -o "$OUT/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver 2>&1 \
  | awk '{n++; if (n % 200 == 0) { printf "testbin: compiled %d packages...\n", n > "/dev/stderr"; fflush("/dev/stderr") } }'
test -s "$OUT/kube-apiserver.tmp" || { echo "testbin: kube-apiserver build failed" >&2; exit 1; }
mv "$OUT/kube-apiserver.tmp" "$OUT/kube-apiserver"
echo "testbin: control plane built in $(( $(date +%s) - start ))s" >&2
cd ../..
link_kubectl
echo "$OUT"
