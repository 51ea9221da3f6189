"""The campaign site in a real browser: phone and desktop screenshots, no JavaScript needed."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "campaign-home": "/",
    "campaign-collectivites": "/collectivites/",
    "campaign-article": "/articles/cloud-act-vos-donnees-en-europe-ne-sont-pas-a-l-abri/",
}


def load_all_images(page):
    """Full-page screenshots need the lazy images below the fold."""
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [375, 1280])
def test_home_campaign_and_article_at_phone_and_desktop_widths(
    live_server, demo_site, page_at, screenshot, width
):
    """Each page has one h1, no horizontal scroll, and every image loads; screenshots kept."""
    page = page_at(width)
    for name, path in PAGES.items():
        page.goto(f"{live_server.url}{path}")
        load_all_images(page)
        assert page.locator("h1").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        broken = page.evaluate(
            "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
        )
        assert broken == 0, name
        screenshot(page, f"{name}-{width}")


def test_site_works_without_javascript(live_server, demo_site, browser):
    """With JavaScript off, the FAQ opens, the video is a link and the audit is reachable."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/collectivites/")
    question = page.locator("details.faq__item summary").first
    question.click()
    assert page.locator("details.faq__item").first.get_attribute("open") is not None
    page.get_by_role("link", name="Commencer l'audit gratuit").first.click()
    page.wait_for_url("**/audit/?depuis=*")
    context.close()


def test_keyboard_focus_is_visible(live_server, demo_site, page_at):
    """Tabbing from the top reaches the skip link, drawn with a visible focus ring."""
    page = page_at(1280)
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert shadow != "none"
