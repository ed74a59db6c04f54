// Recurring tasks in the web app: quick add highlights a repeat phrase,
// rows carry a repeat mark, completing one in the list moves it to its
// next date (with a "Next: …" toast), and the task detail's Repeat
// section (picker, custom rule, from completion, skip, history); desktop
// light, and a phone in the dark theme.
import { test } from "node:test";
import assert from "node:assert/strict";
import { desktop, phone, newPage, noProblems, scan, shot, signup, quickAdd } from "./lib.mjs";

test("recurrence: quick add, the list, the repeat section", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await signup(page, "rory");

  // The repeat phrase is highlighted as it is typed, and said in words.
  const input = page.getByLabel("Add a task");
  await input.fill("Team sync every monday and thursday 9am");
  await page.locator("mark.qt-recurrence", { hasText: "every monday and thursday" }).waitFor();
  await page.locator(".token.repeat", { hasText: "Every week on Mon, Thu" }).waitFor();
  await page.locator(".quick-add").screenshot({ path: `${process.env.SCREENSHOTS || "screenshots"}/desktop-recurrence-quick-add.png` });
  await input.press("Enter");
  await page.waitForLoadState("load");
  await quickAdd(page, "Water the ferns every! 3 days");
  await quickAdd(page, "Pay the rent every month on the 15th");
  await quickAdd(page, "Buy milk tomorrow");

  await page.goto("/all");
  const sync = page.locator(".task", { hasText: "Team sync" });
  await sync.locator(".repeat-mark[title='Every week on Mon, Thu']").waitFor();
  assert.equal(await page.locator(".task", { hasText: "Buy milk" }).locator(".repeat-mark").count(), 0, "a plain task has a repeat mark");
  await scan(page, "list with recurring tasks");
  await shot(page, "desktop-recurrence-list");

  // Completing it in the list: the row stays, with its next date.
  const before = await sync.locator("time.due").getAttribute("datetime");
  await sync.getByRole("button", { name: "Complete “Team sync”" }).click();
  const toast = page.locator(".toast", { hasText: "Next:" });
  await toast.waitFor();
  assert.match(await toast.innerText(), /Completed “Team sync”\. Next: \w{3} \d{1,2} \w{3}/);
  await page.waitForFunction((b) => {
    const t = [...document.querySelectorAll(".task")].find((r) => r.textContent.includes("Team sync"));
    return t && t.querySelector("time.due").getAttribute("datetime") !== b;
  }, before);
  assert.equal(await sync.count(), 1, "the recurring row left the list");
  await shot(page, "desktop-recurrence-completed-row");
  // Undo puts it back on the date it had; completing it again moves it on.
  await toast.getByRole("button", { name: "Undo" }).click();
  await page.waitForFunction((b) => {
    const t = [...document.querySelectorAll(".task")].find((r) => r.textContent.includes("Team sync"));
    return t && t.querySelector("time.due").getAttribute("datetime") === b;
  }, before);
  await sync.getByRole("button", { name: "Complete “Team sync”" }).click();
  await page.locator(".toast", { hasText: "Next:" }).waitFor();
  await page.waitForFunction((b) => {
    const t = [...document.querySelectorAll(".task")].find((r) => r.textContent.includes("Team sync"));
    return t && t.querySelector("time.due").getAttribute("datetime") !== b;
  }, before);

  // The detail, in the side panel: the rule in words and the history.
  await page.getByRole("link", { name: "Team sync" }).click();
  const panel = page.locator("[data-task-detail]");
  await panel.getByRole("heading", { name: "Repeat" }).waitFor();
  await panel.locator(".repeat-words", { hasText: "Every week on Mon, Thu" }).waitFor();
  assert.equal(await panel.locator(".repeat-history li").count(), 1);
  // Mon and Thu is no preset: the picker shows the rule as a custom one.
  await panel.getByText("Change the repeat").click();
  assert.equal(await panel.getByLabel("Custom rule (RRULE)").inputValue(), "FREQ=WEEKLY;BYDAY=MO,TH");
  await scan(page, "task panel with a repeat");
  await shot(page, "desktop-recurrence-panel");

  // A preset, then a custom rule counted from completion.
  await panel.getByLabel("Repeats").selectOption("weekdays");
  await panel.getByRole("button", { name: "Save repeat" }).click();
  await panel.locator(".repeat-words", { hasText: "Every weekday" }).waitFor();
  await panel.getByText("Change the repeat").click();
  assert.equal(await panel.locator("[data-repeat-custom]").isVisible(), false, "the custom rule field shows for a preset");
  await panel.getByLabel("Repeats").selectOption("custom");
  await panel.getByLabel("Custom rule (RRULE)").fill("FREQ=MONTHLY;BYDAY=-1FR");
  await panel.getByLabel("when I complete it").check();
  await panel.getByRole("button", { name: "Save repeat" }).click();
  await panel.locator(".repeat-words", { hasText: "Monthly on the last Friday after completion" }).waitFor();
  // A rule that is not allowed says why and changes nothing.
  await panel.getByText("Change the repeat").click();
  await panel.getByLabel("Custom rule (RRULE)").fill("FREQ=HOURLY");
  await panel.getByRole("button", { name: "Save repeat" }).click();
  await page.locator(".toast", { hasText: "That repeat is not possible" }).waitFor();
  await panel.locator(".repeat-words", { hasText: "Monthly on the last Friday" }).waitFor();

  // Skip this occurrence.
  const due = await panel.locator("input[name=occurrence]").inputValue();
  await panel.getByRole("button", { name: "Skip this occurrence" }).click();
  await page.locator(".toast", { hasText: "Skipped. Next:" }).waitFor();
  await page.waitForFunction((d) => document.querySelector("[data-task-detail] input[name=occurrence]")?.value !== d, due);
  await page.evaluate(() => document.querySelectorAll(".toast").forEach((t) => t.remove()));
  await panel.locator(".recurrence-section").scrollIntoViewIfNeeded();
  await panel.locator(".recurrence-section").screenshot({ path: `${process.env.SCREENSHOTS || "screenshots"}/desktop-recurrence-section.png` });
  noProblems(page);
  await page.context().close();
});

test("recurrence on a phone, dark", async () => {
  const page = await newPage({ ...phone, colorScheme: "dark" });
  await signup(page, "remy");
  await quickAdd(page, "Stretch every weekday 7am");
  await quickAdd(page, "Call grandma every sunday 6pm");
  await page.goto("/all");
  await page.locator(".repeat-mark").first().waitFor();
  await scan(page, "phone list with recurring tasks");
  await shot(page, "phone-dark-recurrence-list");
  await page.getByRole("link", { name: "Stretch" }).click();
  const detail = page.locator("[data-task-detail]");
  await detail.getByRole("heading", { name: "Repeat" }).waitFor();
  await detail.locator(".repeat-words", { hasText: "Every weekday" }).waitFor();
  await detail.getByText("Change the repeat").click();
  await detail.getByLabel("Repeats").selectOption("custom");
  await detail.getByLabel("Custom rule (RRULE)").waitFor();
  await detail.locator(".recurrence-section").scrollIntoViewIfNeeded();
  await scan(page, "phone repeat section");
  await detail.locator(".recurrence-section").screenshot({ path: `${process.env.SCREENSHOTS || "screenshots"}/phone-dark-recurrence-section.png` });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page scrolls sideways (${width}px)`);
  noProblems(page);
  await page.context().close();
});
