package deploy

import (
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestProbesUseGRPCHealth(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	grpcPort := containerPort(t, c, "grpc")
	addr, _, ok := m.setting(c, "grpc-addr", "GATEWAY_GRPC_ADDR")
	if ok && portOf(t, addr) != grpcPort.ContainerPort {
		t.Errorf("the gateway listens for gRPC on %q but the container port grpc is %d", addr, grpcPort.ContainerPort)
	}
	for _, tc := range []struct {
		name  string
		probe *corev1.Probe
	}{
		{"readiness", c.ReadinessProbe},
		{"liveness", c.LivenessProbe},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.probe
			if p == nil || p.GRPC == nil {
				t.Fatalf("%s probe is not a gRPC probe: %+v", tc.name, p)
			}
			if p.HTTPGet != nil || p.Exec != nil || p.TCPSocket != nil {
				t.Errorf("%s probe has a second handler", tc.name)
			}
			if p.GRPC.Port != grpcPort.ContainerPort {
				t.Errorf("%s probe checks port %d, the gRPC port is %d", tc.name, p.GRPC.Port, grpcPort.ContainerPort)
			}
			if s := p.GRPC.Service; s != nil && *s != "" {
				t.Errorf("%s probe asks for service %q; the gateway reports the overall status as service \"\"", tc.name, *s)
			}
		})
	}
	r, l := c.ReadinessProbe, c.LivenessProbe
	if r != nil && l != nil && l.PeriodSeconds*l.FailureThreshold <= r.PeriodSeconds*r.FailureThreshold {
		t.Error("liveness gives up no later than readiness: a slow replica is restarted before it is taken out of rotation")
	}
}

func TestGracefulTermination(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	v, src, ok := m.setting(c, "drain-timeout", "GATEWAY_DRAIN_TIMEOUT")
	if !ok {
		t.Fatal("GATEWAY_DRAIN_TIMEOUT is not set: state it, so that the grace period can be checked against it")
	}
	drain, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("drain timeout %q (%s): %v", v, src, err)
	}
	spec := m.deployment.Spec.Template.Spec
	if spec.TerminationGracePeriodSeconds == nil {
		t.Fatal("terminationGracePeriodSeconds is not set")
	}
	grace := time.Duration(*spec.TerminationGracePeriodSeconds) * time.Second
	var preStop time.Duration
	if l := c.Lifecycle; l != nil && l.PreStop != nil {
		if l.PreStop.Exec != nil {
			t.Error("preStop runs a command: the distroless image has no shell or sleep; use the sleep action")
		}
		if l.PreStop.Sleep == nil {
			t.Fatal("preStop is not a sleep action")
		}
		preStop = time.Duration(l.PreStop.Sleep.Seconds) * time.Second
	}
	if preStop <= 0 {
		t.Error("no preStop sleep: SIGTERM may start the drain while endpoints still route to the pod")
	}
	if preStop+drain >= grace {
		t.Errorf("preStop %v + drain %v (%s) >= grace period %v: SIGKILL would cut the drain short", preStop, drain, src, grace)
	}
	if ru := m.deployment.Spec.Strategy.RollingUpdate; ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Error("a rolling update may take replicas away before new ones are ready: set maxUnavailable: 0")
	}
}

func TestSecretReferencesResolve(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	fromSecret := map[string]bool{}
	for _, e := range c.Env {
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		s, ok := m.secrets[ref.Name]
		if !ok {
			t.Errorf("%s: Secret %q is not in the kustomization", e.Name, ref.Name)
			continue
		}
		_, inData := s.Data[ref.Key]
		_, inString := s.StringData[ref.Key]
		if !inData && !inString {
			t.Errorf("%s: Secret %q has no key %q", e.Name, ref.Name, ref.Key)
		}
		if ref.Optional != nil && *ref.Optional {
			t.Errorf("%s: optional secret reference: a missing Secret would start a gateway without credentials", e.Name)
		}
		fromSecret[e.Name] = true
	}
	if !fromSecret["CTP_CLIENT_SECRET"] {
		t.Error("CTP_CLIENT_SECRET does not come from a Secret")
	}
	for name, cm := range m.configMaps {
		for k := range cm.Data {
			if strings.Contains(k, "SECRET") || strings.Contains(k, "TOKEN") {
				t.Errorf("ConfigMap %s holds %s: secrets belong in a Secret", name, k)
			}
		}
	}
	// The committed Secret is a template: its values must be placeholders.
	for name, s := range m.secrets {
		for k, v := range s.StringData {
			if v != "replace-me" {
				t.Errorf("Secret %s key %s is not the placeholder \"replace-me\": never commit a real secret", name, k)
			}
		}
		if len(s.Data) > 0 {
			t.Errorf("Secret %s has base64 data; the template holds only stringData placeholders", name)
		}
	}
}

