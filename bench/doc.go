// Package bench compares the library with the peers a team would otherwise
// write a login with: golang.org/x/oauth2 for the protocol and
// github.com/coreos/go-oidc/v3 for ID tokens and UserInfo, called by hand.
// It is a module of its own so that no shipped module depends on those
// libraries; it holds benchmarks only.
//
// Run the comparison in interleaved passes and read the ratio with
// benchstat (see CONTRIBUTING.md):
//
//	for i in 1 2 3 4 5 6; do go test ./bench -run '^$' -bench . -benchmem -count 1 -benchtime 3s; done > complete.txt
//	benchstat -filter '.unit:cpu-ratio' complete.txt   # the library's CPU time over the peers'
//	benchstat -col /impl complete.txt                  # each alone
package bench
