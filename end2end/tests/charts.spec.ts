import { expect, test } from "@playwright/test";
import { signIn } from "./session";

test.beforeEach(async ({ page }) => {
  await signIn(page, undefined, "/charts");
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
  await expect(page.locator("figure.chart")).toHaveCount(4);
});

test("every chart type of the kit is drawn with a summary", async ({ page }) => {
  const charts = page.locator("figure.chart");
  await expect(charts).toHaveCount(4);
  for (const name of ["csat-by-channel", "satisfaction-against-cost-by-month"]) {
    await expect(page.locator(`figure[data-chart="${name}"] .chart-svg svg`)).toBeVisible();
  }
  await expect(page.locator("figure.chart .chart-summary").first()).toContainText("CSAT");
});

test("hovering a point shows its exact value and focus does too", async ({ page }) => {
  const line = page.locator('figure[data-chart="csat-by-channel"]');
  // The last point is drawn on top of any it overlaps.
  const point = line.locator(".chart-overlay circle").last();
  const label = await point.getAttribute("aria-label");
  expect(label).toMatch(/^.+ · .+: \d+\.\d%$/);
  await point.hover();
  await expect(line.locator(".chart-tooltip")).toHaveText(label!);
  await page.mouse.move(0, 0);
  await expect(line.locator(".chart-tooltip")).toHaveCount(0);
  await point.focus();
  await expect(line.locator(".chart-tooltip")).toHaveText(label!);
});

test("a chart shows as a table and downloads valid CSV and SVG", async ({ page }) => {
  const heatmap = page.locator("figure.chart").nth(2);
  await heatmap.getByRole("button", { name: "Show as table" }).click();
  await expect(heatmap.locator("table.chart-table tbody tr").last()).toContainText("Total");

  const csvHref = await heatmap.getByRole("link", { name: "Download CSV" }).getAttribute("href");
  const csv = decodeURIComponent(csvHref!.split(",").slice(1).join(","));
  expect(csv.split("\r\n")[0]).toContain("Total");
  const svgHref = await heatmap.getByRole("link", { name: "Download SVG" }).getAttribute("href");
  const svg = decodeURIComponent(svgHref!.split(",").slice(1).join(","));
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trim().endsWith("</svg>")).toBe(true);
});

test("a click on a bar drills down to its month", async ({ page }) => {
  const bars = page.locator("figure.chart").nth(1);
  await bars.locator(".chart-overlay circle.drillable").first().click();
  await expect(page).toHaveURL(/\/\?month=\d{4}-\d{2}/);
  await expect(page.getByTestId("month-label")).toBeVisible();
});

test("a legend entry hides and shows its series", async ({ page }) => {
  const line = page.locator('figure[data-chart="csat-by-channel"]');
  const visible = line.locator(".chart-overlay circle:not(.hidden)");
  const chatPoints = await line.locator('.chart-overlay circle[aria-label^="chat ·"]').count();
  expect(chatPoints).toBeGreaterThan(0);
  const before = await visible.count();
  const chat = line.getByRole("button", { name: "chat", exact: true });
  await expect(chat).toHaveAttribute("aria-pressed", "true");

  await chat.click();
  await expect(chat).toHaveAttribute("aria-pressed", "false");
  await expect(visible).toHaveCount(before - chatPoints);
  await expect(line.locator(".chart-layer.hidden")).toHaveCount(1);

  await chat.click();
  await expect(visible).toHaveCount(before);
});
