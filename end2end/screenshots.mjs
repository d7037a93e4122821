// Screenshots of every page at desktop and phone width, for a person to look at.
// Usage: node screenshots.mjs BASE_URL OUT_DIR USER PASSWORD
import { chromium } from "@playwright/test";

const [base, out, username, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  const page = await browser.newPage({ viewport });
  await page.goto(`${base}/login`);
  await page.screenshot({ path: `${out}/${name}-login.png`, fullPage: true });
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  for (const [file, path] of [["overview", "/"], ["users", "/admin/users"], ["tokens", "/admin/tokens"], ["audit", "/admin/audit"], ["404", "/nope"], ["charts", "/charts"], ["trends", "/trends"], ["trends-week", "/trends?kpi=frt_median_h&grain=week&channel=email"], ["trends-incident", "/trends?kpi=tickets&grain=week&from=2025-03-01&to=2025-06-30&warn_period=2025-05"], ["data", "/data"], ["matrix", "/matrix"], ["matrix-compare", "/matrix?kpi=frt_median_h&rows=team&cols=channel&compare=previous"], ["matrix-months", "/matrix?kpi=tickets&rows=category&cols=month&from=2025-05-01&to=2025-10-31&top=5&sort=total"], ["matrix-tickets", "/matrix/tickets?from=2025-10-01&to=2025-10-31&channel=chat&kpi=csat"], ["matrix-agents", "/matrix?kpi=csat&rows=agent&cols=month&top=10"], ["variance", "/variance?month=2025-10&kpi=csat&by=channel"], ["actions", "/actions"], ["targets", "/targets?kpi=fcr_rate"]]) {
    await page.goto(`${base}${path}`);
    await page.screenshot({ path: `${out}/${name}-${file}.png`, fullPage: true });
  }
  await page.close();
}
await browser.close();
