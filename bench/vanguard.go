package bench

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"connectrpc.com/vanguard"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// startVanguard serves a vanguard transcoder for ConnectorStagedService
// whose target is REST: each gRPC call becomes the REST call of the
// method's google.api.http rule, reverse-proxied to the upstream on a
// transport tuned as the gateway's (see [upstream.NewTransport]). The server
// speaks HTTP/1.1 and cleartext HTTP/2, which grpc-go clients use.
func (r *Rig) startVanguard(maxConns int) error {
	target, err := url.Parse(r.UpstreamURL)
	if err != nil {
		return fmt.Errorf("bench: upstream URL: %w", err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	transport := upstream.NewTransport(maxConns)
	proxy.Transport = transport
	sd := connectv1.File_commercetools_connect_v1_connector_staged_service_proto.Services().ByName("ConnectorStagedService")
	if sd == nil {
		return errors.New("bench: ConnectorStagedService descriptor not found")
	}
	svc := vanguard.NewServiceWithSchema(sd, proxy, vanguard.WithTargetProtocols(vanguard.ProtocolREST))
	tc, err := vanguard.NewTranscoder([]*vanguard.Service{svc})
	if err != nil {
		return fmt.Errorf("bench: vanguard transcoder: %w", err)
	}
	ln, err := listen()
	if err != nil {
		return err
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Handler: tc, Protocols: &protocols, ReadHeaderTimeout: 10 * time.Second,
		// net/http allows 250 concurrent streams per HTTP/2 connection by
		// default; grpc-go servers (the gateway's) allow any number, and a
		// grpc-go client multiplexes every call on one connection.
		HTTP2: &http.HTTP2Config{MaxConcurrentStreams: 1 << 16},
	}
	go func() { _ = srv.Serve(ln) }()
	r.VanguardAddr = ln.Addr().String()
	r.onClose(func() error {
		transport.CloseIdleConnections()
		return srv.Close()
	})
	return nil
}
