package deploy

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestDockerfile(t *testing.T) {
	t.Parallel()
	stages, err := parseDockerfile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a builder and a runtime stage", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	if !strings.HasPrefix(build.from, "golang:") {
		t.Errorf("builder image %q, want golang:", build.from)
	}
	goBuild := ""
	for _, r := range build.run {
		if strings.Contains(r, "go build") {
			goBuild = r
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w"`, "./cmd/connect-gateway", "--mount=type=cache,target=/go/pkg/mod"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("the go build step lacks %s: %q", want, goBuild)
		}
	}
	if final.from != "scratch" && !strings.HasPrefix(final.from, "gcr.io/distroless/static") {
		t.Errorf("runtime image %q, want distroless static or scratch", final.from)
	}
	if len(final.entrypoint) == 0 {
		t.Error("the runtime stage has no ENTRYPOINT")
	}

	m, c := load(t)
	uid, _, _ := strings.Cut(final.user, ":")
	n, err := strconv.ParseInt(uid, 10, 64)
	if err != nil || n == 0 {
		t.Fatalf("USER %q: want a numeric non-root id (runAsNonRoot can only verify a number)", final.user)
	}
	if psc := m.deployment.Spec.Template.Spec.SecurityContext; psc == nil || psc.RunAsUser == nil || *psc.RunAsUser != n {
		t.Errorf("the pod's runAsUser is not the image's USER %d", n)
	}
	for _, p := range c.Ports {
		if !slices.Contains(final.expose, strconv.Itoa(int(p.ContainerPort))) && !slices.Contains(final.expose, strconv.Itoa(int(p.ContainerPort))+"/tcp") {
			t.Errorf("container port %s (%d) is not EXPOSEd by the image (EXPOSE %v)", p.Name, p.ContainerPort, final.expose)
		}
	}
}

func TestInstructionsJoinContinuations(t *testing.T) {
	t.Parallel()
	got := instructions([]byte("# c\nFROM a AS b\n\nRUN x \\\n    y \\\n  # not a comment inside RUN? it is dropped like Docker does\n    z\nUSER 1\n"))
	want := []string{"FROM a AS b", "RUN x y z", "USER 1"}
	if !slices.Equal(got, want) {
		t.Errorf("instructions = %q, want %q", got, want)
	}
}
