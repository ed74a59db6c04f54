// Settings → Calendar: make the secret calendar address, copy it, the feed
// it serves, and turn it off; desktop light and phone dark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { desktop, phone, newPage, noProblems, scan, shot, signup, quickAdd } from "./lib.mjs";

test("calendar address: make, use, turn off", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await signup(page, "cato");
  await quickAdd(page, "Dentist tomorrow 10am");
  await page.goto("/settings");
  await page.getByRole("link", { name: "Calendar address" }).click();
  await page.getByText("You have no calendar address.").waitFor();
  await page.getByRole("button", { name: "Make a calendar address" }).click();
  const field = page.getByLabel("All your tasks with a due date");
  const addr = await field.inputValue();
  assert.match(addr, /\/calendar\/cal_[A-Za-z0-9]{43}\.ics$/);
  await page.getByRole("button", { name: "Copy" }).first().waitFor();
  await scan(page, "calendar address made");
  await shot(page, "desktop-calendar-new");
  // The feed answers at the address (on this server).
  const res = await page.request.get(new URL(addr).pathname);
  assert.equal(res.status(), 200);
  assert.match(await res.text(), /SUMMARY:Dentist/);
  // Turn it off, after a confirmation.
  await page.goto("/settings/calendar");
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Turn off" }).click();
  await page.getByText("Calendar address turned off.").waitFor();
  assert.equal((await page.request.get(new URL(addr).pathname)).status(), 404);
  noProblems(page);
  await page.context().close();
});

test("calendar address on a phone, dark", async () => {
  const page = await newPage({ ...phone, colorScheme: "dark" });
  await signup(page, "cata");
  await page.goto("/categories");
  await page.goto("/settings/calendar");
  await page.getByRole("button", { name: "Make a calendar address" }).click();
  await page.getByLabel("All your tasks with a due date").waitFor();
  await scan(page, "phone calendar address");
  await shot(page, "phone-dark-calendar");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page scrolls sideways (${width}px)`);
  noProblems(page);
  await page.context().close();
});
