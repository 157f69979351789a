package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"

	"github.com/google/go-cmp/cmp"
)

// The stream tests do not run in parallel: each checks that no goroutine
// outlives it.

func TestWatchDeploymentToDeployed(t *testing.T) {
	checkLeaks(t)
	e := newEnv(t, seeded(), fastPolling())
	d := createDeployment(t, e, "watch-deployed")
	c := connectv1.NewDeploymentServiceClient(e.conn)
	s, err := c.WatchDeployment(e.ctx(t), watchByKey("watch-deployed"))
	if err != nil {
		t.Fatal(err)
	}
	first := recvStatus(t, s, "Queued")
	if first.GetDeployment().GetId() != d.GetId() || first.GetDeleted() {
		t.Fatalf("first message %v, want the created Deployment", first)
	}
	e.sim.Advance(5 * time.Second)
	recvStatus(t, s, "Deploying")
	e.sim.Advance(30 * time.Second)
	last := recvStatus(t, s, "Deployed")
	if err := recvEnd(t, s); err != nil {
		t.Fatalf("after Deployed the stream ended with %v, want OK", err)
	}
	got, err := c.GetDeployment(e.ctx(t), &connectv1.GetDeploymentRequest{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Id{Id: d.GetId()}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got.GetDeployment(), last.GetDeployment(), protocmp.Transform()); diff != "" {
		t.Errorf("last streamed state differs from GetDeployment (-get +stream):\n%s", diff)
	}
	_, metrics := doHTTP(t, "GET", e.httpURL+"/metrics", "")
	for _, want := range []string{
		`connect_gateway_requests_total{code="OK",face="grpc",method="/commercetools.connect.v1.DeploymentService/WatchDeployment"} 1`,
		`connect_gateway_stream_pollers{method="/commercetools.connect.v1.DeploymentService/WatchDeployment"} 0`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestWatchEnds(t *testing.T) {
	t.Run("Failed ends OK", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling())
		createFailingDeployment(t, e, "watch-failed")
		s, err := connectv1.NewDeploymentServiceClient(e.conn).WatchDeployment(e.ctx(t), watchByKey("watch-failed"))
		if err != nil {
			t.Fatal(err)
		}
		recvStatus(t, s, "Queued")
		e.sim.Advance(time.Hour)
		recvStatus(t, s, "Failed")
		if err := recvEnd(t, s); err != nil {
			t.Fatalf("after Failed: %v, want OK", err)
		}
	})
	t.Run("deleted ends OK after a message marked deleted", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling())
		d := createDeployment(t, e, "watch-deleted")
		c := connectv1.NewDeploymentServiceClient(e.conn)
		e.sim.Advance(time.Hour)
		if _, err := c.DeleteDeployment(e.ctx(t), &connectv1.DeleteDeploymentRequest{ProjectKey: "demo", Ref: &connectv1.DeleteDeploymentRequest_Id{Id: d.GetId()}}); err != nil {
			t.Fatal(err)
		}
		s, err := c.WatchDeployment(e.ctx(t), watchByKey("watch-deleted"))
		if err != nil {
			t.Fatal(err)
		}
		recvStatus(t, s, "Undeploying")
		e.sim.Advance(time.Hour)
		m := recvStatus(t, s, "Undeploying")
		if !m.GetDeleted() {
			t.Fatalf("message after the Deployment went: %v, want deleted set", m)
		}
		if err := recvEnd(t, s); err != nil {
			t.Fatalf("after deletion: %v, want OK", err)
		}
	})
	t.Run("a Deployment that does not exist is NOT_FOUND as for GetDeployment", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling())
		s, err := connectv1.NewDeploymentServiceClient(e.conn).WatchDeployment(e.ctx(t), watchByKey("no-such-deployment"))
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, recvEnd(t, s), codes.NotFound, "RESOURCE_NOT_FOUND")
	})
	t.Run("caller cancels", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling())
		createDeployment(t, e, "watch-cancel")
		ctx, cancel := context.WithCancel(e.ctx(t))
		s, err := connectv1.NewDeploymentServiceClient(e.conn).WatchDeployment(ctx, watchByKey("watch-cancel"))
		if err != nil {
			t.Fatal(err)
		}
		recvStatus(t, s, "Queued")
		cancel()
		wantCode(t, recvEnd(t, s), codes.Canceled, "")
		e.stop() // the gateway stops only once the stream's handler and its poller are gone
		if w, _ := e.gw.StreamStats(); w.Pollers != 0 || w.Subscribers != 0 {
			t.Errorf("after cancel: %+v, want no poller and no subscriber", w)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling())
		createDeployment(t, e, "watch-deadline")
		ctx, cancel := context.WithTimeout(e.ctx(t), 300*time.Millisecond)
		defer cancel()
		s, err := connectv1.NewDeploymentServiceClient(e.conn).WatchDeployment(ctx, watchByKey("watch-deadline"))
		if err != nil {
			t.Fatal(err)
		}
		recvStatus(t, s, "Queued")
		wantCode(t, recvEnd(t, s), codes.DeadlineExceeded, "")
	})
	t.Run("gateway shutdown ends the stream UNAVAILABLE at once", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling(), withGateway(func(o *gateway.Options) { o.DrainTimeout = time.Minute }))
		createDeployment(t, e, "watch-shutdown")
		s, err := connectv1.NewDeploymentServiceClient(e.conn).WatchDeployment(e.ctx(t), watchByKey("watch-shutdown"))
		if err != nil {
			t.Fatal(err)
		}
		recvStatus(t, s, "Queued")
		go e.stop()
		wantCode(t, recvEnd(t, s), codes.Unavailable, "SHUTTING_DOWN")
	})
}

