package protocheck_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/connect-gateway/connect-gateway/gateway/redact"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// isRedacted reports whether a field is marked debug_redact.
func isRedacted(fd protoreflect.FieldDescriptor) bool {
	opts, ok := fd.Options().(*descriptorpb.FieldOptions)
	return ok && opts.GetDebugRedact()
}

func TestOnlySecuredValuesAreRedacted(t *testing.T) {
	t.Parallel()
	var got []protoreflect.FullName
	for _, md := range messages(t) {
		for i := range md.Fields().Len() {
			if fd := md.Fields().Get(i); isRedacted(fd) {
				got = append(got, fd.FullName())
			}
		}
	}
	want := []protoreflect.FullName{"commercetools.connect.v1.SecuredConfigurationValue.value"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("debug_redact fields (-want +got):\n%s", diff)
	}
}

// Every securedConfiguration holds either key definitions (no secret) or
// SecuredConfigurationValue, never a plain ConfigurationValue, and plain
// values are only ever standardConfiguration.
func TestSecuredConfigurationsHoldRedactedValues(t *testing.T) {
	t.Parallel()
	secured := map[protoreflect.Name]bool{"SecuredConfigurationValue": true, "SecuredConfigurationKey": true}
	var values int
	for _, md := range messages(t) {
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			if fd.Message() == nil {
				continue
			}
			typ := fd.Message().Name()
			switch {
			case fd.JSONName() == "securedConfiguration" && !secured[typ]:
				t.Errorf("%s holds %s, want SecuredConfigurationValue or SecuredConfigurationKey", fd.FullName(), typ)
			case typ == "SecuredConfigurationValue" && fd.JSONName() != "securedConfiguration":
				t.Errorf("%s holds secrets but is not a securedConfiguration", fd.FullName())
			case typ == "ConfigurationValue" && fd.JSONName() != "standardConfiguration":
				t.Errorf("%s holds plain values under another name than standardConfiguration", fd.FullName())
			case typ == "SecuredConfigurationValue":
				values++
			}
		}
	}
	// DeploymentConfigurationApplication, DeploymentGlobalConfiguration,
	// ApplicationDeployment.
	if values != 3 {
		t.Errorf("%d securedConfiguration fields of values, want 3", values)
	}
	value := message(t, "SecuredConfigurationValue").Fields().ByName("value")
	if value == nil || !isRedacted(value) {
		t.Error("SecuredConfigurationValue.value is not debug_redact")
	}
}

// TestRedactRemovesEverySecretOfTheSamples: redact.Message leaves no secret
// of the samples and keeps their keys.
func TestRedactRemovesEverySecretOfTheSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		msg  proto.Message
	}{
		{"deployment.json", &connectv1.Deployment{}},
		{"deployment_draft.json", &connectv1.DeploymentDraft{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			if err := unmarshalConnect.Unmarshal(readTestdata(t, tt.file), tt.msg); err != nil {
				t.Fatal(err)
			}
			before, err := marshalConnect.Marshal(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(before, []byte("s3cr3t")) {
				t.Fatalf("sample %s holds no secret to redact", tt.file)
			}
			after, err := marshalConnect.Marshal(redact.Message(tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(after, []byte("s3cr3t")) {
				t.Errorf("redacted %s still holds a secret: %s", tt.file, after)
			}
			if !bytes.Contains(after, []byte(`"ERP_TOKEN"`)) && !bytes.Contains(after, []byte(`"SHARED_SECRET"`)) {
				t.Errorf("redaction removed the keys too: %s", after)
			}
		})
	}
}
