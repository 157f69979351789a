package protocheck_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

// example is one request of an operation and the upstream path it gives.
type example struct {
	request string // protojson of the request
	path    string // the concrete Connect path
}

// operation is one row of the endpoint tables of connect-api.md §2.
type operation struct {
	name     string                // the reference's name of the operation
	rpc      protoreflect.FullName // the RPC that implements it
	verb     string
	connect  []string // Connect's path templates: id form, then key form
	body     string   // the rule's body
	respBody string   // the rule's response_body
	resource protoreflect.Name
	query    []string // Connect's query parameter names
	examples []example
}

// operations are the 14 operations of the Connect API (the legacy log
// stream is left out: it is not in the newest specification). Get Connector
// by id and by key are two operations of the reference and one RPC here.
var operations = []operation{
	{
		name: "Get Connector by id", rpc: "commercetools.connect.v1.ConnectorService.GetConnector",
		verb: "GET", connect: []string{"/connectors/{id}"}, respBody: "connector", resource: "Connector",
		examples: []example{{`{"id":"c-1"}`, "/connectors/c-1"}},
	},
	{
		name: "Get Connector by key", rpc: "commercetools.connect.v1.ConnectorService.GetConnector",
		verb: "GET", connect: []string{"/connectors/key={key}"}, respBody: "connector", resource: "Connector",
		examples: []example{{`{"key":"my-connector"}`, "/connectors/key=my-connector"}},
	},
	{
		name: "Search Connectors", rpc: "commercetools.connect.v1.ConnectorService.SearchConnectors",
		verb: "GET", connect: []string{"/connectors/search"}, respBody: "page", resource: "ConnectorSearchPagedQueryResponse",
		query:    []string{"text", "limit", "offset", "sort", "private", "creator.company", "id", "key", "integrationTypes"},
		examples: []example{{`{"text":"tax"}`, "/connectors/search"}},
	},
	{
		name: "Create ConnectorStaged", rpc: "commercetools.connect.v1.ConnectorStagedService.CreateConnectorStaged",
		verb: "POST", connect: []string{"/connectors/drafts"}, body: "draft", respBody: "connector_staged", resource: "ConnectorStaged",
		examples: []example{{`{"draft":{"name":"x"}}`, "/connectors/drafts"}},
	},
	{
		name: "Query ConnectorStaged", rpc: "commercetools.connect.v1.ConnectorStagedService.QueryConnectorStaged",
		verb: "GET", connect: []string{"/connectors/drafts"}, respBody: "page", resource: "ConnectorStagedPagedQueryResponse",
		query:    []string{"limit", "offset", "sort", "isPrivate", "integrationTypes"},
		examples: []example{{`{}`, "/connectors/drafts"}},
	},
	{
		name: "Get ConnectorStaged", rpc: "commercetools.connect.v1.ConnectorStagedService.GetConnectorStaged",
		verb: "GET", connect: []string{"/connectors/drafts/{id}", "/connectors/drafts/key={key}"},
		respBody: "connector_staged", resource: "ConnectorStaged",
		examples: []example{
			{`{"id":"cs-1"}`, "/connectors/drafts/cs-1"},
			{`{"key":"my-draft"}`, "/connectors/drafts/key=my-draft"},
		},
	},
	{
		name: "Update ConnectorStaged", rpc: "commercetools.connect.v1.ConnectorStagedService.UpdateConnectorStaged",
		verb: "POST", connect: []string{"/connectors/drafts/{id}", "/connectors/drafts/key={key}"},
		body: "*", respBody: "connector_staged", resource: "ConnectorStaged",
		examples: []example{
			{`{"id":"cs-1","version":3}`, "/connectors/drafts/cs-1"},
			{`{"key":"my-draft","version":3}`, "/connectors/drafts/key=my-draft"},
		},
	},
	{
		name: "Delete ConnectorStaged", rpc: "commercetools.connect.v1.ConnectorStagedService.DeleteConnectorStaged",
		verb: "DELETE", connect: []string{"/connectors/drafts/{id}", "/connectors/drafts/key={key}"},
		respBody: "connector_staged", resource: "ConnectorStaged",
		examples: []example{{`{"key":"my-draft"}`, "/connectors/drafts/key=my-draft"}},
	},
	{
		name: "Create Deployment", rpc: "commercetools.connect.v1.DeploymentService.CreateDeployment",
		verb: "POST", connect: []string{"/{projectKey}/deployments"}, body: "draft", respBody: "deployment", resource: "Deployment",
		examples: []example{{`{"projectKey":"acme","draft":{"region":"europe-west1.gcp"}}`, "/acme/deployments"}},
	},
	{
		name: "Query Deployments", rpc: "commercetools.connect.v1.DeploymentService.QueryDeployments",
		verb: "GET", connect: []string{"/{projectKey}/deployments"}, respBody: "page", resource: "DeploymentPagedQueryResponse",
		query:    []string{"limit", "offset", "sort", "integrationTypes", "deploymentType"},
		examples: []example{{`{"projectKey":"acme","limit":5}`, "/acme/deployments"}},
	},
	{
		name: "Get Deployment", rpc: "commercetools.connect.v1.DeploymentService.GetDeployment",
		verb: "GET", connect: []string{"/{projectKey}/deployments/{id}", "/{projectKey}/deployments/key={key}"},
		respBody: "deployment", resource: "Deployment",
		examples: []example{
			{`{"projectKey":"acme","id":"d-1"}`, "/acme/deployments/d-1"},
			{`{"projectKey":"acme","key":"my-deployment"}`, "/acme/deployments/key=my-deployment"},
		},
	},
	{
		name: "Update Deployment", rpc: "commercetools.connect.v1.DeploymentService.UpdateDeployment",
		verb: "POST", connect: []string{"/{projectKey}/deployments/{id}", "/{projectKey}/deployments/key={key}"},
		body: "*", respBody: "deployment", resource: "Deployment",
		examples: []example{{`{"projectKey":"acme","key":"my-deployment","version":1}`, "/acme/deployments/key=my-deployment"}},
	},
	{
		name: "Delete Deployment", rpc: "commercetools.connect.v1.DeploymentService.DeleteDeployment",
		verb: "DELETE", connect: []string{"/{projectKey}/deployments/{id}", "/{projectKey}/deployments/key={key}"},
		respBody: "deployment", resource: "Deployment",
		examples: []example{{`{"projectKey":"acme","id":"d 1/x"}`, "/acme/deployments/d%201%2Fx"}},
	},
	{
		name: "Get Deployment logs", rpc: "commercetools.connect.v1.DeploymentService.GetDeploymentLogs",
		verb: "GET", connect: []string{"/{projectKey}/deployments/{id}/logs", "/{projectKey}/deployments/key={key}/logs"},
		respBody: "page", resource: "DeploymentLogCursorPagedQueryResponse",
		query: []string{"pageToken", "applicationName", "startDate", "endDate"},
		examples: []example{
			{`{"projectKey":"acme","id":"d-1"}`, "/acme/deployments/d-1/logs"},
			{`{"projectKey":"acme","key":"my-deployment","pageToken":"t"}`, "/acme/deployments/key=my-deployment/logs"},
		},
	},
}

