#!/usr/bin/env bash
# Flags that `podman build` and `podman run` need on machines like the project's CI sandbox, on one
# line (nothing here is needed with Docker, or with podman on an ordinary host):
# - --ulimit nofile/nproc: the sandbox lacks CAP_SYS_RESOURCE, so the OCI runtime may not raise a
#   container's limits above the caller's hard limits (podman's defaults are higher): "error setting
#   rlimit type 7: operation not permitted". Pass the caller's own hard limit for open files, and at
#   most podman's default 32768 processes (measured in the sandbox: its hard limit of 96365, and even
#   65536, are refused for the container although the shell has them).
# - --runtime=runc on a cgroup v1 host with a cgroup2 mount beside it ("hybrid"): crun refuses it
#   ("cgroups in hybrid mode not supported"), runc does not.
set -euo pipefail
hard() { local v; v=$(ulimit -H "$1"); [ "$v" = unlimited ] && v=1048576; echo "$v"; }
nofile=$(hard -n)
nproc=$(hard -u); [ "$nproc" -gt 32768 ] && nproc=32768
flags="--ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc"
if [ ! -e /sys/fs/cgroup/cgroup.controllers ] && [ -d /sys/fs/cgroup/unified ] && command -v runc >/dev/null; then
  flags="$flags --runtime=runc"
fi
echo "$flags"
