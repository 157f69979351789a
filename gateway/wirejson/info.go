package wirejson

import (
	"strconv"
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/encoding/protowire"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// actionNameOption is the full name of the MessageOptions extension that
// gives an update-action message its wire name.
const actionNameOption = "commercetools.connect.v1.action_name"

// messageInfo is what the codec needs to know about a message type, computed
// once per type.
type messageInfo struct {
	fields   []protoreflect.FieldDescriptor
	byJSON   map[string]protoreflect.FieldDescriptor
	action   string // the wire name when the message is an update action
	wrapper  protoreflect.OneofDescriptor
	byAction map[string]protoreflect.FieldDescriptor
	// fallback is the wrapper's google.protobuf.Struct member that holds
	// actions the protos do not model, whole; nil when there is none.
	fallback protoreflect.FieldDescriptor
	// wkt is the JSON form of a well-known type; nil for other messages.
	wkt *wkt
	// children caches the info of each message field's type, by field
	// index (see child).
	children []atomic.Pointer[messageInfo]
	// wire is what the transcoder reads of each field, by field index.
	wire []wireField
}

// wireField is what [AppendProto] needs of a field, read once from its
// descriptor instead of through interface calls on every value.
type wireField struct {
	fd    protoreflect.FieldDescriptor
	index int
	num   protowire.Number
	kind  protoreflect.Kind
	// quoted is the field's JSON name in quotes, as a key naming the field
	// is written when it holds no escape; guessable is false when a key
	// equal to the JSON name does not name this field (byJSON disagrees).
	quoted                        string
	guessable                     bool
	list, map_, message, implicit bool
}

// plainKey reports whether name is written in JSON as it is, in quotes:
// strconv.Quote then writes it as JSON does. Protobuf's JSON names are of
// letters, digits and underscores.
func plainKey(name string) bool {
	for i := range len(name) {
		if c := name[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// child returns the info of the message type of field fd of mi's message,
// without the registry lookup of infoOf after the first time.
func (mi *messageInfo) child(fd protoreflect.FieldDescriptor) *messageInfo {
	p := &mi.children[fd.Index()]
	if c := p.Load(); c != nil {
		return c
	}
	c := infoOf(fd.Message())
	p.Store(c)
	return c
}

var (
	infos         sync.Map // protoreflect.FullName -> *messageInfo
	actionExtOnce sync.Once
	actionExt     protoreflect.ExtensionType
)

func infoOf(md protoreflect.MessageDescriptor) *messageInfo {
	if v, ok := infos.Load(md.FullName()); ok {
		return v.(*messageInfo)
	}
	fs := md.Fields()
	mi := &messageInfo{
		byJSON:   make(map[string]protoreflect.FieldDescriptor, fs.Len()*2),
		children: make([]atomic.Pointer[messageInfo], fs.Len()),
	}
	for i := range fs.Len() {
		fd := fs.Get(i)
		mi.fields = append(mi.fields, fd)
		mi.byJSON[fd.JSONName()] = fd
		if _, taken := mi.byJSON[string(fd.Name())]; !taken {
			mi.byJSON[string(fd.Name())] = fd
		}
	}
	for _, fd := range mi.fields {
		mi.wire = append(mi.wire, wireField{
			fd: fd, index: fd.Index(), num: fd.Number(), kind: fd.Kind(),
			quoted: strconv.Quote(fd.JSONName()), guessable: mi.byJSON[fd.JSONName()] == fd && plainKey(fd.JSONName()),
			list: fd.IsList(), map_: fd.IsMap(), message: fd.Message() != nil, implicit: !fd.HasPresence(),
		})
	}
	if w, ok := wellKnown[md.FullName()]; ok {
		mi.wkt = &w
	}
	mi.action = actionName(md)
	mi.wrapper, mi.byAction, mi.fallback = actionWrapper(md)
	infos.Store(md.FullName(), mi)
	return mi
}

func actionName(md protoreflect.MessageDescriptor) string {
	actionExtOnce.Do(func() {
		if xt, err := protoregistry.GlobalTypes.FindExtensionByName(actionNameOption); err == nil {
			actionExt = xt
		}
	})
	if actionExt == nil {
		return ""
	}
	opts, ok := md.Options().(*descriptorpb.MessageOptions)
	if !ok || opts == nil || !proto.HasExtension(opts, actionExt) {
		return ""
	}
	name, _ := proto.GetExtension(opts, actionExt).(string)
	return name
}

// actionWrapper reports whether md is an update-action wrapper: every field
// is in one oneof whose members are action messages, plus at most one
// google.protobuf.Struct member, the fallback for unknown actions.
func actionWrapper(md protoreflect.MessageDescriptor) (protoreflect.OneofDescriptor, map[string]protoreflect.FieldDescriptor, protoreflect.FieldDescriptor) {
	oneofs := md.Oneofs()
	if oneofs.Len() != 1 || md.Fields().Len() != oneofs.Get(0).Fields().Len() {
		return nil, nil, nil
	}
	od := oneofs.Get(0)
	if od.IsSynthetic() || od.Fields().Len() == 0 {
		return nil, nil, nil
	}
	byAction := map[string]protoreflect.FieldDescriptor{}
	var fallback protoreflect.FieldDescriptor
	for i := range od.Fields().Len() {
		fd := od.Fields().Get(i)
		switch {
		case fd.Message() == nil:
			return nil, nil, nil
		case fd.Message().FullName() == "google.protobuf.Struct" && fallback == nil:
			fallback = fd
		case actionName(fd.Message()) != "":
			byAction[actionName(fd.Message())] = fd
		default:
			return nil, nil, nil
		}
	}
	if len(byAction) == 0 {
		return nil, nil, nil
	}
	return od, byAction, fallback
}
