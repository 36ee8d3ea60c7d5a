"""The browser-facing site: server-rendered pages (Jinja2, autoescaped) and their assets.

Modules
-------
settings
    :class:`~reeducate.web.settings.Settings` from ``REEDUCATE_*`` environment variables.
assets
    Stylesheets and fonts from npm packages (``scripts/web-assets.sh``), checked at startup.
deps
    Request dependencies shared with the JSON API (settings, store, ``current_user``).
errors
    HTTP statuses of reeducate errors, error pages, the 500 guard and security headers.
templating, pages, site
    The Jinja2 environment, the page routes, and :func:`~reeducate.web.site.install_site`.

The application itself is made by :func:`reeducate.api.create_app`. Importing this package
imports nothing else.
"""
