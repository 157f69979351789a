package deploy

import (
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Paths, relative to this module's folder.
var (
	kubernetesDir = "kubernetes"
	dockerfile    = filepath.Join("..", "Dockerfile")
	gatewayCmd    = filepath.Join("..", "cmd", "connect-gateway")
	upstreamPkg   = filepath.Join("..", "gateway", "upstream")
)

// loaded is the manifests, decoded once; tests only read them.
var loaded = sync.OnceValues(func() (*manifests, error) { return loadManifests(kubernetesDir) })

// load returns the decoded manifests with the gateway container.
func load(t *testing.T) (*manifests, *corev1.Container) {
	t.Helper()
	m, err := loaded()
	if err != nil {
		t.Fatalf("loading the manifests: %v", err)
	}
	c, err := m.container()
	if err != nil {
		t.Fatal(err)
	}
	return m, c
}

// podLabels are the labels of the Deployment's pods.
func (m *manifests) podLabels() labels.Set {
	return labels.Set(m.deployment.Spec.Template.Labels)
}

// selects reports whether sel is a non-empty selector that matches set.
func selects(t *testing.T, sel *metav1.LabelSelector, set labels.Set) bool {
	t.Helper()
	if sel == nil || len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		t.Error("empty label selector: it would select every pod of the namespace")
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Errorf("label selector: %v", err)
		return false
	}
	return s.Matches(set)
}

// containerPort returns the container's port with the given name.
func containerPort(t *testing.T, c *corev1.Container, name string) corev1.ContainerPort {
	t.Helper()
	for _, p := range c.Ports {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("the container has no port named %q", name)
	return corev1.ContainerPort{}
}

// portOf returns the port number of a listen address such as ":9090".
func portOf(t *testing.T, addr string) int32 {
	t.Helper()
	i := strings.LastIndex(addr, ":")
	n, err := strconv.ParseInt(addr[i+1:], 10, 32)
	if i < 0 || err != nil {
		t.Fatalf("listen address %q has no port", addr)
	}
	return int32(n)
}
