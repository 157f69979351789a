package connectsim

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/connect-gateway/connect-gateway/internal/pathparam"
)

// connectorReference is ConnectorReference.
type connectorReference struct {
	ID      string `json:"id"`
	Key     string `json:"key"`
	Staged  bool   `json:"staged"`
	Version *int64 `json:"version"`
}

func (r connectorReference) identifier() string {
	if r.Key != "" {
		return r.Key
	}
	return r.ID
}

// deploymentDraft is DeploymentDraft.
type deploymentDraft struct {
	Key                 string                                `json:"key"`
	Type                string                                `json:"type"`
	Connector           *connectorReference                   `json:"connector"`
	Configurations      *[]DeploymentConfigurationApplication `json:"configurations"`
	GlobalConfiguration *DeploymentGlobalConfiguration        `json:"globalConfiguration"`
	Region              string                                `json:"region"`
}

func (d *deploymentDraft) validate() *Error {
	switch {
	case d.Key != "" && !pathparam.Key.Match(d.Key):
		return errInvalidJSON("key: %q must match %s", d.Key, pathparam.Key)
	case d.Connector == nil:
		return missing("connector")
	case d.Connector.ID == "" && d.Connector.Key == "":
		return missing("connector.id or connector.key")
	case d.Configurations == nil:
		return missing("configurations")
	case d.Region == "":
		return missing("region")
	case d.Type != "":
		return checkEnum("type", d.Type, deploymentTypes)
	}
	return nil
}

// target is what a Deployment deploys: a published Connector or a
// previewable ConnectorStaged, with its connect.yaml.
type target struct {
	conn   DeploymentConnector
	spec   RepositorySpec
	staged bool
}

func (s *Simulator) createDeployment(c *call) (int, any, *Error) {
	var d deploymentDraft
	if err := decodeJSON(c.body, &d); err != nil {
		return 0, nil, err
	}
	if err := d.validate(); err != nil {
		return 0, nil, err
	}
	if d.Key != "" && s.deploymentByKey(c.project, d.Key) != nil {
		return 0, nil, errDuplicate("key", d.Key)
	}
	tgt, err := s.resolveConnector(c.project, *d.Connector)
	if err != nil {
		return 0, nil, err
	}
	if err := s.checkType(c.project, &d, tgt); err != nil {
		return 0, nil, err
	}
	if !slices.Contains(tgt.conn.SupportedRegions, d.Region) {
		return 0, nil, NewError("DeploymentUnsupportedRegion", nil, []any{"region", d.Region})
	}
	if len(tgt.spec.APIClientScopes) > 0 && !c.tok.hasScope(ScopeManageAPIClients) {
		return 0, nil, errAccessDenied()
	}
	v := validator{apps: tgt.spec.Applications, global: tgt.spec.GlobalConfiguration, resourceKey: d.Key}
	apps, err := v.applications(*d.Configurations, nil)
	if err != nil {
		return 0, nil, err
	}
	if err := v.mustInclude(apps); err != nil {
		return 0, nil, err
	}
	if err := v.globals(d.GlobalConfiguration); err != nil {
		return 0, nil, err
	}
	now := s.clock.Now()
	dep := &Deployment{
		ID: newID(), Key: d.Key, Version: 1, Type: d.Type, Connector: tgt.conn,
		GlobalConfiguration: cloneGlobalValues(d.GlobalConfiguration),
		Details:             DeploymentDetails{Build: DeploymentBuild{ID: newID()}},
		DeployedRegion:      d.Region, Preview: tgt.staged, project: c.project, order: s.st.next(), staged: tgt.staged,
	}
	dep.Applications = deployApps(dep, tgt.spec, apps)
	if len(tgt.spec.APIClientScopes) > 0 {
		dep.APIClient = &DeploymentAPIClient{Name: "connect-" + dep.ID[:8], Scopes: slices.Clone(tgt.spec.APIClientScopes)}
	}
	dep.queue(now, s.opts.Timings.Queue, tgt.spec.BuildFails)
	s.st.schedule(dep.nextAt)
	s.st.deployments[dep.ID] = dep
	return http.StatusCreated, dep.view(), nil
}

func (d *Deployment) queue(now time.Time, wait time.Duration, fails bool) {
	d.Status = statusQueued
	d.nextAt = now.Add(wait)
	d.fails = fails
	d.report("Information", "Queued", "", now)
}

