"""Suggestions: quotes, speakers, cues and attribution from the rule suggester.

The last tests score the suggester against the hand-annotated evaluation set
(seeds/demo + seeds/eval, via bench/bench_suggest.py) so that a change to the
rules that loses quality fails here.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core import suggest as sg
from annotator.core.model import Person, Span
from annotator.core.suggest import (
    MAX_SUGGESTIONS,
    RuleSuggester,
    SpacySuggester,
    Suggestions,
    available_suggesters,
    match_person,
)

ROOT = Path(__file__).resolve().parents[2]
RULES = RuleSuggester()

PEOPLE = (
    Person("Donald Trump", "President", "United States"),
    Person("Dmitri Peskov", "Kremlin spokesman", "Kremlin"),
    Person("Vladimir Putin", "President", "Russia"),
    Person("Volodymyr Zelensky", "President", "Ukraine"),
    Person("Ukraine (government)", "Government", "Ukraine"),
    Person("Royal College of Nursing", "Trade union", None),
)


# ---- helpers ------------------------------------------------------------------------


def run(text: str, people: tuple[Person, ...] = ()) -> Suggestions:
    out = RULES.suggest(text, people)
    check_valid(text, out)
    return out


def check_valid(text: str, out: Suggestions) -> None:
    ids = set()
    for s in out.spans:
        assert s.id not in ids
        ids.add(s.id)
        for a, b in s.pieces:
            assert 0 <= a < b <= len(text), s
            assert text[a:b].strip(), s
        assert s.start == s.pieces[0][0] and s.end == s.pieces[-1][1]
        assert s.id.startswith({"QUOTE": "sq", "SPEAKER": "ss", "CUE": "sv"}[s.label])
    for r in out.relations:
        assert r.head in ids and r.child in ids
        assert r.label in ("SAID_BY", "CUED_BY")
    assert len(out.spans) <= MAX_SUGGESTIONS


def quotes(text: str, out: Suggestions) -> list[str]:
    return [s.text_in(text) for s in out.spans if s.label == "QUOTE"]


def by_label(out: Suggestions, label: str) -> list[Span]:
    return [s for s in out.spans if s.label == label]


def source_of(text: str, out: Suggestions, quote_text: str) -> tuple[str, str | None, str | None]:
    """(speaker mention, its person, cue) of the suggested quote with that text."""
    spans = {s.id: s for s in out.spans}
    (q,) = [s for s in out.spans if s.label == "QUOTE" and s.text_in(text) == quote_text]
    spk = cue = None
    for r in out.relations:
        if r.head == q.id and r.label == "SAID_BY":
            spk = spans[r.child]
        if r.head == q.id and r.label == "CUED_BY":
            cue = spans[r.child]
    assert spk is not None, f"{quote_text!r} has no speaker"
    person = spk.attrs.get("person")
    return (
        spk.text_in(text),
        str(person) if person is not None else None,
        cue.text_in(text) if cue else None,
    )


# ---- direct quotes --------------------------------------------------------------------


def test_straight_double_quotes_with_attribution_after() -> None:
    text = '"We will not back down," Senate Majority Leader Thomas Whitfield said on Friday.'
    out = run(text)
    assert quotes(text, out) == ["We will not back down"]  # the comma is not part of it
    assert source_of(text, out, "We will not back down") == (
        "Senate Majority Leader Thomas Whitfield", None, "said",
    )
    (q,) = by_label(out, "QUOTE")
    assert q.attrs["kind"] == "direct"


def test_curly_quotes_and_inverted_attribution() -> None:
    text = "“The story investors bought was that demand would be limitless,” said Marcus Lo, an analyst."
    out = run(text)
    assert source_of(text, out, "The story investors bought was that demand would be limitless") == (
        "Marcus Lo", None, "said",
    )


def test_single_quotes_uk_style_and_a_second_sentence_by_the_same_speaker() -> None:
    text = (
        "'Our members have spoken,' said Pat Cullen-Hayes, the union's general secretary. "
        "'We cannot go on like this.'"
    )
    out = run(text)
    assert quotes(text, out) == ["Our members have spoken", "We cannot go on like this."]
    assert source_of(text, out, "We cannot go on like this.")[0] == "Pat Cullen-Hayes"
    # the second quote has no cue of its own
    assert source_of(text, out, "We cannot go on like this.")[2] is None


def test_curly_single_quotes() -> None:
    text = "‘That’s as complete a performance as we’ve put in all season,’ Kemp said."
    out = run(text)
    assert quotes(text, out) == ["That’s as complete a performance as we’ve put in all season"]


def test_question_mark_stays_and_attribution_in_the_next_sentence() -> None:
    text = '"Isn\'t it true that you\'re angry because you lost your job?" Klein asked.'
    out = run(text)
    assert source_of(text, out, "Isn't it true that you're angry because you lost your job?") == (
        "Klein", None, "asked",
    )


def test_colon_introduces_a_direct_quote() -> None:
    text = "He noted the gains, adding: 'I have strongly requested that their lives be spared.'"
    out = run(text)
    assert "I have strongly requested that their lives be spared." in quotes(text, out)
    assert source_of(text, out, "I have strongly requested that their lives be spared.")[2] == "adding"


@pytest.mark.parametrize(
    "text",
    [
        "'I don't think Trump's plan will work in the '90s style,' he said.",
        "‘I don’t think O’Rourke’s penalty was fair,’ he said.",
        "'The business owners' concerns were heard,' she said.",
        "'Reyes' knee is fine and St Thomas' Hospital agrees,' the coach said.",
    ],
)
def test_apostrophes_do_not_open_or_close_quotes(text: str) -> None:
    out = run(text)
    (q,) = by_label(out, "QUOTE")
    content = q.text_in(text)
    # the whole quote, from the first word to the last before the closing mark
    assert content.startswith("I " if content[0] == "I" else content[:3])
    assert text.index(content) == 1
    assert text[q.end + 1 :].lstrip(" ,'’").split()[0] in ("he", "she", "the")


def test_apostrophes_outside_quotes_make_no_quote() -> None:
    text = "The farmers' union met at St Thomas' Hospital. Trump's envoy didn't say anything about the '90s."
    assert by_label(run(text), "QUOTE") == []


def test_nested_quotes_give_one_outer_quote() -> None:
    text = (
        "\"I told him, 'Vince, this is going to come back on you,'\" Marchetti said. "
        "“Then someone said, ‘Check it again.’ So we did.”"
    )
    out = run(text)
    assert quotes(text, out) == [
        "I told him, 'Vince, this is going to come back on you,'",
        "Then someone said, ‘Check it again.’ So we did.",
    ]


def test_quote_spanning_two_paragraphs() -> None:
    text = (
        "‘I’ve seen bigger gaps closed,’ he said. ‘We were poor today. The lads know it.\n\n"
        "‘But if you’d told me in January, I’d have taken it. We still believe.’\n\n"
        "Rovers host Castleford on Tuesday."
    )
    out = run(text)
    two = [q for q in by_label(out, "QUOTE") if q.fragments]
    assert len(two) == 1
    assert two[0].text_in(text) == (
        "We were poor today. The lads know it. … But if you’d told me in January, I’d have "
        "taken it. We still believe."
    )
    assert source_of(text, out, two[0].text_in(text))[0] == "he"


def test_quote_interrupted_by_its_attribution_is_one_quote_in_fragments() -> None:
    text = '"We came here ready to sign," he said, "and we will stay until it is done."'
    out = run(text)
    (q,) = by_label(out, "QUOTE")
    assert q.text_in(text) == "We came here ready to sign … and we will stay until it is done."


# ---- indirect and mixed speech ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote", "speaker", "cue"),
    [
        ("Ukraine said it would adhere to a ceasefire.", "it would adhere to a ceasefire", "Ukraine", "said"),
        ("The White House said in a statement that the president would sign the bill.",
         "the president would sign the bill", "The White House", "said in a statement"),
        ("Whitfield told reporters after the vote that talks would start Monday.",
         "talks would start Monday", "Whitfield", "told reporters"),
        ("Forecaster Liam Doherty warned that ground is saturated.",
         "ground is saturated", "Forecaster Liam Doherty", "warned"),
        ("Kilbride insisted the company had enough money.",
         "the company had enough money", "Kilbride", "insisted"),
        ("Nurses will walk out next month, the union announced on Tuesday.",
         "Nurses will walk out next month", "the union", "announced"),
        ("According to the Congressional Budget Office, the aid will add $9 billion to the deficit.",
         "the aid will add $9 billion to the deficit", "the Congressional Budget Office", "According to"),
        ("Emergency crews rescued 37 people, according to the fire service.",
         "Emergency crews rescued 37 people", "the fire service", "according to"),
        ("Prosecutors claimed Costa steered contracts to donors.",
         "Costa steered contracts to donors", "Prosecutors", "claimed"),
    ],
)
def test_indirect_speech(text: str, quote: str, speaker: str, cue: str) -> None:
    out = run(text)
    assert quotes(text, out) == [quote]
    assert source_of(text, out, quote)[0::2] == (speaker, cue)
    (q,) = by_label(out, "QUOTE")
    assert q.attrs["kind"] == "indirect"


def test_mixed_quote_and_a_second_cue_with_the_same_speaker() -> None:
    text = (
        "Sen. Margaret Oyelaran, the top Republican on the committee, said the money was "
        "\"long overdue\" and warned that delays would \"cost lives.\""
    )
    out = run(text)
    assert quotes(text, out) == ['the money was "long overdue"', 'delays would "cost lives."']
    assert source_of(text, out, 'the money was "long overdue"') == ("Sen. Margaret Oyelaran", None, "said")
    assert source_of(text, out, 'delays would "cost lives."') == ("Sen. Margaret Oyelaran", None, "warned")
    assert {q.attrs["kind"] for q in by_label(out, "QUOTE")} == {"mixed"}


def test_indirect_quote_around_its_attribution() -> None:
    text = "Another issue, he said, is whether Ukraine could rearm."
    out = run(text)
    (q,) = by_label(out, "QUOTE")
    assert q.text_in(text) == "Another issue … is whether Ukraine could rearm"
    assert q.attrs["kind"] == "indirect"


def test_scare_quotes_without_a_cue_are_not_quotes() -> None:
    text = "Supporters wore T-shirts that read \"Safe Streets Now.\" The so-called 'super-Earth' is big."
    assert by_label(run(text), "QUOTE") == []


def test_headline_quote_takes_the_source_of_the_same_words_in_the_body() -> None:
    text = (
        "'We cannot go on like this': nurses vote to strike\n\n"
        "'We cannot go on like this,' said Pat Cullen-Hayes."
    )
    out = run(text)
    assert len(by_label(out, "QUOTE")) == 2
    spans = {s.id: s for s in out.spans}
    speakers = {spans[r.child].text_in(text) for r in out.relations if r.label == "SAID_BY"}
    assert speakers == {"Pat Cullen-Hayes"}


# ---- speakers and the people register ----------------------------------------------------


@pytest.mark.parametrize(
    ("mention", "person"),
    [
        ("Vladimir Putin", "Vladimir Putin"),
        ("Putin", "Vladimir Putin"),  # surname
        ("President Putin", "Vladimir Putin"),  # title + surname
        ("Kremlin spokesman Dmitri Peskov", "Dmitri Peskov"),
        ("The Kremlin spokesman", "Dmitri Peskov"),  # role description
        ("the Russian president", "Vladimir Putin"),  # role + country
        ("the Ukrainian president", "Volodymyr Zelensky"),
        ("Ukraine", "Ukraine (government)"),  # a name with a parenthesised part
        ("Kyiv", "Ukraine (government)"),  # a capital for its government
        ("the union", "Royal College of Nursing"),
        ("a union official", None),  # indefinite: nobody in particular
        ("Witkoff", None),
    ],
)
def test_register_matching(mention: str, person: str | None) -> None:
    found = match_person(mention, PEOPLE)
    assert (found.name if found else None) == person


def test_pronouns_take_the_last_person_named_outside_quotes() -> None:
    text = (
        "Trump made his stance clear. 'We will get it done,' he said.\n\n"
        "Putin raised eyebrows when he signaled hesitation. "
        "'We need to talk to President Trump,' he said."
    )
    out = run(text, PEOPLE)
    assert source_of(text, out, "We will get it done")[:2] == ("he", "Donald Trump")
    # "President Trump" inside the quote is not the antecedent of the second "he"
    assert source_of(text, out, "We need to talk to President Trump")[:2] == ("he", "Vladimir Putin")


def test_the_president_is_the_most_recently_named_president() -> None:
    text = (
        "Witkoff met Vladimir Putin in Moscow. Trump made his stance clear.\n\n"
        "'Millions of people are needlessly dead,' the president wrote on his Truth Social account."
    )
    out = run(text, PEOPLE)
    assert source_of(text, out, "Millions of people are needlessly dead") == (
        "the president", "Donald Trump", "wrote on his Truth Social account",
    )


def test_speaker_mentions_carry_the_canonical_name() -> None:
    text = "'After Mr. Witkoff passes along the information, we'll decide,' Peskov said."
    out = run(text, PEOPLE)
    (s,) = by_label(out, "SPEAKER")
    assert (s.text_in(text), s.attrs["person"]) == ("Peskov", "Dmitri Peskov")
    (v,) = by_label(out, "CUE")
    assert v.text_in(text) == "said"


def test_appositive_name_is_part_of_the_speaker_and_descriptions_are_not() -> None:
    text = (
        "The health secretary, Daniel Okafor, said he was disappointed. "
        "Prof. Henrik Dahl, who was not involved in the research, said the signal was weak."
    )
    out = run(text)
    assert source_of(text, out, "he was disappointed")[0] == "The health secretary, Daniel Okafor"
    assert source_of(text, out, "the signal was weak")[0] == "Prof. Henrik Dahl"


# ---- bad input ------------------------------------------------------------------------------


def test_empty_and_quoteless_texts_give_nothing() -> None:
    assert run("") == Suggestions()
    assert run("   \n\n ") == Suggestions()
    out = run("The council met on Tuesday. It approved the budget and adjourned at nine.")
    assert out.spans == [] and out.relations == [] and not out.truncated


def test_unbalanced_marks_do_not_crash_or_swallow_the_text() -> None:
    text = (
        'He said "this never closes and goes on and on. ' * 40
        + "\n\n'Another one opens here\n\n“and one more” she said.\n\n"
        + "It’s “odd ” quoting ” everywhere “ really."
    )
    out = run(text)
    for q in by_label(out, "QUOTE"):
        assert q.end - q.start <= sg.MAX_QUOTE_CHARS + 10


def test_a_quote_over_too_many_paragraphs_is_refused() -> None:
    para = '"This paragraph opens a quote and does not close it.'
    text = "\n\n".join([para] * 6) + '"\n\nEnd.'
    out = run(text)
    assert all(len(q.pieces) <= sg.MAX_QUOTE_PARAGRAPHS for q in by_label(out, "QUOTE"))


def test_non_english_text_gives_no_flood() -> None:
    text = (
        "Der Kanzler sagte am Montag: „Wir werden das schaffen.“ Die Opposition sprach von "
        "einem „Desaster“. Le président a déclaré : « Nous ne céderons pas ». "
        "首相は「協議を続ける」と述べた。 Президент заявил: «Мы не отступим». "
    ) * 50
    out = run(text)
    assert len(out.spans) < 50


def test_a_megabyte_is_capped_with_a_note() -> None:
    unit = (
        "'We will win this,' the coach said. Rivals said the team was \"finished\". "
        "According to the club, tickets sold out.\n\n"
    )
    text = unit * (1_000_000 // len(unit) + 1)
    t0 = time.perf_counter()
    out = run(text)
    elapsed = time.perf_counter() - t0
    assert out.truncated
    assert len(out.spans) <= MAX_SUGGESTIONS
    assert out.note.startswith(f"showing {len(out.spans):,} of ")
    assert out.note.endswith(" suggestions")
    assert elapsed < 10


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "He said", "'", '"', "“", "”", "‘", "’", " ", "\n", "\n\n", ", ", ". ", "said ",
                "Peskov", "the president", "don't", "Trump's", "'90s", "According to", "that ",
                "told reporters", "é", "😀", ":", "—", "?", "!", "he", "We will win",
            ]
        ),
        max_size=60,
    )
)
def test_any_text_gives_valid_offsets(parts: list[str]) -> None:
    text = "".join(parts)
    check_valid(text, RULES.suggest(text, PEOPLE))


# ---- the interface ----------------------------------------------------------------------------


def test_registry_always_has_the_rules_and_spacy_only_with_a_pipeline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sg, "_spacy_models", lambda: [])
    names = [s.name for s in available_suggesters()]
    assert names == ["rules"]
    monkeypatch.setattr(sg, "_spacy_models", lambda: ["en_core_web_sm"])
    found = available_suggesters()
    assert [type(s) for s in found] == [RuleSuggester, SpacySuggester]
    assert found[1]._nlp is None  # nothing loaded until it is used


def test_importing_the_module_does_not_import_spacy() -> None:
    code = (
        "import sys, annotator.core.suggest as s; s.RuleSuggester().suggest('He said \"hi\".');"
        "print('spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_spacy_suggester_uses_the_pipeline_entities() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": "bell hooks"},
        {"label": "ORG", "pattern": "acme widgets"},
    ])
    text = "'Love is a choice,' said bell hooks. acme widgets said it would close the plant."
    suggester = SpacySuggester(nlp=nlp)
    out = suggester.suggest(text, (Person("bell hooks", "Author", None),))
    check_valid(text, out)
    assert source_of(text, out, "Love is a choice")[:2] == ("bell hooks", "bell hooks")
    assert source_of(text, out, "it would close the plant")[0] == "acme widgets"
    # the rules alone do not see lower-case names
    rules = run(text)
    assert "Love is a choice" not in quotes(text, rules) or not any(
        s.text_in(text) == "bell hooks" for s in by_label(rules, "SPEAKER")
    )


# ---- quality on the hand-annotated evaluation set ---------------------------------------------


def _bench() -> ModuleType:
    path = ROOT / "bench" / "bench_suggest.py"
    spec = importlib.util.spec_from_file_location("bench_suggest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_suggest"] = module
    spec.loader.exec_module(module)
    return module


def test_quality_on_the_evaluation_set_stays_above_the_targets() -> None:
    bench = _bench()
    docs = bench.load_eval_set()
    assert len(docs) >= 11
    _, total = bench.evaluate(docs)
    quote_f1 = total.counts["QUOTE"].f1
    assert quote_f1 > bench.TARGET_QUOTE_F1, f"quote F1 {quote_f1:.3f}"
    assert total.attribution > bench.TARGET_ATTRIBUTION, f"attribution {total.attribution:.3f}"


def test_a_five_thousand_word_article_is_fast() -> None:
    bench = _bench()
    text, people = bench.long_article(bench.load_eval_set())
    RULES.suggest(text, people)
    best = min(_timed(lambda: RULES.suggest(text, people)) for _ in range(3))
    assert best < 0.4  # the benchmark's target is 200 ms; CI machines are slower and shared


def _timed(f: object) -> float:
    t0 = time.perf_counter()
    f()  # type: ignore[operator]
    return time.perf_counter() - t0


# ---- regressions found on the held-out articles (seeds/eval 12-14) ----------------------------


def test_an_organisation_name_with_of_is_matched_whole() -> None:
    people = (Person("Royal College of Paediatrics", "Professional body", None),)
    assert match_person("The Royal College of Paediatrics", people) == people[0]


def test_a_number_with_a_thousands_separator_stays_in_the_speaker() -> None:
    text = "Teens sleep less, according to a study of 4,300 pupils."
    out = run(text)
    assert source_of(text, out, "Teens sleep less")[0] == "a study of 4,300 pupils"


def test_asked_after_a_quotation_is_followed_by_the_speaker() -> None:
    text = '"Eighty-six thousand dollars to find three votes?" asked Marge Dillon, a resident.'
    out = run(text)
    assert source_of(text, out, "Eighty-six thousand dollars to find three votes?")[0::2] == (
        "Marge Dillon", "asked",
    )


@pytest.mark.parametrize(
    ("attribution", "cue"),
    [("he said in an interview with the BBC", "said in an interview with the BBC"),
     ("he said of his opponent", "said")],
)
def test_attribution_with_a_medium_or_a_topic_after_the_cue(attribution: str, cue: str) -> None:
    text = f"'They came in with a number they knew we would refuse,' {attribution}."
    out = run(text)
    assert source_of(text, out, "They came in with a number they knew we would refuse")[0::2] == (
        "he", cue,
    )
