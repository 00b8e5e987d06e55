"""Markdown-lite for campaigns and news: what staff type, rendered safely for mail and page.

Everything typed is escaped first; then only these marks become HTML:
paragraphs (blank lines), line breaks, ``- `` lists, ``**bold**``,
``[text](https://…)`` and bare http(s) addresses. No other HTML can get in.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# One pass over the escaped text: a link with text, bold, or a bare address.
_INLINE = re.compile(r"\[(?P<text>[^\]\n]+)\]\((?P<href>https?://[^\s)]+)\)"
                     r"|\*\*(?P<bold>[^*\n]+)\*\*"
                     r"|(?P<bare>https?://[^\s<]+[^\s<.,;:!?)])")
_LINK_TEXT = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")


def to_html(text: str) -> Markup:
    """The HTML of ``text``: escaped, with the few marks above turned into tags."""
    parts = []
    for block in _blocks(text):
        lines = block.split("\n")
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>")
    return Markup("\n".join(parts))


def to_text(text: str) -> str:
    """The plain-text part: links spelled out, bold marks dropped."""
    text = _LINK_TEXT.sub(lambda m: f"{m[1]} ({m[2]})", text or "")
    return _BOLD.sub(r"\1", "\n\n".join(_blocks(text)))


def _blocks(text: str) -> list[str]:
    normalised = (text or "").replace("\r\n", "\n").strip()
    return [block.strip("\n") for block in re.split(r"\n\s*\n", normalised) if block.strip()]


def _inline(line: str) -> str:
    return _INLINE.sub(_tag, str(escape(line.strip())))


def _tag(match: re.Match) -> str:
    # The groups hold already-escaped text, so quotes cannot leave the attribute.
    if match["href"]:
        return f'<a href="{match["href"]}">{match["text"]}</a>'
    if match["bold"]:
        return f"<strong>{match['bold']}</strong>"
    return f'<a href="{match["bare"]}">{match["bare"]}</a>'
