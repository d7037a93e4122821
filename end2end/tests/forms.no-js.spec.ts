import { expect, test } from "@playwright/test";
import { ADMIN, LoginPage } from "./session";

// Without JavaScript a refused form comes back with the server's message.
test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("alert").filter({ hasText: "Wrong username or password." })).toBeVisible();
});

test("the last admin cannot be demoted, and the page says why", async ({ page }) => {
  await new LoginPage(page).signIn(ADMIN, "/admin/users", false);
  const row = page.locator(`tr[data-user="${ADMIN.username}"]`);
  await row.getByLabel(`Role of ${ADMIN.username}`).selectOption("viewer");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "last admin" })).toBeVisible();
  await expect(page.locator(`tr[data-user="${ADMIN.username}"] select`)).toHaveValue("admin");
});
