"""static/css/site.css is oscar's Bootstrap stylesheet cut to the classes our pages use
(`make css`, frontend/build-css.mjs). It is committed, so nothing rebuilds it when a
template starts using a Bootstrap class it lacks: these tests notice instead."""

import re
from pathlib import Path

import oscar
from django.conf import settings
from django.template.loader import get_template

ROOT = Path(settings.BASE_DIR)
OSCAR_CSS = Path(oscar.__file__).parent / "static" / "oscar" / "css" / "styles.css"
SITE_CSS = ROOT / "static" / "css" / "site.css"
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")


def selectors(css: str) -> set[str]:
    css = re.sub(r"url\([^)]*\)", "", css)  # data: URIs hold dotted words that are no classes
    return set(CLASS_SELECTOR.findall(css))


def classes_in_templates() -> dict[str, str]:
    """Literal class names in our templates (not the ones a tag or variable fills in)."""
    found = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for value in CLASS_ATTRIBUTE.findall(path.read_text()):
            for name in TEMPLATE_CODE.sub(" ", value).split():
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_every_bootstrap_class_our_templates_use_is_in_site_css():
    bootstrap = selectors(OSCAR_CSS.read_text())
    site = selectors(SITE_CSS.read_text())
    missing = {
        name: where
        for name, where in classes_in_templates().items()
        if name in bootstrap and name not in site
    }
    assert not missing, f"run `make css`: site.css lacks {missing}"


def test_site_css_keeps_what_bootstraps_script_toggles():
    site = selectors(SITE_CSS.read_text())
    toggled = {"show", "collapse", "collapsing", "fade", "active", "is-invalid", "was-validated"}
    assert toggled <= site, toggled - site


def test_pages_link_the_small_stylesheet_not_oscars():
    html = get_template("oscar/layout.html").template.source
    assert "css/site.css" in html
    assert "oscar/css/styles.css" not in html
