// The journey of a person through the web app, in Debian's Chromium:
// sign up, follow the emailed link, quick add, complete, edit with a
// conflict, categories, settings, password reset from the email, account
// deletion; on a desktop and a phone viewport, in both themes, with and
// without JavaScript; an axe scan of every page. Started by e2e_test.go,
// which serves the app and the emails it sent (BASE_URL, MAIL_URL).
import { test } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, NEW_PASSWORD, desktop, phone, newPage, noProblems, scan, shot, mail, api, signup, quickAdd } from "./lib.mjs";

test("desktop journey, light then dark", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await page.goto("/login");
  await scan(page, "login");
  await shot(page, "desktop-login");
  await page.goto("/signup");
  await scan(page, "signup");
  await signup(page, "ada");
  await assert.doesNotReject(page.getByText("Please verify").waitFor());
  await scan(page, "today-empty");
  await shot(page, "desktop-today-empty");

  // The emailed link, caught by the SMTP listener.
  await page.goto(await mail("ada@example.com", "Confirm your email"));
  await page.getByRole("heading", { name: "Email verified" }).waitFor();
  await scan(page, "verify-email");
  await page.goto("/today");
  assert.equal(await page.getByText("Please verify").count(), 0);

  // The zone came from the browser at sign-up.
  await page.goto("/settings");
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/Paris");

  // Categories.
  await page.goto("/categories");
  for (const [name, colour] of [["Home", "Green"], ["Work", "Blue"], ["Deep Work", "Violet"]]) {
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.locator("label.swatch", { hasText: colour }).click();
    await page.getByRole("button", { name: "Create category" }).click();
    await page.getByText(`Created “${name}”`).waitFor();
  }
  await scan(page, "categories");
  await shot(page, "desktop-categories");

  // Quick add: the recognised parts show while typing.
  await page.goto("/today");
  const input = page.getByLabel("Add a task");
  await input.pressSequentially("Pay rent tomorrow 9am !high #Home", { delay: 5 });
  await page.locator(".token.due", { hasText: "tomorrow 09:00" }).waitFor();
  await page.locator(".token.priority", { hasText: "High" }).waitFor();
  await page.locator(".token.category", { hasText: "#Home" }).waitFor();
  await page.locator(".quick-mirror mark.qt-priority", { hasText: "!high" }).waitFor();
  await shot(page, "desktop-quick-add-tokens");
  await input.press("Enter");
  await page.getByText("Added “Pay rent”").waitFor();
  // Backspace just after a highlighted part keeps it in the title, as typed.
  await input.pressSequentially("Read Tomorrow", { delay: 5 });
  await page.locator(".quick-mirror mark.qt-due", { hasText: "Tomorrow" }).waitFor();
  await input.press("Backspace");
  await page.locator(".token.kept", { hasText: "Tomorrow" }).waitFor();
  assert.equal(await input.inputValue(), "Read Tomorrow");
  assert.equal(await page.locator(".quick-mirror mark").count(), 0);
  await input.pressSequentially(" by Sam p2", { delay: 5 });
  await page.locator(".token.priority", { hasText: "High" }).waitFor();
  assert.equal(await page.locator(".token.due").count(), 0);
  await shot(page, "desktop-quick-add-kept");
  await input.press("Enter");
  await page.getByText("Added “Read Tomorrow by Sam”").waitFor();
  const kept = page.locator(".task", { hasText: "Read Tomorrow by Sam" });
  await page.goto("/all");
  assert.equal(await kept.locator("time").count(), 0, "no due date");
  assert.match(await kept.getAttribute("class"), /prio-high/);
  await kept.getByRole("button", { name: /Complete/ }).click();
  await kept.waitFor({ state: "detached" });
  await page.goto("/today");
  // A second Backspace deletes as usual.
  await input.pressSequentially("Call Bob friday", { delay: 5 });
  await page.locator(".quick-mirror mark.qt-due", { hasText: "friday" }).waitFor();
  await input.press("Backspace");
  await input.press("Backspace");
  assert.equal(await input.inputValue(), "Call Bob frida");
  await input.press("Escape");
  assert.equal(await input.inputValue(), "");
  for (const t of ["Call Ana today 3pm !urgent #Work", "Buy milk today", "Water the plants today p4 #Home",
    "Draft the quarterly report friday !high #\"Deep Work\"", "Renew passport in 3 days", "Book dentist yesterday",
    "Plan the team offsite next monday #Work"]) {
    await quickAdd(page, t);
  }
  await page.goto("/today");
  await page.getByRole("heading", { name: "Overdue" }).waitFor();
  await scan(page, "today");
  await shot(page, "desktop-today");
  await page.goto("/upcoming");
  await page.getByText("tomorrow 09:00").waitFor();
  await scan(page, "upcoming");
  await shot(page, "desktop-upcoming");

  // Complete with one click: the row leaves, with an Undo toast.
  await page.goto("/today");
  const row = page.locator(".task", { hasText: "Buy milk" });
  await row.getByRole("button", { name: /Complete/ }).click();
  await page.locator(".toast", { hasText: "Completed “Buy milk”" }).waitFor();
  await row.waitFor({ state: "detached" });
  await page.goto("/completed");
  await page.locator(".task", { hasText: "Buy milk" }).waitFor();
  await scan(page, "completed");

  // No gutter on a row: the complete circle starts it; the select box shows in the margin on hover.
  await page.goto("/all");
  const first = page.locator(".task").first();
  const [rb, cb] = [await first.boundingBox(), await first.locator(".check").boundingBox()];
  assert.ok(Math.abs(cb.x - rb.x) < 1, `the circle is ${cb.x - rb.x}px into the row`);
  await first.hover();
  const sb = await first.locator(".select").boundingBox();
  assert.ok(sb.x + sb.width <= rb.x, "the select box sits left of the row");

  // All, with search in the URL.
  await page.goto("/all?q=report");
  assert.equal(await page.locator(".task").count(), 1);
  await page.goto("/all");
  await scan(page, "all");
  await shot(page, "desktop-all");

  // The detail opens in a side panel beside the list; the URL follows.
  await page.locator(".task-title", { hasText: "Pay rent" }).click();
  const panel = page.locator("aside.panel");
  await panel.getByLabel("Title").waitFor();
  await page.waitForURL(/\/tasks\/[0-9a-f-]{36}\?back=/);
  assert.equal(await page.locator("h1", { hasText: "All" }).count(), 1, "the list stays beside the panel");
  assert.equal(await page.evaluate(() => document.activeElement.id), "detail-title", "focus moves into the panel");
  await scan(page, "task panel");
  await shot(page, "desktop-all-panel");

  // Edit with a conflict: the task changes through the API while the title
  // is being typed (live.js keeps what was typed; the save is refused).
  const login = await api("POST", "/auth/login", null, { username: "ada", password: PASSWORD });
  const token = login.body.access_token;
  const id = new URL(page.url()).pathname.split("/").pop();
  const got = await api("GET", `/tasks/${id}`, token);
  await panel.getByLabel("Title").fill("Pay rent and water bill");
  const patched = await api("PATCH", `/tasks/${id}`, token, { title: "Pay rent (changed on the phone)" });
  assert.equal(patched.status, 200);
  assert.equal(got.body.priority, "HIGH");
  await panel.getByRole("button", { name: "Save", exact: true }).click();
  await panel.locator(".conflict", { hasText: "This task was changed elsewhere" }).waitFor();
  assert.equal(await panel.getByLabel("Title").inputValue(), "Pay rent and water bill");
  await scan(page, "task-conflict");
  await shot(page, "desktop-task-conflict");
  await panel.getByRole("button", { name: "Save", exact: true }).click();
  await page.locator(".toast", { hasText: "Saved “Pay rent and water bill”" }).waitFor();
  // The list row shows the save, the panel stays on the task.
  await page.locator(`.task[data-id="${id}"] .task-title`, { hasText: "Pay rent and water bill" }).waitFor();
  assert.equal(await panel.getByLabel("Title").inputValue(), "Pay rent and water bill");
  // Escape closes it, the URL goes back to the list, focus returns to the row.
  await page.keyboard.press("Escape");
  await panel.waitFor({ state: "hidden" });
  assert.equal(new URL(page.url()).pathname, "/all");
  assert.equal(await page.evaluate(() => document.activeElement.closest(".task")?.dataset.id), id);
  // Enter on the row under the cursor opens it; Back closes it; Forward opens it again.
  await page.keyboard.press("Enter");
  await panel.getByLabel("Title").waitFor();
  assert.equal(new URL(page.url()).pathname, `/tasks/${id}`);
  await page.goBack();
  await panel.waitFor({ state: "hidden" });
  assert.equal(new URL(page.url()).pathname, "/all");
  await page.goForward();
  await panel.getByLabel("Title").waitFor();
  // Another row replaces the task in the open panel; a reload shows the task's own page.
  await page.locator(".task-title", { hasText: "Call Ana" }).click();
  await panel.getByRole("heading", { name: "Call Ana" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { level: 1, name: "Call Ana" }).waitFor();
  await page.getByRole("link", { name: "← Back" }).click();
  await page.waitForURL("**/all");

  // Overview: charts drawn on the server, with tables.
  await page.goto("/overview");
  await page.getByRole("img", { name: /Tasks by priority/ }).waitFor();
  await scan(page, "overview");
  await shot(page, "desktop-overview");

  // Bulk: x selects rows, one request moves them all.
  await page.goto("/all");
  await page.locator("body").click({ position: { x: 600, y: 10 } });
  for (const key of ["j", "x", "j", "x"]) { await page.keyboard.press(key); }
  await page.getByText("2 tasks selected").waitFor();
  await shot(page, "desktop-bulk");
  await page.getByLabel("Category", { exact: true }).selectOption({ label: "Work" });
  await page.getByRole("button", { name: "Move", exact: true }).click();
  await page.getByText("Moved 2 tasks.").waitFor();

  // Board: drag a card to In progress; move another with its button, by keyboard.
  await page.goto("/board");
  const card = page.locator(".card", { hasText: "Renew passport" });
  await card.dragTo(page.locator('[data-drop="IN_PROGRESS"]'));
  await page.locator('[data-column="IN_PROGRESS"] .card', { hasText: "Renew passport" }).waitFor();
  const move = page.locator(".card", { hasText: "Call Ana" }).getByRole("button", { name: /In progress/ });
  await move.focus();
  await page.keyboard.press("Enter");
  await page.getByText("Moved “Call Ana” to In progress.").waitFor();
  await page.locator('[data-column="IN_PROGRESS"] .card', { hasText: "Call Ana" }).waitFor();
  await scan(page, "board");
  await shot(page, "desktop-board");

  // Keyboard: help, j/k, c completes the row under the cursor.
  await page.goto("/all");
  await page.keyboard.press("?");
  await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
  await shot(page, "desktop-shortcuts");
  await page.keyboard.press("Escape");
  await page.locator("body").click({ position: { x: 600, y: 10 } });
  const before = await page.locator(".task").count();
  await page.keyboard.press("j");
  await page.keyboard.press("c");
  await page.locator(".toast", { hasText: "Completed" }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll(".task").length === n - 1, before);
  await page.keyboard.press("g");
  await page.keyboard.press("u");
  await page.waitForURL("**/upcoming");

  // Dark theme by the switch; it stays on the next page.
  await page.getByRole("button", { name: "Switch theme" }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  await page.goto("/today");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  await scan(page, "today dark");
  await shot(page, "desktop-today-dark");
  await page.goto("/settings");
  await scan(page, "settings dark");
  await shot(page, "desktop-settings-dark");
  await page.goto("/categories");
  await scan(page, "categories dark");
  await page.goto("/today");
  await page.locator(".task-title", { hasText: "Call Ana" }).click();
  await page.locator("aside.panel").getByLabel("Title").waitFor();
  await scan(page, "task panel dark");
  await shot(page, "desktop-today-panel-dark");
  noProblems(page);
  await page.context().close();
});

test("phone: menu, no horizontal scroll, dark system theme", async () => {
  const page = await newPage({ ...phone, colorScheme: "dark" });
  await signup(page, "grace");
  await quickAdd(page, "Call the bank today 10am !urgent");
  await quickAdd(page, "Pick up a parcel from the post office before it closes today 5pm");
  await quickAdd(page, "Stretch");
  for (const path of ["/today", "/all", "/settings", "/categories", "/login"]) {
    await page.goto(path);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 0, `${path} scrolls sideways by ${over}px`);
  }
  await page.goto("/today");
  await scan(page, "phone today");
  await shot(page, "phone-today-dark");
  await page.getByRole("link", { name: "Menu" }).click();
  await page.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: "Upcoming" }).waitFor();
  await shot(page, "phone-menu-dark");
  await page.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: /^All/ }).click();
  await page.waitForURL("**/all");
  // Touch targets: the checkbox is at least 44 px.
  const box = await page.locator(".check").first().boundingBox();
  assert.ok(box.width >= 44 && box.height >= 44, `check is ${box.width}×${box.height}`);
  // A row shows only the complete circle; Select (or a long press) shows the boxes in its place.
  assert.equal(await page.locator(".task .select").first().isVisible(), false, "no select box on a phone row");
  await page.getByText("Select", { exact: true }).tap();
  await page.locator(".task .select").first().waitFor();
  assert.equal(await page.locator(".task .check").first().isVisible(), false, "select mode hides the circle");
  await page.locator(".task", { hasText: "Call the bank" }).locator(".task-title").tap();
  await page.getByText("1 task selected").waitFor();
  await shot(page, "phone-select-dark");
  await page.getByText("Done", { exact: true }).tap();
  await page.locator(".task .select").first().waitFor({ state: "hidden" });
  assert.equal(await page.locator("#main [data-select]:checked").count(), 0);
  const stretch = page.locator(".task", { hasText: "Stretch" });
  await stretch.dispatchEvent("touchstart");
  await page.waitForTimeout(700);
  await stretch.dispatchEvent("touchend");
  await page.getByText("1 task selected").waitFor();
  assert.equal(await stretch.locator(".select").isChecked(), true);
  await page.getByText("Done", { exact: true }).tap();
  await page.locator(".task .select").first().waitFor({ state: "hidden" });
  // A tap on a row opens the detail as a full-screen sheet; its close button brings the list back.
  await page.locator(".task", { hasText: "Stretch" }).locator(".task-title").tap();
  const sheet = page.locator("aside.panel");
  await sheet.getByLabel("Title").waitFor();
  const sb = await sheet.boundingBox();
  assert.ok(sb.x === 0 && sb.width === 360, `the sheet is ${sb.x}+${sb.width}`);
  await scan(page, "phone panel");
  await shot(page, "phone-panel-dark");
  await sheet.getByLabel("Title").fill("Stretch for ten minutes");
  await sheet.getByRole("button", { name: "Save", exact: true }).tap();
  await page.locator(".task .task-title", { hasText: "Stretch for ten minutes" }).waitFor();
  await sheet.getByRole("link", { name: "Close the task" }).tap();
  await sheet.waitFor({ state: "hidden" });
  await page.waitForURL("**/all");
  noProblems(page);
  await page.context().close();
});