func TestUpstreamIsTheOfficialHost(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	upstream, _, ok := m.setting(c, "upstream", "GATEWAY_UPSTREAM")
	host := regexp.MustCompile(`^https://connect\.([a-z0-9-]+\.(?:gcp|aws))\.commercetools\.com$`)
	match := host.FindStringSubmatch(upstream)
	if !ok || match == nil {
		t.Fatalf("upstream %q is not an official Connect host", upstream)
	}
	if v, src, set := m.setting(c, "region", "CTP_REGION"); set {
		t.Errorf("CTP_REGION=%q (%s) overrides --upstream", v, src)
	}
	if auth, _, _ := m.setting(c, "auth", "GATEWAY_AUTH"); auth != "client-credentials" {
		t.Errorf("auth mode %q, want client-credentials", auth)
	}
	for _, env := range []string{"CTP_CLIENT_ID", "CTP_AUTH_URL", "CTP_SCOPES"} {
		if v, _, set := m.setting(c, "", env); !set || v == "" {
			t.Errorf("%s is not set: client-credentials auth needs it", env)
		}
	}
	if authURL, _, _ := m.setting(c, "", "CTP_AUTH_URL"); authURL != "https://auth."+match[1]+".commercetools.com" {
		t.Errorf("CTP_AUTH_URL %q is not the auth host of the upstream's region %s", authURL, match[1])
	}
}

func TestServiceMatchesContainer(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	svc := m.service
	if len(svc.Spec.Selector) == 0 || !selectorSubset(svc.Spec.Selector, m.podLabels()) {
		t.Errorf("Service selector %v does not select the pods (labels %v)", svc.Spec.Selector, m.podLabels())
	}
	exposed := map[string]bool{}
	for _, sp := range svc.Spec.Ports {
		for _, msg := range validation.IsValidPortName(sp.Name) {
			t.Errorf("Service port name %q: %s", sp.Name, msg)
		}
		cp, ok := resolve(c, sp.TargetPort)
		if !ok {
			t.Errorf("Service port %s: target %s is no container port", sp.Name, sp.TargetPort.String())
			continue
		}
		exposed[cp.Name] = true
		if sp.Port != cp.ContainerPort {
			t.Errorf("Service port %s is %d, the container's is %d: keep them equal so one number works inside and out", sp.Name, sp.Port, cp.ContainerPort)
		}
		if sp.Protocol != cp.Protocol {
			t.Errorf("Service port %s protocol %s, container %s", sp.Name, sp.Protocol, cp.Protocol)
		}
		if want := map[string]string{"grpc": "grpc", "http": "http"}[cp.Name]; sp.AppProtocol == nil || *sp.AppProtocol != want {
			t.Errorf("Service port %s: appProtocol %v, want %q", sp.Name, sp.AppProtocol, want)
		}
	}
	for _, cp := range c.Ports {
		if !exposed[cp.Name] {
			t.Errorf("container port %s is not exposed by the Service", cp.Name)
		}
	}
	if addr, _, ok := m.setting(c, "http-addr", "GATEWAY_HTTP_ADDR"); ok && portOf(t, addr) != containerPort(t, c, "http").ContainerPort {
		t.Errorf("the gateway listens for HTTP on %q, not on the container port http", addr)
	}
}

func selectorSubset(sel map[string]string, pod map[string]string) bool {
	for k, v := range sel {
		if pod[k] != v {
			return false
		}
	}
	return true
}

// resolve finds the container port a Service targetPort names.
func resolve(c *corev1.Container, target intstr.IntOrString) (corev1.ContainerPort, bool) {
	for _, p := range c.Ports {
		if target.Type == intstr.String && p.Name == target.StrVal || target.Type == intstr.Int && p.ContainerPort == target.IntVal {
			return p, true
		}
	}
	return corev1.ContainerPort{}, false
}

func TestSelectorsMatchThePods(t *testing.T) {
	t.Parallel()
	m, _ := load(t)
	pods := m.podLabels()
	if !selects(t, m.deployment.Spec.Selector, pods) {
		t.Error("the Deployment's selector does not match its pod template")
	}
	if !selects(t, m.pdb.Spec.Selector, pods) {
		t.Error("the PodDisruptionBudget's selector does not match the pods")
	}
	for _, tsc := range m.deployment.Spec.Template.Spec.TopologySpreadConstraints {
		if !selects(t, tsc.LabelSelector, pods) {
			t.Errorf("topology spread on %s does not select the pods", tsc.TopologyKey)
		}
	}
	if len(m.deployment.Spec.Template.Spec.TopologySpreadConstraints) == 0 {
		t.Error("no topology spread: replicas may share a node or a zone")
	}
}

