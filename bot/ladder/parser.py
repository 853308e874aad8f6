"""Parse a markdown ladder document into `Level`s: one level, or several.

Which headings are levels: the shallowest heading depth at which headings carry level
codes ("L3: ...", "## Apprentice (IC 1)") or read as job titles ("## Senior Product
Manager"); a document whose headings name no level is one level named by its front
matter or its file name. Inside a level, deeper headings are categories, kept as a tree;
nested bullets are criteria under their parent; a bullet that is only a label
("Execution:") with children is a sub-category. A table whose columns are levels holds a
level per column. Documents come in several shapes and all must read the same way:
- examples in `<details><summary>Examples</summary>` blocks (sometimes with the list
  glued to `<summary>`, which markdown-it then swallows into the HTML block), or after
  a bold `**Examples:**` line, or as a "What success looks like" section;
- metadata as list items (`- **Planning horizon**: ...`) or as bold lines;
- emoji in headings, optional YAML front matter, relative links to other levels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .codes import (
    COMPARISON,
    ROLE_NOUNS,
    LevelHeading,
    code_rank,
    find_code,
    has_seniority_word,
    read_heading,
    read_title,
    seniority,
)
from .model import Competency, Level, MetadataItem, Reference, Section, slugify, titlecase_track

# Indented and fenced code mean nothing in a ladder: reading such lines as plain text is
# what a person means, and skipping those rules (tried on every line) saves a fifth of the parse.
# Block rules are tried on every line. Tables, horizontal rules, underlined (setext)
# headings, link reference definitions, quotes and HTML are rare in ladders: a document pays
# for a rule only if it could need it (the patterns may match more, never less).
# (rule, a text it cannot do without, the pattern that says it may be needed): the text is a
# quick test that spares most documents the pattern's scan.
_OPTIONAL_RULES = (
    ("table", "|", re.compile(r"^\s*\|?\s*:?-{3,}:?\s*\|", re.M)),
    ("hr", "", re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.M)),
    ("lheading", "", re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.M)),
    ("reference", "]:", None),  # "[name]: https://..."
    ("blockquote", ">", None),
    ("html_block", "<", None),
)
_parsers: dict[tuple[str, ...], MarkdownIt] = {}


def _parser_for(body: str) -> MarkdownIt:
    needed = tuple(
        rule
        for rule, text, pattern in _OPTIONAL_RULES
        if text in body and (pattern is None or pattern.search(body) is not None)
    )
    parser = _parsers.get(needed)
    if parser is None:
        unused = [rule for rule, _, _ in _OPTIONAL_RULES if rule not in needed and rule != "table"]
        parser = MarkdownIt("commonmark").disable(["code", "fence", *unused])
        if "table" in needed:
            parser.enable("table")
        parser.core.ruler.at("inline", _inline_where_marked_up)
        _parsers[needed] = parser
    return parser


# The characters at which an inline rule of the commonmark preset can start (escapes, code,
# emphasis, links, images, autolinks and HTML, entities). Text without any reads as itself
# (a line break reads as a space, as `_clean` makes it), so most criteria skip inline parsing.
_INLINE_MARKUP = re.compile(r"[\\`*_\[!<&]")


def _inline_where_marked_up(state: StateCore) -> None:
    """The core "inline" rule, run only on text that holds inline markup (see `_inline_text`)."""
    for token in state.tokens:
        if token.type == "inline" and _INLINE_MARKUP.search(token.content):
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
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


class UnsafeYaml(ValueError):
    """YAML that could expand without bound (aliases, anchors) or is too large to be metadata."""


_FastSafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: 10x faster


def load_yaml(text: str, *, limit: int = MAX_YAML_BYTES) -> object:
    """Parse YAML from a content file: no anchors or aliases (ladder data never needs them,
    and a few hundred bytes of nested aliases, a "billion laughs", expand to gigabytes), at
    most `limit` bytes. Raises UnsafeYaml for those, yaml.YAMLError for broken syntax."""
    if len(text.encode("utf-8", "replace")) > limit:
        raise UnsafeYaml(f"YAML block too large ({len(text):,} characters; the limit is {limit:,})")
    if "&" in text or "*" in text:  # only then can there be an anchor or an alias: look closely
        for token in yaml.scan(text, Loader=_FastSafeLoader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise UnsafeYaml("YAML anchors and aliases (&name, *name) are not allowed in ladder content")
    return yaml.load(text, Loader=_FastSafeLoader)


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
    return (data if isinstance(data, dict) else {}), text[match.end() :]


@dataclass
class _Item:
    """A list item with the items nested under it."""

    text: str
    raw: str
    references: tuple[Reference, ...]
    children: list[_Item] = field(default_factory=list)


@dataclass
class _Block:
    kind: str  # "heading", "quote", "list", "para", "html", "table"
    text: str = ""
    raw: str = ""
    depth: int = 0  # of a heading
    items: list[_Item] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # of a table, header row first


@dataclass
class _SectionBuilder:
    name: str
    emoji: str
    path: tuple[str, ...] = ()
    competencies: list[Competency] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    in_examples: bool = False

    def build(self) -> Section:
        key = slugify(" ".join((*self.path, self.name))) if self.path else slugify(self.name)
        return Section(
            name=self.name,
            key=key,
            emoji=self.emoji,
            competencies=tuple(self.competencies),
            examples=tuple(self.examples),
            notes=tuple(self.notes),
            path=self.path,
        )


@dataclass
class _Draft:
    """One level being read: what the document says about it."""

    heading: LevelHeading
    base_depth: int = 1  # its heading's depth; deeper headings are its categories
    tagline: str = ""
    metadata: list[MetadataItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sections: list[_SectionBuilder] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    open_headings: list[tuple[int, _SectionBuilder]] = field(default_factory=list)
    track: str = ""
    order: int = 0
    bold_category: bool = False  # the open category was a bold line, not a heading
    # Plain paragraphs kept as notes (their category, and their place in its notes): the
    # criteria of a level written in paragraphs rather than lists (see _loose_text_as_criteria).
    paragraphs: list[tuple[_SectionBuilder | None, int]] = field(default_factory=list)
    listed: list[MetadataItem] = field(default_factory=list)  # metadata from `- **Label**: value` bullets
    category_depth: int = 0  # the depth of this level's first category headings
    top_categories: int = 0  # how many categories opened at that depth so far

    @property
    def section(self) -> _SectionBuilder | None:
        return self.sections[-1] if self.sections else None

    def criteria_count(self) -> int:
        return sum(len(s.competencies) + len(s.examples) for s in self.sections)


# Folders and files that group levels without naming a track.
GENERIC_FOLDERS = frozenset(
    "levels level docs doc content contents ladder ladders src pages roles role tracks track career careers "
    "career-ladder career-ladders career-framework framework frameworks expectations source site website md "
    "markdown ladder_content _data".split()
)
_LADDER_WORDS = re.compile(
    r"\b(?:career\s+)?(?:ladders?|levels?|levelling|leveling|framework|expectations|"
    r"career\s+paths?|progression|rubric|matrix|roles)\b",
    re.I,
)


def parse_level(text: str, *, source: str = "", folder_track: str | None = None) -> Level:
    """Parse repaired markdown `text` holding one level (the first, if it holds several).
    `source` is the path relative to the content folder; `folder_track` the name of the
    folder that groups the file's levels, if any."""
    return parse_levels(text, source=source, folder_track=folder_track)[0]


