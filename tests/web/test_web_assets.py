"""Stylesheets, fonts and scripts come from the application itself, with correct media types;
nothing outside the allowed package files is served."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from reeducate.web.assets import InstalledAssets


def linked(page: str, tag: str, attribute: str) -> list[str]:
    return re.findall(rf'<{tag} [^>]*{attribute}="([^"]+)"', page)


def test_every_linked_stylesheet_and_script_is_served_by_the_app(site: TestClient) -> None:
    page = site.get("/").text
    stylesheets = linked(page, 'link rel="stylesheet"', "href")
    scripts = linked(page, "script", "src")
    assert len(stylesheets) == 3 and len(scripts) == 1
    for url in (*stylesheets, *scripts):
        assert url.startswith(("/vendor/", "/static/")), "never a CDN"
    for url in stylesheets:
        response = site.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == "text/css; charset=utf-8"
    response = site.get(scripts[0])
    assert response.status_code == 200
    assert response.headers["content-type"] in (
        "text/javascript; charset=utf-8",
        "application/javascript",
        "text/javascript",
    )
    assert "fetch(" in response.text


def test_vendor_files_are_the_locked_packages_and_cache_for_a_year(
    site: TestClient, installed_assets: InstalledAssets
) -> None:
    pico = installed_assets.url("@picocss/pico", "css/pico.jade.min.css")
    response = site.get(pico)
    assert response.status_code == 200
    assert response.text.startswith("@charset") or "Pico CSS" in response.text[:400]
    assert "immutable" in response.headers["cache-control"]
    # The typeface's stylesheet points at font files that are served as fonts.
    fonts_css = site.get(installed_assets.url("@fontsource-variable/inter", "index.css")).text
    font = re.search(r"url\(\./(files/[^)]+\.woff2)\)", fonts_css)
    assert font is not None
    response = site.get(installed_assets.url("@fontsource-variable/inter", font.group(1)))
    assert response.status_code == 200
    assert response.headers["content-type"] == "font/woff2"
    assert response.content[:4] == b"wOF2"


def test_only_allowed_files_are_served(site: TestClient, installed_assets: InstalledAssets) -> None:
    version = installed_assets.versions["@picocss/pico"]
    for url in (
        f"/vendor/@picocss/pico@{version}/package.json",  # not an allowed path
        f"/vendor/@picocss/pico@{version}/css/pico.min.css",  # not the theme we serve
        "/vendor/@picocss/pico@0.0.1/css/pico.jade.min.css",  # not the installed version
        "/vendor/left-pad@1.3.0/index.js",  # not one of our packages
    ):
        assert site.get(url).status_code == 404, url
    assert installed_assets.resolve(f"@picocss/pico@{version}", "css/../package.json") is None
    assert (
        installed_assets.resolve("@fontsource-variable/inter@5.3.0", "files/../../../x.woff2")
        is None
    )
    assert site.get("/static/../pyproject.toml").status_code == 404
