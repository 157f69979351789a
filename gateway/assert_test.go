package gateway_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connect-gateway/connect-gateway/translate"
)

// assertSameJSON fails unless a and b are equal as JSON documents.
func assertSameJSON(t testing.TB, want, got []byte) {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		raw []byte
		v   *any
	}{{want, &x}, {got, &y}} {
		d := json.NewDecoder(bytes.NewReader(p.raw))
		d.UseNumber()
		if err := d.Decode(p.v); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, p.raw)
		}
	}
	if diff := cmp.Diff(x, y); diff != "" {
		t.Errorf("JSON differs (-want +got):\n%s", diff)
	}
}

// errorResponseJSON renders what translate.ErrorResponseOf(err) returns as
// Connect JSON (extra_json values are JSON text), for assertSameJSON.
func errorResponseJSON(t testing.TB, err error) []byte {
	t.Helper()
	resp, ok := translate.ErrorResponseOf(err)
	if !ok {
		t.Fatalf("ErrorResponseOf(%v) found no ErrorResponse", err)
	}
	withExtras := func(m map[string]any, extras map[string]string) map[string]any {
		for k, v := range extras {
			m[k] = json.RawMessage(v)
		}
		return m
	}
	errs := make([]any, 0, len(resp.GetErrors()))
	for _, o := range resp.GetErrors() {
		errs = append(errs, withExtras(map[string]any{"code": o.GetCode(), "message": o.GetMessage()}, o.GetExtraJson()))
	}
	b, merr := json.Marshal(withExtras(map[string]any{"statusCode": resp.GetStatusCode(), "message": resp.GetMessage(), "errors": errs}, resp.GetExtraJson()))
	if merr != nil {
		t.Fatalf("ErrorResponseOf(%v) = %v, which does not render: %v", err, resp, merr)
	}
	return b
}
