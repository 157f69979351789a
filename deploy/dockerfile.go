package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// dockerStage is what the tests read of one stage of a Dockerfile.
type dockerStage struct {
	from       string   // the base image
	user       string   // the last USER
	expose     []string // every EXPOSE argument
	entrypoint []string // the last ENTRYPOINT, exec form
	run        []string // every RUN command, continuations joined
}

// parseDockerfile reads the instructions of a Dockerfile into its stages.
// It understands what this repository's Dockerfile uses: comments, line
// continuations, FROM, USER, EXPOSE, ENTRYPOINT in exec form and RUN.
func parseDockerfile(path string) ([]dockerStage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the Dockerfile: %w", err)
	}
	var stages []dockerStage
	for _, ins := range instructions(data) {
		keyword, rest, _ := strings.Cut(ins, " ")
		rest = strings.TrimSpace(rest)
		keyword = strings.ToUpper(keyword)
		if keyword == "FROM" {
			stages = append(stages, dockerStage{from: fromImage(rest)})
			continue
		}
		if len(stages) == 0 {
			if keyword == "ARG" {
				continue
			}
			return nil, fmt.Errorf("%s: %s before the first FROM", path, keyword)
		}
		s := &stages[len(stages)-1]
		switch keyword {
		case "USER":
			s.user = rest
		case "EXPOSE":
			s.expose = append(s.expose, strings.Fields(rest)...)
		case "ENTRYPOINT":
			var argv []string
			if err := json.Unmarshal([]byte(rest), &argv); err != nil {
				return nil, fmt.Errorf("%s: ENTRYPOINT must be in exec form (a JSON array): %w", path, err)
			}
			s.entrypoint = argv
		case "RUN":
			s.run = append(s.run, rest)
		}
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("%s: no FROM", path)
	}
	return stages, nil
}

// instructions splits a Dockerfile into instructions: comment lines and
// blank lines dropped, backslash continuations joined.
func instructions(data []byte) []string {
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cont := strings.HasSuffix(line, `\`)
		cur.WriteString(strings.TrimSpace(strings.TrimSuffix(line, `\`)))
		if cont {
			cur.WriteByte(' ')
			continue
		}
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}

// fromImage returns the image of a FROM instruction, without --platform and
// the stage name.
func fromImage(args string) string {
	for _, f := range strings.Fields(args) {
		if !strings.HasPrefix(f, "--") {
			return f
		}
	}
	return ""
}
