import { expect, test, type Page } from "@playwright/test";
import { ADMIN, VIEWER, signIn } from "./session";

/** A manager, added by the admin in the first test. */
const MANAGER = { username: "mona", password: "manager password 1" };

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
}

async function csatRow(page: Page) {
  await page.goto("/variance?month=2025-10");
  const row = page.locator('table.variance-table tr[data-kpi="csat"]');
  await expect(row).toBeVisible();
  return row;
}

test("a manager sets a target through the form and sees the variance change", async ({ page }) => {
  await signIn(page, ADMIN, "/admin/users");
  const add = page.locator("form.inline-form");
  await add.getByLabel("Username").fill(MANAGER.username);
  await add.getByLabel("Role").selectOption("manager");
  await add.getByLabel("Initial password").fill(MANAGER.password);
  await add.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator(`tr[data-user="${MANAGER.username}"]`)).toBeVisible();
  await signOut(page);

  await signIn(page, MANAGER, "/variance?month=2025-10");
  await expect(page.getByRole("heading", { name: "Actual against target" })).toBeVisible();
  // The demo's plan: CSAT 80 %.
  let row = await csatRow(page);
  await expect(row.locator("td").nth(2)).toHaveText("80.0%");

  await page.goto("/targets?kpi=csat");
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
  const form = page.locator("form.target-form");
  await expect(page.getByTestId("suggestion")).toContainText("%");
  // A refusal names its field and saves nothing.
  await form.getByLabel("First month").fill("2025-10");
  await form.getByLabel("Target", { exact: true }).fill("150");
  await form.getByRole("button", { name: "Save target" }).click();
  await expect(form.locator("#target-value-error")).toContainText("between 0 and 100");
  await form.getByLabel("Target", { exact: true }).fill("95");
  await form.getByLabel("Tolerance (% of target)").fill("2");
  await form.getByLabel("Note").fill("e2e stretch goal");
  await form.getByRole("button", { name: "Save target" }).click();
  // The page reloads with the change in the history.
  const history = page.getByTestId("target-history");
  await expect(history).toContainText("e2e stretch goal");
  await expect(history.locator("tr").nth(1)).toContainText("mona");
  await expect(history.locator("tr").nth(1)).toContainText("95.0%");

  row = await csatRow(page);
  await expect(row.locator("td").nth(2)).toHaveText("95.0%");
  await expect(row).not.toHaveAttribute("data-status", "OnTarget");
  // The drill-down splits CSAT by channel.
  await row.getByRole("link", { name: "CSAT" }).click();
  await expect(page).toHaveURL(/kpi=csat/);
  await expect(page.getByTestId("drill")).toContainText("CSAT: which segments caused it");
  await expect(page.getByTestId("drill").locator("tr[data-segment]").first()).toBeVisible();
  await expect(page.getByTestId("mix-rate")).toContainText("Why it moved");
});

test("a viewer cannot set targets", async ({ page }) => {
  await signIn(page, VIEWER, "/targets?kpi=csat");
  await expect(page.getByRole("heading", { name: "Targets by KPI and month" })).toBeVisible();
  await expect(page.getByTestId("read-only")).toContainText("Only managers and admins set targets");
  await expect(page.getByRole("button", { name: "Save target" })).toHaveCount(0);
  // The server refuses a viewer's post all the same.
  const response = await page.request.post("/api/set_targets", {
    form: { kpi: "csat", from: "2025-10", to: "", scope: "", scope_value: "", value: "10", tolerance: "", note: "", version: "plan" },
  });
  expect(response.status()).toBe(403);
  await page.goto("/variance?month=2025-10");
  await expect(page.locator('table.variance-table tr[data-kpi="csat"] td').nth(2)).toHaveText("95.0%");
});

