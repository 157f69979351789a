package redact_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/redact"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

const canary = "canary-5ecret-value"

func deploymentWithSecrets() *connectv1.CreateDeploymentRequest {
	return &connectv1.CreateDeploymentRequest{ProjectKey: "demo", Draft: &connectv1.DeploymentDraft{
		Key: proto.String("d"),
		Configurations: []*connectv1.DeploymentConfigurationApplication{{
			ApplicationName:       "processor",
			StandardConfiguration: []*connectv1.ConfigurationValue{{Key: "PLAIN", Value: "visible"}},
			SecuredConfiguration:  []*connectv1.SecuredConfigurationValue{{Key: "SECRET", Value: canary}},
		}},
		GlobalConfiguration: &connectv1.DeploymentGlobalConfiguration{
			SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "G", Value: canary + "-global"}},
		},
	}}
}

func TestMessageMasksSecuredValues(t *testing.T) {
	t.Parallel()
	in := deploymentWithSecrets()
	text := redact.String(in)
	if strings.Contains(text, canary) {
		t.Errorf("redacted text holds the secret: %s", text)
	}
	for _, want := range []string{"SECRET", "visible", redact.Mask} {
		if !strings.Contains(text, want) {
			t.Errorf("redacted text lacks %q: %s", want, text)
		}
	}
	if in.GetDraft().GetConfigurations()[0].GetSecuredConfiguration()[0].GetValue() != canary {
		t.Error("redaction changed the caller's message")
	}
}

func TestMessageWithoutSecretsIsReturnedAsIs(t *testing.T) {
	t.Parallel()
	m := &errorsv1.ConcurrentModification{Message: "m", ExpectedVersion: 1}
	if got := redact.Message(m); got != m {
		t.Error("a message that cannot hold a secret was copied")
	}
	if redact.String(nil) != "<nil>" {
		t.Error("String(nil)")
	}
}
