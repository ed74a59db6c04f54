// Reminders in the web app: the section of the task detail (add from a
// preset or a time, remove), a reminder going off while a page is open
// (the page polls /notifications and shows it as a notice linking to the
// task, dismissable), and the reminder settings; desktop, phone and dark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, desktop, phone, newPage, noProblems, scan, shot, api, signup, quickAdd } from "./lib.mjs";

// local formats a Date as a datetime-local value in Europe/Paris (the
// pages' zone: newPage sets it, sign-up takes it from the browser).
function local(d) {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

test("reminders: the editor, a notice when one goes off, the settings", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await signup(page, "rita");
  await quickAdd(page, "Water the plants tomorrow 9am");
  await quickAdd(page, "Renew the passport");

  // The editor, in the side panel.
  await page.goto("/all");
  await page.getByRole("link", { name: "Water the plants" }).click();
  const panel = page.locator("[data-task-detail]");
  await panel.getByRole("heading", { name: "Reminders" }).waitFor();
  await panel.getByLabel("Remind me", { exact: true }).selectOption("-PT30M");
  await panel.getByRole("button", { name: "Add reminder" }).click();
  await panel.getByText("30 minutes before due").waitFor();
  await panel.getByLabel("Remind me", { exact: true }).selectOption("-P1D");
  await panel.getByRole("button", { name: "Add reminder" }).click();
  await panel.getByText("1 day before due").waitFor();
  await scan(page, "task panel with reminders");
  await shot(page, "desktop-reminders-panel");
  // Remove one.
  await panel.getByRole("button", { name: "Remove the reminder 1 day before due" }).click();
  await panel.getByText("1 day before due").waitFor({ state: "detached" });
  await panel.getByText("30 minutes before due").waitFor();

  // A task without a due date: a time only; one in a few seconds goes off
  // while the page is open.
  await page.goto("/all");
  await page.getByRole("link", { name: "Renew the passport" }).click();
  await panel.getByRole("heading", { name: "Reminders" }).waitFor();
  assert.equal(await panel.getByLabel("Remind me", { exact: true }).count(), 0, "no offsets without a due date");
  const nextWeek = new Date(Date.now() + 7 * 24 * 3600_000);
  await panel.getByLabel("Remind me at").fill(local(nextWeek));
  await panel.getByRole("button", { name: "Add reminder" }).click();
  await panel.getByText("At a set time").waitFor();
  const id = page.url().match(/\/tasks\/([0-9a-f-]{36})/)[1];

  // Through the API, one a few seconds on (a time already past when set
  // would be skipped): it goes off while a page is open. The page looks on
  // load and every 30 s; reloading shows it sooner.
  const login = await api("POST", "/auth/login", "", { username: "rita", password: PASSWORD });
  assert.equal(login.status, 200);
  const set = await api("PATCH", `/tasks/${id}`, login.body.access_token, { reminders: [{ at: new Date(Date.now() + 5000).toISOString() }] });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  await page.goto("/today");
  const notice = page.locator(".toast.notice", { hasText: "Renew the passport" });
  for (let i = 0; i < 40 && (await notice.count()) === 0; i++) {
    await page.waitForTimeout(1000);
    await page.reload();
    await page.waitForLoadState("networkidle");
  }
  await notice.waitFor();
  await scan(page, "today with a reminder notice");
  await shot(page, "desktop-reminder-notice");
  // The link leads to the task; dismissing marks it read (it does not come back).
  assert.match(await notice.getByRole("link").getAttribute("href"), /^\/tasks\/[0-9a-f-]{36}$/);
  await notice.getByRole("button", { name: "Dismiss the reminder for Renew the passport" }).click();
  await assert.doesNotReject(notice.waitFor({ state: "detached" }));
  await page.waitForLoadState("networkidle");
  await page.reload();
  await page.waitForLoadState("networkidle");
  assert.equal(await page.locator(".toast.notice").count(), 0, "a dismissed notice came back");

  // Settings.
  await page.goto("/settings");
  await page.getByLabel("Email me when a reminder goes off").uncheck();
  await page.getByLabel("Daily digest").selectOption("7");
  await page.getByRole("button", { name: "Save reminder settings" }).click();
  await page.getByText("Reminder settings saved.").waitFor();
  assert.equal(await page.getByLabel("Email me when a reminder goes off").isChecked(), false);
  assert.equal(await page.getByLabel("Daily digest").inputValue(), "7");
  await scan(page, "settings with reminders");
  await page.locator("#reminders-h").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${process.env.SCREENSHOTS || "screenshots"}/desktop-reminder-settings.png` });
  noProblems(page);
  await page.context().close();
});

test("reminders on a phone, dark", async () => {
  const page = await newPage({ ...phone, colorScheme: "dark" });
  await signup(page, "remi");
  await quickAdd(page, "Pay the rent tomorrow 8am");
  await page.goto("/all");
  await page.getByRole("link", { name: "Pay the rent" }).click();
  const detail = page.locator("[data-task-detail]");
  await detail.getByLabel("Remind me", { exact: true }).selectOption("-PT1H");
  await detail.getByRole("button", { name: "Add reminder" }).click();
  await detail.getByText("1 hour before due").waitFor();
  await detail.getByRole("heading", { name: "Reminders" }).scrollIntoViewIfNeeded();
  await scan(page, "phone reminders");
  await detail.locator(".reminders-section").screenshot({ path: `${process.env.SCREENSHOTS || "screenshots"}/phone-dark-reminders.png` });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page scrolls sideways (${width}px)`);
  noProblems(page);
  await page.context().close();
});
