// A tenant administrator on the users page: views the console as a customer's user ("Log in as user"), sees the
// banner, comes back to its own account, then disables the user.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, watchConsole, shot, api, tenantAdmin, signIn } from "./support.mjs";

test("log in as a customer's user and come back", async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const ada = await tenantAdmin(srv.base, "Kiosks", "ada@kiosks.io", "ada-kiosks-pass");
    const shop = await api(srv.base, "/api/customer", ada, { title: "Shop" });
    const bob = await api(srv.base, "/api/user?sendActivationMail=false", ada, {
      email: "bob@shop.io", authority: "CUSTOMER_USER", customerId: shop.id, firstName: "Bob",
    });
    const link = await api(srv.base, `/api/user/${bob.id.id}/activationLink`, ada);
    await api(srv.base, "/api/noauth/activate", null, { activateToken: link.split("activateToken=")[1], password: "bob-shop-pass" });

    const page = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
    const problems = watchConsole(page);
    await signIn(page, srv.base, "ada@kiosks.io", "ada-kiosks-pass");
    await page.click("nav >> text=Users");
    await page.waitForURL(/\/users$/);
    const row = page.locator("[data-testid=users-table] tr", { hasText: "bob@shop.io" });
    await row.waitFor();
    assert.match(await row.textContent(), /Shop/);
    assert.equal(await page.locator("[data-testid=users-table] tr", { hasText: "ada@kiosks.io" }).locator("button").count(), 0);
    await shot(page, "20-users");

    await row.locator("button:has-text('Log in as user')").click();
    await page.waitForSelector("[data-testid=viewing-as]");
    assert.match(await page.textContent("[data-testid=viewing-as]"), /Viewing as bob@shop\.io — signed in by ada@kiosks\.io/);
    assert.equal(await page.textContent("[data-testid=whoami]"), "Bob");
    await shot(page, "21-viewing-as");
    await page.click("button:has-text('Back to my account')");
    await page.waitForSelector("[data-testid=home-title]");
    assert.equal(await page.locator("[data-testid=viewing-as]").count(), 0);
    assert.equal(await page.textContent("[data-testid=whoami]"), "Ada");

    await page.click("nav >> text=Users");
    const again = page.locator("[data-testid=users-table] tr", { hasText: "bob@shop.io" });
    await again.locator("button:has-text('Disable')").click();
    await page.waitForSelector("text=Saved.");
    await again.locator("text=Disabled").waitFor();
    assert.equal(await again.locator("button:has-text('Log in as user')").count(), 0, "nobody views a disabled account");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
