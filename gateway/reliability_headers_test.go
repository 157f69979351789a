package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/metadata"

	"github.com/connect-gateway/connect-gateway/connectsim"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// upstreamHeaders are the only request headers the upstream may see: the
// gateway's own and the transport's.
var upstreamHeaders = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Authorization": true, "Content-Length": true,
	"Content-Type": true, "User-Agent": true, "X-Correlation-Id": true,
}

// TestHeaderAllowList: headers of the caller other than Authorization and
// X-Correlation-ID (Grpc-Metadata-*, which grpc-gateway forwards by
// default, cookies, anything else) never reach the upstream, from the REST
// face or from gRPC metadata.
func TestHeaderAllowList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createStaged(t, "headers")
	rest := []string{
		"Grpc-Metadata-Authorization", "Bearer smuggled", "Grpc-Metadata-X-Tenant", "other",
		"Cookie", "session=abc; csrftoken=def", "X-Forwarded-For", "203.0.113.9",
		"X-Custom", "custom", "Forwarded", "for=203.0.113.9", "X-Correlation-ID", "hdr-rest",
	}
	for _, path := range []string{"/connectors/drafts/key=headers", "/connectors/drafts"} {
		if resp, body := e.rest(t, "GET", path, "", rest...); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
	ctx := metadata.AppendToOutgoingContext(e.ctxWithID(t, t.Context(), "hdr-grpc"),
		"cookie", "session=abc", "x-custom", "custom", "grpc-metadata-x-tenant", "other", "x-forwarded-for", "203.0.113.9")
	if _, err := connectv1.NewConnectorStagedServiceClient(e.conn).GetConnectorStaged(ctx, getStaged("headers")); err != nil {
		t.Fatal(err)
	}

	seen := 0
	for _, en := range e.sim.Journal().Entries() {
		cid := en.Header.Get("X-Correlation-Id")
		if cid != "hdr-rest" && cid != "hdr-grpc" {
			continue
		}
		seen++
		for name := range en.Header {
			if !upstreamHeaders[name] {
				t.Errorf("%s %s (%s) reached the upstream with header %s: %q", en.Method, en.Path, cid, name, en.Header.Values(name))
			}
			if strings.HasPrefix(strings.ToLower(name), "grpc-") {
				t.Errorf("gRPC metadata header %s reached the upstream", name)
			}
		}
		if got := en.Header.Values("Authorization"); len(got) != 1 || got[0] != connectsim.Fingerprint("Bearer "+e.token) {
			t.Errorf("Authorization %q, want exactly the caller's bearer token", got)
		}
	}
	if seen != 3 {
		t.Fatalf("the upstream saw %d of the 3 calls", seen)
	}
}
