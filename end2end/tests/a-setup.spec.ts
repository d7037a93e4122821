import { expect, test } from "@playwright/test";
import { ADMIN } from "./session";

test("a fresh install guides the first user from setup to the overview", async ({ page }) => {
  const started = Date.now();
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Welcome to Aftercare" })).toBeVisible();
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);

  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel(/^Password/).fill("short");
  await page.getByLabel("Repeat the password").fill("short");
  await page.getByRole("button", { name: "Create admin and continue" }).click();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();

  await page.getByLabel(/^Password/).fill(ADMIN.password);
  await page.getByLabel("Repeat the password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create admin and continue" }).click();

  await expect(page.getByTestId("month-label")).toHaveText("October 2025");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  expect(Date.now() - started).toBeLessThan(60_000);
});
