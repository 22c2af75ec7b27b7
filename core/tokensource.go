package core

import (
	"context"
	"sync"
	"time"
)

// DefaultRefreshMargin is how long before expiry a TokenSource refreshes.
const DefaultRefreshMargin = 30 * time.Second

// TokenSourceOptions configure a TokenSource.
type TokenSourceOptions struct {
	// Margin refreshes this long before expiry; 0 means
	// DefaultRefreshMargin, a negative value means exactly at expiry.
	Margin time.Duration
	// IDToken is the verified ID token of the login the token came from.
	// A refresh answer's ID token is verified against it (OpenID Connect
	// Core §12.2: same iss, sub, aud, azp and auth_time) with the client's
	// IDTokenVerifier; without a verifier it is dropped.
	IDToken *IDToken
	// OnRefresh is called after every successful refresh with the new
	// token and the current ID token (the new one when the answer had one,
	// verified), before any caller receives them, so that a rotated refresh
	// token can be persisted. It runs at most once per refresh.
	OnRefresh func(ctx context.Context, t *Token, id *IDToken)
	// RefreshOptions are passed to every Refresh call.
	RefreshOptions []Option
}

// TokenSource hands out a valid access token, refreshing it when it has
// expired (or will within the margin). Concurrent callers share one refresh
// (single flight): however many ask at once, the provider sees one refresh
// request. Every call takes the caller's ctx: a caller whose ctx ends stops
// waiting, while the refresh it started goes on for the others. A
// TokenSource is safe for concurrent use. It keeps the token in this
// process; for a token that replicas share, use Auth.SessionToken or
// Auth.Refresh, which also keep a refresh single across replicas.
type TokenSource struct {
	client  *Client
	opts    TokenSourceOptions
	flights flights

	mu  sync.Mutex
	tok *Token
	id  *IDToken
}

// TokenSource returns a TokenSource starting from tok.
func (c *Client) TokenSource(tok *Token, opts TokenSourceOptions) *TokenSource {
	if opts.Margin == 0 {
		opts.Margin = DefaultRefreshMargin
	} else if opts.Margin < 0 {
		opts.Margin = 0
	}
	return &TokenSource{client: c, opts: opts, tok: tok, id: opts.IDToken}
}

// Token returns the current token, refreshed first when needed. When the
// refresh fails, the error is returned and the stored token is kept, so a
// later call may try again.
func (s *TokenSource) Token(ctx context.Context) (*Token, error) {
	if tok, _, fresh := s.current(); fresh {
		return tok, nil
	}
	tok, _, err := s.flights.do(ctx, "", 0, func(ctx context.Context) (*Token, *IDToken, error) {
		tok, id, fresh := s.current()
		if fresh {
			// Refreshed while this caller was on its way here.
			return tok, id, nil
		}
		if tok == nil || tok.RefreshToken == "" {
			return nil, nil, loginAgainError{ErrNoRefreshToken}
		}
		t, id, err := s.client.refresh(ctx, tok, id, s.opts.RefreshOptions)
		if err != nil {
			return nil, nil, err
		}
		if s.opts.OnRefresh != nil {
			s.opts.OnRefresh(ctx, t, id)
		}
		s.mu.Lock()
		s.tok, s.id = t, id
		s.mu.Unlock()
		return t, id, nil
	})
	return tok, err
}

// current returns the stored token and ID token, and whether the token is
// still good for the margin.
func (s *TokenSource) current() (*Token, *IDToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok, s.id, !s.tok.expired(s.client.clock.Now(), s.opts.Margin)
}

// flight is one refresh in progress in this process.
type flight struct {
	done chan struct{}
	tok  *Token
	id   *IDToken
	err  error
}

// flights runs at most one refresh per key at a time in this process: the
// callers that need a refresh already running wait for its result. The zero
// value is ready for use.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// do runs refresh for key unless a refresh for key is running, and waits
// for the result within ctx. The refresh outlives the ctx of the caller
// that started it, so that the other callers waiting for it are not failed
// by its cancellation, and so that a rotated refresh token is not lost
// because a caller gave up while the provider was answering; bound, when
// not 0, limits it instead.
func (g *flights) do(ctx context.Context, key string, bound time.Duration, refresh func(context.Context) (*Token, *IDToken, error)) (*Token, *IDToken, error) {
	g.mu.Lock()
	f := g.m[key]
	if f == nil {
		if g.m == nil {
			g.m = map[string]*flight{}
		}
		f = &flight{done: make(chan struct{})}
		g.m[key] = f
		go func() {
			rctx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
			if bound > 0 {
				rctx, cancel = context.WithTimeout(rctx, bound)
			}
			f.tok, f.id, f.err = refresh(rctx)
			cancel()
			g.mu.Lock()
			delete(g.m, key)
			g.mu.Unlock()
			close(f.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.id, f.err
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}