def parse_levels(text: str, *, source: str = "", folder_track: str | None = None, department: str = "") -> list[Level]:
    """Every level of a markdown document, in document order, ranked by code or title
    (the loader ranks again across a whole track)."""
    front, body = split_front_matter(text)
    if "title" not in front and isinstance(front.get("name"), str):
        front = {**front, "title": front["name"]}  # `name: Artisan` titles a persona's page as well
    if _carries_ladder(front):
        from .structured import levels_from_data  # a ladder kept as YAML front matter

        return levels_from_data(front, source=source, folder_track=folder_track, department=department)
    if front.get("has_children") is True or (
        front and not body.strip() and not front.get("level") and not _level_heading(str(front.get("title") or ""))
    ):
        # A site's section page (Jekyll's just-the-docs, Hugo's _index): a title that groups the pages below.
        raise NotALevelDocument("NOTE a section page of the site (front matter only), not a level")
    blocks = _blocks(_pseudo_headings(body))
    drafts, file_title = _split_levels(blocks, front, source)
    levels = []
    if drafts and all(draft.base_depth == 0 for draft in drafts):  # a table's rows or columns
        drafts = [draft for draft in drafts if draft.criteria_count()] or drafts[:0]
        if not drafts:
            raise NotALevelDocument("NOTE its tables hold figures, not criteria")
    for order, draft in enumerate(drafts):
        _loose_text_as_criteria(draft)
        count = draft.criteria_count()
        if count > MAX_CRITERIA:
            raise NotALevelDocument(
                f"too many criteria and examples ({count:,}; the limit is {MAX_CRITERIA:,} per level)"
            )
        track = _track_for(draft, front, folder_track, file_title, source, several=len(drafts) > 1)
        # A file that is a track of its own, or names its track, sits in a folder that groups
        # tracks: that folder is the department.
        own_department = department
        if folder_track and track != titlecase_track(folder_track) and (len(drafts) > 1 or front.get("track")):
            own_department = titlecase_track(folder_track)
        shape = "table" if draft.base_depth == 0 else "sections" if len(drafts) > 1 else "file"
        levels.append(replace(_build_level(draft, front, track, own_department, source, order), shape=shape))
    return levels


def _loose_text_as_criteria(draft: _Draft) -> None:
    """A level with no criteria where criteria are expected: its plain paragraphs ("Develops
    tools and demos.", one each), else its labelled bullets (`* **Adopts**: writes small
    features`), are its criteria. One paragraph or bullet alone only describes the level."""
    if not draft.criteria_count():
        _paragraphs_as_criteria(draft)
    if not draft.criteria_count() and len(draft.listed) >= 2:
        draft.metadata = [item for item in draft.metadata if all(item is not listed for listed in draft.listed)]
        loose = _SectionBuilder(name="Expectations", emoji="")
        draft.sections.insert(0, loose)
        loose.competencies.extend(Competency(f"{item.label}: {item.value}") for item in draft.listed)


def _paragraphs_as_criteria(draft: _Draft) -> None:
    notes = [(section, (section.notes if section else draft.notes)[index]) for section, index in draft.paragraphs]
    if len(notes) < 2 or any(_PLACEHOLDER.search(text) for _, text in notes):
        return  # "This level is still being written." is no criterion
    taken = {(id(section), index) for section, index in draft.paragraphs}
    for owner in (None, *draft.sections):
        kept = owner.notes if owner is not None else draft.notes
        kept[:] = [note for index, note in enumerate(kept) if (id(owner), index) not in taken]
    loose: _SectionBuilder | None = None  # for paragraphs written before any category
    for section, text in notes:
        if section is None and loose is None:
            loose = _SectionBuilder(name="Expectations", emoji="")
            draft.sections.insert(0, loose)
        target = section or loose
        if target.in_examples:  # type: ignore[union-attr]
            target.examples.append(text)  # type: ignore[union-attr]
        else:
            target.competencies.append(Competency(text))  # type: ignore[union-attr]
    draft.paragraphs.clear()


_PLACEHOLDER = re.compile(
    r"(?i)\b(?:tbd|tbc|todo|to be (?:written|defined|done)|coming soon|still being written|work in progress|wip)\b"
)


def _carries_ladder(front: dict) -> bool:
    """Front matter that holds a whole ladder (a matrix of topics and levels), not one level's
    metadata: it has several levels, or topics/families and no title of its own."""
    levels = front.get("levels")
    if isinstance(levels, (list, dict)) and len(levels) > 1:
        return True
    topics = front.get("topics")
    if isinstance(topics, list) and any(isinstance(t, dict) and (t.get("content") or t.get("levels")) for t in topics):
        return True  # a progression framework's matrix: topics, each with what every level expects
    if any(isinstance(front.get(key), (list, dict)) for key in ("competencies", "criteria", "expectations")):
        return True  # one level, its criteria in the front matter
    return not front.get("title") and any(
        key in front for key in ("levels", "topics", "competencies", "job_families", "tracks")
    )


