package upstream

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTransportCarriesWhatOutgrowsItsBuffers: a header line and bodies many
// times the connections' buffers (connBufferSize) go through whole, both
// ways.
func TestTransportCarriesWhatOutgrowsItsBuffers(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("h", 10*connBufferSize)
	respBody := bytes.Repeat([]byte("r"), 50*connBufferSize)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, err := io.ReadAll(r.Body)
		if err != nil || len(got) != 150*connBufferSize || r.Header.Get("X-Long") != long {
			http.Error(w, "request damaged", http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Long", long)
		_, _ = w.Write(respBody)
	}))
	defer srv.Close()
	tr := NewTransport(1)
	defer tr.CloseIdleConnections()
	for range 2 { // the second on the kept-alive connection
		req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(bytes.Repeat([]byte("q"), 150*connBufferSize)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Long", long)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(got, respBody) || resp.Header.Get("X-Long") != long {
			t.Fatalf("status %d, %d body bytes (want %d), header intact: %t, err %v",
				resp.StatusCode, len(got), len(respBody), resp.Header.Get("X-Long") == long, err)
		}
	}
}
