package protocheck_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/testing/protocmp"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// referenceActions are the update actions of the Connect API reference
// (https://docs.commercetools.com/connect/), by wrapper.
var referenceActions = map[protoreflect.Name][]string{
	"ConnectorStagedUpdateAction": {
		"setName", "setDescription", "setCreatorName", "setCreatorTitle", "setCreatorEmail",
		"setCreatorCompany", "setCreatorNoOfContributors", "setCreatorLogo", "setCreatorSupportUrl",
		"setRepository", "setSupportedRegions", "setIntegrationTypes", "setDocumentationUrl",
		"addPrivateProject", "removePrivateProject", "updatePreviewable", "publish",
		"addCertificationComment", "unlist",
	},
	"DeploymentUpdateAction": {"redeploy"},
}

func TestActionWrappersHoldTheReferenceActions(t *testing.T) {
	t.Parallel()
	for wrapper, want := range referenceActions {
		t.Run(string(wrapper), func(t *testing.T) {
			t.Parallel()
			md := message(t, wrapper)
			od := md.Oneofs().ByName(actionOneof)
			if od == nil || od.Fields().Len() != md.Fields().Len() {
				t.Fatalf("%s: every field must be in oneof %s", wrapper, actionOneof)
			}
			var got []string
			for i := range od.Fields().Len() {
				fd := od.Fields().Get(i)
				if fd.Name() == "unknown_action" {
					// The fallback for actions the protos do not model.
					if fd.Message() == nil || fd.Message().FullName() != "google.protobuf.Struct" {
						t.Errorf("%s.unknown_action must be a google.protobuf.Struct", wrapper)
					}
					continue
				}
				if fd.Message() == nil {
					t.Fatalf("%s.%s is not a message", wrapper, fd.Name())
				}
				name := actionName(fd.Message())
				if name != fd.JSONName() {
					t.Errorf("%s.%s: JSON name %q differs from (action_name) %q of %s",
						wrapper, fd.Name(), fd.JSONName(), name, fd.Message().Name())
				}
				got = append(got, name)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("actions (-reference +proto):\n%s", diff)
			}
		})
	}
}

func TestEveryActionMessageHasAnActionNameAndOneWrapper(t *testing.T) {
	t.Parallel()
	wrapped := map[protoreflect.FullName]int{}
	for wrapper := range referenceActions {
		fields := message(t, wrapper).Fields()
		for i := range fields.Len() {
			wrapped[fields.Get(i).Message().FullName()]++
		}
	}
	for _, md := range messages(t) {
		name := actionName(md)
		isAction := strings.HasSuffix(string(md.Name()), "Action") && !strings.HasSuffix(string(md.Name()), "UpdateAction")
		switch {
		case isAction && name == "":
			t.Errorf("%s: no (action_name)", md.Name())
		case !isAction && name != "":
			t.Errorf("%s: (action_name) %q on a message that is not an action", md.Name(), name)
		case isAction && wrapped[md.FullName()] != 1:
			t.Errorf("%s: in %d action wrappers, want 1", md.Name(), wrapped[md.FullName()])
		}
	}
}

func TestConnectorStagedUpdateRoundTripsConnectJSON(t *testing.T) {
	t.Parallel()
	in := readTestdata(t, "connector_staged_update.json")
	version, actions, err := updateFromWire(in, func() *connectv1.ConnectorStagedUpdateAction {
		return &connectv1.ConnectorStagedUpdateAction{}
	})
	if err != nil {
		t.Fatal(err)
	}
	req := &connectv1.UpdateConnectorStagedRequest{Ref: &connectv1.UpdateConnectorStagedRequest_Key{Key: "my-connector"}, Version: version, Actions: actions}
	if got := len(req.GetActions()); got != len(referenceActions["ConnectorStagedUpdateAction"])+1 {
		t.Fatalf("decoded %d actions", got)
	}
	wantFirst := []*connectv1.ConnectorStagedUpdateAction{
		{Action: &connectv1.ConnectorStagedUpdateAction_SetName{SetName: &connectv1.ConnectorStagedSetNameAction{Name: "Renamed"}}},
		{Action: &connectv1.ConnectorStagedUpdateAction_SetDescription{SetDescription: &connectv1.ConnectorStagedSetDescriptionAction{Description: "New description"}}},
		{Action: &connectv1.ConnectorStagedUpdateAction_SetDescription{SetDescription: &connectv1.ConnectorStagedSetDescriptionAction{}}},
	}
	if diff := cmp.Diff(wantFirst, req.GetActions()[:3], protocmp.Transform()); diff != "" {
		t.Errorf("first actions (-want +got):\n%s", diff)
	}
	out, err := updateToWire(req.GetVersion(), req.GetActions())
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, in, out)
}

func TestDeploymentUpdateRoundTripsConnectJSON(t *testing.T) {
	t.Parallel()
	in := readTestdata(t, "deployment_update.json")
	version, actions, err := updateFromWire(in, func() *connectv1.DeploymentUpdateAction {
		return &connectv1.DeploymentUpdateAction{}
	})
	if err != nil {
		t.Fatal(err)
	}
	redeploy := actions[0].GetRedeploy()
	if version != 2 || !redeploy.GetSkipScripts() || redeploy.UpdateConnector == nil || redeploy.GetUpdateConnector() {
		t.Errorf("decoded version %d, redeploy %v", version, redeploy)
	}
	out, err := updateToWire(version, actions)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, in, out)
}

// A redeploy without configurationValues comes back with an empty list
// (proto3 cannot tell an absent list from an empty one); Connect reads both
// as "keep the existing configuration".
func TestBareRedeployGainsAnEmptyConfigurationList(t *testing.T) {
	t.Parallel()
	in := []byte(`{"version":1,"actions":[{"action":"redeploy"}]}`)
	version, actions, err := updateFromWire(in, func() *connectv1.DeploymentUpdateAction {
		return &connectv1.DeploymentUpdateAction{}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := updateToWire(version, actions)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, []byte(`{"version":1,"actions":[{"action":"redeploy","configurationValues":[]}]}`), out)
}

func TestUnknownActionIsAnError(t *testing.T) {
	t.Parallel()
	var a connectv1.ConnectorStagedUpdateAction
	if err := actionFromWire([]byte(`{"action":"setKey","key":"k"}`), a.ProtoReflect()); err == nil {
		t.Errorf("setKey (not in the specification) decoded into %v", &a)
	}
	if _, err := actionToWire((&connectv1.ConnectorStagedUpdateAction{}).ProtoReflect()); err == nil {
		t.Error("an empty action encoded without error")
	}
}

// The wrapper's plain protojson is `{"setName": {...}}`: the key is the
// action name, which is what makes the conversion generic.
func TestWrapperProtoJSONKeyIsTheActionName(t *testing.T) {
	t.Parallel()
	b, err := marshalConnect.Marshal(&connectv1.DeploymentUpdateAction{
		Action: &connectv1.DeploymentUpdateAction_Redeploy{Redeploy: &connectv1.DeploymentRedeployAction{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, []byte(`{"redeploy":{"configurationValues":[]}}`), b)
	if !slices.Contains(referenceActions["DeploymentUpdateAction"], "redeploy") {
		t.Fatal("reference table lost redeploy")
	}
}
