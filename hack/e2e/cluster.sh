#!/usr/bin/env bash
# A real one-node Kubernetes cluster on this machine for `make e2e`, without Docker, kind or any image
# registry: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy built
# from the Go module proxy (hack/testbin.sh, hack/e2e/binaries.sh), containerd and runc from Debian, the
# CNI bridge + host-local plugins from Debian's containernetworking-plugins, a pause image built here.
#
#   hack/e2e/cluster.sh up      start it (idempotent: a healthy cluster is left as it is); prints the kubeconfig
#   hack/e2e/cluster.sh down    stop everything it started and remove its state, mounts, network and rules
#   hack/e2e/cluster.sh load IMAGE...   copy images from podman into the node's containerd
#   hack/e2e/cluster.sh status  exit 0 when the node is Ready
#
# Everything lives in .dev/e2e/ of this checkout. Host-wide (one cluster per machine at a time): the
# bridge tgc-e2e0 (pods 10.244.0.0/24), kube-proxy's iptables rules (Services 10.96.0.0/24), the kubelet's
# ports 10250/10248 and the API server on the node address, port 6443.
# Needs root, containerd, runc, containernetworking-plugins, iptables, iproute2, openssl, podman, go.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Go >= 1.26 (the wrapper module needs it) is in /usr/local/go where the distribution's is older.
[ -x /usr/local/go/bin/go ] && export PATH=/usr/local/go/bin:$PATH
REPO=$PWD
D=$REPO/.dev/e2e
BRIDGE=tgc-e2e0
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/24
KUBERNETES_SERVICE_IP=10.96.0.1
API_PORT=${E2E_API_PORT:-6443}
ETCD_PORT=${E2E_ETCD_PORT:-12379}
NODE_NAME=tgc-e2e
PAUSE_IMAGE=localhost/tgc-e2e/pause:1
SOCK=$D/containerd.sock

log() { echo "e2e-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# The node's address: pods reach the API server and the Telegram emulator there, and the API server
# reaches the kubelet there (`kubectl logs`), so it must not be loopback. The first global IPv4 address
# of the interface with the default route (or any interface); without one, a dummy interface gets one.
node_ip() {
  local dev ip
  dev=$(ip -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1); exit}')
  ip=$(ip -4 -o addr show ${dev:+dev "$dev"} scope global 2>/dev/null | awk '{print $4}' | grep -v "^10\.244\." | head -1 | cut -d/ -f1)
  if [ -z "$ip" ]; then
    ip -4 -o addr show dev tgc-e2e-node >/dev/null 2>&1 || {
      ip link add tgc-e2e-node type dummy && ip addr add 192.0.2.2/24 dev tgc-e2e-node && ip link set tgc-e2e-node up
    } >&2
    ip=192.0.2.2
  fi
  echo "$ip"
}

kubectl_() { "$BIN/kubectl" --kubeconfig "$D/kubeconfig" "$@"; }
ctr_() { ctr --address "$SOCK" -n k8s.io "$@"; }
running() { [ -s "$D/pids/$1" ] && kill -0 "$(cat "$D/pids/$1")" 2>/dev/null; }

# A process of the cluster, in its own session (it outlives the caller), output in .dev/e2e/logs/.
start() {
  local name=$1; shift
  setsid "$@" >>"$D/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$D/pids/$name"
}