def _build_level(draft: _Draft, front: dict, track: str, department: str, source: str, order: int) -> Level:
    heading = draft.heading
    track_key = slugify(f"{department} {track}" if department else track)
    aliases = front.get("aliases") or [] if order == 0 else []
    if isinstance(aliases, str):
        aliases = [aliases]
    aliases = [str(a) for a in aliases] + ([heading.abbreviation] if heading.abbreviation else [])
    rank = code_rank(heading.code) if heading.code else None
    return Level(
        id=f"{track_key}/" + "-".join(p for p in (heading.code.lower(), slugify(heading.title)) if p),
        code=heading.code,
        rank=rank if rank is not None else seniority(heading.title),
        title=_clean(heading.title),
        track=track,
        track_key=track_key,
        tagline=draft.tagline,
        metadata=tuple(draft.metadata),
        sections=_kept_sections(draft.sections),
        aliases=tuple(aliases),
        references=tuple(draft.references),
        source=source,
        source_url=str(front.get("url") or ""),
        department=department,
        notes=tuple(draft.notes),
        order=order,
        weight=_weight(front) if order == 0 else None,
    )


def _weight(front: dict) -> float | None:
    """Site generators order pages by `weight:` (Hugo), `nav_order:` (Jekyll), `sidebar_position:`."""
    for key in ("weight", "nav_order", "sidebar_position", "order", "position"):
        value = front.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _kept_sections(builders: list[_SectionBuilder]) -> tuple[Section, ...]:
    """Categories that say something, and the parents of those (a "## Craft" whose
    criteria all sit under its "### Code" and "### Operations")."""
    said = [(*b.path, b.name) for b in builders if b.competencies or b.examples or b.notes]
    needed = {full[:depth] for full in said for depth in range(1, len(full) + 1)}
    return tuple(b.build() for b in builders if (*b.path, b.name) in needed)


def _track_for(
    draft: _Draft, front: dict, folder_track: str | None, file_title: str, source: str, several: bool
) -> str:
    if front.get("track"):
        track = str(front["track"])
        return titlecase_track(track) if track.islower() else track  # "technical" -> "Technical"
    if draft.track:
        return draft.track
    if several:  # a file of levels: its own title or name is the track, then its folder
        named = _LADDER_WORDS.sub(" ", _split_emoji(file_title)[1]).strip(" :-–—")
        stem = re.sub(r"\.[a-z]+$", "", source.rsplit("/", 1)[-1])
        if named:
            return _clean(named)
        if stem.lower() not in ("readme", "index", "_index") and stem.lower() not in GENERIC_FOLDERS:
            return _track_from_file_name(stem, draft.heading.title)
    if folder_track:
        return titlecase_track(folder_track)
    return _track_from_title(draft.heading.title)


def _split_levels(blocks: list[_Block], front: dict, source: str) -> tuple[list[_Draft], str]:
    """Cut the document into levels; returns them and the document's own (non-level) title."""
    headings = [b for b in blocks if b.kind == "heading"]
    file_title = next((h.text for h in headings if h.depth == 1), "")
    stem = re.sub(r"\.[A-Za-z]+$", "", source.rsplit("/", 1)[-1])
    if any(COMPARISON.search(t) for t in (str(front.get("title") or file_title), re.sub(r"[-_]+", " ", stem))):
        raise NotALevelDocument("NOTE it compares levels (a page about two), it is not one")
    title = str(front.get("title") or "")
    if front.get("level") or (title and (_level_heading(title) or _level_depth(headings) is None)):
        return [_single_level(blocks, front, source)], ""
    file_title = title or file_title  # "Ops Leadership Framework" over `## Level 3` ... `## Level 6`
    tables = _level_tables(blocks)
    if tables:
        return _levels_from_tables(blocks), file_title
    depth = _level_depth(headings)
    if depth is None:
        return [_single_level(blocks, front, source)], ""
    drafts: list[_Draft] = []
    current: _Draft | None = None
    group = ""  # "## Management" above "### M1 ..." levels names their track
    for block in blocks:
        if block.kind == "heading" and block.depth <= depth:
            found = (_level_heading(block.text) or _ranked_title(block.text)) if block.depth == depth else None
            if block.depth < depth and block.depth > 1:
                group = _clean(_LADDER_WORDS.sub(" ", _split_emoji(block.text)[1])).strip(" :-–—")
            current = _Draft(found, base_depth=depth, order=len(drafts), track=group) if found else None
            if current:
                drafts.append(current)
            continue
        if current is not None:
            _read_block(block, current)
    if file_title and (depth > 1 or len(drafts) > 1) and _level_heading(file_title):
        file_title = ""  # the first `#` is a level, not the file's title
    if len(drafts) == 1 and not drafts[0].heading.code:  # "# Principal Engineer" in L6-principal.md
        stem = re.sub(r"\.[A-Za-z]+$", "", source.rsplit("/", 1)[-1])
        code = find_code(stem.replace("_", " "))
        if code:
            heading = drafts[0].heading
            drafts[0].heading = LevelHeading(code, heading.title, heading.abbreviation)
    return drafts, file_title


def _level_heading(text: str) -> LevelHeading | None:
    return read_heading(text) or read_title(text)


def _ranked_title(text: str) -> LevelHeading | None:
    """ "Graduate QA", "Senior QA/QE": a seniority word, then only acronyms or role words, at
    the depth where the other headings are levels (never enough, alone, to make a heading a
    level). "Staff meetings" and "Getting to Senior" are not levels."""
    title = _clean(_strip_markup(_split_emoji(text)[1]))
    first, *rest = title.split() or [""]
    if not has_seniority_word(first) or len(rest) > 3:
        return None
    if all(word.isupper() or word.lower() in ROLE_NOUNS for word in rest):
        return LevelHeading("", title)
    return None


