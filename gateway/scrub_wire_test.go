package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connect-gateway/connect-gateway/gateway/redact"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// TestScrubFormsWireStatus: scrubForms searches a translated error in its
// wire form (WireStatus) without building its status. For each place a
// status can hold upstream text, a secret put there, raw and escaped, is
// found and masked; the same error with harmless text there is returned as
// it is, not copied. Each case also asserts every place the text lands in
// the status (a detail often repeats what another holds), so that the case
// tests the place it names.
func TestScrubFormsWireStatus(t *testing.T) {
	t.Parallel()
	const (
		secret  = `s3cret/Value+"x"&<y>`
		keyLike = "Bearer-Tok3n_x9abc" // can be an ErrorInfo metadata key
	)
	// Forms of a secret as it stands in the status, all of them among
	// secretForms.
	raw := func(s string) string { return s }
	query := url.QueryEscape
	jsonEsc := func(s string) string { return jsonEscape(s, true) }
	b64 := func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }
	b64url := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

	jsonHeader := http.Header{"Content-Type": {jsonContentType}}
	target := translate.Target{ResourceType: "Deployment", Key: "k", CorrelationID: "cid"}
	// str is text as a JSON string: a client decoding it reads text.
	str := func(text string) string {
		b, _ := json.Marshal(text)
		return string(b)
	}
	upstream := func(status int, body string) *translate.Error {
		return translate.FromResponse(status, jsonHeader, []byte(body), target)
	}
	tests := []struct {
		name   string
		secret string
		forms  []func(string) string
		err    func(text string) *translate.Error
		places []string // every place text lands, as placesOf names them
	}{
		{
			name: "status message", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return upstream(409, `{"statusCode":409,"message":`+str("token "+text)+`,"errors":[{"code":"ConcurrentModification","message":"Version mismatch"}]}`)
			},
			places: []string{"message"},
		},
		{
			name: "ErrorInfo metadata value", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return upstream(409, `{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m","hint":`+str(text)+`}]}`)
			},
			places: []string{"ErrorInfo.metadata[hint]"},
		},
		{
			name: "ErrorInfo metadata key", secret: keyLike, forms: []func(string) string{raw, b64url},
			err: func(text string) *translate.Error {
				return upstream(409, `{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m",`+str(text)+`:1}]}`)
			},
			places: []string{"ErrorInfo.metadata key"},
		},
		{
			// A typed detail's fields come from the error's extra fields,
			// which ErrorInfo.metadata holds too.
			name: "typed detail string", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return upstream(400, `{"statusCode":400,"message":"m","errors":[{"code":"InvalidJsonInput","message":"m","detailedErrorMessage":`+str(text)+`}]}`)
			},
			places: []string{"BadRequest.field_violations.description", "ErrorInfo.metadata[detailedErrorMessage]", "InvalidJsonInput.detailed_error_message"},
		},
		{
			name: "typed detail google.protobuf.Value", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return upstream(400, `{"statusCode":400,"message":"m","errors":[{"code":"DuplicateField","message":"m","duplicateValue":`+str(text)+`}]}`)
			},
			places: []string{"DuplicateField.duplicate_value.string_value", "ErrorInfo.metadata[duplicateValue]"},
		},
		{
			// A second error's message is its violation's description and,
			// in the ErrorResponse detail that a status of two errors
			// carries, its message.
			name: "BadRequest field violation description", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return upstream(400, `{"statusCode":400,"message":"m","errors":[{"code":"InvalidJsonInput","message":"m"},{"code":"InvalidJsonInput","message":`+str(text)+`}]}`)
			},
			places: []string{"BadRequest.field_violations.description", "ErrorResponse.errors.message"},
		},
		{
			name: "PreconditionFailure violation description", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return upstream(400, `{"statusCode":400,"message":"m","errors":[{"code":"GitRepositoryNotReachable","message":"m"},{"code":"GitRepositoryNotReachable","message":`+str(text)+`}]}`)
			},
			places: []string{"ErrorResponse.errors.message", "PreconditionFailure.violations.description"},
		},
		{
			name: "ResourceInfo description", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return upstream(404, `{"statusCode":404,"message":"m","errors":[{"code":"ResourceNotFound","message":`+str(text)+`}]}`)
			},
			places: []string{"ResourceInfo.description", "ResourceNotFound.message"},
		},
		{
			// JSON text, as the upstream wrote it: a secret there is in a
			// JSON-escaped form.
			name: "ErrorResponse extra_json", secret: secret, forms: []func(string) string{jsonEsc, query},
			err: func(text string) *translate.Error {
				return upstream(409, `{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"}],"trace":{"token":"`+text+`"}}`)
			},
			places: []string{"ErrorResponse.extra_json[trace]"},
		},
		{
			name: "uncatalogued code", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return upstream(400, `{"statusCode":400,"message":"m","errors":[{"code":`+str(text)+`,"message":"m"}]}`)
			},
			places: []string{"ErrorInfo.metadata[code]", "ErrorResponse.errors.code"},
		},
		{
			name: "RequestInfo request_id from the upstream's X-Correlation-ID", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				h := http.Header{"Content-Type": {jsonContentType}, "X-Correlation-Id": {text}}
				return translate.FromResponse(409, h, []byte(`{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"}]}`), translate.Target{})
			},
			places: []string{"RequestInfo.request_id"},
		},
		{
			name: "malformed upstream body's excerpt", secret: secret, forms: []func(string) string{raw, b64},
			err: func(text string) *translate.Error {
				return translate.FromResponse(502, http.Header{"Content-Type": {"text/html"}}, []byte("<html>"+text+"</html>"), target)
			},
			places: []string{"UpstreamMalformedError.body_excerpt"},
		},
		{
			name: "gateway error's message", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_UPSTREAM_UNAVAILABLE, "dial "+text, target, nil)
			},
			places: []string{"message"},
		},
		{
			name: "gateway error's metadata value", secret: secret, forms: []func(string) string{raw, query},
			err: func(text string) *translate.Error {
				return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_UPSTREAM_UNAVAILABLE, "m", target, map[string]string{"cause": text})
			},
			places: []string{"ErrorInfo.metadata[cause]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forms := secretForms([]string{tt.secret})
			for _, form := range tt.forms {
				text := form(tt.secret)
				if !slices.Contains(forms, text) {
					t.Fatalf("%q is not one of the secret's forms: the test is wrong", text)
				}
				err := tt.err(text)
				wire := err.WireStatus() // before the status is built, as the gRPC face does
				if !strings.Contains(wire, text) {
					t.Fatalf("%q is not in the wire form", text)
				}
				if got := placesOf(t, err.StatusProto(), text); !slices.Equal(got, tt.places) {
					t.Fatalf("%q is at %q, want %q: the test is wrong", text, got, tt.places)
				}
				got := scrubForms(err, forms)
				if got == error(err) {
					t.Fatalf("%q: returned as it is", text)
				}
				after := marshalStatus(t, got)
				for _, f := range forms {
					if bytes.Contains(after, []byte(f)) {
						t.Errorf("%q: %q is still in the status", text, f)
					}
				}
				if !bytes.Contains(after, []byte(redact.Mask)) {
					t.Errorf("%q: nothing masked in %x", text, after)
				}
			}
			clean := tt.err("harmless-text")
			if got := scrubForms(clean, forms); got != error(clean) {
				t.Errorf("a status holding no secret came back as a new error %v", got)
			}
		})
	}
}

