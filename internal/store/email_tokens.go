package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// EmailPurpose says what an email token is for.
type EmailPurpose string

// The purposes of email tokens.
const (
	PurposeVerifyEmail   EmailPurpose = "VERIFY_EMAIL"
	PurposeResetPassword EmailPurpose = "RESET_PASSWORD"
)

// EmailToken is a single-use token sent by email, known here only by its
// hash.
type EmailToken struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	Purpose   EmailPurpose
	Hash      string
	Email     string // the address it was sent to
	ExpiresAt time.Time
}

// ErrEmailTokenInvalid is the answer for a token that is unknown, used,
// expired or was sent to an address the account no longer has.
var ErrEmailTokenInvalid = taskapi.NewProblem(taskapi.ErrBadRequest,
	"the token is invalid, already used or expired; ask for a new email")

// IssueEmailToken stores a token and queues the message that carries it,
// in one transaction. Earlier unused tokens of the same user and purpose
// stop working: only the latest link is valid. When a token of the same
// user and purpose was issued less than quiet ago, it does nothing and
// reports issued=false: someone who asks again and again (or has others
// ask for them) can neither flood the mailbox nor keep voiding the link
// that was just sent.
func (s *Store) IssueEmailToken(ctx context.Context, tok EmailToken, msg OutboxMessage, quiet time.Duration) (issued bool, err error) {
	err = s.inTx(ctx, func(tx querier) error {
		issued, err = s.issueQuietly(ctx, tx, tok, msg, quiet)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("issue email token: %w", err)
	}
	return issued, nil
}

// issueQuietly is IssueEmailToken inside the transaction tx.
func (s *Store) issueQuietly(ctx context.Context, tx querier, tok EmailToken, msg OutboxMessage, quiet time.Duration) (bool, error) {
	// Requests for one user take turns from the check to the insert:
	// on PostgreSQL two at once both saw no recent token and both sent
	// an email (SQLite's single writer serialises them anyway). The
	// turn is the user's row, taken first, as every transaction that
	// touches a user's tokens takes it (see useEmailToken): in any
	// other order two of them can deadlock.
	if err := s.lockUser(ctx, tx, tok.UserID); err != nil {
		return false, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM email_tokens WHERE user_id = $1 AND purpose = $2 AND created_at > $3`,
		tok.UserID, string(tok.Purpose), s.Now().Add(-quiet)).Scan(&n); err != nil {
		return false, s.mapErr(err)
	}
	if n > 0 {
		return false, nil
	}
	// Beyond the mail budget a request sends nothing, like one within
	// the quiet period.
	if _, err := s.mailSlot(ctx, tx, &tok.UserID, msg.To, false); errors.Is(err, ErrMailBudget) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, s.issueEmailToken(ctx, tx, tok, msg)
}

func (s *Store) issueEmailToken(ctx context.Context, tx querier, tok EmailToken, msg OutboxMessage) error {
	now := s.Now()
	if err := s.invalidateEmailTokens(ctx, tx, tok.UserID, tok.Purpose, now); err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO email_tokens (id, user_id, purpose, token_hash, email, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, tok.UserID, string(tok.Purpose), tok.Hash, tok.Email, now, tok.ExpiresAt.UTC().Truncate(time.Microsecond)); err != nil {
		return s.mapErr(err)
	}
	msg.UserID = &tok.UserID
	return s.insertOutbox(ctx, tx, msg)
}

// invalidateEmailTokens marks every unused token of a user and purpose used.
func (s *Store) invalidateEmailTokens(ctx context.Context, tx querier, userID uuid.UUID, p EmailPurpose, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE email_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL`,
		now, userID, string(p))
	return s.mapErr(err)
}

// LookupEmailToken returns the user a usable token (unused, unexpired, sent
// to the user's current address) of the given purpose belongs to, without
// using it up. Anything else is ErrEmailTokenInvalid.
func (s *Store) LookupEmailToken(ctx context.Context, p EmailPurpose, hash string) (taskapi.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT u.id, u.email, u.username, u.full_name, u.is_active,
			u.is_verified, u.is_superuser, u.created_at, u.updated_at, u.timezone, u.version
		FROM email_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3 AND t.email = u.email`,
		hash, string(p), s.Now()))
	if err != nil {
		if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) {
			return taskapi.User{}, ErrEmailTokenInvalid
		}
		return taskapi.User{}, fmt.Errorf("lookup email token: %w", err)
	}
	return u, nil
}

// useEmailToken spends a usable token and returns its user ID; it is one
// conditional UPDATE, so a token is used at most once even when presented
// twice at the same moment. The token's user is locked before the token,
// the order of every transaction that touches a user's tokens (issuing
// one, a password or email change, deleting the user): a reset that
// locked its token and then the user deadlocked with a new reset request.
func (s *Store) useEmailToken(ctx context.Context, tx querier, p EmailPurpose, hash string) (uuid.UUID, error) {
	var uid uuid.UUID
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2`, hash, string(p)).Scan(&uid)
	if err == nil {
		err = s.lockUser(ctx, tx, uid)
	}
	if err == nil {
		err = tx.QueryRowContext(ctx, `UPDATE email_tokens SET used_at = $1
			WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
			  AND email = (SELECT email FROM users WHERE users.id = email_tokens.user_id)
			RETURNING user_id`, s.Now(), hash, string(p)).Scan(&uid)
	}
	if err != nil {
		if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) {
			return uuid.Nil, ErrEmailTokenInvalid
		}
		return uuid.Nil, err
	}
	return uid, nil
}

