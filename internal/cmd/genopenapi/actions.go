package main

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// actionWrapper is a message whose oneof "action" holds one update action
// per field, each a message with an (action_name), and possibly a
// google.protobuf.Struct for actions the protos do not model.
type actionWrapper struct {
	desc    protoreflect.MessageDescriptor
	actions []action
}

type action struct {
	name string // the (action_name): "setName"
	desc protoreflect.MessageDescriptor
}

// actionWrappers finds the action wrappers of commercetools.connect.v1.
func actionWrappers() ([]actionWrapper, error) {
	_ = connectv1.File_commercetools_connect_v1_options_proto // registers the package
	var ws []actionWrapper
	var err error
	protoregistry.GlobalFiles.RangeFilesByPackage("commercetools.connect.v1", func(fd protoreflect.FileDescriptor) bool {
		ms := fd.Messages()
		for i := range ms.Len() {
			w, ok, werr := wrapperOf(ms.Get(i))
			if werr != nil {
				err = werr
				return false
			}
			if ok {
				ws = append(ws, w)
			}
		}
		return true
	})
	return ws, err
}

func wrapperOf(md protoreflect.MessageDescriptor) (actionWrapper, bool, error) {
	oneof := md.Oneofs().ByName("action")
	if oneof == nil || oneof.IsSynthetic() {
		return actionWrapper{}, false, nil
	}
	w := actionWrapper{desc: md}
	fs := oneof.Fields()
	for i := range fs.Len() {
		fd := fs.Get(i)
		if fd.Message() != nil && fd.Message().FullName() == "google.protobuf.Struct" {
			continue // unknown_action: an action the protos do not model, forwarded as it is
		}
		if fd.Message() == nil {
			return w, false, fmt.Errorf("%s: oneof action field %s is not a message", md.FullName(), fd.Name())
		}
		name, _ := proto.GetExtension(fd.Message().Options(), connectv1.E_ActionName).(string)
		if name == "" || name != fd.JSONName() {
			return w, false, fmt.Errorf("%s: %s has action_name %q, want its JSON name %q", md.FullName(), fd.Message().FullName(), name, fd.JSONName())
		}
		w.actions = append(w.actions, action{name: name, desc: fd.Message()})
	}
	return w, true, nil
}

// flattenActions describes the update actions as Connect sends them: the
// wrapper definition becomes a base with the discriminator "action", and
// each action definition extends it with its own fields.
func flattenActions(defs object) error {
	ws, err := actionWrappers()
	if err != nil {
		return err
	}
	if len(ws) == 0 {
		return fmt.Errorf("no update action wrappers in commercetools.connect.v1")
	}
	for _, w := range ws {
		name := string(w.desc.Name())
		base, err := obj(defs, name, "definitions")
		if err != nil {
			return err
		}
		var names []string
		for _, a := range w.actions {
			names = append(names, "`"+a.name+"`")
			if err := extendBase(defs, name, a); err != nil {
				return err
			}
		}
		if base["type"] != "object" {
			return fmt.Errorf("definition %s is not an object", name)
		}
		defs[name] = object{
			"type": "object",
			"description": fmt.Sprintf("One element of the `actions` of an update: a flat object "+
				"`{\"action\": \"%s\", ...}` whose other fields are those of the action.", w.actions[0].name),
			"discriminator": "action",
			"required":      []any{"action"},
			"properties": object{
				"action": object{
					"type": "string",
					"description": "The action's name: " + strings.Join(names, ", ") + ". The object's other " +
						"fields are those of the definition that extends this one with that x-discriminator-value. " +
						"Other actions are forwarded to the upstream as they are, which judges them.",
				},
			},
		}
	}
	return nil
}

func extendBase(defs object, base string, a action) error {
	name := string(a.desc.Name())
	def, err := obj(defs, name, "definitions")
	if err != nil {
		return err
	}
	own := object{"type": "object"}
	for _, k := range []string{"properties", "required"} {
		if v, ok := def[k]; ok {
			own[k] = v
		}
	}
	defs[name] = object{
		"description":           def["description"],
		"x-discriminator-value": a.name,
		"allOf":                 []any{object{"$ref": "#/definitions/" + base}, own},
	}
	return nil
}
