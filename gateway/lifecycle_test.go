package gateway_test

import (
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"

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
