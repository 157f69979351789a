package gateway_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/gateway"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// slowClients is how many slow-body connections TestSlowBodies opens.
const slowClients = 500

// slowClient is one connection that declares a large body and sends it a
// byte at a time.
type slowClient struct {
	conn     net.Conn
	answered atomic.Bool // the gateway answered or closed the connection
	status   atomic.Int32
}

// openSlowClient sends a POST /connectors/drafts header declaring a body of
// 900,000 bytes, then the first 7 bytes of it, and reads the answer in the
// background.
func openSlowClient(t *testing.T, addr, token string, wg *sync.WaitGroup) *slowClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &slowClient{conn: conn}
	fmt.Fprintf(conn, "POST /connectors/drafts HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n{\"key\":", token)
	wg.Go(func() {
		defer c.answered.Store(true)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			c.status.Store(int32(resp.StatusCode))
			resp.Body.Close()
		}
	})
	return c
}

// eventually polls cond every 20 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSlowBodies: 500 connections that declare a 900,000-byte body, send 7
// bytes and then a byte every 2 seconds add at most 32 MiB of heap (the
// body is read only as fast as it arrives, not allocated from its declared
// length), are all answered or closed within the body timeout (the gateway
// turns away those over the readers' share of the concurrency bound at
// once), and calls without a body succeed meanwhile. Not parallel: the heap
// is the whole process's.
func TestSlowBodies(t *testing.T) {
	const bodyTimeout = 3 * time.Second
	e := newEnv(t, withGateway(func(o *gateway.Options) { o.BodyTimeout = bodyTimeout }))
	addr := e.httpURL[len("http://"):]
	if resp, body := e.rest(t, "GET", "/connectors/drafts", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("warm-up: %d %s", resp.StatusCode, body)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	var wg sync.WaitGroup
	clients := make([]*slowClient, slowClients)
	for i := range clients {
		clients[i] = openSlowClient(t, addr, e.token, &wg)
	}
	stopDrip := make(chan struct{})
	dripped := make(chan struct{})
	go func() { // a byte every 2 seconds on every connection still open
		defer close(dripped)
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopDrip:
				return
			case <-tick.C:
				for _, c := range clients {
					if !c.answered.Load() {
						_, _ = c.conn.Write([]byte{'"'})
					}
				}
			}
		}
	}()
	answered := func() int {
		n := 0
		for _, c := range clients {
			if c.answered.Load() {
				n++
			}
		}
		return n
	}
	eventually(t, 10*time.Second, "the gateway does not hold or answer every slow connection", func() bool {
		return gateway.BodyReads(e.gw)+answered() == slowClients
	})
	reading := gateway.BodyReads(e.gw)
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / mib
	t.Logf("%d slow connections (%d being read, %d turned away): heap %.1f MiB -> %.1f MiB (%+.1f MiB)",
		slowClients, reading, slowClients-reading, float64(before.HeapAlloc)/mib, float64(after.HeapAlloc)/mib, grown)
	if grown > 32 {
		t.Errorf("%d slow connections grew the heap by %.1f MiB, want at most 32 MiB", slowClients, grown)
	}
	if reading == 0 {
		t.Error("no slow connection is being read: the test measured nothing")
	}

	// Calls without a body are served while the slow ones hold their share.
	out := &connectv1.QueryConnectorStagedResponse{}
	if err := e.conn.Invoke(e.ctx(t), "/commercetools.connect.v1.ConnectorStagedService/QueryConnectorStaged",
		&connectv1.QueryConnectorStagedRequest{}, out); err != nil {
		t.Errorf("gRPC call during the slow bodies: %v", err)
	}
	if resp, body := e.rest(t, "GET", "/connectors/drafts", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("REST GET during the slow bodies: %d %s", resp.StatusCode, body)
	}

	eventually(t, 3*bodyTimeout, "slow connections still open past the body timeout", func() bool {
		return answered() == slowClients
	})
	close(stopDrip)
	<-dripped
	for _, c := range clients {
		c.conn.Close()
	}
	wg.Wait()
	statuses := map[int32]int{}
	for _, c := range clients {
		statuses[c.status.Load()]++
	}
	t.Logf("answers by HTTP status (0: closed without an answer): %v", statuses)
	for s := range statuses {
		if s != 0 && s != http.StatusBadRequest && s != http.StatusServiceUnavailable {
			t.Errorf("a slow connection was answered %d, want 400 (body timeout) or 503 (over the readers' share)", s)
		}
	}
}

// TestIdleAndSlowHeadersClosed: a keep-alive connection left idle past
// IdleTimeout, and a connection that sends half a header and stops past
// ReadHeaderTimeout, are closed by the gateway.
func TestIdleAndSlowHeadersClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withGateway(func(o *gateway.Options) {
		o.IdleTimeout = 200 * time.Millisecond
		o.ReadHeaderTimeout = 200 * time.Millisecond
	}))
	addr := e.httpURL[len("http://"):]
	cases := map[string]string{
		"idle after a request": "GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n",
		"half a header":        "GET /healthz HTTP/1.1\r\nHost: gate",
	}
	for name, sent := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write([]byte(sent)); err != nil {
				t.Fatal(err)
			}
			// Bounds the test only: the gateway's timeouts are 200 ms.
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(conn)
			if strings.HasSuffix(sent, "\r\n\r\n") {
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			if _, err := br.ReadByte(); err != io.EOF {
				t.Errorf("read %v, want EOF: the gateway closes the connection", err)
			}
		})
	}
}
