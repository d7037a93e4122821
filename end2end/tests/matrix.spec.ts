import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { signIn } from "./session";

test.beforeEach(async ({ page }) => {
  await signIn(page, undefined, "/matrix");
});

test("the matrix shows a heatmap with totals and sample sizes", async ({ page }) => {
  await expect(page.getByRole("heading", { name: "Where a KPI is good or bad" })).toBeVisible();
  const table = page.locator("table.matrix-table");
  await expect(table.locator("caption")).toContainText("CSAT by category and channel");
  await expect(table.getByRole("columnheader", { name: "Total" })).toBeVisible();
  await expect(table.getByRole("rowheader", { name: "Total" })).toBeVisible();
  await expect(table.locator("td.heat .heat-n").first()).toContainText("n = ");
  expect(await table.locator("td[class*='heat-good'], td[class*='heat-bad']").count()).toBeGreaterThan(0);
});

test("changing dimensions and KPI puts the view in the URL", async ({ page }) => {
  await page.getByLabel("KPI").selectOption("fcr_rate");
  await page.getByLabel("Rows", { exact: true }).selectOption("team");
  await page.getByLabel("Columns", { exact: true }).selectOption("category");
  await page.getByLabel("Compare").selectOption("previous");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/kpi=fcr_rate.*rows=team.*cols=category.*compare=previous/);
  const table = page.locator("table.matrix-table");
  await expect(table.locator("caption")).toContainText("First contact resolution by team and category");
  await expect(table.locator("caption")).toContainText("change since");
  await expect(table.locator("td.heat .heat-n").first()).toContainText("was");
});

test("a row opens its tickets, which page through and export as CSV", async ({ page }) => {
  const row = page.locator("table.matrix-table tbody th[scope=row] a").first();
  const name = (await row.textContent())!.trim();
  await row.click();
  await expect(page).toHaveURL(/\/matrix\/tickets\?.*category=/);
  await expect(page.getByRole("heading", { name: "The tickets behind the cell" })).toBeVisible();
  const rows = page.locator("table.ticket-table tbody tr");
  await expect(rows).toHaveCount(50);
  await expect(rows.first().locator("td").nth(3)).toHaveText(name);
  const firstId = await rows.first().locator("td").first().textContent();

  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/cursor=\d+/);
  await expect(rows.first()).not.toHaveText(firstId!);
  await expect(page.getByRole("link", { name: "First page" })).toBeVisible();

  await page.getByRole("link", { name: /Created \(UTC\)/ }).click();
  await expect(page).toHaveURL(/sort=created_at/);
  await expect(page).not.toHaveURL(/cursor=/);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("tickets.csv");
  const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
  expect(csv[0]).toMatch(/^external_id,created_at,/);
  expect(csv.length).toBeGreaterThan(51);

  await page.getByRole("link", { name: "Trend of this cell" }).click();
  await expect(page).toHaveURL(/\/trends\?kpi=csat&category=/);
});

test("a cell opens the tickets of its row and column", async ({ page }) => {
  await page.locator("table.matrix-table tbody td.heat a").first().click();
  await expect(page).toHaveURL(/\/matrix\/tickets\?.*channel=.*category=/);
  const rows = page.locator("table.ticket-table tbody tr");
  await expect(rows.first()).toBeVisible();
  // Agent is not in the rollup: it narrows the raw list only.
  const agent = (await rows.first().locator("td").nth(5).textContent())!.trim();
  await page.getByLabel("Agent").fill(agent);
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(/agent=/);
  const agents = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[5].textContent));
  expect(agents.length).toBeGreaterThan(0);
  expect(agents.every((a) => a === agent)).toBe(true);
});

test("a bad parameter explains what to write", async ({ page }) => {
  await page.goto("/matrix?top=0");
  await expect(page.getByRole("alert")).toContainText("top must be a whole number from 1 to 100");
});

test("agent by month shows the volume behind each number and opens an agent's tickets as CSV", async ({ page }) => {
  await page.getByLabel("KPI").selectOption("csat");
  await page.getByLabel("Rows", { exact: true }).selectOption("agent");
  await page.getByLabel("Columns", { exact: true }).selectOption("month");
  await page.getByLabel("Rows shown").selectOption("10");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/rows=agent.*cols=month.*top=10/);
  const table = page.locator("table.matrix-table");
  await expect(table.locator("caption")).toContainText("CSAT by agent and month");
  await expect(table.locator("td.heat .heat-n").first()).toContainText("n = ");
  await expect(page.locator(".matrix-volume-note")).toContainText("tickets behind it");
  await expect(table.locator("tbody th[scope=row]").last()).toContainText("Other (");

  const firstRow = table.locator("tbody tr").first();
  const agent = (await firstRow.locator("th[scope=row]").textContent())!.trim();
  await firstRow.locator("td.heat a").first().click();
  await expect(page).toHaveURL(/\/matrix\/tickets\?.*agent=/);
  const rows = page.locator("table.ticket-table tbody tr");
  await expect(rows.first()).toBeVisible();
  const agents = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[5].textContent?.trim()));
  expect(agents.every((a) => a === agent)).toBe(true);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
  expect(csv[0]).toMatch(/^external_id,created_at,.*,agent,/);
  expect(csv.length).toBeGreaterThan(1);
  expect(csv.slice(1).every((line) => line.includes(agent))).toBe(true);
  expect(csv[csv.length - 1].startsWith("# cut")).toBe(false);
});

test("a pair the rollups cannot answer is refused, naming what to change", async ({ page }) => {
  await page.goto("/matrix?rows=agent&cols=product");
  await expect(page.getByRole("alert")).toContainText("agent, priority and product pair with");
});
