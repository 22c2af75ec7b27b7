module github.com/go-oauth20/oauth20/bench

go 1.25.0

require (
	github.com/coreos/go-oidc/v3 v3.21.0
	github.com/go-oauth20/oauth20 v0.1.0
	golang.org/x/oauth2 v0.36.0
)

require (
	github.com/MicahParks/jwkset v0.11.4 // indirect
	github.com/MicahParks/keyfunc/v3 v3.9.2 // indirect
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	github.com/go-resty/resty/v2 v2.17.2 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	golang.org/x/net v0.50.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)

replace github.com/go-oauth20/oauth20 => ../
