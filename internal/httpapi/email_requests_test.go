package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// outboxRow is one row of the outbox as a test sees it.
type outboxRow struct {
	To      string
	Request string // "" for a message
	Done    bool
}

// outbox lists the outbox, oldest first.
func (e *env) outbox(t testing.TB) []outboxRow {
	t.Helper()
	rows, err := e.Store.DB().QueryContext(context.Background(),
		`SELECT recipient, COALESCE(request, ''), sent_at IS NOT NULL OR failed_at IS NOT NULL FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.To, &r.Request, &r.Done); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitOutboxDone waits until the worker has handled every row of the
// outbox (sent, abandoned or resolved) and returns the rows.
func (e *env) waitOutboxDone(t testing.TB) []outboxRow {
	t.Helper()
	var rows []outboxRow
	testkit.WaitFor(t, "every outbox row handled", func() bool {
		rows = e.outbox(t)
		for _, r := range rows {
			if !r.Done {
				return false
			}
		}
		return true
	})
	return rows
}

// A forgot-password or resend-verification request is in the database
// when its 202 is sent, for a known address as for an unknown one (one
// row each, alike): a crash after the answer loses nothing, and the
// answer's cost does not tell the addresses apart. The worker resolves the
// requests later: an email for the account, nothing for the unknown one.
func TestEmailRequestsAreDurableBeforeTheAnswer(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newIdleEnv(t, engine)
			e.signUp(t, "olga", strongPassword)
			for _, email := range []string{"OLGA@example.com", "nobody@example.com"} {
				e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": email}).want(t, http.StatusAccepted)
				e.post(t, "/api/v1/auth/resend-verification", "", map[string]string{"email": email}).want(t, http.StatusAccepted)
			}
			want := []outboxRow{
				{To: "olga@example.com"}, // the registration's verification email
				{To: "olga@example.com", Request: "RESET_PASSWORD"},
				{To: "olga@example.com", Request: "VERIFY_EMAIL"},
				{To: "nobody@example.com", Request: "RESET_PASSWORD"},
				{To: "nobody@example.com", Request: "VERIFY_EMAIL"},
			}
			if diff := cmp.Diff(want, e.outbox(t)); diff != "" {
				t.Fatalf("outbox right after the answers (-want +got):\n%s", diff)
			}

			// The worker, started only now (as after a restart), answers
			// them: one reset email; the verification email was sent at
			// registration, within the quiet period, so no second one.
			e.runWorker(t)
			rows := e.waitOutboxDone(t)
			for i := range want {
				want[i].Done = true
			}
			want = append(want, outboxRow{To: "olga@example.com", Done: true}) // the reset email
			if diff := cmp.Diff(want, rows); diff != "" {
				t.Errorf("outbox once handled (-want +got):\n%s", diff)
			}
			e.Mail.Wait(t, "olga@example.com", resetSubject, 0).Token(t)
			if n := e.Mail.Count("nobody@example.com", ""); n != 0 {
				t.Errorf("%d emails to an unknown address", n)
			}
		})
	}
}
