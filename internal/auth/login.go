package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store"
)

// ErrBadCredentials is what Login returns when the user is unknown, the
// password wrong, or the account's failed logins are spent: the three are
// not told apart.
var ErrBadCredentials = taskapi.NewProblem(taskapi.ErrUnauthorized, "the username or password is wrong")

// ErrAccountDisabled is the answer to the right password of a disabled
// account.
var ErrAccountDisabled = taskapi.NewProblem(taskapi.ErrForbidden, "this account is disabled; contact an administrator")

// ErrWrongPassword is the answer when an operation that asks for the
// current password (change password, delete account) gets a wrong one.
// Like ErrBadCredentials it is a failed credential check worth counting.
var ErrWrongPassword = taskapi.NewProblem(taskapi.ErrForbidden, "the current password is wrong")

// errBadRefresh is the answer to an unknown, expired or ended refresh
// token.
var errBadRefresh = taskapi.NewProblem(taskapi.ErrUnauthorized, "the refresh token is invalid or expired, or its session has ended; log in again")

// loginKey is what failures are counted under for a login that names no
// account: logins are case-insensitive, and the key is kept printable.
func loginKey(login string) string {
	login = strings.ToValidUTF8(strings.ReplaceAll(login, "\x00", ""), "")
	return "login:" + strings.ToLower(strings.TrimSpace(login))
}

// userKey is what a known account's failed password checks are counted
// under, whether the login named it by username or email (so the two do
// not give twice the budget), and whatever the signed-in routes check.
func userKey(id uuid.UUID) string { return "user:" + id.String() }

// Login checks a username (or email) and password and opens a session.
// The credentials are read once. Failed checks count per account under
// the Guard: a login whose account has spent its failures is answered
// exactly as a wrong password is (ErrBadCredentials, after as long a
// bcrypt comparison), so the lock-out tells nobody whether the account
// exists nor which email goes with which username. An unknown user costs
// one bcrypt comparison against a dummy hash, so it takes as long as a
// wrong password. The disabled state is revealed only to someone who
// knows the password. A hash made with a lower cost than the configured
// one is replaced on the way. The session opens only if the password
// checked is still the account's and the account still active when it is
// stored: a login that overlaps a password change, reset, disable or
// logout everywhere fails as a wrong password would.
func (s *Service) Login(ctx context.Context, login, password string, client ClientInfo) (TokenPair, error) {
	login = strings.TrimSpace(login)
	var c store.Credentials
	err := taskapi.ErrNotFound
	// A login that is no valid text names no account (PostgreSQL would
	// not even take the query): an unknown user, same answer and cost.
	if taskapi.ValidText(login) {
		c, err = s.store.Credentials(ctx, login)
	}
	account := userKey(c.User.ID)
	switch {
	case errors.Is(err, taskapi.ErrNotFound):
		account = loginKey(login)
	case err != nil:
		return TokenPair{}, fmt.Errorf("login: %w", err)
	}
	pair, err := guarded(ctx, s, account, func() (TokenPair, error) {
		if c.User.ID == uuid.Nil {
			s.checkDummy(password)
			return TokenPair{}, ErrBadCredentials
		}
		return s.login(ctx, c, password, client)
	})
	if ratelimit.IsExceeded(err) {
		// Locked out: the same answer, after the same work, as a wrong
		// password.
		s.checkDummy(password)
		s.log.InfoContext(ctx, "login refused: too many failed logins for the account")
		return TokenPair{}, ErrBadCredentials
	}
	return pair, err
}

// login checks the password of known credentials and opens a session.
func (s *Service) login(ctx context.Context, c store.Credentials, password string, client ClientInfo) (TokenPair, error) {
	u, hash := c.User, c.PasswordHash
	ok, upgrade := s.passwords.Check(hash, password)
	if !ok {
		return TokenPair{}, ErrBadCredentials
	}
	if !u.IsActive {
		return TokenPair{}, ErrAccountDisabled
	}
	if upgrade {
		if err := s.upgradeHash(ctx, u.ID, hash, password); err != nil {
			// The login itself is sound; the upgrade waits for the next one.
			s.log.WarnContext(ctx, "upgrade password hash", "err", err.Error())
		}
	}
	pair, err := s.startSession(ctx, u.ID, c.Epoch, client)
	if errors.Is(err, store.ErrCredentialsChanged) {
		return TokenPair{}, ErrBadCredentials
	}
	return pair, err
}

func (s *Service) upgradeHash(ctx context.Context, userID uuid.UUID, oldHash, password string) error {
	newHash, err := s.passwords.Hash(password)
	if err != nil {
		return err
	}
	return s.store.UpgradePasswordHash(ctx, userID, oldHash, newHash)
}

// Refresh spends a refresh token and returns a new pair for its session,
// which lives RefreshTTL more but never beyond SessionMaxAge after login.
// A token that was already spent means a copy is in someone else's hands:
// the whole session ends, its access tokens included.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (TokenPair, error) {
	if refreshToken == "" || len(refreshToken) > maxSecretLen {
		return TokenPair{}, errBadRefresh
	}
	next, nextHash, err := newSecret()
	if err != nil {
		return TokenPair{}, fmt.Errorf("refresh: %w", err)
	}
	sess, err := s.store.RotateRefreshToken(ctx, HashSecret(refreshToken), nextHash, s.now().Add(s.opts.RefreshTTL), s.opts.SessionMaxAge,
		s.opts.KeptSpentRefreshTokens)
	switch {
	case errors.Is(err, store.ErrRefreshTokenReused):
		s.log.WarnContext(ctx, "a spent refresh token was presented again; its session was ended")
		return TokenPair{}, taskapi.NewProblem(taskapi.ErrUnauthorized,
			"this refresh token was already used, so its session has been ended for safety; log in again")
	case errors.Is(err, taskapi.ErrUnauthorized):
		return TokenPair{}, errBadRefresh
	case err != nil:
		return TokenPair{}, fmt.Errorf("refresh: %w", err)
	}
	access, _, err := s.tokens.Issue(sess.UserID, sess.ID)
	if err != nil {
		return TokenPair{}, fmt.Errorf("refresh: %w", err)
	}
	return TokenPair{AccessToken: access, RefreshToken: next, ExpiresIn: s.tokens.TTL(), SessionID: sess.ID}, nil
}

// Logout ends the session a refresh token belongs to. Logging out of a
// session that already ended is not an error.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	if refreshToken == "" || len(refreshToken) > maxSecretLen {
		return errBadRefresh
	}
	err := s.store.RevokeSessionByRefreshToken(ctx, HashSecret(refreshToken))
	if errors.Is(err, taskapi.ErrUnauthorized) {
		return errBadRefresh
	}
	return err
}

// LogoutAll ends every session of the user.
func (s *Service) LogoutAll(ctx context.Context, userID uuid.UUID) error {
	return s.store.RevokeUserSessions(ctx, userID, uuid.Nil)
}

// EndSession ends one of the user's own sessions.
func (s *Service) EndSession(ctx context.Context, userID, sessionID uuid.UUID) error {
	err := s.store.RevokeSession(ctx, userID, sessionID)
	if errors.Is(err, taskapi.ErrNotFound) {
		return taskapi.NewProblem(taskapi.ErrNotFound, "no such active session")
	}
	return err
}

// checkDummy spends on password the time a wrong password costs.
func (s *Service) checkDummy(password string) {
	if h, err := s.dummyHash(); err == nil {
		s.passwords.Check(h, password)
	}
}
