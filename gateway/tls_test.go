package gateway_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	pool *x509.CertPool
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pool: pool}
}

// issue makes a leaf certificate for 127.0.0.1 (server and client use)
// with serial, and returns it as PEM with its key.
func (ca *testCA) issue(t *testing.T, cn string, serial int64) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// writeFiles writes name -> contents into dir, replacing each file the
// way a Secret volume does: a new file renamed over the old one.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// tlsGateway is a gateway with TLS on both listeners, in front of a
// simulator, and what a test needs to reach it.
type tlsGateway struct {
	dir        string
	grpcAddr   string
	httpAddr   string
	token      string
	serverCA   *testCA
	clientCA   *testCA
	clientCert tls.Certificate
}

func startTLSGateway(t *testing.T, mutual bool) *tlsGateway {
	t.Helper()
	g := &tlsGateway{dir: t.TempDir(), serverCA: newTestCA(t, "server CA"), clientCA: newTestCA(t, "client CA")}
	cert, key := g.serverCA.issue(t, "gateway", 100)
	writeFiles(t, g.dir, map[string][]byte{"tls.crt": cert, "tls.key": key, "client-ca.crt": g.clientCA.pem})
	ccert, ckey := g.clientCA.issue(t, "caller", 200)
	var err error
	if g.clientCert, err = tls.X509KeyPair(ccert, ckey); err != nil {
		t.Fatal(err)
	}
	files := &gateway.TLSFiles{CertFile: filepath.Join(g.dir, "tls.crt"), KeyFile: filepath.Join(g.dir, "tls.key")}
	if mutual {
		files.ClientCAFile = filepath.Join(g.dir, "client-ca.crt")
	}
	sim := connectsim.New(connectsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { sim.Close(); srv.Close() })
	if g.token, err = sim.Token(context.Background(), connectsim.DefaultClient()); err != nil {
		t.Fatal(err)
	}
	g.grpcAddr, g.httpAddr = serveGateway(t, gateway.Options{UpstreamURL: srv.URL, GRPCTLS: files, HTTPTLS: files})
	return g
}

// serveGateway serves a gateway with opts on loopback listeners until the
// test ends and returns the gRPC and HTTP addresses.
func serveGateway(t *testing.T, opts gateway.Options) (grpcAddr, httpAddr string) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = discard
	}
	b := startGateway(t, opts)
	return b.grpcAddr, strings.TrimPrefix(b.httpURL, "http://")
}

func (g *tlsGateway) dial(t *testing.T, cfg *tls.Config) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(g.grpcAddr, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// call makes one gRPC call over conn and returns the serial number of the
// certificate the gateway presented on it.
func (g *tlsGateway) call(t *testing.T, conn *grpc.ClientConn) (int64, error) {
	t.Helper()
	var p peer.Peer
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+g.token)
	_, err := connectv1.NewConnectorStagedServiceClient(conn).QueryConnectorStaged(ctx, &connectv1.QueryConnectorStagedRequest{}, grpc.Peer(&p))
	if err != nil {
		return 0, err
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok {
		t.Fatalf("peer auth %T, want TLS", p.AuthInfo)
	}
	return info.State.PeerCertificates[0].SerialNumber.Int64(), nil
}

// TestTLSListeners: with a certificate both listeners speak TLS only (the
// HTTP one HTTP/2 and HTTP/1.1), and with a client CA they require a client
// certificate it signed.
func TestTLSListeners(t *testing.T) {
	t.Parallel()
	for _, mutual := range []bool{false, true} {
		name := map[bool]string{false: "TLS", true: "mTLS"}[mutual]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := startTLSGateway(t, mutual)
			withCert := &tls.Config{RootCAs: g.serverCA.pool, Certificates: []tls.Certificate{g.clientCert}}
			if _, err := g.call(t, g.dial(t, withCert)); err != nil {
				t.Errorf("call with a trusted server and a client certificate: %v", err)
			}
			_, err := g.call(t, g.dial(t, &tls.Config{RootCAs: g.serverCA.pool}))
			if mutual && status.Code(err) != codes.Unavailable {
				t.Errorf("call without a client certificate: %v, want UNAVAILABLE (handshake refused)", err)
			}
			if !mutual && err != nil {
				t.Errorf("call without a client certificate: %v", err)
			}
			plain, err := grpc.NewClient(g.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer plain.Close()
			if _, err := healthpb.NewHealthClient(plain).Check(t.Context(), &healthpb.HealthCheckRequest{}); status.Code(err) != codes.Unavailable {
				t.Errorf("plain-text call to a TLS listener: %v, want UNAVAILABLE", err)
			}

			for _, proto := range []string{"h2", "http/1.1"} {
				tr := &http.Transport{TLSClientConfig: withCert.Clone(), ForceAttemptHTTP2: proto == "h2"}
				tr.TLSClientConfig.NextProtos = []string{proto}
				resp, err := (&http.Client{Transport: tr}).Get("https://" + g.httpAddr + "/healthz")
				if err != nil {
					t.Fatalf("HTTPS %s: %v", proto, err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || resp.TLS == nil || resp.TLS.NegotiatedProtocol != proto {
					t.Errorf("HTTPS %s: status %d, negotiated %q", proto, resp.StatusCode, resp.TLS.NegotiatedProtocol)
				}
				tr.CloseIdleConnections()
			}
			if mutual {
				tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: g.serverCA.pool}}
				if resp, err := (&http.Client{Transport: tr}).Get("https://" + g.httpAddr + "/healthz"); err == nil {
					resp.Body.Close()
					t.Errorf("HTTPS without a client certificate answered %d, want a refused handshake", resp.StatusCode)
				}
			}
		})
	}
}

