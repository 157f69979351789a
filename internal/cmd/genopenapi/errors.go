package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connect-gateway/connect-gateway/translate"
)

// Names of the error definitions added to the document.
const (
	errorResponseDef = "ErrorResponse"
	errorObjectDef   = "ErrorObject"
)

// addErrorDefinitions adds ErrorResponse and ErrorObject as they are on the
// wire. The code-specific fields of ErrorObject come from the typed details
// of the catalogue: each field other than message is an extra field of the
// codes whose detail has it.
func addErrorDefinitions(defs object) error {
	for _, name := range []string{errorResponseDef, errorObjectDef} {
		if _, ok := defs[name]; ok {
			return fmt.Errorf("definition %s exists already: a proto message has the same name", name)
		}
	}
	defs[errorResponseDef] = object{
		"type": "object",
		"description": "The body of every error answer, as the Connect API sends it. The REST face returns the " +
			"upstream's body as it was; an error the gateway makes itself has the same shape, with statusCode " +
			"equal to the HTTP status. Other top-level fields may be present and are kept.",
		"required": []any{"statusCode", "message", "errors"},
		"properties": object{
			"statusCode": object{"type": "integer", "format": "int32", "description": "The HTTP status code."},
			"message":    object{"type": "string", "description": "The first error's message."},
			"errors": object{
				"type":        "array",
				"items":       object{"$ref": "#/definitions/" + errorObjectDef},
				"description": "Every error, the first one deciding the gRPC code.",
			},
			"error": object{"type": "string", "description": "The OAuth error of a 401 answer (`invalid_token`)."},
		},
	}
	props, err := extraFields()
	if err != nil {
		return err
	}
	props["code"] = object{
		"type": "string",
		"description": "The error code. The documented codes (docs/errors.md): " + strings.Join(codes(), ", ") +
			". Other codes are kept as sent.",
	}
	props["message"] = object{"type": "string", "description": "Plain text description of the cause of the error."}
	defs[errorObjectDef] = object{
		"type": "object",
		"description": "One error of an ErrorResponse: a code, a message, and the fields of that code. " +
			"Fields not listed here may be present and are kept.",
		"required":   []any{"code", "message"},
		"properties": props,
	}
	return nil
}

func codes() []string {
	var cs []string
	for _, e := range translate.Entries() {
		cs = append(cs, "`"+e.Code+"`")
	}
	return cs
}

// extraFields collects the fields of the typed details other than message,
// by JSON name, each with the codes that have it.
func extraFields() (object, error) {
	type field struct {
		fd    protoreflect.FieldDescriptor
		codes []string
	}
	fields := map[string]*field{}
	for _, e := range translate.Entries() {
		fs := e.Detail.Descriptor().Fields()
		for i := range fs.Len() {
			fd := fs.Get(i)
			if fd.Name() == "message" {
				continue
			}
			f, ok := fields[fd.JSONName()]
			if !ok {
				f = &field{fd: fd}
				fields[fd.JSONName()] = f
			} else if f.fd.Kind() != fd.Kind() || f.fd.Message() != fd.Message() {
				return nil, fmt.Errorf("field %s has different types in %s and %s", fd.JSONName(), f.fd.FullName(), fd.FullName())
			}
			f.codes = append(f.codes, "`"+e.Code+"`")
		}
	}
	props := object{}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		f := fields[name]
		s, err := fieldSchema(f.fd)
		if err != nil {
			return nil, err
		}
		s["description"] = "Sent with " + strings.Join(f.codes, ", ") + "."
		props[name] = s
	}
	return props, nil
}

// fieldSchema is the schema of a typed detail field as it is on the wire:
// Connect sends numbers as JSON numbers.
func fieldSchema(fd protoreflect.FieldDescriptor) (object, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return object{"type": "string"}, nil
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		return object{"type": "integer", "format": fd.Kind().String()}, nil
	case protoreflect.BoolKind:
		return object{"type": "boolean"}, nil
	case protoreflect.MessageKind:
		if fd.Message().FullName() == "google.protobuf.Value" {
			return object{}, nil // any JSON value
		}
	}
	return nil, fmt.Errorf("field %s: no wire schema for %s", fd.FullName(), fd.Kind())
}
