import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright cannot download its own browsers here.
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.AFTERCARE_URL ?? "http://127.0.0.1:3123",
    launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "desktop", use: { viewport: { width: 1280, height: 900 } }, testIgnore: /no-js/ },
    {
      name: "no-javascript",
      use: { viewport: { width: 1280, height: 900 }, javaScriptEnabled: false },
      testMatch: /no-js/,
      dependencies: ["desktop"],
    },
  ],
});
