package layering

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/connect-gateway/connect-gateway/"

// allowed lists, for each layer (a path prefix of the module), the layers
// its non-test code may import. The first matching prefix decides.
var allowed = []struct {
	layer string
	may   []string
}{
	{"gen/", []string{"gen/"}},
	{"internal/jsoncore", nil},  // the JSON text layer under translate and the gateway
	{"internal/pathparam", nil}, // Connect's path parameter rules, for the gateway and the simulator
	{"translate", []string{"gen/", "internal/jsoncore"}},
	{"connectsim", []string{"connectsim", "translate", "gen/", "internal/pathparam"}},
	{"gateway", []string{"gateway", "translate", "gen/", "internal/jsoncore", "internal/pathparam"}},
	{"cmd/connect-gateway", []string{"gateway", "connectsim", "translate", "gen/"}},
	{"cmd/connect-sim", []string{"connectsim", "translate", "gen/"}},
	{"cmd/", []string{"cmd/", "gateway", "connectsim", "translate", "gen/", "bench", "internal/"}},
	{"bench", []string{"bench", "gateway", "connectsim", "translate", "gen/", "internal/"}},
	{"internal/", []string{"internal/", "gateway", "connectsim", "translate", "gen/"}},
	// The replica test drives the built binaries over the network: it
	// imports only the generated client.
	{"replicas", []string{"gen/"}},
}

// TestImportsFlowOneWay fails when a package imports a layer above it:
// translate importing gateway, the gateway importing the simulator, ...
func TestImportsFlowOneWay(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "deploy" || name == "clients") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, build.ImportComment)
		if err != nil {
			return nil // no Go files here
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		may, ok := rulesFor(rel)
		if !ok {
			t.Errorf("package %s is in no layer: add it to the table", rel)
			return nil
		}
		checked++
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			target := strings.TrimPrefix(imp, module)
			if !hasAnyPrefix(target, may) {
				t.Errorf("%s imports %s: its layer may import only %v", rel, target, may)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 8 {
		t.Errorf("checked only %d packages; is the walk rooted at the module?", checked)
	}
}

func rulesFor(rel string) ([]string, bool) {
	for _, r := range allowed {
		if strings.HasPrefix(rel+"/", r.layer) || strings.HasPrefix(rel, r.layer) {
			return r.may, true
		}
	}
	return nil, rel == "."
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func TestTableCatchesAViolation(t *testing.T) {
	t.Parallel()
	may, _ := rulesFor("translate")
	if hasAnyPrefix("gateway/upstream", may) {
		t.Error("translate may import gateway/upstream by the table")
	}
	may, _ = rulesFor("gateway/wirejson")
	if hasAnyPrefix("connectsim", may) {
		t.Error("the gateway may import the simulator by the table")
	}
}
