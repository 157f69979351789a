package connectsim

import (
	"maps"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestEveryRuleHasABehaviour: every RPC with a google.api.http rule has a
// simulator behaviour, every behaviour names such an RPC, and a rule
// without a behaviour stops the routes from loading.
func TestEveryRuleHasABehaviour(t *testing.T) {
	t.Parallel()
	ruled := 0
	for name := range behaviours {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
		if err != nil {
			t.Errorf("behaviour %s: %v", name, err)
			continue
		}
		md, ok := d.(protoreflect.MethodDescriptor)
		if !ok {
			t.Errorf("behaviour %s names a %T, not an RPC", name, d)
			continue
		}
		if rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule); rule == nil {
			t.Errorf("behaviour %s: the RPC has no HTTP rule, so no route reaches it", name)
			continue
		}
		ruled++
	}
	if want := ruled + len(removedRoutes); len(routeTable) != want {
		t.Errorf("%d routes, want one per behaviour with a rule (%d) plus %d removed", len(routeTable), ruled, len(removedRoutes))
	}
	for name := range behaviours {
		fewer := maps.Clone(behaviours)
		delete(fewer, name)
		if _, err := loadRoutes(protoregistry.GlobalFiles, fewer); err == nil || !strings.Contains(err.Error(), string(name)) {
			t.Errorf("without the behaviour of %s: loadRoutes error %v, want one naming it", name, err)
		}
	}
}

// TestRoutePrecedence: a literal segment wins over a variable, a path that
// fits a template with another method has no route, and path parameters
// are read before the method is looked up.
func TestRoutePrecedence(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	defer s.Close()
	cases := []struct {
		method, path string
		want         any // a (*Simulator) method, nil for no route
		wantErr      string
	}{
		{"GET", "/connectors/search", (*Simulator).searchConnectors, ""},
		{"GET", "/connectors/drafts", (*Simulator).queryStaged, ""},
		{"POST", "/connectors/drafts", (*Simulator).createStaged, ""},
		{"GET", "/connectors/key=tax", (*Simulator).getConnector, ""},
		{"GET", "/connectors/deployments", (*Simulator).getConnector, ""},
		{"DELETE", "/connectors/drafts/key=tax", (*Simulator).deleteStaged, ""},
		{"GET", "/acme/deployments/d-1/logs", (*Simulator).deploymentLogs, ""},
		{"POST", "/connectors/search", nil, ""},
		{"GET", "/connectors/x/y", nil, ""},
		{"PUT", "/connectors/drafts/a b", nil, "InvalidPathParam"},
		{"GET", "/a/deployments", nil, "InvalidPathParam"},
	}
	for _, tc := range cases {
		c := &call{r: httptest.NewRequest(tc.method, "http://sim"+strings.ReplaceAll(tc.path, " ", "%20"), nil)}
		b, err := s.route(c, strings.Split(strings.Trim(tc.path, "/"), "/"))
		switch {
		case tc.wantErr != "":
			if err == nil || err.Code != tc.wantErr {
				t.Errorf("%s %s: error %v, want %s", tc.method, tc.path, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%s %s: error %v", tc.method, tc.path, err)
		case tc.want == nil:
			if b != nil {
				t.Errorf("%s %s: a route, want none", tc.method, tc.path)
			}
		case b == nil || reflect.ValueOf(b.serve).Pointer() != reflect.ValueOf(tc.want).Pointer():
			t.Errorf("%s %s: routed to the wrong behaviour", tc.method, tc.path)
		}
	}
	c := &call{r: httptest.NewRequest("GET", "http://sim/acme/deployments/key=tax-prod/logs/stream", nil)}
	if b, err := s.route(c, []string{"acme", "deployments", "key=tax-prod", "logs", "stream"}); err != nil || b == nil {
		t.Fatalf("legacy log stream: %v, %v", b, err)
	} else if _, _, ferr := b.serve(s, c); ferr == nil || ferr.Code != "FeatureRemoved" {
		t.Errorf("legacy log stream answers %v, want FeatureRemoved", ferr)
	}
	if c.project != "acme" || c.ref.Key != "tax-prod" {
		t.Errorf("path parameters: project %q, ref %+v", c.project, c.ref)
	}
}

// TestUnknownFaultKindIsAnError: a rule whose kind has no row (one that
// bypassed Faults.Add) is an error, not a response.
func TestUnknownFaultKindIsAnError(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	defer s.Close()
	rec := httptest.NewRecorder()
	serve, err := s.applyFault(rec, httptest.NewRequest("GET", "http://sim/connectors/search", nil),
		FaultRule{ID: "fault-1", Action: FaultAction{Kind: "explode"}})
	if err == nil || serve || !strings.Contains(err.Error(), "explode") {
		t.Errorf("applyFault(unknown kind) = %v, %v; want an error naming the kind", serve, err)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("applyFault(unknown kind) wrote %q", rec.Body.String())
	}
	for kind := range faultKinds {
		if (FaultAction{Kind: kind, Delay: 1}).validate() != nil {
			t.Errorf("kind %s does not validate", kind)
		}
	}
}
