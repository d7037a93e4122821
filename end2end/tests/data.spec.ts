import { expect, test } from "@playwright/test";
import { OverviewPage } from "./overview.page";
import { signIn } from "./session";

/** A helpdesk export as it comes: its own headers, semicolons, day-first
 * dates, hours to first reply with a decimal comma, ratings as words. */
const HELPDESK = [
  "Ticket ID;Created;First reply time (hrs);Via;Type;Group;Satisfaction",
  "E-1;12/03/2024 09:00;1,5;chat;delivery;Tier 1;good",
  "E-2;13/03/2024 14:30;;email;billing;Tier 2;bad",
  "E-3;20/03/2024 08:15;0,25;chat;billing;Tier 1;good",
].join("\n");

test.beforeEach(async ({ page }) => {
  await signIn(page, undefined, "/data");
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
});

test("a helpdesk export is mapped, imported and shows on the overview", async ({ page }) => {
  await page.locator("#import-file").setInputFiles({
    name: "helpdesk.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(HELPDESK),
  });
  // The guesses: columns by their names, the date layout, hours, word scores.
  await expect(page.locator(".preview-table")).toContainText("Via");
  await expect(page.locator("#map-channel")).toHaveValue("Via");
  await expect(page.locator("#map-created_at")).toHaveValue("Created");
  await expect(page.getByLabel("Date format of created_at")).toHaveValue("%d/%m/%Y %H:%M");
  await expect(page.getByLabel("first_response_at given as")).toHaveValue("hours");
  const csat = page.locator('tr[data-field="csat"]');
  await expect(csat.locator(".word-scores input").first()).toHaveValue("1"); // "bad"
  await expect(csat.locator(".word-scores input").last()).toHaveValue("5"); // "good"

  await page.getByRole("button", { name: "Import helpdesk.csv" }).click();
  await expect(page.getByTestId("import-result")).toContainText("Imported 3 rows: 3 new, 0 updated, 0 unchanged.");

  const overview = new OverviewPage(page);
  await overview.goto("2024-03");
  // Two of three ratings were "good": 66.7 % satisfied.
  expect(await overview.actual("CSAT")).toBe("66.7%");
});

test("a bad row refuses the file and names row, column and reason", async ({ page }) => {
  const bad = HELPDESK.replace("20/03/2024 08:15", "32/03/2024 08:15").replaceAll("E-", "F-");
  await page.locator("#import-file").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  // The sample's dates still read day-first: set the format the file uses.
  await page.getByLabel("Date format of created_at").fill("%d/%m/%Y %H:%M");
  await page.getByLabel("Date format of created_at").press("Tab");
  await page.getByRole("button", { name: "Import bad.csv" }).click();
  const result = page.getByTestId("import-result");
  await expect(result).toContainText("nothing was changed");
  const row = result.locator("tbody tr").first();
  await expect(row.locator("td").nth(0)).toHaveText("4");
  await expect(row.locator("td").nth(1)).toHaveText("Created");
  await expect(row.locator("td").nth(2)).toHaveText("32/03/2024 08:15");
});

test("a mapping is saved as a preset and loaded again", async ({ page }) => {
  await page.locator("#import-file").setInputFiles({
    name: "helpdesk.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(HELPDESK),
  });
  await expect(page.locator("#map-channel")).toHaveValue("Via");
  await page.getByLabel("Save this mapping as").fill("Helpdesk export");
  await page.getByRole("button", { name: "Save preset" }).click();
  await expect(page.getByText("Saved as 'Helpdesk export'.")).toBeVisible();

  await page.locator("#map-channel").selectOption("");
  await expect(page.locator("#map-channel")).toHaveValue("");
  await page.getByLabel("Saved presets").selectOption("Helpdesk export");
  await page.getByRole("button", { name: "Load" }).click();
  await expect(page.locator("#map-channel")).toHaveValue("Via");
});
