"""The editor page in Debian's Chromium: marks appear as you type, explain themselves on hover, and go away."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
VIOLATING = "这款面霜全网最好，三天见效，央视推荐的国货之光。"
CLEAN = "温和清洁，泡沫细腻，洗后不紧绷。"

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(live_server):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser) to run the page test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 760}, device_scale_factor=1)
        page.goto(live_server.url)
        yield page
        browser.close()


def type_and_wait_for_check(page, text: str) -> None:
    """Types like a person and waits for the check of the whole text (earlier, partial ones are superseded)."""
    with page.expect_response(lambda r: r.url.endswith("/v1/check") and r.request.post_data_json["text"] == text):
        page.locator("#editor").press_sequentially(text, delay=10)


def test_violations_are_marked_and_explained_and_clean_copy_is_not(page):
    expect(page.locator("#industry option")).to_have_count(17)
    page.select_option("#industry", "cosmetics")
    type_and_wait_for_check(page, VIOLATING)

    marks = page.locator("#backdrop .hl[data-label]")
    absolute = marks.filter(has_text="全网最好")
    absolute.wait_for()
    assert absolute.get_attribute("data-label") == "absolute_term"
    box = absolute.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible")
    assert "广告法第9条" in tooltip.inner_text()
    assert "建议" in tooltip.inner_text()
    assert page.locator("#summary .finding").count() == marks.count()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor.png"), full_page=True)

    page.locator("#editor").fill("")
    type_and_wait_for_check(page, CLEAN)
    page.wait_for_function("document.getElementById('status').dataset.state === 'ok'")
    assert page.locator("#backdrop .hl").count() == 0
    assert page.locator("#summary .finding").count() == 0
    assert page.locator("#tooltip").is_hidden()