// connectSpelling rewrites a rule's path template in the reference's
// spelling: proto field names become Connect's camelCase path variables.
func connectSpelling(path string) string {
	return strings.ReplaceAll(path, "{project_key}", "{projectKey}")
}

func TestOperationsAreTheFourteenOfTheReference(t *testing.T) {
	t.Parallel()
	if got := len(operations); got != 14 {
		t.Fatalf("operations table has %d rows, want the 14 of connect-api.md §2", got)
	}
	var declared []protoreflect.FullName
	for _, sd := range services(t) {
		for i := range sd.Methods().Len() {
			if md := sd.Methods().Get(i); !isStream(md) {
				declared = append(declared, md.FullName())
			}
		}
	}
	var covered []protoreflect.FullName
	for _, op := range operations {
		covered = append(covered, op.rpc)
	}
	slices.Sort(declared)
	slices.Sort(covered)
	if diff := cmp.Diff(declared, slices.Compact(covered)); diff != "" {
		t.Errorf("declared RPCs (-) differ from the operations table (+):\n%s", diff)
	}
}

// isStream reports whether md streams: the gateway's own methods built on
// polling, which are not operations of the Connect API.
func isStream(md protoreflect.MethodDescriptor) bool {
	return md.IsStreamingClient() || md.IsStreamingServer()
}

