package translate_test

import (
	"fmt"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// conflict is the body the Connect API answers an update of an outdated
// ConnectorStaged with.
var conflict = []byte(`{"statusCode":409,"message":"Object id=b7e6f5d4 or key=tax-connector has a different version than expected. Expected: 3 - Actual: 5)","errors":[{"code":"ConcurrentModification","message":"Object id=b7e6f5d4 or key=tax-connector has a different version than expected. Expected: 3 - Actual: 5)","expectedVersion":3,"currentVersion":5}]}`)

// updateConnectorStaged stands for a gRPC call through the gateway: the
// client gets the error grpc-go makes of the status.
func updateConnectorStaged() error {
	err := translate.FromResponse(http.StatusConflict, nil, conflict, translate.Target{
		ResourceType:  "ConnectorStaged",
		Key:           "tax-connector",
		CorrelationID: "cid-42",
	})
	return err.GRPCStatus().Err()
}

func ExampleFromResponse() {
	header := http.Header{"Content-Type": {"application/json"}}
	err := translate.FromResponse(http.StatusConflict, header, conflict, translate.Target{
		ResourceType:  "ConnectorStaged",
		Key:           "tax-connector",
		CorrelationID: "cid-42",
	})
	// A gRPC handler returns err as it is; grpc-go finds its status.
	st := status.Convert(err)
	fmt.Println(st.Code())
	for _, d := range st.Details() {
		fmt.Printf("%T\n", d)
	}
	// Output:
	// Aborted
	// *errdetails.ErrorInfo
	// *errorsv1.ConcurrentModification
	// *errdetails.RequestInfo
}

// The status of a typical error does not carry the upstream's ErrorResponse:
// ErrorResponseOf rebuilds it from the rest, equal as JSON to what Connect
// sent.
func ExampleErrorResponseOf() {
	err := updateConnectorStaged()
	if resp, ok := translate.ErrorResponseOf(err); ok {
		first := resp.GetErrors()[0]
		fmt.Println(resp.GetStatusCode(), first.GetCode())
		fmt.Println(first.GetExtraJson()["expectedVersion"], first.GetExtraJson()["currentVersion"])
	}
	// Output:
	// 409 ConcurrentModification
	// 3 5
}

func ExampleToResponse() {
	err := translate.FromResponse(http.StatusConflict, nil, conflict, translate.Target{CorrelationID: "cid-42"})
	httpStatus, header, body := translate.ToResponse(err.GRPCStatus())
	fmt.Println(httpStatus, header.Get("Content-Type"), header.Get("X-Correlation-ID"))
	fmt.Println(string(body))

	// A status the gateway made itself renders as a Connect error too.
	httpStatus, _, body = translate.ToResponse(status.New(codes.NotFound, "no route for GET /nope"))
	fmt.Println(httpStatus, string(body))
	// Output:
	// 409 application/json cid-42
	// {"statusCode":409,"message":"Object id=b7e6f5d4 or key=tax-connector has a different version than expected. Expected: 3 - Actual: 5)","errors":[{"code":"ConcurrentModification","message":"Object id=b7e6f5d4 or key=tax-connector has a different version than expected. Expected: 3 - Actual: 5)","currentVersion":5,"expectedVersion":3}]}
	// 404 {"statusCode":404,"message":"no route for GET /nope","errors":[{"code":"ResourceNotFound","message":"no route for GET /nope"}]}
}

func ExampleErrorInfoOf() {
	err := updateConnectorStaged()
	if info, ok := translate.ErrorInfoOf(err); ok {
		md := info.GetMetadata()
		fmt.Println(info.GetDomain(), info.GetReason())
		fmt.Println(md["code"], md["httpStatus"], md["expectedVersion"], md["currentVersion"])
	}
	// Output:
	// connect.commercetools.com CONCURRENT_MODIFICATION
	// ConcurrentModification 409 3 5
}

// A client reacts to ABORTED by reading the versions, re-reading the
// resource and re-applying its change.
func ExampleDetailOf() {
	err := updateConnectorStaged()
	if status.Code(err) == codes.Aborted {
		if cm, ok := translate.DetailOf[*errorsv1.ConcurrentModification](err); ok {
			fmt.Printf("sent version %d, the resource is at %d: re-read and re-apply\n",
				cm.GetExpectedVersion(), cm.GetCurrentVersion())
		}
	}
	// Output:
	// sent version 3, the resource is at 5: re-read and re-apply
}
