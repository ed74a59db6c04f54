// Live updates: two tabs of one user side by side. A task added in one tab,
// or added, completed, commented on or renamed through the API, shows in
// the other without a reload (lists, sidebar counts, the task page, the
// board), while what is being typed and selected there stays; a task page
// being edited gets a quiet notice instead of losing the edit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, desktop, newPage, noProblems, scan, shot, api, signup, quickAdd } from "./lib.mjs";

// tab opens another page in page's browser (same cookies: the same user),
// failing on script errors as newPage's do.
async function tab(page) {
  const other = await page.context().newPage();
  other.problems = [];
  other.on("console", (m) => { if (m.type() === "error") { other.problems.push(m.text()); } });
  other.on("pageerror", (e) => other.problems.push(String(e)));
  return other;
}

// mark and unreloaded tell whether a page was reloaded meanwhile.
async function mark(page) { await page.evaluate(() => { window.liveMark = true; }); }
async function unreloaded(page) { assert.equal(await page.evaluate(() => window.liveMark), true, "the page was reloaded"); }

test("live updates between two tabs and the API", async () => {
  const a = await newPage({ ...desktop, colorScheme: "light" });
  await signup(a, "livia");
  const login = await api("POST", "/auth/login", "", { username: "livia", password: PASSWORD });
  assert.equal(login.status, 200);
  const token = login.body.access_token;
  const b = await tab(a);
  await b.goto("/all");
  await mark(b);

  // A task added in one tab appears in the other, with its sidebar count.
  await quickAdd(a, "Call the plumber today");
  await b.locator("#main .task", { hasText: "Call the plumber" }).waitFor();
  await b.locator('#sidebar a[href="/today"] .count', { hasText: "1" }).waitFor();

  // One added through the API arrives in both; typing in quick add stays.
  await b.getByLabel("Add a task").fill("half-typed");
  const due = new Date(Date.now() + 3600 * 1000).toISOString();
  const dentist = await api("POST", "/tasks", token, { title: "Book the dentist", priority: "HIGH", due_date: due });
  assert.equal(dentist.status, 201);
  await a.locator("#main .task", { hasText: "Book the dentist" }).waitFor();
  await b.locator("#main .task", { hasText: "Book the dentist" }).waitFor();
  assert.equal(await b.getByLabel("Add a task").inputValue(), "half-typed");
  assert.equal(await b.evaluate(() => document.activeElement && document.activeElement.id), "quick", "focus stays in quick add");

  // Completed elsewhere, the row leaves; selected rows stay selected.
  const plumber = b.locator("#main .task", { hasText: "Call the plumber" });
  const plumberID = await plumber.getAttribute("data-id");
  await b.locator("#main .task", { hasText: "Book the dentist" }).locator("[data-select]").check();
  assert.equal((await api("PATCH", "/tasks/" + plumberID, token, { status: "COMPLETED" })).status, 200);
  await plumber.waitFor({ state: "detached" });
  assert.equal(await b.locator("#main .task", { hasText: "Book the dentist" }).locator("[data-select]").isChecked(), true);
  await b.locator('#sidebar a[href="/completed"] .count', { hasText: "1" }).waitFor();
  await unreloaded(b);
  await shot(b, "desktop-live-list");

  // The task page follows comments, subtasks and a new title.
  const id = dentist.body.id;
  await a.goto(`/tasks/${id}?back=/today`);
  await mark(a);
  assert.equal((await api("POST", `/tasks/${id}/comments`, token, { body: "They open at 9." })).status, 201);
  assert.equal((await api("POST", "/tasks", token, { title: "Find the insurance card", parent_id: id })).status, 201);
  assert.equal((await api("PATCH", `/tasks/${id}`, token, { title: "Book the dentist for Friday" })).status, 200);
  await a.locator("[data-comment-list] .comment-body", { hasText: "They open at 9." }).waitFor();
  await a.locator("[data-subtask-list]").getByRole("link", { name: "Find the insurance card" }).waitFor();
  await a.getByRole("heading", { level: 1, name: "Book the dentist for Friday" }).waitFor();
  assert.equal(await a.getByLabel("Title").inputValue(), "Book the dentist for Friday");
  // The list in the other tab shows the subtask count on the row.
  await b.locator("#main .task", { hasText: "Book the dentist for Friday" }).getByText("0/1").waitFor();

  // Notes being typed here, changed elsewhere too: a notice, not a clobber.
  const notes = a.getByLabel("Notes");
  await notes.fill("Ask about the cleaning.");
  assert.equal((await api("PATCH", `/tasks/${id}`, token, { description: "Bring the X-rays." })).status, 200);
  const notice = a.locator(".live-notice");
  await notice.getByText("This task was changed elsewhere.").waitFor();
  assert.equal(await notes.inputValue(), "Ask about the cleaning.");
  await unreloaded(a);
  await scan(a, "task page with the live notice");
  await shot(a, "desktop-live-task-notice");
  await notice.getByRole("link", { name: "Reload" }).click();
  await a.locator(".notes-preview", { hasText: "Bring the X-rays." }).waitFor();
  assert.equal(await notes.inputValue(), "Bring the X-rays.");

  // The board and the sidebar follow too.
  await b.goto("/board");
  await mark(b);
  assert.equal((await api("POST", "/categories", token, { name: "Home", color: "#16A34A" })).status, 201);
  assert.equal((await api("POST", "/tasks", token, { title: "Fix the tap", status: "IN_PROGRESS" })).status, 201);
  await b.locator("#sidebar .cats").getByRole("link", { name: "Home" }).waitFor();
  await b.locator('[data-column="IN_PROGRESS"] .card', { hasText: "Fix the tap" }).waitFor();
  await unreloaded(b);

  noProblems(a);
  noProblems(b);
  await a.context().close();
});
