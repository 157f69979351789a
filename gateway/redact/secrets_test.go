package redact_test

import (
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/redact"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

func TestSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  proto.Message
		want []string
	}{
		{"nil", nil, nil},
		{"a type without secrets", &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: "k"}}, nil},
		{"create with application and global values", &connectv1.CreateDeploymentRequest{Draft: &connectv1.DeploymentDraft{
			Configurations: []*connectv1.DeploymentConfigurationApplication{
				{SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "A", Value: "a-secret"}, {Key: "E", Value: ""}}},
				{StandardConfiguration: []*connectv1.ConfigurationValue{{Key: "P", Value: "plain"}}},
			},
			GlobalConfiguration: &connectv1.DeploymentGlobalConfiguration{
				SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "G", Value: "g-secret"}},
			},
		}}, []string{"a-secret", "g-secret"}},
		{"redeploy action", &connectv1.UpdateDeploymentRequest{Actions: []*connectv1.DeploymentUpdateAction{{
			Action: &connectv1.DeploymentUpdateAction_Redeploy{Redeploy: &connectv1.DeploymentRedeployAction{
				ConfigurationValues: []*connectv1.DeploymentConfigurationApplication{{
					SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "K", Value: "r-secret"}},
				}},
			}},
		}}}, []string{"r-secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := redact.Secrets(tt.msg)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Secrets = %q, want %q", got, tt.want)
			}
		})
	}
}
