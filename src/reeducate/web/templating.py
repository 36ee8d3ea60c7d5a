"""The Jinja2 environment of the pages: autoescape on everywhere, undefined names are errors.

Templates live in ``reeducate/web/templates``. They only lay out what the services return:
no business rules. The globals give the layout the asset addresses (our own files with a
content hash for cache busting, vendor files with their version) and the product version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Final

import jinja2
from starlette.templating import Jinja2Templates

from reeducate import __version__
from reeducate.web.assets import STATIC_DIR, InstalledAssets

__all__ = ["REGION_LABELS", "build_templates", "static_url", "words"]

#: Body regions in words, for headings and badges.
REGION_LABELS: Final[Mapping[str, str]] = {
    "cervical": "Neck (cervical)",
    "thoracic": "Upper back (thoracic)",
    "lumbar_core": "Low back and core",
    "shoulder": "Shoulder",
    "hip": "Hip",
    "knee": "Knee",
    "ankle_foot": "Ankle and foot",
}


def words(value: object, /) -> str:
    """A code in words: ``"side_lying"`` -> ``"side lying"``.

    Examples
    --------
    >>> words("ankle_foot")
    'ankle foot'
    """
    return str(value).replace("_", " ")


def region_label(value: str, /) -> str:
    """A body region in words."""
    return REGION_LABELS.get(value, words(value).capitalize())


@cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str, /) -> str:
    """Address of one of our own static files, with its content hash (``?v=``)."""
    return f"/static/{name}?v={_digest(STATIC_DIR / name)}"


def build_templates(assets: InstalledAssets, /) -> Jinja2Templates:
    """The templates of one application instance (asset addresses bound to ``assets``)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reeducate.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        version=__version__,
        vendor_stylesheets=assets.stylesheet_urls(),
        vendor_scripts=assets.script_urls(),
        static_url=static_url,
        region_label=region_label,
    )
    env.filters["words"] = words
    env.filters["region_label"] = region_label
    return Jinja2Templates(env=env)


def compile_templates(templates: Jinja2Templates, /) -> int:
    """Compile every page template now (the application's start-up warm-up), so that the first
    request for a page does not pay it (about 65 ms for the chart); returns how many."""
    names = templates.env.list_templates(extensions=["html"])
    for name in names:
        templates.env.get_template(name)
    return len(names)
