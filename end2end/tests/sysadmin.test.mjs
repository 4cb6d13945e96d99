// Log in as the system administrator → create a tenant → create its administrator → open the activation link →
// set a password → land in the console. Then the same pages without JavaScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, watchConsole, hydrated, shot, SYSADMIN, SYSADMIN_PASSWORD } from "./support.mjs";

test("sysadmin creates a tenant administrator who activates and lands in the console", async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await ctx.newPage();
    const problems = watchConsole(page);

    await page.goto(`${srv.base}/`);
    await page.waitForURL(/\/login$/);
    await hydrated(page);
    await shot(page, "01-login");
    // Keyboard only: the email field has focus, Tab to the password, Enter submits.
    await page.focus("#email");
    await page.keyboard.type(SYSADMIN);
    await page.keyboard.press("Tab");
    await page.keyboard.type(SYSADMIN_PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=home-title]");
    assert.equal(await page.textContent("[data-testid=home-title]"), "System administration");

    await page.click("nav >> text=Tenants");
    await page.waitForURL(/\/tenants/);
    await page.fill("#title", "Browser Corp");
    await page.fill("#temail", "ops@browser.io");
    await page.click("button:has-text('Add tenant')");
    await page.waitForSelector("[data-testid=tenants-table] >> text=Browser Corp");
    await shot(page, "02-tenants");

    await page.click("[data-testid=tenants-table] >> text=Browser Corp");
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    await page.waitForSelector("text=Add tenant administrator");
    await page.fill("#aemail", "ada@browser.io");
    await page.fill("#first", "Ada");
    await page.fill("#last", "Lovelace");
    await page.click("button:has-text('Add administrator')");
    const linkField = page.locator("[data-testid=activation-link]").first();
    await linkField.waitFor();
    const link = await linkField.inputValue();
    assert.match(link, /\/api\/noauth\/activate\?activateToken=/);
    await page.click("button:has-text('Copy')");
    await page.waitForSelector("button:has-text('Copied')");
    await page.waitForSelector("[data-testid=admins-table] >> text=ada@browser.io");
    await shot(page, "03-tenant-admin-created");

    await page.click("button:has-text('Sign out')");
    await page.waitForURL(/\/login$/);

    // The new administrator opens the link in a fresh browser.
    const ada = await (await browser.newContext()).newPage();
    const adaProblems = watchConsole(ada);
    await ada.goto(link);
    await ada.waitForURL(/\/login\/createPassword\?activateToken=/);
    await hydrated(ada);
    await ada.waitForSelector("#policy");
    await shot(ada, "04-create-password");
    await ada.fill("#password", "ada-browser-pass");
    await ada.fill("#confirm", "ada-browser-pass");
    await ada.click("button:has-text('Set password and sign in')");
    await ada.waitForSelector("[data-testid=home-title]");
    assert.equal(await ada.textContent("[data-testid=home-title]"), "Tenant console");
    assert.equal(await ada.textContent("[data-testid=whoami]"), "Ada Lovelace");
    assert.equal(await ada.locator("nav >> text=Tenants").count(), 0, "no tenants menu for a tenant administrator");
    await shot(ada, "05-tenant-console");

    // Hydration ran without a single console warning or error (mismatches, panics, failed loads).
    assert.deepEqual([...problems, ...adaProblems], []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});

test("pages render their data without JavaScript", async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/login`);
    await page.fill("#email", SYSADMIN);
    await page.fill("#password", SYSADMIN_PASSWORD);
    await page.click("button:has-text('Sign in')");
    await page.waitForSelector("[data-testid=home-title]");
    await page.goto(`${srv.base}/tenants`);
    await page.fill("#title", "NoJS Corp");
    await page.click("button:has-text('Add tenant')");
    await page.goto(`${srv.base}/tenants?q=nojs`);
    await page.waitForSelector("[data-testid=tenants-table] >> text=NoJS Corp");
    await shot(page, "06-tenants-nojs");
  } finally {
    await browser.close();
    await srv.stop();
  }
});
