"""The words and passages two texts share, without a database."""

from ipas.duplication.engine.highlighting import highlight
from tests.ipas.duplication.engine.corpora import BORDER_POLICE, BORDER_POLICE_DONOR_LINE


def test_highlight_marks_the_words_both_texts_share():
    runs = highlight("Training of border police in Niš", "Border police course in Nis")
    assert ("border police in niš", True) in [(text.lower(), shared) for text, shared in runs]
    assert ("Training of ", False) in runs


def test_in_descriptions_only_passages_both_texts_say_are_highlighted():
    text = "The police of Serbia train officers. Asset recovery and financial investigations are taught in Niš."
    other = "Financial investigation and recovery of assets, for prosecutors; Serbia hosts a course for border police."
    marked = [segment for segment, shared in highlight(text, other, passages=True) if shared]
    # "asset recovery" / "recovery of assets" and "financial investigations" are passages of both (order
    # and stop words aside); "police" and "Serbia" are shared words but not a passage of either text.
    assert marked == ["Asset recovery and financial investigations"]
    everything = [segment for segment, shared in highlight(text, other) if shared]
    assert "police of Serbia" in everything


def test_the_implementers_account_shows_the_passages_of_the_donors_line():
    description, line = BORDER_POLICE[1], BORDER_POLICE_DONOR_LINE[1]
    runs = highlight(description, line, passages=True)
    # Every character of the text is kept, in order: the page prints the runs one after the other.
    assert "".join(segment for segment, _shared in runs) == description
    marked = [segment for segment, shared in runs if shared]
    assert "train 60 border police officers" in marked
    assert "impostor detection and risk analysis" in marked
    assert {"Debeli Brijeg", "port of Bar", "document examination kits and document readers"} <= set(marked)
    # Words the line does not say stay plain.
    assert not any("Danilovgrad" in segment or "falsified" in segment for segment in marked)
    # The other way round, the line's words shared with the account make one passage.
    marked = [segment for segment, shared in highlight(line, description, passages=True) if shared]
    assert marked[0] == "Training of 60 border police officers on forged travel documents"
