"""The Jinja2 environment of Safeguard's pages.

Django's Jinja2 backend calls :func:`environment` with its own options, including a loader
for the apps' ``jinja2/`` folders. The GOV.UK Frontend component macros of
``govuk-frontend-jinja`` are added the way that package documents: a ``PackageLoader``
behind the ``govuk_frontend_jinja/`` prefix, so templates write, for example::

    {% extends "govuk_frontend_jinja/template.html" %}
    {% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}
"""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, PrefixLoader
from markupsafe import Markup, escape

GOVUK_FRONTEND_PREFIX = "govuk_frontend_jinja"


def govuk_frontend_loader() -> BaseLoader:
    """The loader of the GOV.UK Frontend macros, under their documented prefix."""
    return PrefixLoader({GOVUK_FRONTEND_PREFIX: PackageLoader("govuk_frontend_jinja")})


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """``reverse()`` for templates: ``url('timeline-check')``."""
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def multiline(text: str | None) -> Markup:
    """Text a person typed over several lines, escaped, its line breaks kept (``<br>``)."""
    return Markup("<br>\n").join(escape(text or "").splitlines())


def environment(**options: Any) -> Environment:
    """Build the environment: the apps' templates first, then the GOV.UK macros."""
    app_loader = options.pop("loader", None)
    loaders = [app_loader] if app_loader is not None else []
    options["loader"] = ChoiceLoader([*loaders, govuk_frontend_loader()])
    options.pop("autoescape", None)
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = Environment(autoescape=True, **options)
    from safeguard.core.dates import format_date, format_time
    from safeguard.core.forms import govuk_params
    from safeguard.web.navigation import navigation, optional_url

    env.globals.update(static=static, url=url, govuk_params=govuk_params,
                       navigation=navigation, optional_url=optional_url)
    env.filters["govuk_date"] = format_date
    env.filters["uk_time"] = format_time
    env.filters["multiline"] = multiline
    return env
