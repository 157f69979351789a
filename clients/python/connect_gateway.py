"""Reading connect-gateway's rich errors from Python without generated code.

Everything comes from a FileDescriptorSet of the gateway's protos (make
test-python writes one with `buf build -o .build/connect.binpb`): message
classes, the typed error details, and the error catalogue's options. Only
Debian's python3-grpcio and python3-protobuf are needed; grpcio-status and
googleapis-common-protos are not, because google.rpc.Status and its details
are in the set too.
"""

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

STATUS_DETAILS_KEY = "grpc-status-details-bin"
_TYPE_URL_PREFIX = "type.googleapis.com/"


class Protos:
    """The messages and services of a FileDescriptorSet."""

    def __init__(self, path):
        with open(path, "rb") as f:
            fds = descriptor_pb2.FileDescriptorSet.FromString(f.read())
        self.pool = descriptor_pool.DescriptorPool()
        for fd in fds.file:  # buf writes dependencies first
            self.pool.Add(fd)

    def message(self, full_name):
        """The message class of full_name, built from the pool."""
        desc = self.pool.FindMessageTypeByName(full_name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(desc)
        return message_factory.MessageFactory(self.pool).GetPrototype(desc)

    def unary(self, channel, service, method):
        """A callable for a unary method, with its request class."""
        req, resp = self._types(service, method)
        call = channel.unary_unary(f"/{service}/{method}", request_serializer=req.SerializeToString,
                                   response_deserializer=resp.FromString)
        return call, req

    def server_stream(self, channel, service, method):
        """A callable for a server-streaming method, with its request class."""
        req, resp = self._types(service, method)
        call = channel.unary_stream(f"/{service}/{method}", request_serializer=req.SerializeToString,
                                    response_deserializer=resp.FromString)
        return call, req

    def _types(self, service, method):
        m = self.pool.FindServiceByName(service).methods_by_name[method]
        return self.message(m.input_type.full_name), self.message(m.output_type.full_name)

    def status_of(self, rpc_error):
        """The google.rpc.Status in an error's grpc-status-details-bin
        trailer, or None when it has none."""
        for key, value in rpc_error.trailing_metadata() or ():
            if key == STATUS_DETAILS_KEY:
                return self.message("google.rpc.Status").FromString(value)
        return None

    def details(self, status):
        """The details of a Status, unpacked; unknown types are skipped."""
        out = []
        for any_ in status.details:
            name = any_.type_url[len(_TYPE_URL_PREFIX):] if any_.type_url.startswith(_TYPE_URL_PREFIX) else any_.type_url
            try:
                cls = self.message(name)
            except KeyError:
                continue
            out.append(cls.FromString(any_.value))
        return out

    def detail(self, status, full_name):
        """The first detail of type full_name, or None."""
        for d in self.details(status):
            if d.DESCRIPTOR.full_name == full_name:
                return d
        return None

    def enum_value_option(self, enum_name, value_name, extension_name):
        """A custom option of an enum value, e.g. the catalogue's (spec) of
        ERROR_CODE_CONCURRENT_MODIFICATION, as a message of the pool."""
        value = self.pool.FindEnumTypeByName(enum_name).values_by_name[value_name]
        options_cls = self.message("google.protobuf.EnumValueOptions")
        options = options_cls.FromString(value.GetOptions().SerializeToString())
        return options.Extensions[self.pool.FindExtensionByName(extension_name)]
