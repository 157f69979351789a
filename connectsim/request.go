package connectsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/connect-gateway/connect-gateway/internal/pathparam"
)

// maxBody bounds request bodies.
const maxBody = 1 << 20

var (
	projectIDPattern = regexp.MustCompile(`^[a-zA-Z0-9-_.]+:[a-zA-Z0-9-_]{2,36}$`)
)

// ref addresses one resource: by id, or by key (the "key=" path form).
type ref struct {
	ID  string
	Key string
}

func (r ref) String() string {
	if r.Key != "" {
		return "key=" + r.Key
	}
	return r.ID
}

// parseRef reads a path segment "{id}" or "key={key}".
func parseRef(seg string) (ref, *Error) {
	if key, ok := strings.CutPrefix(seg, "key="); ok {
		if !pathparam.Key.Match(key) {
			return ref{}, errPath("key %q must match %s", key, pathparam.Key)
		}
		return ref{Key: key}, nil
	}
	if !pathparam.ID.Match(seg) {
		return ref{}, errPath("id %q must match %s", seg, pathparam.ID)
	}
	return ref{ID: seg}, nil
}

// readBody reads a request body of at most maxBody bytes.
func readBody(r *http.Request) ([]byte, *Error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errInvalidJSON("the request body could not be read: %v", err)
	}
	if len(body) > maxBody {
		return nil, errInvalidJSON("the request body is larger than %d bytes", maxBody)
	}
	return body, nil
}

// decodeJSON reads a JSON body into v: InvalidJsonInput when it is not JSON,
// not an object, or of the wrong shape. Unknown fields are tolerated.
func decodeJSON(body []byte, v any) *Error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return errInvalidJSON("the request body is empty")
	}
	if trimmed[0] != '{' {
		return errInvalidJSON("the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		return errInvalidJSON("%s", describeJSONError(err))
	}
	if dec.More() {
		return errInvalidJSON("unexpected data after the JSON object")
	}
	return nil
}

// describeJSONError names the field and the problem of a decode error.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(root)"
		}
		return fmt.Sprintf("%s: expected %s, got %s", field, jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("malformed JSON at offset %d: %v", syntaxErr.Offset, syntaxErr)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends unexpectedly"
	}
	return err.Error()
}

func jsonTypeName(kind string) string {
	switch kind {
	case "int", "int64", "int32", "float64":
		return "number"
	case "slice":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	case "bool":
		return "boolean"
	}
	return kind
}

// missing is the detailedErrorMessage of a missing required field.
func missing(field string) *Error {
	return errInvalidJSON("%s: Missing required value", field)
}

// checkEnum answers InvalidJsonInput when v is not one of values.
func checkEnum(field, v string, values []string) *Error {
	if !slices.Contains(values, v) {
		return errInvalidJSON("%s: value %q is not one of %s", field, v, strings.Join(values, ", "))
	}
	return nil
}

// page is the parsed limit, offset and sort of a query.
type page struct {
	limit, offset int
	sortField     string
	desc          bool
}

// parsePage reads limit (0–500, default 20), offset (0–10000) and sort
// ("field" or "field asc|desc", one of sortable).
func parsePage(q url.Values, sortable []string) (page, *Error) {
	p := page{limit: 20}
	var err *Error
	if p.limit, err = intParam(q, "limit", 20, 0, 500); err != nil {
		return p, err
	}
	if p.offset, err = intParam(q, "offset", 0, 0, 10000); err != nil {
		return p, err
	}
	if sorts := q["sort"]; len(sorts) > 0 {
		if len(sorts) > 1 {
			return p, errQuery("sort: only one sort expression is supported")
		}
		f := strings.Fields(sorts[0])
		if len(f) == 0 || len(f) > 2 || !slices.Contains(sortable, f[0]) {
			return p, errQuery("sort: %q must be a field of %s, optionally followed by asc or desc", sorts[0], strings.Join(sortable, ", "))
		}
		p.sortField = f[0]
		if len(f) == 2 {
			switch f[1] {
			case "asc":
			case "desc":
				p.desc = true
			default:
				return p, errQuery("sort: direction %q must be asc or desc", f[1])
			}
		}
	}
	return p, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, *Error) {
	vs, ok := q[name]
	if !ok {
		return def, nil
	}
	if len(vs) != 1 {
		return 0, errQuery("%s: must be given once", name)
	}
	n, err := strconv.Atoi(vs[0])
	if err != nil || n < lo || n > hi {
		return 0, errQuery("%s: %q must be an integer between %d and %d", name, vs[0], lo, hi)
	}
	return n, nil
}

func boolParam(q url.Values, name string) (*bool, *Error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, errQuery("%s: %q must be true or false", name, v)
	}
	return &b, nil
}

func enumParams(q url.Values, name string, values []string) ([]string, *Error) {
	vs := q[name]
	for _, v := range vs {
		if !slices.Contains(values, v) {
			return nil, errQuery("%s: %q is not one of %s", name, v, strings.Join(values, ", "))
		}
	}
	return vs, nil
}

// pageOf sorts items (by the page's sort field, stable on creation order)
// and cuts the page out of them.
func pageOf[T any](items []T, p page, field func(T, string) string) pagedResponse[T] {
	if p.sortField != "" {
		sort.SliceStable(items, func(i, j int) bool {
			a, b := field(items[i], p.sortField), field(items[j], p.sortField)
			if p.desc {
				return a > b
			}
			return a < b
		})
	}
	res := pagedResponse[T]{Limit: p.limit, Offset: p.offset, Total: len(items), Results: []T{}}
	if p.offset < len(items) {
		end := min(p.offset+p.limit, len(items))
		res.Results = items[p.offset:end]
	}
	res.Count = len(res.Results)
	return res
}

// sortVersion renders a version so that strings sort like numbers.
func sortVersion(v int64) string { return fmt.Sprintf("%020d", v) }
