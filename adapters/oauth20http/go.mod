module github.com/go-oauth20/oauth20/adapters/oauth20http

go 1.25.0

require github.com/go-oauth20/oauth20 v0.0.0

replace github.com/go-oauth20/oauth20 => ../..
