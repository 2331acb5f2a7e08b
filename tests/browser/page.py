"""Opens an HTML page in headless Chromium, driven by ChromeDriver (Selenium), and prints as
JSON on stdout what the browser saw, for the Rust tests to judge (tests/it/html.rs).

In: the page's path, where to save a screenshot of the whole page; Chromium and ChromeDriver
from SSMQ_TEST_CHROMIUM and SSMQ_TEST_CHROMEDRIVER (default: Debian's /usr/bin/chromium and
/usr/bin/chromedriver). Out, one JSON object:

- console: every message the page's console got (level and text), errors and warnings first;
- requests: every URL the browser asked for besides the page itself (from the DevTools
  network events, so a request that failed because the network is closed still counts);
- title, headings (h1 and h2 texts), text (the page's visible text);
- charts: for each `svg.chart`, its aria-label and its rendered width and height;
- tables: for each table, its number of body rows;
- screenshot: the file written, its width and height.
"""

import json
import os
import pathlib
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# As this machine's browser tests start Chromium: headless, no sandbox as root, and none of
# the background connections a closed network would refuse.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,1000",
]

SEEN = """
const box = (e) => e.getBoundingClientRect();
return {
  title: document.title,
  headings: [...document.querySelectorAll('h1, h2')].map((h) => h.textContent),
  text: document.body.innerText,
  charts: [...document.querySelectorAll('svg.chart')].map((s) => ({
    label: s.getAttribute('aria-label'), width: box(s).width, height: box(s).height })),
  tables: [...document.querySelectorAll('table')].map((t) => t.tBodies[0] ? t.tBodies[0].rows.length : 0),
  height: document.documentElement.scrollHeight,
};
"""


def main():
    page, screenshot = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("SSMQ_TEST_CHROMIUM", "/usr/bin/chromium")
    profile = tempfile.mkdtemp(prefix="ssmq-chromium-")
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(
        executable_path=os.environ.get("SSMQ_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
    )
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(60)
        # Chromium opens its new-tab page first: what that loads is drained, not counted.
        driver.get("about:blank")
        driver.get_log("performance")
        driver.get_log("browser")
        driver.get(page.as_uri())
        seen = driver.execute_script(SEEN)
        console = [
            {"level": entry["level"], "text": entry["message"]}
            for entry in driver.get_log("browser")
        ]
        requests = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                url = message["params"]["request"]["url"]
                if url != page.as_uri():
                    requests.append(url)
        # The whole page in one picture: the window as tall as the document.
        driver.set_window_size(1280, min(max(seen["height"], 600), 16000))
        driver.save_screenshot(screenshot)
        size = driver.get_window_size()
        seen.pop("height")
        seen.update(
            console=console,
            requests=requests,
            screenshot={"path": screenshot, "width": size["width"], "height": size["height"]},
        )
        print(json.dumps(seen))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
