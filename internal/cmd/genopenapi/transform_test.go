package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestFixResponses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, status, want string
	}{
		{name: "stays 200", status: "", want: "200"},
		{name: "moves to 201", status: "201", want: "201"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok := object{"description": "the resource"}
			op := operation{path: "/x", method: "post", op: object{"responses": object{"200": ok}}}
			if err := fixResponses(op, tc.status); err != nil {
				t.Fatal(err)
			}
			rs := op.op["responses"].(object)
			if rs[tc.want] == nil || len(rs) != 2 {
				t.Errorf("responses %v, want %s and default", slices.Sorted(maps.Keys(rs)), tc.want)
			}
			ref := rs["default"].(object)["schema"].(object)["$ref"]
			if ref != "#/definitions/ErrorResponse" {
				t.Errorf("default schema %v, want the ErrorResponse", ref)
			}
		})
	}
	t.Run("refuses google.rpc.Status defaults", func(t *testing.T) {
		t.Parallel()
		op := operation{path: "/x", method: "get", op: object{"responses": object{"200": object{}, "default": object{}}}}
		if err := fixResponses(op, ""); err == nil {
			t.Error("no error for an existing default response")
		}
	})
}

func TestNoteKeyForm(t *testing.T) {
	t.Parallel()
	defs := object{"UpdateBody": object{"type": "object", "properties": object{"key": object{}, "version": object{}}}}
	id := object{"name": "id", "in": "path"}
	op := operation{path: "/{projectKey}/deployments/{id}", method: "post", op: object{"parameters": []any{
		id, object{"name": "body", "in": "body", "schema": object{"$ref": "#/definitions/UpdateBody"}},
	}}}
	if err := noteKeyForm(op, defs); err != nil {
		t.Fatal(err)
	}
	if d, _ := id["description"].(string); !strings.Contains(d, "`/{projectKey}/deployments/key=my-key`") {
		t.Errorf("id description %q does not show the key= form", d)
	}
	props := defs["UpdateBody"].(object)["properties"].(object)
	if _, ok := props["key"]; ok || props["version"] == nil {
		t.Errorf("body properties %v, want version without key", slices.Sorted(maps.Keys(props)))
	}

	noID := operation{path: "/x/{id}", method: "get", op: object{}}
	if err := noteKeyForm(noID, defs); err == nil {
		t.Error("no error for a path {id} without its parameter")
	}
}

func TestFlattenActions(t *testing.T) {
	t.Parallel()
	ws, err := actionWrappers()
	if err != nil {
		t.Fatal(err)
	}
	defs := object{}
	for _, w := range ws {
		defs[string(w.desc.Name())] = object{"type": "object", "properties": object{}}
		for _, a := range w.actions {
			defs[string(a.desc.Name())] = object{"type": "object", "properties": object{"x": object{"type": "string"}}}
		}
	}
	if err := flattenActions(defs); err != nil {
		t.Fatal(err)
	}
	base := defs["ConnectorStagedUpdateAction"].(object)
	if base["discriminator"] != "action" {
		t.Errorf("discriminator %v, want action", base["discriminator"])
	}
	desc := base["properties"].(object)["action"].(object)["description"].(string)
	if !strings.Contains(desc, "`setName`") || !strings.Contains(desc, "`publish`") {
		t.Errorf("action description %q lacks setName or publish", desc)
	}
	setName := defs["ConnectorStagedSetNameAction"].(object)
	if setName["x-discriminator-value"] != "setName" {
		t.Errorf("x-discriminator-value %v, want setName", setName["x-discriminator-value"])
	}
	allOf := setName["allOf"].([]any)
	if allOf[0].(object)["$ref"] != "#/definitions/ConnectorStagedUpdateAction" || allOf[1].(object)["properties"] == nil {
		t.Errorf("allOf %v does not extend the base with the action's fields", allOf)
	}
}

func TestErrorObjectFieldsFromCatalogue(t *testing.T) {
	t.Parallel()
	props, err := extraFields()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"expectedVersion":      "integer",
		"currentVersion":       "integer",
		"field":                "string",
		"detailedErrorMessage": "string",
		"duplicateValue":       "", // any JSON value
	} {
		p, ok := props[name].(object)
		if !ok {
			t.Errorf("no property %s", name)
			continue
		}
		if got, _ := p["type"].(string); got != want {
			t.Errorf("%s: type %q, want %q", name, got, want)
		}
	}
	if _, ok := props["message"]; ok {
		t.Error("message is not an extra field")
	}
}

func TestMarshalIsStable(t *testing.T) {
	t.Parallel()
	in := []byte(`{"paths":{},"definitions":{"b":{"description":"<a & b>"},"a":{}},"info":{"title":"t"},"swagger":"2.0"}`)
	d, err := parseDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	first, err := d.marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(first, []byte("{\n  \"swagger\": \"2.0\",\n  \"info\"")) {
		t.Errorf("swagger and info do not come first:\n%s", first)
	}
	if !bytes.Contains(first, []byte(`"<a & b>"`)) {
		t.Errorf("HTML characters escaped:\n%s", first)
	}
	d2, err := parseDocument(first)
	if err != nil {
		t.Fatal(err)
	}
	second, err := d2.marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("not stable:\n%s\n---\n%s", first, second)
	}
	if _, err := parseDocument([]byte(`{"swagger":"2.0","x-new":1}`)); err == nil {
		t.Error("an unknown top-level field was accepted")
	}
	var v any
	if err := json.Unmarshal(first, &v); err != nil {
		t.Errorf("output is not JSON: %v", err)
	}
}
