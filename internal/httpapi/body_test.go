package httpapi_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/store/storetest"
)

// rawExchange writes head and body on a fresh TCP connection, closes the
// sending side (a client that gives up), and reads the answer.
func rawExchange(t *testing.T, e *env, raw string) (*http.Response, string) {
	t.Helper()
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// A body that ends before its Content-Length, or whose chunked encoding
// is malformed, is the client's fault: 400 problem+json, and no ERROR in
// the log, on public and authenticated operations alike.
func TestBodyCutShortIsBadRequest(t *testing.T) {
	e := newEnv(t, storetest.Engines(t)[0])
	alice := e.newUser(t, "alice")
	heads := map[string]string{
		"login":    "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
		"register": "POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
		"task":     "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer " + alice.Token + "\r\n",
	}
	bodies := map[string]string{
		"cut short":        "Content-Length: 100\r\n\r\n{\"username\":\"a\"",
		"bad chunk size":   "Transfer-Encoding: chunked\r\n\r\nzz\r\n{\"title\":\"t\"}\r\n0\r\n\r\n",
		"chunks cut short": "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"title\":\"t\"",
	}
	for op, head := range heads {
		for kind, body := range bodies {
			res, got := rawExchange(t, e, head+body)
			if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s, %s: %d %s %s", op, kind, res.StatusCode, res.Header.Get("Content-Type"), got)
			}
		}
	}
	// The access log line is written before the answer leaves.
	if logs := e.Logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("ERROR logged for the client's fault:\n%s", logs)
	}
}
