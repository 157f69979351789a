package translate

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestWireSizes: every size function counts what its append writes, for
// field numbers whose tags take one, two and three bytes, so that no size
// depends on the field numbers the details happen to use today.
func TestWireSizes(t *testing.T) {
	t.Parallel()
	kvs := []kv{{"a", "1"}, {"key", strings.Repeat("v", 200)}}
	for _, num := range []protowire.Number{1, 15, 16, 2047, 2048, 1 << 20} {
		if got, want := sizeStr(num, "x"), len(appendStr(nil, num, "x")); got != want {
			t.Errorf("field %d: sizeStr = %d, appendStr writes %d", num, got, want)
		}
		if got, want := sizeMsg(num, 200), len(appendMsgHeader(nil, num, 200))+200; got != want {
			t.Errorf("field %d: sizeMsg = %d, appendMsgHeader and content write %d", num, got, want)
		}
		if got, want := sizeVarintField(num, 300), len(appendVarintField(nil, num, 300)); got != want {
			t.Errorf("field %d: sizeVarintField = %d, appendVarintField writes %d", num, got, want)
		}
		if got, want := sizeMap(num, kvs), len(appendMap(nil, num, kvs)); got != want {
			t.Errorf("field %d: sizeMap = %d, appendMap writes %d", num, got, want)
		}
	}
	if sizeStr(16, "") != 0 || sizeVarintField(16, 0) != 0 {
		t.Error("empty and zero fields are not written, so they have no size")
	}
}
