package gateway_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/connect-gateway/connect-gateway/connectsim/scenario"
)

// FuzzRESTFace drives the whole REST face in process (the gateway's HTTP
// handler, in front of a simulator on loopback) with fuzzed request lines
// and bodies: the handler never panics, and every answer is either a 2xx
// JSON body or a valid Connect ErrorResponse whose statusCode is the HTTP
// status. The operational endpoints (/healthz, /readyz, /metrics,
// /openapi.json) answer in their own formats and are only checked for not
// panicking.
//
// Run it long with `make fuzz-long`.
func FuzzRESTFace(f *testing.F) {
	for _, sc := range scenario.All() {
		rq := sc.Request
		target := rq.Path
		if len(rq.Query) > 0 {
			target += "?" + url.Values(rq.Query).Encode()
		}
		f.Add(rq.Method, strings.ReplaceAll(target, "{{project}}", "demo"), []byte(rq.Body))
	}
	for _, s := range []struct{ method, target, body string }{
		{"GET", "/connectors/drafts?limit=2&offset=0&sort=key+asc", ""},
		{"GET", "/connectors/drafts/key=", ""},
		{"GET", "/connectors/drafts/key=a=b", ""},
		{"GET", "/connectors/drafts/%2e%2e/%2e%2e/x", ""},
		{"GET", "/connectors//drafts", ""},
		{"GET", "/connectors/drafts/../search", ""},
		{"POST", "/connectors/drafts", `{"key":"k","name":"n","integrationTypes":["psp"],"creator":{"email":"a@b"},"repository":{"url":"u","tag":"t"}}`},
		{"POST", "/connectors/drafts", `{"name":` + strings.Repeat("[", 5000)},
		{"POST", "/connectors/drafts/key=k", `{"version":1,"actions":[{"action":"nope"}]}`},
		{"POST", "/connectors/drafts/key=k", `{"version":"1e999","actions":{}}`},
		{"POST", "/demo/deployments", `{"key":"d","connector":{"key":"c","staged":true},"region":"x","configurations":[{"applicationName":"a","securedConfiguration":[{"key":"K","value":"v"}]}]}`},
		{"DELETE", "/demo/deployments/key=d?version=1", ""},
		{"GET", "/demo/deployments/key=d/logs?applicationName=a&pageToken=%ff", ""},
		{"GET", "/connectors/search?where=" + strings.Repeat("a", 3000), ""},
		{"PUT", "/connectors/drafts", "{}"},
		{"OPTIONS", "*", ""},
		{"GET", "http://other.example/connectors/drafts", ""},
		{"GET", "/healthz", ""},
		{"PATCH", "/%zz", ""},
		{"GET", "/connectors/drafts?limit=-1&limit=2&expand=\x00", ""},
	} {
		f.Add(s.method, s.target, []byte(s.body))
	}
	e := newEnv(f)
	h := e.gw.HTTPHandler()
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		req, ok := parseRequest(method, target, body, e.token)
		if !ok {
			return // a request line the HTTP server itself rejects
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if operational(req) {
			return
		}
		if err := checkRESTAnswer(rec.Code, rec.Header(), rec.Body.Bytes()); err != "" {
			t.Fatalf("%s %q: %s\nstatus %d, body %s", method, target, err, rec.Code, rec.Body.Bytes())
		}
	})
}

// parseRequest reads a request as the HTTP server would, from its request
// line, a Host, the bearer token, and body.
func parseRequest(method, target string, body []byte, token string) (*http.Request, bool) {
	var b bytes.Buffer
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	req, err := http.ReadRequest(bufio.NewReader(&b))
	if err != nil {
		return nil, false
	}
	req.RemoteAddr = "192.0.2.1:1234"
	return req, true
}

// operational reports whether req is for one of the endpoints that are not
// the Connect API.
func operational(req *http.Request) bool {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false
	}
	switch req.URL.Path {
	case "/healthz", "/readyz", "/metrics", "/openapi.json":
		return true
	}
	return false
}

// checkRESTAnswer returns what is wrong with a REST face answer, or "".
func checkRESTAnswer(code int, header http.Header, body []byte) string {
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return "Content-Type " + ct + ", want application/json"
	}
	if !json.Valid(body) {
		return "the body is not JSON"
	}
	switch {
	case code >= 200 && code <= 299:
		return ""
	case code < 400 || code > 599:
		return "status " + strconv.Itoa(code) + " is neither a success nor an error"
	}
	var er struct {
		StatusCode *int    `json:"statusCode"`
		Message    *string `json:"message"`
		Errors     []struct {
			Code    *string `json:"code"`
			Message *string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &er); err != nil {
		return "the body is not an ErrorResponse: " + err.Error()
	}
	switch {
	case er.StatusCode == nil || *er.StatusCode != code:
		return "statusCode differs from the HTTP status"
	case er.Message == nil || *er.Message == "":
		return "no message"
	case len(er.Errors) == 0:
		return "no error object"
	}
	for _, o := range er.Errors {
		if o.Code == nil || *o.Code == "" || o.Message == nil {
			return "an error object without code or message"
		}
	}
	return ""
}
