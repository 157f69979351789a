package connectsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxLogAge is how far back startDate may reach.
const maxLogAge = 30 * 24 * time.Hour

// deploymentLogs is GET .../deployments/{id}/logs: applicationName
// (required on AWS regions), startDate and endDate (RFC 3339, at most 30
// days back, start before end), pageToken (the "next" of the previous page).
// Every page has a "next", the last one included (see logPage).
func (s *Simulator) deploymentLogs(c *call) (int, any, *Error) {
	d, err := s.findDeployment(c.project, c.ref)
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	app := q.Get("applicationName")
	if app == "" && strings.HasSuffix(d.DeployedRegion, ".aws") {
		return 0, nil, NewError("DeploymentLogMissingApplicationName", nil, nil)
	}
	if app != "" && !d.hasApplication(app) {
		return 0, nil, NewError("DeploymentApplicationDoesNotExist", nil, []any{"resourceName", app})
	}
	now := s.clock.Now()
	start, end, err := logWindow(q.Get("startDate"), q.Get("endDate"), now)
	if err != nil {
		return 0, nil, err
	}
	offset := 0
	if tok := q.Get("pageToken"); tok != "" {
		if offset, err = parsePageToken(tok, d.ID); err != nil {
			return 0, nil, err
		}
	}
	var matched []DeploymentLog
	for _, l := range d.logs {
		if (app == "" || l.ApplicationName == app) && !l.Timestamp.Before(start) && !l.Timestamp.After(end) {
			matched = append(matched, l)
		}
	}
	res := logPage{Data: []DeploymentLog{}}
	stop := offset
	if offset < len(matched) {
		stop = min(offset+s.opts.LogPageSize, len(matched))
		res.Data = matched[offset:stop]
	}
	// The cursor is always given: past the last page it points at the
	// entries still to come, so polling with it returns them once written.
	res.Next = pageToken(d.ID, stop)
	return http.StatusOK, res, nil
}

func (d *Deployment) hasApplication(name string) bool {
	for _, a := range d.Applications {
		if a.ApplicationName == name {
			return true
		}
	}
	return false
}

// logWindow parses the date range; the defaults are the last 30 days.
func logWindow(startParam, endParam string, now time.Time) (time.Time, time.Time, *Error) {
	start, end := now.Add(-maxLogAge), now
	var err error
	if startParam != "" {
		if start, err = time.Parse(time.RFC3339, startParam); err != nil || start.Before(now.Add(-maxLogAge)) {
			return start, end, NewError("DeploymentLogInvalidDate", nil, nil)
		}
	}
	if endParam != "" {
		if end, err = time.Parse(time.RFC3339, endParam); err != nil {
			return start, end, NewError("DeploymentLogInvalidDate", nil, nil)
		}
	}
	if end.Before(start) {
		return start, end, NewError("DeploymentLogInvalidDate", nil, nil)
	}
	return start, end, nil
}

// pageToken is an opaque cursor: the Deployment id and the next offset.
func pageToken(deploymentID string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d", deploymentID, offset)))
}

func parsePageToken(tok, deploymentID string) (int, *Error) {
	invalid := NewError("DeploymentLogInvalidPageToken", nil, []any{"pageToken", tok})
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, invalid
	}
	id, off, ok := strings.Cut(string(raw), ":")
	n, err := strconv.Atoi(off)
	if !ok || err != nil || id != deploymentID || n < 0 {
		return 0, invalid
	}
	return n, nil
}

// AddLogs appends log entries to a Deployment of project (tests use it to
// exercise paging). Entries without a timestamp get the simulator's time;
// deploymentId is filled in.
func (s *Simulator) AddLogs(project, deploymentID string, logs ...DeploymentLog) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.deployments[deploymentID]
	if d == nil || d.project != project {
		return fmt.Errorf("add logs: no deployment %s in project %s", deploymentID, project)
	}
	now := s.clock.Now()
	for _, l := range logs {
		l.DeploymentID = d.ID
		if l.Timestamp.IsZero() {
			l.Timestamp = now
		}
		if l.Severity == "" {
			l.Severity = "DEFAULT"
		}
		d.logs = append(d.logs, l)
	}
	return nil
}
