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
  const row = page.locator('tr[data-kpi="csat"]');
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
  await expect(page.locator('tr[data-kpi="csat"] td').nth(2)).toHaveText("95.0%");
});
