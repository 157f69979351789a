package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/connect-gateway/connect-gateway/gen/openapiv2"
)

// openAPIHandler serves the OpenAPI v2 description of the REST face
// (gen/openapiv2/connect.swagger.json, embedded at build time) at
// GET /openapi.json, with an ETag so that clients can revalidate cheaply.
func openAPIHandler() http.Handler {
	spec := openapiv2.JSON()
	sum := sha256.Sum256([]byte(spec))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "openapi.json", time.Time{}, strings.NewReader(spec))
	})
}
