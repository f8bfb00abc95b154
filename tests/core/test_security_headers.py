"""Vendored browser assets and the content security policy."""
import hashlib
import json
import re
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def test_every_vendored_asset_matches_its_manifest():
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    listed = {entry["file"] for entry in manifest}

    assert listed == {p.name for p in VENDOR.iterdir() if p.name != "manifest.json"}
    for entry in manifest:
        assert entry["name"] and re.fullmatch(r"\d+\.\d+\.\d+", entry["version"])
        assert hashlib.sha256((VENDOR / entry["file"]).read_bytes()).hexdigest() == entry["sha256"], entry["file"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/entities/", "/closeness/", "/network/", "/flags/", "/meetings/", "/login/"])
def test_pages_send_a_strict_content_security_policy_and_load_no_inline_or_remote_script(client_as, url):
    response = client_as("city_staff").get(url)

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    page = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert 'type="application/json"' in tag or re.search(r'src="/static/', tag), tag
    assert "http://" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', page)).replace("http://testserver", "")
    # every script, style sheet and image from this site's own paths, none from a CDN (the assets
    # only: a random CSRF token on the page once held the letters "cdn")
    assets = re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/") and not a.startswith("//") and "cdn" not in a.lower() for a in assets), assets


@pytest.mark.django_db
def test_only_djangos_error_pages_with_debug_on_may_style_themselves_inline(client_as, settings):
    client = client_as("city_staff")
    strict = client.get("/no-such-page/")
    settings.DEBUG = True  # the embedded demo
    debug_404 = client.get("/no-such-page/")
    debug_page = client.get("/entities/")

    assert strict.status_code == debug_404.status_code == 404
    assert "'unsafe-inline'" not in strict["Content-Security-Policy"] + debug_page["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in debug_404["Content-Security-Policy"]
    assert "Using the URLconf defined in" in debug_404.content.decode()  # Django's page, its styles inline
