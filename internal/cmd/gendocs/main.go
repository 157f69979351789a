// Command gendocs writes docs/errors.md, the error reference, from the error
// catalogue declared in proto/commercetools/connect/errors/v1/catalog.proto
// (read through translate.Entries and translate.GatewayEntries).
//
// `make generate` runs it from the repository root; its test fails when the
// committed page differs from what it would write.
//
//	go run ./internal/cmd/gendocs [-o docs/errors.md]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/connect-gateway/connect-gateway/internal/atomicfile"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gendocs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", filepath.Join("docs", "errors.md"), "file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return atomicfile.Write(*out, renderErrors(currentCatalogue()))
}
