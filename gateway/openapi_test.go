package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connect-gateway/connect-gateway/gen/openapiv2"
)

// swagger is the part of an OpenAPI v2 document the tests read.
type swagger struct {
	Swagger string                                `json:"swagger"`
	Paths   map[string]map[string]swaggerOp       `json:"paths"`
	Defs    map[string]struct{ Properties props } `json:"definitions"`
}

type props map[string]json.RawMessage

type swaggerOp struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name        string `json:"name"`
		In          string `json:"in"`
		Description string `json:"description"`
	} `json:"parameters"`
	Responses map[string]struct {
		Schema struct {
			Ref string `json:"$ref"`
		} `json:"schema"`
	} `json:"responses"`
}

func newTestGateway(t *testing.T) *Gateway {
	t.Helper()
	g, err := New(Options{UpstreamURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func serve(t *testing.T, h http.Handler, method, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func loadSpec(t *testing.T) swagger {
	t.Helper()
	var s swagger
	if err := json.Unmarshal([]byte(openapiv2.JSON()), &s); err != nil {
		t.Fatalf("the embedded spec is not JSON: %v", err)
	}
	if s.Swagger != "2.0" {
		t.Fatalf("swagger = %q, want 2.0", s.Swagger)
	}
	return s
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	h := newTestGateway(t).HTTPHandler()

	resp, body := serve(t, h, http.MethodGet, "/openapi.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d, body %.200s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if string(body) != openapiv2.JSON() {
		t.Errorf("the body is not the embedded spec (%d bytes, want %d)", len(body), len(openapiv2.JSON()))
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}

	resp, body = serve(t, h, http.MethodGet, "/openapi.json", "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("revalidation: status %d with %d bytes, want 304 and none", resp.StatusCode, len(body))
	}
}

// TestOpenAPIMatchesRoutes checks the spec against the routes the REST face
// registers: the same paths and methods, each answering errors with the
// Connect ErrorResponse, each {id} documented with its key= form.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	g, spec := newTestGateway(t), loadSpec(t)

	ops := 0
	for _, item := range spec.Paths {
		ops += len(item)
	}
	if ops != len(g.routes) {
		t.Errorf("the spec has %d operations, the REST face %d routes", ops, len(g.routes))
	}
	for _, r := range g.routes {
		t.Run(r.httpMethod+" "+r.template, func(t *testing.T) {
			path := jsonTemplate(t, r)
			op, ok := spec.Paths[path][strings.ToLower(r.httpMethod)]
			if !ok {
				t.Fatalf("%s %s is not in the spec", r.httpMethod, path)
			}
			svc, method, _ := strings.Cut(strings.TrimPrefix(r.fullMethod, "/"+string(servicePackage)+"."), "/")
			if want := svc + "_" + method; op.OperationID != want {
				t.Errorf("operationId = %q, want %q", op.OperationID, want)
			}
			if got := op.Responses["default"].Schema.Ref; got != "#/definitions/ErrorResponse" {
				t.Errorf("default response schema = %q, want the Connect ErrorResponse", got)
			}
			success := 0
			for code := range op.Responses {
				if strings.HasPrefix(code, "2") {
					success++
				}
			}
			if success != 1 {
				t.Errorf("%d success responses, want 1: %v", success, op.Responses)
			}
			if !strings.Contains(path, "{id}") {
				return
			}
			for _, p := range op.Parameters {
				if p.In == "path" && p.Name == "id" {
					if !strings.Contains(p.Description, "`key=`") {
						t.Errorf("the id parameter does not mention key=: %q", p.Description)
					}
					return
				}
			}
			t.Error("no id path parameter")
		})
	}
}

// jsonTemplate is the route's path template with each variable named by its
// field's JSON name, as the spec names them (json_names_for_fields).
func jsonTemplate(t *testing.T, r *route) string {
	t.Helper()
	var b strings.Builder
	rest := r.template
	for {
		before, after, ok := strings.Cut(rest, "{")
		b.WriteString(before)
		if !ok {
			return b.String()
		}
		name, tail, ok := strings.Cut(after, "}")
		if !ok {
			t.Fatalf("template %s: unclosed variable", r.template)
		}
		fd := r.desc.Input().Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			t.Fatalf("template %s: no field %s", r.template, name)
		}
		b.WriteString("{" + fd.JSONName() + "}")
		rest = tail
	}
}

// TestOpenAPIErrorSchemaDescribesErrors renders an error of the REST face
// and checks that every field it has is described by ErrorResponse and
// ErrorObject.
func TestOpenAPIErrorSchemaDescribesErrors(t *testing.T) {
	t.Parallel()
	g, spec := newTestGateway(t), loadSpec(t)

	resp, body := serve(t, g.HTTPHandler(), http.MethodGet, "/no/such/route/here")
	if resp.StatusCode < 400 {
		t.Fatalf("status %d, want an error", resp.StatusCode)
	}
	var top props
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	var errs []props
	if err := json.Unmarshal(top["errors"], &errs); err != nil || len(errs) == 0 {
		t.Fatalf("no errors in %s (%v)", body, err)
	}
	for k := range top {
		if _, ok := spec.Defs["ErrorResponse"].Properties[k]; !ok {
			t.Errorf("ErrorResponse does not describe %q (body %s)", k, body)
		}
	}
	for _, e := range errs {
		for k := range e {
			if _, ok := spec.Defs["ErrorObject"].Properties[k]; !ok {
				t.Errorf("ErrorObject does not describe %q (body %s)", k, body)
			}
		}
	}
}
