package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// object is a JSON object of the document.
type object = map[string]any

// document is an OpenAPI v2 document, kept as decoded JSON: the transforms
// edit what they know and leave the rest as protoc-gen-openapiv2 wrote it.
type document struct {
	top object
}

// topLevelKeys are the OpenAPI v2 top-level fields, in the order written.
var topLevelKeys = []string{
	"swagger", "info", "host", "basePath", "schemes", "consumes", "produces",
	"tags", "securityDefinitions", "security", "parameters", "responses",
	"paths", "definitions", "externalDocs",
}

func parseDocument(raw []byte) (*document, error) {
	var top object
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if top["swagger"] != "2.0" {
		return nil, fmt.Errorf(`swagger is %v, want "2.0"`, top["swagger"])
	}
	for k := range top {
		if !slices.Contains(topLevelKeys, k) {
			return nil, fmt.Errorf("unknown top-level field %q", k)
		}
	}
	return &document{top: top}, nil
}

// marshal writes the document with the top-level fields in the usual order
// and every object's keys sorted, indented by two spaces, so that the output
// depends only on the input.
func (d *document) marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, k := range topLevelKeys {
		v, ok := d.top[k]
		if !ok {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		kj, _ := json.Marshal(k)
		vj, err := marshalNoEscape(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		b.Write(kj)
		b.WriteByte(':')
		b.Write(vj)
	}
	b.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// marshalNoEscape is json.Marshal without HTML escaping, so that `<`, `>`
// and `&` in descriptions stay readable.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// obj returns m[key] as an object, or an error naming where it was expected.
func obj(m object, key, where string) (object, error) {
	v, ok := m[key].(object)
	if !ok {
		return nil, fmt.Errorf("%s: %q is not an object", where, key)
	}
	return v, nil
}

// operation is one operation of the document, with where it is.
type operation struct {
	path, method string
	op           object
}

// operations lists every operation, sorted by path then method.
func (d *document) operations() ([]operation, error) {
	paths, err := obj(d.top, "paths", "document")
	if err != nil {
		return nil, err
	}
	var ops []operation
	for p, item := range paths {
		pi, ok := item.(object)
		if !ok {
			return nil, fmt.Errorf("path %s is not an object", p)
		}
		for m, o := range pi {
			op, ok := o.(object)
			if !ok {
				return nil, fmt.Errorf("%s %s is not an object", m, p)
			}
			ops = append(ops, operation{path: p, method: m, op: op})
		}
	}
	slices.SortFunc(ops, func(a, b operation) int {
		return cmp.Or(cmp.Compare(a.path, b.path), cmp.Compare(a.method, b.method))
	})
	return ops, nil
}
