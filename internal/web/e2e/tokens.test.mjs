// Personal access tokens in the web app (Settings → Access tokens): make
// one, see its secret once and copy it, use it on the API within its
// scopes, find it listed without the secret, revoke it; a refused form on
// a phone in dark mode; the whole page without JavaScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { desktop, phone, newPage, noProblems, scan, shot, api, signup } from "./lib.mjs";

test("tokens: create, copy, use, revoke (desktop, light)", async () => {
  const page = await newPage({ ...desktop, colorScheme: "light" });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await signup(page, "tokenada");
  await page.goto("/settings");
  await page.getByRole("link", { name: "Manage access tokens" }).click();
  await page.getByRole("heading", { name: "Access tokens", level: 1 }).waitFor();
  await page.getByText("No tokens yet").waitFor();
  await scan(page, "tokens-empty");

  await page.getByLabel("Name", { exact: true }).fill("Backup script");
  await page.getByLabel("See your tasks").check();
  await page.getByLabel("See your categories").check();
  await page.getByLabel("90 days").check();
  await page.getByRole("button", { name: "Create token" }).click();
  await page.getByRole("heading", { name: "Copy your new token now" }).waitFor();
  await page.getByText("You won’t be able to see it again.").waitFor();
  const secret = await page.locator("#new-token-secret").inputValue();
  assert.match(secret, /^tapi_[0-9A-Za-z]{43}$/);
  await page.getByRole("button", { name: "Copy" }).click();
  await page.getByRole("button", { name: "Copied" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await scan(page, "tokens-new");
  await shot(page, "desktop-tokens-new");

  // The token works within its scopes only.
  assert.equal((await api("GET", "/tasks", secret)).status, 200);
  assert.equal((await api("POST", "/tasks", secret, { title: "nope" })).status, 403);
  assert.equal((await api("GET", "/users/me", secret)).status, 403);

  // Listed, used, never shown again.
  await page.goto("/settings/tokens");
  assert.equal(await page.getByText(secret).count(), 0);
  assert.equal((await page.content()).includes(secret), false);
  const row = page.locator(".tokens li", { hasText: "Backup script" });
  await row.getByText(/Last used/).waitFor();
  await row.getByText("tasks:read, categories:read").waitFor();
  await row.getByText(/Expires/).waitFor();
  await shot(page, "desktop-tokens-list");

  // Revoke, after a confirmation.
  page.once("dialog", (d) => d.accept());
  await row.getByRole("button", { name: "Revoke “Backup script”" }).click();
  await page.getByText("Token “Backup script” revoked.").waitFor();
  assert.equal((await api("GET", "/tasks", secret)).status, 401);
  await page.getByText("No tokens yet").waitFor();
  noProblems(page);
});

test("tokens: a refused form, then a token (phone, dark)", async () => {
  const page = await newPage({ ...phone, colorScheme: "dark" });
  await signup(page, "tokenphone");
  await page.goto("/settings/tokens");
  await page.getByLabel("Name", { exact: true }).fill("Shortcut");
  await page.getByRole("button", { name: "Create token" }).click();
  await page.getByText("Choose at least one thing the token may do.").waitFor();
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "Shortcut");
  await scan(page, "tokens-error-phone");
  await shot(page, "phone-tokens-error-dark");
  await page.getByLabel("Create, change and delete your tasks").check();
  await page.getByLabel("No expiry").check();
  await page.getByRole("button", { name: "Create token" }).click();
  await page.getByRole("heading", { name: "Copy your new token now" }).waitFor();
  await page.getByText("It never expires.").waitFor();
  const secret = await page.locator("#new-token-secret").inputValue();
  assert.equal((await api("POST", "/tasks", secret, { title: "From my phone" })).status, 201);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, "the page scrolls sideways");
  await scan(page, "tokens-new-phone");
  await shot(page, "phone-tokens-new-dark");
  noProblems(page);
});

test("tokens: without JavaScript", async () => {
  const page = await newPage({ ...desktop, javaScriptEnabled: false });
  await signup(page, "tokennojs");
  await page.goto("/settings/tokens");
  await page.getByLabel("Name", { exact: true }).fill("Cron job");
  await page.getByLabel("See your name, username, email and time zone").check();
  await page.getByRole("button", { name: "Create token" }).click();
  await page.getByRole("heading", { name: "Copy your new token now" }).waitFor();
  // No copy button without a script: the field itself is there to select.
  assert.equal(await page.getByRole("button", { name: "Copy" }).count(), 0);
  const secret = await page.locator("#new-token-secret").inputValue();
  assert.equal((await api("GET", "/users/me", secret)).status, 200);
  await shot(page, "nojs-tokens-new");
  await page.goto("/settings/tokens");
  await page.locator(".tokens li", { hasText: "Cron job" }).getByRole("button", { name: /Revoke/ }).click();
  await page.getByText("Token “Cron job” revoked.").waitFor();
  assert.equal((await api("GET", "/users/me", secret)).status, 401);
});
