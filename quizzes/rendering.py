"""Markdown to safe HTML for lesson bodies."""

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# html=False: any HTML an author types is escaped and shown as text, so no script or
# attribute from the database reaches the page. markdown-it also refuses javascript:,
# vbscript: and data: link targets.
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["table", "strikethrough", "replacements", "smartquotes"]
)


def render_markdown(text: str) -> SafeString:
    """Render author Markdown to HTML that is safe to put on a page as it is."""
    return mark_safe(_markdown.render(text))  # noqa: S308 - html is disabled, output is escaped
