package protocheck_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// The Connect operations the protos describe are written out in
// testdata/operations.golden, one block per RPC with an HTTP rule, derived
// from the descriptors: the verb, Connect's path templates (the rule's, and
// its `key=` form when the request has an id-or-key oneof), the body, the
// response_body and the resource it holds, the query parameters, and the
// paths of sample requests. The file is reviewed against Connect's API
// reference (https://docs.commercetools.com/connect/); `go test -update`
// rewrites it after an RPC is added or changed.
var updateGolden = flag.Bool("update", false, "rewrite testdata/operations.golden")

// ruled returns the RPCs of pkg with an HTTP rule, sorted by name. Streaming
// RPCs have no rule (they have no REST route) and are left out.
func ruled(t *testing.T) []protoreflect.MethodDescriptor {
	t.Helper()
	var out []protoreflect.MethodDescriptor
	for _, sd := range services(t) {
		for i := range sd.Methods().Len() {
			if md := sd.Methods().Get(i); httpRule(md) != nil {
				out = append(out, md)
			}
		}
	}
	slices.SortFunc(out, func(a, b protoreflect.MethodDescriptor) int {
		return strings.Compare(string(a.FullName()), string(b.FullName()))
	})
	return out
}

// connectSpelling rewrites a rule's path template in the reference's
// spelling: proto field names become Connect's camelCase path variables.
func connectSpelling(path string) string {
	return strings.ReplaceAll(path, "{project_key}", "{projectKey}")
}

// sampleValues are the path values of the sample requests.
// An id with a space and a slash shows the escaping.
var sampleValues = map[string]string{"project_key": "acme", "id": "d 1/x", "key": "my-key"}

// describeOperation renders one RPC's Connect operation for the golden file.
func describeOperation(t *testing.T, md protoreflect.MethodDescriptor) string {
	t.Helper()
	rule := httpRule(md)
	verb, path := verbPath(rule)
	paths := []string{connectSpelling(path)}
	ref := md.Input().Oneofs().ByName(refOneof)
	keyForm := strings.Replace(path, "{id}", "key={key}", 1)
	if keyForm != path && ref != nil && ref.Fields().ByName("id") != nil && ref.Fields().ByName("key") != nil {
		paths = append(paths, connectSpelling(keyForm))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  %s %s\n", md.FullName(), verb, strings.Join(paths, " | "))
	fmt.Fprintf(&b, "  body: %q, response_body: %q", rule.GetBody(), rule.GetResponseBody())
	if fd := md.Output().Fields().ByName(protoreflect.Name(rule.GetResponseBody())); fd != nil && fd.Message() != nil {
		fmt.Fprintf(&b, " (%s)", fd.Message().Name())
	}
	query := strings.Join(queryParams(md.Input(), rule), ", ")
	if query == "" {
		query = "-"
	}
	fmt.Fprintf(&b, "\n  query: %s\n", query)
	for _, member := range []string{"id", "key"} {
		if member == "key" && len(paths) == 1 {
			break
		}
		req := dynamicpb.NewMessage(md.Input())
		for _, name := range pathVars(path) {
			name = strings.TrimSuffix(name, "=*")
			if name == "id" {
				name = member
			}
			fd := md.Input().Fields().ByName(protoreflect.Name(name))
			if fd == nil || sampleValues[name] == "" {
				t.Fatalf("%s: path variable %s has no sample value", md.FullName(), name)
			}
			req.Set(fd, protoreflect.ValueOfString(sampleValues[name]))
		}
		got, err := expandPath(path, req)
		if err != nil {
			t.Fatalf("%s: expand %s: %v", md.FullName(), path, err)
		}
		fmt.Fprintf(&b, "  e.g. %s\n", got)
	}
	return b.String()
}

// TestOperationsGolden compares the operations the protos describe with
// testdata/operations.golden.
func TestOperationsGolden(t *testing.T) {
	var b strings.Builder
	for _, md := range ruled(t) {
		b.WriteString(describeOperation(t, md))
		b.WriteString("\n")
	}
	golden := filepath.Join("testdata", "operations.golden")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("operations differ from %s (-golden +protos; go test -update rewrites it):\n%s", golden, diff)
	}
}

// TestEveryUnaryRPCHasExactlyOneHTTPRule: a unary RPC has one rule (it is a
// Connect operation); a streaming RPC has none (it has no REST route).
func TestEveryUnaryRPCHasExactlyOneHTTPRule(t *testing.T) {
	t.Parallel()
	for _, sd := range services(t) {
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			rule := httpRule(md)
			streaming := md.IsStreamingClient() || md.IsStreamingServer()
			switch {
			case streaming && rule != nil:
				t.Errorf("%s: a streaming RPC has an HTTP rule", md.FullName())
				continue
			case streaming:
				continue
			case rule == nil:
				t.Errorf("%s: no google.api.http rule", md.FullName())
				continue
			}
			if verb, path := verbPath(rule); verb == "" || path == "" {
				t.Errorf("%s: rule has no pattern", md.FullName())
			}
			if n := len(rule.GetAdditionalBindings()); n != 0 {
				t.Errorf("%s: %d additional bindings, want one rule per RPC", md.FullName(), n)
			}
		}
	}
}

// TestResponseBodiesHoldTheResource: response_body names the only field of
// the response, a message (the Connect resource or page).
func TestResponseBodiesHoldTheResource(t *testing.T) {
	t.Parallel()
	for _, md := range ruled(t) {
		respBody := httpRule(md).GetResponseBody()
		fd := md.Output().Fields().ByName(protoreflect.Name(respBody))
		if fd == nil || fd.Message() == nil {
			t.Errorf("%s: response_body %q is not a message field of %s", md.FullName(), respBody, md.Output().Name())
			continue
		}
		if n := md.Output().Fields().Len(); n != 1 {
			t.Errorf("%s: %s has %d fields, want only the resource", md.FullName(), md.Output().Name(), n)
		}
	}
}
