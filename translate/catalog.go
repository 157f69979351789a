package translate

import (
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// Domains of ErrorInfo: errors translated from the Connect API, and errors
// the gateway originates itself.
const (
	DomainConnect = "connect.commercetools.com"
	DomainGateway = "connect-gateway"
)

// Entry is one row of the error catalogue: a documented Connect error code
// and how it is translated.
type Entry struct {
	// Code is the code as the Connect API sends it ("ConcurrentModification").
	Code string
	// Enum is the catalogue's enum value for the code.
	Enum errorsv1.ErrorCode
	// Reason is the ErrorInfo reason ("CONCURRENT_MODIFICATION").
	Reason string
	// HTTPStatus is the status the Connect API answers with.
	HTTPStatus int
	// GRPCCode is the code the gateway answers with.
	GRPCCode codes.Code
	// Spec is the whole catalogue row as declared in the proto.
	Spec *errorsv1.ErrorCodeSpec
	// Detail is the type of the typed detail message (errorsv1.ConcurrentModification).
	Detail protoreflect.MessageType
}

// Has reports whether the entry asks for the detail kind k.
func (e Entry) Has(k errorsv1.DetailKind) bool {
	for _, d := range e.Spec.GetDetails() {
		if d == k {
			return true
		}
	}
	return false
}

// GatewayEntry is one row of the gateway's own reasons.
type GatewayEntry struct {
	// Reason is the ErrorInfo reason ("UPSTREAM_UNAVAILABLE").
	Reason string
	// Enum is the catalogue's enum value.
	Enum errorsv1.GatewayReason
	// GRPCCode is the code; codes.OK means it follows the upstream HTTP status.
	GRPCCode codes.Code
	// HTTPStatus is the REST face's status; 0 means it follows the upstream.
	HTTPStatus int
	// Spec is the whole row as declared in the proto.
	Spec *errorsv1.GatewayReasonSpec
}

var catalog = mustLoadCatalog()

type catalogIndex struct {
	entries  []Entry
	byCode   map[string]*Entry
	byReason map[string]*Entry
	gateway  map[string]*GatewayEntry
	byEnum   map[errorsv1.GatewayReason]*GatewayEntry
	gwList   []GatewayEntry
}

// Lookup returns the catalogue entry of a Connect error code, as sent on the
// wire. Codes are case-sensitive, as the API's are.
func Lookup(code string) (Entry, bool) {
	e, ok := catalog.byCode[code]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// Entries returns every catalogue entry, in declaration order.
func Entries() []Entry {
	return append([]Entry(nil), catalog.entries...)
}

// GatewayEntries returns every reason the gateway originates, in declaration order.
func GatewayEntries() []GatewayEntry {
	return append([]GatewayEntry(nil), catalog.gwList...)
}

func reasonOf(v protoreflect.EnumValueDescriptor, prefix string) string {
	return strings.TrimPrefix(string(v.Name()), prefix)
}

func mustLoadCatalog() *catalogIndex {
	idx, err := loadCatalog()
	if err != nil {
		panic("translate: the error catalogue in the proto is broken: " + err.Error())
	}
	return idx
}

func loadCatalog() (*catalogIndex, error) {
	idx := &catalogIndex{
		byCode:   map[string]*Entry{},
		byReason: map[string]*Entry{},
		gateway:  map[string]*GatewayEntry{},
		byEnum:   map[errorsv1.GatewayReason]*GatewayEntry{},
	}
	values := errorsv1.ErrorCode(0).Descriptor().Values()
	pkg := errorsv1.File_commercetools_connect_errors_v1_catalog_proto.Package()
	for i := range values.Len() {
		v := values.Get(i)
		if v.Number() == 0 {
			continue
		}
		spec, ok := proto.GetExtension(v.Options(), errorsv1.E_Spec).(*errorsv1.ErrorCodeSpec)
		if !ok || spec == nil || spec.GetCode() == "" {
			return nil, fmt.Errorf("%s has no (spec) option", v.Name())
		}
		name := pkg.Append(protoreflect.Name(pascalCase(spec.GetCode())))
		mt, err := protoregistry.GlobalTypes.FindMessageByName(name)
		if err != nil {
			return nil, fmt.Errorf("%s: typed detail %s: %w", v.Name(), name, err)
		}
		idx.entries = append(idx.entries, Entry{
			Code:       spec.GetCode(),
			Enum:       errorsv1.ErrorCode(v.Number()),
			Reason:     reasonOf(v, "ERROR_CODE_"),
			HTTPStatus: int(spec.GetHttpStatus()),
			GRPCCode:   codes.Code(spec.GetGrpcCode()),
			Spec:       spec,
			Detail:     mt,
		})
	}
	for i := range idx.entries {
		e := &idx.entries[i]
		if _, dup := idx.byCode[e.Code]; dup {
			return nil, fmt.Errorf("code %s declared twice", e.Code)
		}
		idx.byCode[e.Code] = e
		idx.byReason[e.Reason] = e
	}
	gv := errorsv1.GatewayReason(0).Descriptor().Values()
	for i := range gv.Len() {
		v := gv.Get(i)
		if v.Number() == 0 {
			continue
		}
		spec, ok := proto.GetExtension(v.Options(), errorsv1.E_GatewaySpec).(*errorsv1.GatewayReasonSpec)
		if !ok || spec == nil {
			return nil, fmt.Errorf("%s has no (gateway_spec) option", v.Name())
		}
		idx.gwList = append(idx.gwList, GatewayEntry{
			Reason:     reasonOf(v, "GATEWAY_REASON_"),
			Enum:       errorsv1.GatewayReason(v.Number()),
			GRPCCode:   codes.Code(spec.GetGrpcCode()),
			HTTPStatus: int(spec.GetHttpStatus()),
			Spec:       spec,
		})
	}
	for i := range idx.gwList {
		idx.gateway[idx.gwList[i].Reason] = &idx.gwList[i]
		idx.byEnum[idx.gwList[i].Enum] = &idx.gwList[i]
	}
	return idx, nil
}

// pascalCase turns a wire code into the name of its typed detail message:
// "invalid_token" becomes "InvalidToken"; "ConcurrentModification" stays.
func pascalCase(code string) string {
	var b strings.Builder
	upper := true
	for _, r := range code {
		switch {
		case r == '_' || r == '-':
			upper = true
		case upper:
			b.WriteString(strings.ToUpper(string(r)))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// upperSnake turns a wire code into an ErrorInfo reason: "ConcurrentModification"
// becomes "CONCURRENT_MODIFICATION", "invalid_token" becomes "INVALID_TOKEN".
func upperSnake(code string) string {
	var b strings.Builder
	rs := []rune(code)
	for i, r := range rs {
		isUpper := r >= 'A' && r <= 'Z'
		if i > 0 && isUpper && rs[i-1] != '_' {
			prevLower := rs[i-1] >= 'a' && rs[i-1] <= 'z' || rs[i-1] >= '0' && rs[i-1] <= '9'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			if prevLower || (nextLower && rs[i-1] >= 'A' && rs[i-1] <= 'Z') {
				b.WriteByte('_')
			}
		}
		if r == '-' {
			r = '_'
		}
		b.WriteString(strings.ToUpper(string(r)))
	}
	return b.String()
}

// StatusText is http.StatusText with the non-standard 499 named.
func StatusText(status int) string {
	if status == 499 {
		return "Client Closed Request"
	}
	return http.StatusText(status)
}
