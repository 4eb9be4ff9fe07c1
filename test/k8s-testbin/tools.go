//go:build tools

// Package tools pins the control-plane binaries that the tests build: kube-apiserver and the
// etcd version that k8s.io/apiserver itself depends on; kubectl; and for the e2e cluster (hack/e2e/) the
// node and the rest of the control plane from the same release.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
