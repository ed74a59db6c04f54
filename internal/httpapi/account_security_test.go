package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
)

// Logins racing a password change through the API: whichever way each
// race goes, once the change has answered, no session opened with the old
// password is honoured (the store test runs the steps in the losing order
// deterministically).
func TestLoginsRacingAPasswordChangeKeepNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "rhea", strongPassword)
		mine := e.login(t, "rhea", strongPassword)
		const logins = 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		var opened []string
		start := make(chan struct{})
		for range logins {
			wg.Go(func() {
				<-start
				r := e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "rhea", "password": strongPassword})
				switch r.Status {
				case http.StatusOK:
					var tk tokens
					r.decode(t, &tk)
					mu.Lock()
					opened = append(opened, tk.AccessToken)
					mu.Unlock()
				case http.StatusUnauthorized:
				default:
					t.Errorf("login: %d %s", r.Status, r.Body)
				}
			})
		}
		close(start)
		e.post(t, "/api/v1/auth/change-password", mine.AccessToken,
			map[string]string{"current_password": strongPassword, "new_password": "granite-Otter-77-maple"}).want(t, http.StatusNoContent)
		wg.Wait()
		for _, tok := range opened {
			e.wantDead(t, tok)
		}
		e.wantLive(t, mine.AccessToken)
	})
}
