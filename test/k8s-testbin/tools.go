//go:build tools

// Package tools pins the control-plane binaries that the tests build: kube-apiserver and the
// etcd version that k8s.io/apiserver itself depends on.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
