"""Clean HTML before it reaches a shopper: rich text and video embeds.

Rich text saved through the editor is already filtered, but stream data can also
arrive from imports, the API or a database edit; embeds come from third parties.
So both are cleaned again when rendered.
"""

from bs4 import Tag
from wagtail.whitelist import DEFAULT_ELEMENT_RULES, Whitelister, attribute_rule, check_url

# Elements removed with everything inside them, not just unwrapped.
DROPPED = {"script", "style", "iframe", "object", "embed", "form", "input", "textarea", "svg"}


def https_only(url: str):
    url = check_url(url)
    return url if url and url.startswith("https://") else None


class RichTextCleaner(Whitelister):
    """Wagtail's rich-text whitelist, dropping scripts and styles with their contents."""

    dropped = DROPPED

    def clean_node(self, doc, node):
        if isinstance(node, Tag) and node.name in self.dropped:
            node.decompose()
            return
        super().clean_node(doc, node)


class EmbedCleaner(RichTextCleaner):
    """An oEmbed answer reduced to its ``<iframe>`` (https only) and wrapping ``<div>``s."""

    dropped = DROPPED - {"iframe"}
    element_rules = {
        "[document]": DEFAULT_ELEMENT_RULES["[document]"],
        "div": attribute_rule({"class": True, "style": False}),
        "iframe": attribute_rule(
            {
                "src": https_only,
                "width": True,
                "height": True,
                "title": True,
                "allow": True,
                "allowfullscreen": True,
                "frameborder": True,
                "referrerpolicy": True,
                "loading": True,
            }
        ),
    }


def rich_text_clean(html: str) -> str:
    return RichTextCleaner().clean(html or "")


def embed_clean(html: str) -> str:
    return EmbedCleaner().clean(html or "")
