package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// kustomization is the part of a kustomize Kustomization these manifests
// use. Decoding into it strictly means a field kustomize would read but this
// type lacks fails the test, rather than being skipped unchecked.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
	} `json:"images,omitempty"`
}

// manifests is one of each object the kustomization lists.
type manifests struct {
	kustomization kustomization
	deployment    *appsv1.Deployment
	service       *corev1.Service
	hpa           *autoscalingv2.HorizontalPodAutoscaler
	pdb           *policyv1.PodDisruptionBudget
	configMaps    map[string]*corev1.ConfigMap
	secrets       map[string]*corev1.Secret
}

// loadManifests reads dir/kustomization.yaml and decodes every resource it
// lists strictly into its Kubernetes API type.
func loadManifests(dir string) (*manifests, error) {
	m := &manifests{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	kpath := filepath.Join(dir, "kustomization.yaml")
	data, err := os.ReadFile(kpath)
	if err != nil {
		return nil, fmt.Errorf("reading the kustomization: %w", err)
	}
	if err := decodeStrict(data, &m.kustomization); err != nil {
		return nil, fmt.Errorf("%s: %w", kpath, err)
	}
	if m.kustomization.APIVersion != "kustomize.config.k8s.io/v1beta1" || m.kustomization.Kind != "Kustomization" {
		return nil, fmt.Errorf("%s: not a kustomize.config.k8s.io/v1beta1 Kustomization", kpath)
	}
	var errs []error
	for _, r := range m.kustomization.Resources {
		if err := m.add(filepath.Join(dir, r)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if m.deployment == nil || m.service == nil || m.hpa == nil || m.pdb == nil {
		return nil, errors.New("the kustomization must list a Deployment, a Service, a HorizontalPodAutoscaler and a PodDisruptionBudget")
	}
	return m, nil
}

// add decodes one manifest file into the field its apiVersion and kind name.
func (m *manifests) add(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading a manifest: %w", err)
	}
	if bytes.Contains(data, []byte("\n---")) {
		return fmt.Errorf("%s: one object per file, please", path)
	}
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(data, &tm); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	switch gvk := tm.APIVersion + " " + tm.Kind; gvk {
	case "apps/v1 Deployment":
		_, err = setOnce(&m.deployment, data)
	case "v1 Service":
		_, err = setOnce(&m.service, data)
	case "autoscaling/v2 HorizontalPodAutoscaler":
		_, err = setOnce(&m.hpa, data)
	case "policy/v1 PodDisruptionBudget":
		_, err = setOnce(&m.pdb, data)
	case "v1 ConfigMap":
		var cm *corev1.ConfigMap
		if _, err = setOnce(&cm, data); err == nil {
			err = addNamed(m.configMaps, cm.Name, cm)
		}
	case "v1 Secret":
		var s *corev1.Secret
		if _, err = setOnce(&s, data); err == nil {
			err = addNamed(m.secrets, s.Name, s)
		}
	default:
		return fmt.Errorf("%s: no test knows %q; add it to loadManifests", path, gvk)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// setOnce decodes data strictly into a new T stored in *dst, failing when
// *dst is already set.
func setOnce[T any](dst **T, data []byte) (*T, error) {
	if *dst != nil {
		return nil, fmt.Errorf("a second %T", *dst)
	}
	v := new(T)
	if err := decodeStrict(data, v); err != nil {
		return nil, err
	}
	*dst = v
	return v, nil
}

func addNamed[T any](into map[string]*T, name string, v *T) error {
	if name == "" {
		return errors.New("metadata.name is empty")
	}
	if _, dup := into[name]; dup {
		return fmt.Errorf("%s declared twice", name)
	}
	into[name] = v
	return nil
}

// decodeStrict decodes YAML into v, failing on unknown fields and on
// duplicate keys, as `kubectl apply --validate=strict` does.
func decodeStrict(data []byte, v any) error {
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		return fmt.Errorf("strict decoding: %w", err)
	}
	return nil
}

// container returns the gateway container of the Deployment.
func (m *manifests) container() (*corev1.Container, error) {
	cs := m.deployment.Spec.Template.Spec.Containers
	i := slices.IndexFunc(cs, func(c corev1.Container) bool { return c.Name == "connect-gateway" })
	if i < 0 {
		return nil, errors.New("the Deployment has no container named connect-gateway")
	}
	return &cs[i], nil
}

// setting is the value the gateway sees for a flag: the command-line
// argument when there is one, else the container's env, else an envFrom
// ConfigMap. ok is false when none sets it (the gateway's default applies).
func (m *manifests) setting(c *corev1.Container, flag, env string) (value, source string, ok bool) {
	for _, a := range c.Args {
		if v, found := strings.CutPrefix(a, "--"+flag+"="); found {
			return v, "args", true
		}
	}
	for _, e := range c.Env {
		if e.Name == env && e.ValueFrom == nil {
			return e.Value, "env", true
		}
	}
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef == nil {
			continue
		}
		key, hasPrefix := strings.CutPrefix(env, ef.Prefix)
		if cm, ok := m.configMaps[ef.ConfigMapRef.Name]; ok && hasPrefix {
			if v, found := cm.Data[key]; found {
				return v, "ConfigMap " + cm.Name, true
			}
		}
	}
	return "", "", false
}
