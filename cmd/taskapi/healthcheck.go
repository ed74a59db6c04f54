package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck runs "taskapi healthcheck": it asks the server on this
// machine for /healthz and succeeds only on 200. Container images without
// a shell or curl use it as their HEALTHCHECK. The address is the server's
// listen address (TASKAPI_ADDR or --addr); a wildcard host is reached on
// loopback.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := getenv("TASKAPI_ADDR")
	if def == "" {
		def = "localhost:8080"
	}
	addr := fs.String("addr", def, "the server's listen address host:port ($TASKAPI_ADDR)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &exitError{code: 0, err: err}
		}
		return usageError("healthcheck: %v", err)
	}
	if fs.NArg() > 0 {
		return usageError("healthcheck: unexpected argument %q", fs.Arg(0))
	}
	target, err := healthcheckURL(*addr)
	if err != nil {
		return usageError("healthcheck: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return usageError("healthcheck: %v", err)
	}
	client := &http.Client{
		// The server answers /healthz itself; a redirect means something else answered.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Do(req)
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("healthcheck: %w", err)}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return &exitError{code: 1, err: fmt.Errorf("healthcheck: %s answered %s", target, res.Status)}
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// healthcheckURL turns a listen address into the URL of /healthz,
// mapping wildcard hosts (0.0.0.0, ::, empty) to loopback.
func healthcheckURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return "", fmt.Errorf("%q is not a host:port to connect to", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::", "[::]":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
