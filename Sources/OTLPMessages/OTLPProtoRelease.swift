/// The OTLP trace and log messages (`ExportTraceServiceRequest`, `ResourceSpans`, `Span`,
/// `ExportLogsServiceRequest`, `LogRecord`, `AnyValue`, …), generated once by swift-protobuf 1.39.0's
/// `protoc-gen-swift` from opentelemetry-proto v1.11.0 (Apache-2.0):
/// `opentelemetry/proto/{common,resource,trace,logs}/v1/*.proto`, `collector/trace/v1/trace_service.proto` and
/// `collector/logs/v1/logs_service.proto`.
///
/// To regenerate (protoc from PyPI's grpcio-tools; the plugin built from the swift-protobuf package):
///
///     python -m grpc_tools.protoc -I PROTO_ROOT \
///         --plugin=protoc-gen-swift=PATH/protoc-gen-swift --swift_out=Sources/OTLPMessages \
///         --swift_opt=Visibility=Package --swift_opt=FileNaming=PathToUnderscores \
///         opentelemetry/proto/common/v1/common.proto opentelemetry/proto/resource/v1/resource.proto \
///         opentelemetry/proto/trace/v1/trace.proto opentelemetry/proto/collector/trace/v1/trace_service.proto \
///         opentelemetry/proto/logs/v1/logs.proto opentelemetry/proto/collector/logs/v1/logs_service.proto
///
/// The generated files are not edited (swift-format ignores them).
package enum OTLPProtoRelease {
    /// The opentelemetry-proto release the messages come from.
    package static let version = "1.11.0"
}
