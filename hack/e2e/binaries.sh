#!/usr/bin/env bash
# The rest of a one-node cluster for `make e2e`, from the same wrapper module and Kubernetes version as
# the test control plane (hack/testbin.sh builds kube-apiserver and etcd): kubelet, kube-controller-manager,
# kube-scheduler, kube-proxy and kubectl (the machine's kubectl, if any, may be outside the version skew).
# Built from the Go module proxy into the same cache directory, once; nothing to do when they are there.
# Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Go >= 1.26 (the wrapper module needs it) is in /usr/local/go where the distribution's is older.
[ -x /usr/local/go/bin/go ] && export PATH=/usr/local/go/bin:$PATH
OUT=$(bash hack/testbin.sh)
K8S_VERSION=$(basename "$OUT")
MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
BINS="kubectl kube-scheduler kube-proxy kube-controller-manager kubelet"
have_all() { for b in $BINS; do [ -x "$OUT/$b" ] || return 1; done; }
if have_all; then echo "$OUT"; exit 0; fi
# Parallel callers (two worktrees, `make e2e` twice): one builds, the others wait and use what it built.
exec 9>"$OUT/.e2e.lock"
flock 9
if have_all; then echo "$OUT"; exit 0; fi
LDF="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDF="$LDF -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
cd test/k8s-testbin
go mod download >&2
start=$(date +%s)
for b in $BINS; do
  [ -x "$OUT/$b" ] && continue
  echo "e2e: building $b $K8S_VERSION into $OUT (first time only; a few minutes each on 2 cores)" >&2
  CGO_ENABLED=0 go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$LDF" -o "$OUT/$b.tmp" "k8s.io/kubernetes/cmd/$b" >&2
  mv "$OUT/$b.tmp" "$OUT/$b"
done
echo "e2e: node binaries built in $(( $(date +%s) - start ))s" >&2
echo "$OUT"
