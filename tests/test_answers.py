"""Lookup, ambiguity, unknown levels, comparisons and search on the shipped ladder."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ladder.answers import (
    Answerer,
    ChoiceAnswer,
    CompareAnswer,
    LevelAnswer,
    NotFoundAnswer,
    SearchAnswer,
)
from bot.ladder.loader import load_ladder

CONTENT = Path(__file__).resolve().parent.parent / "ladder_content"


@pytest.fixture(scope="module")
def answerer():
    return Answerer(load_ladder(CONTENT).ladder)


@pytest.mark.parametrize(
    "query, title",
    [
        ("L3 senior software", "Senior Software Engineer"),
        ("L3", "Senior Software Engineer"),
        ("senior cloud engineer", "Senior Software Engineer"),
        ("cloud L3", "Senior Software Engineer"),
        ("cloud architect", "Cloud Architect"),
        ("L4 architect", "Cloud Architect"),
        ("lead cloud engineer", "Lead Cloud Engineer"),
        ("l2 support", "DevOps Support Engineer"),
        ("L2 cloud", "Cloud Engineer"),
        ("cloud engineer", "Cloud Engineer"),
        ("Senior Software Engineer", "Senior Software Engineer"),
        ("senior sofware", "Senior Software Engineer"),  # a typo still finds it
    ],
)
def test_lookup(answerer, query, title):
    answer = answerer.ask(query)
    assert isinstance(answer, LevelAnswer), answer
    assert answer.level.title == title


def test_lookup_knows_its_neighbours(answerer):
    answer = answerer.ask("L3")
    assert sorted(l.title for l in answer.next_levels) == ["Cloud Architect", "Lead Cloud Engineer"]
    assert [l.title for l in answer.previous_levels] == ["Cloud Engineer"]


@pytest.mark.parametrize(
    "query, titles",
    [
        ("L2", ["Cloud Engineer", "DevOps Support Engineer"]),
        ("L4", ["Cloud Architect", "Lead Cloud Engineer"]),
    ],
)
def test_ambiguous_lookup_lists_candidates_that_resolve(answerer, query, titles):
    answer = answerer.ask(query)
    assert isinstance(answer, ChoiceAnswer)
    assert sorted(o.label.split(": ")[1].split(" (")[0] for o in answer.options) == titles
    # Each option's query, asked again, names exactly one level.
    for option in answer.options:
        assert isinstance(answerer.ask(option.query), LevelAnswer)


@pytest.mark.parametrize(
    "query, nearest",
    [
        ("L7", "L4"),
        ("L3 support", "L2: DevOps Support Engineer"),
    ],
)
def test_unknown_level_says_so_and_suggests_the_nearest(answerer, query, nearest):
    answer = answerer.ask(query)
    assert isinstance(answer, NotFoundAnswer)
    assert query in answer.message
    assert answer.suggestions and answer.suggestions[0].label.startswith(nearest)


def test_compare_without_track_picks_the_track_that_has_both(answerer):
    answer = answerer.ask("what separates L2 from L3?")
    assert isinstance(answer, CompareAnswer)
    comparison = answer.comparison
    assert (comparison.lower.title, comparison.higher.title) == ("Cloud Engineer", "Senior Software Engineer")
    domain = next(s for s in comparison.sections if s.key == "domain-expertise")
    degree = {c.before.text: c.after.text for c in domain.changed}
    assert (
        degree["I am becoming proficient with virtualization, containerization, and serverless technologies."]
        == "I am proficient with virtualization, containerization, and serverless technologies."
    )
    change = next(c for c in domain.changed if "becoming" in c.before.text)
    assert [(p.op, p.text) for p in change.pieces if p.op != "same"] == [("removed", "becoming")]
    assert "I can confidently step outside my own comfort zone and adapt quickly to new technologies." in [
        c.text for c in domain.new
    ]
    assert [c.text for c in domain.unchanged] == ["I can design and implement infrastructure as code."]
    changed_meta = {m.label: (m.before, m.after) for m in comparison.metadata}
    assert changed_meta["Impact radius"] == ("Self plus some team members", "Peers (2-5)")
    assert "Planning horizon" not in changed_meta  # the same at both levels


@pytest.mark.parametrize(
    "query, lower, higher",
    [
        ("L2 vs L3 cloud", "Cloud Engineer", "Senior Software Engineer"),
        ("compare L3 and L4 architect", "Senior Software Engineer", "Cloud Architect"),
        ("L4 lead vs L2", "Cloud Engineer", "Lead Cloud Engineer"),
        ("compare lead cloud engineer and cloud architect", "Lead Cloud Engineer", "Cloud Architect"),
    ],
)
def test_compare_forms(answerer, query, lower, higher):
    answer = answerer.ask(query)
    assert isinstance(answer, CompareAnswer), answer
    assert (answer.comparison.lower.title, answer.comparison.higher.title) == (lower, higher)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("L3 mentoring", "mentoring at L3"),  # a topic after a level: search within it
        ("how do I handle P1 incidents?", "how do I handle P1 incidents"),  # P1 is not one of this ladder's codes
        ("experience with S3 and EC2", "experience with S3 and EC2"),
        ("mentoring vs coaching", "mentoring coaching"),  # topics compared: search both
    ],
)
def test_topics_are_searched_not_mistaken_for_levels(answerer, query, expected):
    answer = answerer.ask(query)
    assert isinstance(answer, SearchAnswer) and answer.query == expected and answer.hits
    if query.startswith("L3"):
        assert {h.level.code for h in answer.hits} == {"L3"}


def test_same_code_on_both_sides_means_two_different_levels(answerer):
    answer = answerer.ask("L2 vs L2 support")
    assert isinstance(answer, CompareAnswer)
    assert {answer.comparison.lower.title, answer.comparison.higher.title} == {
        "Cloud Engineer",
        "DevOps Support Engineer",
    }


def test_a_level_with_a_topic_it_does_not_cover_still_shows_the_level(answerer):
    assert isinstance(answerer.ask("what does L3 say about on-call?"), LevelAnswer)
    assert isinstance(answerer.ask("gap between L3 and L4 in communication"), ChoiceAnswer)


def test_compare_with_an_ambiguous_level_asks_which(answerer):
    answer = answerer.ask("L3 vs L4")
    assert isinstance(answer, ChoiceAnswer)
    assert len(answer.options) == 2
    assert all(isinstance(answerer.ask(o.query), CompareAnswer) for o in answer.options)


def test_compare_across_tracks_of_the_same_code_asks_for_the_track(tmp_path):
    for track in ("alpha", "beta"):
        (tmp_path / track).mkdir()
        for code in (1, 2):
            (tmp_path / track / f"L{code}.md").write_text(
                f"# L{code}: {track} {code}\n\n## Work\n\n- I do {track} {code}.\n"
            )
    answer = Answerer(load_ladder(tmp_path).ladder).ask("L1 vs L2")
    assert isinstance(answer, ChoiceAnswer)
    assert {o.label for o in answer.options} == {"Alpha", "Beta"}


def test_search_finds_mentoring_competencies_ranked(answerer):
    answer = answerer.ask("how do I get better at mentoring?")
    assert isinstance(answer, SearchAnswer)
    texts = [h.competency.text for h in answer.hits]
    assert any("mentor" in t.lower() for t in texts[:3])
    assert all(
        h.section.key == "teaching-and-mentoring" or "mentor" in h.competency.text.lower() for h in answer.hits[:5]
    )
    assert [h.score for h in answer.hits] == sorted((h.score for h in answer.hits), reverse=True)


def test_search_with_no_match_offers_questions_that_work(answerer):
    answer = answerer.ask("kubernetes")
    assert isinstance(answer, SearchAnswer) and not answer.hits
    assert answer.suggestions


def test_empty_ladder_answers_kindly():
    from bot.ladder.ladder import Ladder

    answer = Answerer(Ladder(())).ask("L3")
    assert isinstance(answer, NotFoundAnswer) and "No ladder documents" in answer.message


def test_a_ladder_of_stopwords_still_answers(tmp_path):
    (tmp_path / "L1-x.md").write_text("# L1: One\n\n## A\n\n- I do.\n- I am.\n")
    answerer = Answerer(load_ladder(tmp_path).ladder)
    assert isinstance(answerer.ask("L1"), LevelAnswer)
    assert isinstance(answerer.ask("how do I grow?"), SearchAnswer)


def test_steps_between_levels_count_ranks_of_one_track(answerer):
    ladder = answerer.ladder
    l2, l3 = (
        ladder.get("cloud-engineering/l2-cloud-engineer"),
        ladder.get("cloud-engineering/l3-senior-software-engineer"),
    )
    architect, support = (
        ladder.get("cloud-engineering/l4-cloud-architect"),
        ladder.get("support/l2-devops-support-engineer"),
    )
    assert (ladder.steps_between(l2, l3), ladder.steps_between(l2, architect)) == (1, 2)
    assert ladder.steps_between(support, l3) is None  # another track: no count of steps connects them


def _plain_bm25(levels, query: str) -> list[float]:
    """BM25 written out plainly, one competency at a time: what the vectorised index must equal."""
    import math
    from collections import Counter

    from bot.ladder.search import K1, SECTION_WEIGHT, B, _weighted_terms, terms

    counts = []
    for level in levels:
        for section in level.sections:
            for competency in section.competencies:
                count: Counter[str] = Counter()
                for term in terms(competency.text):
                    count[term] += 1.0
                for term in terms(" ".join((*section.path, section.name))):
                    count[term] += SECTION_WEIGHT
                counts.append(count)
    average = sum(sum(c.values()) for c in counts) / len(counts)
    frequency = Counter(term for count in counts for term in count)
    idf = {t: math.log(1 + (len(counts) - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
    scores = []
    for count in counts:
        norm = K1 * (1 - B + B * sum(count.values()) / average)
        scores.append(
            sum(
                weight * idf[t] * count[t] * (K1 + 1) / (count[t] + norm)
                for t, weight in _weighted_terms(query).items()
                if t in count
            )
        )
    return scores


@pytest.mark.parametrize(
    "query", ["how do I get better at mentoring?", "incident response", "customer", "security risk"]
)
def test_search_scores_are_plain_bm25(answerer, query):
    expected = _plain_bm25(answerer.ladder.levels, query)
    hits = answerer.index.search(query, limit=8)
    best = sorted(expected, reverse=True)[:8]
    assert hits and [h.score for h in hits] == pytest.approx([round(s, 3) for s in best], abs=1e-9)


def _similarity(a: str, b: str) -> float:
    """The rule one pair at a time, as written before it was vectorised."""
    from rapidfuzz import fuzz

    from bot.ladder.compare import _normal

    a, b = _normal(a), _normal(b)
    return max(fuzz.ratio(a, b), 0.85 * fuzz.token_set_ratio(a, b) if min(len(a), len(b)) > 30 else 0)


def test_similarity_matrix_equals_pairwise_similarity(answerer):
    from bot.ladder.compare import similarities

    texts = [c.text for level in answerer.ladder.levels[:3] for s in level.sections for c in s.competencies][:40]
    texts += ["", "I do", "I do!"]
    matrix = similarities(texts, texts[::-1])
    assert [[_similarity(a, b) for b in texts[::-1]] for a in texts] == matrix.tolist()


_PIECES = [
    "mentoring",
    "Mentor's",
    "I",
    "the",
    "e.g.",
    "v1.2",
    "don’t",
    "it's",
    "CAFÉ",
    "İstanbul",
    "..",
    "'",
    "—",
    "\x00",
    " ",
    "メンタリング",
    "を",
    "行う",
    "멘토링",
]


@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), max_size=8))
def test_the_index_reads_each_text_as_search_reads_it(texts):
    """The index tokenises every text in one pass over them all joined; each text must come
    out exactly as `terms(text)`, the tokeniser a question goes through."""
    from bot.ladder.search import _TermIds, terms

    vocabulary = _TermIds()
    text_of_term, term_ids = vocabulary.of_each(texts)
    stems = vocabulary.stems
    per_text: list[list[str]] = [[] for _ in texts]
    for text_index, term_id in zip(text_of_term.tolist(), term_ids.tolist(), strict=True):
        per_text[text_index].append(stems[term_id])
    assert per_text == [terms(text) for text in texts]
