package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/connect-gateway/connect-gateway/internal/pathparam"
)

// route is one RPC with its google.api.http rule, the single description the
// gRPC server, the REST face and the upstream call builder all work from.
type route struct {
	// fullMethod is the gRPC method name, "/package.Service/Method".
	fullMethod string
	desc       protoreflect.MethodDescriptor
	input      protoreflect.MessageType
	output     protoreflect.MessageType
	// resourceType names what the RPC addresses ("ConnectorStaged"): the
	// service name without its "Service" suffix.
	resourceType string

	httpMethod string
	template   string
	segments   []segment
	// body is the request field sent as the body: "" (none), "*" (every
	// field not bound to the path) or a field.
	body protoreflect.FieldDescriptor
	// bodyAll is true for `body: "*"`.
	bodyAll bool
	// responseBody is the response field the upstream body decodes into, or
	// nil for the whole response message.
	responseBody protoreflect.FieldDescriptor
	// pathFields are the request fields bound by the path, with their oneof
	// siblings (a path variable {id} also binds its sibling key).
	pathFields map[protoreflect.FieldNumber]bool
	// queryFields are the request fields sent in the query string: those
	// bound to neither the path nor the body (none for `body: "*"`).
	queryFields []protoreflect.FieldDescriptor
	// verify reads back the resource of a write whose outcome is unknown;
	// nil for routes that do not write.
	verify *verifier
	// series are the route's metric series by face, set by New.
	series [numFaces]*callSeries
}

// segment is one segment of a path template: a literal or a variable bound
// to a top-level request field.
type segment struct {
	literal string
	field   protoreflect.FieldDescriptor
}

// loadRoutes reads the routes of the named services from the global registry.
// Streaming methods have no route: they have no google.api.http rule and no
// REST face.
func loadRoutes(services ...protoreflect.FullName) ([]*route, error) {
	var routes []*route
	for _, name := range services {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", name, err)
		}
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			return nil, fmt.Errorf("%s is not a service", name)
		}
		for i := range sd.Methods().Len() {
			if md := sd.Methods().Get(i); md.IsStreamingClient() || md.IsStreamingServer() {
				continue // served by the stream handlers (stream.go); no REST route
			}
			r, err := newRoute(sd.Methods().Get(i))
			if err != nil {
				return nil, err
			}
			routes = append(routes, r)
		}
	}
	linkVerifiers(routes)
	return routes, nil
}

func newRoute(md protoreflect.MethodDescriptor) (*route, error) {
	if md.IsStreamingClient() || md.IsStreamingServer() {
		return nil, fmt.Errorf("%s: streaming methods are not supported", md.FullName())
	}
	opts, _ := md.Options().(*descriptorpb.MethodOptions)
	rule, _ := proto.GetExtension(opts, annotations.E_Http).(*annotations.HttpRule)
	if rule == nil {
		return nil, fmt.Errorf("%s: no google.api.http rule", md.FullName())
	}
	in, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", md.FullName(), err)
	}
	out, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", md.FullName(), err)
	}
	sd := md.Parent().(protoreflect.ServiceDescriptor)
	r := &route{
		fullMethod:   "/" + string(sd.FullName()) + "/" + string(md.Name()),
		desc:         md,
		input:        in,
		output:       out,
		resourceType: strings.TrimSuffix(string(sd.Name()), "Service"),
		pathFields:   map[protoreflect.FieldNumber]bool{},
	}
	switch p := rule.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		r.httpMethod, r.template = http.MethodGet, p.Get
	case *annotations.HttpRule_Post:
		r.httpMethod, r.template = http.MethodPost, p.Post
	case *annotations.HttpRule_Put:
		r.httpMethod, r.template = http.MethodPut, p.Put
	case *annotations.HttpRule_Patch:
		r.httpMethod, r.template = http.MethodPatch, p.Patch
	case *annotations.HttpRule_Delete:
		r.httpMethod, r.template = http.MethodDelete, p.Delete
	default:
		return nil, fmt.Errorf("%s: unsupported http rule pattern %T", md.FullName(), p)
	}
	if err := r.parseTemplate(); err != nil {
		return nil, fmt.Errorf("%s: %w", md.FullName(), err)
	}
	inFields := md.Input().Fields()
	switch b := rule.GetBody(); b {
	case "":
	case "*":
		r.bodyAll = true
	default:
		if r.body = inFields.ByName(protoreflect.Name(b)); r.body == nil {
			return nil, fmt.Errorf("%s: body field %q does not exist", md.FullName(), b)
		}
	}
	if rb := rule.GetResponseBody(); rb != "" {
		if r.responseBody = md.Output().Fields().ByName(protoreflect.Name(rb)); r.responseBody == nil {
			return nil, fmt.Errorf("%s: response_body field %q does not exist", md.FullName(), rb)
		}
	}
	if !r.bodyAll {
		for i := range inFields.Len() {
			if fd := inFields.Get(i); !r.bound(fd) {
				r.queryFields = append(r.queryFields, fd)
			}
		}
	}
	return r, nil
}

