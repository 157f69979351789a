package translate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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

// lookup returns the last member named name, as encoding/json would keep it.
func (p *parsed) lookup(ms []member, name string) (span, bool) {
	for i := len(ms) - 1; i >= 0; i-- {
		if keyIs(p.src, ms[i].key, name) {
			return ms[i].val, true
		}
	}
	return span{}, false
}

var errEmptyBody = errors.New("the body is empty")

// parse checks that src is a well-formed ErrorResponse and indexes it into p.
// The error says, for humans, why it is not.
func parse(src []byte, p *parsed) error {
	p.src = src
	start := skipSpace(src, 0)
	if start == len(src) {
		return errEmptyBody
	}
	if !validJSON(src) {
		return syntaxError(src)
	}
	if src[start] != '{' {
		return fmt.Errorf("the body is JSON %s, not an object", kindName(src[start]))
	}
	var code, msg, errs span
	p.topLo = len(p.members)
	forMembers(src, start, func(m member) {
		switch {
		case keyIs(src, m.key, "statusCode"):
			code = m.val
		case keyIs(src, m.key, "message"):
			msg = m.val
		case keyIs(src, m.key, "errors"):
			errs = m.val
		default:
			p.members = append(p.members, m)
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
	case !code.present():
		return errors.New("statusCode is missing")
	case code.kind(src) != '-' && (code.kind(src) < '0' || code.kind(src) > '9'):
		return fmt.Errorf("statusCode is a %s, not an integer", kindName(code.kind(src)))
	case !isIntegerText(src[code.start:code.end]):
		return errors.New("statusCode is not an integer")
	}
	n, err := strconv.ParseInt(string(src[code.start:code.end]), 10, 32)
	if err != nil {
		return errors.New("statusCode is out of range")
	}
	p.statusCode = int32(n)
	switch {
	case !msg.present():
		return errors.New("message is missing")
	case msg.kind(src) != '"':
		return fmt.Errorf("message is a %s, not a string", kindName(msg.kind(src)))
	case !errs.present():
		return errors.New("errors is missing")
	case errs.kind(src) != '[':
		return fmt.Errorf("errors is a %s, not an array", kindName(errs.kind(src)))
	}
	p.message = msg
	return nil
}

func (p *parsed) parseErrors(errs span) error {
	src := p.src
	var bad error
	forElements(src, errs.start, func(i int, v span) {
		if bad != nil {
			return
		}
		if v.kind(src) != '{' {
			bad = fmt.Errorf("errors[%d] is a %s, not an object", i, kindName(v.kind(src)))
			return
		}
		e := rawError{lo: len(p.members)}
		forMembers(src, v.start, func(m member) {
			switch {
			case keyIs(src, m.key, "code"):
				e.code = m.val
			case keyIs(src, m.key, "message"):
				e.message = m.val
			default:
				p.members = append(p.members, m)
			}
		})
		e.hi = len(p.members)
		switch {
		case e.code.kind(src) != '"':
			bad = fmt.Errorf("errors[%d].code is %s, not a string", i, kindName(e.code.kind(src)))
		case e.message.kind(src) != '"':
			bad = fmt.Errorf("errors[%d].message is %s, not a string", i, kindName(e.message.kind(src)))
		default:
			p.errors = append(p.errors, e)
		}
	})
	return bad
}

// forMembers calls f for each member of the object that starts at i.
func forMembers(src []byte, i int, f func(member)) {
	i = skipSpace(src, i+1)
	for i < len(src) && src[i] == '"' {
		k := span{i, skipString(src, i)}
		i = skipSpace(src, k.end)
		i = skipSpace(src, i+1) // ':'
		v := span{i, skipValue(src, i)}
		f(member{k, v})
		i = skipSpace(src, v.end)
		if i < len(src) && src[i] == ',' {
			i = skipSpace(src, i+1)
		}
	}
}

// forElements calls f for each element of the array that starts at i.
func forElements(src []byte, i int, f func(int, span)) {
	i = skipSpace(src, i+1)
	for n := 0; i < len(src) && src[i] != ']'; n++ {
		v := span{i, skipValue(src, i)}
		f(n, v)
		i = skipSpace(src, v.end)
		if i < len(src) && src[i] == ',' {
			i = skipSpace(src, i+1)
		}
	}
}

func kindName(c byte) string {
	switch c {
	case 0:
		return "missing"
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
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
