package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

func TestManifestsDecodeStrictly(t *testing.T) {
	t.Parallel()
	m, _ := load(t)
	files, err := filepath.Glob(filepath.Join(kubernetesDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" && !slices.Contains(m.kustomization.Resources, base) {
			t.Errorf("%s is not listed in kustomization.yaml: `kubectl apply -k` would skip it and no test decodes it", base)
		}
	}
	if len(m.configMaps) == 0 || len(m.secrets) == 0 {
		t.Errorf("want a ConfigMap and a Secret, got %d and %d", len(m.configMaps), len(m.secrets))
	}
}

// TestStrictDecodingRejects shows that the decoding the other tests rely on
// fails on what a lax decoder would silently drop.
func TestStrictDecodingRejects(t *testing.T) {
	t.Parallel()
	const valid = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: c
          readinessProbe:
            grpc:
              port: 9090
`
	var d appsv1.Deployment
	if err := decodeStrict([]byte(valid), &d); err != nil {
		t.Fatalf("a valid Deployment failed: %v", err)
	}
	if got := d.Spec.Template.Spec.Containers[0].ReadinessProbe.GRPC.Port; got != 9090 {
		t.Fatalf("decoded probe port %d, want 9090", got)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"unknown field", "  replicas: 2\n", "  replicas: 2\n  replica: 3\n"},
		{"misspelt probe handler", "grpc:", "grcp:"},
		{"duplicate key", "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n"},
		{"wrong type", "replicas: 2", "replicas: two"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bad := strings.Replace(valid, tc.from, tc.to, 1)
			if bad == valid {
				t.Fatal("the case changes nothing")
			}
			if err := decodeStrict([]byte(bad), &appsv1.Deployment{}); err == nil {
				t.Errorf("decoded without error:\n%s", bad)
			}
		})
	}
}

func TestLoadRejectsUnknownKinds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [ingress.yaml]\n")
	write("ingress.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\n")
	if _, err := loadManifests(dir); err == nil || !strings.Contains(err.Error(), "no test knows") {
		t.Errorf("loadManifests = %v, want an error naming the unknown kind", err)
	}
}

func TestKustomizationImage(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	name, tag, ok := strings.Cut(c.Image, ":")
	if !ok || tag == "" || tag == "latest" || strings.Contains(name, "@") {
		t.Errorf("image %q: want a name with a fixed tag, not latest", c.Image)
	}
	for _, img := range m.kustomization.Images {
		if img.Name != name {
			t.Errorf("kustomization image %q does not match the Deployment's %q: it would change nothing", img.Name, name)
		}
		if img.NewTag == "latest" {
			t.Error("kustomization sets the tag latest")
		}
	}
	if len(c.Command) > 0 {
		t.Errorf("the container overrides the image's ENTRYPOINT with %q", c.Command)
	}
}

// TestNamesAreTheGateways checks that every flag and environment variable
// the manifests set is one the gateway reads: a misspelt name would be
// ignored, and the gateway would run on its default.
func TestNamesAreTheGateways(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	names, err := readGatewayNames(gatewayCmd, upstreamPkg)
	if err != nil {
		t.Fatal(err)
	}
	runtimeEnv := map[string]bool{"GOMEMLIMIT": true, "GOMAXPROCS": true, "GOGC": true, "GODEBUG": true}
	check := func(where, env string) {
		if !names.env[env] && !runtimeEnv[env] {
			t.Errorf("%s sets %s, which the gateway does not read", where, env)
		}
	}
	for _, e := range c.Env {
		check("the container", e.Name)
	}
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef == nil {
			continue
		}
		cm, ok := m.configMaps[ef.ConfigMapRef.Name]
		if !ok {
			t.Errorf("envFrom names ConfigMap %q, which the kustomization does not list", ef.ConfigMapRef.Name)
			continue
		}
		for k := range cm.Data {
			check("ConfigMap "+cm.Name, ef.Prefix+k)
		}
	}
	for _, a := range c.Args {
		flag, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") || !names.flags[flag] {
			t.Errorf("argument %q is not a flag of connect-gateway", a)
		}
	}
}