func (r *route) parseTemplate() error {
	if !strings.HasPrefix(r.template, "/") {
		return fmt.Errorf("path template %q does not start with /", r.template)
	}
	fields := r.desc.Input().Fields()
	for _, s := range strings.Split(r.template[1:], "/") {
		if !strings.HasPrefix(s, "{") {
			r.segments = append(r.segments, segment{literal: s})
			continue
		}
		name, pattern, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}"), "=")
		if pattern != "" && pattern != "*" {
			return fmt.Errorf("path variable %q: only single-segment variables are supported", s)
		}
		fd := fields.ByName(protoreflect.Name(name))
		if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() {
			return fmt.Errorf("path variable %q is not a string field of %s", name, r.desc.Input().FullName())
		}
		r.segments = append(r.segments, segment{field: fd})
		r.pathFields[fd.Number()] = true
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			for i := range od.Fields().Len() {
				r.pathFields[od.Fields().Get(i).Number()] = true
			}
		}
	}
	return nil
}

// path builds the upstream path for req. A variable bound to a member of a
// oneof whose set member is another field writes that field as
// `name=value`: the `key=` form of the Connect API. read, when it names a
// field, is that field's value in req.
func (r *route) path(req protoreflect.Message, read pathValue) (string, error) {
	var b strings.Builder
	b.Grow(len(r.template) + 96) // room for typical ids and keys: one allocation
	for _, s := range r.segments {
		b.WriteByte('/')
		if s.field == nil {
			b.WriteString(s.literal)
			continue
		}
		fd := s.field
		prefix := ""
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			set := req.WhichOneof(od)
			if set == nil {
				return "", fmt.Errorf("one of %s is required", oneofMembers(od))
			}
			if set != fd {
				prefix = string(set.Name()) + "="
			}
			fd = set
		}
		v := read.value
		if fd != read.fd {
			v = req.Get(fd).String()
		}
		if err := checkPathParam(fd, v); err != nil { // an empty value too: an empty segment
			return "", err
		}
		b.WriteString(prefix)
		b.WriteString(url.PathEscape(v))
	}
	return b.String(), nil
}

// normalize moves a path value written in the `name=value` form (as the REST
// face captures `/connectors/drafts/key=abc` into id) into the oneof member
// it names. It returns the last path value it read, for path.
func (r *route) normalize(req protoreflect.Message) (read pathValue) {
	for _, s := range r.segments {
		if s.field == nil {
			continue
		}
		od := s.field.ContainingOneof()
		if od == nil || od.IsSynthetic() || req.WhichOneof(od) != s.field {
			continue
		}
		v := req.Get(s.field).String()
		read = pathValue{s.field, v}
		name, value, ok := strings.Cut(v, "=")
		if !ok {
			continue
		}
		if sib := od.Fields().ByName(protoreflect.Name(name)); sib != nil && sib != s.field && sib.Kind() == protoreflect.StringKind {
			req.Set(sib, protoreflect.ValueOfString(value))
			read = pathValue{sib, value}
		}
	}
	return read
}

