"""Markdown to safe HTML for lesson bodies: a timeline figure authors write as plain lines,
maps they name, and each glossary term's first use linked to the glossary."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape, unescape

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

from quizzes.course import maps

# html=False: any HTML an author types is escaped and shown as text, so no script or
# attribute from the database reaches the page. markdown-it also refuses javascript:,
# vbscript: and data: link targets.
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["table", "strikethrough", "replacements", "smartquotes"]
)

# Question, choice, feedback and explanation texts: inline Markdown only (bold, italics, code,
# links, strikethrough), with the lessons' rules for HTML and links. No typographer, so a text
# shows the quotes and dashes its author typed.
_inline = MarkdownIt("commonmark", {"html": False}).enable(["strikethrough"])


@lru_cache(maxsize=20_000)
def render_inline(text: str) -> SafeString:
    """A question's or choice's text as safe HTML, its inline Markdown rendered.

    Kept per text (a question version's texts never change), so the quiz and result pages
    render each once per process rather than on every request.
    """
    return mark_safe(_inline.renderInline(text).rstrip("\n"))  # noqa: S308 - no HTML passes


def plain_text(text: str) -> str:
    """The text with its Markdown taken away, for a line that is cut short or a title."""
    return unescape(re.sub(r"<[^>]*>", "", render_inline(text)))


# The drawing's coordinate system (the SVG scales to the page width).
WIDTH, HEIGHT, MARGIN, AXIS_Y, RADIUS = 1000, 170, 45, 122, 17


@dataclass(frozen=True)
class Event:
    when: date
    precision: str  # "day" or "month"
    who: str
    what: str


def parse_event(line: str) -> Event | None:
    """One `YYYY-MM-DD | who | what` line (or `YYYY-MM`), or None when it does not parse."""
    parts = [part.strip() for part in line.split("|")]
    if len(parts) != 3 or not all(parts):
        return None
    stamp, who, what = parts
    try:
        if len(stamp) == 7:
            return Event(date.fromisoformat(f"{stamp}-01"), "month", who, what)
        return Event(date.fromisoformat(stamp), "day", who, what)
    except ValueError:
        return None


def _x(when: date, first: date, last: date) -> float:
    span = (last - first).days or 1
    return round(MARGIN + (when - first).days / span * (WIDTH - 2 * MARGIN), 1)


def _drawing(events: list[Event]) -> str:
    """The events as numbered dots on a time axis: a picture; the list below carries the text."""
    first = date(events[0].when.year, 1, 1)
    last = date(events[-1].when.year + 1, 1, 1)
    parts = [
        f'<svg class="timeline-drawing" viewBox="0 0 {WIDTH} {HEIGHT}" aria-hidden="true" '
        'focusable="false" preserveAspectRatio="xMidYMid meet">',
        f'<line class="timeline-axis" x1="{MARGIN}" y1="{AXIS_Y}" x2="{WIDTH - MARGIN}" '
        f'y2="{AXIS_Y}"/>',
    ]
    labelled = [first.year]
    for year in range(first.year, last.year + 1):
        x = _x(date(year, 1, 1), first, last)
        major = (year % 5 == 0 or year == last.year) and year - labelled[-1] >= 3
        if major:
            labelled.append(year)
        parts.append(
            f'<line class="timeline-tick" x1="{x}" y1="{AXIS_Y}" x2="{x}" '
            f'y2="{AXIS_Y + (10 if major else 5)}"/>'
        )
        if major or year == first.year:
            parts.append(
                f'<text class="timeline-year" x="{x}" y="{AXIS_Y + 36}" '
                f'text-anchor="middle">{year}</text>'
            )
    placed: list[tuple[float, int]] = []
    for number, event in enumerate(events, start=1):
        x = _x(event.when, first, last)
        # Dots that would overlap stack upwards.
        level = sum(1 for other_x, _ in placed if abs(other_x - x) < 2 * RADIUS + 4)
        placed.append((x, level))
        y = AXIS_Y - RADIUS - 8 - level * (2 * RADIUS + 6)
        parts.append(
            f'<line class="timeline-stem" x1="{x}" y1="{AXIS_Y}" x2="{x}" y2="{y + RADIUS}"/>'
            f'<circle class="timeline-dot" cx="{x}" cy="{y}" r="{RADIUS}"/>'
            f'<text class="timeline-number" x="{x}" y="{y + 7}" text-anchor="middle">'
            f"{number}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def render_timeline(source: str) -> str:
    """A `timeline` block as a figure: a drawing for the eye, an ordered list for everyone."""
    caption = ""
    events, unparsed = [], []
    for line in source.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.lower().startswith("title:"):
            caption = line.split(":", 1)[1].strip()
            continue
        event = parse_event(line)
        if event is None:
            unparsed.append(line)
        else:
            events.append(event)
    events.sort(key=lambda event: event.when)
    items = []
    for event in events:
        if event.precision == "month":
            shown = formats.date_format(event.when, "YEAR_MONTH_FORMAT")
            machine = event.when.strftime("%Y-%m")
        else:
            shown = formats.date_format(event.when, "DATE_FORMAT")
            machine = event.when.isoformat()
        items.append(
            f'<li><time datetime="{machine}">{escape(shown)}</time> '
            f'<strong class="timeline-who">{escape(event.who)}</strong> '
            f'<span class="timeline-what">{escape(event.what)}</span></li>'
        )
    items.extend(f"<li>{escape(line)}</li>" for line in unparsed)
    html = ['<figure class="timeline">']
    if caption:
        html.append(f"<figcaption>{escape(caption)}</figcaption>")
    if events:
        html.append(_drawing(events))
    html.append(f'<ol class="timeline-list">{"".join(items)}</ol></figure>\n')
    return "".join(html)


_default_fence = _markdown.renderer.rules["fence"]


def _fence(renderer, tokens, idx, options, env):
    token = tokens[idx]
    info = token.info.split()
    if info == ["timeline"]:
        return render_timeline(token.content)
    if len(info) == 2 and info[0] == "map":
        return maps.render_map(info[1], token.content)
    return _default_fence(tokens, idx, options, env)


_markdown.add_render_rule("fence", _fence)


def _table_open(renderer, tokens, idx, options, env):
    """A table in a box that scrolls sideways on a phone, reachable by keyboard, named by its
    number so a lesson's tables stay distinct landmarks."""
    env["tables"] = env.get("tables", 0) + 1
    label = _("Table %(number)s") % {"number": env["tables"]}
    wrap = f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(label)}">'
    return wrap + renderer.renderToken(tokens, idx, options, env)