def _level_depth(headings: list[_Block]) -> int | None:
    """The heading depth at which levels are written, or None if no heading names one."""
    for depth in range(1, 5):
        at_depth = [h for h in headings if h.depth == depth]
        if not at_depth:
            continue
        coded = [h for h in at_depth if read_heading(h.text)]
        titled = [h for h in at_depth if read_title(h.text)]
        if (coded and len(coded) * 2 >= len(at_depth) - len(titled)) or (coded and depth == 1):
            return depth
        if len(titled) >= 2 and len(titled) * 2 >= len(at_depth):
            return depth
        ranks = [h for h in at_depth if _bare_rank(h.text)]
        if len(ranks) >= 3 and len(ranks) * 2 >= len(at_depth):
            return depth  # "## Trainee", "## Junior", "## Middle", "## Senior": a file per skill area
        if depth == 1 and len(at_depth) == 1 and titled:
            # "# Backend Engineer" over "## L1 - Backend Engineer 1", "## L2 - ...": the codes
            # below are the levels and the title above is their track.
            return _coded_depth_below(headings, depth) or depth
    return None


def _bare_rank(text: str) -> bool:
    """A heading that is a seniority and nothing else: "Junior", "Middle", "Senior level"."""
    plain = re.sub(r"\s*[(\[][^)\]]*[)\]]", "", _split_emoji(text)[1])  # "Middle (2-4 years)"
    words = _clean(_strip_markup(plain)).lower().split()
    return 1 <= len(words) <= 2 and all(has_seniority_word(w) or w == "level" for w in words)


def _coded_depth_below(headings: list[_Block], depth: int) -> int | None:
    for deeper in range(depth + 1, 5):
        at_depth = [h for h in headings if h.depth == deeper]
        coded = [h for h in at_depth if read_heading(h.text)]
        if len(coded) >= 2 and len(coded) * 2 >= len(at_depth):
            return deeper
    return None


def _single_level(blocks: list[_Block], front: dict, source: str) -> _Draft:
    """The whole document is one level, named by front matter, its `#` heading or file name."""
    h1 = next((b for b in blocks if b.kind == "heading" and b.depth == 1), None)
    title_line = str(front.get("title") or (h1.text if h1 else ""))
    heading = read_heading(title_line) if title_line else None
    stem = re.sub(r"\.[A-Za-z]+$", "", source.rsplit("/", 1)[-1])
    if heading is None:
        code = str(front.get("level") or "").strip()
        if re.fullmatch(r"\d{1,2}(?:\.\d{1,2})?", code):
            code = f"L{code}"  # "level: 3"
        code = (find_code(code) or code.replace(" ", "").upper()) if code else (find_code(stem.replace("_", " ")) or "")
        from_name = _title_from_file_name(stem)
        title = title_line or from_name
        if h1 is not None and not front.get("title") and not read_title(title_line) and (code or read_title(from_name)):
            title = from_name or code  # "# Overview" in senior-engineer.md: the file names the level
        if (
            not code
            and not read_title(title or "")
            and title_line
            and h1 is None
            and not _names_a_role(title_line)
            and (_ABOUT_THE_LADDER.search(f"{title_line} {stem}") or not any(b.kind == "list" for b in blocks))
        ):
            # A site page titled in front matter ("Introduction to the framework").
            raise NotALevelDocument(f"NOTE its title {title_line!r} names no role or level")
        # A front-matter title stands when no `#` heading competes with it, or when the site
        # orders the page among others (`order:`, `weight:`) and its `#` headings are categories.
        titled_page = bool(title_line) and (
            h1 is None
            or (
                front.get("title")
                and _weight(front) is not None
                and not _ABOUT_THE_LADDER.search(f"{title_line} {stem}")
            )
        )
        if not code and not titled_page and not read_title(title or ""):
            if not title_line:
                raise NotALevelDocument("no level heading (expected a line like '# L3: Senior Engineer')")
            raise NotALevelDocument(f"no level code in the heading {title_line!r} or the file name")
        heading = read_title(title) or LevelHeading(code, title)
        heading = LevelHeading(code, _clean(heading.title) or code, heading.abbreviation)
    draft = _Draft(heading, base_depth=1)
    for block in blocks:
        if block is h1 and (
            not front.get("title") or _level_heading(block.text) or heading.title.lower() in block.text.lower()
        ):
            continue  # the level's own heading (a front matter title may repeat it)
        _read_block(block, draft)
    return draft


# Pages about the ladder rather than in it.
_ABOUT_THE_LADDER = re.compile(
    r"(?i)\b(?:introduction|intro|overview|about|guide|faq|glossary|principles|process|welcome|"
    r"how to|getting started|framework|ladder|levels|promotions?|calibration|readme|index)\b"
)


def _names_a_role(title: str) -> bool:
    """ "Software Development Engineer in Test", "Senior": a role or a rank is named somewhere."""
    words = set(re.findall(r"[a-z]+", title.lower()))
    return bool(words & ROLE_NOUNS) or has_seniority_word(title)


def _title_from_file_name(stem: str) -> str:
    words = re.sub(r"[-_]+", " ", stem).strip()
    words = re.sub(r"^\d+\s*", "", words)  # "03-senior-engineer"
    code = find_code(words)
    if code:
        words = re.sub(r"(?i)\b" + re.escape(code) + r"\b", "", words).strip()
    return " ".join(w if w.isupper() else w.capitalize() for w in words.split())


def _pseudo_headings(body: str) -> str:
    """Documents without a single `#` line sometimes mark headings in bold on a line of
    their own: `**Title` for the level, `***Section` for a category. A closed `**Name**`
    line is the level only if it names one; otherwise it stays a bold category."""
    if re.search(r"^#{1,6}\s", body, re.M):
        return body

    def heading(match: re.Match[str]) -> str:
        stars, text, closing = match.group(1), match.group(2).strip(), match.group(3)
        if len(stars) == 3:
            return "## " + text
        if closing and not _level_heading(text.rstrip(":")):
            return match.group(0)
        return "# " + text

    return re.sub(r"^(\*{2,3})(?!\s)([^*\n]+?)(\**)\s*$", heading, body, flags=re.M)


