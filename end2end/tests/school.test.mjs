// The four-tier school hierarchy by clicking: the tenant administrator makes a school customer with a device
// and a dashboard, three roles in the role editor, three user groups of the school (from its "Manage customer
// users" page) holding those roles, and one user per group. Each user then signs in and the console offers
// exactly what its role allows: menus, add and delete buttons, editable fields.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, watchConsole, hydrated, shot, tenantAdmin, signIn } from "./support.mjs";

async function until(what, check) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function section(page, label, path) {
  await page.click(`header nav >> text=${label}`);
  await page.waitForURL(new RegExp(`${path}$`));
  await hydrated(page);
}

const menu = async (page) => (await page.locator("header nav a").allTextContents()).map((t) => t.trim());

async function addThing(page, what, name) {
  await page.click("[data-testid=add-thing-link]");
  await page.waitForURL(/\/new\?/);
  await page.fill("#tname", name);
  await page.click(`button:has-text('Add ${what}')`);
  await page.waitForSelector(`text=“${name}” created.`);
  await page.click("[data-testid=back-to-things]");
  await page.waitForSelector(`[data-testid=things-table] >> text=${name}`);
}

async function moveTo(page, name, owner) {
  await page.click(`[data-testid=things-table] >> text=${name}`);
  await page.click("[data-testid=manage-owner-link]");
  await page.waitForSelector("[data-testid=manage-owner]");
  await hydrated(page);
  await page.selectOption("#owner", { label: owner });
  await page.click("button:has-text('Change owner')");
  await page.waitForSelector(`[data-testid=thing-owner] >> text=Owner: ${owner}`);
}

/// One row of a permissions editor: added, its resource picked, its operations ticked (wire names).
async function permission(page, editor, resource, ops) {
  const rows = page.locator(`[data-testid=${editor}] .perm-row`);
  const before = await rows.count();
  await page.click(`[data-testid=${editor}] >> button:has-text('Add to')`);
  const row = rows.nth(before);
  await row.waitFor();
  await row.locator("select").selectOption(resource);
  for (const op of ops) await row.locator(`input[value=${op}]`).check();
}

async function role(page, name, grants, excluded = []) {
  await section(page, "Roles", "/roles");
  await page.click("a:has-text('Add role')");
  await page.waitForURL(/\/roles\/new$/);
  await hydrated(page);
  await page.fill("#rname", name);
  for (const [res, ops] of grants) await permission(page, "permissions", res, ops);
  for (const [res, ops] of excluded) await permission(page, "excluded", res, ops);
  if (name === "School administrator") await shot(page, "role-editor");
  await page.click("button:has-text('Save role')");
  await page.waitForURL(/\/roles\/[0-9a-f-]{36}$/);
  await page.waitForSelector(`h1:has-text('${name}')`);
}

async function activate(browser, link) {
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 800 } });
  const p = await ctx.newPage();
  const problems = watchConsole(p);
  await p.goto(link);
  await p.waitForSelector("#confirm");
  await hydrated(p);
  await p.fill("#password", "school-pass-123");
  await p.fill("#confirm", "school-pass-123");
  await p.click("button:has-text('Set password and sign in')");
  await p.waitForSelector("[data-testid=home-title]");
  return { ctx, p, problems };
}