# Waits for a command to succeed; on timeout shows the end of the named log.
wait_for() {
  local what=$1 seconds=$2 logname=$3; shift 3
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "timed out after ${seconds}s waiting for $what; end of .dev/e2e/logs/$logname.log:"
      tail -n 30 "$D/logs/$logname.log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

need() {
  local missing=()
  for c in containerd containerd-shim-runc-v2 ctr runc iptables ip openssl podman go setsid flock; do
    command -v "$c" >/dev/null || missing+=("$c")
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] || missing+=(containernetworking-plugins)
  [ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (apt-get install containerd runc containernetworking-plugins iptables iproute2 openssl podman golang-go; .ci/run does)"
  [ "$(id -u)" = 0 ] || die "the e2e cluster runs a kubelet and containerd: it needs root"
}

certificates() {
  local ip=$1 c=$D/pki
  mkdir -p "$c"
  ssl() { openssl "$@" >/dev/null 2>&1 || die "openssl $* failed"; }
  ssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=tgc-e2e-ca -keyout "$c/ca.key" -out "$c/ca.crt"
  # The API server is reached as the node address (host, kubelet), as the `kubernetes` Service's IP (pods'
  # in-cluster configuration) and by the Service's DNS names.
  ssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver -keyout "$c/apiserver.key" -out "$c/apiserver.csr"
  printf 'subjectAltName=IP:%s,IP:%s,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n' \
    "$ip" "$KUBERNETES_SERVICE_IP" >"$c/server.ext"
  ssl x509 -req -in "$c/apiserver.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial -days 3650 -extfile "$c/server.ext" -out "$c/apiserver.crt"
  # One cluster-admin client certificate for the admin, the components and the API server's calls to the
  # kubelet: this cluster only runs tests.
  ssl req -newkey rsa:2048 -nodes -subj /O=system:masters/CN=tgc-e2e-admin -keyout "$c/admin.key" -out "$c/admin.csr"
  printf 'extendedKeyUsage=clientAuth\n' >"$c/client.ext"
  ssl x509 -req -in "$c/admin.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial -days 3650 -extfile "$c/client.ext" -out "$c/admin.crt"
  # ServiceAccount tokens: signed by the API server, verified with the public half.
  ssl genrsa -out "$c/sa.key" 2048
  ssl rsa -in "$c/sa.key" -pubout -out "$c/sa.pub"
  cat >"$D/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: tgc-e2e
  cluster: {server: "https://$ip:$API_PORT", certificate-authority: "$c/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$c/admin.crt", client-key: "$c/admin.key"}
contexts:
- name: tgc-e2e
  context: {cluster: tgc-e2e, user: admin}
current-context: tgc-e2e
EOF
}

pause_image() {
  if ctr_ images ls -q 2>/dev/null | grep -qx "$PAUSE_IMAGE"; then return; fi
  local w; w=$(mktemp -d)
  (cd "$w" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o pause "$REPO/hack/e2e/pause.go") || die "could not build the pause program"
  tar -C "$w" --numeric-owner -cf "$w/rootfs.tar" pause
  podman import --quiet --change 'ENTRYPOINT ["/pause"]' --change 'USER 65535:65535' "$w/rootfs.tar" "$PAUSE_IMAGE" >/dev/null
  rm -rf "$w"
  load "$PAUSE_IMAGE"
}

# podman's images into the node's containerd (what `kind load` does for kind).
load() {
  for image in "$@"; do
    podman image exists "$image" || die "no image $image in podman (build it first: make image CONTAINER_TOOL=podman LOCAL_BASE_IMAGES=1)"
    log "loading $image into the node"
    podman save --quiet "$image" | ctr_ images import - >/dev/null || die "ctr images import of $image failed"
  done
}

write_configs() {
  local ip=$1 c=$D/pki
  mkdir -p "$D/cni" "$D/containerd"
  cat >"$D/containerd/config.toml" <<EOF
version = 2
root = "$D/containerd/root"
state = "$D/containerd/state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Without CAP_SYS_RESOURCE the OOM score of a container may not be lowered below containerd's.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$D/cni"
EOF
  cat >"$D/cni/10-tgc-e2e.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "tgc-e2e",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$D/cni-ipam",
        "ranges": [[{ "subnet": "$POD_CIDR" }]], "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
  cat >"$D/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine: cgroup v1 (hybrid), no systemd as init, swap allowed.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$SOCK
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$c/ca.crt"}
authorization: {mode: Webhook}
address: "$ip"
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
# Images are loaded, never pulled: the image garbage collector must not remove them, and a full disk of
# a developer's machine must not evict the test's pods.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "1Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
EOF
  cat >"$D/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$D/kubeconfig"}
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Leave the host's conntrack table size alone (a sandbox may forbid changing it).
conntrack: {maxPerCore: 0}
EOF
}

