package connectsim

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/connect-gateway/connect-gateway/internal/pathparam"
)

// stagedDraft is ConnectorStagedDraft.
type stagedDraft struct {
	Key              string         `json:"key"`
	Name             *string        `json:"name"`
	Description      string         `json:"description"`
	IntegrationTypes []string       `json:"integrationTypes"`
	Creator          *Creator       `json:"creator"`
	Repository       *RepositoryRef `json:"repository"`
	SupportedRegions []string       `json:"supportedRegions"`
	PrivateProjects  []string       `json:"privateProjects"`
	DocumentationURL string         `json:"documentationUrl"`
}

func (d *stagedDraft) validate() *Error {
	switch {
	case d.Key != "" && !pathparam.Key.Match(d.Key):
		return errInvalidJSON("key: %q must match %s", d.Key, pathparam.Key)
	case d.Name == nil || *d.Name == "":
		return missing("name")
	case d.Creator == nil:
		return missing("creator")
	case d.Creator.Email == "":
		return missing("creator.email")
	case d.Repository == nil:
		return missing("repository")
	case d.Repository.URL == "":
		return missing("repository.url")
	case d.Repository.Tag == "":
		return missing("repository.tag")
	}
	if err := checkEnums("integrationTypes", d.IntegrationTypes, integrationTypes); err != nil {
		return err
	}
	if err := checkEnums("supportedRegions", d.SupportedRegions, regions); err != nil {
		return err
	}
	for _, p := range d.PrivateProjects {
		if !projectIDPattern.MatchString(p) {
			return errInvalidJSON("privateProjects: %q must match %s", p, projectIDPattern)
		}
	}
	return nil
}

func checkEnums(field string, vs, values []string) *Error {
	for _, v := range vs {
		if err := checkEnum(field, v, values); err != nil {
			return err
		}
	}
	return nil
}

func (s *Simulator) createStaged(c *call) (int, any, *Error) {
	var d stagedDraft
	if err := decodeJSON(c.body, &d); err != nil {
		return 0, nil, err
	}
	if err := d.validate(); err != nil {
		return 0, nil, err
	}
	if d.Key != "" && s.stagedByKey(d.Key) != nil {
		return 0, nil, errDuplicate("key", d.Key)
	}
	if _, err := s.st.repository(*d.Repository); err != nil {
		return 0, nil, err
	}
	cs := &ConnectorStaged{
		ID: newID(), Key: d.Key, Version: 1, Name: *d.Name, Description: d.Description,
		IntegrationTypes: orEmpty(d.IntegrationTypes), Creator: *d.Creator, Repository: *d.Repository,
		Private: true, PrivateProjects: orEmpty(d.PrivateProjects),
		SupportedRegions: d.SupportedRegions, Status: stagedStatusDraft, HasChanges: true,
		IsPreviewable: previewNone, DocumentationURL: d.DocumentationURL,
		project: c.tok.project, order: s.st.next(),
	}
	if len(cs.SupportedRegions) == 0 {
		cs.SupportedRegions = slices.Clone(regions)
	}
	s.readSpecInto(cs)
	s.st.staged[cs.ID] = cs
	return http.StatusCreated, cs, nil
}

// readSpecInto copies the connect.yaml of cs's repository into cs when it
// is valid; otherwise cs has no configurations until it is fixed (the error
// shows on updatePreviewable and publish).
func (s *Simulator) readSpecInto(cs *ConnectorStaged) {
	spec, err := s.st.connectYAML(cs.Repository)
	cs.Configurations = []ApplicationSpec{}
	cs.GlobalConfiguration, cs.APIClient = nil, nil
	if err != nil {
		return
	}
	cs.Configurations = cloneApps(spec.Applications)
	cs.GlobalConfiguration = cloneGlobal(spec.GlobalConfiguration)
	if len(spec.APIClientScopes) > 0 {
		cs.APIClient = &ConnectorAPIClient{Scopes: slices.Clone(spec.APIClientScopes)}
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func (s *Simulator) stagedByKey(key string) *ConnectorStaged {
	for _, cs := range s.st.staged {
		if cs.Key == key {
			return cs
		}
	}
	return nil
}

// findStaged returns the caller's project's ConnectorStaged addressed by r.
func (s *Simulator) findStaged(project string, r ref) (*ConnectorStaged, *Error) {
	var cs *ConnectorStaged
	if r.Key != "" {
		cs = s.stagedByKey(r.Key)
	} else {
		cs = s.st.staged[r.ID]
	}
	if cs == nil || cs.project != project {
		return nil, errNotFound("ConnectorStaged", r)
	}
	return cs, nil
}

func (s *Simulator) getStaged(c *call) (int, any, *Error) {
	cs, err := s.findStaged(c.tok.project, c.ref)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, cs, nil
}

func (s *Simulator) deleteStaged(c *call) (int, any, *Error) {
	cs, err := s.findStaged(c.tok.project, c.ref)
	if err != nil {
		return 0, nil, err
	}
	delete(s.st.staged, cs.ID)
	return http.StatusOK, cs, nil
}

func (s *Simulator) queryStaged(c *call) (int, any, *Error) {
	q := c.r.URL.Query()
	p, err := parsePage(q, []string{"id", "key", "name", "version", "status"})
	if err != nil {
		return 0, nil, err
	}
	isPrivate, err := boolParam(q, "isPrivate")
	if err != nil {
		return 0, nil, err
	}
	types, err := enumParams(q, "integrationTypes", integrationTypes)
	if err != nil {
		return 0, nil, err
	}
	var items []*ConnectorStaged
	for _, cs := range s.st.staged {
		if cs.project != c.tok.project ||
			(isPrivate != nil && cs.Private != *isPrivate) ||
			(len(types) > 0 && !overlaps(cs.IntegrationTypes, types)) {
			continue
		}
		items = append(items, cs)
	}
	sortByCreation(items, func(cs *ConnectorStaged) int64 { return cs.order })
	return http.StatusOK, pageOf(items, p, func(cs *ConnectorStaged, f string) string {
		switch f {
		case "id":
			return cs.ID
		case "key":
			return cs.Key
		case "name":
			return strings.ToLower(cs.Name)
		case "status":
			return cs.Status
		}
		return sortVersion(cs.Version)
	}), nil
}

func overlaps(a, b []string) bool {
	for _, v := range a {
		if slices.Contains(b, v) {
			return true
		}
	}
	return false
}

func sortByCreation[T any](items []T, order func(T) int64) {
	slices.SortFunc(items, func(a, b T) int { return cmp.Compare(order(a), order(b)) })
}
