// Subtasks and comments in the web app: the checklist of the task detail
// (add with Enter and keep typing, complete, reorder from the keyboard,
// open one and come back by its breadcrumb), the counts on the list's row,
// comments (Ctrl+Enter, line breaks, edit, delete, "Show earlier"), the
// phone in dark, and the same without JavaScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, desktop, phone, newPage, noProblems, scan, shot, api, signup, quickAdd } from "./lib.mjs";

async function focusedID(page) { return page.evaluate(() => document.activeElement && document.activeElement.id); }

test("subtasks and comments in the side panel", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await signup(page, "sona");
  await quickAdd(page, "Plan the trip");
  await page.goto("/all");
  await page.getByRole("link", { name: "Plan the trip" }).click();
  const panel = page.locator("[data-task-detail]");
  const list = panel.locator("[data-subtask-list]");

  // Enter adds and keeps the field for the next one.
  const field = panel.getByLabel("Add a subtask");
  await field.fill("Book flights");
  await field.press("Enter");
  await list.getByRole("link", { name: "Book flights" }).waitFor();
  assert.match(await focusedID(page), /^subtask-new-/, "focus stays in the add field");
  await page.keyboard.type("Pack");
  await page.keyboard.press("Enter");
  await list.getByRole("link", { name: "Pack" }).waitFor();
  await page.keyboard.type("Buy sunscreen tomorrow");
  await page.keyboard.press("Enter");
  await list.getByRole("link", { name: "Buy sunscreen" }).waitFor();
  await panel.getByText("0/3").waitFor();

  // Complete one: progress, and the list's row shows it too.
  await panel.getByRole("button", { name: "Complete “Pack”" }).click();
  await panel.getByText("1/3").waitFor();
  assert.equal(await focusedID(page), (await panel.getByRole("button", { name: "Reopen “Pack”" }).getAttribute("id")));
  await page.locator("#main .task", { hasText: "Plan the trip" }).getByText("1/3").waitFor();

  // Reorder from the keyboard: Alt+↑ on a subtask moves it, focus follows.
  await list.getByRole("link", { name: "Buy sunscreen" }).focus();
  await page.keyboard.press("Alt+ArrowUp");
  await page.waitForFunction(() => [...document.querySelectorAll("[data-subtask] .subtask-title")].map((a) => a.textContent).join("|") === "Book flights|Buy sunscreen|Pack");
  assert.match(await focusedID(page), /^subtask-(up|down)-/, "focus stays on the moved subtask");
  await panel.getByRole("button", { name: "Move “Book flights” down" }).click();
  await page.waitForFunction(() => [...document.querySelectorAll("[data-subtask] .subtask-title")].map((a) => a.textContent).join("|") === "Buy sunscreen|Book flights|Pack");

  // Comments: Ctrl+Enter sends, line breaks stay.
  const box = panel.getByLabel("Add a comment");
  await box.fill("Window seats\nif we can");
  await box.press("Control+Enter");
  const comment = panel.locator(".comment").first();
  await comment.waitFor();
  assert.equal(await comment.locator(".comment-body").innerText(), "Window seats\nif we can");
  await comment.getByText("just now").waitFor();
  assert.match(await focusedID(page), /^comment-new-/);
  await page.locator("#main .task", { hasText: "Plan the trip" }).locator(".comment-badge").waitFor();
  await scan(page, "task panel with subtasks and comments");
  await shot(page, "desktop-subtasks-panel");

  // Edit, then delete after a confirmation.
  await comment.locator("summary").click();
  await comment.getByLabel("Edit the comment").fill("Aisle seats");
  await comment.getByRole("button", { name: "Save" }).click();
  await panel.locator(".comment", { hasText: "Aisle seats" }).getByText("edited").waitFor();
  page.once("dialog", (d) => d.accept());
  await panel.locator(".comment").first().getByRole("button", { name: "Delete the comment" }).click();
  await panel.getByText("No comments yet.").waitFor();

  // Open a subtask; its breadcrumb leads back.
  await list.getByRole("link", { name: "Book flights" }).click();
  await panel.getByRole("heading", { name: "Book flights" }).waitFor();
  await panel.getByRole("navigation", { name: "Parent tasks" }).getByRole("link", { name: "Plan the trip" }).click();
  await panel.getByRole("heading", { name: "Plan the trip" }).waitFor();
  noProblems(page);

  // A long thread: the latest 20, then "Show earlier" adds the rest above.
  const login = await api("POST", "/auth/login", "", { username: "sona", password: PASSWORD });
  const id = page.url().match(/\/tasks\/([0-9a-f-]{36})/)[1];
  for (let i = 1; i <= 24; i++) {
    const r = await api("POST", `/tasks/${id}/comments`, login.body.access_token, { body: `Note ${i}` });
    assert.equal(r.status, 201);
  }
  await page.goto(`/tasks/${id}`);
  assert.equal(await page.locator(".comment").count(), 20);
  assert.equal(await page.locator(".comment .comment-body").first().innerText(), "Note 5");
  await page.getByRole("link", { name: "Show earlier comments" }).click();
  await page.getByRole("link", { name: "Show earlier comments" }).waitFor({ state: "detached" });
  assert.equal(await page.locator(".comment").count(), 24);
  assert.equal(await page.locator(".comment .comment-body").first().innerText(), "Note 1");
  assert.equal(await focusedID(page), await page.locator(".comment").nth(3).getAttribute("id"), "focus on the last earlier comment");
  await shot(page, "desktop-subtasks-page");
  noProblems(page);
  await page.context().close();
});