// TestTLSReload: certificate files replaced on disk are used by the next
// connection, without a restart, while a connection opened before keeps
// working; files that do not load keep the previous certificate.
func TestTLSReload(t *testing.T) {
	t.Parallel()
	g := startTLSGateway(t, true)
	cfg := &tls.Config{RootCAs: g.serverCA.pool, Certificates: []tls.Certificate{g.clientCert}}
	old := g.dial(t, cfg)
	if serial, err := g.call(t, old); err != nil || serial != 100 {
		t.Fatalf("first call: serial %d, %v", serial, err)
	}

	// A new server certificate from a new CA, and a new client CA.
	newServerCA, newClientCA := newTestCA(t, "server CA 2"), newTestCA(t, "client CA 2")
	cert, key := newServerCA.issue(t, "gateway", 101)
	writeFiles(t, g.dir, map[string][]byte{"tls.crt": cert, "tls.key": key, "client-ca.crt": newClientCA.pem})
	ccert, ckey := newClientCA.issue(t, "caller 2", 201)
	newClient, err := tls.X509KeyPair(ccert, ckey)
	if err != nil {
		t.Fatal(err)
	}
	fresh := g.dial(t, &tls.Config{RootCAs: newServerCA.pool, Certificates: []tls.Certificate{newClient}})
	if serial, err := g.call(t, fresh); err != nil || serial != 101 {
		t.Errorf("call on a new connection: serial %d, %v; want the new certificate (101)", serial, err)
	}
	if serial, err := g.call(t, old); err != nil || serial != 100 {
		t.Errorf("call on the connection opened before: serial %d, %v; want it kept open (100)", serial, err)
	}
	if _, err := g.call(t, g.dial(t, cfg)); err == nil {
		t.Error("a new connection with the old client certificate was accepted after the client CA changed")
	}

	// A key that does not match: the last good pair stays.
	_, badKey := newServerCA.issue(t, "other", 102)
	writeFiles(t, g.dir, map[string][]byte{"tls.key": badKey})
	if serial, err := g.call(t, g.dial(t, &tls.Config{RootCAs: newServerCA.pool, Certificates: []tls.Certificate{newClient}})); err != nil || serial != 101 {
		t.Errorf("after a bad key: serial %d, %v; want the last good certificate (101)", serial, err)
	}
}

// TestUpstreamTLS: the gateway trusts the CA bundle it is given for the
// upstream, and presents its client certificate to an upstream that
// requires one.
func TestUpstreamTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	serverCA, clientCA := newTestCA(t, "upstream CA"), newTestCA(t, "gateway client CA")
	scert, skey := serverCA.issue(t, "upstream", 300)
	ccert, ckey := clientCA.issue(t, "gateway", 301)
	writeFiles(t, dir, map[string][]byte{"ca.crt": serverCA.pem, "client.crt": ccert, "client.key": ckey})
	pair, err := tls.X509KeyPair(scert, skey)
	if err != nil {
		t.Fatal(err)
	}
	sim := connectsim.New(connectsim.Options{})
	srv := httptest.NewUnstartedServer(sim)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: clientCA.pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	t.Cleanup(func() { sim.Close(); srv.Close() })
	token, err := sim.Token(context.Background(), connectsim.DefaultClient())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		tls  gateway.UpstreamTLS
		want codes.Code
	}{
		{"CA bundle and client certificate", gateway.UpstreamTLS{CAFile: filepath.Join(dir, "ca.crt"),
			CertFile: filepath.Join(dir, "client.crt"), KeyFile: filepath.Join(dir, "client.key")}, codes.OK},
		{"no client certificate", gateway.UpstreamTLS{CAFile: filepath.Join(dir, "ca.crt")}, codes.Unavailable},
		{"system roots", gateway.UpstreamTLS{}, codes.Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			grpcAddr, _ := serveGateway(t, gateway.Options{UpstreamURL: srv.URL, UpstreamTLS: c.tls})
			conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+token)
			_, err = connectv1.NewConnectorStagedServiceClient(conn).QueryConnectorStaged(ctx, &connectv1.QueryConnectorStagedRequest{})
			if status.Code(err) != c.want {
				t.Errorf("call: %v, want %v", err, c.want)
			}
		})
	}
}

// TestTLSConfigErrors: TLS files that cannot be used fail New with an error
// naming them, instead of a listener that fails every handshake.
func TestTLSConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	for name, opts := range map[string]gateway.Options{
		"missing certificate": {GRPCTLS: &gateway.TLSFiles{CertFile: missing, KeyFile: missing}},
		"key without cert":    {HTTPTLS: &gateway.TLSFiles{KeyFile: missing}},
		"missing CA bundle":   {UpstreamTLS: gateway.UpstreamTLS{CAFile: missing}},
		"client cert only":    {UpstreamTLS: gateway.UpstreamTLS{CertFile: missing}},
	} {
		opts.UpstreamURL = "http://127.0.0.1:1"
		opts.Logger = discard
		if _, err := gateway.New(opts); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
