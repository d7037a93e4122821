import { expect, type Locator, type Page } from "@playwright/test";

/** The monthly overview, as a user sees it. */
export class OverviewPage {
  readonly heading: Locator;
  readonly monthSelect: Locator;
  readonly tiles: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByTestId("month-label");
    this.monthSelect = page.getByLabel("Month", { exact: true });
    this.tiles = page.locator("article.tile");
  }

  async goto(month?: string) {
    await this.page.goto(month ? `/?month=${month}` : "/");
  }

  tile(name: string): Locator {
    return this.tiles.filter({ has: this.page.getByRole("heading", { name, exact: true }) });
  }

  async actual(name: string): Promise<string> {
    return (await this.tile(name).getByTestId("actual").textContent()) ?? "";
  }

  async waitForHydration() {
    await expect(this.page.locator("html[data-hydrated]")).toHaveCount(1);
  }
}
