import { expect, test } from "@playwright/test";
import { signIn } from "./session";

test.beforeEach(async ({ page }) => {
  await signIn(page, undefined, "/trends");
});

test("the trends page shows a KPI with its trend, forecast and comparison", async ({ page }) => {
  await expect(page.getByRole("heading", { name: "Where each KPI is heading" })).toBeVisible();
  const chart = page.locator('figure[data-chart="csat-by-month"]');
  await expect(chart.locator(".chart-svg svg")).toBeVisible();
  await expect(chart.getByRole("button", { name: "3-period average", exact: true })).toBeVisible();
  await expect(chart.getByRole("button", { name: "A year earlier", exact: true })).toBeVisible();
  const forecast = await chart.locator(".chart-overlay circle").evaluateAll((cs) =>
    cs.filter((c) => (c.getAttribute("aria-label") ?? "").startsWith("Forecast · ")).length,
  );
  expect(forecast).toBe(3);
  await expect(page.locator(".stat").filter({ hasText: "Against the period before" })).toContainText(/\d/);
});

test("the filter form puts the view in the URL", async ({ page }) => {
  await page.getByLabel("KPI").selectOption("frt_median_h");
  await page.getByLabel("By", { exact: true }).selectOption("week");
  await page.getByLabel("Channel").selectOption("email");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/kpi=frt_median_h.*grain=week.*channel=email/);
  await expect(page.locator('figure[data-chart="first-response-median-by-week"]')).toBeVisible();
});

test("a bad parameter explains what to write", async ({ page }) => {
  await page.goto("/trends?grain=year");
  await expect(page.getByRole("alert")).toContainText("grain must be day, week, month or quarter");
});