// TestWatchUpstreamErrorMidStream: an upstream error ends the stream with
// the status the unary GetDeployment returns for the same answer.
func TestWatchUpstreamErrorMidStream(t *testing.T) {
	checkLeaks(t)
	e := newEnv(t, seeded(), fastPolling())
	createDeployment(t, e, "watch-error")
	c := connectv1.NewDeploymentServiceClient(e.conn)
	s, err := c.WatchDeployment(e.ctx(t), watchByKey("watch-error"))
	if err != nil {
		t.Fatal(err)
	}
	recvStatus(t, s, "Queued")
	if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: "GET", Path: "/demo/deployments/key=watch-error",
		Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "AuthorizationError"}}); err != nil {
		t.Fatal(err)
	}
	streamErr := recvEnd(t, s)
	wantCode(t, streamErr, codes.PermissionDenied, "AUTHORIZATION_ERROR")
	_, err = c.GetDeployment(e.ctx(t), &connectv1.GetDeploymentRequest{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Key{Key: "watch-error"}})
	streamed, unary := status.Convert(streamErr), status.Convert(err)
	if streamed.Code() != unary.Code() || streamed.Message() != unary.Message() ||
		errorInfo(streamed).GetReason() != errorInfo(unary).GetReason() ||
		!slices.Equal(detailTypes(streamed), detailTypes(unary)) {
		t.Errorf("stream ended with %v %v, the unary call with %v %v", streamed.Proto(), detailTypes(streamed), unary.Proto(), detailTypes(unary))
	}
}

