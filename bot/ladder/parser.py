"""Parse one level document (markdown) into a `Level`.

Documents come in several shapes and all must read the same way:
- examples in `<details><summary>Examples</summary>` blocks (sometimes with the list
  glued to `<summary>`, which markdown-it then swallows into the HTML block), or after
  a bold `**Examples:**` line, or as a "What success looks like" section;
- metadata as list items (`- **Planning horizon**: ...`) or as bold lines;
- emoji in headings, optional YAML front matter, relative links to other levels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .model import Competency, Level, MetadataItem, Reference, Section, slugify, titlecase_track

# Indented and fenced code mean nothing in a ladder: reading such lines as plain text is
# what a person means, and skipping those rules (tried on every line) saves a fifth of the parse.
_md = MarkdownIt("commonmark").disable(["code", "fence"])

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_LEVEL_TITLE = re.compile(r"^(?P<code>[A-Za-z]{1,3}\s?\d{1,2})\s*[:.\-–—]\s*(?P<title>.+)$")
_CODE_IN_FILENAME = re.compile(r"(?:^|[^A-Za-z])(?P<code>[A-Za-z]{1,3}\d{1,2})(?=[-_ .])")
_METADATA_LINE = re.compile(r"^\*\*(?P<label>[^*]+?)\*\*\s*:?\s*(?P<value>.+?)\s*$")
_EXAMPLES_MARKER = re.compile(r"^\**\s*examples?\s*:?\s*\**\s*:?$", re.I)
_SUMMARY = re.compile(r"<summary>\s*(?P<label>.*?)\s*</summary>", re.I | re.S)
_EXAMPLE_SECTION = re.compile(r"^(examples?|what success looks like)\b", re.I)

MAX_FRONT_MATTER_BYTES = 64_000  # metadata of one level; a ladder in front matter fits well within
MAX_YAML_BYTES = 1_000_000
MAX_CRITERIA = 2_000  # per level; real levels have tens

# Titles say which track they belong to when neither folder nor front matter does.
_TRACK_WORDS = (
    ("support", "Support"),
    ("cloud", "Cloud Engineering"),
    ("manager", "Engineering Management"),
    ("software", "Software Engineering"),
)


class NotALevelDocument(ValueError):
    """The file has no level heading such as `# L3: Senior Software Engineer`."""


@dataclass
class _SectionBuilder:
    name: str
    emoji: str
    competencies: list[Competency] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    in_examples: bool = False

    def build(self) -> Section:
        return Section(
            name=self.name,
            key=slugify(self.name),
            emoji=self.emoji,
            competencies=tuple(self.competencies),
            examples=tuple(self.examples),
            notes=tuple(self.notes),
        )


@dataclass
class _Document:
    title_line: str = ""
    tagline: str = ""
    metadata: list[MetadataItem] = field(default_factory=list)
    sections: list[_SectionBuilder] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


def parse_level(text: str, *, source: str = "", folder_track: str | None = None) -> Level:
    """Parse repaired markdown `text`. `source` is the path relative to the content
    folder; `folder_track` the name of the folder the file sits in, if any."""
    front, body = split_front_matter(text)
    doc = _read_document(body)
    if not doc.title_line and not front.get("title"):
        raise NotALevelDocument("no level heading (expected a line like '# L3: Senior Engineer')")
    code, title = _code_and_title(str(front.get("title") or doc.title_line), front, source)
    track = str(front.get("track") or (titlecase_track(folder_track) if folder_track else _track_from_title(title)))
    track_key = slugify(track)
    count = sum(len(s.competencies) + len(s.examples) for s in doc.sections)
    if count > MAX_CRITERIA:
        raise NotALevelDocument(f"too many criteria and examples ({count:,}; the limit is {MAX_CRITERIA:,} per level)")
    aliases = front.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    return Level(
        id=f"{track_key}/{code.lower()}-{slugify(title)}",
        code=code,
        rank=int(re.sub(r"\D", "", code)),
        title=title,
        track=track,
        track_key=track_key,
        tagline=doc.tagline,
        metadata=tuple(doc.metadata),
        sections=tuple(s.build() for s in doc.sections if s.competencies or s.examples or s.notes),
        aliases=tuple(str(a) for a in aliases),
        references=tuple(doc.references),
        source=source,
        source_url=str(front.get("url") or ""),
    )


class UnsafeYaml(ValueError):
    """YAML that could expand without bound (aliases, anchors) or is too large to be metadata."""


class _FlatLoader(yaml.SafeLoader):
    """safe_load without anchors and aliases: ladder data never needs them, and a few
    hundred bytes of nested aliases ("billion laughs") expand to gigabytes."""

    def compose_node(self, parent, index):  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise UnsafeYaml("YAML anchors and aliases (&name, *name) are not allowed in ladder content")
        return super().compose_node(parent, index)


def load_yaml(text: str, *, limit: int = MAX_YAML_BYTES) -> object:
    """Parse YAML from a content file: no aliases, at most `limit` bytes. Raises UnsafeYaml
    for those, yaml.YAMLError for broken syntax."""
    if len(text.encode("utf-8", "replace")) > limit:
        raise UnsafeYaml(f"YAML block too large ({len(text):,} characters; the limit is {limit:,})")
    return yaml.load(text, Loader=_FlatLoader)  # noqa: S506 - a SafeLoader subclass


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return (front matter as a dict, the rest). Broken YAML counts as none; YAML that
    could blow up (aliases, a huge block) is refused with NotALevelDocument."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = load_yaml(match.group(1), limit=MAX_FRONT_MATTER_BYTES)
    except UnsafeYaml as error:
        raise NotALevelDocument(f"front matter refused: {error}") from None
    except yaml.YAMLError:
        data = None
    return (data if isinstance(data, dict) else {}), text[match.end():]


def _code_and_title(title_line: str, front: dict, source: str) -> tuple[str, str]:
    match = _LEVEL_TITLE.match(title_line.strip())
    if match:
        code, title = match.group("code"), match.group("title")
    else:
        code, title = str(front.get("level") or ""), title_line
        if not code:
            found = _CODE_IN_FILENAME.search(source.rsplit("/", 1)[-1])
            if not found:
                raise NotALevelDocument(f"no level code in the heading {title_line!r} or the file name")
            code = found.group("code")
    return code.replace(" ", "").upper(), _clean(title)


def _track_from_title(title: str) -> str:
    lowered = title.lower()
    return next((track for word, track in _TRACK_WORDS if word in lowered), "General")


def _read_document(body: str) -> _Document:
    doc = _Document()
    tokens = _md.parse(body)
    i = 0
    while i < len(tokens):
        i = _read_block(tokens, i, doc)
    return doc


def _read_block(tokens: list[Token], i: int, doc: _Document) -> int:
    """Consume the block starting at tokens[i]; return the index after it."""
    token = tokens[i]
    section = doc.sections[-1] if doc.sections else None
    if token.type == "heading_open":
        text = _inline_text(tokens[i + 1], doc.references)
        if token.tag == "h1" and not doc.title_line:
            doc.title_line = text
        elif token.tag == "h2" or section is None:
            emoji, name = _split_emoji(text)
            doc.sections.append(_SectionBuilder(name=name, emoji=emoji, in_examples=bool(_EXAMPLE_SECTION.match(name))))
        elif section is not None:
            section.in_examples = bool(_EXAMPLES_MARKER.match(text))
            if not section.in_examples:
                section.notes.append(text)
        return i + 3
    if token.type == "blockquote_open":
        end = _matching_close(tokens, i)
        text = " ".join(_inline_text(t, doc.references) for t in tokens[i:end] if t.type == "inline")
        if section is None and not doc.tagline:
            doc.tagline = text
        elif section is not None:
            section.notes.append(text)
        return end + 1
    if token.type in ("bullet_list_open", "ordered_list_open"):
        end = _matching_close(tokens, i)
        items = _list_items(tokens[i : end + 1], doc.references)
        if section is None:
            _add_metadata_items(doc, items)
        elif section.in_examples:
            section.examples.extend(text for text, _ in items)
        else:
            section.competencies.extend(Competency(text, refs) for text, refs in items)
        return end + 1
    if token.type == "paragraph_open":
        inline = tokens[i + 1]
        if section is None:
            _add_metadata_lines(doc, inline.content)
        elif _EXAMPLES_MARKER.match(inline.content.strip()):
            section.in_examples = True
        else:
            section.notes.append(_inline_text(inline, doc.references))
        return i + 3
    if token.type == "html_block" and section is not None:
        _read_html_block(token.content, section, doc)
    return i + 1


def _read_html_block(html: str, section: _SectionBuilder, doc: _Document) -> None:
    summary = _SUMMARY.search(html)
    if summary and re.match(r"examples?\b", summary.group("label"), re.I):
        section.in_examples = True
        # A list glued to <summary> (no blank line) is part of this HTML block.
        rest = html[summary.end():].split("</details>")[0]
        if rest.strip():
            nested = _read_document_fragment(rest, doc.references)
            section.examples.extend(nested)
    if re.search(r"</details>", html, re.I):
        section.in_examples = False


def _read_document_fragment(markdown: str, references: list[Reference]) -> list[str]:
    tokens = _md.parse(markdown)
    items: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i].type in ("bullet_list_open", "ordered_list_open"):
            end = _matching_close(tokens, i)
            items.extend(text for text, _ in _list_items(tokens[i : end + 1], references))
            i = end + 1
        else:
            i += 1
    return items


def _list_items(tokens: list[Token], references: list[Reference]) -> list[tuple[str, tuple[Reference, ...]]]:
    """Top-level items of a list; nested items are folded into their parent's text."""
    items: list[tuple[str, tuple[Reference, ...]]] = []
    depth = 0
    parts: list[str] = []
    refs: list[Reference] = []
    for token in tokens:
        if token.type == "list_item_open":
            depth += 1
            if depth == 1:
                parts, refs = [], []
        elif token.type == "list_item_close":
            depth -= 1
            if depth == 0 and parts:
                items.append((_clean(" ".join(parts)), tuple(refs)))
        elif token.type == "inline" and depth >= 1:
            parts.append(_inline_text(token, refs))
    references.extend(r for _, rs in items for r in rs)
    return items


