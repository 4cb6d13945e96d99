// The "share a dashboard with customers" lesson by clicking: a customer group with Customer A and B, devices
// moved to their owners (one into a device group made for the customer on the way), an office asset per
// customer, a building asset group and a dashboard group shared read-only with both, a device's access token.
// Then each customer's user, added with the dashboard as its full-screen default and activated through its
// link, sees exactly its own devices and assets and the shared ones. Last, every page of the lesson renders its
// data with JavaScript disabled. Screenshots of each page go to end2end/artifacts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, watchConsole, hydrated, shot, tenantAdmin, signIn, api } from "./support.mjs";

const rows = (page) => page.locator("[data-testid=things-table] tbody tr");

async function until(what, check) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}
const names = async (page) => (await rows(page).locator("td:first-child").allTextContents()).sort();

async function section(page, label, path) {
  await page.click(`header nav >> text=${label}`);
  await page.waitForURL(new RegExp(`${path}$`));
}

async function newGroup(page, name) {
  await page.fill("#gname", name);
  await page.click("button:has-text('Create group')");
  await page.waitForSelector(`[data-testid=group-tabs] >> text=${name}`);
}

// Adding is a page of its own: the list's link opens it, it stays after adding, and its way back is the list.
async function addThing(page, what, name, group) {
  await page.click("[data-testid=add-thing-link]");
  await page.waitForURL(/\/new\?/);
  await page.waitForSelector("#tgroup");
  await page.fill("#tname", name);
  if (group) await page.selectOption("#tgroup", { label: group });
  else await page.selectOption("#tgroup", { value: "" });
  await page.click(`button:has-text('Add ${what}')`);
  await page.waitForSelector(`text=“${name}” created.`);
  await page.click("[data-testid=back-to-things]");
  await until(`${name} listed`, async () => (await names(page)).includes(name));
}

// "Manage owner and groups": the new owner, any of its groups (offered once it is picked) and a new one.
async function moveTo(page, thing, owner, newGroupName, groups = []) {
  await page.click(`[data-testid=things-table] >> text=${thing}`);
  await page.click("[data-testid=manage-owner-link]");
  await page.waitForSelector("[data-testid=manage-owner]");
  await hydrated(page);
  await page.selectOption("#owner", { label: owner });
  for (const g of groups) await page.locator("#owner-groups label", { hasText: g }).locator("input").check();
  if (newGroupName) await page.fill("#new-group", newGroupName);
  await page.click("button:has-text('Change owner')");
  await page.waitForSelector(`[data-testid=thing-owner] >> text=Owner: ${owner}`);
}

/// Opens a group's own page from its tab in the list on screen: sharing, renaming, public access live there.
async function openGroup(page, name) {
  await page.click(`[data-testid=group-tabs] >> text=${name}`);
  await page.waitForURL(/group=/);
  await page.click("[data-testid=group-page-link]");
  await page.waitForURL(/\/groups\//);
  await page.waitForSelector(`h1:has-text('${name}')`);
  await hydrated(page);
}

/// From a group's page to its sharing page.
async function openSharing(page) {
  await page.click("[data-testid=group-shares-link]");
  await page.waitForURL(/\/shares$/);
  await page.waitForSelector("[data-testid=share-panel]");
  await hydrated(page);
}

/// Shares the open group read-only with a customer's users: all of them, or (`userGroup`) one of its user groups,
/// which the panel lists once the customer is chosen.
async function shareWith(page, customer, userGroup) {
  await page.selectOption("#share-customer", { label: customer });
  if (userGroup) {
    await page.waitForSelector(`#share-user-group option:has-text('${userGroup}')`, { state: "attached" });
    await page.selectOption("#share-user-group", { label: userGroup });
  }
  await page.click("[data-testid=share-panel] button:has-text('Share')");
  await page.waitForSelector(`[data-testid=shares] >> text=${customer} — ${userGroup ?? "All"}`);
}

/// Adds a customer user through the add-user form (its "Customer Users" group, the shared dashboard full
/// screen), then follows the activation link it hands over in a fresh browser and sets a password.
async function addCustomerUser(browser, page, customer, email) {
  await section(page, "Users", "/users");
  await page.click("[data-testid=add-user-link]");
  await page.waitForURL(/\/users\/new/);
  await hydrated(page);
  await page.selectOption("#uowner", { label: customer });
  const box = page.locator("#ugroups label", { hasText: "Customer Users" }).locator("input");
  await box.waitFor();
  await box.check();
  await page.fill("#uemail", email);
  await page.fill("#ufirst", customer);
  await page.selectOption("#udash", { label: "Building overview" });
  await page.check("#ufull");
  // The previous user's link may still be on screen: wait for a new one.
  const field = page.locator("[data-testid=activation-link]");
  const before = (await field.count()) > 0 ? await field.inputValue() : "";
  await page.click("button:has-text('Add user')");
  await until("the new activation link", async () => {
    const v = (await field.count()) > 0 ? await field.inputValue() : "";
    return v !== "" && v !== before;
  });
  const link = await field.inputValue();
  await page.click("[data-testid=back-to-users]");
  await page.waitForSelector(`[data-testid=users-table] >> text=${email}`);
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 800 } });
  const p = await ctx.newPage();
  await p.goto(link);
  await p.waitForSelector("#confirm");
  assert.match(p.url(), /\/login\/createPassword\?activateToken=/);
  await hydrated(p);
  await p.fill("#password", "customer-pass-1");
  await p.fill("#confirm", "customer-pass-1");
  await p.click("button:has-text('Set password and sign in')");
  await p.waitForSelector("[data-testid=home-title]");
  return { ctx, p };
}

