"""speech.Voice: varied wording, user text made safe for SSML, long sentences said once."""

from __future__ import annotations

from typing import Any

from closer_together.speech import (
    MAX_ECHO_CHARS,
    REMEMBERED,
    Catalog,
    Name,
    Voice,
    line,
    pause,
    trusted,
)

PROMPTS = {
    "greet": ["Hello {name}.", "Hi {name}.", "Hey {name}."],
    "echo": ["You said {text}."],
    "long": ["This sentence is long enough to be noticed again."],
    "either": [
        "This sentence is long enough to be noticed again.",
        "Something else entirely is said at this point instead.",
    ],
}


def voice(memory: dict[str, Any] | None = None, seed: int = 0) -> Voice:
    return Voice(Catalog("en-US", PROMPTS), {} if memory is None else memory, seed)


def test_the_same_prompt_three_times_in_a_turn_uses_three_wordings() -> None:
    speaker = voice()
    said = [speaker.speak([line("greet", name=Name("Sam"))]) for _ in range(3)]
    assert sorted(said) == ["Hello Sam.", "Hey Sam.", "Hi Sam."]


def test_the_next_turn_does_not_say_the_last_turns_sentence() -> None:
    memory: dict[str, Any] = {}
    for _ in range(6):
        first = voice(memory)
        before = first.speak([line("greet", name=Name("Sam"))])
        first.finish_turn()
        after = voice(memory).speak([line("greet", name=Name("Sam"))])
        assert after != before
        voice(memory).finish_turn()


def test_the_same_question_to_each_partner_comes_in_other_words() -> None:
    speaker = voice()
    to_sam = speaker.speak([line("greet", name=Name("Sam"))])
    to_alex = speaker.speak([line("greet", name=Name("Alex"))])
    assert to_sam.split()[0] != to_alex.split()[0]


def test_the_day_rotates_the_opening_wording() -> None:
    openers = {voice(seed=day).speak([line("greet", name=Name("Sam"))]) for day in range(3)}
    assert len(openers) == 3


def test_user_text_is_escaped_and_never_read_as_markup_or_a_template() -> None:
    speaker = voice()
    said = speaker.render([line("echo", text='<break/> Tom & "Jerry" {name}')])
    assert said == "You said &lt;break/&gt; Tom &amp; &quot;Jerry&quot; {name}."
    assert speaker.render([line("echo", text="a\x00b\x1fc\n\n d")]) == "You said abc d."


def test_long_user_text_is_cut_at_a_word() -> None:
    said = voice().render([line("echo", text="word " * 100)])
    assert len(said) < MAX_ECHO_CHARS + 20 and said.endswith("word….")


def test_names_from_a_voice_profile_and_reviewed_ssml_are_spoken_as_markup() -> None:
    speaker = voice()
    profile = Name("Sam", "amzn1.ask.person.SAM")
    assert speaker.render([line("greet", name=profile)]).endswith(
        '<alexa:name type="first" personId="amzn1.ask.person.SAM"/>.'
    )
    assert speaker.render([trusted("<emphasis>Call 988</emphasis>")]) == (
        "<emphasis>Call 988</emphasis>"
    )
    assert speaker.render([pause(250)]) == '<break time="250ms"/>'


def test_a_long_sentence_spoken_is_not_said_again_this_session() -> None:
    memory: dict[str, Any] = {}
    spoken = voice(memory)
    said = spoken.speak([line("long")])
    spoken.finish_turn()
    voice(memory).finish_turn()  # a turn in between: the previous turn no longer holds it
    assert voice(memory).speak([line("either")]) != said


def test_a_reprompt_is_not_remembered_as_spoken() -> None:
    memory: dict[str, Any] = {}
    voice(memory).render([line("long")])
    assert memory.get("spoken", []) == []


def test_the_sentences_remembered_stay_few() -> None:
    memory: dict[str, Any] = {}
    speaker = voice(memory)
    for n in range(REMEMBERED + 40):
        speaker.speak([line("echo", text=f"number {n} of a long enough sentence")])
    assert len(memory["spoken"]) == REMEMBERED
