package egress

import "net/netip"

// WithAllow returns c reaching only what allow admits.
func WithAllow(c *Client, allow func(netip.Addr) bool) *Client {
	c.allow = allow
	return c
}
