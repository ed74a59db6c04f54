// Tags in the web app: make them on the tags page, type @name in quick add
// (highlighted as you type), see the chips on the rows, filter a list by a
// click on one and undo the filter by its ×, add a tag in the side panel
// (a new one made on the spot, with Enter) and remove one; the sidebar's
// Tags; a phone in dark mode; the tags page without JavaScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, desktop, phone, newPage, noProblems, scan, shot, api, signup, quickAdd } from "./lib.mjs";

async function login(name) {
  const r = await api("POST", "/auth/login", "", { username: name, password: PASSWORD });
  assert.equal(r.status, 200);
  return r.body.access_token;
}

// seed gives a user a few tags and tagged tasks through the API, so the
// screenshots show a list as it looks after a week of use.
async function seed(token) {
  const tags = {};
  for (const [name, color] of [["errand", "#0891B2"], ["Deep focus", "#7C3AED"], ["waiting", "#D97706"], ["home", "#16A34A"]]) {
    const r = await api("POST", "/tags", token, { name, color });
    assert.equal(r.status, 201);
    tags[name] = r.body.id;
  }
  const due = new Date(Date.now() + 26 * 3600 * 1000).toISOString();
  for (const [title, names, extra] of [
    ["Renew the passport", ["errand", "waiting"], { priority: "HIGH", due_date: due }],
    ["Draft the quarterly plan", ["Deep focus"], { priority: "URGENT" }],
    ["Fix the dripping tap", ["home"], {}],
    ["Return the library books", ["errand"], { due_date: due }],
    ["Read the design review", [], {}],
  ]) {
    const r = await api("POST", "/tasks", token, { title, tag_ids: names.map((n) => tags[n]), ...extra });
    assert.equal(r.status, 201);
  }
  return tags;
}

test("tags: quick add, chips, filter, side panel (desktop)", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await signup(page, "tagdesk");
  await seed(await login("tagdesk"));

  // The sidebar lists the tags; quick add highlights @errand as you type.
  await page.goto("/all");
  await page.locator("#sidebar .side-tags").getByRole("link", { name: "errand" }).waitFor();
  const input = page.getByLabel("Add a task");
  await input.fill("Buy stamps @errand tomorrow");
  await page.locator(".qt-tag").waitFor();
  await page.locator("#quick-tokens .token.tag", { hasText: "@errand" }).waitFor();
  await shot(page, "desktop-tags-quick-add");
  await input.press("Enter");
  const row = page.locator("#main .task", { hasText: "Buy stamps" });
  await row.locator(".tag-chip", { hasText: "errand" }).waitFor();
  assert.equal(await row.locator(".task-title").innerText(), "Buy stamps");
  await scan(page, "list with tag chips");
  await shot(page, "desktop-tags-list");

  // A click on a chip filters the list; the × on the active filter undoes it.
  await row.locator(".tag-chip", { hasText: "errand" }).click();
  await page.waitForURL(/[?&]tag=/);
  await page.locator(".active-filters .filter-chip", { hasText: "errand" }).waitFor();
  const titles = await page.locator("#main .task .task-title").allInnerTexts();
  assert.deepEqual(titles.sort(), ["Buy stamps", "Renew the passport", "Return the library books"]);
  await scan(page, "list filtered by a tag");
  await shot(page, "desktop-tags-filtered");
  await page.getByRole("link", { name: "errand (stop filtering by this tag)" }).click();
  await page.locator("#main .task", { hasText: "Fix the dripping tap" }).waitFor();
  assert.equal(await page.locator(".active-filters").count(), 0);

  // The side panel: add a new tag with Enter, focus stays; remove one.
  await page.getByRole("link", { name: "Fix the dripping tap" }).click();
  const panel = page.locator("[data-task-detail]");
  await panel.getByRole("heading", { name: "Tags" }).waitFor();
  const field = panel.getByLabel("Add a tag");
  await field.fill("weekend");
  await field.press("Enter");
  await panel.locator(".tag-item", { hasText: "weekend" }).waitFor();
  assert.match(await page.evaluate(() => document.activeElement && document.activeElement.id), /^tag-new-/, "focus stays in the field");
  await page.locator("#main .task", { hasText: "Fix the dripping tap" }).locator(".tag-chip", { hasText: "weekend" }).waitFor();
  await scan(page, "task panel with tags");
  await shot(page, "desktop-tags-panel");
  await panel.getByRole("button", { name: "Remove the tag home" }).click();
  await panel.locator(".tag-item", { hasText: "home" }).waitFor({ state: "detached" });
  await page.locator("#main .task", { hasText: "Fix the dripping tap" }).locator(".tag-chip", { hasText: "home" }).waitFor({ state: "detached" });

  // Dark theme: the same list, for contrast.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/all");
  await scan(page, "list with tag chips, dark");
  await shot(page, "desktop-tags-list-dark");
  noProblems(page);
  await page.context().close();
});