def _track_from_file_name(stem: str, title: str) -> str:
    """ "career-ladder-for-ospo-engineers" -> "OSPO Engineers": without the ladder words, and
    with a word's case as the level titles write it."""
    words = re.sub(r"\bfor\b", " ", _LADDER_WORDS.sub(" ", re.sub(r"[-_]+", " ", stem)), flags=re.I).split()
    words = [part for word in words for part in _role_words(word)]
    as_written = {w.lower(): w for w in re.findall(r"[A-Za-z]+", title) if w.isupper() and len(w) > 1}
    return titlecase_track(" ".join(as_written.get(w.lower(), w) for w in words) or stem)


def _role_words(word: str) -> list[str]:
    """ "EngineeringManager" -> Engineering, Manager; "TechLead" -> Tech, Lead. Only a name
    that ends in a role word is split: "JavaScript", "GitHub" and "DevRel" stay whole."""
    parts = re.findall(r"[A-Z][a-z]+", word)
    if word.isascii() and "".join(parts) == word and len(parts) >= 2 and parts[-1].lower() in ROLE_NOUNS:
        return parts
    return [word]


def _track_from_title(title: str) -> str:
    lowered = title.lower()
    return next((track for word, track in _TRACK_WORDS if word in lowered), "General")


# --- markdown blocks -------------------------------------------------------------------

_HTML_STRUCTURE = re.compile(r"<(?:h[1-6]|ul|ol|li)\b", re.I)
_HTML_DETAILS = re.compile(r"<(?:details|summary)\b", re.I)


def _blocks(body: str) -> list[_Block]:
    tokens = _parser_for(body).parse(body)
    blocks: list[_Block] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            blocks.append(
                _Block("heading", _inline_text(tokens[i + 1], []), tokens[i + 1].content, depth=int(token.tag[1]))
            )
            i += 3
        elif token.type == "blockquote_open":
            end = _matching_close(tokens, i)
            refs: list[Reference] = []
            text = " ".join(_inline_text(t, refs) for t in tokens[i:end] if t.type == "inline")
            blocks.append(_Block("quote", text))
            i = end + 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            end = _matching_close(tokens, i)
            blocks.append(_Block("list", items=_item_tree(tokens[i + 1 : end])))
            i = end + 1
        elif token.type == "paragraph_open":
            inline = tokens[i + 1]
            blocks.append(_Block("para", inline.content, inline.content))
            i += 3
        elif token.type == "table_open":
            end = _matching_close(tokens, i)
            blocks.append(_Block("table", rows=_table_rows(tokens[i:end])))
            i = end + 1
        elif token.type == "html_block":
            if re.search(r"<table\b", token.content, re.I):
                from .html import html_table_rows

                for rows in html_table_rows(token.content):
                    blocks.append(_Block("table", rows=rows))
            elif _HTML_STRUCTURE.search(token.content) and not _HTML_DETAILS.search(token.content):
                from .html import html_to_markdown  # headings and lists written in HTML inside markdown

                blocks.extend(_blocks(html_to_markdown(token.content)))
            else:
                blocks.append(_Block("html", token.content, token.content))
            i += 1
        else:
            i += 1
    return blocks


_TASK_BOX = re.compile(r"^\[[ xX]\]\s+")


def _item_tree(tokens: list[Token]) -> list[_Item]:
    """The items of a list (tokens inside its open/close), each with its nested items."""
    items: list[_Item] = []
    i = 0
    while i < len(tokens):
        if tokens[i].type != "list_item_open":
            i += 1
            continue
        end = _matching_close(tokens, i)
        parts: list[str] = []
        raws: list[str] = []
        refs: list[Reference] = []
        children: list[_Item] = []
        j = i + 1
        while j < end:
            token = tokens[j]
            if token.type in ("bullet_list_open", "ordered_list_open"):
                close = _matching_close(tokens, j)
                children.extend(_item_tree(tokens[j + 1 : close]))
                j = close + 1
                continue
            if token.type == "inline":
                parts.append(_inline_text(token, refs))
                raws.append(token.content)
            j += 1
        text = _TASK_BOX.sub("", _clean(" ".join(parts)))  # "- [ ] I ..." checklists
        items.append(_Item(text, " ".join(raws), tuple(refs), children))
        i = end + 1
    return items


def _table_rows(tokens: list[Token]) -> list[list[str]]:
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(token.content)
    return rows


# --- what a level says ----------------------------------------------------------------


def _read_block(block: _Block, draft: _Draft) -> None:
    section = draft.section
    if block.kind == "heading":
        draft.category_depth = draft.category_depth or block.depth
        depth = block.depth
        if depth == draft.category_depth - 1 and depth > draft.base_depth and draft.top_categories >= 2:
            depth = draft.category_depth  # `####`, `####`, then one `###`: a slip, still a sibling
        draft.top_categories += depth == draft.category_depth
        _open_category(draft, depth, block.text)
    elif block.kind == "quote":
        if section is None and not draft.tagline:
            draft.tagline = block.text
        elif section is not None:
            section.notes.append(block.text)
        else:
            draft.notes.append(block.text)
    elif block.kind == "list":
        _read_list(draft, block.items)
    elif block.kind == "para":
        _read_paragraph(draft, block.raw)
    elif block.kind == "table":
        _read_indicator_table(draft, block.rows)
    elif block.kind == "html" and section is not None:
        _read_html_block(block.raw, section, draft)


def _open_category(draft: _Draft, depth: int, text: str) -> None:
    draft.bold_category = False
    emoji, name = _split_emoji(text)
    section = draft.section
    if section is not None and depth > draft.base_depth + 1 and _EXAMPLES_MARKER.match(text):
        section.in_examples = True  # "### Examples" under a category
        return
    while draft.open_headings and draft.open_headings[-1][0] >= depth:
        draft.open_headings.pop()
    parent = draft.open_headings[-1][1] if draft.open_headings else None
    path = (*parent.path, parent.name) if parent else ()
    builder = _SectionBuilder(name=name, emoji=emoji, path=path, in_examples=bool(_EXAMPLE_SECTION.match(name)))
    draft.sections.append(builder)
    draft.open_headings.append((depth, builder))


