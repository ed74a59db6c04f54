package httpapi

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// contractTask has the fields and JSON names of a task in the contract
// (/work/shared/API.md), so the cost of encoding a page can be measured
// with the encoder the server uses.
type contractTask struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description *string    `json:"description"`
	Status      string     `json:"status"`
	Priority    string     `json:"priority"`
	DueDate     *time.Time `json:"due_date"`
	CategoryID  *string    `json:"category_id"`
	CompletedAt *time.Time `json:"completed_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// BenchmarkEncodeTaskPage is the cost of writing a page of 50 tasks as
// JSON, as every list request does, with the server's JSON format.
func BenchmarkEncodeTaskPage(b *testing.B) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 123456000, time.UTC)
	page := struct {
		Items      []contractTask `json:"items"`
		NextCursor *string        `json:"next_cursor"`
	}{}
	for i := range 50 {
		desc := fmt.Sprintf("Prepare the quarterly report for client %d and send it to the team before the review", i)
		cat := "0190a5f2-7c3e-7d41-9a0b-3c2d1e0f9a8b"
		due := now.Add(time.Duration(i) * time.Hour)
		t := contractTask{
			ID: fmt.Sprintf("0190a5f2-7c3e-7d41-9a0b-%012d", i), Title: fmt.Sprintf("Review budget report %d", i),
			Status: "TODO", Priority: "HIGH", CreatedAt: now, UpdatedAt: now,
		}
		if i%2 == 0 {
			t.Description, t.CategoryID = &desc, &cat
		}
		if i%3 != 0 {
			t.DueDate = &due
		}
		page.Items = append(page.Items, t)
	}
	cursor := "eyJrIjoiMjAyNS0wNi0wMVQxMjowMDowMC4xMjM0NTZaIiwiaSI6IjAxOTBhNWYyIn0"
	page.NextCursor = &cursor
	format := formats()["application/json"]
	var buf bytes.Buffer
	if err := format.Marshal(&buf, page); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := format.Marshal(&buf, page); err != nil {
			b.Fatal(err)
		}
	}
}