test("tags: the tags page and a filtered list on a phone, dark", async () => {
  const page = await newPage({ ...phone, colorScheme: "dark" });
  await signup(page, "tagphone");
  const tags = await seed(await login("tagphone"));
  await page.goto("/tags");
  await page.getByRole("heading", { name: "Tags", level: 1 }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill("errand");
  await page.getByRole("button", { name: "Create tag" }).click();
  await page.getByText("You already have a tag with this name.").waitFor();
  await page.getByLabel("Name", { exact: true }).fill("calls");
  await page.getByRole("button", { name: "Create tag" }).click();
  await page.getByText("Created “calls”.").waitFor();
  await scan(page, "tags page on a phone");
  await shot(page, "phone-tags-page-dark");
  let width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the tags page scrolls sideways (${width}px)`);

  await page.goto(`/all?tag=${tags.errand}`);
  await page.locator(".active-filters .filter-chip", { hasText: "errand" }).waitFor();
  assert.equal(await page.locator("#main .task").count(), 2);
  await scan(page, "filtered list on a phone");
  await shot(page, "phone-tags-filtered-dark");
  await page.getByRole("link", { name: "Renew the passport" }).click();
  await page.locator(".tags-section .tag-item", { hasText: "waiting" }).waitFor();
  await page.locator(".tags-section").screenshot({ path: `${process.env.SCREENSHOTS || "screenshots"}/phone-tags-detail-dark.png` });
  width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the task scrolls sideways (${width}px)`);
  noProblems(page);
  await page.context().close();
});

test("tags: rename, recolour and delete without JavaScript", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light", javaScriptEnabled: false });
  await signup(page, "tagnojs");
  await quickAdd(page, "Call the bank");
  await page.goto("/all");
  await page.getByRole("link", { name: "Call the bank" }).click();
  await page.waitForURL(/\/tasks\//);
  await page.getByLabel("Add a tag").fill("calls");
  await page.locator(".tag-add").getByRole("button", { name: "Add" }).click();
  await page.getByText("Created the tag “calls” and added it.").waitFor();

  await page.goto("/tags");
  await shot(page, "desktop-tags-page-nojs");
  await page.getByLabel("Name of calls").fill("Phone calls");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved “Phone calls”.").waitFor();
  await page.goto("/all");
  await page.locator(".task", { hasText: "Call the bank" }).locator(".tag-chip", { hasText: "Phone calls" }).waitFor();
  await page.goto("/tags");
  await page.getByRole("button", { name: "Delete Phone calls" }).click();
  await page.getByText("Deleted “Phone calls”; its tasks are kept, without it.").waitFor();
  await page.goto("/all");
  await page.getByRole("link", { name: "Call the bank" }).waitFor();
  assert.equal(await page.locator(".tag-chip").count(), 0);
  noProblems(page);
  await page.context().close();
});
