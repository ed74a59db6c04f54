package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
)

const resetSubject = "Reset your taskapi password"

// messagesTo counts the emails (not requests) the outbox holds for to,
// sent or not: once the outbox is handled, an email that is not there
// will not be sent.
func messagesTo(rows []outboxRow, to string) int {
	n := 0
	for _, r := range rows {
		if r.Request == "" && strings.EqualFold(r.To, to) {
			n++
		}
	}
	return n
}

func TestForgotAndResetPassword(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "liam", strongPassword)
		a := e.login(t, "liam", strongPassword)
		b := e.login(t, "liam", strongPassword)

		// Known or not, the answer is the same 202.
		known := e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "LIAM@example.com"}).want(t, http.StatusAccepted)
		unknown := e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "nobody@example.com"}).want(t, http.StatusAccepted)
		if string(known.Body) != string(unknown.Body) {
			t.Errorf("answers differ: %s vs %s", known.Body, unknown.Body)
		}
		e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "not an email"}).wantProblem(t, http.StatusUnprocessableEntity)
		m := e.Mail.Wait(t, "liam@example.com", resetSubject, 0)
		token := m.Token(t)
		if !strings.Contains(m.Text, e.Config.BaseURL+"/reset-password?token="+token) {
			t.Errorf("reset link:\n%s", m.Text)
		}

		// The new password follows the policy; a refused one leaves the token usable.
		e.post(t, "/api/v1/auth/reset-password", "", map[string]string{"token": token, "new_password": "password1"}).
			wantProblem(t, http.StatusUnprocessableEntity)
		const newPassword = "granite-Otter-77-maple"
		e.post(t, "/api/v1/auth/reset-password", "", map[string]string{"token": token, "new_password": newPassword}).want(t, http.StatusNoContent)
		// Every session ended at once.
		e.wantDead(t, a.AccessToken)
		e.wantDead(t, b.AccessToken)
		e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": b.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "liam", "password": strongPassword}).wantProblem(t, http.StatusUnauthorized)
		e.login(t, "liam", newPassword)
		e.Mail.Wait(t, "liam@example.com", "Your taskapi password was changed", 0)

		// The token is spent.
		p := e.post(t, "/api/v1/auth/reset-password", "", map[string]string{"token": token, "new_password": "another-Quiet-88-river"}).
			wantProblem(t, http.StatusBadRequest)
		if !strings.Contains(p.Detail, "already used or expired") {
			t.Errorf("reused reset token: %+v", p)
		}
		e.login(t, "liam", newPassword)

		// No email was queued for the unknown address: its request was handled.
		if n := messagesTo(e.waitOutboxDone(t), "nobody@example.com"); n != 0 {
			t.Errorf("%d emails to an unknown address in the outbox", n)
		}
	})
}

func TestResetTokenExpiresAndOnlyTheLatestWorks(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "mia", strongPassword)
		e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "mia@example.com"}).want(t, http.StatusAccepted)
		first := e.Mail.Wait(t, "mia@example.com", resetSubject, 0).Token(t)
		e.ageEmailTokens(t)
		e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "mia@example.com"}).want(t, http.StatusAccepted)
		second := e.Mail.Wait(t, "mia@example.com", resetSubject, 1).Token(t)
		if first == second {
			t.Fatal("the same token twice")
		}
		// Asking again voids the earlier link.
		e.post(t, "/api/v1/auth/reset-password", "", map[string]string{"token": first, "new_password": "granite-Otter-77-maple"}).
			wantProblem(t, http.StatusBadRequest)
		// Past its hour, the latest does not work either.
		e.Clock.Advance(e.Config.ResetTokenTTL + time.Second)
		e.post(t, "/api/v1/auth/reset-password", "", map[string]string{"token": second, "new_password": "granite-Otter-77-maple"}).
			wantProblem(t, http.StatusBadRequest)
		e.login(t, "mia", strongPassword)
	})
}

