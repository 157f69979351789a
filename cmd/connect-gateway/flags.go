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
	if v, ok := e.lookup(envName); ok {
		def = v
	}
	e.fs.StringVar(p, name, def, usage+" (env "+envName+")")
}

func (e *envFlags) Bool(p *bool, name, envName string, def bool, usage string) {
	if v, ok := e.lookup(envName); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.bad(envName, v, err)
		}
		def = b
	}
	e.fs.BoolVar(p, name, def, usage+" (env "+envName+")")
}

func (e *envFlags) Duration(p *time.Duration, name, envName string, def time.Duration, usage string) {
	if v, ok := e.lookup(envName); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.bad(envName, v, err)
		}
		def = d
	}
	e.fs.DurationVar(p, name, def, usage+" (env "+envName+")")
}

func (e *envFlags) Int64(p *int64, name, envName string, def int64, usage string) {
	if v, ok := e.lookup(envName); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			e.bad(envName, v, err)
		}
		def = n
	}
	e.fs.Int64Var(p, name, def, usage+" (env "+envName+")")
}
