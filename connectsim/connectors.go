package connectsim

import (
	"net/http"
	"slices"
	"strings"
)

// visibleTo reports whether project may see and deploy the Connector: a
// public one everyone may, a private one its own project and its
// privateProjects ("region:projectKey").
func (conn *Connector) visibleTo(project string) bool {
	return !conn.Private || conn.project == project || assigned(conn.privateProjects, project)
}

func assigned(privateProjects []string, project string) bool {
	for _, p := range privateProjects {
		if _, key, _ := strings.Cut(p, ":"); key == project {
			return true
		}
	}
	return false
}

func (s *Simulator) connectorByRef(r ref) *Connector {
	if r.Key == "" {
		return s.st.connectors[r.ID]
	}
	for _, conn := range s.st.connectors {
		if conn.Key == r.Key {
			return conn
		}
	}
	return nil
}

func (s *Simulator) getConnector(c *call) (int, any, *Error) {
	conn := s.connectorByRef(c.ref)
	if conn == nil || !conn.visibleTo(c.tok.project) {
		return 0, nil, errNotFound("Connector", c.ref)
	}
	return http.StatusOK, conn, nil
}

// searchConnectors is GET /connectors/search: text (in name and
// description), private, creator.company, id, key, integrationTypes.
// Unlisted certified Connectors show only to their own and private projects.
func (s *Simulator) searchConnectors(c *call) (int, any, *Error) {
	q := c.r.URL.Query()
	p, err := parsePage(q, []string{"id", "key", "name", "version"})
	if err != nil {
		return 0, nil, err
	}
	private, err := boolParam(q, "private")
	if err != nil {
		return 0, nil, err
	}
	types, err := enumParams(q, "integrationTypes", integrationTypes)
	if err != nil {
		return 0, nil, err
	}
	text := strings.ToLower(q.Get("text"))
	company := q.Get("creator.company")
	project := c.tok.project
	var items []*Connector
	for _, conn := range s.st.connectors {
		mine := conn.project == project || assigned(conn.privateProjects, project)
		switch {
		case !conn.visibleTo(project), !mine && !conn.listed && !conn.Private,
			private != nil && *private && !mine,
			text != "" && !strings.Contains(strings.ToLower(conn.Name+" "+conn.Description), text),
			company != "" && conn.Creator.Company != company,
			len(q["id"]) > 0 && !slices.Contains(q["id"], conn.ID),
			len(q["key"]) > 0 && !slices.Contains(q["key"], conn.Key),
			len(types) > 0 && !overlaps(conn.IntegrationTypes, types):
			continue
		}
		items = append(items, conn)
	}
	sortByCreation(items, func(conn *Connector) int64 { return conn.order })
	return http.StatusOK, pageOf(items, p, func(conn *Connector, f string) string {
		switch f {
		case "id":
			return conn.ID
		case "key":
			return conn.Key
		case "name":
			return strings.ToLower(conn.Name)
		}
		return sortVersion(conn.Version)
	}), nil
}

// publishConnector makes the published Connector of cs from its current state.
func (s *Simulator) publishConnector(cs *ConnectorStaged) {
	conn := s.st.connectors[cs.ID]
	version := int64(1)
	order := s.st.next()
	if conn != nil {
		version = conn.Version + 1
		order = conn.order
	}
	s.st.connectors[cs.ID] = &Connector{
		ID: cs.ID, Key: cs.Key, Version: version, Name: cs.Name, Description: cs.Description,
		IntegrationTypes: slices.Clone(cs.IntegrationTypes), Creator: cs.Creator, Repository: cs.Repository,
		Configurations: cloneApps(cs.Configurations), APIClient: cs.APIClient, Private: cs.Private,
		GlobalConfiguration: cloneGlobal(cs.GlobalConfiguration), SupportedRegions: slices.Clone(cs.SupportedRegions),
		Certified: cs.certified, DocumentationURL: cs.DocumentationURL,
		project: cs.project, privateProjects: slices.Clone(cs.PrivateProjects), listed: cs.AlreadyListed, order: order,
	}
}
