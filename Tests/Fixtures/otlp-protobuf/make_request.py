"""Writes invoke-agent.binpb: an OTLP ExportTraceServiceRequest serialized by Google's Python protobuf runtime.

The classes come from opentelemetry-proto v1.11.0 by grpcio-tools' protoc:
    python -m grpc_tools.protoc -I PROTO_ROOT --python_out=OUT opentelemetry/proto/.../*.proto
    PYTHONPATH=OUT python make_request.py > hex; xxd -r -p hex invoke-agent.binpb
invoke-agent.json is the same request in OTLP/JSON, written by hand.
"""
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts
from opentelemetry.proto.trace.v1 import trace_pb2 as tr
from opentelemetry.proto.common.v1 import common_pb2 as co
req = ts.ExportTraceServiceRequest()
rs = req.resource_spans.add()
rs.resource.attributes.add(key="service.name", value=co.AnyValue(string_value="support-agent"))
rs.resource.attributes.add(key="service.version", value=co.AnyValue(string_value="1.5.0"))
ss = rs.scope_spans.add()
ss.scope.name = "agent"
span = ss.spans.add()
span.trace_id = bytes.fromhex("0123456789abcdef0123456789abcdef")
span.span_id = bytes.fromhex("0123456789abcdef")
span.name = "invoke_agent support"
span.kind = tr.Span.SPAN_KIND_INTERNAL
span.start_time_unix_nano = 1795651200000000000
span.end_time_unix_nano = 1795651201500000000
span.attributes.add(key="gen_ai.usage.input_tokens", value=co.AnyValue(int_value=1200))
span.attributes.add(key="gen_ai.request.model", value=co.AnyValue(string_value="model-a"))
span.status.code = tr.Status.STATUS_CODE_OK
print(req.SerializeToString().hex())
