package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/connect-gateway/connect-gateway/gateway/redact"
	"github.com/connect-gateway/connect-gateway/translate"
)

// minSecretLen is the shortest secret scrubError searches for: replacing
// every occurrence of a two-letter value would garble messages without
// protecting anything worth protecting.
const minSecretLen = 6

// callSecrets lists the secrets a call knows of: the caller's bearer token,
// the gateway's client secret and token, and the secured configuration
// values of the request (and of a forwarded body it does not hold).
func (g *Gateway) callSecrets(in callIn, req proto.Message) []string {
	var out []string
	if in.bearer != "" {
		out = append(out, in.bearer)
	}
	if g.opts.Auth == AuthClientCredentials && g.opts.Credentials != nil {
		out = append(out, g.opts.Credentials.Secrets()...)
	}
	out = append(out, in.secured...)
	return append(out, redact.Secrets(req)...)
}

// scrubCall removes the call's secrets from err (see [scrubError]). The
// call's Connect code for logs and metrics (out.connectCode) is kept: it is
// a label from a fixed set ([translate.Parts.Label]), which no upstream
// text reaches.
//
// A REST call that answers with the upstream's own bytes ([upstreamAnswer])
// is answered as it is when those bytes hold no secret as a client reads
// them ([plainHoldsNone]): its status is neither what the caller gets nor
// built (see [translate.Error]).
func (g *Gateway) scrubCall(err error, out *callOut, in callIn, req proto.Message) error {
	if err == nil {
		return nil
	}
	out.connectCode = reasonOf(err)
	forms := secretForms(g.callSecrets(in, req))
	if in.face == faceREST {
		if te := upstreamAnswer(err, out.header); te != nil && plainHoldsNone(te.Parts().UpstreamBody, forms) {
			return err
		}
	}
	return scrubForms(err, forms)
}

// scrubError returns err unchanged when its status holds none of secrets,
// in any of the forms [secretForms] lists; otherwise a status error equal
// to err's with every occurrence in the message and in every string of every
// detail replaced by [redact.Mask]. A detail of a type the process does not
// know is dropped when it holds a secret. An upstream that echoes the
// request (its Authorization header, a secured value of the body) in its
// error thus cannot make the gateway pass the secret on.
func scrubError(err error, secrets []string) error {
	return scrubForms(err, secretForms(secrets))
}

// scrubForms is [scrubError] for the forms of the secrets.
//
// A [*translate.Error] is searched in its wire form,
// [translate.Error.WireStatus], which the gRPC face sends anyway, without
// building its status. That is sound: protobuf's binary encoding writes
// every string of a message as its raw UTF-8 bytes after a length prefix,
// at any depth (the status message; in each detail, a google.protobuf.Any
// whose value is the detail's own encoding, every string field, map key and
// value, and the strings of a google.protobuf.Value such as a typed
// detail's duplicate_value), so a status that holds a form holds its bytes.
// The converse does not hold: a form's bytes can span the end of one field
// and the start of the next. Such a false positive only sends the error
// down the path below, which builds the status and searches each string by
// itself, as it does for any other error.
func scrubForms(err error, forms []string) error {
	if err == nil || len(forms) == 0 {
		return err
	}
	if te, ok := errors.AsType[*translate.Error](err); ok && !stringContainsAny(te.WireStatus(), forms) {
		if !containsAny(te.Parts().UpstreamBody, forms) {
			return err // the common case, checked without building the status
		}
		// The upstream's body, which the REST face answers with as it is,
		// holds a secret its translation does not (under a key given twice,
		// of which the translation keeps one): answer with the translation.
		return te.GRPCStatus().Err()
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	pb := st.Proto()
	wire, merr := proto.Marshal(pb)
	if merr != nil || !containsAny(wire, forms) {
		return err
	}
	return status.FromProto(scrubStatus(pb, forms)).Err()
}

// plainHoldsNone reports whether a client reading body, JSON answered as it
// came, can find none of forms in it: none occurs in its bytes, and its
// strings read as those same bytes (it has no escape sequence, and it is
// valid UTF-8, which a JSON reader would otherwise replace). A body with an
// escape could spell a secret no form matches ("\u0061bc…"); the caller
// then searches the translation, whose strings are decoded.
func plainHoldsNone(body []byte, forms []string) bool {
	return bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) && !containsAny(body, forms)
}

