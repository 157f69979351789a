package upstream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/sync/singleflight"
)

// DefaultTokenTimeout bounds one call to the token endpoint.
const DefaultTokenTimeout = 10 * time.Second

// ClientCredentialsConfig configures [NewClientCredentials].
type ClientCredentialsConfig struct {
	// ClientID and ClientSecret are the API client's credentials. The
	// secret never appears in logs or errors; this type's String and
	// LogValue redact it.
	ClientID, ClientSecret string
	// TokenURL is the auth host ("https://auth.europe-west1.gcp.commercetools.com",
	// then "/oauth/token" is appended) or the full token endpoint.
	TokenURL string
	// Scopes are requested with the token, for example
	// "manage_project:my-project".
	Scopes []string
	// Timeout bounds one token request, whoever waits for it. Default 10s.
	Timeout time.Duration
	// HTTPClient calls the token endpoint. Default: a client of its own,
	// with TLSConfig when set.
	HTTPClient *http.Client
	TLSConfig  *tls.Config
}

// String describes c without its secret.
func (c ClientCredentialsConfig) String() string {
	return fmt.Sprintf("client credentials {client_id: %q, token_url: %q, scopes: %q, secret: [REDACTED]}",
		c.ClientID, c.TokenURL, c.Scopes)
}

// GoString describes c without its secret, for %#v.
func (c ClientCredentialsConfig) GoString() string { return c.String() }

// LogValue describes c without its secret, for slog.
func (c ClientCredentialsConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", c.ClientID),
		slog.String("token_url", c.TokenURL),
		slog.Any("scopes", c.Scopes),
	)
}

// Environment variable names read by [ClientCredentialsFromEnv]: the names
// commercetools tools already use.
const (
	EnvClientID     = "CTP_CLIENT_ID"
	EnvClientSecret = "CTP_CLIENT_SECRET"
	EnvAuthURL      = "CTP_AUTH_URL"
	EnvScopes       = "CTP_SCOPES"
)

// ClientCredentialsFromEnv reads CTP_CLIENT_ID, CTP_CLIENT_SECRET,
// CTP_AUTH_URL and CTP_SCOPES (separated by spaces or commas) through
// getenv, usually [os.Getenv]. It fails when one of the first three is
// empty, naming the missing variables (never their values).
func ClientCredentialsFromEnv(getenv func(string) string) (ClientCredentialsConfig, error) {
	c := ClientCredentialsConfig{
		ClientID:     getenv(EnvClientID),
		ClientSecret: getenv(EnvClientSecret),
		TokenURL:     getenv(EnvAuthURL),
		Scopes: strings.FieldsFunc(getenv(EnvScopes), func(r rune) bool {
			return r == ' ' || r == ',' || r == '\t' || r == '\n'
		}),
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{EnvClientID, c.ClientID}, {EnvClientSecret, c.ClientSecret}, {EnvAuthURL, c.TokenURL},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("upstream: client credentials: %s not set", strings.Join(missing, ", "))
	}
	return c, nil
}

// tokenURL accepts an auth host or a token endpoint and returns the token
// endpoint.
func tokenURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("upstream: token URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("upstream: token URL %q: want an absolute http or https URL", raw)
	}
	if u.User != nil {
		return "", errors.New("upstream: token URL must not hold credentials")
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/oauth/token"
	}
	return u.String(), nil
}

// ClientCredentials is an [Auth] holding the gateway's own API client: it
// fetches a token with the OAuth 2.0 client credentials grant
// (golang.org/x/oauth2/clientcredentials), caches it until shortly before
// it expires, and shares one fetch between all the callers that need a
// token at the same time.
//
// Unlike oauth2.ReuseTokenSource, a fetch is bounded by its own timeout and
// each caller waits only until its own deadline (the fetch goes on for the
// others), and a token the upstream rejects can be dropped.
type ClientCredentials struct {
	cfg     clientcredentials.Config
	http    *http.Client
	timeout time.Duration

	group singleflight.Group
	mu    sync.Mutex
	tok   *oauth2.Token
}

