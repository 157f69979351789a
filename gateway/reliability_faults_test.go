package gateway_test

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// The gateway's DefaultTimeout in the fault matrix: the calls set no
// deadline, so that the code is the gateway's and not the client
// library's. hangTimeout is short, since a hanging upstream meets it.
const (
	faultTimeout = 5 * time.Second
	hangTimeout  = 400 * time.Millisecond
)

// outcome is what one cell of the fault matrix must give: the gRPC code,
// the ErrorInfo reason (empty for OK) and the number of upstream attempts
// the simulator received.
type outcome struct {
	code     codes.Code
	reason   string
	attempts int
}

var (
	ok1         = outcome{codes.OK, "", 1}
	timeout1    = outcome{codes.DeadlineExceeded, "UPSTREAM_TIMEOUT", 1}
	unknown1    = outcome{codes.Internal, "OUTCOME_UNKNOWN", 1}
	transport3  = outcome{codes.Unavailable, "UPSTREAM_UNAVAILABLE", 3}
	html502x3   = outcome{codes.Unavailable, "UPSTREAM_MALFORMED_ERROR", 3}
	status503x3 = outcome{codes.Unavailable, "SERVICE_UNAVAILABLE", 3}
	status503x1 = outcome{codes.Unavailable, "SERVICE_UNAVAILABLE", 1}
)

// unappliedBody is the body of faults that answer in place of the
// simulator, so that the write is not applied and the outcome is the same
// whether or not the gateway reads back an ambiguous write.
const unappliedBody = `{"id":"not-applied","version":1,"key":"not-applied","name":"not applied"}`

// TestFaultMatrix drives every fault kind of the simulator against get, create,
// update and delete over gRPC and checks the code and the retry decision:
// GET is retried on 502, 503, 504 and transport failures; writes only on a
// 502 BadGateway (an HTML 502 counts: it comes from infrastructure) and on
// failures before the request was written, never after a timeout or once
// the request reached the upstream. No goroutine outlives the test.
func TestFaultMatrix(t *testing.T) {
	checkLeaks(t)
	faults := []struct {
		name    string
		action  connectsim.FaultAction
		timeout time.Duration      // faultTimeout when zero
		want    map[string]outcome // by op name
	}{
		{
			name:   "latency",
			action: connectsim.FaultAction{Kind: connectsim.FaultDelay, Delay: connectsim.Duration(100 * time.Millisecond)},
			want:   map[string]outcome{"get": ok1, "create": ok1, "update": ok1, "delete": ok1},
		},
		{
			name:    "hang",
			action:  connectsim.FaultAction{Kind: connectsim.FaultHang},
			timeout: hangTimeout,
			want:    map[string]outcome{"get": timeout1, "create": unknown1, "update": unknown1, "delete": unknown1},
		},
		{
			// The simulator resets the connection after reading the whole
			// request: it was sent, so a write must not be resent.
			name:   "reset before headers",
			action: connectsim.FaultAction{Kind: connectsim.FaultResetBeforeHeaders},
			want:   map[string]outcome{"get": transport3, "create": unknown1, "update": unknown1, "delete": unknown1},
		},
		{
			name:   "reset after headers",
			action: connectsim.FaultAction{Kind: connectsim.FaultResetAfterHeaders, Status: 200, Body: unappliedBody},
			want:   map[string]outcome{"get": transport3, "create": unknown1, "update": unknown1, "delete": unknown1},
		},
		{
			name:   "truncated body",
			action: connectsim.FaultAction{Kind: connectsim.FaultTruncate, Status: 200, Body: unappliedBody},
			want:   map[string]outcome{"get": transport3, "create": unknown1, "update": unknown1, "delete": unknown1},
		},
		{
			name: "HTML 502",
			action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Status: 502, ContentType: "text/html",
				Body: "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"},
			want: map[string]outcome{"get": html502x3, "create": html502x3, "update": html502x3, "delete": html502x3},
		},
		{
			name: "503 with Retry-After",
			action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Status: 503, Headers: map[string]string{"Retry-After": "1"},
				Body: `{"statusCode":503,"message":"The service is scaling up.","errors":[{"code":"ServiceUnavailable","message":"The service is scaling up."}]}`},
			want: map[string]outcome{"get": status503x3, "create": status503x1, "update": status503x1, "delete": status503x1},
		},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			for _, o := range stagedOps() {
				want := f.want[o.name]
				t.Run(o.name, func(t *testing.T) {
					t.Parallel()
					timeout := f.timeout
					if timeout == 0 {
						timeout = faultTimeout
					}
					runFaultCell(t, f.action, timeout, o, want)
				})
			}
		})
	}
}

func runFaultCell(t *testing.T, action connectsim.FaultAction, timeout time.Duration, o op, want outcome) {
	e := newFaultEnv(t, withGateway(func(g *gateway.Options) {
		g.DefaultTimeout = timeout
		g.RetryBudget = upstream.NewRetryBudget(1, 100) // the budget is TestRetryBudget's
	}))
	key := "matrix-" + o.name
	if o.needsResource {
		e.createStaged(t, key)
	}
	path := o.upstreamPath(key)
	e.addFault(t, connectsim.FaultRule{Method: o.method, Path: path, Action: action})
	before := e.sim.Journal().Count(o.method, path)

	err := o.call(e.ctx(t), connectv1.NewConnectorStagedServiceClient(e.conn), key)

	attempts := e.sim.Journal().Count(o.method, path) - before
	if attempts != want.attempts {
		t.Errorf("%d upstream attempts, want %d (%v)", attempts, want.attempts, err)
	}
	if want.code == codes.OK {
		if err != nil {
			t.Fatalf("%v, want OK", err)
		}
		return
	}
	wantCode(t, err, want.code, want.reason)
	if want.code == codes.Unavailable {
		ri, ok := translate.DetailOf[*errdetails.RetryInfo](err)
		if !ok {
			t.Fatalf("UNAVAILABLE without RetryInfo: %v", err)
		}
		if action.Headers["Retry-After"] == "1" && ri.GetRetryDelay().AsDuration() != time.Second {
			t.Errorf("RetryInfo delay %v, want the upstream's Retry-After of 1s", ri.GetRetryDelay().AsDuration())
		}
	}
}

// TestFaultMatrixNotWritten: a failure before the request was written
// (nothing listens upstream: the dial fails) is retried for every method,
// since the write cannot have happened.
func TestFaultMatrixNotWritten(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	gw := startGateway(t, gateway.Options{UpstreamURL: closed, DefaultTimeout: 5 * time.Second,
		RetryBudget: upstream.NewRetryBudget(1, 100)})
	for _, o := range stagedOps() {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			err := o.call(ctx, connectv1.NewConnectorStagedServiceClient(gw.conn), "not-written")
			wantCode(t, err, codes.Unavailable, "UPSTREAM_UNAVAILABLE")
			info, _ := translate.ErrorInfoOf(err)
			if got := info.GetMetadata()["attempts"]; got != "3" {
				t.Errorf("ErrorInfo attempts %q, want 3: a request never written is retried for any method (%v)", got, err)
			}
		})
	}
}
