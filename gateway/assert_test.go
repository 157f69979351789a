package gateway_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
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
