package connectsim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/internal/pathparam"
)

// apiPackage is the proto package whose services describe the Connect API.
const apiPackage = "commercetools.connect.v1"

// behaviour is what the simulator does for one operation of the Connect
// API: serve runs with the simulator's lock held and due transitions
// applied, and the caller's token must hold one of scopes.
type behaviour struct {
	serve  func(s *Simulator, c *call) (int, any, *Error)
	scopes []string
}

// behaviours holds the simulator's behaviour of every RPC with a
// google.api.http rule, by the RPC's full name. The routes themselves
// (method and path) come from the rules; TestEveryRuleHasABehaviour fails
// when an RPC has a rule and no row here, or a row names no such RPC.
var behaviours = map[protoreflect.FullName]behaviour{
	apiPackage + ".ConnectorService.GetConnector":                {(*Simulator).getConnector, traitViewConnectors},
	apiPackage + ".ConnectorService.SearchConnectors":            {(*Simulator).searchConnectors, traitViewConnectors},
	apiPackage + ".ConnectorStagedService.CreateConnectorStaged": {(*Simulator).createStaged, traitManageConnectors},
	apiPackage + ".ConnectorStagedService.QueryConnectorStaged":  {(*Simulator).queryStaged, traitViewConnectors},
	apiPackage + ".ConnectorStagedService.GetConnectorStaged":    {(*Simulator).getStaged, traitViewConnectors},
	apiPackage + ".ConnectorStagedService.UpdateConnectorStaged": {(*Simulator).updateStaged, traitManageConnectors},
	apiPackage + ".ConnectorStagedService.DeleteConnectorStaged": {(*Simulator).deleteStaged, traitManageConnectors},
	apiPackage + ".DeploymentService.CreateDeployment":           {(*Simulator).createDeployment, traitManageDeployments},
	apiPackage + ".DeploymentService.QueryDeployments":           {(*Simulator).queryDeployments, traitViewDeployments},
	apiPackage + ".DeploymentService.GetDeployment":              {(*Simulator).getDeployment, traitViewDeployments},
	apiPackage + ".DeploymentService.UpdateDeployment":           {(*Simulator).updateDeployment, traitManageDeployments},
	apiPackage + ".DeploymentService.DeleteDeployment":           {(*Simulator).deleteDeployment, traitManageDeployments},
	apiPackage + ".DeploymentService.GetDeploymentLogs":          {(*Simulator).deploymentLogs, traitViewDeployments},
}

// removedRoutes are operations Connect still routes but no RPC describes:
// the legacy deployment log stream answers FeatureRemoved.
var removedRoutes = []apiRoute{{
	method:   "GET",
	template: "/{project_key}/deployments/{id}/logs/stream",
	behaviour: behaviour{func(*Simulator, *call) (int, any, *Error) {
		return 0, nil, errFeatureRemoved("deployment log stream (/logs/stream)")
	}, traitViewDeployments},
}}

// pathVariables reads each kind of path variable into the call, or answers
// InvalidPathParam. A rule with a variable not listed here fails loadRoutes.
var pathVariables = map[string]func(c *call, seg string) *Error{
	"project_key": func(c *call, seg string) *Error {
		if !pathparam.ProjectKey.Match(seg) {
			return errPath("projectKey %q must match %s", seg, pathparam.ProjectKey)
		}
		c.project = seg
		return nil
	},
	// {id} stands for the id, or the key in Connect's "key=" form.
	"id": func(c *call, seg string) *Error {
		var err *Error
		c.ref, err = parseRef(seg)
		return err
	},
}

// apiRoute is one operation: an HTTP method and a path template.
type apiRoute struct {
	method   string
	template string
	segments []string // the template's segments; "{name}" is a variable
	behaviour
}

// routeTable is every route, the most specific path first: at the first
// segment where two templates differ, a literal comes before a variable.
var routeTable = mustLoadRoutes()

func mustLoadRoutes() []apiRoute {
	_ = connectv1.File_commercetools_connect_v1_connector_service_proto // registers the package
	routes, err := loadRoutes(protoregistry.GlobalFiles, behaviours)
	if err != nil {
		panic("connectsim: " + err.Error())
	}
	return routes
}

