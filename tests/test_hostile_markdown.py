"""Issue 9 item 11: titles, tags and notes in Markdown (export, ``list
--format md``, the app's ``Y``) render as the text they are: no raw HTML,
no autolink, no link text broken out of its brackets.  Checked with a real
CommonMark renderer (markdown-it-py, which Textual uses)."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from paperqueue.core.export import to_markdown
from paperqueue.core.formats import copy_text, markdown_escape, markdown_link
from paperqueue.core.models import Paper, PaperDetails, PaperState

HOSTILE_TEXT = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "see <https://evil.example> now",
    "<a href='https://evil.example'>x</a>",
    "](https://evil.example) [click",
    "x](javascript:alert(1))",
    "a \\] b \\",
    "![img](https://evil.example/p.png)",
    "&lt;script&gt; &#60;img&#62;",
    "`code` *em* __strong__ ~~del~~",
    "<!-- comment --> <?php echo 1; ?> <![CDATA[x]]>",
]
PRESETS = ["commonmark", "gfm-like"]


def rendered(text: str, preset: str = "commonmark") -> str:
    return MarkdownIt(preset).render(text)


def visible(html_text: str) -> str:
    """The text a reader sees in rendered HTML."""
    return html.unescape(re.sub(r"<[^>]*>", "", html_text))


def hrefs(html_text: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a href="([^"]*)"', html_text)]


def assert_inert(html_text: str) -> None:
    for bad in ("<img", "<script", "<!--", "<?", "<![CDATA", "<code", "<em", "<strong", "<s>", "<del"):
        assert bad not in html_text, html_text


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("title", HOSTILE_TEXT)
def test_a_link_shows_its_title_literally_and_goes_only_to_the_paper(title: str, preset: str) -> None:
    url = "https://arxiv.org/abs/2403.01234"
    out = rendered(markdown_link(title, url), preset)
    assert_inert(out)
    assert hrefs(out) == [url]
    assert visible(out).strip() == title


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_escaped_text_reads_back_as_itself(text: str) -> None:
    out = rendered(markdown_escape(text))
    assert_inert(out)
    assert hrefs(out) == []
    assert visible(out).strip() == text


def test_a_url_cannot_leave_its_parentheses() -> None:
    out = rendered(markdown_link("T", "https://example.org/a) [x](https://evil.example/<b>"))
    assert len(hrefs(out)) == 1 and "evil" in hrefs(out)[0]  # one link, the whole (encoded) string
    assert visible(out).strip() == "T"


def test_export_and_copy_render_without_html() -> None:
    rows = [
        (Paper(f"k{i}", text, arxiv_id=f"2403.0123{i}"), PaperDetails(),
         PaperState(tags=(text, "ok"), note=f"first {text}\n<script>x</script>\n  <img src=x onerror=y>", read=i % 2 == 0))
        for i, text in enumerate(HOSTILE_TEXT[:8])
    ]
    links = [p.primary_link for p, _d, _s in rows]
    for text in (to_markdown(None, rows), copy_text("markdown", [p for p, _d, _s in rows])):
        out = rendered(text)
        assert_inert(out)
        assert hrefs(out) == links
        # GFM renderers also link a bare URL in a note or tag: then the
        # link shows exactly where it goes, and no title is a link but its own.
        out = rendered(text, "gfm-like")
        assert_inert(out)
        assert [h for h in hrefs(out) if "arxiv.org" in h] == links
        for link in re.finditer(r'<a href="([^"]*)">([^<]*)</a>', out):
            assert link.group(1) in links or html.unescape(link.group(2)) == unquote(html.unescape(link.group(1)))
    seen = visible(rendered(to_markdown(None, rows)))
    for text in HOSTILE_TEXT[:8]:
        assert text in seen
