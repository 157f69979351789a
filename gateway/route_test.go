package gateway

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// TestQuery pins the query string of a request with every kind of query
// field, and checks on every route, with every field of the request
// populated, that the query holds exactly the populated fields bound to
// neither the path nor the body: what a walk of the message with Range
// finds.
func TestQuery(t *testing.T) {
	t.Parallel()
	routes, err := loadRoutes(services()...)
	if err != nil {
		t.Fatal(err)
	}
	byMethod := map[string]*route{}
	for _, r := range routes {
		byMethod[r.fullMethod] = r
	}

	golden := []struct {
		method string
		req    proto.Message
		want   string
	}{
		{"/commercetools.connect.v1.ConnectorStagedService/QueryConnectorStaged",
			&connectv1.QueryConnectorStagedRequest{Limit: proto.Int32(5), Offset: proto.Int32(0), Sort: []string{"key asc", "id desc"},
				IsPrivate: proto.Bool(false), IntegrationTypes: []string{"tax", "payment"}},
			"integrationTypes=tax&integrationTypes=payment&isPrivate=false&limit=5&offset=0&sort=key+asc&sort=id+desc"},
		{"/commercetools.connect.v1.ConnectorStagedService/QueryConnectorStaged", &connectv1.QueryConnectorStagedRequest{}, ""},
		{"/commercetools.connect.v1.ConnectorStagedService/GetConnectorStaged", &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: "k"}}, ""},
	}
	for _, tc := range golden {
		r := byMethod[tc.method]
		if r == nil {
			t.Fatalf("no route %s", tc.method)
		}
		if got := r.query(tc.req.ProtoReflect()).Encode(); got != tc.want {
			t.Errorf("%s: query %q, want %q", tc.method, got, tc.want)
		}
	}

	for _, r := range routes {
		m := r.input.New()
		populate(m, 2)
		want := map[string]bool{}
		if !r.bodyAll {
			m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
				if !r.bound(fd) {
					want[string(fd.JSONName())] = true
				}
				return true
			})
		}
		got := map[string]bool{}
		for name := range r.query(m) {
			top, _, _ := strings.Cut(name, ".")
			got[top] = true
		}
		for name := range want {
			if !got[name] {
				t.Errorf("%s: query lacks %s", r.fullMethod, name)
			}
		}
		for name := range got {
			if !want[name] {
				t.Errorf("%s: query has %s, which the path or the body carries", r.fullMethod, name)
			}
		}
	}
}

// populate sets every field of m (one member of each oneof, the last),
// nested messages depth levels down.
func populate(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.IsMap():
		case fd.IsList():
			if fd.Message() == nil {
				l := m.Mutable(fd).List()
				l.Append(scalar(fd))
				l.Append(scalar(fd))
			}
		case fd.Message() != nil:
			if depth > 0 {
				populate(m.Mutable(fd).Message(), depth-1)
			}
		default:
			m.Set(fd, scalar(fd))
		}
	}
}

// scalar is a non-zero value of fd's kind.
func scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(fd.Enum().Values().Get(fd.Enum().Values().Len() - 1).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(7)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(7)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(7)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(7)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(7)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(7)
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte("v"))
	default:
		return protoreflect.ValueOfString("v")
	}
}

// TestNormalizedPath: the path built from the value normalize read is the
// path built by reading the request again, the `key=` form moved into key.
func TestNormalizedPath(t *testing.T) {
	t.Parallel()
	routes, err := loadRoutes(services()...)
	if err != nil {
		t.Fatal(err)
	}
	var get *route
	for _, r := range routes {
		if r.fullMethod == "/commercetools.connect.v1.ConnectorStagedService/GetConnectorStaged" {
			get = r
		}
	}
	if get == nil {
		t.Fatal("no GetConnectorStaged route")
	}
	byID := func(id string) proto.Message {
		return &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Id{Id: id}}
	}
	cases := []struct {
		req     proto.Message
		want    string // "" for an error
		wantKey string
	}{
		{byID("0f8fad5b-d9cb-469f-a165-70867728950e"), "/connectors/drafts/0f8fad5b-d9cb-469f-a165-70867728950e", ""},
		{byID("key=my-connector"), "/connectors/drafts/key=my-connector", "my-connector"},
		{byID("other=x"), "", ""},
		{byID(""), "", ""},
		{&connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: "k-1"}}, "/connectors/drafts/key=k-1", "k-1"},
		{&connectv1.GetConnectorStagedRequest{}, "", ""},
	}
	for _, tc := range cases {
		m := tc.req.ProtoReflect()
		read := get.normalize(m)
		got, err := get.path(m, read)
		again, againErr := get.path(m, pathValue{})
		if got != again || (err == nil) != (againErr == nil) {
			t.Errorf("%v: path %q (%v) from the value read, %q (%v) read again", tc.req, got, err, again, againErr)
		}
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("%v: path %q (%v), want %q", tc.req, got, err, tc.want)
		}
		if _, key := get.addressed(m); key != tc.wantKey {
			t.Errorf("%v: addressed key %q, want %q", tc.req, key, tc.wantKey)
		}
	}
}
