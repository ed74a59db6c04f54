package httpapi

import (
	"fmt"
	"reflect"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// IfMatchHeader makes a change conditional on the resource's ETag.
type IfMatchHeader struct {
	IfMatch string `header:"If-Match" doc:"Apply the change only if the resource's current ETag is one of these (or *); otherwise 412. Send the ETag of your last read to never overwrite someone else's change."`
}

// precondition is embedded in the inputs of the routes that declare
// IfMatch: register reads their If-Match header and leaves here the
// versions the write must find, which the handler passes to the store.
type precondition struct {
	versions store.Versions
}

func (p *precondition) ifMatch() store.Versions     { return p.versions }
func (p *precondition) setIfMatch(v store.Versions) { p.versions = v }

// conditionalInput is the input of a route that declares IfMatch: it has
// an IfMatch header field, embeds precondition and names the resource.
type conditionalInput interface {
	setIfMatch(store.Versions)
	resource(caller taskapi.Principal) (uuid.UUID, error)
}

// applyIfMatch sets the versions of a conditional input from its If-Match
// header; a malformed header is 400.
func applyIfMatch(r route, caller taskapi.Principal, in any) error {
	c := in.(conditionalInput)
	id, err := c.resource(caller)
	if err != nil {
		return err
	}
	v, err := ifMatch(reflect.ValueOf(in).Elem().FieldByName("IfMatch").String(), r.IfMatch, id)
	if err != nil {
		return err
	}
	c.setIfMatch(v)
	return nil
}

// checkIfMatch panics at startup when a route's IfMatch declaration and
// its input disagree.
func checkIfMatch[I any](r route) {
	_, ok := any(new(I)).(conditionalInput)
	f, hasHeader := reflect.TypeFor[I]().FieldByName("IfMatch")
	hasHeader = hasHeader && f.Tag.Get("header") == "If-Match" && f.Type.Kind() == reflect.String
	if (r.IfMatch != "") != (ok && hasHeader) {
		panic(fmt.Sprintf("route %s: IfMatch is %q, but its input is conditional: %v, has an If-Match header: %v",
			r.ID, r.IfMatch, ok, hasHeader))
	}
}

// The resources that conditional inputs name.

func (p *TaskPath) resource(taskapi.Principal) (uuid.UUID, error) { return parseUUID("path.id", p.ID) }
func (p *CategoryPath) resource(taskapi.Principal) (uuid.UUID, error) {
	return parseUUID("path.id", p.ID)
}
func (in *UpdateMeInput) resource(c taskapi.Principal) (uuid.UUID, error) {
	return c.User.ID, nil
}
func (in *DeleteMeInput) resource(c taskapi.Principal) (uuid.UUID, error) {
	return c.User.ID, nil
}
func (in *AdminUpdateUserInput) resource(taskapi.Principal) (uuid.UUID, error) { return in.ID, nil }
func (in *AdminDeleteUserInput) resource(taskapi.Principal) (uuid.UUID, error) { return in.ID, nil }