// lockUser locks the user's row until the transaction ends (on
// PostgreSQL; SQLite's writer is alone), without blocking rows that refer
// to it from being inserted. ErrNotFound when there is no such user.
func (s *Store) lockUser(ctx context.Context, tx querier, id uuid.UUID) error {
	var one int
	return s.mapErr(tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1`+s.d.forNoKeyUpdate, id).Scan(&one))
}

// VerifyEmail spends a verification token and marks its user's address
// verified.
func (s *Store) VerifyEmail(ctx context.Context, hash string) (taskapi.User, error) {
	var u taskapi.User
	err := s.inTx(ctx, func(tx querier) error {
		uid, err := s.useEmailToken(ctx, tx, PurposeVerifyEmail, hash)
		if err != nil {
			return err
		}
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE users SET is_verified = $1, updated_at = $2, version = version + 1 WHERE id = $3
			RETURNING `+userColumns, true, s.Now(), uid))
		return s.mapErr(err)
	})
	if err != nil {
		return taskapi.User{}, fmt.Errorf("verify email: %w", err)
	}
	return u, nil
}

// ResetPassword spends a reset token, sets the new password hash, ends
// every session of the user and queues notice, in one transaction. A reset
// also proves the address, so it is marked verified.
func (s *Store) ResetPassword(ctx context.Context, hash, newHash string, notice OutboxMessage) (uuid.UUID, error) {
	var uid uuid.UUID
	err := s.inTx(ctx, func(tx querier) error {
		var err error
		if uid, err = s.useEmailToken(ctx, tx, PurposeResetPassword, hash); err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, is_verified = $2, updated_at = $3, version = version + 1 WHERE id = $4`,
			newHash, true, now, uid); err != nil {
			return s.mapErr(err)
		}
		if err := s.revokeUserSessions(ctx, tx, uid, uuid.Nil, now); err != nil {
			return err
		}
		// A reset says the password may be known to someone else, who
		// may have made tokens with it: they go too.
		if err := s.deleteAccessTokens(ctx, tx, uid); err != nil {
			return err
		}
		notice.UserID = &uid
		return s.insertNotice(ctx, tx, notice)
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("reset password: %w", err)
	}
	return uid, nil
}
