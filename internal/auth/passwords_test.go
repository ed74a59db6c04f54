package auth_test

import (
	"context"
	"errors"
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
