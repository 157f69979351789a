package protocheck_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// referenceEnums are the enums of the Connect API reference with their exact
// wire strings, in declaration order.
var referenceEnums = map[protoreflect.Name][]string{
	"Region":            {"europe-west1.gcp", "us-central1.gcp", "australia-southeast1.gcp", "us-east-2.aws", "eu-central-1.aws"},
	"DeploymentType":    {"preview", "sandbox", "production"},
	"DeploymentStatus":  {"Draft", "Queued", "Deploying", "Deployed", "Failed", "Undeploying", "UndeployFailed"},
	"ConnectorStatus":   {"Draft", "Processing", "ReadyForCertification", "InCertification", "Published", "Failed"},
	"IsPreviewable":     {"true", "false", "pending", "none"},
	"IntegrationType":   {"tax", "marketplace", "oms", "psp", "pim", "promotion", "search", "erp", "crm", "email", "analytics", "shipping", "giftcard", "other"},
	"ApplicationType":   {"service", "event", "job", "merchant-center-custom-application", "merchant-center-custom-view", "assets"},
	"ReportEntryType":   {"Information", "Warning", "Error"},
	"DeploymentLogType": {"HTTP_REQUEST", "APPLICATION_TEXT", "APPLICATION_JSON"},
	"DeploymentLogSeverity": {
		"DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY",
	},
}

// wireValue returns the (wire_value) of an enum value, or "".
func wireValue(vd protoreflect.EnumValueDescriptor) string {
	v, _ := proto.GetExtension(vd.Options(), connectv1.E_WireValue).(string)
	return v
}

// wireEnum returns the (wire_enum) of a field, or "".
func wireEnum(fd protoreflect.FieldDescriptor) string {
	v, _ := proto.GetExtension(fd.Options(), connectv1.E_WireEnum).(string)
	return v
}

func TestEnumsCarryTheReferenceWireValues(t *testing.T) {
	t.Parallel()
	got := map[protoreflect.Name][]string{}
	for _, ed := range enums(t) {
		values := ed.Values()
		for i := range values.Len() {
			vd := values.Get(i)
			wire := wireValue(vd)
			if i == 0 {
				if vd.Number() != 0 || !strings.HasSuffix(string(vd.Name()), "_UNSPECIFIED") || wire != "" {
					t.Errorf("%s: first value %s must be the zero _UNSPECIFIED value without a wire value", ed.Name(), vd.Name())
				}
				continue
			}
			if wire == "" {
				t.Errorf("%s: no (wire_value)", vd.FullName())
			}
			got[ed.Name()] = append(got[ed.Name()], wire)
		}
	}
	if diff := cmp.Diff(referenceEnums, got); diff != "" {
		t.Errorf("enum wire values (-reference +proto):\n%s", diff)
	}
}

// enumFieldNames are the JSON names of fields that hold a Connect enum.
var enumFieldNames = map[string]bool{
	"type": true, "status": true, "region": true, "deployedRegion": true, "supportedRegions": true,
	"regions": true, "integrationTypes": true, "isPreviewable": true, "severity": true,
	"applicationType": true, "deploymentType": true,
}

func TestEnumFieldsAreStringsNamingTheirEnum(t *testing.T) {
	t.Parallel()
	var tagged int
	for _, md := range messages(t) {
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			name := wireEnum(fd)
			if enumFieldNames[fd.JSONName()] && name == "" {
				t.Errorf("%s: an enum-typed field without (wire_enum)", fd.FullName())
			}
			if fd.Kind() == protoreflect.EnumKind {
				t.Errorf("%s: a proto enum field would lose unknown wire values; use string and (wire_enum)", fd.FullName())
			}
			if name == "" {
				continue
			}
			tagged++
			if fd.Kind() != protoreflect.StringKind {
				t.Errorf("%s: (wire_enum) on a %s field, want string", fd.FullName(), fd.Kind())
			}
			d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
			if err != nil {
				t.Errorf("%s: (wire_enum) %q: %v", fd.FullName(), name, err)
				continue
			}
			if ed, ok := d.(protoreflect.EnumDescriptor); !ok || referenceEnums[ed.Name()] == nil {
				t.Errorf("%s: (wire_enum) %q is not a Connect enum", fd.FullName(), name)
			}
		}
	}
	if tagged == 0 {
		t.Fatal("no field has (wire_enum)")
	}
}
