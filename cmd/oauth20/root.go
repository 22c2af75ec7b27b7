package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// globals are the flags every command takes.
type globals struct {
	json    bool
	verbose bool
	timeout time.Duration
}

// defaultTimeout bounds a command's network work, login included (the user
// has that long to approve).
const defaultTimeout = 5 * time.Minute

// run executes the command line args with a and returns the exit code.
func run(ctx context.Context, a *app, args []string) int {
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	code := exitCode(err)
	if err != nil && !errors.Is(err, errReported) {
		// The library's errors start with its package's name, which is
		// the program's too: say it once.
		fmt.Fprintf(a.stderr, "oauth20: %s\n", strings.TrimPrefix(err.Error(), "oauth20: "))
		if code == exitUsage {
			fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", commandPath(root, args))
		}
	}
	return code
}

// commandPath names the command that args select, for the usage hint.
func commandPath(root *cobra.Command, args []string) string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return root.Name()
	}
	return cmd.CommandPath()
}

func newRootCmd(a *app) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "oauth20",
		Short: "Log in with OAuth 2.0 and OpenID Connect providers, inspect tokens, run the conformance kit",
		Long: `oauth20 logs in with any built-in provider or any OpenID issuer from the terminal,
inspects and verifies tokens, checks a provider's discovery metadata, and records
and checks conformance cassettes, with the go-oauth20 library underneath.

Secrets never go on the command line: the client secret comes from
OAUTH20_CLIENT_SECRET, from --client-secret-file, or from a prompt. Tokens are
printed only with --show-tokens or written with --save.

Exit codes: 0 ok; 1 the provider, the network or a check said no;
2 the command line or an input file is wrong.`,
		Example: `  oauth20 login --issuer https://accounts.google.com --client-id ID
  oauth20 verify --issuer https://accounts.google.com --audience ID < id_token.txt
  oauth20 discover https://accounts.google.com`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	root.PersistentFlags().BoolVar(&g.json, "json", false, "print JSON for scripts instead of the readable summary")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log every request to the provider on stderr (never a secret)")
	root.PersistentFlags().DurationVar(&g.timeout, "timeout", defaultTimeout, "give up after this long")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })

	root.AddCommand(
		newLoginCmd(a, g),
		newRefreshCmd(a, g),
		newRevokeCmd(a, g),
		newIntrospectCmd(a, g),
		newUserInfoCmd(a, g),
		newVerifyCmd(a, g),
		newDiscoverCmd(a, g),
		newRecordCmd(a, g),
		newCheckCmd(a, g),
		newKeygenCmd(a, g),
		newProvidersCmd(a, g),
	)
	for _, c := range root.Commands() {
		wrapRun(c, g)
	}
	return root
}

// wrapRun bounds a command by --timeout and marks the errors of its RunE
// as failures unless they say otherwise, so that cobra's own errors are
// the only unmarked ones (usage, exit 2).
func wrapRun(c *cobra.Command, g *globals) {
	if c.RunE == nil {
		return
	}
	inner := c.RunE
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if g.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, g.timeout)
			defer cancel()
		}
		cmd.SetContext(ctx)
		return failure(inner(cmd, args))
	}
	c.Args = wrapArgs(c.Args)
}

// wrapArgs marks argument errors as usage errors.
func wrapArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	if v == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error { return usageError(v(cmd, args)) }
}

// logger returns the debug logger of --verbose: the library's request lines
// on stderr, or nil.
func (g *globals) logger(a *app) *slog.Logger {
	if !g.verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// example formats command examples for cobra: indented by two spaces.
func example(lines ...string) string {
	return "  " + strings.Join(lines, "\n  ")
}
