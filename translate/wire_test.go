package translate

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
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

// TestStatusWriter: the writer's bytes are the status proto.Marshal writes
// for the status built over them, whichever detail is moved where, with
// values whose lengths take one to three bytes and an empty one.
func TestStatusWriter(t *testing.T) {
	t.Parallel()
	values := []string{"a", strings.Repeat("b", 200), "", strings.Repeat("c", 20_000)}
	urls := []string{urlErrorInfo, urlBadRequest, urlRequestInfo, urlErrorResponse}
	for move := range values {
		var w statusWriter
		w.reset(codes.FailedPrecondition, "message", 0)
		for i, v := range values {
			w.begin(urls[i])
			w.buf = append(w.buf, v...)
			w.finish()
		}
		w.moveLast(move)
		pb := w.status(codes.FailedPrecondition)
		want, err := proto.MarshalOptions{Deterministic: true}.Marshal(pb)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w.buf, want) {
			t.Fatalf("last detail moved to %d: the writer wrote %d bytes, proto.Marshal %d", move, len(w.buf), len(want))
		}
		order := []int{0, 1, 2}
		order = slices.Insert(order, move, 3)
		for i, d := range pb.GetDetails() {
			if d.GetTypeUrl() != urls[order[i]] || string(d.GetValue()) != values[order[i]] {
				t.Fatalf("last detail moved to %d: detail %d is %s (%d bytes), want %s (%d bytes)",
					move, i, d.GetTypeUrl(), len(d.GetValue()), urls[order[i]], len(values[order[i]]))
			}
		}
	}
}

// TestMinimalStatus: the last resort, which no body reaches while clipping
// bounds every detail, writes the status it builds.
func TestMinimalStatus(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"}]}`,
		`{"statusCode":409,"message":"m","errors":[]}`,
	} {
		e := FromResponse(409, nil, []byte(body), Target{})
		e.tr.w = &statusWriter{}
		e.tr.minimal()
		pb := e.tr.w.status(e.code)
		want, err := proto.Marshal(pb)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.tr.w.buf, want) {
			t.Fatalf("%s: the writer wrote %x, proto.Marshal %x", body, e.tr.w.buf, want)
		}
		if info := onlyErrorInfo(t, pb); info.GetMetadata()[MetadataTruncated] != "true" || pb.GetMessage() != "upstream error too large to translate" {
			t.Fatalf("%s: minimal status %v", body, pb)
		}
	}
}

// TestErrorConcurrentUse: an Error is safe for concurrent use whichever of
// its methods is called first (run with -race): every goroutine sees the
// same wire form, message and status.
func TestErrorConcurrentUse(t *testing.T) {
	t.Parallel()
	body := threeErrorBody()
	want := FromResponse(400, nil, body, benchTarget)
	wantWire := want.WireStatus()
	e := FromResponse(400, nil, body, benchTarget)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			var wire, msg string
			switch i % 4 { // which method comes first
			case 0:
				wire, msg = e.WireStatus(), e.Message()
			case 1:
				msg, wire = e.Message(), e.WireStatus()
			case 2:
				_ = e.StatusProto()
				wire, msg = e.WireStatus(), e.Message()
			default:
				_ = e.Error()
				msg, wire = e.GRPCStatus().Message(), e.WireStatus()
			}
			if wire != wantWire || msg != want.Message() || !proto.Equal(e.StatusProto(), want.StatusProto()) {
				t.Errorf("goroutine %d: a different status", i)
			}
		})
	}
	wg.Wait()
}
