package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"
)

// envFlags registers flags whose defaults come from environment variables,
// and remembers environment values that do not parse, so that they fail the
// command like a malformed flag would.
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	errs   []error
}

func (e *envFlags) lookup(envName string) (string, bool) {
	v := e.getenv(envName)
	return v, v != ""
}

func (e *envFlags) bad(envName, v string, err error) {
	e.errs = append(e.errs, fmt.Errorf("environment %s=%q: %w", envName, v, err))
}

func (e *envFlags) String(p *string, name, envName, def, usage string) {
	e.fs.StringVar(p, name, fromEnv(e, envName, def, func(v string) (string, error) { return v, nil }), usage+" (env "+envName+")")
}

func (e *envFlags) Bool(p *bool, name, envName string, def bool, usage string) {
	e.fs.BoolVar(p, name, fromEnv(e, envName, def, strconv.ParseBool), usage+" (env "+envName+")")
}

func (e *envFlags) Duration(p *time.Duration, name, envName string, def time.Duration, usage string) {
	e.fs.DurationVar(p, name, fromEnv(e, envName, def, time.ParseDuration), usage+" (env "+envName+")")
}

func (e *envFlags) Int64(p *int64, name, envName string, def int64, usage string) {
	parse := func(v string) (int64, error) { return strconv.ParseInt(v, 10, 64) }
	e.fs.Int64Var(p, name, fromEnv(e, envName, def, parse), usage+" (env "+envName+")")
}

func (e *envFlags) Int(p *int, name, envName string, def int, usage string) {
	e.fs.IntVar(p, name, fromEnv(e, envName, def, strconv.Atoi), usage+" (env "+envName+")")
}

// fromEnv returns the flag's default: envName's value, parsed, when it is
// set, else def. A value that does not parse is recorded as an error.
func fromEnv[T any](e *envFlags, envName string, def T, parse func(string) (T, error)) T {
	v, ok := e.lookup(envName)
	if !ok {
		return def
	}
	x, err := parse(v)
	if err != nil {
		e.bad(envName, v, err)
	}
	return x
}
