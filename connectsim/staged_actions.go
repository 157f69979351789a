package connectsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// update is the body of every update request: {version, actions}.
type update struct {
	Version *int64            `json:"version"`
	Actions []json.RawMessage `json:"actions"`
}

func decodeUpdate(body []byte) (update, *Error) {
	var u update
	if err := decodeJSON(body, &u); err != nil {
		return u, err
	}
	if u.Version == nil {
		return u, missing("version")
	}
	if u.Actions == nil {
		return u, missing("actions")
	}
	return u, nil
}

// actionName reads the "action" discriminator of actions[i].
func actionName(i int, raw json.RawMessage) (string, *Error) {
	var a struct {
		Action string `json:"action"`
	}
	if err := decodeJSON(raw, &a); err != nil {
		err.Extra["detailedErrorMessage"] = fmt.Sprintf("actions[%d]: %s", i, err.Extra["detailedErrorMessage"])
		return "", err
	}
	if a.Action == "" {
		return "", missing(fmt.Sprintf("actions[%d].action", i))
	}
	return a.Action, nil
}

// removedStagedActions are update actions of older API versions.
var removedStagedActions = []string{
	"setCreatorNoOfDevelopers", "setPrivate", "setConfigurations",
	"addPrivateCustomer", "removePrivateCustomer", "triggerCertification",
}

// stagedAction applies one update action to a copy of a ConnectorStaged.
type stagedAction func(s *Simulator, cs *ConnectorStaged, raw json.RawMessage, now time.Time) *Error

// stagedActions holds every ConnectorUpdateAction of the reference.
var stagedActions = map[string]stagedAction{
	"setName": stringAction("name", true, func(cs *ConnectorStaged, v string) { cs.Name = v }),
	"setDescription": stringAction("description", false, func(cs *ConnectorStaged, v string) {
		cs.Description = v
	}),
	"setCreatorName":  stringAction("creatorName", false, func(cs *ConnectorStaged, v string) { cs.Creator.Name = v }),
	"setCreatorTitle": stringAction("creatorTitle", false, func(cs *ConnectorStaged, v string) { cs.Creator.Title = v }),
	"setCreatorEmail": stringAction("creatorEmail", true, func(cs *ConnectorStaged, v string) { cs.Creator.Email = v }),
	"setCreatorCompany": stringAction("creatorCompany", false, func(cs *ConnectorStaged, v string) {
		cs.Creator.Company = v
	}),
	"setCreatorLogo": stringAction("logoUrl", false, func(cs *ConnectorStaged, v string) { cs.Creator.LogoURL = v }),
	"setCreatorSupportUrl": stringAction("creatorSupportUrl", false, func(cs *ConnectorStaged, v string) {
		cs.Creator.SupportURL = v
	}),
	"setDocumentationUrl": stringAction("documentationUrl", false, func(cs *ConnectorStaged, v string) {
		cs.DocumentationURL = v
	}),
	"addCertificationComment": stringAction("comment", true, nil),
	"setCreatorNoOfContributors": func(_ *Simulator, cs *ConnectorStaged, raw json.RawMessage, _ time.Time) *Error {
		var a struct {
			N *int `json:"creatorNoOfContributors"`
		}
		if err := decodeJSON(raw, &a); err != nil {
			return err
		}
		if a.N == nil {
			return missing("creatorNoOfContributors")
		}
		cs.Creator.NoOfContributors = a.N
		return nil
	},
	"setRepository": func(s *Simulator, cs *ConnectorStaged, raw json.RawMessage, _ time.Time) *Error {
		var a RepositoryRef
		if err := decodeJSON(raw, &a); err != nil {
			return err
		}
		if a.URL == "" || a.Tag == "" {
			return missing("url and tag")
		}
		if _, err := s.st.repository(a); err != nil {
			return err
		}
		cs.Repository = a
		s.readSpecInto(cs)
		return nil
	},
	"setSupportedRegions": enumListAction("regions", regions, func(cs *ConnectorStaged, v []string) {
		cs.SupportedRegions = v
	}),
	"setIntegrationTypes": enumListAction("integrationTypes", integrationTypes, func(cs *ConnectorStaged, v []string) {
		cs.IntegrationTypes = v
	}),
	"addPrivateProject":    privateProjectAction(true),
	"removePrivateProject": privateProjectAction(false),
	"updatePreviewable":    updatePreviewable,
	"publish":              publish,
	"unlist": func(s *Simulator, cs *ConnectorStaged, _ json.RawMessage, _ time.Time) *Error {
		cs.AlreadyListed = false
		if conn := s.st.connectors[cs.ID]; conn != nil {
			conn.listed = false
		}
		return nil
	},
}

