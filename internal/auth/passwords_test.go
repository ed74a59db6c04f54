package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

func TestPasswordsHashAndCheck(t *testing.T) {
	low, _ := auth.NewPasswords(4)
	high, _ := auth.NewPasswords(5)
	long := strings.Repeat("a", 100)
	h, err := low.Hash(long)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := low.Check(h, long); !ok {
		t.Error("the password does not match its hash")
	}
	// Characters past bcrypt's 72 bytes count.
	if ok, _ := low.Check(h, long[:99]+"b"); ok {
		t.Error("a change at character 100 went unnoticed")
	}
	if ok, up := high.Check(h, long); !ok || !up {
		t.Errorf("a cost-4 hash under cost 5: ok=%v upgrade=%v", ok, up)
	}
	if ok, up := low.Check(h, long); !ok || up {
		t.Errorf("same cost: ok=%v upgrade=%v", ok, up)
	}
	if ok, _ := low.Check("not a hash", long); ok {
		t.Error("a malformed hash matched")
	}
	if c, _ := bcrypt.Cost([]byte(h)); c != 4 {
		t.Errorf("cost %d", c)
	}
	if _, err := auth.NewPasswords(40); err == nil {
		t.Error("cost 40 accepted")
	}
}

func TestPasswordPolicy(t *testing.T) {
	name := "Grace Hopper"
	u := taskapi.User{Email: "grace@example.com", Username: "ghopper", FullName: &name}
	for pw, ok := range map[string]bool{
		"violet-Mango-42-ladder": true,
		"correct horse battery":  true,
		"zx8!kQ2p":               true, // 8 random characters
		"password":               false,
		"Password123!":           false,
		"ghopper2024":            false,
		"grace@example.com":      false,
		"hopperhopper":           false,
		"aaaaaaaaaaaaaaaa":       false,
		"1234567890":             false,
		"short1!":                false,
		strings.Repeat("x", 129): false,
		// Only the first 64 characters are scored (zxcvbn's cost grows
		// steeply with length): a weak start is not saved by its tail…
		strings.Repeat("a", 64) + "violet-Mango-42-ladder": false,
		// …while a strong start makes the whole strong.
		strings.Repeat("violet-Mango-42-ladder ", 6)[:120]: true,
		strings.Repeat("ab", 32) + "zx8!kQ2p":              false,
	} {
		err := auth.CheckPasswordPolicy("password", pw, u)
		if (err == nil) != ok {
			t.Errorf("%q: err = %v, want ok=%v", pw, err, ok)
		}
		var fe *taskapi.FieldError
		if err != nil && (!errors.As(err, &fe) || fe.Field != "password" || len(pw) > 8 && strings.Contains(fe.Message, pw)) {
			t.Errorf("%q: error %v does not name the field, or echoes the password", pw, err)
		}
	}
}

// BenchmarkPasswordPolicy shows the bound on zxcvbn: a 128-character
// password (reachable without authentication, at registration and reset)
// costs about what a 64-character one does, as only the first 64
// characters are scored. Compare the ns/op of the sub-benchmarks.
func BenchmarkPasswordPolicy(b *testing.B) {
	u := taskapi.User{Email: "bench@example.com", Username: "bench"}
	// Varied characters and words: zxcvbn's worst case is many
	// overlapping matches.
	const words = "Tr0ub4dor&3 correct1horse2battery3staple qwerty-Zebra_1987 passw0rd!Dragon 19-05-2001 abcXYZ "
	for _, n := range []int{16, 64, 128} {
		pw := strings.Repeat(words, 2)[:n]
		b.Run(fmt.Sprintf("%d chars", n), func(b *testing.B) {
			for b.Loop() {
				if err := auth.CheckPasswordPolicy("password", pw, u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLogin shows that a login naming nobody costs what a wrong
// password costs (one bcrypt comparison), so timing does not tell them
// apart. Compare the ns/op of the two sub-benchmarks.
func BenchmarkLogin(b *testing.B) {
	st := storetest.Open(b, storetest.SQLiteURL(b))
	svc, err := auth.NewService(st, auth.NewTokens("benchmark-secret-that-is-long-enough-0123", nil, time.Minute, time.Now),
		auth.Options{BcryptCost: 10}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.Register(ctx, auth.Registration{Email: "bench@example.com", Username: "bench", Password: "violet-Mango-42-ladder"}); err != nil {
		b.Fatal(err)
	}
	for name, login := range map[string]string{"unknown user": "nobody", "wrong password": "bench"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Login(ctx, login, "not-the-password", auth.ClientInfo{}); !errors.Is(err, auth.ErrBadCredentials) {
					b.Fatal(err)
				}
			}
		})
	}
}
