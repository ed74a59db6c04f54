package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
)

// Optional is one field of a merge-patch body (RFC 7396). It tells a field
// that was left out (Set false: keep the value) from one sent as null
// (Null true: clear it) and from one sent with a value. huma validates the
// value against T's schema plus the field's tags (maxLength, enum, format,
// nullable), so the OpenAPI document describes the field exactly as T.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON runs only for fields present in the body.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// MarshalJSON writes the value, or null; with omitzero, a field not set is
// left out.
func (o Optional[T]) MarshalJSON() ([]byte, error) {
	if o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.Value)
}

// IsZero reports a field left out, for omitzero.
func (o Optional[T]) IsZero() bool { return !o.Set }

// Schema implements huma.SchemaProvider: the schema of T.
func (o Optional[T]) Schema(r huma.Registry) *huma.Schema {
	return r.Schema(reflect.TypeFor[T](), true, "")
}

// change turns a nullable field into a domain change; parse converts the
// value.
func change[T, U any](o Optional[T], parse func(T) (U, error)) (taskapi.Change[U], error) {
	if !o.Set {
		return taskapi.Change[U]{}, nil
	}
	if o.Null {
		return taskapi.Clear[U](), nil
	}
	v, err := parse(o.Value)
	if err != nil {
		return taskapi.Change[U]{}, err
	}
	return taskapi.SetTo(v), nil
}

// required turns a field that may be left out but not cleared into a
// pointer (nil: keep); null is a field error.
func required[T any](field string, o Optional[T]) (*T, error) {
	if !o.Set {
		return nil, nil
	}
	if o.Null {
		return nil, taskapi.Invalid(field, "cannot be null; leave the field out to keep its value")
	}
	v := o.Value
	return &v, nil
}

// QueryTime is an optional instant in the query string (RFC 3339). Set
// tells a parameter that was given from one left out, so that every
// instant, 0001-01-01T00:00:00Z (Go's zero time) included, means itself.
// huma fills it through UnmarshalText, which it calls only for a parameter
// with a value.
type QueryTime struct {
	Set  bool
	Time time.Time
}

// UnmarshalText reads an RFC 3339 instant.
func (q *QueryTime) UnmarshalText(b []byte) error {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return errors.New("must be an RFC 3339 date-time such as 2030-05-06T17:00:00Z")
	}
	q.Set, q.Time = true, t
	return nil
}

// Ptr returns the instant as the API keeps it (clientTime: UTC, to the
// microsecond), nil when the parameter was left out.
func (q QueryTime) Ptr() *time.Time {
	if !q.Set {
		return nil
	}
	t := clientTime(q.Time)
	return &t
}

// Schema implements huma.SchemaProvider: a date-time string.
func (QueryTime) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date-time"}
}
