package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"

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
