package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/trustelem/zxcvbn/match"
	"golang.org/x/crypto/bcrypt"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth/pwstrength"
)

// MinPasswordScore is the lowest score (0–4, zxcvbn's scale: see
// pwstrength) a new password may have. 2 means "somewhat guessable": more
// than 10^6 guesses, which, with bcrypt and rate limits, rules out the
// ~30,000 common passwords of zxcvbn's lists, keyboard walks, dates,
// repeats and variations of the user's own name and email, while still
// letting eight truly random characters through (zxcvbn caps those at
// score 2).
const MinPasswordScore = 2

// Passwords hashes and checks passwords with bcrypt.
//
// bcrypt reads only the first 72 bytes of its input, and a password may
// hold 128 characters of up to 4 bytes each. So the password is first
// reduced to the base64 text of its SHA-256 digest (44 bytes, no NUL
// byte), and every character counts.
type Passwords struct {
	cost int
}

// NewPasswords returns a hasher with the given bcrypt cost.
func NewPasswords(cost int) (Passwords, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return Passwords{}, fmt.Errorf("bcrypt cost %d out of range", cost)
	}
	return Passwords{cost: cost}, nil
}

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	out := make([]byte, base64.StdEncoding.EncodedLen(len(sum)))
	base64.StdEncoding.Encode(out, sum[:])
	return out
}

// Hash returns the bcrypt hash to store for password.
func (p Passwords) Hash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(password), p.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Check reports whether password matches hash, and whether the hash
// should be replaced because it was made with a lower cost than the
// configured one. It takes the time of one bcrypt run whatever the
// outcome; a malformed hash simply does not match.
func (p Passwords) Check(hash, password string) (ok, upgrade bool) {
	if bcrypt.CompareHashAndPassword([]byte(hash), prehash(password)) != nil {
		return false, false
	}
	cost, err := bcrypt.Cost([]byte(hash))
	return true, err == nil && cost < p.cost
}

// policyScoredRunes is how much of a password is scored. zxcvbn's scoring
// grows much faster than linearly with length (about 1.4 s of CPU for 128
// characters, against tens of milliseconds for 64), and registration and
// password reset reach it without authentication. 64 characters of a
// password that is hard to guess are far beyond any guessing attack; what
// follows them still counts, as bcrypt sees the SHA-256 of the whole
// password, but it cannot make a weak start strong.
const policyScoredRunes = 64

// CheckPasswordPolicy checks a new password: 8 to 128 characters, and hard
// to guess (pwstrength score of its first policyScoredRunes characters at
// least MinPasswordScore), taking the user's email, username and name as
// things an attacker would try first. field names the input in the error.
func CheckPasswordPolicy(field, password string, u taskapi.User) error {
	if err := taskapi.ValidatePasswordLength(field, password); err != nil {
		return err
	}
	inputs := []string{u.Email, u.Username, "taskapi"}
	if local, _, ok := strings.Cut(u.Email, "@"); ok {
		inputs = append(inputs, local)
	}
	if u.FullName != nil {
		inputs = append(inputs, strings.Fields(*u.FullName)...)
	}
	// The lower-cased password is matched against these as given.
	for i, in := range inputs {
		inputs[i] = strings.ToLower(in)
	}
	r := pwstrength.Estimate(firstRunes(password, policyScoredRunes), inputs)
	if r.Score >= MinPasswordScore {
		return nil
	}
	for _, m := range r.Sequence {
		if m.Pattern == "dictionary" && m.DictionaryName == "user_inputs" {
			return taskapi.Invalid(field, "is too easy to guess: it is built from your name, username or email")
		}
	}
	return taskapi.Invalid(field, "is too easy to guess: %s; a few unrelated words make a strong password", weakness(r.Sequence))
}

// firstRunes returns at most the first n characters of s.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// weakness names the main reason a password was found guessable.
func weakness(seq []*match.Match) string {
	for _, m := range seq {
		switch m.Pattern {
		case "dictionary":
			return "it is, or is close to, a common password or word"
		case "spatial":
			return "it is a keyboard pattern"
		case "repeat":
			return "it repeats characters"
		case "sequence":
			return "it is a sequence such as abc or 123"
		case "date":
			return "it is a date"
		}
	}
	return "it is too short or too simple"
}

// validEmail normalises and checks an email address.
func validEmail(email string) (string, error) {
	email = taskapi.NormalizeEmail(email)
	if err := taskapi.ValidateEmail(email); err != nil {
		return "", err
	}
	return email, nil
}
