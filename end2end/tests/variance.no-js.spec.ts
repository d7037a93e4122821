import { expect, test } from "@playwright/test";
import { LoginPage } from "./session";

// The manager added by variance.spec.ts (the desktop project runs first).
const MANAGER = { username: "mona", password: "manager password 1" };

test("without JavaScript the target form refuses a bad field by name and saves a good one", async ({ page }) => {
  await new LoginPage(page).signIn(MANAGER, "/targets?kpi=nps", false);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  const form = page.locator("form.target-form");
  await form.getByLabel("First month").fill("2025-12");
  await form.getByLabel("Target", { exact: true }).fill("500");
  await form.getByRole("button", { name: "Save target" }).click();
  await expect(page).toHaveURL(/\/targets/);
  await expect(page.locator("#target-value-error")).toContainText("between −100 and 100");

  await page.locator("form.target-form").getByLabel("First month").fill("2025-12");
  await page.locator("form.target-form").getByLabel("Target", { exact: true }).fill("31");
  await page.locator("form.target-form").getByLabel("Note").fill("no-js target");
  await page.locator("form.target-form").getByRole("button", { name: "Save target" }).click();
  await expect(page.getByTestId("target-history")).toContainText("no-js target");
});
