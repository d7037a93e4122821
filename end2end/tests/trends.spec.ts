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

test("early warning puts the delivery incident first and links to its trend", async ({ page }) => {
  await page.goto("/trends?warn_period=2025-05&warn_by=category");
  const panel = page.locator("section.early-warning");
  await expect(panel.getByRole("heading", { name: "Early warning: May 2025" })).toBeVisible();
  const first = panel.locator("tbody tr").first();
  await expect(first).toContainText("delivery");
  await expect(first).toContainText("Share rising");
  await expect(first.locator(".sparkline svg")).toBeVisible();
  // The panel's own form keeps the trend's view and changes the ranking.
  await panel.getByLabel("Rank by").selectOption("channel");
  await panel.getByRole("button", { name: "Check" }).click();
  await expect(page).toHaveURL(/warn_by=channel/);
  await expect(panel.locator("thead")).toContainText("Channel");
  await page.goto("/trends?warn_period=2025-05&warn_by=category");
  await page.locator("section.early-warning tbody tr").first().getByRole("link", { name: "delivery" }).click();
  await expect(page).toHaveURL(/kpi=tickets.*category=delivery/);
});

test("the forecast says its method and the incident week is explained", async ({ page }) => {
  await page.goto("/trends?kpi=tickets&grain=week&from=2025-03-01&to=2025-06-30");
  await expect(page.locator(".forecast-note")).toContainText(/Forecast by .*MAPE/);
  const flagged = page.locator(".flagged").filter({ hasText: "Week 20, 2025" });
  await expect(flagged).toBeVisible();
  await expect(flagged.locator("tbody tr").first()).toContainText("delivery");
});

test("periods below the minimum sample are marked, not flagged", async ({ page }) => {
  await page.goto("/trends?kpi=csat&min_n=100000");
  await page.getByText("Every period, with the count behind it").click();
  await expect(page.locator("details.periods")).toContainText("Too few to judge");
  await expect(page.locator("details.periods")).toContainText("95 % interval");
  await expect(page.locator(".flagged")).toHaveCount(0);
});

test("more KPIs show as small multiples under the main chart", async ({ page }) => {
  await page.goto("/trends?kpi=csat&also=nps&also=fcr_rate");
  await expect(page.locator('figure[data-chart="csat-by-month"]')).toBeVisible();
  const multiples = page.locator("section.multiples");
  await expect(multiples.locator('figure[data-chart="nps-by-month"]')).toBeVisible();
  await expect(multiples.locator('figure[data-chart="first-contact-resolution-by-month"]')).toBeVisible();
  const picker = page.locator("details.multi-pick");
  await expect(picker.locator("summary")).toHaveText("First contact resolution, NPS");
  await picker.locator("summary").click();
  await expect(picker.locator('input[value="nps"]')).toBeChecked();
  await expect(picker.locator('input[value="fcr_rate"]')).toBeChecked();
  await expect(picker.locator('input[value="csat_mean"]')).not.toBeChecked();
});