// secretForms returns the texts to search for: each secret of at least
// minSecretLen bytes raw, JSON-escaped (once, as in a JSON string, and
// twice, as in JSON text held in a string such as ErrorObject.extra_json,
// with and without encoding/json's escaping of <, > and &), URL-encoded and
// base64-encoded (unpadded, which the padded forms contain), without
// duplicates.
func secretForms(secrets []string) []string {
	var forms []string
	add := func(f string) {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		add(base64.RawStdEncoding.EncodeToString([]byte(s)))
		add(base64.RawURLEncoding.EncodeToString([]byte(s)))
		if !needsJSONEscape(s) {
			continue
		}
		for _, html := range []bool{true, false} {
			once := jsonEscape(s, html)
			add(once)
			add(jsonEscape(once, true))
			add(jsonEscape(once, false))
		}
	}
	return forms
}

// needsJSONEscape reports whether encoding/json changes s inside a string.
func needsJSONEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return true
		}
	}
	return false
}

// jsonEscape returns s as the inside of a JSON string, with or without
// encoding/json's escaping of <, > and &.
func jsonEscape(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s) // a string always encodes
	j := strings.TrimSpace(b.String())
	return j[1 : len(j)-1]
}

// stringContainsAny reports whether s contains one of forms.
func stringContainsAny(s string, forms []string) bool {
	for _, f := range forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// containsAny reports whether b contains one of forms.
func containsAny(b []byte, forms []string) bool {
	for _, f := range forms {
		if bytes.Contains(b, []byte(f)) {
			return true
		}
	}
	return false
}

// scrubStatus returns a copy of pb with the forms masked.
func scrubStatus(pb *spb.Status, forms []string) *spb.Status {
	forms = slices.Clone(forms)
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) }) // longest first
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redact.Mask)
	}
	r := strings.NewReplacer(pairs...)
	out := &spb.Status{Code: pb.GetCode(), Message: r.Replace(pb.GetMessage())}
	for _, a := range pb.GetDetails() {
		if !containsAny(a.GetValue(), forms) {
			out.Details = append(out.Details, a)
			continue
		}
		m, err := a.UnmarshalNew()
		if err != nil {
			continue // unknown type holding a secret: drop it
		}
		scrubMessage(m.ProtoReflect(), r)
		na, err := anypb.New(m)
		if err != nil {
			continue
		}
		out.Details = append(out.Details, na)
	}
	return out
}

// scrubMessage replaces secrets in every string and bytes value of m, map
// keys included, recursively.
func scrubMessage(m protoreflect.Message, r *strings.Replacer) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList():
			l := v.List()
			for i := range l.Len() {
				if nv, ok := scrubValue(fd, l.Get(i), r); ok {
					l.Set(i, nv)
				}
			}
		case fd.IsMap():
			scrubMap(v.Map(), fd, r)
		default:
			if nv, ok := scrubValue(fd, v, r); ok {
				m.Set(fd, nv)
			}
		}
		return true
	})
}

func scrubMap(mp protoreflect.Map, fd protoreflect.FieldDescriptor, r *strings.Replacer) {
	type entry struct {
		old, key protoreflect.MapKey
		val      protoreflect.Value
	}
	var moved []entry
	mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		nv, changed := scrubValue(fd.MapValue(), v, r)
		if fd.MapKey().Kind() == protoreflect.StringKind {
			if s := r.Replace(k.String()); s != k.String() {
				moved = append(moved, entry{k, protoreflect.ValueOfString(s).MapKey(), nv})
				return true
			}
		}
		if changed {
			mp.Set(k, nv)
		}
		return true
	})
	for _, e := range moved {
		mp.Clear(e.old)
		mp.Set(e.key, e.val)
	}
}

// scrubValue returns the scrubbed form of v and whether it differs.
// Messages are scrubbed in place.
func scrubValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, r *strings.Replacer) (protoreflect.Value, bool) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if s := r.Replace(v.String()); s != v.String() {
			return protoreflect.ValueOfString(s), true
		}
	case protoreflect.BytesKind:
		if s := r.Replace(string(v.Bytes())); s != string(v.Bytes()) {
			return protoreflect.ValueOfBytes([]byte(s)), true
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		scrubMessage(v.Message(), r)
	}
	return v, false
}