// NewClientCredentials checks cfg and returns an Auth for it. It makes no
// request: the first call fetches the first token.
func NewClientCredentials(cfg ClientCredentialsConfig) (*ClientCredentials, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("upstream: client credentials: client id and secret are required")
	}
	tu, err := tokenURL(cfg.TokenURL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("upstream: client credentials: negative timeout")
	}
	setDefault(&cfg.Timeout, DefaultTokenTimeout)
	hc := cfg.HTTPClient
	if hc == nil {
		t := NewTransport(4)
		t.TLSClientConfig = cfg.TLSConfig
		hc = &http.Client{Transport: t, CheckRedirect: noRedirects}
	}
	return &ClientCredentials{
		cfg: clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     tu,
			Scopes:       cfg.Scopes,
			// commercetools takes HTTP Basic auth; naming the style avoids
			// x/oauth2's auto-detection, which sends a second request when
			// the first is rejected.
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		http:    hc,
		timeout: cfg.Timeout,
	}, nil
}

// Token returns the cached token, or waits for a shared fetch of a new one
// until ctx ends.
func (c *ClientCredentials) Token(ctx context.Context, _ *Request) (string, error) {
	if tok := c.cached(); tok != "" {
		return tok, nil
	}
	ch := c.group.DoChan("token", func() (any, error) { return c.fetch() })
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", contextError(ctx, "waiting for an access token")
	}
}

// Invalidate drops token from the cache if it is still the cached one, and
// returns true: the next Token fetches a new one.
func (c *ClientCredentials) Invalidate(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil && c.tok.AccessToken == token {
		c.tok = nil
	}
	return true
}

// CloseIdleConnections closes the token client's idle connections.
func (c *ClientCredentials) CloseIdleConnections() { c.http.CloseIdleConnections() }

func (c *ClientCredentials) cached() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.Valid() { // Valid is false for nil and within 10s of expiry
		return c.tok.AccessToken
	}
	return ""
}

// fetch runs once for all concurrent callers, on a context of its own so
// that the first caller's deadline does not fail the others.
func (c *ClientCredentials) fetch() (string, error) {
	if tok := c.cached(); tok != "" { // fetched while this caller queued
		return tok, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	tok, err := c.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, c.http))
	if err != nil {
		return "", tokenError(ctx, err, c.timeout)
	}
	c.mu.Lock()
	c.tok = tok
	c.mu.Unlock()
	return tok.AccessToken, nil
}

// tokenError classifies a token endpoint failure without letting the
// response body (which may echo the request) into the message.
func tokenError(ctx context.Context, err error, timeout time.Duration) *Error {
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok && re.Response != nil {
		status := re.Response.StatusCode
		cause := fmt.Errorf("token endpoint answered HTTP %d", status)
		if re.ErrorCode != "" && isOAuthErrorCode(re.ErrorCode) {
			cause = fmt.Errorf("token endpoint answered HTTP %d %s", status, re.ErrorCode)
		}
		kind := KindAuthUnavailable
		if status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden {
			kind = KindAuthRejected
		}
		return &Error{Kind: kind, Err: cause}
	}
	if ctx.Err() != nil {
		return &Error{Kind: KindAuthUnavailable, Err: fmt.Errorf("no answer within %v: %w", timeout, context.DeadlineExceeded)}
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return &Error{Kind: KindAuthUnavailable, Err: ue.Err}
	}
	// x/oauth2's own errors (a response without access_token, bad JSON)
	// may quote the body: keep only that the answer was unusable.
	return &Error{Kind: KindAuthUnavailable, Err: errors.New("the answer holds no usable access token")}
}

// isOAuthErrorCode reports whether s looks like an RFC 6749 error code
// (invalid_client, ...), so that it is safe to quote.
func isOAuthErrorCode(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}