def _category(draft: _Draft) -> _SectionBuilder:
    """The category criteria go to: the open one, or one for criteria written before any."""
    if draft.section is None:
        builder = _SectionBuilder(name="Expectations", emoji="")
        draft.sections.append(builder)
        draft.open_headings.append((draft.base_depth + 1, builder))
    return draft.section  # type: ignore[return-value]


_LINK_ONLY = re.compile(r"^\s*\[(?P<text>[^\]]+)\]\((?P<target>[^)#]+)\)\s*$")


def _navigation(draft: _Draft, items: list[_Item]) -> bool:
    """A list that only links to other pages: `* [Tech Lead 6](Tech Lead 6.md)` beside the
    level, or outside any category. A criterion written as a link to its own explanation
    (`- [Writes clean code](craft.md#clean-code)`) is still a criterion."""
    links = [_LINK_ONLY.match(item.raw) for item in items]
    if not all(links) or any(item.children for item in items):
        return False
    if draft.section is None:
        return True
    return all(_same_words(m.group("text"), m.group("target").rsplit("/", 1)[-1]) for m in links if m)


def _same_words(text: str, target: str) -> bool:
    """ "Tech Lead 6" and "Tech Lead 6.md" or "tech-lead-6.html": the link names its page."""
    stem = re.sub(r"\.[A-Za-z]+$", "", target)
    return slugify(text) == slugify(stem)


def _read_list(draft: _Draft, items: list[_Item]) -> None:
    if _navigation(draft, items):
        return
    section = draft.section
    if section is None:
        rest = [item for item in items if not _metadata_item(draft, item)]
        if not rest:
            return
        items = rest
        section = _category(draft)
    if section.in_examples:
        section.examples.extend(_flatten(items))
        return
    for item in items:
        draft.references.extend(item.references)
        _add_item(draft, section, item, 0)


def _metadata_item(draft: _Draft, item: _Item) -> bool:
    """`- **Planning horizon**: 6-12 months` before any category is about the level."""
    if item.children:
        return False
    label, sep, value = item.text.partition(":")
    if not sep or not value.strip() or len(label) > 60 or len(value.split()) > 30:
        return False
    if not item.raw.lstrip().startswith(("**", "__")) and (label.startswith("I ") or len(label.split()) > 5):
        return False
    draft.listed.append(_append_metadata(draft, label, value))
    return True


def _label_only(item: _Item) -> str | None:
    """ "Execution:" or "**Execution**" with items under it names a sub-category."""
    if not item.children:
        return None
    text = item.text.strip()
    bold = re.fullmatch(r"\s*(\*\*|__)(.+?)\1\s*:?\s*", item.raw)
    if bold or (text.endswith(":") and len(text.split()) <= 8):
        return text.rstrip(":").strip()
    return None


def _add_item(draft: _Draft, section: _SectionBuilder, item: _Item, depth: int) -> None:
    label = _label_only(item)
    if label is not None and _EXAMPLES_MARKER.match(label):
        examples = _flatten(item.children)
        if depth > 0 and section.competencies:  # examples of the criterion just above
            last = section.competencies[-1]
            section.competencies[-1] = Competency(
                last.text, last.references, last.depth, last.examples + tuple(examples)
            )
        else:
            section.examples.extend(examples)
        return
    if label is not None:
        sub = _SectionBuilder(name=label, emoji="", path=(*section.path, section.name))
        draft.sections.append(sub)
        for child in item.children:
            _add_item(draft, sub, child, 0)
        return
    if item.text:
        section.competencies.append(Competency(item.text, item.references, depth))
    for child in item.children:
        _add_item(draft, section, child, depth + 1)


