package gateway_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/connectsim/scenario"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// gatewayScenarios are the simulator's scenarios a gateway can serve: the
// token endpoint is not behind the gateway, and the legacy log stream has no
// RPC (its FeatureRemoved answer is reached through the removed update
// actions instead).
func gatewayScenarios(t *testing.T) []scenario.Scenario {
	var out []scenario.Scenario
	covered := map[string]bool{}
	for _, sc := range scenario.All() {
		if sc.Request.ToAuth || strings.HasSuffix(sc.Request.Path, "/logs/stream") {
			continue
		}
		out = append(out, sc)
		covered[sc.Code] = true
	}
	for _, e := range translate.Entries() {
		if !covered[e.Code] && e.Code != "AuthenticationError" {
			t.Errorf("no scenario reaches %s through the gateway", e.Code)
		}
	}
	return out
}

// forEachScenario runs f for every gateway scenario in a parallel subtest,
// on a shared env, or on an env of its own when the scenario advances the
// clock or adds faults.
func forEachScenario(t *testing.T, f func(t *testing.T, e *env, sc scenario.Scenario)) {
	shared := newEnv(t)
	for _, sc := range gatewayScenarios(t) {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			e := shared
			if sc.NeedsControl() {
				e = newEnv(t)
			}
			f(t, e, sc)
		})
	}
}

// TestScenariosOverREST runs every scenario through the REST face: status
// and body must be what the simulator itself answered, byte for byte.
func TestScenariosOverREST(t *testing.T) {
	t.Parallel()
	forEachScenario(t, func(t *testing.T, e *env, sc scenario.Scenario) {
		target := scenario.Target{
			BaseURL: e.httpURL, AuthURL: e.simURL, Client: connectsim.DefaultClient(),
			Control: scenario.InProcess(e.sim),
		}
		res := scenario.Run(t.Context(), t, target, sc)
		cid := res.Header.Get("X-Correlation-ID")
		upstreamBody, ok := e.recorder.upstreamBody(cid)
		if refusedByGateway(sc) {
			if ok {
				t.Fatalf("the simulator saw the request %s %s, which the gateway must refuse itself", sc.Request.Method, sc.Request.Path)
			}
			assertSameJSON(t, e.simulatorAnswer(t, sc), res.Body)
			return
		}
		if !ok {
			t.Fatalf("the simulator saw no request with the correlation id %q the gateway answered with", cid)
		}
		if !bytes.Equal(upstreamBody, res.Body) {
			assertSameJSON(t, upstreamBody, res.Body)
			t.Errorf("the REST face answered other bytes than the simulator's:\n%s\nwant\n%s", res.Body, upstreamBody)
		}
	})
}

// TestScenariosOverGRPC sends the final request of every scenario as a gRPC
// call and checks the status against the catalogue: code, ErrorInfo, the
// typed detail, the per-code details, and the full upstream body.
func TestScenariosOverGRPC(t *testing.T) {
	t.Parallel()
	forEachScenario(t, func(t *testing.T, e *env, sc scenario.Scenario) {
		if rejectedByGateway(sc) {
			t.Skip("a body that is not JSON of the request's type cannot be sent as a typed gRPC request; TestScenariosOverREST covers it, where the gateway answers InvalidJsonInput itself")
		}
		target := scenario.Target{
			BaseURL: e.simURL, Client: connectsim.DefaultClient(), Control: scenario.InProcess(e.sim),
		}
		p, err := scenario.Prepare(t.Context(), target, sc)
		if err != nil {
			t.Fatal(err)
		}
		cid := "grpc-" + strings.ReplaceAll(sc.Name, "/", "-") + "-" + p.Vars["run"]
		st := e.callScenario(t, p, cid)
		checkStatus(t, e, sc, p, st, cid)
	})
}

// rejectedByGateway reports whether sc's body is not JSON of the request's
// type, and so cannot be sent as a typed gRPC request. The REST face
// forwards it as it is.
func rejectedByGateway(sc scenario.Scenario) bool {
	return sc.Name == "InvalidJsonInput/malformed" || sc.Name == "InvalidJsonInput/wrong-shape"
}

// refusedByGateway reports whether the gateway answers sc itself, on both
// faces, without calling the upstream: a path parameter that breaks its
// rule. The answer must be the simulator's own.
func refusedByGateway(sc scenario.Scenario) bool {
	return strings.HasPrefix(sc.Name, "InvalidPathParam/")
}

