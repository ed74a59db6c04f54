// Shared by every browser test file (*.test.mjs): the browser, pages that
// fail on script errors, the axe scan, screenshots, the emails the server
// sent (MAIL_URL), the API, and the common steps of a person (sign up,
// quick add). e2e_test.go serves the app and runs each file on each engine.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const BASE = process.env.BASE_URL;
const MAIL = process.env.MAIL_URL;
export const SHOTS = process.env.SCREENSHOTS || "screenshots";
mkdirSync(SHOTS, { recursive: true });

export const PASSWORD = "a calm purple otter 42";
export const NEW_PASSWORD = "another quiet green heron 7";
export const desktop = { viewport: { width: 1280, height: 820 } };
export const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run"],
  });
});
after(async () => { await browser?.close(); });

// newPage opens a page that fails the test on any CSP violation or
// script error.
export async function newPage(opts) {
  const ctx = await browser.newContext({ baseURL: BASE, timezoneId: "Europe/Paris", locale: "en-GB", ...opts });
  const page = await ctx.newPage();
  page.problems = [];
  page.on("console", (m) => { if (m.type() === "error") { page.problems.push(m.text()); } });
  page.on("pageerror", (e) => page.problems.push(String(e)));
  return page;
}

export function noProblems(page) {
  assert.deepEqual(page.problems.filter((p) => !p.includes("Failed to load resource")), [], "console errors or CSP violations");
}

// scan runs axe on the page as it is; serious and critical violations fail.
export async function scan(page, name) {
  await page.evaluate(axeSource);
  const res = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = res.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`), [], `axe on ${name}`);
}

export async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

// mail returns the path of the link in the email to `to` whose subject
// contains `subject` (the skip-th such email).
export async function mail(to, subject, skip = 0) {
  const res = await fetch(`${MAIL}?to=${encodeURIComponent(to)}&subject=${encodeURIComponent(subject)}&skip=${skip}`);
  assert.equal(res.status, 200, `no email "${subject}" to ${to}`);
  const { link } = await res.json();
  return new URL(link).pathname + new URL(link).search;
}

export async function api(method, path, token, body) {
  const res = await fetch(BASE + "/api/v1" + path, {
    method, headers: { "Content-Type": "application/json", ...(token ? { Authorization: "Bearer " + token } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, etag: res.headers.get("etag") };
}

export async function signup(page, name) {
  await page.goto("/signup");
  await page.getByLabel("Email").fill(`${name}@example.com`);
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/today");
}

export async function quickAdd(page, text) {
  const input = page.getByLabel("Add a task");
  await input.fill(text);
  await input.press("Enter");
  await page.waitForLoadState("load");
}
