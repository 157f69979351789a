package gateway_test

import (
	"bytes"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/connect-gateway/connect-gateway/gateway"
)

// TestGRPCConnectionLifecycle reads what the gRPC server tells a client on
// a raw HTTP/2 connection: its SETTINGS limit the concurrent streams to
// MaxConcurrentStreams, and once the connection is MaxConnectionAge old the
// server sends GOAWAY, so that the client reconnects (to another replica,
// behind a balancer).
func TestGRPCConnectionLifecycle(t *testing.T) {
	t.Parallel()
	b := startGateway(t, gateway.Options{
		UpstreamURL:          "http://127.0.0.1:1",
		Logger:               discard,
		MaxConnectionAge:     300 * time.Millisecond,
		MaxConcurrentStreams: 7,
	})
	fr := dialHTTP2(t, b.grpcAddr)
	var streams uint32
	sawStreams := false
	goAway := readUntilGoAway(t, fr, func(f *http2.SettingsFrame) {
		streams, sawStreams = f.Value(http2.SettingMaxConcurrentStreams)
	})
	if !sawStreams || streams != 7 {
		t.Errorf("SETTINGS_MAX_CONCURRENT_STREAMS %d (sent: %v), want 7", streams, sawStreams)
	}
	if goAway.ErrCode != http2.ErrCodeNo {
		t.Errorf("GOAWAY %v, want NO_ERROR (a graceful age-out)", goAway.ErrCode)
	}
}

// TestKeepaliveEnforcement: a client that pings more often than
// KeepaliveMinTime is disconnected with GOAWAY ENHANCE_YOUR_CALM
// ("too_many_pings"), so ping floods cost the server nothing.
func TestKeepaliveEnforcement(t *testing.T) {
	t.Parallel()
	b := startGateway(t, gateway.Options{UpstreamURL: "http://127.0.0.1:1", Logger: discard})
	fr := dialHTTP2(t, b.grpcAddr)
	for i := range 5 {
		if err := fr.WritePing(false, [8]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if f := readUntilGoAway(t, fr, nil); f.ErrCode != http2.ErrCodeEnhanceYourCalm || string(f.DebugData()) != "too_many_pings" {
		t.Errorf("GOAWAY %v %q, want ENHANCE_YOUR_CALM too_many_pings", f.ErrCode, f.DebugData())
	}
}

// TestGRPCFlowControlIsFixed reads the gRPC server's flow control on a raw
// HTTP/2 connection: its SETTINGS give every stream room for the largest
// request the gateway accepts, and a call leaves no PING behind it (the
// bandwidth-delay probe grpc-go's dynamic window sends after data, with a
// WINDOW_UPDATE before it, on every call).
func TestGRPCFlowControlIsFixed(t *testing.T) {
	t.Parallel()
	const maxRequest = 1 << 20
	b := startGateway(t, gateway.Options{UpstreamURL: "http://127.0.0.1:1", Logger: discard, MaxRequestBytes: maxRequest})
	fr := dialHTTP2(t, b.grpcAddr)
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", "/grpc.health.v1.Health/Check"},
		{":authority", "gateway"}, {"content-type", "application/grpc"}, {"te", "trailers"}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]}) // writes to a bytes.Buffer
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true}); err != nil {
		t.Fatal(err)
	}
	if err := fr.WriteData(1, true, []byte{0, 0, 0, 0, 0}); err != nil { // an empty HealthCheckRequest
		t.Fatal(err)
	}
	window, sawWindow := uint32(0), false
	var pings, updates int
	for ended := false; !ended; {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("the call did not end: %v", err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if f.IsAck() {
				continue
			}
			window, sawWindow = f.Value(http2.SettingInitialWindowSize)
			if err := fr.WriteSettingsAck(); err != nil {
				t.Fatal(err)
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				pings++
			}
		case *http2.WindowUpdateFrame:
			if f.StreamID == 0 && f.Increment != 4<<20-65535 { // the one that opens the connection's window
				updates++
			}
		case *http2.HeadersFrame:
			ended = f.StreamEnded()
		case *http2.RSTStreamFrame:
			t.Fatalf("the call was reset: %v", f.ErrCode)
		}
	}
	if !sawWindow || window != maxRequest+5 {
		t.Errorf("SETTINGS_INITIAL_WINDOW_SIZE %d (sent: %v), want %d", window, sawWindow, maxRequest+5)
	}
	if pings != 0 || updates != 0 {
		t.Errorf("the server sent %d PINGs and %d connection WINDOW_UPDATEs after one small call, want none", pings, updates)
	}
}

// dialHTTP2 opens a raw HTTP/2 connection to addr (the preface and empty
// SETTINGS sent) and returns its framer.
func dialHTTP2(t *testing.T, addr string) *http2.Framer {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // bounds the test, not a timing assertion
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	fr.ReadMetaHeaders = nil
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	return fr
}

// readUntilGoAway answers the server's SETTINGS (passing them to settings)
// until it sends GOAWAY, and returns that.
func readUntilGoAway(t *testing.T, fr *http2.Framer, settings func(*http2.SettingsFrame)) *http2.GoAwayFrame {
	t.Helper()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no GOAWAY before the connection ended: %v", err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if f.IsAck() {
				continue
			}
			if settings != nil {
				settings(f)
			}
			if err := fr.WriteSettingsAck(); err != nil {
				t.Fatal(err)
			}
		case *http2.GoAwayFrame:
			return f
		}
	}
}
