// Package scenario is a table of request sequences that make the Connect API
// raise every documented error code, and a runner that executes them over
// plain HTTP against any base URL: the simulator, or a gateway's REST face
// in front of it.
//
// A [Scenario] is setup [Step]s (requests whose answers feed variables,
// clock advances, fault rules) and a final [Request] whose answer must match
// [Expect]: HTTP status, error code, the error object's extra fields
// (exactly), and for not-found-like codes the addressed resource.
//
// Requests and expectations may hold {{name}} placeholders: {{run}} is a
// random suffix unique to one execution (so scenarios can share a simulator
// without key clashes), {{project}} the client's project key, and every
// variable a step captured.
//
// Scenarios that advance the clock or add faults ([Scenario.NeedsControl])
// assume they own the simulator's clock and fault table and that its
// timings are [connectsim.DefaultTimings] or shorter: run each against a
// simulator of its own, or one at a time. The others may run in parallel.
package scenario

import (
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

// Auth says how a request authenticates.
type Auth int

const (
	// AuthToken sends the target's bearer token (or one obtained with its
	// client's credentials).
	AuthToken Auth = iota
	// AuthNone sends no Authorization header.
	AuthNone
	// AuthUnknownToken sends a bearer token the API never issued.
	AuthUnknownToken
	// AuthBadClient sends HTTP Basic credentials with a wrong secret (for
	// the token endpoint).
	AuthBadClient
)

// Request is one HTTP request of a scenario.
type Request struct {
	Method string
	// Path is relative to the target's base URL, or to its auth URL when
	// ToAuth is set.
	Path string
	// Query parameters (repeatable).
	Query map[string][]string
	// Body is a JSON document (or a form for the token endpoint) with
	// {{name}} placeholders; empty sends no body.
	Body string
	// Form makes Body a application/x-www-form-urlencoded body.
	Form bool
	// ToAuth sends the request to the auth URL (the token endpoint).
	ToAuth bool
	// Auth says how the request authenticates.
	Auth Auth
	// Scopes, when set, make the request use a token limited to these
	// scopes (bare names), obtained from the token endpoint.
	Scopes []string
}

// Step is one setup step: exactly one of Request, Advance and Fault.
type Step struct {
	Name    string
	Request *Request
	// WantStatus is the status the request must get; zero means any 2xx.
	WantStatus int
	// Capture stores JSON values of the answer in variables: name → dotted
	// path ("id", "version", "results.0.id").
	Capture map[string]string
	// Advance moves the simulator's clock (needs a Control).
	Advance time.Duration
	// Fault adds a fault rule; its Path may hold placeholders (needs a Control).
	Fault *connectsim.FaultRule
}

// Resource is the resource a not-found-like error is about.
type Resource struct {
	// Type is the resource type ("ConnectorStaged", "Deployment", "Connector").
	Type string
	// ID or Key addresses it (placeholders allowed).
	ID, Key string
}

// Present is an expected field value that only has to be there and not be
// empty (for free-text fields such as detailedErrorMessage).
const Present = presentMarker("<present>")

type presentMarker string

// Expect is what the final request must get.
type Expect struct {
	// Status is the HTTP status.
	Status int
	// Code is the code of the first (and only) error object.
	Code string
	// Message, when set, is the exact message (placeholders allowed).
	Message string
	// Fields are the error object's extra fields, exactly: no more, no
	// fewer. A value may be Present. Numbers are compared as JSON numbers.
	Fields map[string]any
	// TopLevel are extra top-level fields of the body ("error" of the 401 shape).
	TopLevel map[string]any
	// Resource is set for errors about an addressed resource.
	Resource *Resource
}

// Scenario is a request sequence ending in one documented error.
type Scenario struct {
	// Name is unique in the table; it is a good subtest name.
	Name string
	// Code is the catalogue code the scenario reaches.
	Code    string
	Steps   []Step
	Request Request
	Want    Expect
}

// NeedsControl reports whether the scenario advances the clock or adds
// faults, so that it needs a Control and a simulator of its own.
func (sc Scenario) NeedsControl() bool {
	for _, st := range sc.Steps {
		if st.Advance != 0 || st.Fault != nil {
			return true
		}
	}
	return false
}
