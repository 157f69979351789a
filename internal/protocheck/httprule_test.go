package protocheck_test

import (
	"fmt"
	"net/url"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// refOneof is the oneof of id and key of requests that address one resource.
const refOneof protoreflect.Name = "ref"

// httpRule returns the google.api.http rule of a method, or nil.
func httpRule(md protoreflect.MethodDescriptor) *annotations.HttpRule {
	rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule)
	return rule
}

// verbPath returns the HTTP method and path template of a rule.
func verbPath(rule *annotations.HttpRule) (verb, path string) {
	switch p := rule.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		return "GET", p.Get
	case *annotations.HttpRule_Post:
		return "POST", p.Post
	case *annotations.HttpRule_Put:
		return "PUT", p.Put
	case *annotations.HttpRule_Patch:
		return "PATCH", p.Patch
	case *annotations.HttpRule_Delete:
		return "DELETE", p.Delete
	case *annotations.HttpRule_Custom:
		return p.Custom.GetKind(), p.Custom.GetPath()
	}
	return "", ""
}

// pathVars returns the variable names of a path template, in order.
func pathVars(tmpl string) []string {
	var vars []string
	for rest := tmpl; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return vars
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return vars
		}
		vars = append(vars, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
}

// expandPath builds the upstream path of a request from its rule's template,
// as the gateway does: each {field} becomes the escaped field value, and when
// the variable is a member of the `ref` oneof but another member is set (key
// instead of id), the segment becomes `key=<value>`, Connect's spelling.
func expandPath(tmpl string, m protoreflect.Message) (string, error) {
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("template %q: unclosed variable", tmpl)
		}
		b.WriteString(rest[:i])
		seg, err := pathSegment(m, protoreflect.Name(rest[i+1:i+j]))
		if err != nil {
			return "", fmt.Errorf("template %q: %w", tmpl, err)
		}
		b.WriteString(seg)
		rest = rest[i+j+1:]
	}
}

// pathSegment is the path segment of one variable of a request.
func pathSegment(m protoreflect.Message, name protoreflect.Name) (string, error) {
	fd := m.Descriptor().Fields().ByName(name)
	if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() {
		return "", fmt.Errorf("variable %s: no string field of that name", name)
	}
	if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
		set := m.WhichOneof(od)
		if set == nil {
			return "", fmt.Errorf("variable %s: no member of oneof %s is set", name, od.Name())
		}
		if set != fd {
			v := m.Get(set).String()
			if v == "" {
				return "", fmt.Errorf("variable %s: %s is empty", name, set.Name())
			}
			return string(set.Name()) + "=" + url.PathEscape(v), nil
		}
	}
	v := m.Get(fd).String()
	if v == "" {
		return "", fmt.Errorf("variable %s: empty", name)
	}
	return url.PathEscape(v), nil
}

// queryParams returns the names of the query parameters of a request under
// a rule: the JSON names of the fields that are neither path variables, nor
// members of the ref oneof, nor the body; fields of nested messages as
// `parent.child`.
func queryParams(md protoreflect.MessageDescriptor, rule *annotations.HttpRule) []string {
	if rule.GetBody() == "*" {
		return nil
	}
	_, path := verbPath(rule)
	skip := map[protoreflect.Name]bool{protoreflect.Name(rule.GetBody()): true}
	for _, v := range pathVars(path) {
		skip[protoreflect.Name(v)] = true
	}
	var names []string
	var walk func(md protoreflect.MessageDescriptor, prefix string, top bool)
	walk = func(md protoreflect.MessageDescriptor, prefix string, top bool) {
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			if top && skip[fd.Name()] {
				continue
			}
			if od := fd.ContainingOneof(); top && od != nil && od.Name() == refOneof {
				continue
			}
			if fd.Kind() == protoreflect.MessageKind && !fd.IsList() {
				walk(fd.Message(), prefix+fd.JSONName()+".", false)
				continue
			}
			names = append(names, prefix+fd.JSONName())
		}
	}
	walk(md, "", true)
	return names
}