// resolveConnector finds the Connector a reference names, as the project sees it.
func (s *Simulator) resolveConnector(project string, r connectorReference) (target, *Error) {
	notFound := func(version any) *Error {
		return NewError("ConnectorReferenceNotFound", nil, []any{"identifier", r.identifier(), "version", version})
	}
	versionOf := func(v int64) any {
		if r.Version != nil {
			return *r.Version
		}
		return v
	}
	if r.Staged {
		cs := s.stagedByKey(r.Key)
		if r.Key == "" {
			cs = s.st.staged[r.ID]
		}
		if cs == nil || (cs.project != project && !assigned(cs.PrivateProjects, project)) ||
			(r.Version != nil && *r.Version != cs.Version) {
			return target{}, notFound(versionOf(0))
		}
		if cs.IsPreviewable != previewTrue {
			return target{}, NewError("ConnectorStagedNotPreviewable", nil,
				[]any{"resourceId", cs.ID, "resourceKey", cs.Key, "version", cs.Version})
		}
		spec, err := s.st.connectYAML(cs.Repository)
		if err != nil {
			return target{}, err
		}
		return target{conn: stagedAsDeployed(cs), spec: spec, staged: true}, nil
	}
	conn := s.connectorByRef(ref{ID: r.ID, Key: r.Key})
	if conn == nil || !conn.visibleTo(project) || (r.Version != nil && *r.Version != conn.Version) {
		return target{}, notFound(versionOf(0))
	}
	spec, err := s.st.connectYAML(conn.Repository)
	if err != nil {
		return target{}, err
	}
	return target{conn: publishedAsDeployed(conn), spec: spec}, nil
}

// checkType defaults and checks the Deployment type: preview for a
// ConnectorStaged (only preview allowed), sandbox for a Connector (sandbox
// or production; production only where enabled).
func (s *Simulator) checkType(project string, d *deploymentDraft, tgt target) *Error {
	allowed := []string{"sandbox", "production"}
	if tgt.staged {
		allowed = []string{"preview"}
	}
	if d.Type == "" {
		d.Type = allowed[0]
	}
	if !slices.Contains(allowed, d.Type) {
		return NewError("DeploymentInvalidType", nil, []any{"resourceId", tgt.conn.ID, "resourceKey", tgt.conn.Key},
			d.Type, strings.Join(allowed, "', '"))
	}
	if d.Type == "production" && !s.st.production[project] {
		return NewError("DeploymentProductionDeactivated", nil, nil)
	}
	return nil
}

func stagedAsDeployed(cs *ConnectorStaged) DeploymentConnector {
	return DeploymentConnector{
		ID: cs.ID, Key: cs.Key, Version: cs.Version, Name: cs.Name, Description: cs.Description,
		IntegrationTypes: slices.Clone(cs.IntegrationTypes), Creator: cs.Creator, Repository: cs.Repository,
		Configurations: cloneApps(cs.Configurations), GlobalConfiguration: cloneGlobal(cs.GlobalConfiguration),
		Certified: false, SupportedRegions: slices.Clone(cs.SupportedRegions), DocumentationURL: cs.DocumentationURL,
	}
}

func publishedAsDeployed(conn *Connector) DeploymentConnector {
	return DeploymentConnector{
		ID: conn.ID, Key: conn.Key, Version: conn.Version, Name: conn.Name, Description: conn.Description,
		IntegrationTypes: slices.Clone(conn.IntegrationTypes), Creator: conn.Creator, Repository: conn.Repository,
		Configurations: cloneApps(conn.Configurations), GlobalConfiguration: cloneGlobal(conn.GlobalConfiguration),
		Certified: conn.Certified, SupportedRegions: slices.Clone(conn.SupportedRegions), DocumentationURL: conn.DocumentationURL,
	}
}

// deployApps turns validated configurations into deployed applications.
func deployApps(d *Deployment, spec RepositorySpec, cfgs []DeploymentConfigurationApplication) []ApplicationDeployment {
	out := make([]ApplicationDeployment, 0, len(cfgs))
	for _, cfg := range cfgs {
		app, _ := findApp(spec.Applications, cfg.ApplicationName) // validated: it is there
		a := ApplicationDeployment{
			ID: newID(), ApplicationName: cfg.ApplicationName,
			StandardConfiguration: withDefaults(cfg.StandardConfiguration, app),
			SecuredConfiguration:  slices.Clone(cfg.SecuredConfiguration),
		}
		if a.SecuredConfiguration == nil {
			a.SecuredConfiguration = []ConfigurationValue{}
		}
		switch app.ApplicationType {
		case "service", "merchant-center-custom-application", "merchant-center-custom-view", "assets":
			a.URL = "https://" + cfg.ApplicationName + "-" + d.ID[:8] + "." + d.DeployedRegion + ".commercetools.app"
		case "event":
			a.Topic = "connect-" + d.ID[:8] + "-" + cfg.ApplicationName
		case "job":
			a.Schedule = cfg.Schedule
			if a.Schedule == "" {
				a.Schedule = app.Schedule
			}
		}
		out = append(out, a)
	}
	return out
}