// loadRoutes builds the routes of every RPC of apiPackage in files that has
// a google.api.http rule, with its behaviour. RPCs without a rule (streams)
// have no REST route and are skipped.
func loadRoutes(files *protoregistry.Files, by map[protoreflect.FullName]behaviour) ([]apiRoute, error) {
	var routes []apiRoute
	var err error
	files.RangeFilesByPackage(apiPackage, func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			methods := fd.Services().Get(i).Methods()
			for j := range methods.Len() {
				md := methods.Get(j)
				rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule)
				if rule == nil {
					continue
				}
				b, ok := by[md.FullName()]
				if !ok {
					err = fmt.Errorf("%s has an HTTP rule and no simulator behaviour", md.FullName())
					return false
				}
				rt, rerr := ruleRoute(rule, b)
				if rerr != nil {
					err = fmt.Errorf("%s: %w", md.FullName(), rerr)
					return false
				}
				routes = append(routes, rt)
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	for _, rt := range removedRoutes {
		rt.segments = strings.Split(strings.Trim(rt.template, "/"), "/")
		routes = append(routes, rt)
	}
	slices.SortStableFunc(routes, func(a, b apiRoute) int { return compareTemplates(a.segments, b.segments) })
	return routes, nil
}

// ruleRoute reads the method and the path template of a rule.
func ruleRoute(rule *annotations.HttpRule, b behaviour) (apiRoute, error) {
	m := rule.ProtoReflect()
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("pattern"))
	if fd == nil || fd.Kind() != protoreflect.StringKind {
		return apiRoute{}, fmt.Errorf("the HTTP rule has no get, post, put, patch or delete path")
	}
	rt := apiRoute{method: strings.ToUpper(string(fd.Name())), template: m.Get(fd).String(), behaviour: b}
	rt.segments = strings.Split(strings.Trim(rt.template, "/"), "/")
	for _, seg := range rt.segments {
		if name, ok := variable(seg); ok && pathVariables[name] == nil {
			return apiRoute{}, fmt.Errorf("path variable %s of %s: the simulator does not read it", seg, rt.template)
		}
	}
	return rt, nil
}

// variable returns the name of a "{name}" template segment.
func variable(seg string) (string, bool) {
	if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
		return "", false
	}
	name, _, _ := strings.Cut(seg[1:len(seg)-1], "=")
	return name, true
}

func compareTemplates(a, b []string) int {
	for i := range min(len(a), len(b)) {
		_, av := variable(a[i])
		_, bv := variable(b[i])
		switch {
		case av != bv && !av:
			return -1
		case av != bv:
			return 1
		case !av && a[i] != b[i]:
			return strings.Compare(a[i], b[i])
		}
	}
	return cmp.Compare(len(a), len(b))
}

// matches reports whether the path segments fit the template's shape: as
// many segments, the same literals.
func (rt *apiRoute) matches(segs []string) bool {
	if len(segs) != len(rt.segments) {
		return false
	}
	for i, seg := range rt.segments {
		if _, isVar := variable(seg); !isVar && seg != segs[i] {
			return false
		}
	}
	return true
}

// route picks the behaviour of a request and reads its path parameters
// into c. The most specific template that fits the path decides: its
// variables are read (InvalidPathParam when one is not valid), then the
// method is looked up among the routes of that template. No behaviour
// (nil, nil) means there is no such route; it does no authentication yet,
// so that an unknown route answers 404 whoever asks.
func (s *Simulator) route(c *call, segs []string) (*behaviour, *Error) {
	for i := range routeTable {
		rt := &routeTable[i]
		if !rt.matches(segs) {
			continue
		}
		for j, seg := range rt.segments {
			if name, ok := variable(seg); ok {
				if err := pathVariables[name](c, segs[j]); err != nil {
					return nil, err
				}
			}
		}
		for k := range routeTable {
			if other := &routeTable[k]; other.template == rt.template && other.method == c.r.Method {
				return &other.behaviour, nil
			}
		}
		return nil, nil
	}
	return nil, nil
}
