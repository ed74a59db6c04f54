package httpapi

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
)

// routes lists every operation of the API in one place: one entry per
// operation, declaring who may call it (Access, and for user operations
// the personal access token Scope, or sessionOnly: EVERY user route must
// declare one, see route.Scope), which rate limit counts it (Limit) and
// what it answers. register (register.go) applies the
// declarations; the handlers only do the operation's own work. The docs
// pages and /openapi.json are added by NewServer.
func (s *server) routes(api huma.API) {
	const get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	const (
		badRequest = http.StatusBadRequest
		forbidden  = http.StatusForbidden
		notFound   = http.StatusNotFound
		conflict   = http.StatusConflict
		stale      = http.StatusPreconditionFailed
		invalid    = http.StatusUnprocessableEntity
	)

	// Service routes, outside /api/v1.
	service := []string{"service"}
	register(s, api, route{ID: "healthz", Method: get, Path: "/healthz", Access: public, Limit: unlimited, Tags: service,
		Summary: "Liveness", Description: "200 while the process runs."}, s.healthz)
	register(s, api, route{ID: "readyz", Method: get, Path: "/readyz", Access: public, Limit: unlimited, Tags: service,
		Summary: "Readiness", Description: "200 when the database answers, 503 otherwise.",
		Errors: []int{http.StatusServiceUnavailable}}, s.readyz)

	// Accounts and authentication (auth.go): open to anyone, so limited per
	// client IP against password guessing, sign-up spam and email floods.
	const authPath = apiPrefix + "/auth"
	authTags := []string{"auth"}
	register(s, api, route{ID: "auth-register", Method: post, Path: authPath + "/register", Access: public, Limit: perIP,
		Tags: authTags, Status: http.StatusCreated, Errors: []int{conflict, invalid},
		Summary: "Create an account", Description: "Creates an unverified account and sends an email with a verification link."}, s.register)
	register(s, api, route{ID: "auth-login", Method: post, Path: authPath + "/login", Access: public, Limit: perIP,
		Tags: authTags, Errors: []int{http.StatusUnauthorized, forbidden, invalid}, Summary: "Log in",
		Description: "Takes JSON or an OAuth2 password-flow form (`username` may be the email). Opens a session: " +
			"a short-lived access token and a refresh token. An unknown user and a wrong password get the same 401; " +
			"a disabled account gets 403."}, s.login)
	acceptLoginForm(api, authPath+"/login")
	register(s, api, route{ID: "auth-refresh", Method: post, Path: authPath + "/refresh", Access: public, Limit: perIP,
		Tags: authTags, Errors: []int{http.StatusUnauthorized}, Summary: "Trade a refresh token for a new pair",
		Description: "The refresh token is spent. Presenting a spent one again ends its whole session (theft detection)."}, s.refresh)
	register(s, api, route{ID: "auth-logout", Method: post, Path: authPath + "/logout", Access: public, Limit: perIP,
		Tags: authTags, Status: http.StatusNoContent, Errors: []int{http.StatusUnauthorized}, Summary: "End the session of a refresh token",
		Description: "The session's access tokens are refused from the next request on."}, s.logout)
	register(s, api, route{ID: "auth-logout-all", Method: post, Path: authPath + "/logout-all", Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: authTags, Status: http.StatusNoContent, Summary: "End every session of the caller"}, s.logoutAll)
	register(s, api, route{ID: "auth-verify-email", Method: post, Path: authPath + "/verify-email", Access: public, Limit: perIP,
		Tags: authTags, Errors: []int{badRequest}, Summary: "Verify an email address",
		Description: "Takes the token of the verification link. A token works once and expires."}, s.verifyEmail)
	register(s, api, route{ID: "auth-resend-verification", Method: post, Path: authPath + "/resend-verification", Access: public, Limit: perIP,
		Tags: authTags, Status: http.StatusAccepted, Errors: []int{invalid}, Summary: "Send the verification email again",
		Description: "Answers 202 whether or not the address is known; earlier links stop working."}, s.resendVerification)
	register(s, api, route{ID: "auth-forgot-password", Method: post, Path: authPath + "/forgot-password", Access: public, Limit: perIP,
		Tags: authTags, Status: http.StatusAccepted, Errors: []int{invalid}, Summary: "Ask for a password reset email",
		Description: "Answers 202 whether or not the address is known; earlier links stop working."}, s.forgotPassword)
	register(s, api, route{ID: "auth-reset-password", Method: post, Path: authPath + "/reset-password", Access: public, Limit: perIP,
		Tags: authTags, Status: http.StatusNoContent, Errors: []int{badRequest, forbidden, invalid},
		Summary: "Set a new password with a reset token", Description: "Every session of the user ends."}, s.resetPassword)
	register(s, api, route{ID: "auth-change-password", Method: post, Path: authPath + "/change-password", Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: authTags, Status: http.StatusNoContent, Errors: []int{forbidden, invalid}, Summary: "Change the caller's password",
		Description: "Needs the current password; the caller's other sessions end."}, s.changePassword)

	// The current user and their sessions (users.go).
	const mePath = apiPrefix + "/users/me"
	userTags := []string{"users"}
	register(s, api, route{ID: "get-me", Method: get, Path: mePath, Access: user, Scope: taskapi.ScopeAccountRead, Limit: perUser,
		Tags: userTags, Summary: "The current user"}, s.getMe)
	register(s, api, route{ID: "update-me", Method: patch, Path: mePath, Access: user, Scope: sessionOnly, Limit: perUser, IfMatch: "user",
		Tags: userTags, Errors: []int{stale, conflict, invalid}, Summary: "Update the current user",
		Description: "Merge patch of `username`, `full_name`, `timezone` and `email`. A new email is unverified until the link sent to it is followed."}, s.updateMe)
	register(s, api, route{ID: "delete-me", Method: del, Path: mePath, Access: user, Scope: sessionOnly, Limit: perUser, IfMatch: "user",
		Tags: userTags, Status: http.StatusNoContent, Errors: []int{stale, forbidden, invalid}, Summary: "Delete the current user",
		Description: "Needs the password. The user's sessions, categories and tasks are deleted with it."}, s.deleteMe)
	register(s, api, route{ID: "list-sessions", Method: get, Path: mePath + "/sessions", Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: userTags, Errors: []int{badRequest}, Summary: "The current user's active sessions", Description: "Newest first."}, s.listSessions)
	register(s, api, route{ID: "delete-session", Method: del, Path: mePath + "/sessions/{id}", Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: userTags, Status: http.StatusNoContent, Errors: []int{notFound}, Summary: "End one of the current user's sessions"}, s.deleteSession)
	register(s, api, route{ID: "get-preferences", Method: get, Path: mePath + "/preferences", Access: user, Scope: taskapi.ScopeAccountRead, Limit: perUser,
		Tags: userTags, Summary: "The current user's preferences", Description: "Reminder emails on or off, and the hour of the daily digest."}, s.getPreferences)
	register(s, api, route{ID: "patch-preferences", Method: patch, Path: mePath + "/preferences", Access: user, Scope: sessionOnly, Limit: perUser, IfMatch: "preferences",
		Tags: userTags, Errors: []int{badRequest, stale, invalid}, Summary: "Update the current user's preferences",
		Description: "Merge patch of `reminder_emails` and `digest_hour` (null: no digest). Honours If-Match."}, s.patchPreferences)

	// Notifications of reminders that went off (reminders.go).
	const notifications = apiPrefix + "/notifications"
	noteTags := []string{"notifications"}
	register(s, api, route{ID: "list-notifications", Method: get, Path: notifications, Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: noteTags, Errors: []int{badRequest, invalid}, Summary: "List notifications",
		Description: "The caller's notifications (a reminder that went off), newest first; `unread=true` for the unread ones only. Paginated by cursor."}, s.listNotifications)
	register(s, api, route{ID: "read-notification", Method: post, Path: notifications + "/{id}/read", Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser,
		Tags: noteTags, Status: http.StatusNoContent, Errors: []int{notFound, invalid}, Summary: "Mark a notification read (dismiss it)",
		Description: "204; again on one already read changes nothing."}, s.readNotification)
	register(s, api, route{ID: "read-all-notifications", Method: post, Path: notifications + "/read", Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser,
		Tags: noteTags, Status: http.StatusNoContent, Summary: "Mark every notification read"}, s.readAllNotifications)

	// Personal access tokens (tokens.go): managed from a signed-in session
	// only, so a token can neither mint nor revoke tokens.
	const tokensPath = apiPrefix + "/tokens"
	tokenTags := []string{"tokens"}
	register(s, api, route{ID: "create-token", Method: post, Path: tokensPath, Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: tokenTags, Status: http.StatusCreated, Errors: []int{badRequest, invalid}, Summary: "Create a personal access token",
		Description: "201 with the token's secret (`token`, tapi_…), shown this once and stored only as a hash. `scopes` limit what it may do; " +
			"`expires_at` is optional (at most 366 days ahead). An account keeps at most 50 unexpired tokens (403 beyond). " +
			"Does not accept Idempotency-Key (422): a replay would have to reveal the secret again."}, s.createAccessToken)
	register(s, api, route{ID: "list-tokens", Method: get, Path: tokensPath, Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: tokenTags, Errors: []int{badRequest}, Summary: "List the caller's personal access tokens",
		Description: "Newest first, expired ones included for a week; never the secret."}, s.listAccessTokens)
	register(s, api, route{ID: "get-token", Method: get, Path: tokensPath + "/{id}", Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: tokenTags, Errors: []int{notFound, invalid}, Summary: "Get one of the caller's personal access tokens"}, s.getAccessToken)
	register(s, api, route{ID: "revoke-token", Method: del, Path: tokensPath + "/{id}", Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: tokenTags, Status: http.StatusNoContent, Errors: []int{notFound, invalid}, Summary: "Revoke a personal access token",
		Description: "204; the token is refused from the next request on, on every instance."}, s.revokeAccessToken)

	// The calendar feed's address (calendar.go): managed from a signed-in
	// session only; the feed itself is GET /calendar/{secret}.ics.
	calendarPath := mePath + "/calendar"
	register(s, api, route{ID: "get-calendar-feed", Method: get, Path: calendarPath, Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: userTags, Errors: []int{notFound}, Summary: "The caller's calendar address",
		Description: "When it was made and last fetched; never the address itself (it is a secret, shown once). 404 when there is none."}, s.getCalendarFeed)
	register(s, api, route{ID: "create-calendar-feed", Method: post, Path: calendarPath, Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: userTags, Status: http.StatusCreated, Summary: "Make a new calendar address",
		Description: "201 with `url`, a secret address (256 bits, stored only as a hash) that calendar apps subscribe to, shown this once. " +
			"The address made before stops working: this is also how to rotate it. `GET url` serves the caller's tasks with a due date " +
			"as iCalendar (a VTODO and an all-day or 30-minute VEVENT per task; a task repeating from its due date as an RRULE series), at most 1,000: the open ones, earliest due first, " +
			"then those completed whose due date is at most 30 days old; `?category=ID` keeps one category, `?tag=ID` one tag; category and tags are CATEGORIES. Rate-limited per client IP; " +
			"an unknown or revoked address is 404."}, s.createCalendarFeed)
	register(s, api, route{ID: "delete-calendar-feed", Method: del, Path: calendarPath, Access: user, Scope: sessionOnly, Limit: perUser,
		Tags: userTags, Status: http.StatusNoContent, Errors: []int{notFound}, Summary: "Turn the calendar address off",
		Description: "204; the address is refused (404) from the next request on."}, s.deleteCalendarFeed)

	// Administration of accounts (admin.go): superuser access answers 403 to anyone else.
	const adminPath = apiPrefix + "/admin/users"
	adminTags := []string{"admin"}
	register(s, api, route{ID: "admin-list-users", Method: get, Path: adminPath, Access: superuser, Limit: perUser,
		Tags: adminTags, Errors: []int{badRequest}, Summary: "List users (superusers only)",
		Description: "In creation order; `q` searches email and username."}, s.adminListUsers)
	register(s, api, route{ID: "admin-get-user", Method: get, Path: adminPath + "/{id}", Access: superuser, Limit: perUser,
		Tags: adminTags, Errors: []int{notFound}, Summary: "Get a user (superusers only)"}, s.adminGetUser)
	register(s, api, route{ID: "admin-update-user", Method: patch, Path: adminPath + "/{id}", Access: superuser, Limit: perUser, IfMatch: "user",
		Tags: adminTags, Errors: []int{stale, notFound}, Summary: "Set a user's flags (superusers only)",
		Description: "Sets `is_active`, `is_verified`, `is_superuser`. Disabling ends the user's sessions at once. " +
			"Administrators cannot disable themselves or drop their own superuser flag."}, s.adminUpdateUser)
	register(s, api, route{ID: "admin-delete-user", Method: del, Path: adminPath + "/{id}", Access: superuser, Limit: perUser, IfMatch: "user",
		Tags: adminTags, Status: http.StatusNoContent, Errors: []int{stale, notFound}, Summary: "Delete a user and all their data (superusers only)",
		Description: "Administrators delete their own account with DELETE /users/me."}, s.adminDeleteUser)

	// Categories (categories.go).
	const categories, category = apiPrefix + "/categories", apiPrefix + "/categories/{id}"
	catTags := []string{"categories"}
	register(s, api, route{ID: "list-categories", Method: get, Path: categories, Access: user, Scope: taskapi.ScopeCategoriesRead, Limit: perUser,
		Tags: catTags, Errors: []int{badRequest, invalid}, Summary: "List categories",
		Description: "The caller's categories sorted by name ignoring case, each with its task_count; paginated by cursor."}, s.listCategories)
	register(s, api, route{ID: "create-category", Method: post, Path: categories, Access: user, Scope: taskapi.ScopeCategoriesWrite, Limit: perUser, Idempotent: true,
		Tags: catTags, Status: http.StatusCreated, Errors: []int{badRequest, conflict, invalid}, Summary: "Create a category",
		Description: "201 with Location and ETag. Accepts Idempotency-Key."}, s.createCategory)
	register(s, api, route{ID: "get-category", Method: get, Path: category, Access: user, Scope: taskapi.ScopeCategoriesRead, Limit: perUser,
		Tags: catTags, Errors: []int{notFound, invalid}, Summary: "Get a category"}, s.getCategory)
	register(s, api, route{ID: "patch-category", Method: patch, Path: category, Access: user, Scope: taskapi.ScopeCategoriesWrite, Limit: perUser, IfMatch: "category",
		Tags: catTags, Errors: []int{badRequest, notFound, conflict, stale, invalid}, Summary: "Update a category",
		Description: "Merge-patch (application/merge-patch+json or application/json). Honours If-Match."}, s.patchCategory)
	register(s, api, route{ID: "delete-category", Method: del, Path: category, Access: user, Scope: taskapi.ScopeCategoriesWrite, Limit: perUser, IfMatch: "category",
		Tags: catTags, Status: http.StatusNoContent, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Delete a category",
		Description: "204. Its tasks stay, with category_id null. Honours If-Match."}, s.deleteCategory)
	register(s, api, route{ID: "list-category-tasks", Method: get, Path: category + "/tasks", Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: []string{"categories", "tasks"}, Errors: []int{badRequest, notFound, invalid}, Summary: "List a category's tasks",
		Description: "The tasks list, limited to one of the caller's categories (404 for any other)."}, s.listCategoryTasks)

	// Tags (tags.go); a task's tags are tag_ids and tags in tasks.go.
	const tags, tag = apiPrefix + "/tags", apiPrefix + "/tags/{id}"
	tagTags := []string{"tags"}
	register(s, api, route{ID: "list-tags", Method: get, Path: tags, Access: user, Scope: taskapi.ScopeTagsRead, Limit: perUser,
		Tags: tagTags, Errors: []int{badRequest, invalid}, Summary: "List tags",
		Description: "The caller's tags sorted by name ignoring case; paginated by cursor. Filter tasks by tag with `tag` and `any_tag` on GET /tasks."}, s.listTags)
	register(s, api, route{ID: "create-tag", Method: post, Path: tags, Access: user, Scope: taskapi.ScopeTagsWrite, Limit: perUser, Idempotent: true,
		Tags: tagTags, Status: http.StatusCreated, Errors: []int{badRequest, conflict, invalid}, Summary: "Create a tag",
		Description: "201 with Location and ETag. Accepts Idempotency-Key."}, s.createTag)
	register(s, api, route{ID: "get-tag", Method: get, Path: tag, Access: user, Scope: taskapi.ScopeTagsRead, Limit: perUser,
		Tags: tagTags, Errors: []int{notFound, invalid}, Summary: "Get a tag"}, s.getTag)
	register(s, api, route{ID: "patch-tag", Method: patch, Path: tag, Access: user, Scope: taskapi.ScopeTagsWrite, Limit: perUser, IfMatch: "tag",
		Tags: tagTags, Errors: []int{badRequest, notFound, conflict, stale, invalid}, Summary: "Update a tag",
		Description: "Merge-patch of name and color (application/merge-patch+json or application/json). Its tasks keep their versions " +
			"(If-Match on them still holds), while their ETags change with the name or color they show. Honours If-Match."}, s.patchTag)
	register(s, api, route{ID: "delete-tag", Method: del, Path: tag, Access: user, Scope: taskapi.ScopeTagsWrite, Limit: perUser, IfMatch: "tag",
		Tags: tagTags, Status: http.StatusNoContent, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Delete a tag",
		Description: "204. The tag leaves every task that had it; those tasks get a new version (ETag). Honours If-Match."}, s.deleteTag)

	// Tasks (tasks.go, tasks_list.go, tasks_bulk.go).
	const tasks, task = apiPrefix + "/tasks", apiPrefix + "/tasks/{id}"
	taskTags := []string{"tasks"}
	register(s, api, route{ID: "list-tasks", Method: get, Path: tasks, Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: taskTags, Errors: []int{badRequest, notFound, invalid}, Summary: "List tasks",
		Description: "Filters combine; sorted with ties broken by id; paginated by an opaque keyset cursor, so a page costs the same wherever it is."}, s.listTasks)
	register(s, api, route{ID: "create-task", Method: post, Path: tasks, Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, Idempotent: true,
		Tags: taskTags, Status: http.StatusCreated, Errors: []int{badRequest, invalid}, Summary: "Create a task",
		Description: "201 with Location and ETag. Accepts Idempotency-Key."}, s.createTask)
	register(s, api, route{ID: "quick-task", Method: post, Path: tasks + "/quick", Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser,
		Tags: taskTags, Status: http.StatusCreated, Errors: []int{badRequest, invalid}, Summary: "Create a task from one line",
		Description: "Parses the line as the web app's quick add does, in the user's time zone: 201 with the parse and the task (Location, ETag), " +
			"or with `dry_run` 200 with the parse alone. What is not recognised stays in the title."}, s.quickTask)
	register(s, api, route{ID: "bulk-tasks", Method: post, Path: tasks + "/bulk", Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, Idempotent: true,
		Tags: taskTags, Errors: []int{badRequest, notFound, invalid}, Summary: "Update or delete tasks in bulk",
		Description: "Up to 100 tasks in one transaction, all or nothing: one missing or foreign ID (404) and nothing changes. " +
			"As with PATCH and DELETE, completing a task completes its open subtasks, a category change moves them, and a delete takes them along. " +
			"`add_tags` and `remove_tags` add `tag_ids` to, or remove them from, every task (not their subtasks); only the tasks whose tags change get a new version. Accepts Idempotency-Key."}, s.bulkTasks)
	register(s, api, route{ID: "task-stats", Method: get, Path: tasks + "/stats", Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: taskTags, Errors: []int{invalid}, Summary: "Task statistics",
		Description: "Counts by status and priority, overdue, due today (in tz), completed in the last 7 days."}, s.taskStats)
	register(s, api, route{ID: "get-task", Method: get, Path: task, Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: taskTags, Errors: []int{notFound, invalid}, Summary: "Get a task", WithSession: s.getTaskWithSession}, s.getTask)
	register(s, api, route{ID: "patch-task", Method: patch, Path: task, Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, IfMatch: "task",
		Tags: taskTags, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Update a task",
		Description: "Merge-patch (application/merge-patch+json or application/json): fields left out stay, null clears description, due_date, category_id and parent_id. completed_at follows status. " +
			"Completing a task completes its open subtasks, all levels, in the same transaction (each gets a new version; the answer's counts show it); " +
			"a new category_id moves its subtasks with it. Honours If-Match."}, s.patchTask)
	register(s, api, route{ID: "delete-task", Method: del, Path: task, Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, IfMatch: "task",
		Tags: taskTags, Status: http.StatusNoContent, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Delete a task",
		Description: "204. Its subtasks (all levels) and the comments of all of them are deleted with it. Honours If-Match."}, s.deleteTask)

	// Webhooks (webhooks.go): endpoints told of changes, and their delivery logs.
	const webhooks, webhook = apiPrefix + "/webhooks", apiPrefix + "/webhooks/{id}"
	hookTags := []string{"webhooks"}
	register(s, api, route{ID: "list-webhooks", Method: get, Path: webhooks, Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser,
		Tags: hookTags, Errors: []int{badRequest}, Summary: "List webhook endpoints", Description: "Oldest first; never their secrets."}, s.listWebhooks)
	register(s, api, route{ID: "create-webhook", Method: post, Path: webhooks, Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser, Idempotent: true,
		Tags: hookTags, Status: http.StatusCreated, Errors: []int{badRequest, forbidden, invalid}, Summary: "Add a webhook endpoint",
		Description: "201 with the signing secret (`whsec_…`), shown only in this answer (and its Idempotency-Key replays). " +
			"At most 20 endpoints per user (403)."}, s.createWebhook)
	register(s, api, route{ID: "get-webhook", Method: get, Path: webhook, Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser,
		Tags: hookTags, Errors: []int{notFound, invalid}, Summary: "Get a webhook endpoint"}, s.getWebhook)
	register(s, api, route{ID: "patch-webhook", Method: patch, Path: webhook, Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser, IfMatch: "webhook",
		Tags: hookTags, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Update a webhook endpoint",
		Description: "Merge-patch of url, description, event_types, active. Honours If-Match."}, s.patchWebhook)
	register(s, api, route{ID: "delete-webhook", Method: del, Path: webhook, Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser, IfMatch: "webhook",
		Tags: hookTags, Status: http.StatusNoContent, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Delete a webhook endpoint",
		Description: "Its pending deliveries and its log go with it. Honours If-Match."}, s.deleteWebhook)
	register(s, api, route{ID: "rotate-webhook-secret", Method: post, Path: webhook + "/rotate-secret", Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser, IfMatch: "webhook",
		Tags: hookTags, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Give a webhook endpoint a new secret",
		Description: "Answers the new secret, shown only now. For 24 hours deliveries carry a signature by each secret, so the receiver can switch without losing events."}, s.rotateWebhookSecret)
	register(s, api, route{ID: "ping-webhook", Method: post, Path: webhook + "/ping", Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser,
		Tags: hookTags, Status: http.StatusAccepted, Errors: []int{notFound, invalid}, Summary: "Send a test event",
		Description: "Queues a `webhook.ping` delivery; its outcome shows in the delivery log."}, s.pingWebhook)
	register(s, api, route{ID: "list-webhook-deliveries", Method: get, Path: webhook + "/deliveries", Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser,
		Tags: hookTags, Errors: []int{badRequest, notFound, invalid}, Summary: "An endpoint's delivery log",
		Description: "Newest first: status, attempts, the last response's status and duration; bodies are kept 7 days, entries 30."}, s.listDeliveries)
	register(s, api, route{ID: "redeliver-webhook", Method: post, Path: webhook + "/deliveries/{delivery_id}/redeliver", Access: user, Scope: taskapi.ScopeWebhooksManage, Limit: perUser,
		Tags: hookTags, Status: http.StatusAccepted, Errors: []int{notFound, invalid}, Summary: "Send a delivery again",
		Description: "Queues a new delivery with the same body (a new webhook-id), signed when it is sent."}, s.redeliver)

	// Subtasks (subtasks.go): parent_id, the counts and the cascades are in tasks.go and the store.
	register(s, api, route{ID: "list-subtasks", Method: get, Path: task + "/subtasks", Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: taskTags, Errors: []int{badRequest, notFound, invalid}, Summary: "List a task's subtasks",
		Description: "The direct subtasks of one of the caller's tasks (every status), by position; paginated by cursor."}, s.listSubtasks)
	register(s, api, route{ID: "move-task", Method: post, Path: task + "/move", Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, IfMatch: "task",
		Tags: taskTags, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Reorder a subtask among its siblings",
		Description: "Puts the subtask just `before` or just `after` a sibling (exactly one). Usually only this task changes " +
			"(it takes the middle of its new neighbours' positions); now and then, when no room is left there, its siblings are " +
			"numbered afresh and get new versions too. Honours If-Match; a move to where the task already is changes nothing."}, s.moveTask)

	// Recurrence (recurrence.go): the rule is a task field; completing advances (tasks.go, the store).
	register(s, api, route{ID: "skip-task", Method: post, Path: task + "/skip", Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, IfMatch: "task",
		Tags: taskTags, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Skip a recurring task's occurrence",
		Description: "Moves the task to its next occurrence without recording a completion: to the first one after both its due date and now. " +
			"Its relative reminders follow, its completed subtasks reopen. 422 for a task that does not repeat, is not open, or is at its last occurrence. " +
			"Honours If-Match; with `occurrence`, a retry after the skip succeeded changes nothing."}, s.skipTask)
	register(s, api, route{ID: "list-completions", Method: get, Path: task + "/completions", Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: taskTags, Errors: []int{badRequest, notFound, invalid}, Summary: "List a recurring task's completions",
		Description: "The history of a recurring task: each completion with the occurrence it completed, newest first; paginated by cursor."}, s.listCompletions)
	register(s, api, route{ID: "list-occurrences", Method: get, Path: task + "/occurrences", Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: taskTags, Errors: []int{notFound, invalid}, Summary: "List a task's coming occurrences",
		Description: "The occurrences due in [from, to), the current one (the due date) first, computed in the owner's time zone; at most `limit` (100), over at most 5 years. " +
			"Repeating from completion, the dates assume each is completed on its due date."}, s.listOccurrences)

	// The change feed (changes.go) and a task's history from it (activity.go).
	register(s, api, route{ID: "list-changes", Method: get, Path: apiPrefix + "/changes", Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: []string{"sync"}, Errors: []int{badRequest, http.StatusGone, invalid}, Summary: "What changed: incremental sync",
		Description: "Without a cursor: a full sync, every category, task and comment as it is (paged), then a cursor. " +
			"With one: only what changed since, each entity at most once per answer with its latest state, deletes as tombstones " +
			"(`op: delete`, `data: null`). A task whose counts changed (a subtask or comment added, completed, moved or deleted) comes as an upsert too. " +
			"Keep next_cursor and ask again; has_more says whether to ask at once. " +
			"A cursor older than the history kept (30 days by default) gets 410: sync again from scratch. " +
			"A token sees the types its scopes allow (category changes need categories:read); naming another in `types` is 403."}, s.listChanges)
	register(s, api, route{ID: "events", Method: get, Path: apiPrefix + "/events", Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: []string{"sync"}, Errors: []int{badRequest, http.StatusGone, invalid, http.StatusServiceUnavailable}, Summary: "Live updates (Server-Sent Events)",
		Description: "A text/event-stream of the caller's changes: each `changes` event carries `{changes: [...]}` as GET /changes answers them, " +
			"its `id` the cursor after them; a reconnect with Last-Event-ID (or `cursor`) goes on from there, without one the stream starts now. " +
			"A comment line every 15 s keeps it open; a change made on any instance arrives within about a second. The stream ends with an `end` " +
			"event when the session or token ends (checked every 30 s) or the server shuts down. At most 5 streams per user per instance (429) " +
			"and 1,000 per instance (503)."}, s.events)
	register(s, api, route{ID: "task-activity", Method: get, Path: task + "/activity", Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: taskTags, Errors: []int{badRequest, notFound, invalid}, Summary: "A task's history",
		Description: "The changes of the task and of its comments, newest first, each with who made it (a session, or a token by name), " +
			"when, the fields it changed and a summary in words. Paginated by cursor; kept as long as the change feed keeps them."}, s.taskActivity)

	// Comments (comments.go).
	const comments, comment = task + "/comments", task + "/comments/{comment_id}"
	commentTags := []string{"comments"}
	register(s, api, route{ID: "list-comments", Method: get, Path: comments, Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: commentTags, Errors: []int{badRequest, notFound, invalid}, Summary: "List a task's comments",
		Description: "Oldest first; paginated by cursor."}, s.listComments)
	register(s, api, route{ID: "create-comment", Method: post, Path: comments, Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, Idempotent: true,
		Tags: commentTags, Status: http.StatusCreated, Errors: []int{badRequest, notFound, invalid}, Summary: "Comment on a task",
		Description: "201 with Location and ETag. Plain text. Accepts Idempotency-Key."}, s.createComment)
	register(s, api, route{ID: "get-comment", Method: get, Path: comment, Access: user, Scope: taskapi.ScopeTasksRead, Limit: perUser,
		Tags: commentTags, Errors: []int{notFound, invalid}, Summary: "Get a comment"}, s.getComment)
	register(s, api, route{ID: "patch-comment", Method: patch, Path: comment, Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, IfMatch: "comment",
		Tags: commentTags, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Edit a comment",
		Description: "Sets `body`. Honours If-Match."}, s.patchComment)
	register(s, api, route{ID: "delete-comment", Method: del, Path: comment, Access: user, Scope: taskapi.ScopeTasksWrite, Limit: perUser, IfMatch: "comment",
		Tags: commentTags, Status: http.StatusNoContent, Errors: []int{badRequest, notFound, stale, invalid}, Summary: "Delete a comment",
		Description: "204. Honours If-Match."}, s.deleteComment)
}
