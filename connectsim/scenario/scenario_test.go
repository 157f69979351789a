package scenario_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/connectsim/scenario"
	"github.com/connect-gateway/connect-gateway/translate"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestEveryCodeHasAScenario fails when a catalogue code has no scenario, or
// a scenario names a code the catalogue does not hold.
func TestEveryCodeHasAScenario(t *testing.T) {
	t.Parallel()
	have := map[string]int{}
	names := map[string]bool{}
	for _, sc := range scenario.All() {
		if names[sc.Name] {
			t.Errorf("scenario name %q is used twice", sc.Name)
		}
		names[sc.Name] = true
		if _, ok := translate.Lookup(sc.Code); !ok {
			t.Errorf("scenario %s: code %q is not in the catalogue", sc.Name, sc.Code)
		}
		if sc.Want.Code != sc.Code {
			t.Errorf("scenario %s: expects code %q but is filed under %q", sc.Name, sc.Want.Code, sc.Code)
		}
		if e, ok := translate.Lookup(sc.Code); ok && e.HTTPStatus != sc.Want.Status {
			t.Errorf("scenario %s: expects status %d, the catalogue says %d", sc.Name, sc.Want.Status, e.HTTPStatus)
		}
		have[sc.Code]++
	}
	entries := translate.Entries()
	if len(entries) == 0 {
		t.Fatal("the catalogue is empty")
	}
	for _, e := range entries {
		if have[e.Code] == 0 {
			t.Errorf("catalogue code %s has no scenario", e.Code)
		}
	}
}

func newTarget(t *testing.T) scenario.Target {
	t.Helper()
	ctx := context.Background()
	srv, err := connectsim.Start(ctx, connectsim.Options{Clock: connectsim.NewManualClock(time.Time{})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return scenario.Target{
		BaseURL: srv.URL,
		Client:  connectsim.DefaultClient(),
		Control: scenario.InProcess(srv.Sim),
	}
}

// TestScenarios runs every scenario over a real socket, each against a
// simulator of its own.
func TestScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range scenario.All() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			scenario.Run(ctx, t, newTarget(t), sc)
		})
	}
}

// TestScenariosShareASimulator runs the scenarios that need no control
// concurrently against one simulator, as a gateway's e2e tests may.
func TestScenariosShareASimulator(t *testing.T) {
	t.Parallel()
	target := newTarget(t)
	target.Control = nil
	for _, sc := range scenario.All() {
		if sc.NeedsControl() {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			scenario.Run(t.Context(), t, target, sc)
		})
	}
}

// TestAdminAPIControl runs the scenarios that need control through the
// admin API instead of in-process.
func TestAdminAPIControl(t *testing.T) {
	t.Parallel()
	for _, sc := range scenario.All() {
		if !sc.NeedsControl() {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			target := newTarget(t)
			target.Control = scenario.AdminAPI(target.BaseURL, nil)
			scenario.Run(t.Context(), t, target, sc)
		})
	}
}

// TestCheckRejectsAWrongAnswer makes sure Check is not vacuous.
func TestCheckRejectsAWrongAnswer(t *testing.T) {
	t.Parallel()
	target := newTarget(t)
	sc := scenario.ByCode("DuplicateField")[0]
	res, err := scenario.Execute(t.Context(), target, sc)
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*scenario.Scenario){
		"status":      func(s *scenario.Scenario) { s.Want.Status = 409 },
		"code":        func(s *scenario.Scenario) { s.Want.Code = "General" },
		"field value": func(s *scenario.Scenario) { s.Want.Fields = map[string]any{"field": "name", "duplicateValue": "x"} },
		"extra field": func(s *scenario.Scenario) { s.Want.Fields = map[string]any{"field": "key"} },
		"message":     func(s *scenario.Scenario) { s.Want.Message = "something else" },
	} {
		wrong := sc
		mutate(&wrong)
		if err := wrong.Check(res); err == nil {
			t.Errorf("Check accepted a wrong %s", name)
		}
	}
	if err := sc.Check(res); err != nil {
		t.Errorf("Check rejected the right answer: %v", err)
	}
}
