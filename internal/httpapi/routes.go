package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// routes lists every operation of the API in one place. The docs pages and
// /openapi.json are added by NewServer.
func (s *server) routes(api huma.API) {
	// Service routes, outside /api/v1.
	register(s, api, huma.Operation{OperationID: "healthz", Method: http.MethodGet, Path: "/healthz",
		Summary: "Liveness", Description: "200 while the process runs.", Tags: []string{"service"}}, s.healthz)
	register(s, api, huma.Operation{OperationID: "readyz", Method: http.MethodGet, Path: "/readyz",
		Summary: "Readiness", Description: "200 when the database answers, 503 otherwise.", Tags: []string{"service"},
		Errors: []int{http.StatusServiceUnavailable}}, s.readyz)

	// Users.
	register(s, api, secured(huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: apiPrefix + "/users/me",
		Summary: "The current user", Tags: []string{"users"}}), s.getMe)

	// Categories.
	const categories, category = apiPrefix + "/categories", apiPrefix + "/categories/{id}"
	register(s, api, secured(huma.Operation{OperationID: "list-categories", Method: http.MethodGet, Path: categories,
		Summary: "List categories", Description: "The caller's categories sorted by name ignoring case, each with its task_count; paginated by cursor.",
		Tags: []string{"categories"}, Errors: []int{http.StatusBadRequest, http.StatusUnprocessableEntity}}), s.listCategories)
	register(s, api, secured(huma.Operation{OperationID: "create-category", Method: http.MethodPost, Path: categories,
		Summary: "Create a category", Description: "201 with Location and ETag. Accepts Idempotency-Key.",
		Tags: []string{"categories"}, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity}}), s.createCategory)
	register(s, api, secured(huma.Operation{OperationID: "get-category", Method: http.MethodGet, Path: category,
		Summary: "Get a category", Tags: []string{"categories"}, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}}), s.getCategory)
	register(s, api, secured(huma.Operation{OperationID: "patch-category", Method: http.MethodPatch, Path: category,
		Summary: "Update a category", Description: "Merge-patch (application/merge-patch+json or application/json). Honours If-Match.",
		Tags: []string{"categories"}, Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict,
			http.StatusPreconditionFailed, http.StatusUnprocessableEntity}}), s.patchCategory)
	acceptMergePatch(api, category)
	register(s, api, secured(huma.Operation{OperationID: "delete-category", Method: http.MethodDelete, Path: category,
		Summary: "Delete a category", Description: "204. Its tasks stay, with category_id null. Honours If-Match.",
		Tags: []string{"categories"}, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusPreconditionFailed, http.StatusUnprocessableEntity}}), s.deleteCategory)
	register(s, api, secured(huma.Operation{OperationID: "list-category-tasks", Method: http.MethodGet, Path: category + "/tasks",
		Summary: "List a category's tasks", Description: "The tasks list, limited to one of the caller's categories (404 for any other).",
		Tags: []string{"categories", "tasks"}, Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity}}), s.listCategoryTasks)

	// Tasks.
	const tasks, task = apiPrefix + "/tasks", apiPrefix + "/tasks/{id}"
	register(s, api, secured(huma.Operation{OperationID: "list-tasks", Method: http.MethodGet, Path: tasks,
		Summary: "List tasks", Description: "Filters combine; sorted with ties broken by id; paginated by an opaque keyset cursor, so a page costs the same wherever it is.",
		Tags: []string{"tasks"}, Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity}}), s.listTasks)
	register(s, api, secured(huma.Operation{OperationID: "create-task", Method: http.MethodPost, Path: tasks,
		Summary: "Create a task", Description: "201 with Location and ETag. Accepts Idempotency-Key.",
		Tags: []string{"tasks"}, DefaultStatus: http.StatusCreated, Errors: []int{http.StatusBadRequest, http.StatusUnprocessableEntity}}), s.createTask)
	register(s, api, secured(huma.Operation{OperationID: "bulk-tasks", Method: http.MethodPost, Path: tasks + "/bulk",
		Summary: "Update or delete tasks in bulk", Description: "Up to 100 tasks in one transaction, all or nothing: one missing or foreign ID (404) and nothing changes. Accepts Idempotency-Key.",
		Tags: []string{"tasks"}, Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity}}), s.bulkTasks)
	register(s, api, secured(huma.Operation{OperationID: "task-stats", Method: http.MethodGet, Path: tasks + "/stats",
		Summary: "Task statistics", Description: "Counts by status and priority, overdue, due today (in tz), completed in the last 7 days.",
		Tags: []string{"tasks"}, Errors: []int{http.StatusUnprocessableEntity}}), s.taskStats)
	register(s, api, secured(huma.Operation{OperationID: "get-task", Method: http.MethodGet, Path: task,
		Summary: "Get a task", Tags: []string{"tasks"}, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}}), s.getTask)
	register(s, api, secured(huma.Operation{OperationID: "patch-task", Method: http.MethodPatch, Path: task,
		Summary: "Update a task", Description: "Merge-patch (application/merge-patch+json or application/json): fields left out stay, null clears description, due_date and category_id. completed_at follows status. Honours If-Match.",
		Tags: []string{"tasks"}, Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusPreconditionFailed,
			http.StatusUnprocessableEntity}}), s.patchTask)
	acceptMergePatch(api, task)
	register(s, api, secured(huma.Operation{OperationID: "delete-task", Method: http.MethodDelete, Path: task,
		Summary: "Delete a task", Description: "204. Honours If-Match.", Tags: []string{"tasks"}, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusPreconditionFailed, http.StatusUnprocessableEntity}}), s.deleteTask)
}

// acceptMergePatch documents that the PATCH at path takes
// application/merge-patch+json as well as application/json (huma decodes
// every +json type as JSON).
func acceptMergePatch(api huma.API, path string) {
	op := api.OpenAPI().Paths[path].Patch
	op.RequestBody.Content["application/merge-patch+json"] = op.RequestBody.Content["application/json"]
}

// register adds one operation with the settings every operation shares:
// the body limit and the problem responses it can give.
func register[I, O any](s *server, api huma.API, op huma.Operation, handler func(context.Context, *I) (*O, error)) {
	op.MaxBodyBytes = s.maxBodyBytes()
	if rateLimitedOperation(op) {
		op.Errors = append(op.Errors, http.StatusTooManyRequests)
	}
	huma.Register(api, op, handler)
}