test("subtasks and comments on a phone, dark", async () => {
  const page = await newPage({ ...phone, colorScheme: "dark" });
  await signup(page, "pia");
  await quickAdd(page, "Move house");
  await page.goto("/all");
  await page.getByRole("link", { name: "Move house" }).click();
  const detail = page.locator("[data-task-detail]");
  for (const t of ["Call the movers", "Pack the kitchen", "Change the address at the bank"]) {
    await detail.getByLabel("Add a subtask").fill(t);
    await detail.getByLabel("Add a subtask").press("Enter");
    await detail.locator("[data-subtask-list]").getByRole("link", { name: t }).waitFor();
  }
  await detail.getByRole("button", { name: "Complete “Call the movers”" }).click();
  await detail.getByText("1/3").waitFor();
  await detail.getByLabel("Add a comment").fill("Movers come at 8.\nKeys under the mat.");
  await detail.getByRole("button", { name: "Comment" }).click();
  await detail.locator(".comment").waitFor();
  await scan(page, "phone subtasks and comments");
  await detail.locator(".subtasks-section").screenshot({ path: `${process.env.SCREENSHOTS || "screenshots"}/phone-dark-subtasks.png` });
  await detail.locator(".comments-section").screenshot({ path: `${process.env.SCREENSHOTS || "screenshots"}/phone-dark-comments.png` });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page scrolls sideways (${width}px)`);
  // The list row: title, then the counts.
  await page.goto("/all");
  await page.locator(".task", { hasText: "Move house" }).getByText("1/3").waitFor();
  await shot(page, "phone-dark-list-counts");
  noProblems(page);
  await page.context().close();
});

test("subtasks and comments without JavaScript", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light", javaScriptEnabled: false });
  await signup(page, "nojo");
  await page.goto("/all");
  await page.getByLabel("Add a task").fill("Paint the fence");
  await page.getByRole("button", { name: "Add task" }).click();
  await page.getByRole("link", { name: "Paint the fence" }).click();
  await page.waitForURL(/\/tasks\//);
  await page.getByLabel("Add a subtask").fill("Buy paint");
  await page.getByLabel("Add a subtask").press("Enter");
  await page.getByRole("link", { name: "Buy paint" }).waitFor();
  assert.equal(await page.getByLabel("Add a subtask").getAttribute("autofocus"), "", "the add field is focused for the next");
  await page.getByLabel("Add a comment").fill("Green, not blue.");
  await page.getByRole("button", { name: "Comment" }).click();
  await page.getByText("Comment added.").waitFor();
  await page.locator(".comment-body", { hasText: "Green, not blue." }).waitFor();
  await page.getByRole("button", { name: "Complete “Buy paint”" }).click();
  await page.getByText("1/1").waitFor();
  await shot(page, "desktop-subtasks-nojs");
  await page.context().close();
});
