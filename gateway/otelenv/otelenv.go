// Package otelenv makes an OpenTelemetry TracerProvider that exports spans
// by OTLP, configured by the standard OTEL_* environment variables
// (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
// and https://opentelemetry.io/docs/specs/otel/protocol/exporter/), and
// nothing unless they ask for it.
//
// Tracing is on when OTEL_TRACES_EXPORTER is "otlp", or when it is unset
// and OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is
// set; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off.
// OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL picks "http/protobuf" (the default)
// or "grpc". The exporter reads the endpoint, headers, certificates,
// compression and timeout from the OTEL_EXPORTER_OTLP_* variables itself;
// the SDK reads OTEL_TRACES_SAMPLER(_ARG) and OTEL_BSP_*; the resource
// takes OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, service.name
// defaulting to the name given.
package otelenv

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Provider is a TracerProvider exporting by OTLP. Shut it down before the
// program exits, to send the spans it still holds.
type Provider struct {
	*sdktrace.TracerProvider
	// Protocol is the OTLP protocol in use: "grpc" or "http/protobuf".
	Protocol string
}

// FromEnv returns the Provider the environment asks for (read with
// getenv), or nil when it asks for none. service is the default
// service.name.
func FromEnv(ctx context.Context, getenv func(string) string, service string) (*Provider, error) {
	on, err := enabled(getenv)
	if !on || err != nil {
		return nil, err
	}
	protocol := firstSet(getenv, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
	if protocol == "" {
		protocol = "http/protobuf"
	}
	var exp sdktrace.SpanExporter
	switch protocol {
	case "grpc":
		exp, err = otlptracegrpc.New(ctx)
	case "http/protobuf":
		exp, err = otlptracehttp.New(ctx)
	default:
		return nil, fmt.Errorf("OTLP protocol %q: want grpc or http/protobuf", protocol)
	}
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Provider{TracerProvider: tp, Protocol: protocol}, nil
}

// enabled reports whether the environment asks for traces.
func enabled(getenv func(string) string) (bool, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false, nil
	}
	switch exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exporter {
	case "none":
		return false, nil
	case "otlp":
		return true, nil
	case "":
		return firstSet(getenv, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT") != "", nil
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: only otlp and none are supported", exporter)
	}
}

func firstSet(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(getenv(n)); v != "" {
			return v
		}
	}
	return ""
}
