package connectsim

import (
	"fmt"
	"time"
)

// tickLocked applies every lifecycle transition due at now. Each transition
// is due at an instant computed from the previous one, so one large Advance
// runs a whole chain (Queued → Deploying → Deployed). s.mu must be held.
// Requests pay for the walk over all resources only when something is due.
func (s *Simulator) tickLocked(now time.Time) {
	if s.st.due.IsZero() || now.Before(s.st.due) {
		return
	}
	s.st.due = time.Time{}
	for _, cs := range s.st.staged {
		s.tickStaged(cs, now)
		if cs.IsPreviewable == previewPending {
			s.st.schedule(cs.previewAt)
		}
		if cs.Status == stagedProcessing || cs.Status == stagedInCertification {
			s.st.schedule(cs.publishAt)
		}
	}
	for id, d := range s.st.deployments {
		if s.tickDeployment(d, now) {
			delete(s.st.deployments, id)
		} else if !d.nextAt.IsZero() {
			s.st.schedule(d.nextAt)
		}
	}
}

func (s *Simulator) tickStaged(cs *ConnectorStaged, now time.Time) {
	if cs.IsPreviewable == previewPending && !now.Before(cs.previewAt) {
		spec, err := s.st.connectYAML(cs.Repository)
		entry := ReportEntry{Type: "Information", Title: "Preview ready", CreatedAt: cs.previewAt}
		cs.IsPreviewable = previewTrue
		if err != nil || spec.BuildFails {
			cs.IsPreviewable = previewFalse
			entry = ReportEntry{Type: "Error", Title: "Preview failed", Message: "the build of the connector failed", CreatedAt: cs.previewAt}
		}
		cs.PreviewableReport = &Report{Entries: []ReportEntry{entry}}
		cs.Version++
	}
	if (cs.Status == stagedProcessing || cs.Status == stagedInCertification) && !now.Before(cs.publishAt) {
		cs.Status = stagedPublished
		cs.certified = cs.certifying
		if cs.certifying {
			cs.Private = false
			cs.AlreadyListed = true
		}
		cs.HasChanges = false
		title := "Published"
		if cs.certifying {
			title = "Certified and published"
		}
		cs.PublishingReport = &Report{Entries: []ReportEntry{{Type: "Information", Title: title, CreatedAt: cs.publishAt}}}
		cs.Version++
		s.publishConnector(cs)
	}
}

// tickDeployment moves d along its lifecycle; it reports whether d is gone.
func (s *Simulator) tickDeployment(d *Deployment, now time.Time) (gone bool) {
	for !d.nextAt.IsZero() && !now.Before(d.nextAt) {
		at := d.nextAt
		d.Version++
		switch d.Status {
		case statusQueued:
			d.Status = statusDeploying
			d.nextAt = at.Add(s.opts.Timings.Deploy)
			d.report("Information", "Build started", "", at)
		case statusDeploying:
			d.nextAt = time.Time{}
			if d.fails {
				d.Status = statusFailed
				d.report("Error", "Build failed", "the build step exited with status 1", at)
				d.log(at, "", "ERROR", "APPLICATION_TEXT", "build failed")
				break
			}
			d.Status = statusDeployed
			d.report("Information", "Deployed", "", at)
			d.startLogs(at)
		case statusUndeploying:
			return true
		default:
			d.nextAt = time.Time{}
		}
	}
	return false
}

func (d *Deployment) report(typ, title, message string, at time.Time) {
	if d.Details.Build.Report == nil {
		d.Details.Build.Report = &Report{}
	}
	r := d.Details.Build.Report
	r.Entries = append(r.Entries, ReportEntry{Type: typ, Title: title, Message: message, CreatedAt: at})
}

func (d *Deployment) log(at time.Time, app, severity, typ, text string) {
	details := map[string]any{"message": text}
	d.logs = append(d.logs, DeploymentLog{
		Type: typ, DeploymentID: d.ID, ApplicationName: app, Severity: severity, Timestamp: at, Details: details,
	})
}

// startLogs writes the start-up logs of every application: three entries
// each, one second apart.
func (d *Deployment) startLogs(at time.Time) {
	for _, a := range d.Applications {
		d.log(at, a.ApplicationName, "INFO", "APPLICATION_TEXT", fmt.Sprintf("starting %s", a.ApplicationName))
		d.log(at.Add(time.Second), a.ApplicationName, "INFO", "APPLICATION_JSON", fmt.Sprintf("%s ready", a.ApplicationName))
		d.log(at.Add(2*time.Second), a.ApplicationName, "DEBUG", "HTTP_REQUEST", "GET /health 200")
	}
}
