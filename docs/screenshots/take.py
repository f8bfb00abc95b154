"""Takes the README's screenshots from a running demo (`make run`), with Debian's Chromium.

    python docs/screenshots/take.py http://127.0.0.1:8000
"""
import sys
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# the demo is loaded as of today: "what changed" since nine months before shows the inspector general's climb
SHOTS = [("overview.png", "/"), ("pair.png", "/closeness/rv-oig/rv-pd/"), ("changes.png", f"/closeness/changes/?since={date.today() - timedelta(days=275)}"),
         ("network.png", "/network/?band=close"),
         ("coverage.png", "/engagement/coverage/"), ("recusals.png", "/recusals/"),
         ("entity.png", "/entities/rv-oig/"), ("relationship.png", "/relationships/r-0135/"),
         ("relationships.png", "/relationships/?group=money"), ("following.png", f"/following/?since={date.today() - timedelta(days=275)}")]
FOLLOWED = ["rv-oig", "rv-pd"]


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login/")
        page.fill("#id_username", "demo-city-staff")
        page.fill("#id_password", "riverton-city-staff-demo")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        # the inspector general's office and the police department followed (a click each, unless already)
        for entity in FOLLOWED:
            page.goto(f"{base}/entities/{entity}/")
            button = page.locator("form.follow button", has_text="Follow")
            if button.count() and button.first.inner_text().strip() == "Follow":
                button.first.click()
                page.wait_for_load_state()
        for name, url in SHOTS:
            page.goto(f"{base}{url}")
            page.wait_for_timeout(1500)  # let charts and the graph lay out
            page.screenshot(path=str(HERE / name), full_page=name != "network.png")
            print(f"wrote {HERE / name}")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