def _add_metadata_items(doc: _Document, items: list[tuple[str, tuple[Reference, ...]]]) -> None:
    # Items were flattened to plain text; re-read their bold labels from the raw form.
    for text, _ in items:
        _add_metadata_text(doc, text)


def _add_metadata_lines(doc: _Document, raw_inline: str) -> None:
    for line in raw_inline.splitlines():
        match = _METADATA_LINE.match(line.strip())
        if match:
            _append_metadata(doc, match.group("label"), _strip_markup(match.group("value")))


def _add_metadata_text(doc: _Document, text: str) -> None:
    label, sep, value = text.partition(":")
    if sep and value.strip() and len(label) <= 60:
        _append_metadata(doc, label, value)


def _append_metadata(doc: _Document, label: str, value: str) -> None:
    label = _clean(label.rstrip(": "))
    doc.metadata.append(MetadataItem(key=slugify(label).replace("-", "_"), label=label, value=_clean(value)))


def _inline_text(token: Token, references: list[Reference]) -> str:
    """Plain text of an inline token; links become their text and are remembered."""
    out: list[str] = []
    link_target: str | None = None
    link_text: list[str] = []
    for child in token.children or []:
        if child.type == "link_open":
            link_target, link_text = str(child.attrs.get("href", "")), []
        elif child.type == "link_close" and link_target is not None:
            text = "".join(link_text)
            references.append(Reference(text=_clean(text), target=link_target))
            out.append(text)
            link_target = None
        elif child.type in ("text", "code_inline", "html_inline"):
            content = child.content if child.type != "html_inline" else ""
            (link_text if link_target is not None else out).append(content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return _clean("".join(out))


def _strip_markup(text: str) -> str:
    return re.sub(r"[*_`]", "", text)


def _split_emoji(heading: str) -> tuple[str, str]:
    """"🦉 Domain expertise" -> ("🦉", "Domain expertise")."""
    emoji = []
    rest = heading.lstrip()
    while rest and (_is_symbol(rest[0]) or (emoji and rest[0] in "\ufe0f\u200d")):
        emoji.append(rest[0])
        rest = rest[1:]
    return "".join(emoji).strip(), _clean(rest)


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk", "Co", "Cn") and not char.isalnum()


def _matching_close(tokens: list[Token], start: int) -> int:
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _clean(text: str) -> str:
    return " ".join(text.split())