// TestWatchRetriesAFaultyPollWithinTheBudget: polls that meet 503s are
// retried (by the upstream client, then by the poller), and the watchers
// see nothing of it; with the retry budget spent, the stream ends with the
// poll's UNAVAILABLE.
func TestWatchRetriesAFaultyPollWithinTheBudget(t *testing.T) {
	fault := connectsim.FaultRule{Method: "GET", Path: "/demo/deployments/key=watch-fault", Times: 4,
		Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Status: 503, Body: `{"statusCode":503,"message":"busy","errors":[]}`}}
	t.Run("retried", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling())
		createDeployment(t, e, "watch-fault")
		s, err := connectv1.NewDeploymentServiceClient(e.conn).WatchDeployment(e.ctx(t), watchByKey("watch-fault"))
		if err != nil {
			t.Fatal(err)
		}
		recvStatus(t, s, "Queued")
		rule, err := e.sim.Faults().Add(fault)
		if err != nil {
			t.Fatal(err)
		}
		e.sim.Advance(time.Hour)
		recvStatus(t, s, "Deployed")
		if err := recvEnd(t, s); err != nil {
			t.Fatalf("ended with %v, want OK", err)
		}
		if r := findRule(e, rule.ID); r != nil {
			t.Errorf("fault rule still has %d of %d hits to go: the poller did not retry through it", fault.Times-r.Hits, fault.Times)
		}
	})
	t.Run("budget spent", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling(), withGateway(func(o *gateway.Options) { o.RetryBudget = upstream.NewRetryBudget(0, 0) }))
		createDeployment(t, e, "watch-fault")
		s, err := connectv1.NewDeploymentServiceClient(e.conn).WatchDeployment(e.ctx(t), watchByKey("watch-fault"))
		if err != nil {
			t.Fatal(err)
		}
		recvStatus(t, s, "Queued")
		rule, err := e.sim.Faults().Add(fault)
		if err != nil {
			t.Fatal(err)
		}
		err = recvEnd(t, s)
		wantCode(t, err, codes.Unavailable, "")
		if md := errorInfo(status.Convert(err)).GetMetadata(); md["httpStatus"] != "503" && md["retryBudgetExhausted"] != "true" {
			t.Errorf("ErrorInfo metadata %v, want the upstream's 503", md)
		}
		// Hits count when a request matches, before the answer is written.
		if r := findRule(e, rule.ID); r == nil || r.Hits != 1 {
			t.Errorf("fault rule %+v, want 1 hit: no retry without budget", r)
		}
	})
}

func findRule(e *env, id string) *connectsim.FaultRule {
	for _, r := range e.sim.Faults().Rules() {
		if r.ID == id {
			return &r
		}
	}
	return nil
}

