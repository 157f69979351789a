package translate

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps translate pure: no package that does I/O, and nothing of
// the gateway, the simulator or the commands (imports flow one way:
// cmd → gateway → translate → gen, with the JSON core below translate).
func TestImports(t *testing.T) {
	t.Parallel()
	const module = "github.com/connect-gateway/connect-gateway/"
	forbidden := map[string]bool{"os": true, "os/exec": true, "io/ioutil": true, "io/fs": true, "log": true, "log/slog": true, "net/http/httptest": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if forbidden[path] {
				t.Errorf("%s imports %s: translate does no I/O", f, path)
			}
			if strings.HasPrefix(path, module) && !strings.HasPrefix(path, module+"gen/") && path != module+"internal/jsoncore" {
				t.Errorf("%s imports %s: translate may import only gen/ and internal/jsoncore", f, path)
			}
		}
	}
}
