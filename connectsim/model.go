package connectsim

import "time"

// The JSON shapes of the Connect API resources, with the RAML's field names.
// Unexported fields are the simulator's bookkeeping and never serialised.

// MaskedValue replaces every secured configuration value in responses.
const MaskedValue = "****"

// Creator is the creator of a ConnectorStaged.
type Creator struct {
	Name             string `json:"name,omitempty"`
	Title            string `json:"title,omitempty"`
	Email            string `json:"email"`
	Company          string `json:"company,omitempty"`
	LogoURL          string `json:"logoUrl,omitempty"`
	NoOfContributors *int   `json:"noOfContributors,omitempty"`
	SupportURL       string `json:"supportUrl,omitempty"`
}

// RepositoryRef is a Git repository and tag.
type RepositoryRef struct {
	URL string `json:"url"`
	Tag string `json:"tag"`
}

// StandardConfigurationKey declares a standard configuration key of connect.yaml.
type StandardConfigurationKey struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	Default     string `json:"default,omitempty"`
	Required    bool   `json:"required"`
}

// SecuredConfigurationKey declares a secured configuration key of connect.yaml.
type SecuredConfigurationKey struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
}

// ApplicationSpec is one application of connect.yaml
// (ConnectorConfigurationApplication on the wire).
type ApplicationSpec struct {
	ApplicationName       string                     `json:"applicationName"`
	ApplicationType       string                     `json:"applicationType"`
	StandardConfiguration []StandardConfigurationKey `json:"standardConfiguration"`
	SecuredConfiguration  []SecuredConfigurationKey  `json:"securedConfiguration"`
	// Schedule is the default cron schedule of a job application (not on the wire).
	Schedule string `json:"-"`
}

// GlobalConfigurationSpec is connect.yaml's inheritAs/global configuration
// (ConnectorGlobalConfiguration on the wire).
type GlobalConfigurationSpec struct {
	StandardConfiguration []StandardConfigurationKey `json:"standardConfiguration,omitempty"`
	SecuredConfiguration  []SecuredConfigurationKey  `json:"securedConfiguration,omitempty"`
}

// ConnectorAPIClient lists the scopes a Connector's generated API client gets.
type ConnectorAPIClient struct {
	Scopes []string `json:"scopes"`
}

