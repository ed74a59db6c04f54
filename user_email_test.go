package taskapi_test

import (
	"errors"
	"testing"

	"github.com/taskapi/taskapi"
)

// Addresses whose domain is an IP literal are refused: mail would go to a
// host of the client's choosing.
func TestValidateEmailRefusesDomainLiterals(t *testing.T) {
	for _, e := range []string{"a@[127.0.0.1]", "a@[10.0.0.1]", "a@[IPv6:::1]"} {
		if err := taskapi.ValidateEmail(e); !errors.Is(err, taskapi.ErrInvalid) {
			t.Errorf("%s: %v, want invalid", e, err)
		}
	}
	if err := taskapi.ValidateEmail("ada@example.com"); err != nil {
		t.Errorf("ada@example.com: %v", err)
	}
}
