package protocheck_test

import (
	"slices"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	// Registers the package's descriptors.
	_ "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// pkg is the proto package under test.
const pkg protoreflect.FullName = "commercetools.connect.v1"

// files returns the registered files of pkg, sorted by path.
func files(t *testing.T) []protoreflect.FileDescriptor {
	t.Helper()
	var fds []protoreflect.FileDescriptor
	protoregistry.GlobalFiles.RangeFilesByPackage(pkg, func(fd protoreflect.FileDescriptor) bool {
		fds = append(fds, fd)
		return true
	})
	if len(fds) == 0 {
		t.Fatalf("no files registered for package %s", pkg)
	}
	slices.SortFunc(fds, func(a, b protoreflect.FileDescriptor) int {
		if a.Path() < b.Path() {
			return -1
		}
		return 1
	})
	return fds
}

// messages returns every message of pkg, nested ones included.
func messages(t *testing.T) []protoreflect.MessageDescriptor {
	t.Helper()
	var out []protoreflect.MessageDescriptor
	var walk func(protoreflect.MessageDescriptors)
	walk = func(mds protoreflect.MessageDescriptors) {
		for i := range mds.Len() {
			md := mds.Get(i)
			out = append(out, md)
			walk(md.Messages())
		}
	}
	for _, fd := range files(t) {
		walk(fd.Messages())
	}
	return out
}

// enums returns every top-level enum of pkg.
func enums(t *testing.T) []protoreflect.EnumDescriptor {
	t.Helper()
	var out []protoreflect.EnumDescriptor
	for _, fd := range files(t) {
		for i := range fd.Enums().Len() {
			out = append(out, fd.Enums().Get(i))
		}
	}
	return out
}

// services returns every service of pkg.
func services(t *testing.T) []protoreflect.ServiceDescriptor {
	t.Helper()
	var out []protoreflect.ServiceDescriptor
	for _, fd := range files(t) {
		for i := range fd.Services().Len() {
			out = append(out, fd.Services().Get(i))
		}
	}
	return out
}

// message finds a message of pkg by its short name.
func message(t *testing.T, name protoreflect.Name) protoreflect.MessageDescriptor {
	t.Helper()
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(pkg.Append(name))
	if err != nil {
		t.Fatalf("find %s: %v", name, err)
	}
	md, ok := d.(protoreflect.MessageDescriptor)
	if !ok {
		t.Fatalf("%s is a %T, not a message", name, d)
	}
	return md
}