// ReportEntry is a ConnectorReportEntry or DeploymentReportEntry.
type ReportEntry struct {
	Type        string    `json:"type"`
	Title       string    `json:"title"`
	Message     string    `json:"message,omitempty"`
	Application string    `json:"application,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Report is a ConnectorReport or DeploymentReport.
type Report struct {
	Entries []ReportEntry `json:"entries"`
}

// CertificationComment is a CertificationInfoComment.
type CertificationComment struct {
	UserID   string    `json:"userId"`
	Datetime time.Time `json:"datetime"`
	Comment  string    `json:"comment"`
}

// CertificationInfo holds certification comments.
type CertificationInfo struct {
	Comments []CertificationComment `json:"comments"`
}

// ConnectorStaged is the editable draft of a Connector.
type ConnectorStaged struct {
	ID                  string                   `json:"id"`
	Key                 string                   `json:"key,omitempty"`
	Version             int64                    `json:"version"`
	Name                string                   `json:"name"`
	Description         string                   `json:"description"`
	IntegrationTypes    []string                 `json:"integrationTypes"`
	Creator             Creator                  `json:"creator"`
	Repository          RepositoryRef            `json:"repository"`
	Configurations      []ApplicationSpec        `json:"configurations"`
	GlobalConfiguration *GlobalConfigurationSpec `json:"globalConfiguration,omitempty"`
	APIClient           *ConnectorAPIClient      `json:"apiClient,omitempty"`
	Private             bool                     `json:"private"`
	PrivateProjects     []string                 `json:"privateProjects"`
	SupportedRegions    []string                 `json:"supportedRegions"`
	CertificationInfo   *CertificationInfo       `json:"certificationInfo,omitempty"`
	Status              string                   `json:"status"`
	PublishingReport    *Report                  `json:"publishingReport,omitempty"`
	AlreadyListed       bool                     `json:"alreadyListed"`
	HasChanges          bool                     `json:"hasChanges"`
	IsPreviewable       string                   `json:"isPreviewable"`
	PreviewableReport   *Report                  `json:"previewableReport,omitempty"`
	DocumentationURL    string                   `json:"documentationUrl,omitempty"`

	project    string    // the project that created it
	order      int64     // creation order
	previewAt  time.Time // when a pending preview request completes
	publishAt  time.Time // when Processing or InCertification ends
	certifying bool      // the running publish asked for certification
	certified  bool      // the last publish was certified
}

// Connector is a published Connector.
type Connector struct {
	ID                  string                   `json:"id"`
	Key                 string                   `json:"key,omitempty"`
	Version             int64                    `json:"version"`
	Name                string                   `json:"name"`
	Description         string                   `json:"description,omitempty"`
	IntegrationTypes    []string                 `json:"integrationTypes"`
	Creator             Creator                  `json:"creator"`
	Repository          RepositoryRef            `json:"repository"`
	Configurations      []ApplicationSpec        `json:"configurations,omitempty"`
	APIClient           *ConnectorAPIClient      `json:"apiClient,omitempty"`
	Private             bool                     `json:"private"`
	GlobalConfiguration *GlobalConfigurationSpec `json:"globalConfiguration,omitempty"`
	SupportedRegions    []string                 `json:"supportedRegions"`
	Certified           bool                     `json:"certified"`
	DocumentationURL    string                   `json:"documentationUrl,omitempty"`

	project         string
	privateProjects []string
	listed          bool
	order           int64
}

// ConfigurationValue is a key and its value.
type ConfigurationValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// DeploymentConfigurationApplication configures one application of a Deployment.
type DeploymentConfigurationApplication struct {
	ApplicationName       string               `json:"applicationName"`
	StandardConfiguration []ConfigurationValue `json:"standardConfiguration"`
	SecuredConfiguration  []ConfigurationValue `json:"securedConfiguration"`
	Schedule              string               `json:"schedule,omitempty"`
}

// DeploymentGlobalConfiguration holds global configuration values.
type DeploymentGlobalConfiguration struct {
	StandardConfiguration []ConfigurationValue `json:"standardConfiguration,omitempty"`
	SecuredConfiguration  []ConfigurationValue `json:"securedConfiguration,omitempty"`
}

// DeploymentConnector is the Connector as a Deployment uses it.
type DeploymentConnector struct {
	ID                  string                   `json:"id"`
	Key                 string                   `json:"key,omitempty"`
	Version             int64                    `json:"version"`
	Name                string                   `json:"name"`
	Description         string                   `json:"description,omitempty"`
	IntegrationTypes    []string                 `json:"integrationTypes"`
	Creator             Creator                  `json:"creator"`
	Repository          RepositoryRef            `json:"repository"`
	Configurations      []ApplicationSpec        `json:"configurations,omitempty"`
	GlobalConfiguration *GlobalConfigurationSpec `json:"globalConfiguration,omitempty"`
	Certified           bool                     `json:"certified"`
	SupportedRegions    []string                 `json:"supportedRegions,omitempty"`
	DocumentationURL    string                   `json:"documentationUrl,omitempty"`
}

// DeploymentAPIClient is the API client generated for a Deployment.
type DeploymentAPIClient struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// DeploymentDetails holds the build of a Deployment.
type DeploymentDetails struct {
	Build DeploymentBuild `json:"build"`
}

// DeploymentBuild is DeploymentDetailsBuild.
type DeploymentBuild struct {
	ID     string  `json:"id"`
	Report *Report `json:"report,omitempty"`
}

// ApplicationDeployment is one deployed application.
type ApplicationDeployment struct {
	ID                    string               `json:"id"`
	ApplicationName       string               `json:"applicationName"`
	StandardConfiguration []ConfigurationValue `json:"standardConfiguration"`
	SecuredConfiguration  []ConfigurationValue `json:"securedConfiguration"`
	URL                   string               `json:"url,omitempty"`
	Topic                 string               `json:"topic,omitempty"`
	Schedule              string               `json:"schedule,omitempty"`
}

// Deployment is a deployed Connector in a project.
type Deployment struct {
	ID                  string                         `json:"id"`
	Key                 string                         `json:"key,omitempty"`
	Version             int64                          `json:"version"`
	Type                string                         `json:"type"`
	Connector           DeploymentConnector            `json:"connector"`
	GlobalConfiguration *DeploymentGlobalConfiguration `json:"globalConfiguration,omitempty"`
	APIClient           *DeploymentAPIClient           `json:"apiClient,omitempty"`
	Details             DeploymentDetails              `json:"details"`
	DeployedRegion      string                         `json:"deployedRegion"`
	Applications        []ApplicationDeployment        `json:"applications"`
	Preview             bool                           `json:"preview"`
	Status              string                         `json:"status"`

	project string
	order   int64
	nextAt  time.Time // when the current transient status ends
	fails   bool      // the build of this revision fails
	staged  bool      // deployed from the ConnectorStaged (preview)
	logs    []DeploymentLog
}

// DeploymentLog is one log entry of a Deployment.
type DeploymentLog struct {
	Type            string         `json:"type"`
	DeploymentID    string         `json:"deploymentId"`
	ApplicationName string         `json:"applicationName"`
	Severity        string         `json:"severity"`
	Timestamp       time.Time      `json:"timestamp"`
	Details         map[string]any `json:"details"`
}

// pagedResponse is the shape of every offset-paged query response.
type pagedResponse[T any] struct {
	Limit   int `json:"limit"`
	Offset  int `json:"offset"`
	Count   int `json:"count"`
	Total   int `json:"total"`
	Results []T `json:"results"`
}

// logPage is DeploymentLogCursorPagedQueryResponse.
type logPage struct {
	Data []DeploymentLog `json:"data"`
	// Next is always present (DeploymentLogCursorPagedQueryResponse declares
	// it required): the cursor of the entries after this page, past the
	// last one on the last page, so that a caller polls with it for more.
	Next string `json:"next"`
}

// Enumerations, as wire strings.
var (
	regions          = []string{"europe-west1.gcp", "us-central1.gcp", "australia-southeast1.gcp", "us-east-2.aws", "eu-central-1.aws"}
	integrationTypes = []string{"tax", "marketplace", "oms", "psp", "pim", "promotion", "search", "erp", "crm", "email", "analytics", "shipping", "giftcard", "other"}
	deploymentTypes  = []string{"preview", "sandbox", "production"}
)

// Statuses.
const (
	statusDraft          = "Draft"
	statusQueued         = "Queued"
	statusDeploying      = "Deploying"
	statusDeployed       = "Deployed"
	statusFailed         = "Failed"
	statusUndeploying    = "Undeploying"
	statusUndeployFailed = "UndeployFailed"

	stagedStatusDraft     = "Draft"
	stagedProcessing      = "Processing"
	stagedInCertification = "InCertification"
	stagedPublished       = "Published"

	previewNone    = "none"
	previewPending = "pending"
	previewTrue    = "true"
	previewFalse   = "false"
)
