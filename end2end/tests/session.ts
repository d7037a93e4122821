import { expect, type Page } from "@playwright/test";

/** The accounts every spec uses; the first is created by the setup spec. */
export const ADMIN = { username: "admin", password: "correct horse battery" };
export const VIEWER = { username: "vera", password: "viewer password 1" };

/** The sign-in page. */
export class LoginPage {
  constructor(readonly page: Page) {}

  async signIn(user: { username: string; password: string }, path = "/", javascript = true) {
    await this.page.goto(path);
    await expect(this.page).toHaveURL(/\/login/);
    if (javascript) await expect(this.page.locator("html[data-hydrated]")).toHaveCount(1);
    await this.page.getByLabel("Username").fill(user.username);
    await this.page.getByLabel("Password").fill(user.password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }
}

export async function signIn(page: Page, user = ADMIN, path = "/") {
  await new LoginPage(page).signIn(user, path);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}