// withDefaults adds the spec's defaults for standard keys the values omit.
func withDefaults(values []ConfigurationValue, app ApplicationSpec) []ConfigurationValue {
	out := append([]ConfigurationValue{}, values...)
	for _, k := range app.StandardConfiguration {
		if k.Default != "" && !slices.ContainsFunc(out, func(v ConfigurationValue) bool { return v.Key == k.Key }) {
			out = append(out, ConfigurationValue{Key: k.Key, Value: k.Default})
		}
	}
	return out
}

func cloneGlobalValues(g *DeploymentGlobalConfiguration) *DeploymentGlobalConfiguration {
	if g == nil {
		return nil
	}
	return &DeploymentGlobalConfiguration{
		StandardConfiguration: slices.Clone(g.StandardConfiguration),
		SecuredConfiguration:  slices.Clone(g.SecuredConfiguration),
	}
}

// view returns the Deployment as responses show it: secured values masked.
func (d *Deployment) view() Deployment {
	v := *d
	v.Applications = make([]ApplicationDeployment, len(d.Applications))
	for i, a := range d.Applications {
		a.SecuredConfiguration = masked(a.SecuredConfiguration)
		v.Applications[i] = a
	}
	if g := d.GlobalConfiguration; g != nil {
		v.GlobalConfiguration = &DeploymentGlobalConfiguration{
			StandardConfiguration: g.StandardConfiguration,
			SecuredConfiguration:  masked(g.SecuredConfiguration),
		}
	}
	return v
}

func masked(values []ConfigurationValue) []ConfigurationValue {
	if values == nil {
		return nil
	}
	out := make([]ConfigurationValue, len(values))
	for i, v := range values {
		out[i] = ConfigurationValue{Key: v.Key, Value: MaskedValue}
	}
	return out
}

func (s *Simulator) deploymentByKey(project, key string) *Deployment {
	for _, d := range s.st.deployments {
		if d.project == project && d.Key == key {
			return d
		}
	}
	return nil
}

func (s *Simulator) findDeployment(project string, r ref) (*Deployment, *Error) {
	var d *Deployment
	if r.Key != "" {
		d = s.deploymentByKey(project, r.Key)
	} else if d = s.st.deployments[r.ID]; d != nil && d.project != project {
		d = nil
	}
	if d == nil {
		return nil, errNotFound("Deployment", r)
	}
	return d, nil
}

func (s *Simulator) getDeployment(c *call) (int, any, *Error) {
	d, err := s.findDeployment(c.project, c.ref)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, d.view(), nil
}

func (s *Simulator) queryDeployments(c *call) (int, any, *Error) {
	q := c.r.URL.Query()
	p, err := parsePage(q, []string{"id", "key", "version", "status", "type"})
	if err != nil {
		return 0, nil, err
	}
	types, err := enumParams(q, "integrationTypes", integrationTypes)
	if err != nil {
		return 0, nil, err
	}
	depTypes, err := enumParams(q, "deploymentType", deploymentTypes)
	if err != nil {
		return 0, nil, err
	}
	var items []Deployment
	for _, d := range s.st.deployments {
		if d.project != c.project ||
			(len(types) > 0 && !overlaps(d.Connector.IntegrationTypes, types)) ||
			(len(depTypes) > 0 && !slices.Contains(depTypes, d.Type)) {
			continue
		}
		items = append(items, d.view())
	}
	sortByCreation(items, func(d Deployment) int64 { return d.order })
	return http.StatusOK, pageOf(items, p, func(d Deployment, f string) string {
		switch f {
		case "id":
			return d.ID
		case "key":
			return d.Key
		case "status":
			return d.Status
		case "type":
			return d.Type
		}
		return sortVersion(d.Version)
	}), nil
}

// errTransition is DeploymentInvalidStatusTransition for a Deployment that
// is busy ("Invalid status change: Already queued|deploying|undeploying").
func errTransition(status string) *Error {
	e := NewError("DeploymentInvalidStatusTransition", nil, nil)
	e.Message = strings.Replace(e.Message, "deploying", strings.ToLower(status), 1)
	return e
}

func busy(status string) bool {
	return status == statusQueued || status == statusDeploying || status == statusUndeploying
}

// deleteDeployment answers 202 with status Undeploying; the Deployment
// disappears after Timings.Undeploy.
func (s *Simulator) deleteDeployment(c *call) (int, any, *Error) {
	d, err := s.findDeployment(c.project, c.ref)
	if err != nil {
		return 0, nil, err
	}
	if busy(d.Status) {
		return 0, nil, errTransition(d.Status)
	}
	now := s.clock.Now()
	d.Status = statusUndeploying
	d.nextAt = now.Add(s.opts.Timings.Undeploy)
	s.st.schedule(d.nextAt)
	d.Version++
	d.report("Information", "Undeploying", "", now)
	return http.StatusAccepted, d.view(), nil
}
