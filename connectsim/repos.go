package connectsim

import (
	"fmt"
	"slices"

	"github.com/connect-gateway/connect-gateway/internal/pathparam"
)

// SpecState says what a repository holds at a tag.
type SpecState int

const (
	// SpecValid: a valid connect.yaml.
	SpecValid SpecState = iota
	// SpecMissing: no connect.yaml (ConnectorSpecificationFileNotFound).
	SpecMissing
	// SpecInvalid: a connect.yaml that does not parse (ConnectorSpecificationFileNotValid).
	SpecInvalid
)

// RepositorySpec is one entry of the simulated Git hosting: a repository URL
// and tag, and the connect.yaml found there. A URL and tag that no entry
// names is unreachable (GitRepositoryNotReachable).
type RepositorySpec struct {
	URL string `json:"url"`
	Tag string `json:"tag"`
	// Spec says whether connect.yaml exists and is valid.
	Spec SpecState `json:"spec"`
	// Applications of connect.yaml.
	Applications []ApplicationSpec `json:"applications"`
	// GlobalConfiguration of connect.yaml, if any.
	GlobalConfiguration *GlobalConfigurationSpec `json:"globalConfiguration,omitempty"`
	// APIClientScopes, when set, make deployments create an API client with
	// these scopes, which needs the manage_api_clients scope.
	APIClientScopes []string `json:"apiClientScopes,omitempty"`
	// BuildFails makes deployments of this tag end Failed instead of Deployed.
	BuildFails bool `json:"buildFails,omitempty"`
}

// The built-in repositories. Anything else is unreachable.
const (
	// RepoPayment has a "processor" service (standard key CTP_PROJECT_KEY
	// required, CTP_REGION with a default; secured key CTP_CLIENT_SECRET
	// required) and an "enabler" assets application without configuration.
	// Tags: TagV1 (valid), TagV11 (adds a "jobs" job application), TagFailing
	// (valid, but builds fail), TagInvalid (invalid connect.yaml), TagNoSpec
	// (no connect.yaml).
	RepoPayment = "https://github.com/connect-sim/payment-connector.git"
	// RepoTax has a global configuration (standard TAX_API_URL required,
	// TAX_MODE optional with a default; secured TAX_API_KEY required), an
	// "tax-calculator" event application and a "rates-sync" job application,
	// and asks for an API client (so deploying it needs manage_api_clients).
	// Tag: TagV1.
	RepoTax = "https://github.com/connect-sim/tax-connector.git"
	// RepoUnreachable is not in the catalogue: every tag is unreachable.
	RepoUnreachable = "https://github.com/connect-sim/unreachable.git"

	TagV1      = "v1.0.0"
	TagV11     = "v1.1.0"
	TagFailing = "v1.0.0-failing"
	TagInvalid = "v2.0.0-invalid"
	TagNoSpec  = "v0.1.0-no-spec"
)

