package httpapi

import (
	"net/http"
	"net/netip"
	"strings"
)

// maxForwardedHops bounds the X-Forwarded-For walk: no honest chain of
// proxies is longer.
const maxForwardedHops = 32

// clientIP returns the address of the client that sent r. It is the TCP
// peer, unless the peer is one of the trusted proxies: then X-Forwarded-For
// is read from the right (each proxy appends the address it received the
// request from), skipping trusted proxies, and the first address that is
// not a trusted proxy is the client. Anything to the left of it was written
// by the client itself and may be forged, so it is never believed.
//
// When the chain holds only trusted proxies, the leftmost one is the
// client; when an entry is not an address, the last proxy that handed it on
// is taken as the client, since nothing before it can be trusted.
func clientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := parseAddr(r.RemoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	client := peer
	hops := 0
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		parts := strings.Split(values[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			hop := strings.TrimSpace(parts[j])
			if hop == "" {
				continue
			}
			if hops++; hops > maxForwardedHops {
				return client
			}
			a := parseAddr(hop)
			if !a.IsValid() {
				return client
			}
			client = a
			if !isTrusted(a, trusted) {
				return a
			}
		}
	}
	return client
}

// parseAddr reads "1.2.3.4", "1.2.3.4:5678", "::1", "[::1]:80" or
// "[::1]", and unmaps IPv4-mapped IPv6 addresses so that one client has
// one form. It drops IPv6 zones, which only name a local interface.
func parseAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone("")
	}
	return netip.Addr{}
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientKey is the rate-limit key of a client address. IPv6 clients are
// keyed by their /64, the block a single subscriber usually gets: keyed by
// full address, one machine could rotate through billions of keys.
func clientKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// ClientKey is the rate-limit key of the request's client, as the API's
// per-IP limits use it (for the web app, which shares their budgets). It
// needs the request to have passed the server's middleware.
func ClientKey(r *http.Request) string { return clientKey(requestInfoFrom(r.Context()).client) }

// ClientIP is the request's client address as shown in the list of
// sessions: the TCP peer, or what trusted proxies say it is.
func ClientIP(r *http.Request) string { return clientIPFrom(r.Context()) }
