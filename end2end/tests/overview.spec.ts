import { expect, test } from "@playwright/test";
import { OverviewPage } from "./overview.page";
import { signIn } from "./session";

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("the overview shows every main KPI with a number and a sparkline", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.heading).toHaveText("October 2025");
  await expect(overview.tiles).toHaveCount(10);
  for (const name of ["CSAT", "NPS", "First response (median)", "Cost per contact", "Repeat purchase rate"]) {
    await expect(overview.tile(name).getByTestId("actual")).toHaveText(/\d/);
  }
  await expect(page.locator(".sparkline svg polyline").first()).toBeVisible();
  await expect(page.locator(".sparkline svg")).toHaveCount(10);
});

test("with JavaScript, choosing a month loads it at once", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto("2025-10");
  await overview.waitForHydration();
  const before = await overview.actual("CSAT");
  // The "Show" button is only for browsers without JavaScript.
  await expect(page.getByRole("button", { name: "Show" })).toBeHidden();

  await overview.monthSelect.selectOption("2025-05");

  await expect(overview.heading).toHaveText("May 2025");
  await expect(page).toHaveURL(/month=2025-05/);
  await expect.poll(() => overview.actual("CSAT")).not.toBe(before);
});

test("previous and next links move one month", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto("2025-06");
  await overview.waitForHydration();
  await page.getByRole("link", { name: "Previous month" }).click();
  await expect(overview.heading).toHaveText("May 2025");
  await page.getByRole("link", { name: "Next month" }).click();
  await expect(overview.heading).toHaveText("June 2025");
});

test("an unknown address shows the 404 page", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a malformed month explains what to write", async ({ page }) => {
  await page.goto("/?month=2025-13");
  await expect(page.getByRole("alert")).toContainText("write it like 2025-03");
});
