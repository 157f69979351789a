package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

// TestRESTErrorsAreConnectsBytes: the REST face answers an upstream error
// with the upstream's own bytes (its formatting, its key order, and the
// errors a gRPC status has to drop to stay small), as it answers a
// success; but never bytes that hold a secret of the call, which its
// translation, scrubbed, replaces.
func TestRESTErrorsAreConnectsBytes(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t)
	if len(e.token) < 6 {
		t.Fatalf("token %q too short to be searched for", e.token)
	}
	var many strings.Builder
	many.WriteString(`{"statusCode":400,"message":"Request body does not contain valid JSON.","errors":[`)
	for i := range 2000 {
		if i > 0 {
			many.WriteByte(',')
		}
		fmt.Fprintf(&many, `{"code":"InvalidJsonInput","message":"error %d","detailedErrorMessage":"field %d"}`, i, i)
	}
	many.WriteString(`]}`)
	tests := []struct {
		name   string
		status int
		body   string
		same   bool // the answer is the upstream's bytes
	}{
		{"formatting and key order", 409, "{\n  \"errors\": [ {\"message\": \"stale\", \"currentVersion\": 5, \"code\": \"ConcurrentModification\", \"expectedVersion\": 3} ],\n  \"message\": \"stale\",\n  \"statusCode\": 409, \"traceId\": \"t-1\"\n}\n", true},
		{"more errors than a status holds", 400, many.String(), true},
		{"the token first under a key given twice", 400, `{"statusCode":400,"message":"token ` + e.token + `","message":"bad","errors":[{"code":"InvalidInput","message":"bad"}]}`, false},
		{"the token last under a key given twice", 400, `{"statusCode":400,"message":"bad","message":"token ` + e.token + `","errors":[{"code":"InvalidInput","message":"bad"}]}`, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := fmt.Sprintf("rest-error-%d", i)
			if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: "GET", Path: "/connectors/drafts/key=" + key, Times: 1,
				Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Status: tt.status, Body: tt.body}}); err != nil {
				t.Fatal(err)
			}
			resp, body := doHTTP(t, "GET", e.httpURL+"/connectors/drafts/key="+key, "",
				"Authorization", "Bearer "+e.token, "X-Correlation-ID", "cid-"+key)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if ct, cid := resp.Header.Get("Content-Type"), resp.Header.Get("X-Correlation-ID"); ct != "application/json; charset=utf-8" || cid != "cid-"+key {
				t.Errorf("Content-Type %q and X-Correlation-ID %q, want the upstream's application/json; charset=utf-8 and cid-%s", ct, cid, key)
			}
			switch {
			case tt.same && !bytes.Equal(body, []byte(tt.body)):
				t.Errorf("body (%d bytes) is not the upstream's (%d bytes):\n%.300s", len(body), len(tt.body), body)
			case !tt.same && (bytes.Contains(body, []byte(e.token)) || !json.Valid(body)):
				t.Errorf("body holds the token, or is not JSON: %s", body)
			case !tt.same && !bytes.Contains(body, []byte(`"InvalidInput"`)):
				t.Errorf("body lost the upstream's error: %s", body)
			}
		})
	}
}