def _flatten(items: list[_Item]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item.text:
            out.append(item.text)
        out.extend(_flatten(item.children))
    return out


_SUMMARY_LABEL = re.compile(r"(?i)tl;?\s?dr|summary|in short|in a nutshell|overview|note|context")


# What a line says about the level as a whole, wherever it stands: "_Experience: 4 years_".
_LEVEL_FACT = re.compile(r"(?i)(?:typical |relevant )?(?:experience|years(?: of experience)?|tenure|reports? to)")


def _states_a_value(value: str) -> bool:
    """ "Typically requires 5 years" or "2+ years", not a category's subtitle ("Technical
    excellence" in `**Craft: Technical excellence**`)."""
    return len(value.split()) >= 4 or any(ch.isdigit() for ch in value)


_LABELLED = re.compile(r"([^:]{2,30}):\s+(\S+(?:\s+\S+)+)$")  # "Experience: two or more words"
_BOLD_LINE = re.compile(r"^(\*\*|__)(?P<name>[^*_\n]{2,80}?)\s*:?\s*\1\s*:?$")


def _read_paragraph(draft: _Draft, raw: str) -> None:
    section = draft.section
    if _EXAMPLES_MARKER.match(raw.strip()):
        if section is not None:
            section.in_examples = True
        return
    bold = _BOLD_LINE.match(raw.strip())
    emphasised = _emphasised(raw.strip())
    labelled_line = _LABELLED.match(_clean(_strip_markup(raw))) if bold or emphasised else None
    if labelled_line and _states_a_value(labelled_line.group(2)):  # "__Experience: Typically 5 years.__"
        label, value = labelled_line.groups()
        if section is None or _LEVEL_FACT.fullmatch(label.strip()):
            _append_metadata(draft, label, value)
        else:
            section.notes.append(_clean(f"{label}: {value}"))
        return
    if bold:  # "**Technical skills**" alone on a line: a category written in bold
        depth = (
            draft.open_headings[-1][0] + 1 if draft.open_headings and not draft.bold_category else draft.base_depth + 1
        )
        if draft.bold_category and draft.open_headings:
            depth = draft.open_headings[-1][0]
        _open_category(draft, depth, bold.group("name"))
        draft.bold_category = True
        return
    labelled = [_METADATA_LINE.match(line.strip()) for line in raw.splitlines()]
    if labelled and all(labelled):
        for match in labelled:
            label, value = match.group("label").rstrip(": "), _strip_markup(match.group("value"))  # type: ignore[union-attr]
            summary = _SUMMARY_LABEL.fullmatch(label.strip(" ;:"))
            if summary and (summary.group().lower().startswith("tl") or not _reads_as_criterion(value)):
                # "**tldr;** the gist of the category"; "**Context:** I give the background" is a criterion
                (section.notes if section is not None else draft.notes).append(_clean(value))
            elif section is None and not _reads_as_criterion(value):
                _append_metadata(draft, label, value)
            else:  # "**Technical knowledge:** I know..." is a criterion of its category
                target = _category(draft)
                text = _clean(f"{label}: {value}")
                if target.in_examples:
                    target.examples.append(text)
                else:
                    target.competencies.append(Competency(text))
        return
    text = _clean(_strip_markup(_link_texts(raw)))
    if not text:
        return
    if _emphasised(raw.strip()) and section is None and not draft.tagline and _reads_as_criterion(text):
        draft.tagline = text  # "***I deliver solutions across a product area***" under the title
        return
    notes = section.notes if section is not None else draft.notes
    if not _emphasised(raw.strip()):
        draft.paragraphs.append((section, len(notes)))
    notes.append(text)


_EMPHASIS_AROUND = re.compile(r"^([*_]{1,3})[^*_\n](?:.*[^*_\n])?([*_]{1,3})$")


def _emphasised(raw: str) -> bool:
    """In emphasis from end to end: bold, italic or both (`**_..._**`, `***...***`)."""
    match = _EMPHASIS_AROUND.match(raw)
    return match is not None and sorted(match.group(1)) == sorted(match.group(2))


_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _link_texts(raw: str) -> str:
    """Links read as their text; images (a chart of the level) go."""
    if "](" not in raw:
        return raw
    return _LINK.sub(r"\1", _IMAGE.sub(" ", raw))


def _reads_as_criterion(value: str) -> bool:
    return bool(re.match(r"(?:I|We|You)\b", value.strip())) or len(value.split()) > 15


def _read_indicator_table(draft: _Draft, rows: list[list[str]]) -> None:
    """A level's own table. Each column is a category when the header names them and the
    first column holds statements (Scope | Reach | Levers over a row of bullets); otherwise
    a row whose first cell is a short name is a category (Responsibility | Behaviours), and
    any other row's cells are criteria of the open category."""
    parent = draft.section
    path = (*parent.path, parent.name) if parent else ()
    body = [[_cell_texts(cell) for cell in row] for row in (rows[1:] if len(rows) > 1 else rows)]
    header = [_cell_texts(cell) for cell in rows[0]] if len(rows) > 1 else []
    if _names_columns(header) and not any(_names_category(cells[0]) for cells in body if cells):
        for column, names in enumerate(header):
            sub = _SectionBuilder(name=names[0], emoji="", path=path, notes=list(names[1:2]))
            draft.sections.append(sub)
            sub.competencies.extend(Competency(text) for cells in body if column < len(cells) for text in cells[column])
        return
    for cells in body:
        if len(cells) >= 2 and len(cells[0]) == 1:
            sub = _SectionBuilder(name=cells[0][0], emoji="", path=path)
            draft.sections.append(sub)
            sub.competencies.extend(Competency(text) for cell in cells[1:] for text in cell)
        else:
            _category(draft).competencies.extend(Competency(text) for cell in cells for text in cell)


_COLUMN_LABELS = re.compile(
    r"(?i)(?:criteri(?:on|a)|competenc(?:y|ies)|expectations?|descriptions?|behaviou?rs?|examples?|"
    r"indicators?|skills?|details?|notes?|evidence|area|category|level|what|how)"
)


def _names_columns(header: list[tuple[str, ...]]) -> bool:
    """A header row of category names ("Scope", "Collaborative Reach"), not of column labels."""
    return len(header) >= 2 and all(
        cell and _names_category(cell[:1]) and not _COLUMN_LABELS.fullmatch(cell[0]) for cell in header
    )


def _names_category(cell: tuple[str, ...]) -> bool:
    """A short name ("Impact", "Decision Making") alone in its cell, not a statement."""
    return len(cell) == 1 and len(cell[0].split()) <= 6 and not _reads_as_criterion(cell[0])


_CELL_BREAK = re.compile(r"<br\s*/?>|\s•\s|^•\s", re.I)
_TAG = re.compile(r"<[^>]+>")
_A_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=8192)  # a table's cells are read for its shape, then for its criteria
def _cell_texts(cell: str) -> tuple[str, ...]:
    """The statements in a table cell: one, or several split by <br> or bullets."""
    out = []
    for part in _CELL_BREAK.split(cell):
        text = _clean(_strip_markup(_link_texts(_TAG.sub(" ", part))).lstrip("•-* "))
        if text and text not in ("-", "–", "—", "n/a", "N/A") and _A_LETTER.search(text):
            out.append(text)  # a figure alone ("80%", "0.00", "$90k") is data, not a criterion
    return tuple(out)


# --- tables whose columns are levels --------------------------------------------------


def _header_level(cell: str, index: int) -> LevelHeading | None:
    text = " ".join(_cell_texts(cell))
    if not text:
        return None
    found = _level_heading(text)
    if found:
        return found
    if (has_seniority_word(text) and len(text.split()) <= 4) or re.fullmatch(
        r"(?i)(?:mid|intermediate|engineer|developer)", text
    ):
        return LevelHeading("", text)
    return None


def _level_columns(rows: list[list[str]]) -> list[tuple[int, LevelHeading]]:
    if len(rows) < 2 or len(rows[0]) < 3:
        return []
    columns = [(i, _header_level(cell, i)) for i, cell in enumerate(rows[0]) if i > 0]
    found = [(i, h) for i, h in columns if h]
    return found if len(found) >= 2 and len(found) * 2 >= len(columns) else []


def _level_rows(rows: list[list[str]]) -> list[tuple[int, LevelHeading]]:
    """The other way round: a level per row, named in its first cell, categories as columns."""
    if len(rows) < 3 or len(rows[0]) < 2:
        return []
    found = [(i, h) for i, row in enumerate(rows) if i > 0 and row for h in [_header_level(row[0], i)] if h]
    return found if len(found) >= 2 and len(found) * 2 >= len(rows) - 1 else []


