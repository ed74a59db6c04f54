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

	// Accounts and authentication (auth.go).
	const authPath = apiPrefix + "/auth"
	authTags := []string{"auth"}
	register(s, api, huma.Operation{OperationID: "auth-register", Method: http.MethodPost, Path: authPath + "/register",
		Summary: "Create an account", Tags: authTags, DefaultStatus: http.StatusCreated,
		Description: "Creates an unverified account and sends an email with a verification link.",
		Errors:      []int{http.StatusConflict, http.StatusUnprocessableEntity}}, s.register)
	register(s, api, huma.Operation{OperationID: "auth-login", Method: http.MethodPost, Path: authPath + "/login",
		Summary: "Log in", Tags: authTags,
		Description: "Takes JSON or an OAuth2 password-flow form (`username` may be the email). Opens a session: " +
			"a short-lived access token and a refresh token. An unknown user and a wrong password get the same 401; " +
			"a disabled account gets 403.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity}}, s.login)
	acceptLoginForm(api, authPath+"/login")
	register(s, api, huma.Operation{OperationID: "auth-refresh", Method: http.MethodPost, Path: authPath + "/refresh",
		Summary: "Trade a refresh token for a new pair", Tags: authTags,
		Description: "The refresh token is spent. Presenting a spent one again ends its whole session (theft detection).",
		Errors:      []int{http.StatusUnauthorized}}, s.refresh)
	register(s, api, huma.Operation{OperationID: "auth-logout", Method: http.MethodPost, Path: authPath + "/logout",
		Summary: "End the session of a refresh token", Tags: authTags, DefaultStatus: http.StatusNoContent,
		Description: "The session's access tokens are refused from the next request on.",
		Errors:      []int{http.StatusUnauthorized}}, s.logout)
	register(s, api, secured(huma.Operation{OperationID: "auth-logout-all", Method: http.MethodPost, Path: authPath + "/logout-all",
		Summary: "End every session of the caller", Tags: authTags, DefaultStatus: http.StatusNoContent}), s.logoutAll)
	register(s, api, huma.Operation{OperationID: "auth-verify-email", Method: http.MethodPost, Path: authPath + "/verify-email",
		Summary: "Verify an email address", Tags: authTags,
		Description: "Takes the token of the verification link. A token works once and expires.",
		Errors:      []int{http.StatusBadRequest}}, s.verifyEmail)
	register(s, api, huma.Operation{OperationID: "auth-resend-verification", Method: http.MethodPost, Path: authPath + "/resend-verification",
		Summary: "Send the verification email again", Tags: authTags, DefaultStatus: http.StatusAccepted,
		Description: "Answers 202 whether or not the address is known; earlier links stop working.",
		Errors:      []int{http.StatusUnprocessableEntity}}, s.resendVerification)
	register(s, api, huma.Operation{OperationID: "auth-forgot-password", Method: http.MethodPost, Path: authPath + "/forgot-password",
		Summary: "Ask for a password reset email", Tags: authTags, DefaultStatus: http.StatusAccepted,
		Description: "Answers 202 whether or not the address is known; earlier links stop working.",
		Errors:      []int{http.StatusUnprocessableEntity}}, s.forgotPassword)
	register(s, api, huma.Operation{OperationID: "auth-reset-password", Method: http.MethodPost, Path: authPath + "/reset-password",
		Summary: "Set a new password with a reset token", Tags: authTags, DefaultStatus: http.StatusNoContent,
		Description: "Every session of the user ends.",
		Errors:      []int{http.StatusBadRequest, http.StatusForbidden, http.StatusUnprocessableEntity}}, s.resetPassword)
	register(s, api, secured(huma.Operation{OperationID: "auth-change-password", Method: http.MethodPost, Path: authPath + "/change-password",
		Summary: "Change the caller's password", Tags: authTags, DefaultStatus: http.StatusNoContent,
		Description: "Needs the current password; the caller's other sessions end.",
		Errors:      []int{http.StatusForbidden, http.StatusUnprocessableEntity}}), s.changePassword)

	// The current user and their sessions (users.go).
	const mePath = apiPrefix + "/users/me"
	userTags := []string{"users"}
	register(s, api, secured(huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: mePath,
		Summary: "The current user", Tags: userTags}), s.getMe)
	register(s, api, secured(huma.Operation{OperationID: "update-me", Method: http.MethodPatch, Path: mePath,
		Summary: "Update the current user", Tags: userTags,
		Description: "Merge patch of `username`, `full_name` and `email`. A new email is unverified until the link sent to it is followed.",
		Errors:      []int{http.StatusPreconditionFailed, http.StatusConflict, http.StatusUnprocessableEntity}}), s.updateMe)
	acceptMergePatch(api, mePath)
	register(s, api, secured(huma.Operation{OperationID: "delete-me", Method: http.MethodDelete, Path: mePath,
		Summary: "Delete the current user", Tags: userTags, DefaultStatus: http.StatusNoContent,
		Description: "Needs the password. The user's sessions, categories and tasks are deleted with it.",
		Errors:      []int{http.StatusPreconditionFailed, http.StatusForbidden, http.StatusUnprocessableEntity}}), s.deleteMe)
	register(s, api, secured(huma.Operation{OperationID: "list-sessions", Method: http.MethodGet, Path: mePath + "/sessions",
		Summary: "The current user's active sessions", Tags: userTags, Description: "Newest first.",
		Errors: []int{http.StatusBadRequest}}), s.listSessions)
	register(s, api, secured(huma.Operation{OperationID: "delete-session", Method: http.MethodDelete, Path: mePath + "/sessions/{id}",
		Summary: "End one of the current user's sessions", Tags: userTags, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusNotFound}}), s.deleteSession)

	// Administration of accounts, superusers only (admin.go).
	const adminPath = apiPrefix + "/admin/users"
	adminTags := []string{"admin"}
	// Each use appends to a fresh copy: forbidden's capacity is its length.
	forbidden := []int{http.StatusForbidden}
	register(s, api, secured(huma.Operation{OperationID: "admin-list-users", Method: http.MethodGet, Path: adminPath,
		Summary: "List users (superusers only)", Tags: adminTags, Description: "In creation order; `q` searches email and username.",
		Errors: append(forbidden, http.StatusBadRequest)}), s.adminListUsers)
	register(s, api, secured(huma.Operation{OperationID: "admin-get-user", Method: http.MethodGet, Path: adminPath + "/{id}",
		Summary: "Get a user (superusers only)", Tags: adminTags, Errors: append(forbidden, http.StatusNotFound)}), s.adminGetUser)
	register(s, api, secured(huma.Operation{OperationID: "admin-update-user", Method: http.MethodPatch, Path: adminPath + "/{id}",
		Summary: "Set a user's flags (superusers only)", Tags: adminTags,
		Description: "Sets `is_active`, `is_verified`, `is_superuser`. Disabling ends the user's sessions at once. " +
			"Administrators cannot disable themselves or drop their own superuser flag.",
		Errors: append(forbidden, http.StatusPreconditionFailed, http.StatusNotFound)}), s.adminUpdateUser)
	acceptMergePatch(api, adminPath+"/{id}")
	register(s, api, secured(huma.Operation{OperationID: "admin-delete-user", Method: http.MethodDelete, Path: adminPath + "/{id}",
		Summary: "Delete a user and all their data (superusers only)", Tags: adminTags, DefaultStatus: http.StatusNoContent,
		Description: "Administrators delete their own account with DELETE /users/me.",
		Errors:      append(forbidden, http.StatusPreconditionFailed, http.StatusNotFound)}), s.adminDeleteUser)

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
