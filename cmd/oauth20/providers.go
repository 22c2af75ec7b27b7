package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newProvidersCmd(a *app, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "providers",
		Short: "List the built-in providers and the settings they take",
		Long: `providers lists the built-in providers (--provider NAME) with the settings each
needs beyond a client id and secret (--set key=value). Any OpenID provider works
with --issuer URL, and any other provider with a spec file (--spec FILE).`,
		Example: example("oauth20 providers", "oauth20 providers --json"),
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if g.json {
				type entry struct {
					Name     string            `json:"name"`
					Settings map[string]string `json:"settings,omitempty"`
					NoSecret bool              `json:"no_client_secret,omitempty"`
				}
				var out []entry
				for _, name := range builtinNames() {
					b, _ := findBuiltin(name)
					e := entry{Name: name, NoSecret: b.noSecret}
					for _, s := range b.settings {
						if e.Settings == nil {
							e.Settings = map[string]string{}
						}
						e.Settings[s.key] = s.help
					}
					out = append(out, e)
				}
				return writeJSON(a.stdout, out)
			}
			s := &section{}
			for _, name := range builtinNames() {
				b, _ := findBuiltin(name)
				var parts []string
				for _, st := range b.settings {
					p := "--set " + st.key + "=..."
					if st.def != "" {
						p = "[--set " + st.key + "=" + st.def + "]"
					}
					parts = append(parts, p)
				}
				if b.noSecret {
					parts = append(parts, "(no client secret)")
				}
				s.rows = append(s.rows, [2]string{name, strings.Join(parts, " ")})
			}
			fmt.Fprintln(a.stdout, "Built-in providers (--provider NAME):")
			s.print(a.stdout)
			fmt.Fprintln(a.stdout, "\nSettings:")
			seen := map[string]bool{}
			st := &section{}
			for _, name := range builtinNames() {
				b, _ := findBuiltin(name)
				for _, x := range b.settings {
					if !seen[name+x.key] {
						seen[name+x.key] = true
						st.add(name+" "+x.key, x.help)
					}
				}
			}
			for _, x := range optionSettings {
				st.add("any "+x.key, x.help)
			}
			st.print(a.stdout)
			return nil
		},
	}
}
