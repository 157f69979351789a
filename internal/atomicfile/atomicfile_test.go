package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/connect-gateway/connect-gateway/internal/atomicfile"
)

// TestWrite writes into a folder that does not exist yet, then replaces
// the file: the content is the last one written, the mode 0644, and no
// temporary file is left behind.
func TestWrite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "page.md")
	for _, content := range []string{"first", "second"} {
		if err := atomicfile.Write(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "second" {
		t.Fatalf("read %q, %v; want second", got, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v; want 0644", fi.Mode().Perm(), err)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil || len(entries) != 1 {
		t.Fatalf("folder holds %v (%v), want only page.md", entries, err)
	}
	if err := atomicfile.Write(filepath.Join(path, "under-a-file"), nil); err == nil {
		t.Fatal("writing under a file succeeded")
	}
}
