"""Stylesheets, fonts and scripts from npm packages, served by the application itself.

The machines a clinic runs reeducate on may be offline, and a page must never load code from a
CDN, so every third-party asset comes from an npm package pinned in
``reeducate/web/assets/package-lock.json``. ``scripts/web-assets.sh`` runs ``npm ci`` there,
which fills the git-ignored ``node_modules`` folder beside it; nothing third-party is copied
into the repository. :func:`check_assets` runs when the application is created and refuses to
start, naming the missing file and the command that installs it, when a package is absent or
not the locked version.

Only what :data:`VENDOR_PACKAGES` allows is served, at ``/vendor/<package>@<version>/<path>``:
the version in the address lets browsers keep the file for a year.

The application's own stylesheet and script are in ``reeducate/web/static``.

Examples
--------
>>> [package.name for package in VENDOR_PACKAGES]
['@picocss/pico', '@fontsource-variable/inter']
>>> media_type_of("css/pico.min.css")
'text/css; charset=utf-8'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Final

from reeducate.errors import NotFoundError

__all__ = [
    "ASSETS_PACKAGE_DIR",
    "STATIC_DIR",
    "VENDOR_PACKAGES",
    "InstalledAssets",
    "VendorPackage",
    "WebAssetsMissingError",
    "check_assets",
    "default_assets_dir",
    "media_type_of",
]

#: The folder with ``package.json`` and ``package-lock.json``.
ASSETS_PACKAGE_DIR: Final = Path(__file__).resolve().parent / "assets"
#: The application's own stylesheet, script and icons.
STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

INSTALL_HINT: Final = "run scripts/web-assets.sh (npm ci of reeducate/web/assets)"

#: Media types of the files the vendor route may serve, by suffix.
MEDIA_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
    }
)


class WebAssetsMissingError(NotFoundError):
    """The npm packages the pages need are not installed (or not at the locked version)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorPackage:
    """An npm package whose files the pages use.

    ``serve`` lists the paths inside the package that may be served (a path ending in ``/``
    allows a folder); ``stylesheets`` and ``scripts`` are linked from every page, in order.
    """

    name: str
    serve: tuple[str, ...]
    stylesheets: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()

    def allows(self, path: str, /) -> bool:
        """Whether ``path`` (inside the package) may be served."""
        return any(
            path == allowed or (allowed.endswith("/") and path.startswith(allowed))
            for allowed in self.serve
        )


#: Pico CSS (semantic HTML styled without classes; MIT) in its jade theme, and Inter, a typeface
#: drawn for screens (variable weights; SIL OFL 1.1).
VENDOR_PACKAGES: Final[tuple[VendorPackage, ...]] = (
    VendorPackage(
        name="@picocss/pico",
        serve=("css/pico.jade.min.css",),
        stylesheets=("css/pico.jade.min.css",),
    ),
    VendorPackage(
        name="@fontsource-variable/inter",
        serve=("index.css", "files/"),
        stylesheets=("index.css",),
    ),
)


def default_assets_dir() -> Path:
    """The ``node_modules`` folder that ``scripts/web-assets.sh`` fills."""
    return ASSETS_PACKAGE_DIR / "node_modules"


def media_type_of(path: str, /) -> str | None:
    """The media type to serve ``path`` with, or None when such files are not served."""
    return MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())


@dataclass(frozen=True, slots=True, kw_only=True)
class InstalledAssets:
    """The checked asset folder: each vendor package's folder and installed version."""

    root: Path
    versions: Mapping[str, str]

    def package_dir(self, name: str, /) -> Path:
        """Folder of the installed package ``name``."""
        return self.root / name

    def url(self, name: str, path: str, /) -> str:
        """The address a page links ``path`` of package ``name`` by."""
        return f"/vendor/{name}@{self.versions[name]}/{path}"

    def stylesheet_urls(self) -> tuple[str, ...]:
        """Every vendor stylesheet, in the order the pages link them."""
        return tuple(self.url(p.name, s) for p in VENDOR_PACKAGES for s in p.stylesheets)

    def script_urls(self) -> tuple[str, ...]:
        """Every vendor script, in the order the pages load them."""
        return tuple(self.url(p.name, s) for p in VENDOR_PACKAGES for s in p.scripts)

    def resolve(self, spec: str, path: str, /) -> tuple[Path, str] | None:
        """The file and media type for ``/vendor/<spec>/<path>``, or None when not served.

        ``spec`` must name an allowed package at its installed version; the path must be one
        the package allows, with a served suffix, and stay inside the package folder.
        """
        name, at, version = spec.rpartition("@")
        if not at or self.versions.get(name) != version:
            return None
        package = next((p for p in VENDOR_PACKAGES if p.name == name), None)
        media_type = media_type_of(path)
        parts = PurePosixPath(path).parts
        if package is None or media_type is None or ".." in parts or path.startswith("/"):
            return None
        if not package.allows(path):
            return None
        base = self.package_dir(name).resolve()
        file = (base / path).resolve()
        if not file.is_relative_to(base) or not file.is_file():
            return None
        return file, media_type


def _locked_versions() -> dict[str, str]:
    lock = json.loads((ASSETS_PACKAGE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    packages = lock["packages"]
    return {p.name: str(packages[f"node_modules/{p.name}"]["version"]) for p in VENDOR_PACKAGES}


def check_assets(root: Path | None = None, /) -> InstalledAssets:
    """Check that every vendor package is installed in ``root`` at its locked version.

    Parameters
    ----------
    root : Path or None
        A ``node_modules`` folder; None: :func:`default_assets_dir`.

    Raises
    ------
    WebAssetsMissingError
        A package, its ``package.json`` or a file the pages link is missing, or the installed
        version is not the one in ``package-lock.json``; the message names the file and how to
        install the assets.
    """
    folder = default_assets_dir() if root is None else Path(root)
    locked = _locked_versions()
    for package in VENDOR_PACKAGES:
        manifest = folder / package.name / "package.json"
        if not manifest.is_file():
            raise WebAssetsMissingError(
                f"web assets missing: {manifest} (npm package {package.name} "
                f"{locked[package.name]}) not found; {INSTALL_HINT}"
            )
        installed = str(json.loads(manifest.read_text(encoding="utf-8")).get("version"))
        if installed != locked[package.name]:
            raise WebAssetsMissingError(
                f"web assets out of date: {package.name} must be version "
                f"{locked[package.name]} (package-lock.json); got {installed!r} in {folder}; "
                f"{INSTALL_HINT}"
            )
        for linked in (*package.stylesheets, *package.scripts):
            if not (folder / package.name / linked).is_file():
                raise WebAssetsMissingError(
                    f"web assets missing: {folder / package.name / linked} not found; "
                    f"{INSTALL_HINT}"
                )
    return InstalledAssets(root=folder, versions=locked)