// TestScrubFormsWireFalsePositive: a form whose bytes span two fields of
// the wire form (the end of the message and the tag of the first detail) is
// in no string of the status; the scrub path then finds nothing to mask and
// returns an equal status.
func TestScrubFormsWireFalsePositive(t *testing.T) {
	t.Parallel()
	err := translate.FromResponse(409, nil, []byte(`{"statusCode":409,"message":"ends with xyz123","errors":[{"code":"ConcurrentModification","message":"m"}]}`), translate.Target{})
	const spanning = "xyz123\x1a" // 0x1a: the tag of google.rpc.Status.details
	forms := secretForms([]string{spanning})
	if !strings.Contains(err.WireStatus(), spanning) {
		t.Fatal("the form does not span the message and the detail's tag: the test is wrong")
	}
	if places := placesOf(t, err.StatusProto(), spanning); len(places) != 0 {
		t.Fatalf("the form is at %q: the test is wrong", places)
	}
	got := scrubForms(err, forms)
	if pb := statusOf(t, got); !proto.Equal(pb, err.StatusProto()) {
		t.Errorf("scrubbed %v, want the status unchanged %v", pb, err.StatusProto())
	}
}

func statusOf(t *testing.T, err error) *spb.Status {
	t.Helper()
	pb := &spb.Status{}
	if uerr := proto.Unmarshal(marshalStatus(t, err), pb); uerr != nil {
		t.Fatal(uerr)
	}
	return pb
}

// placesOf lists, sorted, every string of pb (the message, and every string
// field, map key and value of each detail, at any depth) that contains s,
// named as "Detail.field.field", "Detail.map[key]" or "Detail.map key".
func placesOf(t *testing.T, pb *spb.Status, s string) []string {
	t.Helper()
	var out []string
	if strings.Contains(pb.GetMessage(), s) {
		out = append(out, "message")
	}
	for _, a := range pb.GetDetails() {
		m, err := a.UnmarshalNew()
		if err != nil {
			t.Fatalf("detail %s: %v", a.GetTypeUrl(), err)
		}
		walkStrings(m.ProtoReflect(), string(m.ProtoReflect().Descriptor().Name()), s, &out)
	}
	slices.Sort(out)
	return out
}

func walkStrings(m protoreflect.Message, path, s string, out *[]string) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := path + "." + string(fd.Name())
		switch {
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				if strings.Contains(k.String(), s) {
					*out = append(*out, p+" key")
				}
				walkValue(fd.MapValue(), mv, p+"["+k.String()+"]", s, out)
				return true
			})
		case fd.IsList():
			for i := range v.List().Len() {
				walkValue(fd, v.List().Get(i), p, s, out)
			}
		default:
			walkValue(fd, v, p, s, out)
		}
		return true
	})
}

func walkValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, path, s string, out *[]string) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if strings.Contains(v.String(), s) {
			*out = append(*out, path)
		}
	case protoreflect.BytesKind:
		if bytes.Contains(v.Bytes(), []byte(s)) {
			*out = append(*out, path)
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		walkStrings(v.Message(), path, s, out)
	}
}
