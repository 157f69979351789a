package translate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

// wellFormed is the fuzz oracle, written with encoding/json and independent
// of parse.go: an object with an integer statusCode (no fraction or exponent,
// within int32), a string message, and an errors array of objects with a
// string code and a string message.
func wellFormed(body []byte) bool {
	if !json.Valid(body) {
		return false
	}
	v, err := decodeJSON(body)
	if err != nil {
		return false
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	sc, ok := m["statusCode"].(json.Number)
	if !ok || strings.ContainsAny(string(sc), ".eE") {
		return false
	}
	if _, err := strconv.ParseInt(string(sc), 10, 32); err != nil {
		return false
	}
	if _, ok := m["message"].(string); !ok {
		return false
	}
	errs, ok := m["errors"].([]any)
	if !ok {
		return false
	}
	for _, e := range errs {
		o, ok := e.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := o["code"].(string); !ok {
			return false
		}
		if _, ok := o["message"].(string); !ok {
			return false
		}
	}
	return true
}

// neverTruncatedBelow is a body size under which no well-formed body is
// truncated: each byte of the body appears at most six times in the status,
// and 6 × 800 bytes plus the fixed overhead is under MaxStatusBytes.
const neverTruncatedBelow = 800

func addFuzzSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/upstream/*.json")
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		e, _ := Lookup(strings.TrimSuffix(filepath.Base(file), ".json"))
		f.Add(e.HTTPStatus, body)
	}
	for _, s := range []struct {
		status int
		body   string
	}{
		{502, "<html><body><h1>502 Bad Gateway</h1></body></html>"},
		{500, ""},
		{400, `{"statusCode":400,"message":"Request body does not contain valid JSON.","errors":[{"code":"InvalidJs`},
		{400, `[{"code":"InvalidJsonInput","message":"m"}]`},
		{404, `"not found"`},
		{400, `{"statusCode":"400","message":5,"errors":{}}`},
		{400, `{"statusCode":400,"message":"m","errors":[{"code":5,"message":null}]}`},
		{409, `{"statusCode":400,"message":"m","errors":[{"code":"ConcurrentModification","message":"m","expectedVersion":"3"}]}`},
		{404, `{"statusCode":404,"message":"m","errors":[]}`},
		{401, `{"statusCode":401,"message":"invalid_token","errors":[{"code":"invalid_token","message":"invalid_token"}],"error":"invalid_token"}`},
		{400, `{"statusCode":400,"message":"m","errors":[{"code":"X","message":"m","n":12345678901234567890,"o":{"a":[1,{"b":null}]}}],"x":1e400}`},
		{400, strings.Repeat("[", 10001) + strings.Repeat("]", 10001)},
		{400, `{"statusCode":400,"message":"m","errors":[{"code":"DuplicateField","message":"m","duplicateValue":` + strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200) + `}]}`},
		{400, string(manyErrorBody(2000))},
		{302, `{"statusCode":400,"message":"m","errors":[]}`},
		{400, "{\"statusCode\":400,\"message\":\"\xff\",\"errors\":[{\"code\":\"\\u0041\",\"message\":\"\\ud800\"}]}"},
		{429, `{"statusCode":429,"statusCode":4e2,"message":"m","errors":[]}`},
	} {
		f.Add(s.status, []byte(s.body))
	}
}

// FuzzFromResponse checks, for any HTTP status and body: no panic; a status
// that is never OK, whose code and label the Error knew before building it; exactly one ErrorInfo; details that unmarshal; the size
// bound; WireStatus and Message, asked for before the status is built, equal
// to the built status's (checkWireStatus); the round trip for a well-formed ErrorResponse of an error status,
// through ToResponse and through ErrorResponseOf (unless truncated, which bodies under neverTruncatedBelow never are); and
// otherwise the malformed path, whose REST rendering is a valid gateway
// ErrorResponse.
func FuzzFromResponse(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, httpStatus int, body []byte) {
		target := Target{ResourceType: "Deployment", Key: "tax-prod", CorrelationID: "cid-fuzz"}
		e := FromResponse(httpStatus, nil, body, target)
		if e == nil {
			t.Fatal("nil Error")
		}
		code, label := e.Code(), e.Parts().Label // known before the status is built
		pb := e.GRPCStatus().Proto()
		if codes.Code(pb.GetCode()) != code {
			t.Fatalf("Code() = %v before the status was built, the status has %v", code, codes.Code(pb.GetCode()))
		}
		if codes.Code(pb.GetCode()) == codes.OK {
			t.Fatal("OK status")
		}
		info := onlyErrorInfo(t, pb) // also unmarshals every detail
		if size := statusSize(pb); size > MaxStatusBytes {
			t.Fatalf("status is %d bytes, over %d", size, MaxStatusBytes)
		}
		gotStatus, _, out := ToResponse(e.GRPCStatus())
		checkRESTResponse(t, e)
		checkWireStatus(t, e, FromResponse(httpStatus, nil, body, target))
		if !json.Valid(out) {
			t.Fatalf("REST body is not JSON: %s", out)
		}
		if gotStatus != e.HTTPStatus() {
			t.Fatalf("ToResponse answers %d, HTTPStatus() says %d", gotStatus, e.HTTPStatus())
		}
		if wellFormed(body) && httpStatus >= 400 && httpStatus <= 599 {
			if info.GetDomain() != DomainConnect {
				t.Fatalf("well-formed body took the %s/%s path", info.GetDomain(), info.GetReason())
			}
			if label != LabelUncatalogued && label != info.GetMetadata()[MetadataCode] {
				t.Fatalf("label %q, ErrorInfo.metadata code %q", label, info.GetMetadata()[MetadataCode])
			}
			if info.GetMetadata()[MetadataTruncated] != "" {
				if len(body) < neverTruncatedBelow {
					t.Fatalf("a %d-byte body was truncated", len(body))
				}
				if !bytes.Equal(e.Parts().UpstreamBody, body) {
					t.Fatal("a truncated translation does not keep the upstream's body")
				}
				return
			}
			if !bytes.Equal(e.Parts().UpstreamBody, body) {
				t.Fatalf("Parts().UpstreamBody = %q, want the upstream's body", e.Parts().UpstreamBody)
			}
			if gotStatus != httpStatus {
				t.Fatalf("REST status %d, want %d", gotStatus, httpStatus)
			}
			if d := jsonDiff(body, out); d != "" {
				t.Fatalf("round trip differs (-upstream +rest):\n%s", d)
			}
			checkErrorResponseOf(t, e.GRPCStatus().Err(), body)
			return
		}
		if info.GetDomain() != DomainGateway || info.GetReason() != "UPSTREAM_MALFORMED_ERROR" {
			t.Fatalf("malformed body took the %s/%s path", info.GetDomain(), info.GetReason())
		}
		if e.Parts().UpstreamBody != nil {
			t.Fatal("a malformed body is kept as the upstream's body")
		}
		checkGatewayBody(t, gotStatus, out)
	})
}
