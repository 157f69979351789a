package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// transform turns protoc-gen-openapiv2's description into the REST face's.
func transform(d *document) error {
	d.top["info"] = object{
		"title":       "commercetools Connect API: connect-gateway REST face",
		"version":     "v1",
		"description": infoDescription,
	}
	d.top["securityDefinitions"] = object{
		"bearer": object{
			"type": "apiKey",
			"in":   "header",
			"name": "Authorization",
			"description": "`Bearer <access token>` of a commercetools API client (client credentials flow). " +
				"Needed when the gateway runs with --auth passthrough; with --auth client-credentials the gateway holds its own token.",
		},
	}
	d.top["security"] = []any{object{"bearer": []any{}}}
	firstParagraphs(d.top["tags"])
	defs, err := obj(d.top, "definitions", "document")
	if err != nil {
		return err
	}
	if err := addErrorDefinitions(defs); err != nil {
		return err
	}
	if err := flattenActions(defs); err != nil {
		return err
	}
	ops, err := d.operations()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, o := range ops {
		id, _ := o.op["operationId"].(string)
		seen[id] = true
		if err := fixResponses(o, successStatus[id]); err != nil {
			return err
		}
		if err := noteKeyForm(o, defs); err != nil {
			return err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(successStatus)) {
		if !seen[id] {
			return fmt.Errorf("successStatus names operation %s, which the document does not have", id)
		}
	}
	return nil
}

const infoDescription = "The REST face of connect-gateway: the paths, methods, query parameters and JSON bodies of the " +
	"commercetools Connect API, so that a REST client can point at the gateway instead of the Connect host. " +
	"Each request becomes the same upstream call as the gRPC method of the same name.\n\n" +
	"- Resources addressed by `{id}` may also be addressed by key: a path segment `key=<key>` in place of the id " +
	"(`/connectors/drafts/key=my-connector`).\n" +
	"- Update actions are flat objects named by their `action` field (`{\"action\": \"setName\", \"name\": \"x\"}`); " +
	"each action's fields are in the definition whose x-discriminator-value is that name.\n" +
	"- Success statuses are the upstream's; the ones listed are those of the Connect API specification.\n" +
	"- Every error answer is a Connect ErrorResponse: the upstream's body as it was sent, or one the gateway made " +
	"(statusCode equal to the HTTP status, a code from the Connect error catalogue).\n" +
	"- `X-Correlation-ID` is forwarded upstream (one is made when absent) and returned on every answer.\n" +
	"- The gRPC server streams `DeploymentService.WatchDeployment` and `DeploymentService.TailDeploymentLogs` " +
	"have no REST route: a REST client polls the Deployment and its logs on the paths below, as with the Connect API."

// successStatus is the success status of the operations that do not answer
// 200, from the Connect API RAML (commercetools-api-reference): creates and
// updates answer 201, a Deployment delete 202 (the undeploy is asynchronous).
// The gateway passes the upstream's 2xx status through.
var successStatus = map[string]string{
	"ConnectorStagedService_CreateConnectorStaged": "201",
	"ConnectorStagedService_UpdateConnectorStaged": "201",
	"DeploymentService_CreateDeployment":           "201",
	"DeploymentService_UpdateDeployment":           "201",
	"DeploymentService_DeleteDeployment":           "202",
}

var correlationHeader = object{
	"X-Correlation-ID": object{
		"type":        "string",
		"description": "The correlation id of the call: the request's, or one made by the gateway or the upstream.",
	},
}

// fixResponses moves the success response to status (when not ""), and sets
// the default response to the Connect ErrorResponse.
func fixResponses(o operation, status string) error {
	where := o.method + " " + o.path
	rs, err := obj(o.op, "responses", where)
	if err != nil {
		return err
	}
	ok, err := obj(rs, "200", where+" responses")
	if err != nil {
		return err
	}
	if _, dup := rs["default"]; dup {
		return fmt.Errorf("%s: already has a default response: generate with disable_default_errors=true", where)
	}
	if status != "" {
		delete(rs, "200")
		rs[status] = ok
	}
	ok["headers"] = correlationHeader
	rs["default"] = object{
		"description": "An error: the Connect ErrorResponse, with the HTTP status of the error.",
		"schema":      object{"$ref": "#/definitions/" + errorResponseDef},
		"headers":     correlationHeader,
	}
	return nil
}

// noteKeyForm says on each {id} path parameter that `key=<key>` is accepted,
// and takes key out of the body of such operations: the id and the key are
// a oneof, both bound by the path.
func noteKeyForm(o operation, defs object) error {
	if !strings.Contains(o.path, "{id}") {
		return nil
	}
	params, _ := o.op["parameters"].([]any)
	found := false
	for _, p := range params {
		po, ok := p.(object)
		if !ok {
			continue
		}
		switch {
		case po["in"] == "path" && po["name"] == "id":
			example := strings.Replace(o.path, "{id}", "key=my-key", 1)
			po["description"] = "The resource's id, or `key=` followed by its key to address it by key: `" + example + "`."
			found = true
		case po["in"] == "body":
			if err := dropBodyKey(po, defs); err != nil {
				return fmt.Errorf("%s %s: %w", o.method, o.path, err)
			}
		}
	}
	if !found {
		return fmt.Errorf("%s %s: no path parameter id", o.method, o.path)
	}
	return nil
}

// dropBodyKey removes key from the body definition that body: "*" made.
func dropBodyKey(param, defs object) error {
	schema, _ := param["schema"].(object)
	ref, _ := schema["$ref"].(string)
	name, ok := strings.CutPrefix(ref, "#/definitions/")
	if !ok {
		return fmt.Errorf("body schema %v is not a definition", schema["$ref"])
	}
	def, err := obj(defs, name, "definitions")
	if err != nil {
		return err
	}
	if props, ok := def["properties"].(object); ok {
		delete(props, "key")
	}
	return nil
}

// firstParagraphs keeps the first paragraph of each tag's description: the
// services' comments go on about how the protos are written.
func firstParagraphs(tags any) {
	ts, _ := tags.([]any)
	for _, t := range ts {
		if to, ok := t.(object); ok {
			if d, ok := to["description"].(string); ok {
				to["description"], _, _ = strings.Cut(d, "\n\n")
			}
		}
	}
}
