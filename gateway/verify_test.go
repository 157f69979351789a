package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// misbehaviour is what a wrapped upstream does with the first matching
// write after applying it.
type misbehaviour int

const (
	answer500 misbehaviour = iota // apply, then answer 500 General
	reset                         // apply, then drop the connection
	hang                          // apply, then never answer
)

// applyThen applies the first POST to path (on the simulator), then
// misbehaves; later requests pass through.
func applyThen(path string, how misbehaviour) envOption {
	var done atomic.Bool
	return withUpstream(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, path) || done.Swap(true) {
				next.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(httptest.NewRecorder(), r) // the write happens
			switch how {
			case answer500:
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"statusCode":500,"message":"Write operations are temporarily unavailable","errors":[{"code":"General","message":"Write operations are temporarily unavailable"}]}`))
			case reset:
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
			case hang:
				<-r.Context().Done()
			}
		})
	})
}

func TestAmbiguousCreateIsVerifiedByReadingBack(t *testing.T) {
	t.Parallel()
	for name, how := range map[string]misbehaviour{"500": answer500, "reset after send": reset, "timeout": hang} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, applyThen("/connectors/drafts", how))
			client := connectv1.NewConnectorStagedServiceClient(e.conn)
			ctx, cancel := context.WithTimeout(e.ctx(t), 3*time.Second)
			defer cancel()
			start := time.Now()
			resp, err := client.CreateConnectorStaged(ctx, &connectv1.CreateConnectorStagedRequest{Draft: stagedDraft("ambiguous")})
			if err != nil {
				t.Fatalf("create: %v, want OK after reading back", err)
			}
			if cs := resp.GetConnectorStaged(); cs.GetKey() != "ambiguous" || cs.GetVersion() != 1 {
				t.Errorf("answered %v, want the created ConnectorStaged", cs)
			}
			if posts := e.sim.Journal().Count("POST", "/connectors/drafts"); posts != 1 {
				t.Errorf("%d POSTs reached the upstream, want exactly 1", posts)
			}
			if gets := e.sim.Journal().Count("GET", "/connectors/drafts/*"); gets != 1 {
				t.Errorf("%d GETs read back, want 1", gets)
			}
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("took %v, beyond the caller's deadline", elapsed)
			}
		})
	}
}

func TestAmbiguousCreateNotAppliedIsNotClaimed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: "POST", Path: "/connectors/drafts",
		Action: connectsim.FaultAction{Kind: connectsim.FaultResetBeforeHeaders}}); err != nil {
		t.Fatal(err)
	}
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	_, err := client.CreateConnectorStaged(e.ctx(t), &connectv1.CreateConnectorStagedRequest{Draft: stagedDraft("lost")})
	if status.Code(err) != codes.Internal {
		t.Fatalf("%v, want INTERNAL (outcome unknown)", err)
	}
	if info, _ := translate.ErrorInfoOf(err); info.GetReason() != "OUTCOME_UNKNOWN" {
		t.Errorf("reason %q, want OUTCOME_UNKNOWN", info.GetReason())
	}
	if !strings.Contains(status.Convert(err).Message(), "does not exist") {
		t.Errorf("message %q does not say what reading back found", status.Convert(err).Message())
	}
	if posts := e.sim.Journal().Count("POST", "/connectors/drafts"); posts != 1 {
		t.Errorf("%d POSTs, want exactly 1", posts)
	}
}

func TestAmbiguousUpdateComparesVersions(t *testing.T) {
	t.Parallel()
	rename := func(cs *connectv1.ConnectorStaged) *connectv1.UpdateConnectorStagedRequest {
		return &connectv1.UpdateConnectorStagedRequest{
			Ref:     &connectv1.UpdateConnectorStagedRequest_Id{Id: cs.GetId()},
			Version: cs.GetVersion(),
			Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_SetName{
				SetName: &connectv1.ConnectorStagedSetNameAction{Name: "renamed"}}}},
		}
	}
	t.Run("applied", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, applyThen("/connectors/drafts/", answer500))
		client := connectv1.NewConnectorStagedServiceClient(e.conn)
		created, err := client.CreateConnectorStaged(e.ctx(t), &connectv1.CreateConnectorStagedRequest{Draft: stagedDraft("upd")})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.UpdateConnectorStaged(e.ctx(t), rename(created.GetConnectorStaged()))
		if err != nil {
			t.Fatalf("update: %v, want OK after reading back", err)
		}
		if cs := resp.GetConnectorStaged(); cs.GetName() != "renamed" || cs.GetVersion() != 2 {
			t.Errorf("answered %v, want the renamed ConnectorStaged at version 2", cs)
		}
		if posts := e.sim.Journal().Count("POST", "/connectors/drafts/*"); posts != 1 {
			t.Errorf("%d update POSTs, want exactly 1", posts)
		}
	})
	t.Run("not applied", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		client := connectv1.NewConnectorStagedServiceClient(e.conn)
		created, err := client.CreateConnectorStaged(e.ctx(t), &connectv1.CreateConnectorStagedRequest{Draft: stagedDraft("upd")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: "POST", Path: "/connectors/drafts/*", Times: 1,
			Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "General"}}); err != nil {
			t.Fatal(err)
		}
		_, err = client.UpdateConnectorStaged(e.ctx(t), rename(created.GetConnectorStaged()))
		if status.Code(err) != codes.Internal {
			t.Fatalf("%v, want INTERNAL", err)
		}
		// The upstream's own General error says the outcome is unknown.
		if info, _ := translate.ErrorInfoOf(err); info.GetReason() != "GENERAL" {
			t.Errorf("reason %q, want GENERAL (the upstream's answer)", info.GetReason())
		}
		if posts := e.sim.Journal().Count("POST", "/connectors/drafts/*"); posts != 1 {
			t.Errorf("%d update POSTs, want exactly 1", posts)
		}
		got, err := client.GetConnectorStaged(e.ctx(t), &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: "upd"}})
		if err != nil || got.GetConnectorStaged().GetVersion() != 1 {
			t.Errorf("after the failed update: %v %v, want version 1", got, err)
		}
	})
}

// TestCreateWithoutKeyIsNotVerified: without a key there is nothing to read
// back by, so the outcome stays unknown.
func TestCreateWithoutKeyIsNotVerified(t *testing.T) {
	t.Parallel()
	e := newEnv(t, applyThen("/connectors/drafts", reset))
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	draft := stagedDraft("x")
	draft.Key = nil
	_, err := client.CreateConnectorStaged(e.ctx(t), &connectv1.CreateConnectorStagedRequest{Draft: draft})
	if status.Code(err) != codes.Internal {
		t.Fatalf("%v, want INTERNAL", err)
	}
	if info, _ := translate.ErrorInfoOf(err); info.GetReason() != "OUTCOME_UNKNOWN" {
		t.Errorf("reason %q, want OUTCOME_UNKNOWN", info.GetReason())
	}
}
