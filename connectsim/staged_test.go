package connectsim_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

func TestStagedCreateGetDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	cs := e.createStaged("pay", connectsim.RepoPayment, connectsim.TagV1)
	if cs.Version != 1 || cs.Status != "Draft" || cs.IsPreviewable != "none" || !cs.Private {
		t.Errorf("new ConnectorStaged: %+v", cs)
	}
	if len(cs.Configurations) != 2 || cs.Configurations[0].ApplicationName != "processor" {
		t.Errorf("configurations are not read from connect.yaml: %+v", cs.Configurations)
	}
	if len(cs.SupportedRegions) != 5 {
		t.Errorf("supportedRegions default to every region, got %v", cs.SupportedRegions)
	}
	byKey := connectsim.ConnectorStaged{}
	e.must(e.call("GET", "/connectors/drafts/key=pay", nil), http.StatusOK, &byKey)
	if byKey.ID != cs.ID {
		t.Errorf("by key: %s, want %s", byKey.ID, cs.ID)
	}
	var deleted connectsim.ConnectorStaged
	e.must(e.call("DELETE", "/connectors/drafts/key=pay", nil), http.StatusOK, &deleted)
	if deleted.ID != cs.ID {
		t.Errorf("delete answered %s", deleted.ID)
	}
	if r := e.call("GET", "/connectors/drafts/"+cs.ID, nil); r.status != http.StatusNotFound || r.code(t) != "ResourceNotFound" {
		t.Errorf("after delete: %d %s", r.status, r.body)
	}
}

func TestStagedIsPerProject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	cs := e.createStaged("mine", connectsim.RepoPayment, connectsim.TagV1)
	other := e.tokenFor(connectsim.Client{ID: "o", ProjectKey: "other", Scopes: connectsim.AllScopes()})
	if r := e.callAs(other, "GET", "/connectors/drafts/"+cs.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("another project sees the ConnectorStaged: %d", r.status)
	}
	var page struct{ Total int }
	e.must(e.callAs(other, "GET", "/connectors/drafts", nil), http.StatusOK, &page)
	if page.Total != 0 {
		t.Errorf("another project's query total %d", page.Total)
	}
}

