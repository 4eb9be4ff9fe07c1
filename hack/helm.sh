#!/usr/bin/env bash
# Prints the path of a helm binary built from the Go module proxy (helm.sh/helm/v4), cached per
# version outside the repository; builds it on first use (about two minutes on 2 cores). A helm
# already installed on the machine is not used: the tests pin the version the chart is tested with.
set -euo pipefail
HELM_VERSION=${HELM_VERSION:-v4.3.2}
exec bash "$(dirname "$0")/go-tool.sh" helm "$HELM_VERSION" "${HELM_DIR:-}" helm.sh/helm/v4/cmd/helm \
  "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