func TestResendVerification(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "noah", strongPassword)
		first := e.Mail.Wait(t, "noah@example.com", "Confirm your email", 0).Token(t)
		e.ageEmailTokens(t)
		for _, email := range []string{"noah@example.com", "ghost@example.com"} {
			e.post(t, "/api/v1/auth/resend-verification", "", map[string]string{"email": email}).want(t, http.StatusAccepted)
		}
		second := e.Mail.Wait(t, "noah@example.com", "Confirm your email", 1).Token(t)
		e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": first}).wantProblem(t, http.StatusBadRequest)
		// An expired token is refused with the same clear problem.
		e.Clock.Advance(e.Config.VerifyTokenTTL + time.Second)
		e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": second}).wantProblem(t, http.StatusBadRequest)
		e.ageEmailTokens(t)
		e.post(t, "/api/v1/auth/resend-verification", "", map[string]string{"email": "noah@example.com"}).want(t, http.StatusAccepted)
		third := e.Mail.Wait(t, "noah@example.com", "Confirm your email", 2).Token(t)
		var u userJSON
		e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": third}).want(t, http.StatusOK).decode(t, &u)
		if !u.IsVerified {
			t.Errorf("not verified: %+v", u)
		}
		// A verified account gets no more verification emails.
		e.post(t, "/api/v1/auth/resend-verification", "", map[string]string{"email": "noah@example.com"}).want(t, http.StatusAccepted)
		rows := e.waitOutboxDone(t)
		if n := messagesTo(rows, "noah@example.com"); n != 3 {
			t.Errorf("%d emails to noah in the outbox, want the 3 verification emails", n)
		}
		if n := messagesTo(rows, "ghost@example.com"); n != 0 {
			t.Errorf("%d emails to an unknown address in the outbox", n)
		}
	})
}

// ageEmailTokens moves time past the quiet period of every email token
// issued so far, so that the next request for one is served.
func (e *env) ageEmailTokens(t *testing.T) {
	t.Helper()
	e.Clock.Advance(auth.EmailQuietPeriod + time.Second)
}

// Within the quiet period, asking again for a reset or verification email
// does nothing: the link already sent stays valid and the mailbox is not
// flooded. The answer is the same 202.
func TestEmailRequestsAreThrottled(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "pia", strongPassword)
		verify := e.Mail.Wait(t, "pia@example.com", "Confirm your email", 0).Token(t)
		var bodies []string
		for range 3 {
			r := e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "pia@example.com"}).want(t, http.StatusAccepted)
			bodies = append(bodies, string(r.Body))
			e.post(t, "/api/v1/auth/resend-verification", "", map[string]string{"email": "pia@example.com"}).want(t, http.StatusAccepted)
		}
		if bodies[0] != bodies[2] {
			t.Errorf("answers differ: %q vs %q", bodies[0], bodies[2])
		}
		reset := e.Mail.Wait(t, "pia@example.com", resetSubject, 0).Token(t)
		if n := messagesTo(e.waitOutboxDone(t), "pia@example.com"); n != 2 {
			t.Errorf("%d emails to pia in the outbox, want one reset and one verification", n)
		}
		if n := e.Mail.Count("pia@example.com", resetSubject); n != 1 {
			t.Errorf("%d reset emails within the quiet period, want 1", n)
		}
		if n := e.Mail.Count("pia@example.com", "Confirm your email"); n != 1 {
			t.Errorf("%d verification emails within the quiet period, want 1", n)
		}
		// The links sent stay valid: the repeats did not void them.
		e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": verify}).want(t, http.StatusOK)
		// After the quiet period, a new request is served (and voids the old link).
		e.ageEmailTokens(t)
		e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "pia@example.com"}).want(t, http.StatusAccepted)
		e.Mail.Wait(t, "pia@example.com", resetSubject, 1)
		e.post(t, "/api/v1/auth/reset-password", "", map[string]string{"token": reset, "new_password": "granite-Otter-77-maple"}).
			wantProblem(t, http.StatusBadRequest)
	})
}

func TestChangePassword(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "olga", strongPassword)
		mine := e.login(t, "olga", strongPassword)
		other := e.login(t, "olga", strongPassword)
		const path = "/api/v1/auth/change-password"
		e.post(t, path, "", map[string]string{"current_password": strongPassword, "new_password": "granite-Otter-77-maple"}).
			wantProblem(t, http.StatusUnauthorized)
		e.post(t, path, mine.AccessToken, map[string]string{"current_password": "wrong-one-123", "new_password": "granite-Otter-77-maple"}).
			wantProblem(t, http.StatusForbidden)
		e.post(t, path, mine.AccessToken, map[string]string{"current_password": strongPassword, "new_password": "olga12345"}).
			wantProblem(t, http.StatusUnprocessableEntity)
		e.post(t, path, mine.AccessToken, map[string]string{"current_password": strongPassword, "new_password": strongPassword}).
			wantProblem(t, http.StatusUnprocessableEntity)
		e.wantLive(t, other.AccessToken)

		e.post(t, path, mine.AccessToken, map[string]string{"current_password": strongPassword, "new_password": "granite-Otter-77-maple"}).
			want(t, http.StatusNoContent)
		e.wantLive(t, mine.AccessToken)
		e.wantDead(t, other.AccessToken)
		e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": other.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "olga", "password": strongPassword}).wantProblem(t, http.StatusUnauthorized)
		e.login(t, "olga", "granite-Otter-77-maple")
		e.Mail.Wait(t, "olga@example.com", "Your taskapi password was changed", 0)
	})
}
