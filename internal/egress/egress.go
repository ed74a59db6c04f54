// Package egress is the HTTP client for requests to addresses that users
// choose (webhook endpoints): it refuses to reach the server's own
// network — loopback, private, link-local (cloud metadata), shared and
// other special addresses — after DNS resolution and on every redirect,
// with short timeouts and a cap on what it reads back.
package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress means the target resolved to an address the client
// may not reach (or named one directly).
var ErrForbiddenAddress = errors.New("address not allowed")

// Options tune a Client. The zero value is the safe default.
type Options struct {
	// AllowPrivate lets requests reach loopback and private addresses: for
	// tests and for operators whose receivers live on their own network.
	AllowPrivate bool
	// AllowHTTP lets URLs use plain http; otherwise only https.
	AllowHTTP bool
	// Timeout bounds a whole request, redirects and body included.
	Timeout time.Duration // default 10 s
	// MaxResponse is how much of a response body is read.
	MaxResponse int64 // default 64 KiB
	// MaxRedirects is how many redirects are followed.
	MaxRedirects int // default 3
	// Resolve looks up a host's addresses; nil uses the system resolver.
	// Tests give their own to play a name that resolves to 10.x.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Client sends requests to user-chosen URLs.
type Client struct {
	http *http.Client
	opts Options
	// allow decides which addresses may be reached; tests replace it to
	// let one loopback address play a public receiver.
	allow func(netip.Addr) bool
}

// New returns a Client with opts.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.MaxResponse <= 0 {
		opts.MaxResponse = 64 << 10
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = 3
	}
	if opts.Resolve == nil {
		opts.Resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	c := &Client{opts: opts, allow: Public}
	if opts.AllowPrivate {
		c.allow = func(ip netip.Addr) bool { return !ip.Unmap().IsUnspecified() }
	}
	dialer := &net.Dialer{Timeout: min(opts.Timeout, 5*time.Second), Control: c.control}
	transport := &http.Transport{
		Proxy: nil, // a proxy would make the address checks moot
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return c.dial(ctx, dialer, network, addr)
		},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.http = &http.Client{
		Transport: transport,
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opts.MaxRedirects {
				return fmt.Errorf("more than %d redirects", opts.MaxRedirects)
			}
			return c.CheckURL(req.URL)
		},
	}
	return c
}

// CheckURL tells whether u may be requested by its form alone: scheme,
// no credentials, a host, and not a forbidden address literal. Names are
// checked again once resolved, when the request is made.
func (c *Client) CheckURL(u *url.URL) error {
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && c.opts.AllowHTTP:
	default:
		if c.opts.AllowHTTP {
			return errors.New("the URL must use http or https")
		}
		return errors.New("the URL must use https")
	}
	if u.User != nil {
		return errors.New("the URL must not carry credentials")
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("the URL needs a host")
	}
	if ip, err := netip.ParseAddr(host); err == nil && !c.allow(ip) || err != nil && localName(host) && !c.allow(netip.IPv6Loopback()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, host)
	}
	return nil
}

// Response is what came back: the status, the headers and at most
// MaxResponse bytes of the body.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
}

// Do sends req and reads the answer within the limits. A refused address
// is an error wrapping ErrForbiddenAddress.
func (c *Client) Do(req *http.Request) (*Response, error) {
	if err := c.CheckURL(req.URL); err != nil {
		return nil, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, c.opts.MaxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("read the response: %w", err)
	}
	out := &Response{Status: res.StatusCode, Header: res.Header, Body: body}
	if int64(len(body)) > c.opts.MaxResponse {
		out.Body, out.Truncated = body[:c.opts.MaxResponse], true
	}
	return out, nil
}

// dial resolves the host itself, keeps only allowed addresses, and dials
// one of those by number, so that what was checked is what is reached
// (no second lookup that could answer differently).
func (c *Client) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else if ips, err = c.opts.Resolve(ctx, host); err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	var firstErr error
	for _, ip := range ips {
		if !c.allow(ip) {
			firstErr = cmpErr(firstErr, fmt.Errorf("%w: %s resolves to %s", ErrForbiddenAddress, host, ip))
			continue
		}
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		firstErr = cmpErr(firstErr, err)
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("resolve %s: no address", host)
	}
	return nil, firstErr
}

func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// control checks the address of every socket before it connects: the
// last guard, whatever path produced the address.
func (c *Client) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	if !c.allow(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// ForbiddenHost reports whether host names the server's own network by
// its form alone: an address literal that is not Public, or localhost.
// Names are judged once resolved, when a request is made.
func ForbiddenHost(host string) bool {
	if ip, err := netip.ParseAddr(host); err == nil {
		return !Public(ip)
	}
	return localName(host)
}

// localName reports whether host is localhost or a name under it, which
// resolvers answer with a loopback address.
func localName(host string) bool {
	h := strings.ToLower(host)
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// special are ranges that are not the public internet beyond what netip's
// predicates name: shared address space (carrier NAT), benchmarking,
// documentation, IPv4 class E, NAT64 and 6to4 (which embed IPv4 addresses),
// Teredo, and IPv6 documentation.
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
}

// Public reports whether ip is an address of the public internet: not
// loopback, private, link-local (169.254.169.254, the cloud metadata
// service, among them), multicast, unspecified, or another special range.
// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || ip.Zone() != "" {
		return false
	}
	for _, p := range special {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
