// Package testkit holds what the tests of this module would otherwise write
// again in every package: a fake clock, keys generated per test, HTTP
// clients and transports for in-process servers, JSON answers, a buffer
// that goroutines share, and the stop of a child process.
//
// It imports nothing of the module, so that the tests of every package,
// core's own included, can use it. Nothing here is meant for production
// code.
//
// # Clock
//
// Clock stands still until the test moves it; it has the Now and After
// methods of core.Clock. NewClock's After fires when Advance or Set reaches
// its deadline, and WaitForTimers lets a test wait, without sleeping, until
// the code under test is waiting on the clock. NewAutoClock's After moves the
// time forward and fires at once, for code that polls.
//
// # Keys
//
// RSAKey, ECKey, Ed25519Key and SigningKey (by JWS algorithm name) generate
// a fresh key for one test; PKCS8PEM encodes one as a .p8 file would.
// SealingKey is a fresh key for core.Builder.SealingKeys.
//
// # HTTP
//
// NoRedirectClient reads a redirect instead of following it; Browser adds a
// cookie jar and its own transport, for a test that plays a browser;
// HandlerTransport answers every request in process, whatever its host, so
// a provider can be played on its real https URLs; WriteJSON writes a JSON
// answer; Get reads a page that must answer 200.
//
// # Logs and processes
//
// SyncBuffer collects what several goroutines write (a logger of the code
// under test, a child process's output) and reads it back, from a mark on
// if need be. StopProcess ends a child process that a test harness started
// (a real provider, a Redis server): SIGTERM, then a kill after a grace
// period; SetParentDeathSignal has Linux kill it when the test binary dies
// without its cleanups.
package testkit
