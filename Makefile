# Every target runs on the project's pinned Node.js 24 (the npm `node` package in node_modules),
# not on whatever node the machine has.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(PATH):$(CURDIR)/.dev/bin
NPM_STAMP := node_modules/.install-stamp

.PHONY: all install build test test-unit test-integration testbin cluster-up cluster-down emulator demo bench lint image kind-deploy clean
.PHONY: e2e e2e-up e2e-down

all: build

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NPM_STAMP)

build: $(NPM_STAMP)
	npm run build

## test: unit + emulator + integration tests against a real kube-apiserver and etcd (built on first use).
test: build testbin
	@mkdir -p .dev
	@rc=0; node --experimental-vm-modules node_modules/jest/bin/jest.js --ci --json --outputFile=.dev/jest-results.json $(JEST_ARGS) || rc=$$?; \
	  node hack/test-summary.mjs .dev/jest-results.json; exit $$rc

test-unit: $(NPM_STAMP)
	npm run test:unit

test-integration: build testbin
	npm run test:integration

## testbin: build kube-apiserver + etcd from the Go module proxy into ~/.cache (skipped when cached).
testbin:
	@bash hack/testbin.sh >/dev/null

cluster-up: $(NPM_STAMP) testbin
	npm run --silent cluster -- up

cluster-down: $(NPM_STAMP)
	npm run --silent cluster -- down

emulator: $(NPM_STAMP)
	npm run --silent emulator -- $(ARGS)

## e2e: the image as real Pods on a one-node cluster started here (kubelet, containerd, runc, CNI bridge; no
## Docker, no registry; hack/e2e/cluster.sh): deploy/base through deploy/overlays/e2e, then the Helm chart;
## test/e2e/e2e.test.ts. Starts the cluster (or uses the one `make e2e-up` left) and removes it after;
## E2E_KEEP=1 leaves it up. Needs root. See docs/install.md, "What the e2e proves".
e2e: build
	node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects e2e $(JEST_ARGS)

## e2e-up / e2e-down: the e2e cluster with the image loaded, for trying things by hand
## (kubectl --kubeconfig .dev/e2e/kubeconfig, with the kubectl in $$(cat .dev/e2e/bin-dir)).
e2e-up: $(NPM_STAMP)
	@bash hack/e2e/cluster.sh up
	$(MAKE) --no-print-directory image CONTAINER_TOOL=podman LOCAL_BASE_IMAGES=1 IMG=localhost/telegram-channel-operator:e2e
	@bash hack/e2e/cluster.sh load localhost/telegram-channel-operator:e2e

e2e-down:
	@bash hack/e2e/cluster.sh down

## demo: the whole product on this machine: a local control plane, the Telegram emulator, the operator,
## sample channels, an alert and the CLI; then tears down (KEEP=1 stays up until Ctrl-C).
demo: build testbin
	@tsx demo/run.ts

## bench: scale, latency, storm (side by side with Alertmanager) and throughput on a local control plane +
## the Telegram emulator → bench/results/*.json and BENCHMARKS.md (not part of `make test`; ~20 min on 2 cores).
bench: build testbin
	tsx bench/run.ts $(ARGS)

## lint: eslint (type-aware, no warnings allowed), prettier --check and actionlint; `npm run format` fixes formatting.
lint: $(NPM_STAMP) lint-workflows
	npm run --silent lint

clean:
	rm -rf dist .dev coverage

IMG ?= ghcr.io/telegram-channel-operator/telegram-channel-operator:0.1.0
CONTAINER_TOOL ?= docker
KIND_CLUSTER ?= kind

# podman on machines like the CI sandbox needs explicit ulimits (and runc on hybrid cgroups): hack/podman-flags.sh.
IMAGE_BUILD_FLAGS ?= $(if $(filter podman,$(CONTAINER_TOOL)),$(shell bash hack/podman-flags.sh))

## image: build the operator image (needs Docker or Podman). LOCAL_BASE_IMAGES=1 builds on stand-ins for the
## two base images, assembled here without any image registry (`make base-images`), e.g. on the CI machine:
##   make image CONTAINER_TOOL=podman LOCAL_BASE_IMAGES=1
image: $(if $(LOCAL_BASE_IMAGES),base-images)
	$(CONTAINER_TOOL) build $(IMAGE_BUILD_FLAGS) $(if $(LOCAL_BASE_IMAGES),--pull=never --network=host) -t $(IMG) .

## kind-deploy: build, load into kind, install the CRD and deploy/base (needs Docker and kind).
kind-deploy: image
	kind load docker-image $(IMG) --name $(KIND_CLUSTER)
	kubectl apply --server-side -f crds/
	kubectl wait --for=condition=Established --timeout=60s crd/telegramchannels.telegram.notify.dev
	kubectl apply -k deploy/base
	kubectl -n telegram-system set image deployment/telegram-channel-operator operator=$(IMG)
	kubectl -n telegram-system rollout status deployment/telegram-channel-operator --timeout=120s

.PHONY: helm
## helm: print the path of helm (the pinned version, built from the Go module proxy into ~/.cache on first use).
## test/integration/helm.test.ts uses it to lint the chart and compare it with deploy/.
helm:
	@bash hack/helm.sh

.PHONY: base-images image-test
## base-images: stand-ins for the Dockerfile's base images (node:24-bookworm-slim, distroless nodejs24) from
## Debian packages (mmdebstrap) and the npm `node` package; cached in ~/.cache (hack/base-images.sh).
base-images: $(NPM_STAMP)
	@CONTAINER_TOOL=$(CONTAINER_TOOL) bash hack/base-images.sh >/dev/null

## image-test: build the image with podman from the Dockerfile and run it as the chart's Pod would run
## (test/integration/image.test.ts; also part of `make test`). 70 s cold, 10 s warm.
image-test: build testbin
	node --experimental-vm-modules node_modules/jest/bin/jest.js test/integration/image.test.ts --selectProjects integration

.PHONY: lint-workflows
## lint-workflows: lint .github/workflows with actionlint (pinned; built from the Go module proxy into ~/.cache on
## first use), which also runs shellcheck on `run:` scripts when shellcheck is installed.
lint-workflows:
	@"$$(bash hack/actionlint.sh)" && echo "lint-workflows: .github/workflows OK"

.PHONY: monitoring
## monitoring: refresh the copies of monitoring/ in deploy/components (hack/monitoring.mjs), then promtool check
## and test the operator's own alert rules (the same checks run in `make test`: test/unit/monitoring).
monitoring:
	node hack/monitoring.mjs
	promtool check rules monitoring/rules.yaml
	cd monitoring && promtool test rules rules.test.yaml
