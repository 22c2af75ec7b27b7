// Package e2e holds the library's hostile-world tests: faults injected on
// the network between the library and a real in-process OpenID provider,
// and attacks on the login flow. It has no non-test code.
package e2e
