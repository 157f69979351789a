package deploy

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// envName is the shape of the gateway's environment variables.
var envName = regexp.MustCompile(`^(GATEWAY|CTP)_[A-Z0-9_]+$`)

// gatewayNames are the flag names and environment variables the gateway
// reads, taken from the string literals of its command and upstream
// packages in the main module (this module cannot import them). A manifest
// that sets a name outside them sets nothing the gateway sees.
type gatewayNames struct {
	env   map[string]bool
	flags map[string]bool
}

// readGatewayNames parses the non-test Go files of the given folders.
// Flags are the string literals of cmd/connect-gateway (every flag name is
// one); environment variables are the literals shaped like one.
func readGatewayNames(cmdDir string, otherDirs ...string) (*gatewayNames, error) {
	n := &gatewayNames{env: map[string]bool{}, flags: map[string]bool{}}
	for i, dir := range append([]string{cmdDir}, otherDirs...) {
		lits, err := stringLiterals(dir)
		if err != nil {
			return nil, err
		}
		for _, s := range lits {
			if envName.MatchString(s) {
				n.env[s] = true
			} else if i == 0 {
				n.flags[s] = true
			}
		}
	}
	if len(n.env) == 0 {
		return nil, fmt.Errorf("no environment variable names found in %s", cmdDir)
	}
	return n, nil
}

func stringLiterals(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the gateway's sources: %w", err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parsing the gateway's sources: %w", err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			if lit, ok := node.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out = append(out, s)
				}
			}
			return true
		})
	}
	return out, nil
}
