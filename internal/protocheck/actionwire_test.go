package protocheck_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// actionOneof is the oneof of an action wrapper.
const actionOneof protoreflect.Name = "action"

// actionName returns the (action_name) of an action message, or "".
func actionName(md protoreflect.MessageDescriptor) string {
	name, _ := proto.GetExtension(md.Options(), connectv1.E_ActionName).(string)
	return name
}

// actionToWire encodes an action wrapper (ConnectorStagedUpdateAction,
// DeploymentUpdateAction) in Connect's form: the set action's fields plus
// `"action": "<action_name>"`, spliced in front of protojson's object.
func actionToWire(wrapper protoreflect.Message) ([]byte, error) {
	od := wrapper.Descriptor().Oneofs().ByName(actionOneof)
	if od == nil {
		return nil, fmt.Errorf("%s has no oneof %s", wrapper.Descriptor().FullName(), actionOneof)
	}
	fd := wrapper.WhichOneof(od)
	if fd == nil {
		return nil, errors.New("no action is set")
	}
	name, err := json.Marshal(actionName(fd.Message()))
	if err != nil {
		return nil, fmt.Errorf("encode action name: %w", err)
	}
	payload, err := marshalConnect.Marshal(wrapper.Get(fd).Message().Interface())
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", fd.Name(), err)
	}
	rest := bytes.TrimSpace(payload)
	if len(rest) < 2 || rest[0] != '{' {
		return nil, fmt.Errorf("marshal %s: not a JSON object: %s", fd.Name(), payload)
	}
	rest = bytes.TrimSpace(rest[1:])
	out := make([]byte, 0, len(name)+len(rest)+12)
	out = append(out, `{"action":`...)
	out = append(out, name...)
	if rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...), nil
}

// actionFromWire decodes Connect's `{"action": "<name>", ...}` into the
// wrapper, setting the oneof field whose message has that (action_name).
// The payload is decoded straight from the object: `action` is not a field
// of the action message, so DiscardUnknown skips it.
func actionFromWire(b []byte, wrapper protoreflect.Message) error {
	var head struct {
		Action string `json:"action"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("decode action: %w", err)
	}
	od := wrapper.Descriptor().Oneofs().ByName(actionOneof)
	if od == nil {
		return fmt.Errorf("%s has no oneof %s", wrapper.Descriptor().FullName(), actionOneof)
	}
	for i := range od.Fields().Len() {
		fd := od.Fields().Get(i)
		if actionName(fd.Message()) != head.Action {
			continue
		}
		m := wrapper.NewField(fd).Message()
		if err := unmarshalConnect.Unmarshal(b, m.Interface()); err != nil {
			return fmt.Errorf("decode %s payload: %w", head.Action, err)
		}
		wrapper.Set(fd, protoreflect.ValueOfMessage(m))
		return nil
	}
	return fmt.Errorf("unknown action %q for %s", head.Action, wrapper.Descriptor().Name())
}

// updateBody is Connect's update body with its actions still encoded.
type updateBody struct {
	Version int32             `json:"version"`
	Actions []json.RawMessage `json:"actions"`
}

// updateFromWire decodes a Connect update body into version and typed
// actions, made with newAction.
func updateFromWire[A proto.Message](b []byte, newAction func() A) (int32, []A, error) {
	var body updateBody
	if err := json.Unmarshal(b, &body); err != nil {
		return 0, nil, fmt.Errorf("decode update: %w", err)
	}
	actions := make([]A, 0, len(body.Actions))
	for i, raw := range body.Actions {
		a := newAction()
		if err := actionFromWire(raw, a.ProtoReflect()); err != nil {
			return 0, nil, fmt.Errorf("action %d: %w", i, err)
		}
		actions = append(actions, a)
	}
	return body.Version, actions, nil
}

// updateToWire encodes version and typed actions as a Connect update body.
func updateToWire[A proto.Message](version int32, actions []A) ([]byte, error) {
	body := updateBody{Version: version, Actions: make([]json.RawMessage, 0, len(actions))}
	for i, a := range actions {
		raw, err := actionToWire(a.ProtoReflect())
		if err != nil {
			return nil, fmt.Errorf("action %d: %w", i, err)
		}
		body.Actions = append(body.Actions, raw)
	}
	return json.Marshal(body)
}
