// Package oauth20redis is a core.Store on Redis, through
// github.com/redis/go-redis/v9, for an application that runs more than one
// replica. The replicas that share it share what an oauth20 login keeps on
// the server: the states of callbacks already accepted (a replayed callback
// is refused on every replica), the sessions when the Auth keeps them on
// the server (core.Builder.ServerSessions), and the locks that keep a
// refresh single across replicas (core.Auth.SessionToken,
// core.Auth.Refresh), so that two replicas never use the same rotating
// refresh token.
//
// # Quickstart
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
//	auth, err := core.New().
//		SealingKeys(key). // the same on every replica
//		BaseURL("https://app.example/auth").
//		Store(oauth20redis.New(rdb, oauth20redis.Config{Prefix: "shop:"})).
//		ServerSessions(). // optional: sessions in Redis, the cookie holds a sealed session ID
//		Provider(providers.GitHub(id, secret)).
//		Build()
//
// # What Redis holds
//
// Every key starts with the Prefix and "oauth20:", and has a time to live:
//
//	oauth20:used:{flow}        a callback accepted, for the flow's lifetime
//	oauth20:session:{id}       a session (ServerSessions), for its lifetime
//	oauth20:user:{hash}        the epoch of a user's sessions after RevokeSessions
//	oauth20:lock:{key}         a refresh in progress, for seconds
//	oauth20:refreshed:{hash}   the result of a refresh, for a minute
//
// Values are opaque bytes. Those about a user or a token are sealed with the
// Auth's keys (AES-256-GCM) and bound to their key, so Redis never holds a
// readable token, and a value written under another key does not open; user
// identifiers appear only hashed.
//
// # Commands
//
// Get is GET, Set is SET PX, SetIfAbsent is SET NX PX, Delete is DEL;
// CompareAndSwap and CompareAndDelete are Lua scripts run with EVALSHA.
// Every command names one key, so a *redis.ClusterClient works as well as a
// *redis.Client.
//
// # Failures
//
// An error is wrapped as "oauth20redis: {operation}: {go-redis error}", and
// the library fails closed on it: a callback, or a request with a
// server-side session, is answered 503 (core.ErrStoreUnavailable), never
// let through unchecked. While Redis is down each call takes as long as the
// client's dial timeout and retries (go-redis's Options.MaxRetries, 3 by
// default); lower them for a faster 503. With ContextTimeoutEnabled, a
// request's deadline also bounds the wait for a Redis that hangs.
//
// go-redis sends a command again when its answer was lost on the network.
// SetIfAbsent and CompareAndSwap then read the key to tell their own first
// write from another caller's (the library's values for them are unique to
// each call), so a retried write is not taken for a refused one.
//
// # Persistence and eviction
//
// What Redis loses, the library forgets: the used states (a replayed
// callback is then refused only by the provider, which takes a code once)
// and the sessions (their users log in again). Run Redis with a
// maxmemory-policy that evicts nothing the library wrote before it expires
// (noeviction, or volatile-ttl on a Redis of its own), and with persistence
// if sessions must survive a restart.
package oauth20redis