up() {
  need
  BIN=$(bash hack/e2e/binaries.sh)
  if [ -s "$D/kubeconfig" ] && running kube-apiserver && running kubelet && running containerd &&
    kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True; then
    log "already up"
    echo "$D/kubeconfig"
    return
  fi
  [ -d "$D" ] && down_
  local ip; ip=$(node_ip)
  for port in "$ip:$API_PORT" "127.0.0.1:$ETCD_PORT" "127.0.0.1:$((ETCD_PORT + 1))" "$ip:10250" "127.0.0.1:10248"; do
    if (exec 3<>"/dev/tcp/${port%:*}/${port##*:}") 2>/dev/null; then
      die "port $port is in use: another e2e cluster (or something else) is running on this machine"
    fi
  done
  local t0; t0=$(date +%s)
  log "starting on node address $ip (state in .dev/e2e)"
  mkdir -p "$D/logs" "$D/pids" "$D/etcd" "$D/kubelet"
  date +%s >"$D/started"
  # For the tests (test/e2e): where the node is and which kubectl matches this cluster.
  echo "$ip" >"$D/node-ip"
  echo "$BIN" >"$D/bin-dir"
  certificates "$ip"
  write_configs "$ip"
  # Pods reach Services through the host's iptables; bridged traffic must pass them too.
  sysctl -qw net.ipv4.ip_forward=1 || true
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] && sysctl -qw net.bridge.bridge-nf-call-iptables=1 || true
  local c=$D/pki

  start etcd "$BIN/etcd" --data-dir "$D/etcd" --name e2e \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "e2e=http://127.0.0.1:$((ETCD_PORT + 1))" --unsafe-no-fsync --log-level warn
  start containerd containerd --config "$D/containerd/config.toml"
  # The `kubernetes` Service points at the node address (endpoint reconciler "lease"), so pods use the same
  # route to the API server as to any host service; its certificate names the Service IP too.
  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$ip" --advertise-address "$ip" --secure-port "$API_PORT" \
    --endpoint-reconciler-type lease \
    --cert-dir "$D/apiserver-certs" --tls-cert-file "$c/apiserver.crt" --tls-private-key-file "$c/apiserver.key" \
    --client-ca-file "$c/ca.crt" --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$c/sa.pub" --service-account-signing-key-file "$c/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
    --kubelet-client-certificate "$c/admin.crt" --kubelet-client-key "$c/admin.key" \
    --kubelet-preferred-address-types InternalIP
  wait_for "the API server" 90 kube-apiserver kubectl_ get --raw /readyz
  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$D/kubeconfig" --authentication-kubeconfig "$D/kubeconfig" --authorization-kubeconfig "$D/kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 \
    --root-ca-file "$c/ca.crt" --service-account-private-key-file "$c/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --cluster-name tgc-e2e
  start kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$D/kubeconfig" --authentication-kubeconfig "$D/kubeconfig" --authorization-kubeconfig "$D/kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0
  wait_for "containerd" 30 containerd ctr_ version
  pause_image
  start kubelet "$BIN/kubelet" --config "$D/kubelet.yaml" --kubeconfig "$D/kubeconfig" \
    --root-dir "$D/kubelet" --cert-dir "$D/kubelet/pki" --node-ip "$ip" --hostname-override "$NODE_NAME"
  start kube-proxy "$BIN/kube-proxy" --config "$D/kube-proxy.yaml" --hostname-override "$NODE_NAME"
  wait_for "the node to be Ready" 120 kubelet sh -c \
    "'$BIN/kubectl' --kubeconfig '$D/kubeconfig' get node $NODE_NAME -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
  # Pods need the default ServiceAccount (controller-manager) and the cluster CA ConfigMap in a namespace.
  wait_for "the default ServiceAccount" 60 kube-controller-manager kubectl_ -n default get serviceaccount default
  log "up in $(( $(date +%s) - t0 ))s"
  echo "$D/kubeconfig"
}