func builtinRepositories() []RepositorySpec {
	processor := ApplicationSpec{
		ApplicationName: "processor",
		ApplicationType: "service",
		StandardConfiguration: []StandardConfigurationKey{
			{Key: "CTP_PROJECT_KEY", Description: "commercetools project key", Required: true},
			{Key: "CTP_REGION", Description: "commercetools region", Default: "europe-west1.gcp"},
		},
		SecuredConfiguration: []SecuredConfigurationKey{
			{Key: "CTP_CLIENT_SECRET", Description: "commercetools API client secret", Required: true},
		},
	}
	enabler := ApplicationSpec{ApplicationName: "enabler", ApplicationType: "assets",
		StandardConfiguration: []StandardConfigurationKey{}, SecuredConfiguration: []SecuredConfigurationKey{}}
	jobs := ApplicationSpec{ApplicationName: "jobs", ApplicationType: "job", Schedule: "0 0 * * *",
		StandardConfiguration: []StandardConfigurationKey{{Key: "BATCH_SIZE", Description: "items per run", Default: "100"}},
		SecuredConfiguration:  []SecuredConfigurationKey{}}
	payment := func(tag string) RepositorySpec {
		return RepositorySpec{URL: RepoPayment, Tag: tag, Applications: []ApplicationSpec{processor, enabler}}
	}
	v11 := payment(TagV11)
	v11.Applications = append(v11.Applications, jobs)
	failing := payment(TagFailing)
	failing.BuildFails = true
	return []RepositorySpec{
		payment(TagV1),
		v11,
		failing,
		{URL: RepoPayment, Tag: TagInvalid, Spec: SpecInvalid},
		{URL: RepoPayment, Tag: TagNoSpec, Spec: SpecMissing},
		{
			URL: RepoTax, Tag: TagV1,
			Applications: []ApplicationSpec{
				{ApplicationName: "tax-calculator", ApplicationType: "event",
					StandardConfiguration: []StandardConfigurationKey{}, SecuredConfiguration: []SecuredConfigurationKey{}},
				{ApplicationName: "rates-sync", ApplicationType: "job", Schedule: "0 * * * *",
					StandardConfiguration: []StandardConfigurationKey{}, SecuredConfiguration: []SecuredConfigurationKey{}},
			},
			GlobalConfiguration: &GlobalConfigurationSpec{
				StandardConfiguration: []StandardConfigurationKey{
					{Key: "TAX_API_URL", Description: "tax provider URL", Required: true},
					{Key: "TAX_MODE", Description: "net or gross", Default: "net"},
				},
				SecuredConfiguration: []SecuredConfigurationKey{
					{Key: "TAX_API_KEY", Description: "tax provider API key", Required: true},
				},
			},
			APIClientScopes: []string{"manage_orders", "view_tax_categories"},
		},
	}
}

func repoKey(url, tag string) string { return url + "@" + tag }

// repository returns the entry of url and tag, or GitRepositoryNotReachable.
func (st *store) repository(r RepositoryRef) (RepositorySpec, *Error) {
	spec, ok := st.repos[repoKey(r.URL, r.Tag)]
	if !ok {
		return RepositorySpec{}, NewError(codeGitRepoNotReachable, nil, nil)
	}
	return spec, nil
}

// connectYAML returns the valid connect.yaml of url and tag, or the error
// that reading it gives.
func (st *store) connectYAML(r RepositoryRef) (RepositorySpec, *Error) {
	spec, err := st.repository(r)
	if err != nil {
		return spec, err
	}
	vars := []any{"url", r.URL, "tag", r.Tag}
	switch spec.Spec {
	case SpecMissing:
		return spec, NewError("ConnectorSpecificationFileNotFound", nil, vars)
	case SpecInvalid:
		return spec, NewError("ConnectorSpecificationFileNotValid", nil, vars)
	}
	return spec, nil
}

func (spec RepositorySpec) validate() error {
	if spec.URL == "" || spec.Tag == "" {
		return fmt.Errorf("repository needs a url and a tag")
	}
	if spec.Spec != SpecValid {
		return nil
	}
	seen := map[string]bool{}
	for _, a := range spec.Applications {
		if !pathparam.Key.Match(a.ApplicationName) || seen[a.ApplicationName] {
			return fmt.Errorf("application name %q is invalid or repeated", a.ApplicationName)
		}
		seen[a.ApplicationName] = true
	}
	return nil
}

func cloneApps(apps []ApplicationSpec) []ApplicationSpec {
	out := make([]ApplicationSpec, len(apps))
	for i, a := range apps {
		a.StandardConfiguration = append([]StandardConfigurationKey{}, a.StandardConfiguration...)
		a.SecuredConfiguration = append([]SecuredConfigurationKey{}, a.SecuredConfiguration...)
		out[i] = a
	}
	return out
}

func cloneGlobal(g *GlobalConfigurationSpec) *GlobalConfigurationSpec {
	if g == nil {
		return nil
	}
	return &GlobalConfigurationSpec{
		StandardConfiguration: slices.Clone(g.StandardConfiguration),
		SecuredConfiguration:  slices.Clone(g.SecuredConfiguration),
	}
}
