import { expect, test } from "@playwright/test";
import { OverviewPage } from "./overview.page";
import { ADMIN, LoginPage } from "./session";

test("without JavaScript the overview is complete and the month form works", async ({ page }) => {
  await new LoginPage(page).signIn(ADMIN, "/?month=2025-09", false);
  const overview = new OverviewPage(page);
  await expect(overview.heading).toHaveText("September 2025");
  await expect(overview.tiles).toHaveCount(10);
  await expect(page.locator(".sparkline svg")).toHaveCount(10);
  await overview.monthSelect.selectOption("2025-04");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(overview.heading).toHaveText("April 2025");
});