func stringAction(field string, required bool, set func(*ConnectorStaged, string)) stagedAction {
	return func(_ *Simulator, cs *ConnectorStaged, raw json.RawMessage, now time.Time) *Error {
		var a map[string]json.RawMessage
		if err := decodeJSON(raw, &a); err != nil {
			return err
		}
		// Every string action's value is required (the RAML declares it
		// without "?"); required here means it must also not be empty.
		b, ok := a[field]
		if !ok {
			return missing(field)
		}
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return errInvalidJSON("%s: expected string, got %s", field, b)
		}
		if required && v == "" {
			return missing(field)
		}
		if set == nil { // addCertificationComment
			if cs.CertificationInfo == nil {
				cs.CertificationInfo = &CertificationInfo{}
			}
			cs.CertificationInfo.Comments = append(slices.Clone(cs.CertificationInfo.Comments),
				CertificationComment{UserID: "connect-sim", Datetime: now, Comment: v})
			return nil
		}
		set(cs, v)
		return nil
	}
}

func enumListAction(field string, values []string, set func(*ConnectorStaged, []string)) stagedAction {
	return func(_ *Simulator, cs *ConnectorStaged, raw json.RawMessage, _ time.Time) *Error {
		var a map[string]json.RawMessage
		if err := decodeJSON(raw, &a); err != nil {
			return err
		}
		var vs []string
		if b, ok := a[field]; ok {
			if err := json.Unmarshal(b, &vs); err != nil {
				return errInvalidJSON("%s: expected an array of strings, got %s", field, b)
			}
		}
		if err := checkEnums(field, vs, values); err != nil {
			return err
		}
		set(cs, orEmpty(vs))
		return nil
	}
}

func privateProjectAction(add bool) stagedAction {
	return func(_ *Simulator, cs *ConnectorStaged, raw json.RawMessage, _ time.Time) *Error {
		var a struct {
			PrivateProject string `json:"privateProject"`
		}
		if err := decodeJSON(raw, &a); err != nil {
			return err
		}
		if !projectIDPattern.MatchString(a.PrivateProject) {
			return errInvalidJSON("privateProject: %q must match %s", a.PrivateProject, projectIDPattern)
		}
		if !cs.Private {
			return NewError("ConnectorStagedNotPrivate", nil, []any{"resourceId", cs.ID, "resourceKey", cs.Key})
		}
		i := slices.Index(cs.PrivateProjects, a.PrivateProject)
		switch {
		case add && i < 0:
			cs.PrivateProjects = append(slices.Clone(cs.PrivateProjects), a.PrivateProject)
		case !add && i < 0:
			return NewError(codeFieldValueNotFound,
				map[string]any{"field": "privateProject", "value": a.PrivateProject},
				[]any{"value", a.PrivateProject, "field", "privateProject"})
		case !add:
			cs.PrivateProjects = slices.Delete(slices.Clone(cs.PrivateProjects), i, i+1)
		}
		return nil
	}
}

