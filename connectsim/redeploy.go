package connectsim

import (
	"net/http"
	"slices"
)

// redeployAction is DeploymentRedeployAction. configurationValues absent or
// empty, and globalConfiguration absent, mean "keep the existing ones", as
// the reference says ("empty means keep existing"); a gRPC caller cannot
// tell an empty list from an absent one anyway.
type redeployAction struct {
	SkipScripts         bool                                 `json:"skipScripts"`
	ConfigurationValues []DeploymentConfigurationApplication `json:"configurationValues"`
	GlobalConfiguration *DeploymentGlobalConfiguration       `json:"globalConfiguration"`
	UpdateConnector     bool                                 `json:"updateConnector"`
}

// updateDeployment applies update actions; "redeploy" is the only one.
func (s *Simulator) updateDeployment(c *call) (int, any, *Error) {
	u, err := decodeUpdate(c.body)
	if err != nil {
		return 0, nil, err
	}
	d, err := s.findDeployment(c.project, c.ref)
	if err != nil {
		return 0, nil, err
	}
	if *u.Version != d.Version {
		return 0, nil, errConcurrent(d.ID, d.Key, *u.Version, d.Version)
	}
	next := cloneDeployment(d)
	for i, raw := range u.Actions {
		name, err := actionName(i, raw)
		if err != nil {
			return 0, nil, err
		}
		if name != "redeploy" {
			return 0, nil, errInvalidJSON("actions[%d].action: unknown action %q", i, name)
		}
		var a redeployAction
		if err := decodeJSON(raw, &a); err != nil {
			return 0, nil, err
		}
		if err := s.redeploy(next, a); err != nil {
			return 0, nil, err
		}
	}
	next.Version++
	s.st.deployments[next.ID] = next
	return http.StatusCreated, next.view(), nil
}

func (s *Simulator) redeploy(d *Deployment, a redeployAction) *Error {
	if busy(d.Status) {
		return errTransition(d.Status)
	}
	spec, err := s.st.connectYAML(d.Connector.Repository)
	if err != nil {
		spec = RepositorySpec{Applications: d.Connector.Configurations, GlobalConfiguration: d.Connector.GlobalConfiguration}
	}
	if a.UpdateConnector {
		var conn DeploymentConnector
		if conn, spec, err = s.latestConnector(d); err != nil {
			return err
		}
		d.Connector = conn
	}
	v := validator{apps: spec.Applications, global: spec.GlobalConfiguration, resourceID: d.ID, resourceKey: d.Key}
	current := make([]DeploymentConfigurationApplication, len(d.Applications))
	deployed := make([]string, len(d.Applications))
	for i, app := range d.Applications {
		deployed[i] = app.ApplicationName
		current[i] = DeploymentConfigurationApplication{ApplicationName: app.ApplicationName,
			StandardConfiguration: app.StandardConfiguration, SecuredConfiguration: app.SecuredConfiguration, Schedule: app.Schedule}
	}
	merged := current
	if len(a.ConfigurationValues) > 0 {
		if a.UpdateConnector {
			deployed = nil // the Connector's new applications may join
		}
		cfgs, err := v.applications(a.ConfigurationValues, deployed)
		if err != nil {
			return err
		}
		merged = mergeConfigurations(current, cfgs)
	}
	if a.UpdateConnector {
		if err := v.mustInclude(merged); err != nil {
			return err
		}
	}
	if a.GlobalConfiguration != nil {
		if err := v.globals(a.GlobalConfiguration); err != nil {
			return err
		}
		d.GlobalConfiguration = cloneGlobalValues(a.GlobalConfiguration)
	}
	d.Applications = deployApps(d, spec, merged)
	d.Details.Build.ID = newID()
	d.queue(s.clock.Now(), s.opts.Timings.Queue, spec.BuildFails)
	s.st.schedule(d.nextAt)
	return nil
}

// latestConnector reads the current state of d's Connector: the
// ConnectorStaged for a preview Deployment, the published Connector
// otherwise. A missing Connector or a broken connect.yaml is
// DeploymentConnectorUpdateFailure.
func (s *Simulator) latestConnector(d *Deployment) (DeploymentConnector, RepositorySpec, *Error) {
	fail := func(cause string) *Error {
		return NewError("DeploymentConnectorUpdateFailure", nil, []any{
			"resourceId", d.ID, "resourceKey", d.Key, "resourceId", d.Connector.ID, "resourceKey", d.Connector.Key, "cause", cause})
	}
	var conn DeploymentConnector
	var repo RepositoryRef
	if d.staged {
		cs := s.st.staged[d.Connector.ID]
		if cs == nil {
			return conn, RepositorySpec{}, fail("the ConnectorStaged no longer exists")
		}
		conn, repo = stagedAsDeployed(cs), cs.Repository
	} else {
		pc := s.st.connectors[d.Connector.ID]
		if pc == nil {
			return conn, RepositorySpec{}, fail("the Connector no longer exists")
		}
		conn, repo = publishedAsDeployed(pc), pc.Repository
	}
	spec, err := s.st.connectYAML(repo)
	if err != nil {
		return conn, spec, fail(err.Message)
	}
	conn.Configurations = cloneApps(spec.Applications)
	conn.GlobalConfiguration = cloneGlobal(spec.GlobalConfiguration)
	return conn, spec, nil
}

// mergeConfigurations replaces the configuration of every application that
// update names and keeps the others.
func mergeConfigurations(current, update []DeploymentConfigurationApplication) []DeploymentConfigurationApplication {
	out := slices.Clone(current)
	for _, u := range update {
		i := slices.IndexFunc(out, func(c DeploymentConfigurationApplication) bool { return c.ApplicationName == u.ApplicationName })
		if i < 0 {
			out = append(out, u)
		} else {
			out[i] = u
		}
	}
	return out
}

func cloneDeployment(d *Deployment) *Deployment {
	n := *d
	n.Applications = slices.Clone(d.Applications)
	if r := d.Details.Build.Report; r != nil {
		n.Details.Build.Report = &Report{Entries: slices.Clone(r.Entries)}
	}
	return &n
}
