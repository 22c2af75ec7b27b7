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
// TokenSource is safe for concurrent use.
type TokenSource struct {
	client *Client
	opts   TokenSourceOptions

	mu       sync.Mutex
	tok      *Token
	id       *IDToken
	inflight *refreshCall
}

type refreshCall struct {
	done chan struct{}
	tok  *Token
	err  error
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
	s.mu.Lock()
	tok := s.tok
	if !tok.expired(s.client.clock.Now(), s.opts.Margin) {
		s.mu.Unlock()
		return tok, nil
	}
	call := s.inflight
	if call == nil {
		if tok == nil || tok.RefreshToken == "" {
			s.mu.Unlock()
			return nil, loginAgainError{ErrNoRefreshToken}
		}
		call = &refreshCall{done: make(chan struct{})}
		s.inflight = call
		// The refresh outlives the ctx of the caller that started it, so
		// that other waiting callers are not failed by its cancellation;
		// the HTTP client's timeout still bounds it.
		go s.refresh(context.WithoutCancel(ctx), tok.RefreshToken, s.id, call)
	}
	s.mu.Unlock()
	select {
	case <-call.done:
		return call.tok, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *TokenSource) refresh(ctx context.Context, refreshToken string, previous *IDToken, call *refreshCall) {
	t, id, err := s.client.refresh(ctx, refreshToken, previous, s.opts.RefreshOptions)
	if err == nil && s.opts.OnRefresh != nil {
		s.opts.OnRefresh(ctx, t, id)
	}
	s.mu.Lock()
	if err == nil {
		s.tok, s.id = t, id
	}
	s.inflight = nil
	call.tok, call.err = t, err
	s.mu.Unlock()
	close(call.done)
}
