package connectsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/connect-gateway/connect-gateway/translate"
)

// Codes the simulator raises, as the Connect API spells them. The HTTP
// status and message template of each come from the catalogue.
const (
	codeInvalidJSONInput       = "InvalidJsonInput"
	codeInvalidQueryParam      = "InvalidQueryParam"
	codeInvalidPathParam       = "InvalidPathParam"
	codeDuplicateField         = "DuplicateField"
	codeFieldValueNotFound     = "FieldValueNotFound"
	codeGitRepoNotReachable    = "GitRepositoryNotReachable"
	codeInvalidToken           = "invalid_token"
	codeAuthenticationError    = "AuthenticationError"
	codeAuthorizationError     = "AuthorizationError"
	codeResourceNotFound       = "ResourceNotFound"
	codeConcurrentModification = "ConcurrentModification"
	codeGeneral                = "General"
	codeBadGateway             = "BadGateway"
	codeFeatureRemoved         = "FeatureRemoved"
)

// Error is an error answer of the API: an ErrorResponse with one error
// object. Handlers return it; the simulator writes it.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Code is the wire code of the error object.
	Code string
	// Message is the filled message template.
	Message string
	// Extra holds the error object's documented extra fields.
	Extra map[string]any
	// OAuth, when set, is written as the top-level "error" field (401 shape).
	OAuth string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// NewError builds the error for a catalogue code. vars are name/value pairs
// filling the template's $names; a name given several times fills its
// occurrences in order. choices fill the template's "(a|b)" alternatives in
// order. extra becomes the error object's extra fields. A code missing from
// the catalogue is a bug of the simulator and panics.
func NewError(code string, extra map[string]any, vars []any, choices ...string) *Error {
	e, ok := translate.Lookup(code)
	if !ok {
		panic("connectsim: code " + code + " is not in the catalogue")
	}
	return &Error{
		Status:  e.HTTPStatus,
		Code:    code,
		Message: fillTemplate(e.Spec.GetMessageTemplate(), vars, choices),
		Extra:   extra,
	}
}

// detailed is NewError for codes whose only extra field is detailedErrorMessage.
func detailed(code, format string, args ...any) *Error {
	return NewError(code, map[string]any{"detailedErrorMessage": fmt.Sprintf(format, args...)}, nil)
}

var (
	templateVar    = regexp.MustCompile(`\$[A-Za-z][A-Za-z0-9]*`)
	templateChoice = regexp.MustCompile(`\([a-z]+(?:\|[a-z]+)+\)`)
)

// fillTemplate replaces $names and (a|b) alternatives of a catalogue template.
// A $name without a value is left as it is, so a missing value is visible.
func fillTemplate(tmpl string, vars []any, choices []string) string {
	values := map[string][]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		name := fmt.Sprint(vars[i])
		values[name] = append(values[name], fmt.Sprint(vars[i+1]))
	}
	used := map[string]int{}
	out := templateVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		vs := values[m[1:]]
		if len(vs) == 0 {
			return m
		}
		n := used[m[1:]]
		used[m[1:]]++
		if n >= len(vs) {
			n = len(vs) - 1
		}
		return vs[n]
	})
	i := 0
	return templateChoice.ReplaceAllStringFunc(out, func(m string) string {
		if i >= len(choices) {
			return m
		}
		i++
		return choices[i-1]
	})
}

// errorObject is one entry of "errors": code, message, then the extra fields.
type errorObject struct {
	Code    string
	Message string
	Extra   map[string]any
}

func (o errorObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"code":`)
	writeJSONString(&b, o.Code)
	b.WriteString(`,"message":`)
	writeJSONString(&b, o.Message)
	keys := make([]string, 0, len(o.Extra))
	for k := range o.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := json.Marshal(o.Extra[k])
		if err != nil {
			return nil, fmt.Errorf("error field %s: %w", k, err)
		}
		b.WriteByte(',')
		writeJSONString(&b, k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	v, _ := json.Marshal(s) // a string always marshals
	b.Write(v)
}

type errorResponse struct {
	StatusCode int           `json:"statusCode"`
	Message    string        `json:"message"`
	Errors     []errorObject `json:"errors"`
	Error      string        `json:"error,omitempty"`
}

// Body returns the JSON ErrorResponse of e.
func (e *Error) Body() []byte {
	b, err := json.Marshal(errorResponse{
		StatusCode: e.Status,
		Message:    e.Message,
		Errors:     []errorObject{{Code: e.Code, Message: e.Message, Extra: e.Extra}},
		Error:      e.OAuth,
	})
	if err != nil {
		panic("connectsim: error body does not marshal: " + err.Error())
	}
	return b
}

func writeError(w http.ResponseWriter, e *Error) {
	if e.Status == http.StatusUnauthorized && e.OAuth != "" {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf("Bearer error=%q", e.OAuth))
	}
	writeRaw(w, e.Status, e.Body())
}

// Errors of frequent shapes.

func errInvalidToken() *Error {
	e := NewError(codeInvalidToken, nil, nil)
	e.OAuth = codeInvalidToken
	return e
}

func errAccessDenied() *Error { return NewError(codeAuthorizationError, nil, nil) }

func errInvalidJSON(format string, args ...any) *Error {
	return detailed(codeInvalidJSONInput, format, args...)
}

func errQuery(format string, args ...any) *Error {
	return detailed(codeInvalidQueryParam, format, args...)
}

func errPath(format string, args ...any) *Error {
	return detailed(codeInvalidPathParam, format, args...)
}

// errNotFound fills ResourceNotFound's template ("Deployment with id=… or
// key=… does not exist") for the addressed resource type.
func errNotFound(resourceType string, ref ref) *Error {
	e := NewError(codeResourceNotFound, nil, []any{"resourceId", ref.ID, "resourceKey", ref.Key})
	e.Message = resourceType + strings.TrimPrefix(e.Message, "Deployment")
	return e
}

func errConcurrent(id, key string, expected, current int64) *Error {
	return NewError(codeConcurrentModification,
		map[string]any{"expectedVersion": expected, "currentVersion": current},
		[]any{"resourceId", id, "resourceKey", key, "expectedVersion", expected, "currentVersion", current})
}

func errDuplicate(field string, value any) *Error {
	return NewError(codeDuplicateField, map[string]any{"field": field, "duplicateValue": value},
		[]any{"field", field, "duplicateValue", value})
}

func errFeatureRemoved(feature string) *Error {
	return NewError(codeFeatureRemoved, nil, []any{"feature", feature})
}

func catalogued(code string) bool {
	_, ok := translate.Lookup(code)
	return ok
}