// updatePreviewable asks for preview status: isPreviewable becomes
// "pending", then "true" (or "false" when the build fails) after
// Timings.Preview.
func updatePreviewable(s *Simulator, cs *ConnectorStaged, _ json.RawMessage, now time.Time) *Error {
	if cs.IsPreviewable == previewPending {
		return NewError("ConnectorStagedPreviewRequestUnderProcess", nil, nil)
	}
	if _, err := s.st.connectYAML(cs.Repository); err != nil {
		return err
	}
	cs.IsPreviewable = previewPending
	cs.previewAt = now.Add(s.opts.Timings.Preview)
	s.st.schedule(cs.previewAt)
	return nil
}

// publish starts publishing: Processing for a private publish, then
// Published after Timings.Publish; InCertification with certification, then
// Published and certified after Timings.Certification.
func publish(s *Simulator, cs *ConnectorStaged, raw json.RawMessage, now time.Time) *Error {
	var a struct {
		Certification *bool `json:"certification"`
	}
	if err := decodeJSON(raw, &a); err != nil {
		return err
	}
	if a.Certification == nil {
		return missing("certification")
	}
	if cs.Status == stagedInCertification {
		return NewError("ConnectorStagedInCertification", nil, nil)
	}
	if *a.Certification && cs.certified && !cs.HasChanges {
		return NewError("ConnectorAlreadyCertified", nil, nil)
	}
	if _, err := s.st.connectYAML(cs.Repository); err != nil {
		return err
	}
	cs.certifying = *a.Certification
	if cs.certifying {
		cs.Status = stagedInCertification
		cs.publishAt = now.Add(s.opts.Timings.Certification)
	} else {
		cs.Status = stagedProcessing
		cs.publishAt = now.Add(s.opts.Timings.Publish)
	}
	s.st.schedule(cs.publishAt)
	return nil
}

// updateStaged applies all actions to a copy, atomically: either all apply
// and the version grows by one, or none does.
func (s *Simulator) updateStaged(c *call) (int, any, *Error) {
	u, err := decodeUpdate(c.body)
	if err != nil {
		return 0, nil, err
	}
	cs, err := s.findStaged(c.tok.project, c.ref)
	if err != nil {
		return 0, nil, err
	}
	if *u.Version != cs.Version {
		return 0, nil, errConcurrent(cs.ID, cs.Key, *u.Version, cs.Version)
	}
	next := cloneStaged(cs)
	now := s.clock.Now()
	for i, raw := range u.Actions {
		name, err := actionName(i, raw)
		if err != nil {
			return 0, nil, err
		}
		if slices.Contains(removedStagedActions, name) {
			return 0, nil, errFeatureRemoved(fmt.Sprintf("update action %s", name))
		}
		apply, ok := stagedActions[name]
		if !ok {
			return 0, nil, errInvalidJSON("actions[%d].action: unknown action %q", i, name)
		}
		if next.Status == stagedInCertification && name != "addCertificationComment" && name != "publish" {
			return 0, nil, NewError("ConnectorStagedInCertification", nil, nil)
		}
		if err := apply(s, next, raw, now); err != nil {
			if d, ok := err.Extra["detailedErrorMessage"].(string); ok && !strings.HasPrefix(d, "actions[") {
				err.Extra["detailedErrorMessage"] = fmt.Sprintf("actions[%d].%s", i, d)
			}
			return 0, nil, err
		}
		if name != "publish" && name != "updatePreviewable" && name != "addCertificationComment" {
			next.HasChanges = true
		}
	}
	next.Version++
	s.st.staged[next.ID] = next
	return http.StatusCreated, next, nil
}

func cloneStaged(cs *ConnectorStaged) *ConnectorStaged {
	n := *cs
	n.IntegrationTypes = slices.Clone(cs.IntegrationTypes)
	n.PrivateProjects = slices.Clone(cs.PrivateProjects)
	n.SupportedRegions = slices.Clone(cs.SupportedRegions)
	return &n
}
