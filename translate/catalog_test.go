package translate

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

// TestCatalogCoversReference fails when a code documented by Connect
// (testdata/reference-codes.txt) has no catalogue row, or a row has no
// documented code.
func TestCatalogCoversReference(t *testing.T) {
	t.Parallel()
	documented := map[string]bool{}
	f, err := os.Open("testdata/reference-codes.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if line := strings.TrimSpace(s.Text()); line != "" && !strings.HasPrefix(line, "#") {
			documented[line] = true
		}
	}
	if len(documented) == 0 {
		t.Fatal("the reference list is empty")
	}
	for code := range documented {
		if _, ok := Lookup(code); !ok {
			t.Errorf("documented code %s has no catalogue row", code)
		}
	}
	for _, e := range Entries() {
		if !documented[e.Code] {
			t.Errorf("catalogue code %s is not in the reference list", e.Code)
		}
	}
}

var reasonPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,61}[A-Z0-9]$`)

func TestCatalogRows(t *testing.T) {
	t.Parallel()
	reasons := map[string]string{}
	for _, e := range Entries() {
		t.Run(e.Code, func(t *testing.T) {
			if !reasonPattern.MatchString(e.Reason) {
				t.Errorf("reason %q is not UPPER_SNAKE_CASE of at most 63 characters", e.Reason)
			}
			if want := upperSnake(e.Code); e.Reason != want {
				t.Errorf("reason %q, want %q (the code in UPPER_SNAKE_CASE)", e.Reason, want)
			}
			if prev, dup := reasons[e.Reason]; dup {
				t.Errorf("reason %q also used by %s", e.Reason, prev)
			}
			reasons[e.Reason] = e.Code
			if e.HTTPStatus < 400 || e.HTTPStatus > 599 {
				t.Errorf("HTTP status %d is not an error status", e.HTTPStatus)
			}
			if e.GRPCCode == codes.OK || e.GRPCCode > codes.Unauthenticated {
				t.Errorf("gRPC code %v is not an error code", e.GRPCCode)
			}
			if e.Spec.GetMessageTemplate() == "" || e.Spec.GetCallerAction() == "" {
				t.Error("message template and caller action are required")
			}
			if string(e.Detail.Descriptor().Name()) != pascalCase(e.Code) {
				t.Errorf("typed detail %s, want %s", e.Detail.Descriptor().Name(), pascalCase(e.Code))
			}
		})
	}
	for _, g := range GatewayEntries() {
		if !reasonPattern.MatchString(g.Reason) {
			t.Errorf("gateway reason %q is not UPPER_SNAKE_CASE", g.Reason)
		}
		if _, clash := reasons[g.Reason]; clash {
			t.Errorf("gateway reason %q clashes with a Connect code", g.Reason)
		}
		if c := g.Spec.GetConnectCode(); c != "" {
			if _, ok := Lookup(c); !ok {
				t.Errorf("gateway reason %s renders unknown Connect code %q", g.Reason, c)
			}
		}
	}
}

func TestUpperSnake(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ConcurrentModification":                    "CONCURRENT_MODIFICATION",
		"invalid_token":                             "INVALID_TOKEN",
		"InvalidJsonInput":                          "INVALID_JSON_INPUT",
		"ConnectorStagedPreviewRequestUnderProcess": "CONNECTOR_STAGED_PREVIEW_REQUEST_UNDER_PROCESS",
		"HTTPError":                                 "HTTP_ERROR",
		"General":                                   "GENERAL",
	} {
		if got := upperSnake(in); got != want {
			t.Errorf("upperSnake(%q) = %q, want %q", in, got, want)
		}
	}
}
