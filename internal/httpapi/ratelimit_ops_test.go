package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The per-IP list names operations by ID: it must name only operations
// the real server registers, and cover every operation of the API open to
// anyone, so that neither a renamed nor a new public route goes unlimited.
func TestPerIPOperationsMatchTheRoutes(t *testing.T) {
	raw, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string                `json:"operationId"`
			Security    []map[string][]string `json:"security"`
			Responses   map[string]any        `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			registered[op.OperationID] = true
			public := strings.HasPrefix(path, apiPrefix+"/") && len(op.Security) == 0
			if public && !perIPOperation(op.OperationID) {
				t.Errorf("%s %s (%s) is open to anyone but not limited per IP", strings.ToUpper(method), path, op.OperationID)
			}
			if _, ok := op.Responses["429"]; perIPOperation(op.OperationID) && !ok {
				t.Errorf("%s does not document 429", op.OperationID)
			}
		}
	}
	if len(registered) < 10 {
		t.Fatalf("only %d operations in the document", len(registered))
	}
	ops := perIPOperations()
	for _, id := range ops {
		if !registered[id] {
			t.Errorf("perIPOperations names %q, which the server does not register", id)
		}
	}
	if !slices.Contains(ops[:], "auth-logout") || perIPOperation("get-me") || perIPOperation("") {
		t.Errorf("perIPOperation: %v", ops)
	}
}
