package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// TestServeDebug: the heap profile answers (with the runtime's memory
// statistics in its text form), and the command line page does not.
func TestServeDebug(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := serveDebug(ctx, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, want string
		code       int
	}{
		{"/debug/pprof/heap?gc=1&debug=1", "# HeapInuse = ", http.StatusOK},
		{"/debug/pprof/goroutine?debug=1", "goroutine profile: total ", http.StatusOK},
		{"/debug/pprof/cmdline", "", http.StatusNotFound},
	} {
		resp, err := http.Get("http://" + addr.String() + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || !strings.Contains(string(body), c.want) {
			t.Errorf("GET %s: %d, want %d and a body with %q", c.path, resp.StatusCode, c.code, c.want)
		}
	}
}
