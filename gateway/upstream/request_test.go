package upstream

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// requestURLBases are base URLs with and without a path, with a port, an
// empty port and none, an IPv6 host and upper case.
var requestURLBases = []string{
	"http://127.0.0.1:8080",
	"https://connect.europe-west1.gcp.commercetools.com",
	"http://upstream:",
	"http://upstream/prefix",
	"http://[::1]:9000",
	"HTTP://Upstream.Example:443",
}

// checkRequestURL checks that the request newHTTPRequest builds for path
// and query below base has the URL and Host that http.NewRequest gives for
// the whole URL string, and fails where it fails.
func checkRequestURL(t *testing.T, c *Client, path, rawQuery string) {
	t.Helper()
	full := c.base + path
	if rawQuery != "" {
		full += "?" + rawQuery
	}
	want, werr := http.NewRequest(http.MethodGet, full, nil)
	got, err := c.newHTTPRequest(context.Background(), &Request{Method: http.MethodGet, Path: path, RawQuery: rawQuery}, "id", "")
	switch {
	case (err != nil) != (werr != nil):
		t.Fatalf("%s %q %q: error %v, want %v", c.base, path, rawQuery, err, werr)
	case err != nil:
		return
	case *got.URL != *want.URL || got.Host != want.Host:
		t.Fatalf("%s %q %q: URL %#v host %q, want %#v host %q", c.base, path, rawQuery, *got.URL, got.Host, *want.URL, want.Host)
	}
}

// TestRequestURL: a request's URL is what parsing base + path + "?" +
// query gives, whether the client sets the path and query on its parsed
// base (the gateway's paths and encoded queries) or parses the whole.
func TestRequestURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ path, query string }{
		{"/connectors/key=my-connector_1", ""},
		{"/connectors/0f8fad5b-d9cb-469f-a165-70867728950e", ""},
		{"/connectors/drafts", url.Values{"limit": {"5"}, "where": {`key = "a b"`, "x#y"}}.Encode()},
		{"/connectors/key=a%20b", ""},                // an escape: parsed
		{"/connectors/a b", ""},                      // a character to escape: parsed
		{"/connectors/a!b", ""},                      // escaped in a path by url.URL
		{"/connectors?x", ""},                        // a query in the path
		{"//evil.example/x", ""},                     // a path that looks like an authority
		{"/connectors", "where=a#b"},                 // a fragment in the query: parsed
		{"/connectors", "where=\x01"},                // a control character: an error
		{"/connectors", "sort=key asc&expand=a;b?c"}, // taken as it is
	}
	for _, base := range requestURLBases {
		c := newTestClient(t, base, Options{})
		if want := base != "http://upstream/prefix"; c.basePathless != want {
			t.Errorf("%s: basePathless %v, want %v", base, c.basePathless, want)
		}
		for _, tc := range cases {
			checkRequestURL(t, c, tc.path, tc.query)
		}
	}
	for _, tc := range cases[:3] {
		if !plainURLPart(tc.path, false) || !plainURLPart(tc.query, true) {
			t.Errorf("%q %q is not plain: the gateway's own requests would be parsed", tc.path, tc.query)
		}
	}
}

func FuzzRequestURL(f *testing.F) {
	f.Add(uint8(0), "/connectors/key=my-connector", "limit=5&sort=key+asc")
	f.Add(uint8(1), "/connectors/key=a%20b", "")
	f.Add(uint8(2), "//x/y", "a#b")
	f.Add(uint8(3), "/a?b", "c\x7f")
	clients := make([]*Client, len(requestURLBases))
	for i, base := range requestURLBases {
		clients[i] = newTestClient(f, base, Options{})
	}
	f.Fuzz(func(t *testing.T, base uint8, path, rawQuery string) {
		if path == "" || path[0] != '/' {
			return // Do refuses it before building a request
		}
		checkRequestURL(t, clients[int(base)%len(clients)], path, rawQuery)
	})
}