// simulatorAnswer runs sc straight against the simulator and returns the
// body it answers.
func (e *env) simulatorAnswer(t *testing.T, sc scenario.Scenario) []byte {
	t.Helper()
	direct := scenario.Target{BaseURL: e.simURL, AuthURL: e.simURL, Client: connectsim.DefaultClient(), Control: scenario.InProcess(e.sim)}
	return scenario.Run(t.Context(), t, direct, sc).Body
}

// callScenario sends a prepared scenario request over gRPC.
func (e *env) callScenario(t *testing.T, p *scenario.Prepared, cid string) *status.Status {
	t.Helper()
	rq := p.Request
	u := &url.URL{Path: rq.Path, RawQuery: url.Values(rq.Query).Encode()}
	hr, err := http.NewRequest(rq.Method, e.httpURL+u.String(), bytes.NewBufferString(rq.Body))
	if err != nil {
		t.Fatal(err)
	}
	method, req, err := e.gw.RPCForHTTP(hr)
	if err != nil {
		t.Fatalf("mapping %s %s to an RPC: %v", rq.Method, rq.Path, err)
	}
	ctx := metadata.AppendToOutgoingContext(t.Context(), "x-correlation-id", cid)
	if p.Bearer != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+p.Bearer)
	}
	var header metadata.MD
	resp := newOutput(t, method)
	err = e.conn.Invoke(ctx, method, req, resp, grpc.Header(&header))
	if err == nil {
		t.Fatalf("%s succeeded: %v", method, resp)
	}
	if got := header.Get("x-correlation-id"); len(got) != 1 || got[0] != cid {
		t.Errorf("x-correlation-id header %v, want %s", got, cid)
	}
	return status.Convert(err)
}

func checkStatus(t *testing.T, e *env, sc scenario.Scenario, p *scenario.Prepared, st *status.Status, cid string) {
	t.Helper()
	entry, ok := translate.Lookup(sc.Code)
	if !ok {
		t.Fatalf("%s is not in the catalogue", sc.Code)
	}
	if st.Code() != entry.GRPCCode {
		t.Errorf("code %v, want %v (%s)", st.Code(), entry.GRPCCode, st.Message())
	}
	err := st.Err()
	info, ok := translate.ErrorInfoOf(err)
	if !ok || info.GetReason() != entry.Reason || info.GetDomain() != translate.DomainConnect ||
		info.GetMetadata()["code"] != sc.Code || info.GetMetadata()["httpStatus"] != strconv.Itoa(sc.Want.Status) {
		t.Errorf("ErrorInfo %v, want reason %s, code %s, httpStatus %d", info, entry.Reason, sc.Code, sc.Want.Status)
	}
	for field, want := range sc.Want.Fields {
		if want == scenario.Present {
			if info.GetMetadata()[field] == "" {
				t.Errorf("ErrorInfo.metadata[%s] is empty", field)
			}
			continue
		}
		if got, want := info.GetMetadata()[field], p.Result(0, nil, nil).Expand(metadataValue(want)); got != want {
			t.Errorf("ErrorInfo.metadata[%s] = %q, want %q", field, got, want)
		}
	}
	if n := countDetails[*errdetails.ErrorInfo](st); n != 1 {
		t.Errorf("%d ErrorInfo details, want exactly 1", n)
	}
	if !hasDetailOfType(st, entry.Detail.Descriptor().FullName()) {
		t.Errorf("no typed detail %s", entry.Detail.Descriptor().FullName())
	}
	if ri, ok := translate.DetailOf[*errdetails.RequestInfo](err); !ok || ri.GetRequestId() != cid {
		t.Errorf("RequestInfo %v, want request id %s", ri, cid)
	}
	if lm, ok := translate.DetailOf[*errdetails.LocalizedMessage](err); !ok || lm.GetMessage() != st.Message() || lm.GetLocale() != "en-US" {
		t.Errorf("LocalizedMessage %v, want en-US %q", lm, st.Message())
	}
	checkKindDetails(t, entry, sc, p, err)

	upstreamBody, ok := e.recorder.upstreamBody(cid)
	switch {
	case refusedByGateway(sc) && ok:
		t.Fatalf("the simulator saw the request with correlation id %s, which the gateway must refuse itself", cid)
	case refusedByGateway(sc):
		upstreamBody = e.simulatorAnswer(t, sc)
	case !ok:
		t.Fatalf("the simulator saw no request with correlation id %s", cid)
	}
	code, _, body := translate.ToResponse(st)
	if code != sc.Want.Status {
		t.Errorf("ToResponse status %d, want %d", code, sc.Want.Status)
	}
	assertSameJSON(t, upstreamBody, body)
	if er, ok := translate.ErrorResponseOf(err); !ok || len(er.GetErrors()) != 1 || er.GetErrors()[0].GetCode() != sc.Code {
		t.Errorf("ErrorResponse detail %v", er)
	}
}