// TestWatchersShareOnePoller measures the upstream requests of a watch
// from Queued to Deployed with 1 and with 1,000 watchers of the Deployment:
// the pollers poll on the test's ticks, so the journal counts are exact.
func TestWatchersShareOnePoller(t *testing.T) {
	counts := map[int]int{}
	for _, n := range []int{1, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			checkLeaks(t)
			ticks, poll := withPollTicks()
			// The test's 1,000 streams share its one connection: the
			// default per-connection limit would hold all but 100 back.
			manyStreams := withGateway(func(o *gateway.Options) { o.MaxConcurrentStreams = uint32(n) + 10 })
			e := newEnv(t, seeded(), ticks, manyStreams)
			createDeployment(t, e, "watch-many")
			e.sim.Journal().Clear()
			c := connectv1.NewDeploymentServiceClient(e.conn)
			streams := make([]connectv1.DeploymentService_WatchDeploymentClient, n)
			for i := range streams {
				var err error
				if streams[i], err = c.WatchDeployment(e.ctx(t), watchByKey("watch-many")); err != nil {
					t.Fatal(err)
				}
			}
			recvAll := func(want string) {
				t.Helper()
				var wg sync.WaitGroup
				errs := make(chan error, n)
				for _, s := range streams {
					wg.Go(func() {
						m, err := s.Recv()
						if err == nil && m.GetDeployment().GetStatus() != want {
							err = fmt.Errorf("status %s, want %s", m.GetDeployment().GetStatus(), want)
						}
						if err != nil {
							errs <- err
						}
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
			}
			recvAll("Queued")
			if w, _ := e.gw.StreamStats(); w.Pollers != 1 || w.Subscribers != n {
				t.Fatalf("%+v, want 1 poller for %d watchers", w, n)
			}
			e.sim.Advance(5 * time.Second)
			poll.tick(t)
			recvAll("Deploying")
			e.sim.Advance(30 * time.Second)
			poll.tick(t)
			recvAll("Deployed")
			for _, s := range streams {
				if err := recvEnd(t, s); err != nil {
					t.Fatalf("ended with %v, want OK", err)
				}
			}
			counts[n] = e.sim.Journal().Count("GET", "/demo/deployments/key=watch-many")
			t.Logf("%d watchers, Queued to Deployed: %d upstream GETs", n, counts[n])
		})
	}
	if counts[1] != 3 || counts[1000] != counts[1] {
		t.Errorf("upstream GETs: %d for 1 watcher, %d for 1000; want 3 for both (one per poll)", counts[1], counts[1000])
	}
}

// TestWatchPassthroughKeepsCallersApart: under passthrough auth a poll
// uses the token of the callers it polls for only. Callers with the same
// token share a poller; a caller with another token gets its own, and its
// token's answer.
func TestWatchPassthroughKeepsCallersApart(t *testing.T) {
	checkLeaks(t)
	ticks, poll := withPollTicks()
	e := newEnv(t, seeded(), ticks)
	createDeployment(t, e, "watch-auth")
	e.sim.Journal().Clear()
	c := connectv1.NewDeploymentServiceClient(e.conn)
	a1, err := c.WatchDeployment(e.ctx(t), watchByKey("watch-auth"))
	if err != nil {
		t.Fatal(err)
	}
	a2, err := c.WatchDeployment(e.ctx(t), watchByKey("watch-auth"))
	if err != nil {
		t.Fatal(err)
	}
	recvStatus(t, a1, "Queued")
	recvStatus(t, a2, "Queued")
	bogus := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer not-a-token-of-anyone")
	b, err := c.WatchDeployment(bogus, watchByKey("watch-auth"))
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, recvEnd(t, b), codes.Unauthenticated, "INVALID_TOKEN")
	if w, _ := e.gw.StreamStats(); w.Pollers != 1 || w.Subscribers != 2 {
		t.Errorf("%+v, want the two callers with one token on one poller", w)
	}
	e.sim.Advance(time.Hour)
	poll.tick(t)
	recvStatus(t, a1, "Deployed")
	recvStatus(t, a2, "Deployed")
	good, bad := "Bearer "+connectsim.Fingerprint(e.token), connectsim.Fingerprint("Bearer not-a-token-of-anyone")
	byToken := map[string]int{}
	entries, _ := e.sim.Journal().Filter("GET", "/demo/deployments/key=watch-auth")
	for _, en := range entries {
		byToken[en.Header.Get("Authorization")]++
	}
	if byToken[good] != 2 || byToken[bad] != 1 || len(byToken) != 2 {
		t.Errorf("GETs by token fingerprint %v, want 2 with the watchers' token (%s) and 1 with the other (%s)", byToken, good, bad)
	}
}