test("a manager records a root cause and an action, and the action appears on the chart", async ({ page }) => {
  await signIn(page, MANAGER, "/variance?month=2025-10&kpi=csat&by=channel");
  // The 95 % target set above leaves October's CSAT short: it needs an explanation.
  const register = page.getByTestId("register");
  await expect(register.locator('tr[data-kpi="csat"]')).toContainText("Needs explanation");

  const cause = page.getByRole("form", { name: "Record a root cause" });
  await cause.getByLabel("Category").selectOption("mix");
  await cause.getByLabel("Root cause").fill("");
  await cause.getByRole("button", { name: "Record root cause" }).click();
  // A refusal names its field and saves nothing.
  await expect(page.locator("#cause-text-error")).toContainText("1 to 300 characters");
  await page.getByRole("form", { name: "Record a root cause" }).getByLabel("Category").selectOption("mix");
  await page.getByRole("form", { name: "Record a root cause" }).getByLabel("Root cause").fill("e2e: more chat tickets");
  await page.getByRole("form", { name: "Record a root cause" }).getByRole("button", { name: "Record root cause" }).click();
  await expect(page.getByTestId("root-causes")).toContainText("e2e: more chat tickets");
  await expect(page.getByTestId("register").locator('tr[data-kpi="csat"]')).toContainText("Explained");

  const action = page.getByRole("form", { name: "Add a corrective action" });
  await action.getByLabel("Corrective action").fill("e2e: coach the chat team");
  await action.getByLabel("Owner").fill("Mona");
  await action.getByLabel("Due").fill("2025-11-30");
  await action.getByRole("button", { name: "Add action" }).click();
  const row = page.getByTestId("actions").locator("tr", { hasText: "e2e: coach the chat team" });
  await expect(row).toHaveAttribute("data-status", "open");

  // The chart of the KPI marks it at its month.
  const chart = page.locator('figure[data-chart="csat-actual-vs-target-12-months"]');
  await expect(chart.locator('.chart-overlay [aria-label*="Action (open, owner Mona): e2e: coach the chat team"]')).toHaveCount(1);
  await expect(chart.locator('.chart-overlay [aria-label*="Root cause (mix): e2e: more chat tickets"]')).toHaveCount(1);

  // Done today; the actions page lists it with its before/after.
  await row.getByLabel(/Status of action/).selectOption("done");
  await row.getByRole("button", { name: "Update" }).click();
  await expect(page.getByTestId("actions").locator("tr", { hasText: "e2e: coach the chat team" })).toHaveAttribute("data-status", "done");
  await page.getByRole("link", { name: "Actions", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Corrective actions" })).toBeVisible();
  await page.getByLabel("Owner").selectOption("Mona");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/owner=Mona/);
  const listed = page.getByTestId("actions").locator("tr", { hasText: "e2e: coach the chat team" });
  await expect(listed).toContainText("Not enough data yet");
});

test("a viewer cannot add a root cause or an action", async ({ page }) => {
  await signIn(page, VIEWER, "/variance?month=2025-10&kpi=csat&by=channel");
  await expect(page.getByTestId("kpi-register")).toContainText("e2e: more chat tickets");
  await expect(page.getByRole("button", { name: "Add action" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Record root cause" })).toHaveCount(0);
  const response = await page.request.post("/api/add_action", {
    form: { kpi: "csat", month: "2025-10", scope: "", scope_value: "", text: "viewer action", owner: "V", due_on: "2025-12-01" },
  });
  expect(response.status()).toBe(403);
  await page.goto("/actions");
  await expect(page.getByTestId("actions")).not.toContainText("viewer action");
});

test("the variance table sorts by a column header and back", async ({ page }) => {
  await signIn(page, VIEWER, "/variance?month=2025-10");
  const table = page.locator("table.variance-table");
  await table.getByRole("link", { name: "KPI" }).click();
  await expect(page).toHaveURL(/sort=kpi&dir=asc/);
  await expect(page.locator("table.variance-table th[aria-sort=ascending]")).toContainText("KPI");
  const names = await page.locator("table.variance-table tbody tr td:first-child").allInnerTexts();
  // By code point, as the server sorts (not by locale).
  const lower = names.map((n) => n.trim().toLowerCase());
  expect(lower).toEqual([...lower].sort());
  await page.locator("table.variance-table").getByRole("link", { name: /^KPI/ }).click();
  await expect(page).toHaveURL(/sort=kpi&dir=desc/);
});

test("a manager uploads a plan as CSV; a bad row is refused by its row and column", async ({ page }) => {
  await signIn(page, MANAGER, "/targets?kpi=fcr_rate");
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
  const plan = page.locator("form.plan-form");
  const head = "kpi,period,scope,value,tolerance,note,version\n";
  await plan.getByLabel("Or paste the plan").fill(`${head}fcr_rate,2026-01,,70,,e2e plan,\nfcr_rate,2026-02,,lots,,,\n`);
  await plan.getByRole("button", { name: "Upload plan" }).click();
  await expect(page.locator("#plan-csv-error")).toContainText("Row 3, column value");
  await plan.getByLabel("Or paste the plan").fill(`${head}fcr_rate,2026-01,,70,,e2e plan,\nfcr_rate,2026-02,channel:chat,72,,,reforecast\n`);
  await plan.getByRole("button", { name: "Upload plan" }).click();
  await expect(page.getByTestId("target-history")).toContainText("e2e plan");
});
