package translate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// A body is a well-formed Connect ErrorResponse when it is a JSON object with
// an integer statusCode (no fraction, no exponent, within int32), a string
// message, and an errors array whose elements are objects with a string code
// and a string message. Any other field, at either level, is allowed and
// kept. A repeated key counts once, with its last value, as in
// encoding/json. Everything else takes the UPSTREAM_MALFORMED_ERROR path.

// member is one "key": value pair of an object; key spans the quoted key.
type member struct{ key, val span }

// rawError is one element of the errors array.
type rawError struct {
	code, message span
	// extras are the members other than code and message, as indexes into
	// parsed.members.
	lo, hi int
}

// parsed is a well-formed ErrorResponse as spans into its body: nothing is
// decoded until a detail needs it.
type parsed struct {
	src        []byte
	statusCode int32
	message    span
	errors     []rawError
	members    []member
	topLo      int // top-level extras are members[topLo:topHi]
	topHi      int

	// Backing arrays for typical bodies, so that parsing allocates nothing
	// beyond the parsed value itself.
	errBuf [2]rawError
	memBuf [8]member
}

func newParsed() *parsed {
	p := &parsed{}
	p.errors = p.errBuf[:0]
	p.members = p.memBuf[:0]
	return p
}

func (p *parsed) topExtras() []member        { return p.members[p.topLo:p.topHi] }
func (p *parsed) extras(e rawError) []member { return p.members[e.lo:e.hi] }

var errEmptyBody = errors.New("the body is empty")

// parse checks that src is a well-formed ErrorResponse and indexes it into p.
// The error says, for humans, why it is not.
func parse(src []byte, p *parsed) error {
	p.src = src
	start := jsoncore.SkipSpace(src, 0)
	if start == len(src) {
		return errEmptyBody
	}
	if !jsoncore.Valid(src) {
		return syntaxError(src)
	}
	if src[start] != '{' {
		return fmt.Errorf("the body is JSON %s, not an object", jsoncore.KindOf(src[start]))
	}
	var code, msg, errs span
	p.topLo = len(p.members)
	jsoncore.ForMembers(src, start, func(key, val span) {
		switch {
		case keyIs(src, key, "statusCode"):
			code = val
		case keyIs(src, key, "message"):
			msg = val
		case keyIs(src, key, "errors"):
			errs = val
		default:
			p.members = append(p.members, member{key, val})
		}
	})
	p.topHi = len(p.members)
	if err := p.checkTop(code, msg, errs); err != nil {
		return err
	}
	return p.parseErrors(errs)
}

func (p *parsed) checkTop(code, msg, errs span) error {
	src := p.src
	switch {
	case !code.Present():
		return errors.New("statusCode is missing")
	case code.Kind(src) != jsoncore.Number:
		return fmt.Errorf("statusCode is a %s, not an integer", code.Kind(src))
	case !jsoncore.IsIntegerText(code.Bytes(src)):
		return errors.New("statusCode is not an integer")
	}
	n, err := strconv.ParseInt(string(code.Bytes(src)), 10, 32)
	if err != nil {
		return errors.New("statusCode is out of range")
	}
	p.statusCode = int32(n)
	switch {
	case !msg.Present():
		return errors.New("message is missing")
	case msg.Kind(src) != jsoncore.String:
		return fmt.Errorf("message is a %s, not a string", msg.Kind(src))
	case !errs.Present():
		return errors.New("errors is missing")
	case errs.Kind(src) != jsoncore.Array:
		return fmt.Errorf("errors is a %s, not an array", errs.Kind(src))
	}
	p.message = msg
	return nil
}

func (p *parsed) parseErrors(errs span) error {
	src := p.src
	var bad error
	jsoncore.ForElements(src, errs.Start, func(i int, v span) {
		if bad != nil {
			return
		}
		if v.Kind(src) != jsoncore.Object {
			bad = fmt.Errorf("errors[%d] is a %s, not an object", i, v.Kind(src))
			return
		}
		e := rawError{lo: len(p.members)}
		jsoncore.ForMembers(src, v.Start, func(key, val span) {
			switch {
			case keyIs(src, key, "code"):
				e.code = val
			case keyIs(src, key, "message"):
				e.message = val
			default:
				p.members = append(p.members, member{key, val})
			}
		})
		e.hi = len(p.members)
		switch {
		case e.code.Kind(src) != jsoncore.String:
			bad = fmt.Errorf("errors[%d].code is %s, not a string", i, e.code.Kind(src))
		case e.message.Kind(src) != jsoncore.String:
			bad = fmt.Errorf("errors[%d].message is %s, not a string", i, e.message.Kind(src))
		default:
			p.errors = append(p.errors, e)
		}
	})
	return bad
}

// syntaxError describes why src is not JSON.
func syntaxError(src []byte) error {
	var raw json.RawMessage
	err := json.Unmarshal(src, &raw)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("the body is not JSON: %s at byte %d", se.Error(), se.Offset)
	}
	if err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return errors.New("the body is not JSON")
}
