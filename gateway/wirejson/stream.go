package wirejson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// Unmarshal decodes Connect wire JSON into m, which it resets first.
// Unknown fields are ignored; null leaves a field unset; a key given twice
// keeps its last value.
//
// Input that is not well formed is a *[SyntaxError], whatever else is wrong
// with it; otherwise the first value that does not fit the message, in
// document order, is a *[FieldError].
func Unmarshal(data []byte, m proto.Message) error {
	proto.Reset(m)
	d := decoder{Scanner: jsoncore.NewScanner(data, maxDepth), path: make([]step, 0, 8)}
	if d.Peek() == 0 {
		return &SyntaxError{Err: errors.New("empty body")}
	}
	if err := d.message(m.ProtoReflect()); err != nil {
		return err
	}
	if d.Peek() != 0 {
		return &SyntaxError{Err: errors.New("data after the top-level value")}
	}
	if d.fieldErr != nil {
		return d.fieldErr
	}
	return nil
}

// decoder decodes JSON straight into a message in one pass, without the
// map[string]any tree encoding/json would build: the only allocations are
// the decoded strings and the messages themselves. After the first field
// error it only checks the rest of the input for syntax errors, which take
// precedence.
type decoder struct {
	jsoncore.Scanner
	fieldErr *FieldError
	path     []step
}

// step is one step of the JSON path to the value being decoded: an object
// key, or an array index when key is nil. The decoder keeps the steps on a
// stack it reuses, and joins them into a string only for an error.
type step struct {
	key   []byte
	index int
}

func (d *decoder) push(key []byte) { d.path = append(d.path, step{key: key}) }
func (d *decoder) pushIndex(i int) { d.path = append(d.path, step{index: i}) }
func (d *decoder) pop()            { d.path = d.path[:len(d.path)-1] }
func (d *decoder) setIndex(i int)  { d.path[len(d.path)-1].index = i }

// actionKey is the key of an update action's name.
var actionKey = []byte("action")

// pathString joins the path as FieldError.Path spells it: "actions[0].name".
func (d *decoder) pathString() string {
	var b []byte
	for _, st := range d.path {
		if st.key == nil {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(st.index), 10)
			b = append(b, ']')
			continue
		}
		if len(b) > 0 {
			b = append(b, '.')
		}
		b = append(b, st.key...)
	}
	return string(b)
}

// fail records err at the current path unless a field error is already
// recorded.
func (d *decoder) fail(err error) {
	if d.fieldErr == nil {
		d.fieldErr = &FieldError{Path: d.pathString(), Err: err}
	}
}

func (d *decoder) message(m protoreflect.Message) error {
	return d.messageOf(m, infoOf(m.Descriptor()))
}

// messageOf decodes into m, whose type info is mi.
func (d *decoder) messageOf(m protoreflect.Message, mi *messageInfo) error {
	if mi.wkt != nil {
		v, err := d.Value()
		if err != nil {
			return err
		}
		if d.fieldErr == nil {
			if err := mi.wkt.decode(v, m); err != nil {
				d.fail(err)
			}
		}
		return nil
	}
	if d.Peek() != '{' || d.fieldErr != nil {
		if d.fieldErr == nil {
			d.fail(fmt.Errorf("want a JSON object, got %s", d.KindAt().Article()))
		}
		return d.Skip()
	}
	if mi.wrapper != nil {
		return d.action(m, mi)
	}
	return d.Object(func(key []byte) error {
		fd, known := mi.byJSON[string(key)]
		if !known || d.fieldErr != nil {
			return d.Skip()
		}
		if m.Has(fd) {
			m.Clear(fd) // a repeated key: the last one wins
		}
		if d.Peek() == 'n' {
			return d.Literal("null")
		}
		d.push(key)
		err := d.field(m, mi, fd)
		d.pop()
		return err
	})
}

// action decodes a flat update action (`{"action": "setName", "name": "x"}`)
// into the wrapper's member named by its "action" key, wherever that key is
// in the object.
func (d *decoder) action(m protoreflect.Message, mi *messageInfo) error {
	start := d.Save()
	var name []byte
	found := false
	err := d.Object(func(key []byte) error {
		if string(key) != "action" || d.Peek() != '"' {
			return d.Skip()
		}
		b, err := d.StringBytes()
		name, found = b, true
		return err
	})
	if err != nil {
		return err
	}
	d.Restore(start)
	if !found {
		d.push(actionKey)
		d.fail(errors.New("want the name of an update action"))
		d.pop()
		return d.Skip()
	}
	fd, ok := mi.byAction[string(name)]
	if !ok {
		fd = mi.fallback // the whole action as a google.protobuf.Struct
	}
	if fd != nil {
		return d.messageOf(m.Mutable(fd).Message(), mi.child(fd))
	}
	d.push(actionKey)
	d.fail(fmt.Errorf("unknown update action %q", name))
	d.pop()
	return d.Skip()
}

