import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { signIn } from "./session";

test.beforeEach(async ({ page }) => {
  await signIn(page, undefined, "/charts");
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
  await expect(page.locator("figure.chart")).toHaveCount(6);
});

test("every chart type of the kit is drawn with a summary", async ({ page }) => {
  for (const name of [
    "csat-by-channel",
    "tickets-by-channel-by-month",
    "satisfaction-against-cost-by-month",
  ]) {
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
  // Arrow keys step to the neighbouring point.
  const circles = line.locator(".chart-overlay circle");
  const before = await circles.nth((await circles.count()) - 2).getAttribute("aria-label");
  await point.press("ArrowLeft");
  await expect(line.locator(".chart-tooltip")).toHaveText(before!);
});

test("a chart shows as a table and downloads valid CSV, SVG and PNG", async ({ page }) => {
  const heatmap = page.locator('figure[data-chart^="csat-by-category-and-channel"]');
  await heatmap.getByRole("button", { name: "Show as table" }).click();
  await expect(heatmap.locator("table.chart-table tbody tr").last()).toContainText("Total");

  const csvHref = await heatmap.getByRole("link", { name: "Download CSV" }).getAttribute("href");
  const csv = decodeURIComponent(csvHref!.split(",").slice(1).join(","));
  expect(csv.split("\r\n")[0]).toContain("Total");

  const downloaded = async (button: string) => {
    const download = page.waitForEvent("download");
    await heatmap.getByRole("button", { name: button }).click();
    return readFileSync((await (await download).path())!);
  };
  const svg = (await downloaded("Download SVG")).toString("utf8");
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trim().endsWith("</svg>")).toBe(true);
  const png = await downloaded("Download PNG");
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.length).toBeGreaterThan(2000);
});

test("the line chart marks target, benchmarks, forecast and notes", async ({ page }) => {
  const line = page.locator('figure[data-chart="csat-by-channel"]');
  const labels = await line.locator(".chart-overlay circle").evaluateAll((cs) =>
    cs.map((c) => c.getAttribute("aria-label") ?? ""),
  );
  expect(labels.some((l) => l.startsWith("Target: "))).toBe(true);
  expect(labels.some((l) => / p50 \(\d{4}\): /.test(l))).toBe(true);
  expect(labels.filter((l) => l.startsWith("Forecast · ")).length).toBe(3);
  expect(labels.some((l) => l.startsWith("Note · "))).toBe(true);
});

test("a time chart zooms to a range and resets", async ({ page }) => {
  const line = page.locator('figure[data-chart="csat-by-channel"]');
  const allChannels = line.locator('.chart-overlay circle[aria-label^="All channels ·"]');
  const reset = line.getByRole("button", { name: "Reset zoom" });
  await expect(allChannels).toHaveCount(12);
  await expect(reset).toBeDisabled();

  // With the period pickers…
  await line.locator("select.zoom-from").selectOption({ index: 6 });
  await expect(allChannels).toHaveCount(6);
  await expect(line.locator(".chart-summary")).toContainText("over 6 periods");
  await reset.click();
  await expect(allChannels).toHaveCount(12);

  // …and by dragging across the chart.
  const box = (await line.locator(".chart-overlay").boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.55, y, { steps: 5 });
  await page.mouse.up();
  // The server draws the zoomed chart: wait for it.
  await expect.poll(() => allChannels.count()).toBeLessThan(12);
  expect(await allChannels.count()).toBeGreaterThan(1);
  await expect(reset).toBeEnabled();
  await reset.click();
  await expect(allChannels).toHaveCount(12);
});

test("a click on a bar drills down to its month", async ({ page }) => {
  const bars = page.locator('figure[data-chart^="against-target"]');
  await bars.locator(".chart-overlay circle.drillable").first().click();
  await expect(page).toHaveURL(/\/\?month=\d{4}-\d{2}/);
  await expect(page.getByTestId("month-label")).toBeVisible();
});

test("Enter on a focused bar drills down too", async ({ page }) => {
  const bars = page.locator('figure[data-chart^="against-target"]');
  await bars.locator(".chart-overlay circle.drillable").first().focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/\?month=\d{4}-\d{2}/);
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

test("a chart answers a hover soon after the page loads (reported, not asserted)", async ({ page }) => {
  await page.goto("/charts", { waitUntil: "load" });
  const loaded = await page.evaluate(() => performance.timing.loadEventEnd - performance.timing.navigationStart);
  const line = page.locator('figure[data-chart="csat-by-channel"]');
  const point = line.locator(".chart-overlay circle").last();
  // Hover until the island answers: before hydration nothing shows.
  await expect(async () => {
    await page.mouse.move(0, 0);
    await point.hover();
    await expect(line.locator(".chart-tooltip")).toBeVisible({ timeout: 20 });
  }).toPass({ intervals: [10], timeout: 10_000 });
  const alive = await page.evaluate(() => performance.now());
  test.info().annotations.push({
    type: "hover answered after load",
    description: `${Math.round(alive - loaded)} ms (load event at ${loaded} ms)`,
  });
  console.log(`charts: hover answered ${Math.round(alive - loaded)} ms after the load event`);
});