func TestEveryRPCHasExactlyOneHTTPRule(t *testing.T) {
	t.Parallel()
	for _, sd := range services(t) {
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			rule := httpRule(md)
			if isStream(md) {
				if rule != nil {
					t.Errorf("%s streams and has a google.api.http rule: streams have no REST route", md.FullName())
				}
				continue
			}
			if rule == nil {
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

func TestHTTPRulesAreConnectPaths(t *testing.T) {
	t.Parallel()
	for _, op := range operations {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			d, err := protoregistry.GlobalFiles.FindDescriptorByName(op.rpc)
			if err != nil {
				t.Fatalf("find %s: %v", op.rpc, err)
			}
			md := d.(protoreflect.MethodDescriptor)
			rule := httpRule(md)
			verb, path := verbPath(rule)
			if verb != op.verb {
				t.Errorf("verb = %s, want %s", verb, op.verb)
			}
			assertConnectPaths(t, md, connectSpelling(path), op.connect)
			if rule.GetBody() != op.body {
				t.Errorf("body = %q, want %q", rule.GetBody(), op.body)
			}
			assertResponseBody(t, md, rule.GetResponseBody(), op)
			if diff := cmp.Diff(op.query, queryParams(md.Input(), rule)); diff != "" {
				t.Errorf("query parameters (-Connect +request fields):\n%s", diff)
			}
			for _, ex := range op.examples {
				req := dynamicpb.NewMessage(md.Input())
				if err := protojson.Unmarshal([]byte(ex.request), req); err != nil {
					t.Fatalf("request %s: %v", ex.request, err)
				}
				got, err := expandPath(path, req)
				if err != nil {
					t.Fatalf("expand %s with %s: %v", path, ex.request, err)
				}
				if got != ex.path {
					t.Errorf("expand %s with %s = %s, want %s", path, ex.request, got, ex.path)
				}
			}
		})
	}
}

// assertConnectPaths checks that the rule's path is the first Connect path
// and that a second (key) form is the rule's path with `{id}` spelled
// `key={key}`, which needs a request with an id-or-key oneof.
func assertConnectPaths(t *testing.T, md protoreflect.MethodDescriptor, rulePath string, connect []string) {
	t.Helper()
	keyForm := strings.Replace(rulePath, "{id}", "key={key}", 1)
	for _, p := range connect {
		switch {
		case p == rulePath:
		case p == keyForm && keyForm != rulePath:
			ref := md.Input().Oneofs().ByName(refOneof)
			if ref == nil || ref.Fields().ByName("id") == nil || ref.Fields().ByName("key") == nil {
				t.Errorf("%s: Connect path %s needs a oneof ref {id, key} in %s", md.Name(), p, md.Input().Name())
			}
		default:
			t.Errorf("%s: Connect path %s is neither the rule %s nor its key form %s", md.Name(), p, rulePath, keyForm)
		}
	}
}

// assertResponseBody checks that response_body names a field of the
// response that holds the Connect resource.
func assertResponseBody(t *testing.T, md protoreflect.MethodDescriptor, respBody string, op operation) {
	t.Helper()
	if respBody != op.respBody {
		t.Errorf("response_body = %q, want %q", respBody, op.respBody)
	}
	fd := md.Output().Fields().ByName(protoreflect.Name(respBody))
	if fd == nil || fd.Message() == nil {
		t.Fatalf("response_body %q is not a message field of %s", respBody, md.Output().Name())
	}
	if fd.Message().Name() != op.resource {
		t.Errorf("response_body holds %s, want %s", fd.Message().Name(), op.resource)
	}
	if n := md.Output().Fields().Len(); n != 1 {
		t.Errorf("%s has %d fields, want only the resource", md.Output().Name(), n)
	}
}