// checkKindDetails checks the per-code details of the catalogue row.
func checkKindDetails(t *testing.T, entry translate.Entry, sc scenario.Scenario, p *scenario.Prepared, err error) {
	t.Helper()
	if entry.Has(errorsv1.DetailKind_DETAIL_KIND_BAD_REQUEST) {
		br, ok := translate.DetailOf[*errdetails.BadRequest](err)
		if !ok || len(br.GetFieldViolations()) == 0 {
			t.Errorf("no BadRequest field violation")
		} else if v := br.GetFieldViolations()[0]; v.GetDescription() == "" {
			t.Errorf("BadRequest violation %v has no description", v)
		} else if f, ok := sc.Want.Fields["field"].(string); ok && v.GetField() != p.Result(0, nil, nil).Expand(f) {
			t.Errorf("BadRequest field %q, want %q", v.GetField(), f)
		}
	}
	if entry.Has(errorsv1.DetailKind_DETAIL_KIND_PRECONDITION_FAILURE) {
		pf, ok := translate.DetailOf[*errdetails.PreconditionFailure](err)
		if !ok || len(pf.GetViolations()) == 0 || pf.GetViolations()[0].GetType() != entry.Spec.GetPreconditionType() {
			t.Errorf("PreconditionFailure %v, want type %s", pf, entry.Spec.GetPreconditionType())
		}
	}
	if entry.Has(errorsv1.DetailKind_DETAIL_KIND_RESOURCE_INFO) {
		ri, ok := translate.DetailOf[*errdetails.ResourceInfo](err)
		if !ok {
			t.Errorf("no ResourceInfo")
		} else if res := sc.Want.Resource; res != nil && entry.Spec.GetResourceType() == "" {
			want := p.Result(0, nil, nil).Expand(res.ID + res.Key)
			if ri.GetResourceType() != res.Type || ri.GetResourceName() != want {
				t.Errorf("ResourceInfo %s %q, want %s %q", ri.GetResourceType(), ri.GetResourceName(), res.Type, want)
			}
		} else if entry.Spec.GetResourceType() != "" && ri.GetResourceType() != entry.Spec.GetResourceType() {
			t.Errorf("ResourceInfo type %s, want %s", ri.GetResourceType(), entry.Spec.GetResourceType())
		}
	}
	if entry.Has(errorsv1.DetailKind_DETAIL_KIND_RETRY_INFO) {
		if _, ok := translate.DetailOf[*errdetails.RetryInfo](err); !ok {
			t.Errorf("no RetryInfo")
		}
	}
	if entry.Has(errorsv1.DetailKind_DETAIL_KIND_HELP) {
		if h, ok := translate.DetailOf[*errdetails.Help](err); !ok || len(h.GetLinks()) == 0 {
			t.Errorf("Help %v, want a link", h)
		}
	}
}

func metadataValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}

func countDetails[T proto.Message](st *status.Status) int {
	n := 0
	for _, d := range st.Details() {
		if _, ok := d.(T); ok {
			n++
		}
	}
	return n
}

func hasDetailOfType(st *status.Status, name protoreflect.FullName) bool {
	for _, a := range st.Proto().GetDetails() {
		if a.MessageName() == name {
			return true
		}
	}
	return false
}

// newOutput returns an empty response message of a gRPC method
// ("/package.Service/Method").
func newOutput(t *testing.T, fullMethod string) proto.Message {
	t.Helper()
	name := protoreflect.FullName(strings.ReplaceAll(strings.TrimPrefix(fullMethod, "/"), "/", "."))
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
	if err != nil {
		t.Fatal(err)
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(d.(protoreflect.MethodDescriptor).Output().FullName())
	if err != nil {
		t.Fatal(err)
	}
	return mt.New().Interface()
}