def _table_close(renderer, tokens, idx, options, env):
    return renderer.renderToken(tokens, idx, options, env) + "</div>\n"


_markdown.add_render_rule("table_open", _table_open)
_markdown.add_render_rule("table_close", _table_close)


def _form_pattern(form: str) -> str:
    """A term's form as a regular expression: `*` is any ending, spaces any white space, and the
    first letter may be a capital (at the start of a sentence) or not."""
    parts = []
    for i, char in enumerate(form):
        if char == "*":
            parts.append(r"\w*")
        elif char.isspace():
            parts.append(r"\s+")
        elif i == 0 and char.upper() != char.lower():
            parts.append(f"[{re.escape(char.upper())}{re.escape(char.lower())}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


class Glossary:
    """Finds glossary terms in text: each term is an address and the forms it is written in."""

    def __init__(self, terms: Iterable[tuple[str, Iterable[str]]]):
        forms = [(form, url) for url, written in terms for form in written if form.strip()]
        # Longer forms first, so "North Atlantic Council" wins over a shorter form inside it.
        forms.sort(key=lambda pair: -len(pair[0]))
        self.urls = [url for _, url in forms]
        self.pattern = (
            re.compile("|".join(rf"(?<!\w)({_form_pattern(form)})(?!\w)" for form, _ in forms))
            if forms
            else None
        )

    def finds(self, text: str) -> bool:
        """Whether any form of any term occurs in `text`."""
        return self.pattern is not None and self.pattern.search(text) is not None

    def link(self, children: list[Token], linked: set[str]) -> list[Token]:
        """The inline tokens with the first use of each term not in `linked` made a link to it
        (outside existing links and code); `linked` gains the terms linked."""
        result, depth = [], 0
        for token in children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type != "text" or depth or self.pattern is None:
                result.append(token)
                continue
            text, start = token.content, 0
            for match in self.pattern.finditer(text):
                url = self.urls[match.lastindex - 1]
                if url in linked:
                    continue
                linked.add(url)
                result.append(_text(text[start : match.start()]))
                result.append(Token("link_open", "a", 1, attrs={"href": url, "class": "term"}))
                result.append(_text(match.group()))
                result.append(Token("link_close", "a", -1))
                start = match.end()
            result.append(_text(text[start:]))
        return [token for token in result if token.type != "text" or token.content]


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _link_glossary_terms(state):
    """Core rule: link each glossary term's first use in the body (headings excepted)."""
    glossary = state.env.get("glossary")
    if glossary is None:
        return
    linked: set[str] = set()
    in_heading = False
    for token in state.tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and token.children and not in_heading:
            token.children = glossary.link(token.children, linked)


_markdown.core.ruler.push("glossary", _link_glossary_terms)


def render_markdown(text: str, *, glossary: Glossary | None = None) -> SafeString:
    """Render author Markdown to HTML that is safe to put on a page as it is."""
    env = {"glossary": glossary}
    # html is disabled and every text token is escaped by the renderer.
    return mark_safe(_markdown.render(text, env))  # noqa: S308
