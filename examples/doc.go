// Package examples holds runnable demo applications of oauth20, one per
// adapter, with the same behaviour:
//
//	go run ./examples/demo    # net/http (oauth20http)
//	go run ./examples/chi     # chi (oauth20chi)
//	go run ./examples/fiber   # Fiber v3 (oauth20fiber)
//	go run ./examples/gin     # Gin (oauth20gin)
//	go run ./examples/echo    # Echo v5 (oauth20echo)
//
// Each serves http://127.0.0.1:8000 and needs no credentials: it starts a
// development test provider in its own process and offers it as the first
// login button, on loopback addresses only.
// GitHub, Google and any OpenID issuer become extra buttons when their
// client id and secret are in the environment (see internal/demoapp).
package examples
