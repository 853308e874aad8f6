"""Read ladder pages written in HTML (a `docs/*.html` site) with the standard library's
HTML parser: the page becomes the markdown it stands for (headings, nested lists,
paragraphs, bold, tables, `<details>` examples), which the markdown reader then reads like
any other document. Scripts, styles and navigation (`<nav>`, and the menus, tables of
contents and sidebars that exported sites build from plain `<div>`s) are left out."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template", "svg", "head", "title"}
_BLOCKS = {"p", "div", "section", "article", "main", "dd", "dt", "figcaption", "body"}
# An element whose id or a class names it a menu ("toc", "sidebar", "nav-menu"): its links
# and group names are not levels. "with-sidebar" on a layout's wrapper is no menu.
_NAVIGATION = re.compile(
    r"(?i)(?:(?:doc|site|page|main|side|top|left|right|global|primary|secondary)[_-])?"
    r"(?:toc|sidebar|side-bar|nav|navbar|navigation|menu|breadcrumbs?|table-of-contents)(?:[_-]\S*)?"
)
_PAGE_TITLE = re.compile(r"(?i)(?:^|[\s_-])(?:doc|page|post|entry|article)[_-]?title(?:$|[\s_-])")
# Elements that hold a menu; never <body> or <main>, whose classes describe the page's layout.
_MENU_HOLDERS = {"div", "aside", "section", "ul", "ol", "dl", "menu", "span"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "col", "source", "area", "base", "embed", "param", "track"}


class _Close(str):
    """A closing `**` or `_`: one that an opening marker right after it cancels, so
    `<b>I </b><b>deliver</b>` (exported editors split runs like this) reads `**I deliver**`."""


def _navigation(attrs: list[tuple[str, str | None]]) -> bool:
    """A menu: `role="navigation"`, or an id or class that says so ("toc", "doc-nav").
    Hidden elements are read: a collapsed accordion holds real criteria."""
    values = dict(attrs)
    if (values.get("role") or "").lower() == "navigation":
        return True
    return any(_NAVIGATION.fullmatch(token) for name in ("id", "class") for token in (values.get(name) or "").split())


def _page_title(attrs: list[tuple[str, str | None]]) -> bool:
    values = dict(attrs)
    return any(_PAGE_TITLE.search(values.get(name) or "") for name in ("id", "class"))


class _ToMarkdown(HTMLParser):
    def __init__(self, collect_tables: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.collect_tables = collect_tables
        self.collected: list[list[list[str]]] = []
        self.out: list[str] = []
        self.line: list[str] = []
        self.prefix = ""
        self.lists: list[str] = []  # "ul" / "ol" of the open lists, outermost first
        self.skipping = 0  # depth of `skip_tag` elements inside the skipped one
        self.skip_tag = ""
        self.title_tag = ""  # the element that holds the page's title, read as a heading
        self.tables: list[list[list[str]]] = []  # rows of each open table
        self.cell: list[str] | None = None

    # A table cell collects its own text; <br> and list items inside it separate statements.
    def _write(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)
        else:
            self.line.append(text)

    def _flush(self) -> None:
        text = " ".join("".join(self.line).split())
        if text:
            self.out.append(self.prefix + text)
        self.line, self.prefix = [], ""

    def _mark(self, marker: str) -> None:
        """Open `marker`, or cancel the same marker that closed just before."""
        target = self.cell if self.cell is not None else self.line
        gap = len(target)
        while gap and not target[gap - 1].strip() and not isinstance(target[gap - 1], _Close):
            gap -= 1  # `<b>Collaborative</b> <b>Reach</b>` is one bold run too
        if gap and isinstance(target[gap - 1], _Close) and target[gap - 1] == marker:
            del target[gap - 1]
        else:
            target.append(marker)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            self.skipping += tag == self.skip_tag
            return
        if tag in _SKIP or (tag in _MENU_HOLDERS and _navigation(attrs)):
            self.skip_tag, self.skipping = tag, 1
            return
        if not self.title_tag and self.cell is None and not self.lists and tag not in _VOID and _page_title(attrs):
            self._flush()
            self.title_tag, self.prefix = tag, "# "
            return
        if tag == "table":
            self._flush()
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = []
        elif self.cell is not None:
            if tag in ("br", "li", "p", "div"):
                self.cell.append(" <br> ")
            elif tag in ("strong", "b"):
                self._mark("**")
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.prefix = "#" * int(tag[1]) + " "
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append(tag)
        elif tag == "li":
            self._flush()
            self.prefix = "  " * max(0, len(self.lists) - 1) + ("1. " if self.lists[-1:] == ["ol"] else "- ")
        elif tag in ("strong", "b"):
            self._mark("**")
        elif tag in ("em", "i"):
            self._mark("_")
        elif tag == "br":
            self.line.append(" ")
        elif tag == "blockquote":
            self._flush()
            self.prefix = "> "
        elif tag == "summary":
            self._flush()
            self.out.append("")
            self.out.append("<details>")
            self.out.append("<summary>")
        elif tag in _BLOCKS:
            self._flush()
            self.out.append("")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= tag == self.skip_tag
            return
        if tag == self.title_tag:
            self._flush()
            self.out.append("")
            self.title_tag = "done"  # one title per page
            return
        if tag in ("td", "th") and self.cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None
        elif tag == "table" and self.tables:
            self._emit_table(self.tables.pop())
        elif self.cell is not None:
            if tag in ("strong", "b"):
                self.cell.append(_Close("**"))
        elif tag in ("strong", "b"):
            self.line.append(_Close("**"))
        elif tag in ("em", "i"):
            self.line.append(_Close("_"))
        elif tag == "summary":
            self.out.append("".join(self.line).strip() + "</summary>")
            self.out.append("")
            self.line = []
        elif tag == "details":
            self._flush()
            self.out.extend(["", "</details>", ""])
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self.out.append("")
        elif re.fullmatch(r"h[1-6]", tag) or tag in ("li", "blockquote") or tag in _BLOCKS:
            self._flush()
            if not self.lists:
                self.out.append("")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._write(data)

    def _emit_table(self, rows: list[list[str]]) -> None:
        rows = [r for r in rows if r]
        if not rows:
            return
        if self.collect_tables:
            self.collected.append(rows)
            return
        width = max(len(r) for r in rows)

        def line(cells: list[str]) -> str:
            cells = [" ".join(c.split()).replace("|", "/") for c in cells] + [""] * (width - len(cells))
            return "| " + " | ".join(cells) + " |"

        self.out.extend(["", line(rows[0]), "|" + "---|" * width, *(line(r) for r in rows[1:]), ""])

    def markdown(self) -> str:
        self._flush()
        return "\n".join(self.out)


def html_to_markdown(html: str) -> str:
    parser = _ToMarkdown()
    parser.feed(html)
    parser.close()
    return parser.markdown()


def html_table_rows(html: str) -> list[list[list[str]]]:
    """The rows (lists of cell texts, `<br>` kept between statements) of each table in `html`."""
    parser = _ToMarkdown(collect_tables=True)
    parser.feed(html)
    parser.close()
    return parser.collected
