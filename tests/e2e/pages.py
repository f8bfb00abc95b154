"""Helpers for the browser tests that read pages."""


def settled(page) -> None:
    """Wait for what a page loads after its load event: the htmx requests it starts on load (the
    Sources page's checks) and its fonts. Playwright's "networkidle" waits for half a second with
    no request on every page, which was most of what checking thirty-five pages cost."""
    page.wait_for_function(
        "() => document.fonts.status === 'loaded' && !document.querySelector('[hx-trigger=load], .htmx-request')"
    )