def _level_tables(blocks: list[_Block]) -> bool:
    return any(
        b.kind == "table" and _states_something(b.rows) and (_level_columns(b.rows) or _level_rows(b.rows))
        for b in blocks
    )


def _states_something(rows: list[list[str]]) -> bool:
    """Some cell says something (two words or more): a table of levels and their criteria,
    even a compact one ("A whole feature"), not a lookup of grades, codes or salaries."""
    names = {i for i, cell in enumerate(rows[0]) if _TITLE_COLUMN.fullmatch(" ".join(_cell_texts(cell)))}
    return any(
        len(text.split()) >= 2
        for row in rows[1:]
        for column, cell in enumerate(row[1:], start=1)
        if column not in names
        for text in _cell_texts(cell)
    )


def _levels_from_tables(blocks: list[_Block]) -> list[_Draft]:
    """Levels as columns, criteria as rows: the first column (and the headings above the
    table) name the category."""
    drafts: dict[str, _Draft] = {}
    headings: list[tuple[int, str]] = []
    for block in blocks:
        if block.kind == "heading":
            while headings and headings[-1][0] >= block.depth:
                headings.pop()
            headings.append((block.depth, _split_emoji(block.text)[1]))
            continue
        if block.kind != "table" or not _states_something(block.rows):
            continue  # a lookup of grades or salaries beside the ladder's own tables
        columns = _level_columns(block.rows)
        path = tuple(name for depth, name in headings if depth > 1)
        if not columns:
            _levels_from_rows(block.rows, path, drafts)
            continue
        for row in block.rows[1:]:
            category = " ".join(_cell_texts(row[0])) if row else ""
            for index, heading in columns:
                key = heading.code or heading.title.lower()
                draft = drafts.setdefault(key, _Draft(heading, base_depth=0, order=len(drafts)))
                texts = _cell_texts(row[index]) if index < len(row) else []
                if not texts:
                    continue
                section = _table_section(draft, path, category)
                section.competencies.extend(Competency(t) for t in texts)
    return list(drafts.values())


_TITLE_COLUMN = re.compile(r"(?i)(?:job |role |level )?(?:title|name|role|position)")
_TAGLINE_COLUMN = re.compile(r"(?i)focus|summary|theme|tagline|motto|in short|one[- ]liner")


def _levels_from_rows(rows: list[list[str]], path: tuple[str, ...], drafts: dict[str, _Draft]) -> None:
    """A level per row; a Title column names it (a code in the title is another name for
    it) and a Focus or Summary column is its tagline, the other columns its categories."""
    categories = [" ".join(_cell_texts(cell)) for cell in rows[0]]
    title_column = next((i for i, c in enumerate(categories) if i and _TITLE_COLUMN.fullmatch(c)), None)
    tagline_column = next((i for i, c in enumerate(categories) if i and _TAGLINE_COLUMN.fullmatch(c)), None)
    for index, heading in _level_rows(rows):
        row = rows[index]
        if title_column is not None and title_column < len(row):
            heading = _titled(heading, " ".join(_cell_texts(row[title_column])))
        key = heading.code or heading.title.lower()
        draft = drafts.setdefault(key, _Draft(heading, base_depth=0, order=len(drafts)))
        for column, cell in enumerate(row[1:], start=1):
            texts = _cell_texts(cell)
            if not texts or column == title_column:
                continue
            if column == tagline_column and not draft.tagline:
                draft.tagline = " ".join(texts)
                continue
            category = categories[column] if column < len(categories) else ""
            _table_section(draft, path, category).competencies.extend(Competency(t) for t in texts)


def _titled(heading: LevelHeading, title: str) -> LevelHeading:
    """The row's level named by its Title cell: "IC3 Senior Specialist" on the L3 row is
    titled "Senior Specialist", and IC3 becomes another name for it."""
    if not title:
        return heading
    named = read_heading(title)
    if named is None or not named.title:
        return LevelHeading(heading.code, title, heading.abbreviation)
    if not heading.code:
        return named
    alias = named.code if named.code != heading.code else named.abbreviation
    return LevelHeading(heading.code, named.title, alias or heading.abbreviation)


def _table_section(draft: _Draft, path: tuple[str, ...], category: str) -> _SectionBuilder:
    names = (*path, category) if category else path or ("Expectations",)
    for depth in range(1, len(names) + 1):
        wanted = (names[: depth - 1], names[depth - 1])
        found = next((s for s in draft.sections if (s.path, s.name) == wanted), None)
        if found is None:
            found = _SectionBuilder(name=names[depth - 1], emoji="", path=names[: depth - 1])
            draft.sections.append(found)
    return found  # type: ignore[return-value]


def _read_html_block(html: str, section: _SectionBuilder, doc: _Draft) -> None:
    summary = _SUMMARY.search(html)
    if summary and re.match(r"examples?\b", summary.group("label"), re.I):
        section.in_examples = True
        # A list glued to <summary> (no blank line) is part of this HTML block.
        rest = html[summary.end() :].split("</details>")[0]
        if rest.strip():
            nested = _read_document_fragment(rest, doc.references)
            section.examples.extend(nested)
    if re.search(r"</details>", html, re.I):
        section.in_examples = False


def _read_document_fragment(markdown: str, references: list[Reference]) -> list[str]:
    out: list[str] = []
    for block in _blocks(markdown):
        if block.kind == "list":
            for item in block.items:
                references.extend(item.references)
            out.extend(_flatten(block.items))
    return out


def _append_metadata(doc: _Draft, label: str, value: str) -> MetadataItem:
    label = _clean(label.rstrip(": "))
    item = MetadataItem(key=slugify(label).replace("-", "_"), label=label, value=_clean(value))
    doc.metadata.append(item)
    return item


def _inline_text(token: Token, references: list[Reference]) -> str:
    """Plain text of an inline token; links become their text and are remembered."""
    if not _INLINE_MARKUP.search(token.content):  # left unparsed by _inline_where_marked_up
        return _clean(token.content)
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
    """ "🦉 Domain expertise" -> ("🦉", "Domain expertise")."""
    emoji: list[str] = []
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
