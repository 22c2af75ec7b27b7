package oidc

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// A discovery document is input from the network. A hostile or
// compromised issuer could name http://127.0.0.1:6379/ as its token
// endpoint or the cloud metadata service (169.254.169.254) as its
// jwks_uri, and the client would send requests there from inside the
// operator's network (server-side request forgery). So an endpoint may lie
// on a loopback, private, link-local or unspecified address only when the
// issuer itself lies on that kind of host, and the host is judged by its
// spelling in the URL: an IP literal, or the names localhost and
// *.localhost. Names that resolve to such addresses are not caught here:
// that needs a check at dial time (see the package documentation).

// hostKind is what a URL's host is, as far as its spelling tells.
type hostKind uint8

const (
	hostPublic      hostKind = iota // a DNS name other than localhost, or a global address
	hostLoopback                    // localhost, *.localhost, 127.0.0.0/8, ::1
	hostPrivate                     // 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7
	hostLinkLocal                   // 169.254/16, fe80::/10, link-local multicast
	hostUnspecified                 // 0.0.0.0/8, ::
	hostSpecial                     // multicast, broadcast, or IPv4 in a non-standard spelling
)

func (k hostKind) String() string {
	switch k {
	case hostLoopback:
		return "loopback"
	case hostPrivate:
		return "private"
	case hostLinkLocal:
		return "link-local"
	case hostUnspecified:
		return "unspecified"
	case hostSpecial:
		return "special-purpose"
	}
	return "public"
}

var (
	sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10") // RFC 6598, used inside clouds
	nat64Prefix        = netip.MustParsePrefix("64:ff9b::/96")  // RFC 6052, embeds an IPv4 address
)

// classifyHost tells the kind of a URL's host (url.URL.Hostname).
func classifyHost(host string) hostKind {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return hostLoopback
	}
	addr, err := netip.ParseAddr(h)
	if err != nil {
		if endsInNumber(h) {
			// 2130706433, 0x7f.1 or 127.000.000.001: not a name any DNS
			// zone holds, but some resolvers read it as an IPv4 address.
			return hostSpecial
		}
		return hostPublic
	}
	addr = addr.Unmap().WithZone("")
	if nat64Prefix.Contains(addr) {
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case addr.IsLoopback():
		return hostLoopback
	case addr.IsUnspecified(), addr.Is4() && addr.As4()[0] == 0:
		return hostUnspecified
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return hostLinkLocal
	case addr.IsPrivate(), sharedAddressSpace.Contains(addr):
		return hostPrivate
	case addr.IsMulticast(), addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return hostSpecial
	}
	return hostPublic
}

// endsInNumber reports whether the last label of host is a decimal or
// hexadecimal number, which the URL Standard reads as an IPv4 address.
func endsInNumber(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(rest, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// endpointPolicy decides which hosts a metadata document may name.
type endpointPolicy struct {
	insecure   bool
	issuerHost string   // lower case, without port
	issuerKind hostKind // kind of the issuer's host
	allow      []string // WithEndpointHosts entries, lower case
}

func newEndpointPolicy(issuer string, insecure bool, allow []string) endpointPolicy {
	p := endpointPolicy{insecure: insecure, issuerKind: hostSpecial}
	if u, err := url.Parse(issuer); err == nil {
		p.issuerHost = strings.ToLower(u.Hostname())
		p.issuerKind = classifyHost(u.Hostname())
	}
	for _, h := range allow {
		p.allow = append(p.allow, strings.ToLower(strings.TrimSpace(h)))
	}
	return p
}

// check refuses an endpoint whose host is outside the allow-list (when
// there is one) or, without one, of another kind than public or the
// issuer's own. raw has passed urls.CheckEndpoint.
func (p endpointPolicy) check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrEndpointNotAllowed, err)
	}
	host := strings.ToLower(u.Hostname())
	if len(p.allow) > 0 {
		if host == p.issuerHost || p.listed(host, strings.ToLower(u.Host)) {
			return nil
		}
		return fmt.Errorf("%w: host %s is neither the issuer's nor among %q", ErrEndpointNotAllowed, quote(host), p.allow)
	}
	if p.insecure {
		return nil
	}
	k := classifyHost(host)
	if k == hostPublic || (k == p.issuerKind && k != hostSpecial) {
		return nil
	}
	return fmt.Errorf("%w: %s address %s, and the issuer is not on one", ErrEndpointNotAllowed, k, quote(host))
}

// listed: an entry "host" matches any port, "host:port" only that port.
func (p endpointPolicy) listed(host, hostport string) bool {
	for _, e := range p.allow {
		if h, _, err := net.SplitHostPort(e); err == nil && h != "" {
			if e == hostport {
				return true
			}
			continue
		}
		if strings.Trim(e, "[]") == host {
			return true
		}
	}
	return false
}