test("without JavaScript: quick add and complete are form posts", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light", javaScriptEnabled: false });
  await signup(page, "linus");
  await quickAdd(page, "Fix the bike today !high");
  await page.getByText("Added “Fix the bike”").waitFor();
  await page.locator(".task", { hasText: "Fix the bike" }).getByRole("button", { name: /Complete/ }).click();
  await page.getByText("Completed “Fix the bike”").waitFor();
  assert.equal(await page.locator(".task", { hasText: "Fix the bike" }).count(), 0);
  // The detail is its own page: save goes back to the list.
  await quickAdd(page, "Oil the chain tomorrow");
  await page.goto("/all");
  await page.locator(".task-title", { hasText: "Oil the chain" }).click();
  await page.waitForURL(/\/tasks\/[0-9a-f-]{36}\?back=/);
  await page.getByLabel("Title").fill("Oil the chain and the gears");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved “Oil the chain and the gears”").waitFor();
  assert.equal(new URL(page.url()).pathname, "/all");
  await page.context().close();
});

test("administrator: search, disable, enable", async () => {
  const page = await newPage({ ...desktop, colorScheme: "dark" });
  await page.goto("/login");
  await page.getByLabel("Username or email").fill("root");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/today");
  await page.getByRole("link", { name: "Administration" }).click();
  await page.getByLabel("Search accounts").fill("ada");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("button", { name: "Disable ada" }).click();
  await page.getByText("Saved ada.").waitFor();
  await page.getByRole("button", { name: "Enable ada" }).click();
  await page.getByText("Saved ada.").waitFor();
  await page.goto("/admin");
  await scan(page, "admin");
  await shot(page, "desktop-admin-dark");
  noProblems(page);
  await page.context().close();
});

test("password reset from the email, sessions, account deletion", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await signup(page, "margaret");
  await page.goto("/settings");
  await page.getByText("This device", { exact: true }).waitFor();
  await scan(page, "settings");
  await shot(page, "desktop-settings");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL("**/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill("margaret@example.com");
  await page.getByRole("button", { name: "Send the link" }).click();
  await page.getByText("we sent it a link").waitFor();
  await scan(page, "forgot-password");
  await page.goto(await mail("margaret@example.com", "Reset your taskapi password"));
  await scan(page, "reset-password");
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set the new password" }).click();
  await page.getByText("Your password is changed").waitFor();
  await page.getByLabel("Username or email").fill("margaret@example.com");
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/today");
  await page.goto("/settings");
  page.once("dialog", (d) => d.accept());
  await page.locator("#d-password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.getByText("Your account and its tasks are deleted").waitFor();
  const gone = await api("POST", "/auth/login", null, { username: "margaret", password: NEW_PASSWORD });
  assert.equal(gone.status, 401);
  noProblems(page);
  await page.context().close();
});