// TestStagedUpdateActions applies every ConnectorUpdateAction of the
// reference that changes a field and checks the field.
func TestStagedUpdateActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	three := 3
	tests := []struct {
		action map[string]any
		check  func(cs connectsim.ConnectorStaged) any
		want   any
	}{
		{map[string]any{"action": "setName", "name": "N"}, func(c connectsim.ConnectorStaged) any { return c.Name }, "N"},
		{map[string]any{"action": "setDescription", "description": "D"}, func(c connectsim.ConnectorStaged) any { return c.Description }, "D"},
		{map[string]any{"action": "setCreatorName", "creatorName": "Ann"}, func(c connectsim.ConnectorStaged) any { return c.Creator.Name }, "Ann"},
		{map[string]any{"action": "setCreatorTitle", "creatorTitle": "CTO"}, func(c connectsim.ConnectorStaged) any { return c.Creator.Title }, "CTO"},
		{map[string]any{"action": "setCreatorEmail", "creatorEmail": "a@b.c"}, func(c connectsim.ConnectorStaged) any { return c.Creator.Email }, "a@b.c"},
		{map[string]any{"action": "setCreatorCompany", "creatorCompany": "Co"}, func(c connectsim.ConnectorStaged) any { return c.Creator.Company }, "Co"},
		{map[string]any{"action": "setCreatorNoOfContributors", "creatorNoOfContributors": 3}, func(c connectsim.ConnectorStaged) any { return c.Creator.NoOfContributors }, &three},
		{map[string]any{"action": "setCreatorLogo", "logoUrl": "https://l"}, func(c connectsim.ConnectorStaged) any { return c.Creator.LogoURL }, "https://l"},
		{map[string]any{"action": "setCreatorSupportUrl", "creatorSupportUrl": "https://s"}, func(c connectsim.ConnectorStaged) any { return c.Creator.SupportURL }, "https://s"},
		{map[string]any{"action": "setRepository", "url": connectsim.RepoPayment, "tag": connectsim.TagV11},
			func(c connectsim.ConnectorStaged) any { return len(c.Configurations) }, 3},
		{map[string]any{"action": "setSupportedRegions", "regions": []string{"us-east-2.aws"}},
			func(c connectsim.ConnectorStaged) any { return c.SupportedRegions }, []string{"us-east-2.aws"}},
		{map[string]any{"action": "setIntegrationTypes", "integrationTypes": []string{"tax", "erp"}},
			func(c connectsim.ConnectorStaged) any { return c.IntegrationTypes }, []string{"tax", "erp"}},
		{map[string]any{"action": "setDocumentationUrl", "documentationUrl": "https://d"}, func(c connectsim.ConnectorStaged) any { return c.DocumentationURL }, "https://d"},
		{map[string]any{"action": "addPrivateProject", "privateProject": "europe-west1.gcp:shop"},
			func(c connectsim.ConnectorStaged) any { return c.PrivateProjects }, []string{"europe-west1.gcp:shop"}},
		{map[string]any{"action": "addCertificationComment", "comment": "please"},
			func(c connectsim.ConnectorStaged) any { return c.CertificationInfo.Comments[0].Comment }, "please"},
		{map[string]any{"action": "updatePreviewable"}, func(c connectsim.ConnectorStaged) any { return c.IsPreviewable }, "pending"},
	}
	for _, tt := range tests {
		name := tt.action["action"].(string)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := e.with(t)
			cs := e.createStaged("act-"+name, connectsim.RepoPayment, connectsim.TagV1)
			got := e.updateStaged(cs, tt.action)
			if got.Version != cs.Version+1 {
				t.Errorf("version %d, want %d", got.Version, cs.Version+1)
			}
			if v := tt.check(got); !reflect.DeepEqual(v, tt.want) {
				t.Errorf("%s: got %#v, want %#v", name, v, tt.want)
			}
			if reread := e.getStaged(cs.ID); !reflect.DeepEqual(tt.check(reread), tt.want) {
				t.Errorf("%s: not stored", name)
			}
		})
	}
}

// TestStagedUpdateIsAtomic: when one action fails, none applies.
func TestStagedUpdateIsAtomic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	cs := e.createStaged("atomic", connectsim.RepoPayment, connectsim.TagV1)
	r := e.call("POST", "/connectors/drafts/"+cs.ID, map[string]any{"version": 1, "actions": []map[string]any{
		{"action": "setName", "name": "changed"},
		{"action": "setRepository", "url": connectsim.RepoUnreachable, "tag": "v1"},
	}})
	if r.status != http.StatusBadRequest || r.code(t) != "GitRepositoryNotReachable" {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	if got := e.getStaged(cs.ID); got.Name != cs.Name || got.Version != 1 {
		t.Errorf("a failed update changed the resource: %+v", got)
	}
}

func TestStagedValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	cs := e.createStaged("valid", connectsim.RepoPayment, connectsim.TagV1)
	tests := []struct {
		name, method, path string
		body               any
		code               string
	}{
		{"not an object", "POST", "/connectors/drafts", `[1]`, "InvalidJsonInput"},
		{"trailing data", "POST", "/connectors/drafts", `{} {}`, "InvalidJsonInput"},
		{"empty body", "POST", "/connectors/drafts", ``, "InvalidJsonInput"},
		{"missing creator", "POST", "/connectors/drafts", `{"name":"x"}`, "InvalidJsonInput"},
		{"bad key", "POST", "/connectors/drafts", `{"key":"a b","name":"x"}`, "InvalidJsonInput"},
		{"bad integration type", "POST", "/connectors/drafts",
			`{"name":"x","creator":{"email":"e"},"repository":{"url":"u","tag":"t"},"integrationTypes":["bogus"]}`, "InvalidJsonInput"},
		{"missing version", "POST", "/connectors/drafts/" + cs.ID, `{"actions":[]}`, "InvalidJsonInput"},
		{"unknown action", "POST", "/connectors/drafts/" + cs.ID, `{"version":1,"actions":[{"action":"fly"}]}`, "InvalidJsonInput"},
		{"action wrong type", "POST", "/connectors/drafts/" + cs.ID, `{"version":1,"actions":[{"action":"setName","name":1}]}`, "InvalidJsonInput"},
		{"removed action", "POST", "/connectors/drafts/" + cs.ID, `{"version":1,"actions":[{"action":"setCreatorNoOfDevelopers","creatorNoOfDevelopers":2}]}`, "FeatureRemoved"},
		{"bad isPrivate", "GET", "/connectors/drafts?isPrivate=maybe", nil, "InvalidQueryParam"},
		{"bad offset", "GET", "/connectors/drafts?offset=10001", nil, "InvalidQueryParam"},
		{"bad id", "GET", "/connectors/drafts/a%20b", nil, "InvalidPathParam"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := e.with(t)
			r := e.call(tt.method, tt.path, tt.body)
			if r.status != http.StatusBadRequest || r.code(t) != tt.code {
				t.Fatalf("got %d %s, want 400 %s", r.status, r.body, tt.code)
			}
		})
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	for _, k := range []string{"c-b", "c-d", "c-a", "c-e", "c-c"} {
		e.createStaged(k, connectsim.RepoPayment, connectsim.TagV1)
	}
	type page struct {
		Limit, Offset, Count, Total int
		Results                     []connectsim.ConnectorStaged
	}
	keys := func(p page) []string {
		var out []string
		for _, r := range p.Results {
			out = append(out, r.Key)
		}
		return out
	}
	tests := []struct {
		query    string
		want     page
		wantKeys []string
	}{
		{"", page{Limit: 20, Count: 5, Total: 5}, []string{"c-b", "c-d", "c-a", "c-e", "c-c"}},
		{"?limit=2&offset=1&sort=key+desc", page{Limit: 2, Offset: 1, Count: 2, Total: 5}, []string{"c-d", "c-c"}},
		{"?sort=key", page{Limit: 20, Count: 5, Total: 5}, []string{"c-a", "c-b", "c-c", "c-d", "c-e"}},
		{"?limit=0", page{Limit: 0, Count: 0, Total: 5}, nil},
		{"?offset=7", page{Limit: 20, Offset: 7, Count: 0, Total: 5}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			e := e.with(t)
			var p page
			e.must(e.call("GET", "/connectors/drafts"+tt.query, nil), http.StatusOK, &p)
			if got := keys(p); !reflect.DeepEqual(got, tt.wantKeys) {
				t.Errorf("keys %v, want %v", got, tt.wantKeys)
			}
			p.Results = nil
			if !reflect.DeepEqual(p, tt.want) {
				t.Errorf("page %+v, want %+v", p, tt.want)
			}
		})
	}
}

// TestStagedSettersRequireTheirValue: the value of every setter is
// required, as the ConnectorUpdateAction types of the Connect RAML declare
// it; an empty one is a value (it empties the field).
func TestStagedSettersRequireTheirValue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	for _, action := range []string{"setDescription", "setCreatorName", "setCreatorTitle", "setCreatorCompany",
		"setCreatorNoOfContributors", "setCreatorLogo", "setCreatorSupportUrl", "setDocumentationUrl"} {
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			e := e.with(t)
			cs := e.createStaged("req-"+action, connectsim.RepoPayment, connectsim.TagV1)
			r := e.call("POST", "/connectors/drafts/"+cs.ID, map[string]any{"version": cs.Version, "actions": []any{map[string]any{"action": action}}})
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "Missing required value") {
				t.Errorf("without its value: %d %s, want 400 InvalidJsonInput (Missing required value)", r.status, r.body)
			}
		})
	}
	cs := e.createStaged("req-empty", connectsim.RepoPayment, connectsim.TagV1)
	if got := e.updateStaged(cs, map[string]any{"action": "setDescription", "description": ""}); got.Description != "" {
		t.Errorf("an empty description left %q", got.Description)
	}
}
