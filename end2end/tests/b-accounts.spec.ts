import { expect, test } from "@playwright/test";
import { ADMIN, VIEWER, signIn } from "./session";

test("an admin adds a viewer, who can read dashboards but not administer", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();

  const form = page.locator("form.inline-form");
  await form.getByLabel("Username").fill(VIEWER.username);
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByLabel("Initial password").fill(VIEWER.password);
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator(`tr[data-user="${VIEWER.username}"]`)).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  await signIn(page, VIEWER);
  await expect(page.getByTestId("month-label")).toBeVisible();
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);

  const response = await page.goto("/admin/users");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("alert")).toContainText("This needs the admin role");
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong username or password.")).toBeVisible();
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=/);
});