// field decodes the value of field fd of m, whose type info is mi.
func (d *decoder) field(m protoreflect.Message, mi *messageInfo, fd protoreflect.FieldDescriptor) error {
	switch {
	case fd.IsList():
		if d.Peek() != '[' {
			d.fail(fmt.Errorf("want a JSON array, got %s", d.KindAt().Article()))
			return d.Skip()
		}
		l := m.Mutable(fd).List()
		d.pushIndex(0)
		defer d.pop()
		return d.Array(func(i int) error {
			if d.fieldErr != nil {
				return d.Skip()
			}
			d.setIndex(i)
			if fd.Message() != nil {
				el := l.NewElement()
				if err := d.messageOf(el.Message(), mi.child(fd)); err != nil {
					return err
				}
				l.Append(el)
				return nil
			}
			v, err := d.scalar(fd)
			if err == nil && v.IsValid() {
				l.Append(v)
			}
			return err
		})
	case fd.IsMap():
		if d.Peek() != '{' {
			d.fail(fmt.Errorf("want a JSON object, got %s", d.KindAt().Article()))
			return d.Skip()
		}
		return d.mapField(m.Mutable(fd).Map(), fd)
	case fd.Message() != nil:
		return d.messageOf(m.Mutable(fd).Message(), mi.child(fd))
	default:
		v, err := d.scalar(fd)
		if err == nil && v.IsValid() {
			m.Set(fd, v)
		}
		return err
	}
}

func (d *decoder) mapField(mp protoreflect.Map, fd protoreflect.FieldDescriptor) error {
	return d.Object(func(key []byte) error {
		if d.fieldErr != nil {
			return d.Skip()
		}
		d.push(key)
		defer d.pop()
		kv, err := scalar(fd.MapKey(), string(key))
		if err != nil {
			d.fail(err)
			return d.Skip()
		}
		if fd.MapValue().Message() != nil {
			val := mp.NewValue()
			if err := d.message(val.Message()); err != nil {
				return err
			}
			mp.Set(kv.MapKey(), val)
			return nil
		}
		v, err := d.scalar(fd.MapValue())
		if err == nil && v.IsValid() {
			mp.Set(kv.MapKey(), v)
		}
		return err
	})
}

// scalar consumes a value for a scalar field. It returns a syntax error, or
// an invalid Value after recording a field error. Strings, plain integers
// and booleans take a path without allocation (but the string itself);
// everything else goes through [scalar].
func (d *decoder) scalar(fd protoreflect.FieldDescriptor) (protoreflect.Value, error) {
	c := d.Peek()
	switch fd.Kind() {
	case protoreflect.StringKind:
		if c == '"' {
			b, err := d.StringBytes()
			return protoreflect.ValueOfString(string(b)), err
		}
	case protoreflect.BoolKind:
		if c == 't' {
			return protoreflect.ValueOfBool(true), d.Literal("true")
		}
		if c == 'f' {
			return protoreflect.ValueOfBool(false), d.Literal("false")
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if c == '-' || (c >= '0' && c <= '9') {
			b, err := d.Number()
			if err != nil {
				return protoreflect.Value{}, err
			}
			return d.integer(fd, b), nil
		}
	}
	v, err := d.Value()
	if err != nil {
		return protoreflect.Value{}, err
	}
	sv, err := scalar(fd, v)
	if err != nil {
		d.fail(err)
		return protoreflect.Value{}, nil
	}
	return sv, nil
}

// integer converts the number text b for a signed integer field.
func (d *decoder) integer(fd protoreflect.FieldDescriptor, b []byte) protoreflect.Value {
	is32 := fd.Kind() == protoreflect.Int32Kind || fd.Kind() == protoreflect.Sint32Kind || fd.Kind() == protoreflect.Sfixed32Kind
	if n, ok := jsoncore.ParseInt(b); ok {
		switch {
		case !is32:
			return protoreflect.ValueOfInt64(n)
		case n >= -1<<31 && n < 1<<31:
			return protoreflect.ValueOfInt32(int32(n))
		}
	}
	sv, err := scalar(fd, json.Number(b))
	if err != nil {
		d.fail(err)
		return protoreflect.Value{}
	}
	return sv
}
