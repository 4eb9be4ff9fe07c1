// The pod sandbox ("pause") process for the e2e cluster's containerd: it holds the pod's namespaces,
// reaps orphans (it is PID 1 when the pod shares its process namespace) and exits on SIGINT/SIGTERM,
// like registry.k8s.io/pause, which cannot be pulled here. Built by hack/e2e/cluster.sh.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
