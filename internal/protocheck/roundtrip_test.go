package protocheck_test

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/google/go-cmp/cmp"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

func TestResourcesRoundTripConnectJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		msg  proto.Message
	}{
		{"connector.json", &connectv1.Connector{}},
		{"connector_search_page.json", &connectv1.ConnectorSearchPagedQueryResponse{}},
		{"connector_staged.json", &connectv1.ConnectorStaged{}},
		{"connector_staged_draft.json", &connectv1.ConnectorStagedDraft{}},
		{"connector_staged_page.json", &connectv1.ConnectorStagedPagedQueryResponse{}},
		{"deployment.json", &connectv1.Deployment{}},
		{"deployment_draft.json", &connectv1.DeploymentDraft{}},
		{"deployment_page.json", &connectv1.DeploymentPagedQueryResponse{}},
		{"deployment_log_page.json", &connectv1.DeploymentLogCursorPagedQueryResponse{}},
		{"deployment_log_last_page.json", &connectv1.DeploymentLogCursorPagedQueryResponse{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			in := readTestdata(t, tt.file)
			assertSameJSON(t, in, roundTrip(t, in, tt.msg))
		})
	}
}

func TestDecodedFieldsHoldTheWireValues(t *testing.T) {
	t.Parallel()
	var got connectv1.ConnectorStaged
	if err := unmarshalConnect.Unmarshal(readTestdata(t, "connector_staged.json"), &got); err != nil {
		t.Fatal(err)
	}
	want := &connectv1.ConnectorStaged{
		IsPreviewable:    "true",
		Status:           "ReadyForCertification",
		PrivateProjects:  []string{"europe-west1.gcp:acme-dev", "us-east-2.aws:acme-us"},
		SupportedRegions: []string{"europe-west1.gcp", "us-east-2.aws"},
		Creator:          &connectv1.Creator{Email: "dev@example.com", Company: proto.String("Example GmbH"), NoOfContributors: proto.Int32(0)},
	}
	// isPreviewable is the string "true", not a boolean; enum-typed fields
	// hold wire strings.
	diff := cmp.Diff(want, &got, protocmp.Transform(),
		protocmp.IgnoreFields(&connectv1.ConnectorStaged{}, "id", "key", "version", "name", "description",
			"integration_types", "repository", "configurations", "api_client", "private", "certification_info",
			"publishing_report", "already_listed", "has_changes", "previewable_report", "documentation_url"))
	if diff != "" {
		t.Errorf("decoded ConnectorStaged (-want +got):\n%s", diff)
	}
}

func TestUnknownFieldsAndEnumValuesAreTolerated(t *testing.T) {
	t.Parallel()
	in := []byte(`{
		"id": "d-1", "version": 1, "type": "canary", "deployedRegion": "mars-north1.gcp",
		"status": "Hibernating", "preview": false, "applications": [],
		"createdAt": "2024-01-01T00:00:00Z", "details": {"build": {"id": "b", "durationMs": 12}}
	}`)
	var d connectv1.Deployment
	if err := unmarshalConnect.Unmarshal(in, &d); err != nil {
		t.Fatalf("unmarshal with unknown fields: %v", err)
	}
	want := &connectv1.Deployment{
		Id: "d-1", Version: 1, Type: "canary", DeployedRegion: "mars-north1.gcp", Status: "Hibernating",
		Details: &connectv1.DeploymentDetails{Build: &connectv1.DeploymentDetailsBuild{Id: "b"}},
	}
	if diff := cmp.Diff(want, &d, protocmp.Transform()); diff != "" {
		t.Errorf("decoded Deployment (-want +got):\n%s", diff)
	}
}

func TestAbsentOptionalFieldsStayAbsent(t *testing.T) {
	t.Parallel()
	// No key, description, documentationUrl, apiClient, globalConfiguration,
	// creator name/company/...: all optional on the wire.
	in := []byte(`{
		"id": "c-1", "version": 0, "name": "", "integrationTypes": [],
		"creator": {"email": ""}, "repository": {"url": "", "tag": ""},
		"configurations": [], "private": false, "supportedRegions": [], "certified": false
	}`)
	assertSameJSON(t, in, roundTrip(t, in, &connectv1.Connector{}))
}

// An optional list is indistinguishable from an empty one in proto3, so a
// Connector without `configurations` comes back with `"configurations": []`.
// The documented divergence of the EmitDefaultValues choice.
func TestAbsentOptionalListBecomesEmpty(t *testing.T) {
	t.Parallel()
	in := []byte(`{"id":"c-1","version":1,"name":"n","integrationTypes":["tax"],"creator":{"email":"e"},
		"repository":{"url":"u","tag":"t"},"private":true,"supportedRegions":["us-central1.gcp"],"certified":true}`)
	want := []byte(`{"id":"c-1","version":1,"name":"n","integrationTypes":["tax"],"creator":{"email":"e"},
		"repository":{"url":"u","tag":"t"},"private":true,"supportedRegions":["us-central1.gcp"],"certified":true,
		"configurations":[]}`)
	assertSameJSON(t, want, roundTrip(t, in, &connectv1.Connector{}))
}