test("share buildings and a dashboard with two customers by clicking", async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const token = await tenantAdmin(srv.base, "Smart Office", "ada@office.io", "ada-office-pass");
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const problems = watchConsole(page);
    await signIn(page, srv.base, "ada@office.io", "ada-office-pass");

    // Customers A and B in "Office renters".
    await section(page, "Customers", "/customers");
    await hydrated(page);
    await page.fill("#gname", "Office renters");
    await page.click("button:has-text('Create group')");
    await page.waitForSelector("[data-testid=group-tabs] >> text=Office renters");
    // Both on the add page, one after the other: it stays after adding.
    await page.click("[data-testid=add-customer-link]");
    await page.waitForURL(/\/customers\/new/);
    for (const c of ["Customer A", "Customer B"]) {
      await page.fill("#ctitle", c);
      await page.selectOption("#cgroup", { label: "Office renters" });
      await page.click("button:has-text('Add customer')");
      await page.waitForSelector(`text=Customer “${c}” created.`);
    }
    await page.click("[data-testid=back-to-customers]");
    await page.waitForSelector("[data-testid=customers-table] >> text=Customer B");

    // Devices, then their owners.
    await section(page, "Devices", "/devices");
    await hydrated(page);
    await page.waitForSelector("text=Nothing here yet.");
    await addThing(page, "device", "A-Thermo");
    await addThing(page, "device", "B-Thermo");
    await shot(page, "devices");
    await moveTo(page, "A-Thermo", "Customer A", "A sensors");
    await page.waitForSelector("[data-testid=thing-groups] >> text=A sensors");
    await shot(page, "manage-owner");
    await page.click("[data-testid=back-to-entity]");
    await page.waitForSelector("[data-testid=access-token]");
    const tokenValue = await page.inputValue("[data-testid=access-token]");
    assert.equal(tokenValue.length, 20);
    await shot(page, "device");
    await page.click("text=← All devices");
    await until("device list", async () => (await names(page)).length === 2);
    await moveTo(page, "B-Thermo", "Customer B");
    // A second device of A's into the group made above, picked from A's groups.
    await section(page, "Devices", "/devices");
    await addThing(page, "device", "A-Meter");
    await moveTo(page, "A-Meter", "Customer A", null, ["A sensors"]);
    await page.waitForSelector("[data-testid=thing-groups] >> text=A sensors");

    // The building asset group, shared read-only with both.
    await section(page, "Assets", "/assets");
    await hydrated(page);
    await newGroup(page, "Buildings");
    await addThing(page, "asset", "Office building", "Buildings");
    // Each customer's own office, moved to it.
    await addThing(page, "asset", "A office");
    await addThing(page, "asset", "B office");
    await moveTo(page, "A office", "Customer A");
    await page.click("[data-testid=back-to-entity]");
    await page.click("text=← All assets");
    await until("asset list", async () => (await names(page)).length === 3);
    await moveTo(page, "B office", "Customer B");
    await section(page, "Assets", "/assets");
    await openGroup(page, "Buildings");
    await openSharing(page);
    await shareWith(page, "Customer A");
    await shareWith(page, "Customer B", "Customer Users");
    await shot(page, "assets-sharing");

    // The dashboard group, shared the same way; the share warning is shown where it happens.
    await section(page, "Dashboards", "/dashboards");
    await hydrated(page);
    await newGroup(page, "Shared dashboards");
    await addThing(page, "dashboard", "Building overview", "Shared dashboards");
    await openGroup(page, "Shared dashboards");
    await openSharing(page);
    await page.waitForSelector("[data-testid=share-panel] .warning");
    await shareWith(page, "Customer A");
    await shareWith(page, "Customer B");
    await shot(page, "dashboards-sharing");
    await page.click("[data-testid=back-to-group]");
    await page.waitForSelector("#group-name");
    await hydrated(page);
    // Renamed, made public (its public id to copy) and private again, on the same page.
    await page.fill("#group-name", "Lobby screens");
    await page.click("button:has-text('Rename')");
    await page.waitForSelector("h1:has-text('Lobby screens')");
    await page.click("[data-testid=group-public] button:has-text('Make public')");
    await page.waitForSelector("[data-testid=public-id]");
    await shot(page, "group-page");
    await page.click("[data-testid=group-public] button:has-text('Make private')");
    await page.waitForSelector("[data-testid=group-public] button:has-text('Make public')");
    assert.equal(await page.locator("[data-testid=public-id]").count(), 0);
    await page.click("[data-testid=group-members]");
    await page.waitForURL(/\/dashboards\?group=/);
    await until("the group's dashboards", async () => (await names(page)).includes("Building overview"));

    // One user per customer in "Customer Users", added and activated by clicking; each sees its own device and
    // the shared building and dashboard.
    for (const [customer, email, mine, theirs, office] of [
      ["Customer A", "a@office.io", ["A-Meter", "A-Thermo"], "B-Thermo", "A office"],
      ["Customer B", "b@office.io", ["B-Thermo"], "A-Thermo", "B office"],
    ]) {
      const { ctx, p } = await addCustomerUser(browser, page, customer, email);
      if (email.startsWith("a")) await shot(page, "users-add");
      await section(p, "Devices", "/devices");
      await until(`${email} devices`, async () => (await names(p)).length > 0);
      assert.deepEqual(await names(p), mine, `${email} sees only its own devices, not ${theirs}`);
      assert.equal(await p.locator("[data-testid=add-thing-link]").count(), 0);
      await section(p, "Assets", "/assets");
      await until(`${email} assets`, async () => (await names(p)).length > 0);
      assert.deepEqual(await names(p), [office, "Office building"], `${email} sees its own office and the shared building`);
      await p.waitForSelector("[data-testid=group-tabs] >> text=Buildings (shared)");
      await section(p, "Dashboards", "/dashboards");
      await until(`${email} dashboards`, async () => (await names(p)).length > 0);
      assert.deepEqual(await names(p), ["Building overview"]);
      if (email.startsWith("a")) await shot(p, "customer-user-dashboards");
      await ctx.close();
    }
    const users = await api(srv.base, "/api/user/users?pageSize=10&page=0&textSearch=a@office.io", token);
    const kiosk = await api(srv.base, `/api/user/${users.data.find((u) => u.email === "a@office.io").id.id}`, token);
    assert.equal(kiosk.additionalInfo.defaultDashboardFullscreen, true, JSON.stringify(kiosk));
    assert.deepEqual(problems, [], `console warnings: ${problems.join("\n")}`);

    // Without JavaScript every page of the lesson renders its data from the server alone.
    const nojs = await browser.newContext({ javaScriptEnabled: false });
    await nojs.addCookies(await page.context().cookies());
    const plain = await nojs.newPage();
    await plain.goto(`${srv.base}/devices?sort=name&dir=asc`);
    assert.deepEqual(await names(plain), ["A-Meter", "A-Thermo", "B-Thermo"]);
    const find = async (path, pred) => (await api(srv.base, path, token)).data.find(pred).id.id;
    const customerA = await find("/api/customers?pageSize=10&page=0&textSearch=Customer%20A", (c) => c.title === "Customer A");
    const thermo = await find("/api/deviceInfos/all?pageSize=10&page=0&includeCustomers=true&textSearch=A-Thermo", (d) => d.name === "A-Thermo");
    const userA = users.data.find((u) => u.email === "a@office.io").id.id;
    const groups = await api(srv.base, "/api/entityGroups/DASHBOARD", token);
    const lobby = groups.find((g) => g.name === "Lobby screens").id.id;
    for (const [path, selector, text] of [
      ["/customers?sort=title&dir=asc", "[data-testid=customers-table]", "Customer B"],
      [`/customers/${customerA}`, "[data-testid=manage-customer]", "devices"],
      [`/customers/${customerA}/access`, "[data-testid=who-can-see]", "Every user of Customer A"],
      ["/users?q=office.io", "[data-testid=users-table]", "b@office.io"],
      [`/users/${userA}`, "main", "Always fullscreen"],
      [`/users/${userA}/owner`, "[data-testid=user-membership]", "Customer Users"],
      [`/users/${userA}/access`, "[data-testid=what-can-user-do]", "Customer Users"],
      [`/devices/${thermo}`, "[data-testid=credentials]", "Regenerate"],
      [`/devices/${thermo}/owner`, "[data-testid=thing-groups]", "A sensors"],
      [`/devices/${thermo}/access`, "[data-testid=who-can-see]", "Customer A"],
      ["/assets?sort=name&dir=asc", "[data-testid=things-table]", "Office building"],
      ["/dashboards", "[data-testid=things-table]", "Building overview"],
      ["/edges", "main", "Nothing here yet."],
      [`/groups/${lobby}`, "h1", "Lobby screens"],
      [`/groups/${lobby}/shares`, "[data-testid=shares]", "Customer B — All"],
      ["/roles?sort=name&dir=asc", "[data-testid=roles-table]", "Customer User"],
      ["/profile", "[data-testid=sessions]", "this session"],
    ]) {
      const r = await plain.goto(`${srv.base}${path}`);
      assert.equal(r.status(), 200, path);
      const shown = await plain.locator(selector).first().textContent({ timeout: 5000 });
      assert.ok(shown.includes(text), `${path}: ${selector} lacks “${text}”: ${shown}`);
      assert.equal(await plain.locator("[role=alert]").count(), 0, `${path} shows an error`);
    }
    await shot(plain, "profile-nojs");
    await plain.goto(`${srv.base}/devices/${thermo}`);
    assert.equal((await plain.inputValue("[data-testid=access-token]")).length, 20);
    await shot(plain, "device-nojs");
    await nojs.close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
