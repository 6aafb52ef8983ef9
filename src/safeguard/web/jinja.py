"""The Jinja2 environment of Safeguard's pages.

Django's Jinja2 backend calls :func:`environment` with its own options, including a loader
for the apps' ``jinja2/`` folders. The GOV.UK Frontend component macros of
``govuk-frontend-jinja`` are added the way that package documents: a ``PackageLoader``
behind the ``govuk_frontend_jinja/`` prefix, so templates write, for example::

    {% extends "govuk_frontend_jinja/template.html" %}
    {% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, lru_cache
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


#: Stands for the id while a URL is reversed once for many ids (:func:`id_url`).
_ID_MARKER = 7070707070


def id_url(viewname: str) -> Callable[[int], str]:
    """``url(viewname, id)`` for the many ids of a long table, reversed once: the function
    gives the same URL as ``url(viewname, pk)`` for each id (a view with one integer
    argument)."""
    head, _, tail = reverse(viewname, args=[_ID_MARKER]).rpartition(str(_ID_MARKER))
    return lambda pk: f"{head}{int(pk)}{tail}"


def _tag(env: Environment) -> Callable[..., Markup]:
    macro_template = f"{GOVUK_FRONTEND_PREFIX}/components/tag/macro.html"

    @lru_cache(maxsize=256)
    def rendered(text: str, classes: str) -> Markup:
        macro = env.get_template(macro_template).module.govukTag  # type: ignore[attr-defined]
        html: Markup = macro({"text": text, "classes": classes})
        return html

    def govuk_tag(text: str, classes: str = "") -> Markup:
        """``govukTag({"text": text, "classes": classes})``: the same HTML from the GOV.UK
        macro, rendered once for each text and colour (a table of many rows calls the macro
        a handful of times, not once a row). The text is plain text, escaped by the macro."""
        return rendered(str(text), classes or "")

    return govuk_tag


def _component(env: Environment) -> Callable[..., Markup]:
    @lru_cache(maxsize=512)
    def rendered(component: str, params: str) -> Markup:
        name = "govuk" + "".join(part.title() for part in component.split("-"))
        template = env.get_template(f"{GOVUK_FRONTEND_PREFIX}/components/{component}/macro.html")
        html: Markup = getattr(template.module, name)(json.loads(params))
        return html

    def govuk_component(component: str, params: dict[str, Any],
                        slots: dict[str, Markup | str] | None = None) -> Markup:
        """A GOV.UK component's macro (``"service-navigation"``: ``govukServiceNavigation``)
        with ``params``, rendered once for each set of them: the layout's components are the
        same on page after page, and every page renders the header twice (GOV.UK's template
        renders it once to see whether it is empty). ``params`` must be JSON (text, not HTML
        objects: the macros mark their ``html`` parameters safe). ``slots``: HTML that changes
        on every page (a form's CSRF token), put where a placeholder given in ``params``
        stands."""
        html = rendered(component, json.dumps(params, sort_keys=True))
        for placeholder, value in (slots or {}).items():
            # A slot's text is escaped unless it is HTML already (Markup), as Jinja would.
            html = Markup(str(html).replace(placeholder, str(escape(value))))  # noqa: S704
        return html

    return govuk_component


def multiline(text: str | None) -> Markup:
    """Text a person typed over several lines, escaped, its line breaks kept (``<br>``)."""
    return Markup("<br>\n").join(escape(text or "").splitlines())


@cache
def _choice_labels(model: type, field: str) -> dict[Any, str]:
    return {value: str(label)
            for value, label in model._meta.get_field(field).flatchoices}  # type: ignore[attr-defined]


def choice_label(record: Any, field: str) -> Any:
    """What ``record.get_<field>_display()`` shows (the label of the field's value), from the
    field's choices read once: Django's own rebuilds them on every call, which for a page of
    50 referrals cost a millisecond."""
    value = getattr(record, field)
    return _choice_labels(type(record), field).get(value, value)


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
                       navigation=navigation, optional_url=optional_url, id_url=id_url,
                       govuk_tag=_tag(env), govuk_component=_component(env),
                       choice_label=choice_label)
    env.filters["govuk_date"] = format_date
    env.filters["uk_time"] = format_time
    env.filters["multiline"] = multiline
    return env
