package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// Bodies are the upstream answers of the rig, taken from the simulator.
type Bodies struct {
	// ID is the id of the ConnectorStaged the calls address.
	ID string
	// Key is its key.
	Key string
	// Version is its current version; an update at StaleVersion conflicts.
	Version int32
	// Staged is the 200 body of GET /connectors/drafts/{id}.
	Staged []byte
	// Conflict is the 409 ConcurrentModification body of an update at
	// StaleVersion.
	Conflict []byte
	// Updated is the 201 body of the same update at Version: the
	// ConnectorStaged at Version+1 (Connect answers an update with 201).
	Updated []byte
}

// StaleVersion is the version the conflict scenario sends.
const StaleVersion = 1

// CaptureBodies asks an in-process simulator (seeded with the demo data, on
// a fixed clock) for the two answers the rig's upstream serves, so that the
// upstream's bytes are the simulator's own.
func CaptureBodies(ctx context.Context) (Bodies, error) {
	sim := connectsim.New(connectsim.Options{
		Seed:  true,
		Clock: connectsim.NewManualClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)),
	})
	defer sim.Close()
	tok, err := sim.Token(ctx, connectsim.DefaultClient())
	if err != nil {
		return Bodies{}, fmt.Errorf("bench: simulator token: %w", err)
	}
	ask := func(method, path, body string, want int) ([]byte, error) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req := httptest.NewRequestWithContext(ctx, method, path, rd)
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		sim.ServeHTTP(w, req)
		if w.Code != want {
			return nil, fmt.Errorf("bench: simulator answered %s %s with %d, want %d: %s", method, path, w.Code, want, w.Body)
		}
		return w.Body.Bytes(), nil
	}
	b := Bodies{Key: connectsim.DemoPaymentConnectorKey}
	byKey, err := ask(http.MethodGet, stagedPrefix+"key="+b.Key, "", http.StatusOK)
	if err != nil {
		return Bodies{}, err
	}
	if b.ID, b.Version, err = idAndVersion(byKey); err != nil {
		return Bodies{}, err
	}
	if b.Staged, err = ask(http.MethodGet, stagedPrefix+b.ID, "", http.StatusOK); err != nil {
		return Bodies{}, err
	}
	if b.Conflict, err = ask(http.MethodPost, stagedPrefix+b.ID, string(updateBody(StaleVersion)), http.StatusConflict); err != nil {
		return Bodies{}, err
	}
	if b.Updated, err = ask(http.MethodPost, stagedPrefix+b.ID, string(updateBody(b.Version)), http.StatusCreated); err != nil {
		return Bodies{}, err
	}
	return b, nil
}

// idAndVersion reads the id and version of a ConnectorStaged body.
func idAndVersion(body []byte) (string, int32, error) {
	var cs connectv1.ConnectorStaged
	if err := wirejson.Unmarshal(body, &cs); err != nil {
		return "", 0, fmt.Errorf("bench: reading the simulator's ConnectorStaged: %w", err)
	}
	if cs.GetId() == "" {
		return "", 0, errors.New("bench: the simulator's ConnectorStaged has no id")
	}
	return cs.GetId(), cs.GetVersion(), nil
}
