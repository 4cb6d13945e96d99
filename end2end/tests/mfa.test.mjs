// A tenant administrator with an authenticator app signs in to the console: password, then the code; the console
// appears only after the code. The code is computed here like a phone would (RFC 6238, SHA-1, 30 s).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startServer, launch, watchConsole, hydrated, shot, api, tenantAdmin } from "./support.mjs";

function totp(authUrl, atSeconds) {
  const secret = new URL(authUrl).searchParams.get("secret");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atSeconds / 30)));
  const d = createHmac("sha1", key).update(counter).digest();
  const o = d[d.length - 1] & 0x0f;
  return String((d.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

test("a second factor is asked for before the console opens", async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const ada = await tenantAdmin(srv.base, "Two Step Co", "ada@twostep.io", "ada-two-step");
    const config = await api(srv.base, "/api/2fa/account/config/generate?providerType=TOTP", ada, {});
    const now = Date.now() / 1000;
    await api(srv.base, `/api/2fa/account/config?verificationCode=${totp(config.authUrl, now)}`, ada, config);

    const page = await (await browser.newContext()).newPage();
    const problems = watchConsole(page);
    await page.goto(`${srv.base}/login`);
    await hydrated(page);
    await page.fill("#email", "ada@twostep.io");
    await page.fill("#password", "ada-two-step");
    await page.click("button:has-text('Sign in')");
    await page.waitForURL(/\/login\/mfa$/);
    await page.waitForSelector("text=Two-step verification");
    await shot(page, "07-mfa");
    await page.fill("#code", "000000");
    await page.click("button:has-text('Verify')");
    await page.waitForSelector("text=Verification code is incorrect");
    await page.fill("#code", totp(config.authUrl, Date.now() / 1000 + 30));
    await page.click("button:has-text('Verify')");
    await page.waitForSelector("[data-testid=home-title]");
    assert.equal(await page.textContent("[data-testid=home-title]"), "Tenant console");

    // The profile page: fresh backup codes, shown once.
    await page.click("nav >> text=Profile");
    await page.waitForURL(/\/profile$/);
    await page.waitForSelector("[data-testid=two-step-status] >> text=On");
    await page.click("button:has-text('New backup codes')");
    await page.waitForSelector("[data-testid=backup-codes] li");
    assert.equal(await page.locator("[data-testid=backup-codes] li").count(), 10);
    await shot(page, "08-profile-backup-codes");

    // Off (after the confirm dialog), then on again from the page: scan (here: read the key), confirm with a code.
    for (let round = 0; round < 2; round++) {
      await page.click("button[aria-haspopup=dialog]:has-text('Turn off')");
      await page.click("dialog[open] button[type=submit]:has-text('Turn off')");
      await page.waitForSelector("[data-testid=two-step-status] >> text=Off");
      await page.click("button:has-text('Set up an authenticator app')");
      const key = await page.locator("[data-testid=totp-secret]").textContent();
      const url = `otpauth://totp/x:y?secret=${key}`;
      await page.fill("#code", totp(url, Date.now() / 1000));
      await page.click("button:has-text('Turn on')");
      await page.waitForSelector("[data-testid=two-step-status] >> text=On");
      assert.equal(await page.locator("[data-testid=totp-secret]").count(), 0, "the key is gone once confirmed");
    }
    // The one expected complaint is the browser noting the refused wrong code (HTTP 400).
    assert.deepEqual(problems.filter((p) => !p.includes("status of 400")), []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