func TestAutoscalingAndDisruption(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	ref := m.hpa.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != m.deployment.Name {
		t.Errorf("the HPA scales %s %s %q, not the Deployment %q", ref.APIVersion, ref.Kind, ref.Name, m.deployment.Name)
	}
	minR := int32(1)
	if m.hpa.Spec.MinReplicas != nil {
		minR = *m.hpa.Spec.MinReplicas
	}
	if minR < 2 || m.hpa.Spec.MaxReplicas < minR {
		t.Errorf("HPA replicas %d to %d: want at least 2, max >= min", minR, m.hpa.Spec.MaxReplicas)
	}
	if r := m.deployment.Spec.Replicas; r == nil || *r != minR {
		t.Errorf("Deployment replicas %v, want the HPA's minimum %d", r, minR)
	}
	for _, mt := range m.hpa.Spec.Metrics {
		if mt.Resource == nil {
			continue
		}
		if _, ok := c.Resources.Requests[mt.Resource.Name]; !ok {
			t.Errorf("the HPA scales on %s utilisation but the container requests no %s", mt.Resource.Name, mt.Resource.Name)
		}
	}
	if len(m.hpa.Spec.Metrics) == 0 {
		t.Error("the HPA has no metric")
	}
	ma := m.pdb.Spec.MinAvailable
	if ma == nil || ma.Type != intstr.Int || ma.IntVal < 1 {
		t.Fatalf("PDB minAvailable %v, want an integer of at least 1", ma)
	}
	if ma.IntVal >= minR {
		t.Errorf("PDB minAvailable %d >= minimum replicas %d: a node drain could never evict a replica", ma.IntVal, minR)
	}
}

func TestResourcesAreBounded(t *testing.T) {
	t.Parallel()
	_, c := load(t)
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := c.Resources.Requests[r]
		lim, okLim := c.Resources.Limits[r]
		if !okReq || !okLim {
			t.Errorf("%s: want both a request and a limit", r)
			continue
		}
		if req.Cmp(lim) > 0 {
			t.Errorf("%s request %s exceeds its limit %s", r, req.String(), lim.String())
		}
	}
}

func TestContainerIsLockedDown(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	pod := m.deployment.Spec.Template.Spec
	psc, csc := pod.SecurityContext, c.SecurityContext
	if psc == nil || csc == nil {
		t.Fatal("want a pod and a container securityContext")
	}
	if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || csc.RunAsNonRoot == nil || !*csc.RunAsNonRoot {
		t.Error("runAsNonRoot is not true at pod and container level")
	}
	if psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("runAsUser is unset or root")
	}
	if csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
		t.Error("the root filesystem is writable")
	}
	if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
		t.Error("privilege escalation is allowed")
	}
	if csc.Capabilities == nil || len(csc.Capabilities.Add) > 0 || len(csc.Capabilities.Drop) != 1 || csc.Capabilities.Drop[0] != "ALL" {
		t.Errorf("capabilities %+v: want drop ALL and add none", csc.Capabilities)
	}
	if csc.Privileged != nil && *csc.Privileged {
		t.Error("the container is privileged")
	}
	if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("no RuntimeDefault seccomp profile")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the service account token is mounted; the gateway never calls the Kubernetes API")
	}
}

// TestConnectionLifecycle: the gRPC connections are recycled (a max
// connection age is set, so that replicas the autoscaler adds get
// connections), and a connection past its age gives its calls at least the
// default deadline to finish.
func TestConnectionLifecycle(t *testing.T) {
	t.Parallel()
	m, c := load(t)
	duration := func(flag, env string) time.Duration {
		v, src, ok := m.setting(c, flag, env)
		if !ok {
			t.Fatalf("%s is not set: state it, so that the lifecycle can be checked", env)
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s %q (%s): %v", env, v, src, err)
		}
		return d
	}
	age := duration("grpc-max-connection-age", "GATEWAY_GRPC_MAX_CONNECTION_AGE")
	grace := duration("grpc-max-connection-age-grace", "GATEWAY_GRPC_MAX_CONNECTION_AGE_GRACE")
	def := duration("default-timeout", "GATEWAY_DEFAULT_TIMEOUT")
	if age <= 0 {
		t.Errorf("max connection age %v: connections are never recycled, and replicas added behind an L4 balancer get none", age)
	}
	if grace < def {
		t.Errorf("max connection age grace %v < default timeout %v: a call with the default deadline may be cut off when its connection ages out", grace, def)
	}
}