test("the four-tier school hierarchy by clicking: roles, user groups, and each user's console", async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    await tenantAdmin(srv.base, "EduIoT", "admin@eduiot.io", "admin-eduiot-pass");
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const problems = watchConsole(page);
    await signIn(page, srv.base, "admin@eduiot.io", "admin-eduiot-pass");

    // Tier 1 (the tenant administrator) sets up the school, its sensor and its dashboard.
    await section(page, "Customers", "/customers");
    await page.click("[data-testid=add-customer-link]");
    await page.fill("#ctitle", "Springfield School");
    await page.click("button:has-text('Add customer')");
    await page.click("[data-testid=open-created]");
    await page.waitForSelector("h1:has-text('Springfield School')");
    await section(page, "Devices", "/devices");
    await addThing(page, "device", "Classroom sensor");
    await moveTo(page, "Classroom sensor", "Springfield School");
    await section(page, "Dashboards", "/dashboards");
    await addThing(page, "dashboard", "Classrooms");
    await moveTo(page, "Classrooms", "Springfield School");

    // Three roles in the editor.
    await role(page, "School administrator", [["ALL", ["ALL"]]], [["DEVICE", ["DELETE"]]]);
    await role(page, "Site manager", [
      ["DEVICE", ["READ", "WRITE", "RPC_CALL", "READ_ATTRIBUTES", "WRITE_ATTRIBUTES", "READ_TELEMETRY"]],
      ["DASHBOARD", ["READ"]],
      ["ASSET", ["READ"]],
    ]);
    await role(page, "Dashboard viewer", [["DASHBOARD", ["READ"]]]);
    await section(page, "Roles", "/roles");
    for (const r of ["School administrator", "Site manager", "Dashboard viewer"]) {
      await page.waitForSelector(`[data-testid=roles-table] >> text=${r}`);
    }

    // The school's users page: one user group per tier with its role, and one user in each.
    await section(page, "Customers", "/customers");
    await page.click("[data-testid=customers-table] >> text=Springfield School");
    await page.click("[data-testid=manage-customer] >> text=Manage customer users");
    await page.waitForURL(/\/users\?owner=/);
    await hydrated(page);
    const links = {};
    for (const [group, roleName, email] of [
      ["School administrators", "School administrator", "principal@school.edu"],
      ["Site managers", "Site manager", "janitor@school.edu"],
      ["Dashboard viewers", "Dashboard viewer", "teacher@school.edu"],
    ]) {
      await page.fill("#gname", group);
      await page.click("button:has-text('Create group')");
      await page.click(`[data-testid=group-tabs] >> text=${group}`);
      await page.waitForURL(/group=/);
      await page.click("[data-testid=group-page-link]");
      await page.click("[data-testid=group-roles-link]");
      await page.waitForSelector(`[data-testid=user-group-roles] >> text=Roles of “${group}”`);
      await hydrated(page);
      await page.selectOption("#bind-role", { label: roleName });
      await page.click("[data-testid=user-group-roles] button:has-text('Add role')");
      await page.waitForSelector(`[data-testid=bound-roles] >> text=${roleName} (generic role)`);
      if (group === "Site managers") await shot(page, "user-group-roles");
      // Back to the members' list (the school's user groups as tabs); "Add user" opens the form for this
      // owner and group, and the list has the user afterwards.
      await page.click("[data-testid=back-to-group]");
      await page.click("[data-testid=group-members]");
      await page.waitForURL(/\/users\?owner=.*group=/);
      await page.click("[data-testid=add-user-link]");
      await page.waitForURL(/\/users\/new\?owner=.*group=/);
      await hydrated(page);
      await until("the school's user groups", async () => (await page.locator("#ugroups label").allTextContents()).some((t) => t.trim() === group));
      const ticked = page.locator("#ugroups label", { has: page.locator("input:checked") });
      assert.deepEqual((await ticked.allTextContents()).map((t) => t.trim()), [group], "the group the list showed");
      await page.fill("#uemail", email);
      await page.click("button:has-text('Add user')");
      const field = page.locator("[data-testid=activation-link]");
      await field.waitFor();
      links[email] = await field.inputValue();
      await page.click("[data-testid=back-to-users]");
      await page.waitForSelector(`[data-testid=users-table] >> text=${email}`);
      await hydrated(page);
    }

    // Tier 2: the school administrator manages users and devices but may not delete a device.
    {
      const { ctx, p, problems } = await activate(browser, links["principal@school.edu"]);
      const m = await menu(p);
      for (const item of ["Customers", "Users", "Roles", "Devices", "Dashboards"]) assert.ok(m.includes(item), `${item} in ${m}`);
      await section(p, "Devices", "/devices");
      await p.waitForSelector("[data-testid=things-table] >> text=Classroom sensor");
      assert.equal(await p.locator("[data-testid=add-thing-link]").count(), 1, "may add devices");
      assert.equal(await p.locator("[data-testid=things-table] button:has-text('Delete')").count(), 0, "may not delete devices");
      await shot(p, "school-admin-devices");
      await section(p, "Users", "/users");
      await p.waitForSelector("[data-testid=add-user-link]");
      assert.deepEqual(problems, [], problems.join("\n"));
      await ctx.close();
    }

    // Tier 3: the site manager edits devices, reads dashboards, sees no users.
    {
      const { ctx, p, problems } = await activate(browser, links["janitor@school.edu"]);
      const m = await menu(p);
      assert.ok(m.includes("Devices") && m.includes("Dashboards") && m.includes("Assets"), `${m}`);
      for (const item of ["Users", "Customers", "Roles"]) assert.ok(!m.includes(item), `no ${item} in ${m}`);
      await section(p, "Devices", "/devices");
      await p.click("[data-testid=things-table] >> text=Classroom sensor");
      await p.waitForSelector("button:has-text('Save')");
      assert.equal(await p.locator("button:has-text('Delete device')").count(), 0);
      await section(p, "Dashboards", "/dashboards");
      await p.click("[data-testid=things-table] >> text=Classrooms");
      await p.waitForSelector("#dname");
      assert.ok(await p.locator("#dname").isDisabled(), "dashboards are read-only for site managers");
      assert.equal(await p.locator("button:has-text('Save')").count(), 0);
      assert.deepEqual(problems, [], problems.join("\n"));
      await ctx.close();
    }

    // Tier 4: the dashboard viewer sees dashboards and nothing else.
    {
      const { ctx, p, problems } = await activate(browser, links["teacher@school.edu"]);
      const m = await menu(p);
      assert.deepEqual(m.filter((x) => !["Home", "Profile"].includes(x)), ["Dashboards"], `${m}`);
      await section(p, "Dashboards", "/dashboards");
      await p.waitForSelector("[data-testid=things-table] >> text=Classrooms");
      assert.equal(await p.locator("[data-testid=add-thing-link]").count(), 0);
      await shot(p, "viewer-dashboards");
      assert.deepEqual(problems, [], problems.join("\n"));
      await ctx.close();
    }
    // The explainers, as the tenant administrator: what the site manager can do and why, and who can see the
    // classroom sensor and why.
    await section(page, "Users", "/users");
    await page.click("[data-testid=users-table] >> text=janitor@school.edu");
    await page.click("[data-testid=user-access-link]");
    await page.waitForURL(/\/access$/);
    const can = page.locator("[data-testid=what-can-user-do]");
    await can.locator("text=Site manager").first().waitFor();
    const canText = await can.innerText();
    assert.match(canText, /Device/);
    assert.match(canText, /everything owned by Springfield School and its sub-customers/);
    await shot(page, "user-abilities");
    await section(page, "Devices", "/devices");
    await page.click("[data-testid=things-table] >> text=Classroom sensor");
    await page.click("[data-testid=who-can-see-link]");
    await page.waitForURL(/\/devices\/[0-9a-f-]{36}\/access$/);
    await page.waitForSelector("[data-testid=who-can-see] table");
    const who = await page.locator("[data-testid=who-can-see]").innerText();
    for (const g of ["Tenant Administrators", "School administrators", "Site managers"]) assert.ok(who.includes(g), `${g} in ${who}`);
    assert.ok(!who.includes("Dashboard viewers"), `viewers cannot see devices: ${who}`);
    await shot(page, "who-can-see");

    // "Can this user …" on the janitor's page: may write the sensor (its Site manager role), may not delete it.
    const sensorId = page.url().split("/devices/")[1].replace("/access", "");
    await section(page, "Users", "/users");
    await page.click("[data-testid=users-table] >> text=janitor@school.edu");
    await page.click("[data-testid=user-access-link]");
    await page.waitForURL(/\/access$/);
    await hydrated(page);
    const ask = page.locator("[data-testid=can-user-do]");
    for (const [op, answer] of [["WRITE", "Yes."], ["DELETE", "No."]]) {
      await ask.locator("select[name=op]").selectOption(op);
      await ask.locator("select[name=etype]").selectOption("DEVICE");
      await ask.locator("input[name=eid]").fill(sensorId);
      await ask.locator("button:has-text('Explain')").click();
      await page.waitForURL(new RegExp(`op=${op}`));
      await ask.locator(`[data-testid=verdict] >> text=${answer}`).waitFor();
    }
    assert.match(await ask.innerText(), /DELETE/, "says what is missing");
    await ask.locator("select[name=op]").selectOption("WRITE");
    await ask.locator("button:has-text('Explain')").click();
    await ask.locator("text=Site manager").first().waitFor();
    await shot(page, "can-user-do");

    // The profile lists this browser's session among the administrator's.
    await section(page, "Profile", "/profile");
    await page.waitForSelector("[data-testid=sessions] >> text=this session");
    await shot(page, "profile-sessions");
    assert.deepEqual(problems, [], `console warnings: ${problems.join("\n")}`);

    // Without JavaScript the roles list and a role's editor still render their data.
    const nojs = await browser.newContext({ javaScriptEnabled: false });
    await nojs.addCookies(await page.context().cookies());
    const plain = await nojs.newPage();
    await plain.goto(`${srv.base}/roles?sort=name&dir=asc`);
    await plain.waitForSelector("[data-testid=roles-table] >> text=Site manager");
    await plain.click("[data-testid=roles-table] >> text=Site manager");
    await plain.waitForSelector("[data-testid=permissions] .perm-row");
    assert.equal(await plain.locator("[data-testid=permissions] .perm-row").count(), 3);
    await nojs.close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