# Stops one process and everything in its session (started by `start`), waiting up to $2 seconds.
stop() {
  local name=$1 grace=${2:-10} pid
  [ -s "$D/pids/$name" ] || return 0
  pid=$(cat "$D/pids/$name")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq $(( grace * 10 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$D/pids/$name"
}

down_() {
  log "stopping"
  BIN=${BIN:-$(bash hack/e2e/binaries.sh)}
  # Pods first, while the kubelet still runs: it stops their sandboxes through containerd, which then
  # releases their addresses and network namespaces (CNI DEL). The controllers go first, so that no
  # ReplicaSet replaces them.
  stop kube-scheduler
  stop kube-controller-manager
  if running kube-apiserver && running kubelet && running containerd; then
    kubectl_ delete pods --all --all-namespaces --grace-period=1 --wait=false >/dev/null 2>&1 || true
    for _ in $(seq 60); do [ -z "$(ctr_ tasks ls -q 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  stop kube-proxy
  stop kubelet 20
  # The containers outlive the kubelet (their shims are their parents): kill them through containerd.
  if running containerd; then
    for task in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -a -s SIGKILL "$task" >/dev/null 2>&1 || true; done
    sleep 1
    for task in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks rm -f "$task" >/dev/null 2>&1 || true; done
  fi
  stop containerd
  # Shims whose containerd is this one (they are in their own sessions); then their pause processes.
  for p in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q "containerd-shim-runc-v2 .*-address $SOCK"; then
      kill -KILL "${p#/proc/}" 2>/dev/null || true
    fi
  done
  stop kube-apiserver
  stop etcd
  # Network namespaces the CRI plugin created for this cluster's pods, its bridge, kube-proxy's rules.
  if [ -s "$D/started" ]; then
    for ns in /var/run/netns/cni-*; do
      [ -e "$ns" ] && [ "$(stat -c %Y "$ns")" -ge "$(cat "$D/started")" ] && ip netns delete "$(basename "$ns")" 2>/dev/null || true
    done
  fi
  # What libcni cached for this network's attachments (and their loopbacks), and runc's empty state root.
  for f in /var/lib/cni/results/tgc-e2e-*; do
    [ -e "$f" ] || continue
    id=${f#/var/lib/cni/results/tgc-e2e-}; id=${id%-eth0}
    rm -f "$f" "/var/lib/cni/results/cni-loopback-$id-lo"
  done
  rmdir /run/containerd/runc/k8s.io 2>/dev/null || true
  ip link delete "$BRIDGE" 2>/dev/null || true
  ip link delete tgc-e2e-node 2>/dev/null || true
  [ -x "$BIN/kube-proxy" ] && "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  # The bridge plugin's masquerade rules (normally removed pod by pod).
  iptables -t nat -S POSTROUTING 2>/dev/null | grep -E -- '-s 10\.244\.0\.[0-9]+/32 .*-j CNI-' | while read -r rule; do
    chain=$(echo "$rule" | grep -oE 'CNI-[0-9a-f]+' | tail -1)
    eval "iptables -t nat ${rule/-A /-D }" 2>/dev/null || true
    iptables -t nat -F "$chain" 2>/dev/null || true
    iptables -t nat -X "$chain" 2>/dev/null || true
  done || true
  # The kubelet's own chains (KUBE-FIREWALL drops outside traffic to 127.0.0.0/8; the others are empty markers).
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for table in filter nat mangle; do
      "$ipt" -t "$table" -S 2>/dev/null | grep -E -- '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-(FIREWALL|KUBELET-CANARY)$' |
        while read -r rule; do eval "$ipt -t $table ${rule/-A /-D }" 2>/dev/null || true; done || true
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
        "$ipt" -t "$table" -F "$chain" 2>/dev/null && "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
  # Mounts under the state directory (overlay root filesystems, shm, the kubelet's volumes), deepest first.
  awk -v d="$D/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$D"
}

case "${1:-}" in
  up) up ;;
  down) if [ -d "$D" ]; then down_; fi; log "down" ;;
  load) shift; BIN=$(bash hack/e2e/binaries.sh); load "$@" ;;
  status) BIN=$(bash hack/e2e/binaries.sh)
    kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True ;;
  *) echo "usage: $0 up|down|load IMAGE...|status" >&2; exit 2 ;;
esac
