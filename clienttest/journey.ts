// The user journey through a client generated from the served OpenAPI
// document: every call and every field is type-checked (strict, no casts),
// so a document that disagrees with the server fails here. BASE_URL names
// the server.
import createClient from "openapi-fetch";
import type { paths } from "./.gen/schema.js";

// Node's process, declared here rather than pulling in @types/node.
declare const process: { env: Record<string, string | undefined> };

const baseUrl = process.env.BASE_URL;
if (!baseUrl) throw new Error("BASE_URL is not set");

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`journey: ${what}`);
}

const client = createClient<paths>({ baseUrl });
const suffix = Date.now().toString(36);
const username = `journey_${suffix}`;
const email = `${username}@example.com`;
const password = "granite-Otter-77-maple";

// Sign up, and ask for the emails again (202 whatever the address).
const signUp = await client.POST("/api/v1/auth/register", { body: { email, username, password } });
check(signUp.response.status === 201 && signUp.data !== undefined, "register");
check(signUp.data.is_verified === false, "a new account is unverified");
const resend = await client.POST("/api/v1/auth/resend-verification", { body: { email } });
check(resend.response.status === 202, "resend-verification");
const forgot = await client.POST("/api/v1/auth/forgot-password", { body: { email: "nobody@example.com" } });
check(forgot.response.status === 202, "forgot-password");

// A wrong password is a problem the client can read.
const refused = await client.POST("/api/v1/auth/login", { body: { username, password: "wrong-password" } });
check(refused.response.status === 401 && refused.error !== undefined, "wrong password refused");
check(refused.error.status === 401 && refused.error.detail !== undefined, "the problem has status and detail");

// Log in; every later call carries the access token.
const login = await client.POST("/api/v1/auth/login", { body: { username, password } });
check(login.data !== undefined, "login");
const tokens = login.data;
check(tokens.token_type === "bearer", "bearer token");
const authed = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${tokens.access_token}` } });

const me = await authed.GET("/api/v1/users/me");
check(me.data !== undefined && me.data.username === username, "users/me");

// A category, with the server's default colour.
const cat = await authed.POST("/api/v1/categories", { body: { name: `Work ${suffix}` } });
check(cat.response.status === 201 && cat.data !== undefined, "create category");
const category = cat.data;
check(category.color === "#6B7280", "default colour");

// Tasks: defaults filled in by the server, one in the category.
const first = await authed.POST("/api/v1/tasks", { body: { title: "Write the report", category_id: category.id } });
check(first.response.status === 201 && first.data !== undefined, "create task");
check(first.data.status === "TODO" && first.data.priority === "MEDIUM", "task defaults");
const etag = first.response.headers.get("ETag");
check(etag !== null, "ETag on create");
const second = await authed.POST("/api/v1/tasks", {
  body: { title: "Call the bank", priority: "HIGH", due_date: "2030-01-02T09:00:00Z" },
  params: { header: { "Idempotency-Key": `journey-${suffix}` } },
});
check(second.data !== undefined && second.data.priority === "HIGH", "create task with priority");

// Lists: filters, sort, both ways of giving several values.
const todo = await authed.GET("/api/v1/tasks", { params: { query: { status: ["TODO", "COMPLETED"], sort: "title", limit: 10 } } });
check(todo.data !== undefined, "list tasks");
const titles: string[] = todo.data.items.map((t) => t.title);
check(titles.join("|") === "Call the bank|Write the report", `list by title: ${titles.join("|")}`);
check(todo.data.next_cursor === null, "one page");
const inCategory = await authed.GET("/api/v1/categories/{id}/tasks", { params: { path: { id: category.id } } });
check(inCategory.data !== undefined && inCategory.data.items.length === 1, "category's tasks");
const cats = await authed.GET("/api/v1/categories");
check(cats.data !== undefined && cats.data.items.some((c) => c.id === category.id && c.task_count === 1), "category list with task_count");

// A conditional change, then a stale one.
const done = await authed.PATCH("/api/v1/tasks/{id}", {
  params: { path: { id: first.data.id }, header: { "If-Match": etag } },
  body: { status: "COMPLETED", description: null },
});
check(done.data !== undefined && done.data.completed_at !== null, "complete with If-Match");
const stale = await authed.PATCH("/api/v1/tasks/{id}", {
  params: { path: { id: first.data.id }, header: { "If-Match": etag } },
  body: { title: "too late" },
});
check(stale.response.status === 412 && stale.error !== undefined, "stale If-Match is 412");

// Bulk, stats, delete.
const bulk = await authed.POST("/api/v1/tasks/bulk", { body: { ids: [second.data.id], action: "update", changes: { priority: "URGENT" } } });
check(bulk.response.status === 200 && bulk.data !== undefined, "bulk update");
const stats = await authed.GET("/api/v1/tasks/stats");
check(stats.data !== undefined && stats.data.by_status.COMPLETED === 1 && stats.data.by_priority.URGENT === 1, "stats");
const del = await authed.DELETE("/api/v1/tasks/{id}", { params: { path: { id: second.data.id } } });
check(del.response.status === 204, "delete task");
const gone = await authed.GET("/api/v1/tasks/{id}", { params: { path: { id: second.data.id } } });
check(gone.response.status === 404 && gone.error !== undefined, "deleted task is 404");

// Sessions, refresh, logout.
const sessions = await authed.GET("/api/v1/users/me/sessions");
check(sessions.data !== undefined && sessions.data.items.length === 1, "one session");
const refreshed = await client.POST("/api/v1/auth/refresh", { body: { refresh_token: tokens.refresh_token } });
check(refreshed.data !== undefined && refreshed.data.refresh_token !== tokens.refresh_token, "refresh rotates");
const out = await client.POST("/api/v1/auth/logout", { body: { refresh_token: refreshed.data.refresh_token } });
check(out.response.status === 204, "logout");
const after = await authed.GET("/api/v1/users/me");
check(after.response.status === 401, "the session has ended");

console.log("journey: ok");
