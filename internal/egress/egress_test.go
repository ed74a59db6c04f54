package egress_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/egress"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14":         true,
		"2606:2800:21f:cb07::1": true,
		"127.0.0.1":             false,
		"127.9.9.9":             false,
		"::1":                   false,
		"10.1.2.3":              false,
		"172.16.0.1":            false,
		"192.168.1.1":           false,
		"169.254.169.254":       false, // cloud metadata
		"fe80::1":               false,
		"fd00:ec2::254":         false, // AWS metadata over IPv6 (unique local)
		"100.64.0.1":            false, // carrier NAT
		"0.0.0.0":               false,
		"::":                    false,
		"224.0.0.1":             false,
		"255.255.255.255":       false,
		"::ffff:127.0.0.1":      false, // IPv4-mapped loopback
		"::ffff:10.0.0.1":       false,
		"64:ff9b::a00:1":        false, // NAT64 of 10.0.0.1
		"2002:a00:1::":          false, // 6to4 of 10.0.0.1
		"198.18.0.1":            false,
		"240.0.0.1":             false,
	} {
		if got := egress.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func get(t *testing.T, c *egress.Client, url string) (*egress.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(req)
}

// Every way to reach the server's own network is refused: a loopback
// server, the metadata address, a name that resolves to a private
// address, a mapped IPv6 literal, localhost by name.
func TestRefusesPrivateTargets(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "internal.example":
			return []netip.Addr{netip.MustParseAddr("10.1.2.3")}, nil
		case "metadata.example":
			return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
		case "sneaky.example":
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return nil, errors.New("no such host")
	}
	c := egress.New(egress.Options{AllowHTTP: true, Resolve: resolve, Timeout: 2 * time.Second})
	for _, url := range []string{
		srv.URL,
		"http://169.254.169.254/latest/meta-data/",
		"http://metadata.example/computeMetadata/v1/",
		"http://internal.example/",
		"http://sneaky.example:" + port + "/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://localhost:" + port + "/",
		"http://0.0.0.0:" + port + "/",
	} {
		if _, err := get(t, c, url); !errors.Is(err, egress.ErrForbiddenAddress) {
			t.Errorf("%s: %v, want ErrForbiddenAddress", url, err)
		}
	}
	if hit {
		t.Error("a refused request reached the loopback server")
	}
}

func TestURLForm(t *testing.T) {
	c := egress.New(egress.Options{})
	for _, url := range []string{"http://example.com/", "ftp://example.com/", "https://user:pw@example.com/", "https:///x"} {
		if _, err := get(t, c, url); err == nil {
			t.Errorf("%s was accepted", url)
		}
	}
}

// A receiver the client may reach (127.0.0.1 here, standing for a public
// address) that redirects to a forbidden one: the redirect is refused.
func TestRefusesRedirectToPrivate(t *testing.T) {
	hit := false
	inner := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	inner.Listener = l
	inner.Start()
	defer inner.Close()
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/admin", http.StatusTemporaryRedirect)
	}))
	defer outer.Close()
	onlyOuter := func(ip netip.Addr) bool { return ip == netip.MustParseAddr("127.0.0.1") }
	c := egress.WithAllow(egress.New(egress.Options{AllowHTTP: true, Timeout: 2 * time.Second}), onlyOuter)
	if _, err := get(t, c, outer.URL); !errors.Is(err, egress.ErrForbiddenAddress) {
		t.Errorf("redirect to %s: %v, want ErrForbiddenAddress", inner.URL, err)
	}
	if hit {
		t.Error("the redirect reached the forbidden server")
	}
}

// The body read back is capped, and a receiver that does not answer is
// given up on at the timeout.
func TestLimits(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 1<<20)))
	}))
	defer srv.Close()
	defer close(release)
	c := egress.New(egress.Options{AllowPrivate: true, AllowHTTP: true, MaxResponse: 1024, Timeout: 300 * time.Millisecond})
	res, err := get(t, c, srv.URL+"/big")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Body) != 1024 || !res.Truncated || res.Status != http.StatusOK {
		t.Errorf("read %d bytes (truncated %v, status %d), want 1024 truncated", len(res.Body), res.Truncated, res.Status)
	}
	if _, err := get(t, c, srv.URL+"/slow"); err == nil {
		t.Error("a receiver that never answers did not time out")
	}
}

func TestForbiddenHost(t *testing.T) {
	for host, want := range map[string]bool{
		"hooks.example.com": false, "93.184.215.14": false, "127.0.0.1": true, "::1": true,
		"10.0.0.7": true, "169.254.169.254": true, "localhost": true, "api.LOCALHOST": true,
	} {
		if got := egress.ForbiddenHost(host); got != want {
			t.Errorf("ForbiddenHost(%q) = %v, want %v", host, got, want)
		}
	}
}
