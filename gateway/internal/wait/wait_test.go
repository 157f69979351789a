package wait

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFor(t *testing.T) {
	t.Parallel()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"a short wait ends nil", context.Background(), time.Millisecond, nil},
		{"no wait ends nil", context.Background(), 0, nil},
		{"an ended context ends a long wait", ended, time.Hour, context.Canceled},
		{"an ended context ends no wait", ended, 0, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := For(tt.ctx, tt.d); !errors.Is(err, tt.want) {
				t.Errorf("For(%v) = %v, want %v", tt.d, err, tt.want)
			}
		})
	}
}
