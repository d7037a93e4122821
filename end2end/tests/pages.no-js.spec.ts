import { expect, test } from "@playwright/test";
import { ADMIN, LoginPage } from "./session";

// Without JavaScript every page arrives complete from the server.
test.beforeEach(async ({ page }) => {
  await new LoginPage(page).signIn(ADMIN, "/charts", false);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("the chart gallery is drawn, with its downloads", async ({ page }) => {
  await expect(page.locator("figure.chart")).toHaveCount(6);
  await expect(page.locator("figure.chart .chart-svg svg")).toHaveCount(6);
  await expect(page.locator(".chart-overlay circle").first()).toHaveAttribute("aria-label", /.+/);
  const download = page.waitForEvent("download");
  await page.locator('figure[data-chart="csat-by-channel"]').getByRole("button", { name: "Download SVG" }).click();
  expect((await download).suggestedFilename()).toBe("csat-by-channel.svg");
});

test("administration pages list their rows", async ({ page }) => {
  await page.goto("/admin/users");
  await expect(page.locator(`tr[data-user="${ADMIN.username}"]`)).toBeVisible();
  await page.goto("/admin/tokens");
  await expect(page.getByRole("heading", { name: "Create a token" })).toBeVisible();
  await page.goto("/admin/audit");
  await expect(page.locator("table.data-table tbody tr").first()).toBeVisible();
});

test("the data page and the docs are complete", async ({ page }) => {
  await page.goto("/data");
  await expect(page.getByRole("heading", { name: "Import a file" })).toBeVisible();
  await expect(page.locator("#import-file")).toBeVisible();
  await page.goto("/docs");
  await expect(page.getByRole("heading", { name: /API/ }).first()).toBeVisible();
});

test("the trends page is complete and its filter form works", async ({ page }) => {
  await page.goto("/trends");
  await expect(page.locator('figure[data-chart="csat-by-month"] .chart-svg svg')).toBeVisible();
  await page.getByLabel("KPI").selectOption("fcr_rate");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/kpi=fcr_rate/);
  await expect(page.locator('figure[data-chart="first-contact-resolution-by-month"] .chart-svg svg')).toBeVisible();
});

test("signing out works as a plain form", async ({ page }) => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
});