// TestWatchClientCredentialsShareOnePoller: when the gateway holds the
// credentials every caller shares one poller, whatever it sends.
func TestWatchClientCredentialsShareOnePoller(t *testing.T) {
	checkLeaks(t)
	ticks, _ := withPollTicks()
	e := newEnv(t, seeded(), ticks, withClientCredentials())
	createDeployment(t, e, "watch-cc")
	c := connectv1.NewDeploymentServiceClient(e.conn)
	a, err := c.WatchDeployment(t.Context(), watchByKey("watch-cc"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.WatchDeployment(metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer ignored"), watchByKey("watch-cc"))
	if err != nil {
		t.Fatal(err)
	}
	recvStatus(t, a, "Queued")
	recvStatus(t, b, "Queued")
	if w, _ := e.gw.StreamStats(); w.Pollers != 1 || w.Subscribers != 2 {
		t.Errorf("%+v, want one poller for both callers", w)
	}
}

// readLogs pages through GetDeploymentLogs: the entries the unary call
// gives.
func readLogs(t *testing.T, e *env, key string) []*connectv1.DeploymentLog {
	t.Helper()
	c := connectv1.NewDeploymentServiceClient(e.conn)
	var out []*connectv1.DeploymentLog
	var token *string
	for {
		res, err := c.GetDeploymentLogs(e.ctx(t), &connectv1.GetDeploymentLogsRequest{ProjectKey: "demo",
			Ref: &connectv1.GetDeploymentLogsRequest_Key{Key: key}, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.GetPage().GetData()...)
		if res.GetPage().GetNext() == "" || len(res.GetPage().GetData()) == 0 {
			return out
		}
		next := res.GetPage().GetNext()
		token = &next
	}
}

func tailByKey(key string) *connectv1.TailDeploymentLogsRequest {
	return &connectv1.TailDeploymentLogsRequest{ProjectKey: "demo", Ref: &connectv1.TailDeploymentLogsRequest_Key{Key: key}}
}

func TestTailDeploymentLogs(t *testing.T) {
	smallPages := withSim(func(o *connectsim.Options) { o.LogPageSize = 2 })
	t.Run("to the end of a terminal Deployment", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling(), smallPages)
		createDeployment(t, e, "tail-end")
		e.sim.Advance(time.Hour) // Deployed, its start-up logs written
		req := tailByKey("tail-end")
		req.EndWhenTerminal = true
		s, err := connectv1.NewDeploymentServiceClient(e.conn).TailDeploymentLogs(e.ctx(t), req)
		if err != nil {
			t.Fatal(err)
		}
		var got []*connectv1.DeploymentLog
		for {
			m, err := s.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("tail ended with %v", err)
			}
			got = append(got, m.GetEntries()...)
		}
		want := readLogs(t, e, "tail-end")
		if len(want) == 0 {
			t.Fatal("the Deployment has no logs to tail")
		}
		if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
			t.Errorf("tailed entries differ from the pages of GetDeploymentLogs (-pages +tail):\n%s", diff)
		}
	})
	t.Run("follows new entries until cancelled", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling(), smallPages)
		d := createDeployment(t, e, "tail-follow")
		e.sim.Advance(time.Hour)
		before := readLogs(t, e, "tail-follow")
		ctx, cancel := context.WithCancel(e.ctx(t))
		s, err := connectv1.NewDeploymentServiceClient(e.conn).TailDeploymentLogs(ctx, tailByKey("tail-follow"))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for got < len(before) {
			m, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			got += len(m.GetEntries())
		}
		for i := range 3 {
			if err := e.sim.AddLogs("demo", d.GetId(), connectsim.DeploymentLog{Type: "APPLICATION_TEXT", ApplicationName: "processor",
				Details: map[string]any{"message": fmt.Sprintf("new %d", i)}}); err != nil {
				t.Fatal(err)
			}
			m, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if len(m.GetEntries()) != 1 || m.GetEntries()[0].GetDetails().GetStructValue().GetFields()["message"].GetStringValue() != fmt.Sprintf("new %d", i) {
				t.Fatalf("after adding entry %d: %v", i, m)
			}
		}
		cancel()
		wantCode(t, recvEnd(t, s), codes.Canceled, "")
	})
	t.Run("a consumer beyond its buffer ends RESOURCE_EXHAUSTED", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling(), withGateway(func(o *gateway.Options) { o.Streams.LogBuffer = 1 }))
		createDeployment(t, e, "tail-overflow")
		e.sim.Advance(time.Hour) // six entries at once: more than the buffer holds
		s, err := connectv1.NewDeploymentServiceClient(e.conn).TailDeploymentLogs(e.ctx(t), tailByKey("tail-overflow"))
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, recvEnd(t, s), codes.ResourceExhausted, "STREAM_OVERFLOW")
	})
	t.Run("an upstream error is the status of GetDeploymentLogs", func(t *testing.T) {
		checkLeaks(t)
		e := newEnv(t, seeded(), fastPolling())
		createDeployment(t, e, "tail-error")
		req := tailByKey("tail-error")
		req.StartDate = proto.String("not a date")
		s, err := connectv1.NewDeploymentServiceClient(e.conn).TailDeploymentLogs(e.ctx(t), req)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, recvEnd(t, s), codes.InvalidArgument, "DEPLOYMENT_LOG_INVALID_DATE")
	})
}
