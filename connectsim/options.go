package connectsim

import (
	"log/slog"
	"time"
)

// Scope names of the Connect API. A [Client] holds them bare ("manage_project")
// or qualified with its project ("manage_project:demo"); tokens always carry
// them qualified.
const (
	ScopeManageProject               = "manage_project"
	ScopeViewConnectors              = "view_connectors"
	ScopeManageConnectors            = "manage_connectors"
	ScopeViewConnectorsDeployments   = "view_connectors_deployments"
	ScopeManageConnectorsDeployments = "manage_connectors_deployments"
	ScopeManageAPIClients            = "manage_api_clients"
)

// AllScopes lists every scope the Connect API knows.
func AllScopes() []string {
	return []string{
		ScopeManageProject, ScopeViewConnectors, ScopeManageConnectors,
		ScopeViewConnectorsDeployments, ScopeManageConnectorsDeployments, ScopeManageAPIClients,
	}
}

// Client is an API client that may ask /oauth/token for tokens.
type Client struct {
	ID         string
	Secret     string
	ProjectKey string
	// Scopes the client may be granted, bare or qualified with ProjectKey.
	Scopes []string
}

// DefaultClient is the demo API client: id connect-sim, secret
// connect-sim-secret, project demo, every scope.
func DefaultClient() Client {
	return Client{ID: "connect-sim", Secret: "connect-sim-secret", ProjectKey: "demo", Scopes: AllScopes()}
}

// Timings are the durations of the simulated asynchronous processes,
// measured on the simulator's clock.
type Timings struct {
	// Queue is how long a Deployment stays Queued before Deploying.
	Queue time.Duration
	// Deploy is how long it stays Deploying before Deployed (or Failed).
	Deploy time.Duration
	// Undeploy is how long a deleted Deployment stays Undeploying.
	Undeploy time.Duration
	// Preview is how long isPreviewable stays "pending".
	Preview time.Duration
	// Publish is how long a private publish stays Processing.
	Publish time.Duration
	// Certification is how long a ConnectorStaged stays InCertification.
	Certification time.Duration
}

// DefaultTimings are the timings used for zero fields of Options.Timings.
func DefaultTimings() Timings {
	return Timings{
		Queue:         5 * time.Second,
		Deploy:        30 * time.Second,
		Undeploy:      10 * time.Second,
		Preview:       10 * time.Second,
		Publish:       10 * time.Second,
		Certification: time.Minute,
	}
}

// Options configure a [Simulator]. The zero value is usable: it serves the
// default client only, on the real clock, with no demo data.
type Options struct {
	// Clients may obtain tokens. Empty means [DefaultClient] only.
	Clients []Client
	// Seed loads the demo data ([Simulator.SeedDemo]) at start and after Reset.
	Seed bool
	// Clock is the base clock; nil means the real clock.
	Clock Clock
	// Logger receives one debug line per request (method, path, status,
	// correlation id; never headers or bodies). Nil discards.
	Logger *slog.Logger
	// TokenTTL is the lifetime of issued tokens; zero means 48 hours.
	TokenTTL time.Duration
	// Timings of the asynchronous processes; zero fields take DefaultTimings.
	Timings Timings
	// ProductionProjects are the projects where production deployments are
	// enabled. Everywhere else they answer DeploymentProductionDeactivated.
	ProductionProjects []string
	// JournalSize bounds the request journal; zero means 1000 entries.
	JournalSize int
	// LogPageSize is the number of log entries per page; zero means 10.
	LogPageSize int
	// FaultSeed seeds the random source of percentage faults (deterministic
	// runs); zero means 1.
	FaultSeed uint64
	// DisableAdmin turns off the /_sim/ admin API (the Go API stays).
	DisableAdmin bool
}

func (o Options) withDefaults() Options {
	if len(o.Clients) == 0 {
		o.Clients = []Client{DefaultClient()}
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = 48 * time.Hour
	}
	d := DefaultTimings()
	for _, f := range []struct{ v, def *time.Duration }{
		{&o.Timings.Queue, &d.Queue}, {&o.Timings.Deploy, &d.Deploy}, {&o.Timings.Undeploy, &d.Undeploy},
		{&o.Timings.Preview, &d.Preview}, {&o.Timings.Publish, &d.Publish}, {&o.Timings.Certification, &d.Certification},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if o.JournalSize <= 0 {
		o.JournalSize = 1000
	}
	if o.LogPageSize <= 0 {
		o.LogPageSize = 10
	}
	if o.FaultSeed == 0 {
		o.FaultSeed = 1
	}
	return o
}