// pathValue is the value of a path variable's field, as [route.normalize]
// read it: [route.path] does not read it again (each read of a string field
// through protoreflect copies it to the heap). The zero value holds none.
type pathValue struct {
	fd    protoreflect.FieldDescriptor
	value string
}

// addressed returns what req addresses: the value of the first oneof-bound path
// variable, as id or key.
func (r *route) addressed(req protoreflect.Message) (id, key string) {
	for _, s := range r.segments {
		if s.field == nil {
			continue
		}
		od := s.field.ContainingOneof()
		if od == nil || od.IsSynthetic() {
			continue
		}
		set := req.WhichOneof(od)
		if set == nil {
			return "", ""
		}
		if set == s.field {
			return req.Get(set).String(), ""
		}
		return "", req.Get(set).String()
	}
	return "", ""
}

// bound reports whether fd is sent in the path or as the body, not in the
// query.
func (r *route) bound(fd protoreflect.FieldDescriptor) bool {
	return r.pathFields[fd.Number()] || fd == r.body
}

// query encodes the request fields bound to neither the path nor the body as
// query parameters named by their JSON names, nested messages as
// `parent.child`, repeated fields as repeated keys. It visits the populated
// ones of r.queryFields, which are what Range would visit (the request
// messages declare no extensions), without reading the path fields' values
// or allocating for a request without query parameters; the order does not
// matter, Encode sorts by key.
func (r *route) query(req protoreflect.Message) url.Values {
	var q url.Values
	for _, fd := range r.queryFields {
		if !req.Has(fd) {
			continue
		}
		if q == nil {
			q = url.Values{}
		}
		addQuery(q, fd.JSONName(), fd, req.Get(fd))
	}
	return q
}

func addQuery(q url.Values, name string, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch {
	case fd.IsList():
		l := v.List()
		for i := range l.Len() {
			addQueryScalar(q, name, fd, l.Get(i))
		}
	case fd.IsMap():
		// Maps have no query form in the Connect API.
	case fd.Message() != nil:
		v.Message().Range(func(sub protoreflect.FieldDescriptor, sv protoreflect.Value) bool {
			addQuery(q, name+"."+sub.JSONName(), sub, sv)
			return true
		})
	default:
		addQueryScalar(q, name, fd, v)
	}
}

func addQueryScalar(q url.Values, name string, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	if fd.Message() != nil {
		return
	}
	if fd.Kind() == protoreflect.EnumKind {
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			q.Add(name, string(ev.Name()))
		}
		return
	}
	q.Add(name, v.String())
}

func oneofMembers(od protoreflect.OneofDescriptor) string {
	names := make([]string, od.Fields().Len())
	for i := range names {
		names[i] = od.Fields().Get(i).JSONName()
	}
	return strings.Join(names, " or ")
}

// pathParamError is a path parameter that breaks its rule: the caller gets
// InvalidPathParam, as from the Connect API, without an upstream call.
type pathParamError struct {
	name, value string
	rule        pathparam.Rule
}

// Error reads as the Connect API's detailedErrorMessage of InvalidPathParam.
func (e *pathParamError) Error() string {
	return fmt.Sprintf("%s %q must match %s", e.name, e.value, e.rule)
}

// checkPathParam checks the value of the path variable fd against its
// rule ([pathparam]): a value outside it could name another resource, so it
// never reaches the upstream.
func checkPathParam(fd protoreflect.FieldDescriptor, v string) error {
	rule, name := pathparam.ID, fd.JSONName()
	switch fd.Name() {
	case "key":
		rule = pathparam.Key
	case "project_key":
		rule = pathparam.ProjectKey
	}
	if !rule.Match(v) {
		return &pathParamError{name: name, value: v, rule: rule}
	}
	return nil
}
