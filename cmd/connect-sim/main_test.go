package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

func TestOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		args        []string
		wantAddr    string
		wantClients []connectsim.Client
		wantSeed    bool
		wantErr     bool
	}{
		{name: "defaults", wantAddr: "127.0.0.1:8081"},
		{name: "seed and addr", args: []string{"--addr", ":9000", "--seed"}, wantAddr: ":9000", wantSeed: true},
		{name: "clients", args: []string{"--client", "a:s:shop:view_connectors,manage_connectors", "--client", "b:t:demo"},
			wantAddr: "127.0.0.1:8081", wantClients: []connectsim.Client{
				{ID: "a", Secret: "s", ProjectKey: "shop", Scopes: []string{"view_connectors", "manage_connectors"}},
				{ID: "b", Secret: "t", ProjectKey: "demo", Scopes: connectsim.AllScopes()},
			}},
		{name: "bad client", args: []string{"--client", "only-id"}, wantErr: true},
		{name: "stray argument", args: []string{"extra"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			addr, opts, err := options(tt.args, &stderr)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if addr != tt.wantAddr || opts.Seed != tt.wantSeed || !reflect.DeepEqual([]connectsim.Client(opts.Clients), tt.wantClients) {
				t.Errorf("addr %q seed %v clients %+v", addr, opts.Seed, opts.Clients)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"--help"}, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-addr", "-client", "-seed"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("--help does not mention %s:\n%s", want, stderr.String())
		}
	}
}

func TestRunStopsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	if err := run(ctx, []string{"--addr", "127.0.0.1:0"}, &stderr); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(stderr.String(), "connect-sim listening") {
		t.Errorf("no start-up line: %s", stderr.String())
	}
}
