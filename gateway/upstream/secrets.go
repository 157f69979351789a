package upstream

// Secrets returns what c holds that must never leave the process: the
// client secret and the cached access token, if any. The gateway searches
// the errors it returns for them (an upstream may echo a request in its
// error), so that none is passed on.
func (c *ClientCredentials) Secrets() []string {
	out := []string{c.cfg.ClientSecret}
	c.mu.Lock()
	if c.tok != nil && c.tok.AccessToken != "" {
		out = append(out, c.tok.AccessToken)
	}
	c.mu.Unlock()
	return out
}
