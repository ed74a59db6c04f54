// Webhooks in the web app: add an endpoint, see its secret once, send a
// test event, read the delivery log; desktop light and dark, and a phone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { desktop, phone, newPage, noProblems, scan, shot, signup } from "./lib.mjs";

test("webhooks: add an endpoint, secret once, test event, log", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await signup(page, "hooky");
  await page.goto("/settings");
  await page.getByRole("link", { name: "Webhooks" }).click();
  await page.waitForURL("**/settings/webhooks");
  await scan(page, "webhooks (empty)");

  // A loopback URL is refused next to the field, and what was typed stays.
  await page.getByLabel("URL").fill("https://127.0.0.1/hook");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await assert.doesNotReject(page.getByText("must not point at a loopback").waitFor());
  assert.equal(await page.getByLabel("URL").inputValue(), "https://127.0.0.1/hook");

  await page.getByLabel("URL").fill("https://hooks.example.com/taskapi");
  await page.getByLabel("Description").fill("Zapier");
  await page.getByLabel("task.updated").uncheck();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const secret = (await page.locator("#hook-secret").textContent()).trim();
  assert.match(secret, /^whsec_/);
  await scan(page, "webhooks (secret shown)");
  await shot(page, "webhooks-secret");

  await page.goto("/settings/webhooks");
  assert.equal(await page.getByText(secret).count(), 0, "the secret is shown again");
  await page.getByRole("link", { name: "https://hooks.example.com/taskapi", exact: true }).click();
  await page.getByRole("button", { name: "Send a test event" }).click();
  await assert.doesNotReject(page.getByText("A test event is on its way").waitFor());
  await assert.doesNotReject(page.getByRole("cell", { name: "webhook.ping" }).waitFor());
  await scan(page, "webhook deliveries");
  await shot(page, "webhook-deliveries");

  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "webhook-deliveries-dark");
  noProblems(page);

  const small = await newPage({ ...phone, colorScheme: "dark" });
  await small.context().addCookies(await page.context().cookies());
  await small.goto(page.url());
  await shot(small, "webhook-deliveries-phone");
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the phone page scrolls sideways by ${overflow}px`);
  noProblems(small);
});
