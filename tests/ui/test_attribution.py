"""Keyboard-first attribution: A opens the picker, P makes a person, U finds what is left."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.core.model import Person
from annotator.store import Project
from annotator.ui.interaction import ScriptedInteraction
from annotator.ui.main_window import MainWindow
from annotator.ui.picker import Choice, Mention, PickerDialog

SAMPLE_ID = "ceasefire-talks"


def tag(window: MainWindow, text: str, phrase: str, label: str, occurrence: int = 0) -> str:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    window.view.select_cp(start, start + len(phrase))
    window.tag(label)
    selected = window.view.selected_span()
    assert selected is not None
    return selected


def test_press_a_links_the_quote_to_a_speaker_mention(qtbot, window: MainWindow, project: Project, interaction: ScriptedInteraction, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    speaker = tag(window, sample_text, "Dmitri Peskov", "SPEAKER")
    quote = tag(window, sample_text, "presented additional information to the Russian side", "QUOTE")
    interaction.answers.append("Peskov")  # typed into the picker's filter, Enter
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert [(r.label, r.head, r.child) for r in project.relations(SAMPLE_ID)] == [
        ("SAID_BY", quote, speaker)
    ]
    assert window.undo_stack.undoText() == "Attribute QUOTE to “Dmitri Peskov”"
    window.panel.tabs.setCurrentWidget(window.panel.quotes)
    assert window.panel.quotes.item(0, 0).text() == "Dmitri Peskov"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.relations(SAMPLE_ID) == []
    assert window.panel.quotes.item(0, 0).text() == "— unattributed"


def test_p_creates_a_person_and_the_picker_offers_them(qtbot, window: MainWindow, project: Project, interaction: ScriptedInteraction, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    mention = tag(window, sample_text, "the president", "SPEAKER")
    interaction.answers.append("Donald Trump")
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    assert project.person("Donald Trump") == Person("Donald Trump")
    assert project.span(SAMPLE_ID, mention).attrs["person"] == "Donald Trump"
    assert window.panel.people.item(0, 0).text() == "Donald Trump"
    assert window.panel.people.item(0, 2).text() == "1"
    # one undo step removes both the person and the link
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.people() == []
    assert "person" not in project.span(SAMPLE_ID, mention).attrs


def test_quote_attributed_directly_to_a_person_and_u_skips_it(qtbot, window: MainWindow, project: Project, interaction: ScriptedInteraction, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    first = tag(window, sample_text, "real", "QUOTE")
    second = tag(window, sample_text, "get us out.", "QUOTE")
    window.add_person_named = None
    interaction.answers.append("Vladimir Putin")
    window.add_person()
    window.select_span(first)
    interaction.answers.append(Choice(person="Vladimir Putin"))
    window.attribute_selected()
    assert project.span(SAMPLE_ID, first).attrs["person"] == "Vladimir Putin"
    window.select_span(first)
    qtbot.keyClick(window.view, Qt.Key.Key_U)
    assert window.view.selected_span() == second
    qtbot.keyClick(window.view, Qt.Key.Key_U)
    assert window.view.selected_span() == second  # wraps to the only one left


def test_attribute_without_a_quote_selected_says_what_to_do(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    tag(window, sample_text, "Witkoff", "SPEAKER")
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert "Select a quote or claim" in window.statusBar().currentMessage()
    assert project.relations(SAMPLE_ID) == []


def test_rename_person_from_the_people_tab_reaches_every_mention(qtbot, window: MainWindow, project: Project, interaction: ScriptedInteraction, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    a = tag(window, sample_text, "Peskov", "SPEAKER", occurrence=1)
    b = tag(window, sample_text, "Peskov", "SPEAKER", occurrence=2)
    for span_id in (a, b):
        window.select_span(span_id)
        interaction.answers.append("Peskov")
        window.new_person_from_mention()
    interaction.answers.extend(["Dmitri Peskov", "Kremlin spokesman", "Kremlin"])
    window.edit_person("Peskov")
    assert project.span(SAMPLE_ID, a).attrs["person"] == "Dmitri Peskov"
    assert project.span(SAMPLE_ID, b).attrs["person"] == "Dmitri Peskov"
    assert project.person("Dmitri Peskov") == Person("Dmitri Peskov", "Kremlin spokesman", "Kremlin")
    assert window.panel.people.item(0, 1).text() == "Kremlin spokesman, Kremlin"


def test_add_fragment_makes_a_discontinuous_quote(qtbot, window: MainWindow, project: Project, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    q = tag(window, sample_text, "I'd love to meet with him", "QUOTE")
    start = sample_text.index("talk to him")
    window.select_span(q)
    window.view.select_cp(start, start + len("talk to him"))
    qtbot.keyClick(window.view, Qt.Key.Key_Plus)
    span = project.span(SAMPLE_ID, q)
    assert span.fragments is not None and len(span.fragments) == 2
    assert span.text_in(sample_text) == "I'd love to meet with him … talk to him"


def test_find_highlights_every_match_and_steps(qtbot, window: MainWindow, sample_text: str) -> None:  # type: ignore[no-untyped-def]
    window.find_bar_open()
    qtbot.keyClicks(window.find_bar.edit, "putin")
    expected = sample_text.lower().count("putin")
    assert len(window._matches) == expected and expected > 5
    assert window.find_bar.count.text().endswith(f"of {expected}")
    first = window.view.selection_cp()
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    assert window.view.selection_cp()[0] > first[0]
    assert sample_text[slice(*window.view.selection_cp())].lower() == "putin"
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible() and window._matches == []


def test_document_label_is_set_and_undone(qtbot, window: MainWindow, project: Project) -> None:  # type: ignore[no-untyped-def]
    combo = window.panel.findChild(type(window.panel.label_combo), "doclabel_stance")
    assert combo is not None
    combo.setCurrentIndex(combo.findData("favor"))
    assert project.document(SAMPLE_ID).labels == {"stance": "favor"}
    window.undo_stack.undo()
    assert project.document(SAMPLE_ID).labels == {}


def test_picker_filters_two_thousand_people(qtbot) -> None:  # type: ignore[no-untyped-def]
    people = [Person(f"Person {i:04d}", "Role", "Org") for i in range(2000)]
    mentions = [Mention("s1", "the president", "Person 0042")]
    dialog = PickerDialog(mentions, people)
    qtbot.addWidget(dialog)
    assert dialog.visible_count() == 2001
    dialog.filter.setText("0042")
    assert dialog.visible_count() == 2  # the mention (its person) and the person
    dialog.filter.setText("person 19")
    assert dialog.visible_count() == 100
