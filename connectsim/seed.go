package connectsim

import (
	"slices"
	"time"
)

// Keys of the demo data that SeedDemo loads.
const (
	// DemoPaymentConnectorKey is a privately published ConnectorStaged and
	// Connector of RepoPayment (TagV1), previewable.
	DemoPaymentConnectorKey = "demo-payment-connector"
	// DemoTaxConnectorKey is a certified, publicly listed Connector of RepoTax.
	DemoTaxConnectorKey = "demo-tax-connector"
	// DemoDeploymentKey is a Deployed sandbox deployment of the payment
	// Connector in europe-west1.gcp, with start-up logs.
	DemoDeploymentKey = "demo-payment-sandbox"
)

// SeedDemo loads demo data into the project of the first configured client
// (demo for the default one). Existing keys are left alone.
func (s *Simulator) SeedDemo() {
	project := s.opts.Clients[0].ProjectKey
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	pay := s.seedStaged(project, DemoPaymentConnectorKey, "Demo payment connector", "psp", RepoPayment, false, now)
	s.seedStaged(project, DemoTaxConnectorKey, "Demo tax connector", "tax", RepoTax, true, now)
	if pay == nil || s.deploymentByKey(project, DemoDeploymentKey) != nil {
		return
	}
	spec := s.st.repos[repoKey(RepoPayment, TagV1)]
	d := &Deployment{
		ID: newID(), Key: DemoDeploymentKey, Version: 3, Type: "sandbox",
		Connector:      publishedAsDeployed(s.st.connectors[pay.ID]),
		Details:        DeploymentDetails{Build: DeploymentBuild{ID: newID()}},
		DeployedRegion: "europe-west1.gcp", Status: statusDeployed, project: project, order: s.st.next(),
	}
	d.Applications = deployApps(d, spec, []DeploymentConfigurationApplication{{
		ApplicationName:       "processor",
		StandardConfiguration: []ConfigurationValue{{Key: "CTP_PROJECT_KEY", Value: project}},
		SecuredConfiguration:  []ConfigurationValue{{Key: "CTP_CLIENT_SECRET", Value: "demo-secret"}},
	}, {ApplicationName: "enabler"}})
	d.report("Information", "Deployed", "", now)
	d.startLogs(now)
	s.st.deployments[d.ID] = d
}

func (s *Simulator) seedStaged(project, key, name, integration, repo string, certified bool, now time.Time) *ConnectorStaged {
	if existing := s.stagedByKey(key); existing != nil {
		return existing
	}
	cs := &ConnectorStaged{
		ID: newID(), Key: key, Version: 4, Name: name, Description: name + " (connect-sim demo data)",
		IntegrationTypes: []string{integration},
		Creator:          Creator{Name: "Connect Sim", Email: "sim@example.com", Company: "connect-sim"},
		Repository:       RepositoryRef{URL: repo, Tag: TagV1},
		Private:          !certified, PrivateProjects: []string{},
		SupportedRegions: slices.Clone(regions), Status: stagedPublished,
		AlreadyListed: certified, IsPreviewable: previewTrue,
		project: project, order: s.st.next(), certified: certified,
	}
	s.readSpecInto(cs)
	s.st.staged[cs.ID] = cs
	s.publishConnector(cs)
	return cs
}
