package upstream_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
)

// A gRPC handler calls Do once per RPC. An upstream error answer is a
// Response to translate; only a call without an answer is an error, whose
// Kind names the gateway reason.
func ExampleClient_Do() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"statusCode":409,"message":"version","errors":[{"code":"ConcurrentModification","message":"version"}]}`)
	}))
	defer srv.Close()

	c, err := upstream.New(upstream.Options{BaseURL: srv.URL, Auth: upstream.PassthroughAuth{}})
	if err != nil {
		panic(err)
	}
	defer c.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.Do(ctx, &upstream.Request{
		Method: "POST", Path: "/connectors/drafts/key=my-connector",
		Body: []byte(`{"version":1,"actions":[]}`), Bearer: "token-from-the-caller",
	})
	fmt.Println(resp.StatusCode, resp.Attempts, err)

	_, err = c.Do(ctx, &upstream.Request{Method: "POST", Path: "/connectors/drafts", Body: make([]byte, 2<<20)})
	if e, ok := errors.AsType[*upstream.Error](err); ok {
		fmt.Println(e.Kind, errors.Is(err, upstream.ErrRequestTooLarge))
	}
	// Output:
	// 409 1 <nil>
	// REQUEST_TOO_LARGE true
}
