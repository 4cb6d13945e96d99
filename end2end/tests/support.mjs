// Starts the release binary on a free port with a fresh SQLite store and opens headless Debian Chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

export const SYSADMIN = "sysadmin@e2e.test";
export const SYSADMIN_PASSWORD = "e2e-sysadmin-pass";
const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(here, "..", "artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

export async function startServer() {
  const bin = process.env.THINGDECK_BIN ?? join(here, "..", "..", "target", "release", "thingdeck");
  const dir = mkdtempSync(join(tmpdir(), "thingdeck-e2e-"));
  const proc = spawn(bin, ["serve"], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      THINGDECK_DATABASE_URL: `sqlite:${dir}/td.db`,
      THINGDECK_LISTEN: "127.0.0.1:0",
      THINGDECK_SYSADMIN_EMAIL: SYSADMIN,
      THINGDECK_SYSADMIN_PASSWORD: SYSADMIN_PASSWORD,
      THINGDECK_LOG: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("server did not start")), 30000);
    proc.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    base,
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.on("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/// Collects console warnings and errors so tests can assert hydration ran clean.
export function watchConsole(page) {
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "warning" || m.type() === "error") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

export async function hydrated(page) {
  await page.waitForSelector("body[data-hydrated='1']", { timeout: 20000 });
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/// Calls the REST API (GET without a body, POST with one); fails the test on an error status.
export async function api(base, path, token, body) {
  const r = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(token ? { "x-authorization": `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${path}: ${r.status} ${text}`);
  return text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text;
}

/// A tenant with an activated administrator, made over the REST API; answers the administrator's token.
export async function tenantAdmin(base, title, email, password) {
  const sys = (await api(base, "/api/auth/login", null, { username: SYSADMIN, password: SYSADMIN_PASSWORD })).token;
  const tenant = await api(base, "/api/tenant", sys, { title });
  const admin = await api(base, "/api/user?sendActivationMail=false", sys, {
    email, authority: "TENANT_ADMIN", tenantId: tenant.id, firstName: "Ada",
  });
  const link = await api(base, `/api/user/${admin.id.id}/activationLink`, sys);
  const activateToken = link.split("activateToken=")[1];
  return (await api(base, "/api/noauth/activate", null, { activateToken, password })).token;
}

/// Signs in through the console's login page and waits for the console.
export async function signIn(page, base, email, password) {
  await page.goto(`${base}/login`);
  await hydrated(page);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button:has-text('Sign in')");
  await page.waitForSelector("[data-testid=home-title]");
}
