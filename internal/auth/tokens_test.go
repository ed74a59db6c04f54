package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/auth"
)

// A token that is ours in every way but carries a "crit" header is
// refused: RFC 7515 says a verifier must reject critical extensions it
// does not understand, and ours understands none.
func TestVerifyRefusesCriticalHeaders(t *testing.T) {
	const secret = "test-secret-that-is-long-enough-0123456789"
	tokens := auth.NewTokens(secret, nil, time.Minute, time.Now)
	issued, _, err := tokens.Issue(uuid.New(), uuid.New())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Verify(issued); err != nil {
		t.Fatalf("the token as issued: %v", err)
	}
	parts := strings.Split(issued, ".")
	var header map[string]any
	var claims jwt.MapClaims
	for i, v := range []any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	for name, crit := range map[string]any{"list": []string{"exp"}, "unknown extension": []string{"x-taskapi"}, "empty": []string{}} {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
		for k, v := range header {
			tok.Header[k] = v
		}
		tok.Header["crit"] = crit
		signed, err := tok.SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Verify(signed); err == nil {
			t.Errorf("%s: a token with crit %v was accepted", name, crit)
		}
	}
}
