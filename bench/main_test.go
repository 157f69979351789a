package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// rig is shared by the tests and benchmarks of the package that need the
// plain loopback rig (no upstream delay).
var rig *Rig

func TestMain(m *testing.M) {
	var err error
	rig, err = Start(context.Background(), Options{ClientConns: 64})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := rig.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "bench: closing the rig:", err)
		code = 1
	}
	os.Exit(code)
}
