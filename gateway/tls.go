package gateway

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// TLSFiles name the PEM files of a listener's TLS. The files are read again
// when they change (a rotated certificate, a Kubernetes Secret updated in
// place): each new connection's handshake uses the files as they are then,
// and connections already open are not touched.
type TLSFiles struct {
	// CertFile and KeyFile are the server's certificate chain and key.
	CertFile, KeyFile string
	// ClientCAFile, when set, makes the listener require a client
	// certificate that chains to one of its certificates (mutual TLS).
	ClientCAFile string
}

// UpstreamTLS configures the TLS of the connections to the upstream.
type UpstreamTLS struct {
	// CAFile, when set, is the bundle of CA certificates the upstream's
	// certificate must chain to, instead of the system's roots: a private
	// CA, or a mesh's. It is read once, at start.
	CAFile string
	// CertFile and KeyFile, when set, are the client certificate the
	// gateway presents to the upstream; they are read again when they
	// change.
	CertFile, KeyFile string
}

// tlsFiles loads a certificate, its key and optionally a CA bundle from
// files, and again whenever one of them changes: each call of load looks
// at the files' size and modification time, and reads them only when those
// differ from the last good load. A load that fails (a certificate written
// but not yet its key) keeps the last good files and is retried on the next
// call; it is logged once per change.
type tlsFiles struct {
	cert, key, ca string
	log           *slog.Logger

	mu     sync.Mutex
	seen   [3]fileStamp // the files of the last good load
	failed [3]fileStamp // the files of the last failed load, logged once
	pair   *tls.Certificate
	pool   *x509.CertPool
}

// fileStamp is what tells a changed file from the last one read: its size,
// modification time and identity (inode), so that a file renamed over the
// old one, or a Secret volume's symlink swapped, counts as changed even
// within the file system's clock tick.
type fileStamp struct {
	size int64
	mod  time.Time
	id   uint64
}

func newTLSFiles(cert, key, ca string, log *slog.Logger) (*tlsFiles, error) {
	f := &tlsFiles{cert: cert, key: key, ca: ca, log: cmp.Or(log, slog.Default())}
	if _, _, err := f.load(); err != nil {
		return nil, err
	}
	return f, nil
}

// load returns the certificate and CA pool, read again when a file
// changed. It fails only when no good load was ever made.
func (f *tlsFiles) load() (*tls.Certificate, *x509.CertPool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	stamps, err := f.stamps()
	if err == nil && stamps == f.seen {
		return f.pair, f.pool, nil
	}
	if err == nil {
		err = f.read(stamps)
	}
	if err != nil {
		if f.pair == nil {
			return nil, nil, err
		}
		if stamps != f.failed {
			f.failed = stamps
			f.log.Warn("TLS files changed but do not load: keeping the previous certificate", "cert", f.cert, "error", err)
		}
		return f.pair, f.pool, nil
	}
	if f.seen != ([3]fileStamp{}) {
		f.log.Info("TLS files reloaded", "cert", f.cert)
	}
	f.seen = stamps
	return f.pair, f.pool, nil
}

func (f *tlsFiles) stamps() ([3]fileStamp, error) {
	var s [3]fileStamp
	for i, name := range []string{f.cert, f.key, f.ca} {
		if name == "" {
			continue
		}
		fi, err := os.Stat(name)
		if err != nil {
			return s, fmt.Errorf("TLS file: %w", err)
		}
		s[i] = fileStamp{fi.Size(), fi.ModTime(), fileID(fi)}
	}
	return s, nil
}

func (f *tlsFiles) read(stamps [3]fileStamp) error {
	var pair *tls.Certificate
	if f.cert != "" || f.key != "" {
		p, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			return fmt.Errorf("TLS certificate %s and key %s: %w", f.cert, f.key, err)
		}
		pair = &p
	}
	var pool *x509.CertPool
	if f.ca != "" {
		var err error
		if pool, err = loadCAs(f.ca); err != nil {
			return err
		}
	}
	f.pair, f.pool = pair, pool
	return nil
}

// loadCAs reads a PEM bundle of CA certificates.
func loadCAs(name string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("CA bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA bundle %s: no PEM certificate in it", name)
	}
	return pool, nil
}

// serverTLS returns the TLS configuration of a listener: each handshake
// takes the files as they are then. nextProtos are the ALPN protocols.
func serverTLS(files *TLSFiles, nextProtos []string, log *slog.Logger) (*tls.Config, error) {
	if files.CertFile == "" || files.KeyFile == "" {
		return nil, errors.New("TLS needs both a certificate and a key file")
	}
	f, err := newTLSFiles(files.CertFile, files.KeyFile, files.ClientCAFile, log)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			pair, pool, err := f.load()
			if err != nil {
				return nil, err
			}
			c := &tls.Config{
				MinVersion:   tls.VersionTLS12,
				Certificates: []tls.Certificate{*pair},
				NextProtos:   nextProtos,
			}
			if pool != nil {
				c.ClientCAs, c.ClientAuth = pool, tls.RequireAndVerifyClientCert
			}
			return c, nil
		},
	}, nil
}

// Config returns the TLS configuration u describes, nil when it asks for
// nothing but the defaults: for clients of the upstream's hosts other than
// the gateway's own (the token endpoint).
func (u UpstreamTLS) Config(log *slog.Logger) (*tls.Config, error) { return clientTLS(u, log) }

// clientTLS returns the TLS configuration of the upstream connections, or
// nil when u asks for nothing but the defaults.
func clientTLS(u UpstreamTLS, log *slog.Logger) (*tls.Config, error) {
	if u == (UpstreamTLS{}) {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if u.CAFile != "" {
		pool, err := loadCAs(u.CAFile)
		if err != nil {
			return nil, fmt.Errorf("upstream %w", err)
		}
		c.RootCAs = pool
	}
	if u.CertFile != "" || u.KeyFile != "" {
		if u.CertFile == "" || u.KeyFile == "" {
			return nil, errors.New("an upstream client certificate needs both a certificate and a key file")
		}
		f, err := newTLSFiles(u.CertFile, u.KeyFile, "", log)
		if err != nil {
			return nil, fmt.Errorf("upstream client %w", err)
		}
		c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			pair, _, err := f.load()
			return pair, err
		}
	}
	return c, nil
}

// tlsMode names a listener's TLS for the log: off, tls or mtls.
func tlsMode(f *TLSFiles) string {
	switch {
	case f == nil:
		return "off"
	case f.ClientCAFile != "":
		return "mtls"
	}
	return "tls"
}
