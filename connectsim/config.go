package connectsim

import (
	"slices"
)

// validator checks Deployment configuration against connect.yaml.
type validator struct {
	apps   []ApplicationSpec
	global *GlobalConfigurationSpec
	// The Deployment's id and key, for messages (the id is empty on create).
	resourceID, resourceKey string
}

// applications checks application configurations. deployed, when not nil,
// lists the applications of an existing Deployment (redeploy): naming a
// Connector application outside it is DeploymentApplicationDoNotBelong.
func (v validator) applications(cfgs []DeploymentConfigurationApplication, deployed []string) ([]DeploymentConfigurationApplication, *Error) {
	if len(cfgs) == 0 {
		return nil, NewError("DeploymentApplicationRequired", nil, nil)
	}
	seen := map[string]bool{}
	for i, cfg := range cfgs {
		name := cfg.ApplicationName
		if name == "" {
			return nil, errInvalidJSON("configurations[%d].applicationName: Missing required value", i)
		}
		if seen[name] {
			return nil, errInvalidJSON("configurations[%d].applicationName: %q is configured twice", i, name)
		}
		seen[name] = true
		app, ok := findApp(v.apps, name)
		if !ok {
			return nil, NewError("DeploymentUnknownApplicationConfiguration", nil, []any{"unknownApplicationName", name})
		}
		if deployed != nil && !slices.Contains(deployed, name) {
			return nil, NewError("DeploymentApplicationDoNotBelong", nil,
				[]any{"resourceId", v.resourceID, "resourceKey", v.resourceKey, "applicationName", name})
		}
		if err := v.appKeys(i, app, cfg); err != nil {
			return nil, err
		}
	}
	return cfgs, nil
}

func (v validator) appKeys(i int, app ApplicationSpec, cfg DeploymentConfigurationApplication) *Error {
	unknownKey := func(kind, key string) *Error {
		return NewError("DeploymentUnknownApplicationConfigurationKey", nil,
			[]any{"configurationKey", key, "applicationName", app.ApplicationName}, kind)
	}
	for _, c := range cfg.StandardConfiguration {
		if !slices.ContainsFunc(app.StandardConfiguration, func(k StandardConfigurationKey) bool { return k.Key == c.Key }) {
			return unknownKey("standard", c.Key)
		}
	}
	for _, c := range cfg.SecuredConfiguration {
		if !slices.ContainsFunc(app.SecuredConfiguration, func(k SecuredConfigurationKey) bool { return k.Key == c.Key }) {
			return unknownKey("secret", c.Key)
		}
	}
	for _, k := range app.StandardConfiguration {
		if k.Required && k.Default == "" && valueOf(cfg.StandardConfiguration, k.Key) == "" {
			return errInvalidJSON("configurations[%d].standardConfiguration: required key %s of application %s has no value", i, k.Key, app.ApplicationName)
		}
	}
	for _, k := range app.SecuredConfiguration {
		if k.Required && valueOf(cfg.SecuredConfiguration, k.Key) == "" {
			return errInvalidJSON("configurations[%d].securedConfiguration: required key %s of application %s has no value", i, k.Key, app.ApplicationName)
		}
	}
	return nil
}

// mustInclude answers DeploymentMustIncludeApplication when an application
// whose configuration has required keys without defaults is left out.
func (v validator) mustInclude(cfgs []DeploymentConfigurationApplication) *Error {
	for _, app := range v.apps {
		if !needsConfiguration(app) {
			continue
		}
		if !slices.ContainsFunc(cfgs, func(c DeploymentConfigurationApplication) bool { return c.ApplicationName == app.ApplicationName }) {
			return NewError("DeploymentMustIncludeApplication", nil,
				[]any{"resourceId", v.resourceID, "resourceKey", v.resourceKey, "applicationName", app.ApplicationName})
		}
	}
	return nil
}

func needsConfiguration(app ApplicationSpec) bool {
	return slices.ContainsFunc(app.StandardConfiguration, func(k StandardConfigurationKey) bool { return k.Required && k.Default == "" }) ||
		slices.ContainsFunc(app.SecuredConfiguration, func(k SecuredConfigurationKey) bool { return k.Required })
}

// globals checks global configuration values against connect.yaml.
func (v validator) globals(g *DeploymentGlobalConfiguration) *Error {
	var std []ConfigurationValue
	var sec []ConfigurationValue
	if g != nil {
		std, sec = g.StandardConfiguration, g.SecuredConfiguration
	}
	spec := v.global
	if spec == nil {
		spec = &GlobalConfigurationSpec{}
	}
	unknown := func(kind, key string) *Error {
		return NewError("DeploymentUnknownGlobalConfigurationKey", nil, []any{"configurationKey", key}, kind)
	}
	for _, c := range std {
		if !slices.ContainsFunc(spec.StandardConfiguration, func(k StandardConfigurationKey) bool { return k.Key == c.Key }) {
			return unknown("standard", c.Key)
		}
	}
	for _, c := range sec {
		if !slices.ContainsFunc(spec.SecuredConfiguration, func(k SecuredConfigurationKey) bool { return k.Key == c.Key }) {
			return unknown("secret", c.Key)
		}
	}
	check := func(kind, key string, values []ConfigurationValue) *Error {
		i := slices.IndexFunc(values, func(c ConfigurationValue) bool { return c.Key == key })
		if i < 0 {
			return NewError("DeploymentMissingGlobalConfigurationKey", nil, []any{"configurationKey", key}, kind)
		}
		if values[i].Value == "" {
			return NewError("DeploymentEmptyRequiredGlobalConfigurationKey", nil, []any{"configurationKey", key}, kind)
		}
		return nil
	}
	for _, k := range spec.StandardConfiguration {
		if k.Required && k.Default == "" {
			if err := check("standard", k.Key, std); err != nil {
				return err
			}
		}
	}
	for _, k := range spec.SecuredConfiguration {
		if k.Required {
			if err := check("secret", k.Key, sec); err != nil {
				return err
			}
		}
	}
	return nil
}

func findApp(apps []ApplicationSpec, name string) (ApplicationSpec, bool) {
	i := slices.IndexFunc(apps, func(a ApplicationSpec) bool { return a.ApplicationName == name })
	if i < 0 {
		return ApplicationSpec{}, false
	}
	return apps[i], true
}

func valueOf(values []ConfigurationValue, key string) string {
	for _, v := range values {
		if v.Key == key {
			return v.Value
		}
	}
	return ""
}
