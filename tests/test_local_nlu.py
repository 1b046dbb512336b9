"""The local stand-in for Alexa's NLU, on the real interaction model and on a small one."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from alexa_local import slot_types
from alexa_local.nlu import DEFAULT_SKILL_ID, DialogContext, InteractionModel, Nlu

REAL_MODEL = Path(__file__).resolve().parent.parent / "interaction_models" / "en-US.json"
SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
WEDNESDAY = date(2025, 3, 5)
GIBBERISH = "zxq vrb plmk qwt"


@pytest.fixture(scope="module")
def real() -> Nlu:
    return Nlu.from_file(REAL_MODEL)


def claimed_by(nlu: Nlu, phrase: str, default: str) -> str:
    """A skill's own sample ("skip" in a SkipIntent) wins over a built-in's standard phrase."""
    plain = phrase.lower().strip(".!?")
    for spec in nlu.model.intents.values():
        if plain in (s.lower() for s in spec.samples):
            return spec.name
    return default


def small_model() -> dict[str, Any]:
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": "closer together",
                "intents": [
                    {"name": "AMAZON.HelpIntent", "samples": []},
                    {"name": "AMAZON.StopIntent", "samples": []},
                    {"name": "AMAZON.YesIntent", "samples": []},
                    {"name": "AMAZON.NoIntent", "samples": []},
                    {"name": "AMAZON.StartOverIntent", "samples": []},
                    {"name": "AMAZON.FallbackIntent", "samples": []},
                    {
                        "name": "StartRitualIntent",
                        "slots": [{"name": "ritual", "type": "RitualType"}],
                        "samples": ["start {ritual}", "let's do the {ritual}"],
                    },
                    {
                        "name": "AnswerIntent",
                        "slots": [{"name": "answer", "type": "AMAZON.SearchQuery"}],
                        "samples": ["i think {answer}", "the best part was {answer}"],
                    },
                    {
                        "name": "FeelingIntent",
                        "slots": [{"name": "feeling", "type": "FeelingType"}],
                        "samples": ["i think we feel {feeling}"],
                    },
                    {
                        "name": "ReminderIntent",
                        "slots": [
                            {"name": "time", "type": "AMAZON.TIME"},
                            {"name": "day", "type": "AMAZON.DATE"},
                        ],
                        "samples": ["remind us at {time}", "remind us {day} at {time}"],
                    },
                    {
                        "name": "TimerIntent",
                        "slots": [{"name": "length", "type": "AMAZON.DURATION"}],
                        "samples": ["set a timer for {length}"],
                    },
                    {
                        "name": "WeekIntent",
                        "slots": [{"name": "week", "type": "AMAZON.NUMBER"}],
                        "samples": ["go to week {week}"],
                    },
                    {
                        "name": "PlanIntent",
                        "slots": [{"name": "weekday", "type": "AMAZON.DayOfWeek"}],
                        "samples": ["plan for {weekday}"],
                    },
                ],
                "types": [
                    {
                        "name": "RitualType",
                        "values": [
                            {
                                "id": "CHECK_IN",
                                "name": {
                                    "value": "check in",
                                    "synonyms": ["check-in", "daily check in"],
                                },
                            },
                            {
                                "id": "WEEKLY_REVIEW",
                                "name": {"value": "weekly review", "synonyms": ["review"]},
                            },
                        ],
                    },
                    {"name": "FeelingType", "values": []},
                ],
            },
            "dialog": {"intents": [{"name": "ReminderIntent", "slots": []}]},
        }
    }


@pytest.fixture(scope="module")
def small() -> Nlu:
    return Nlu(InteractionModel.from_json(small_model()), SKILL_ID)


# -- the real interaction model ------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "first", "second"),
    [
        ("we are Sam and Alex", "Sam", "Alex"),
        ("I'm sam and this is alex.", "Sam", "Alex"),
        ("our names are Mary Ann and Bob", "Mary Ann", "Bob"),
        ("my name is Jo", "Jo", None),
    ],
)
def test_names_are_heard_with_and_without_carrier_words(
    real: Nlu, said: str, first: str, second: str | None
) -> None:
    heard = real.understand(said)
    assert heard.request_type == "IntentRequest"
    assert heard.intent_name == "NamesIntent"
    expected = {"firstName": first} | ({"secondName": second} if second else {})
    assert heard.slot_values == expected


def test_a_bare_name_is_a_name_only_when_the_names_slot_is_elicited(real: Nlu) -> None:
    # No intent sample is a bare {firstName}: on a device it would catch short speech.
    assert real.understand("Sam").intent_name != "NamesIntent"
    asking = DialogContext(
        "Dialog.ElicitSlot",
        {"name": "NamesIntent", "confirmationStatus": "NONE", "slots": {}},
        "firstName",
    )
    heard = real.understand("Sam and Alex", dialog=asking)
    assert heard.intent_name == "NamesIntent"
    assert heard.slot_values == {"firstName": "Sam", "secondName": "Alex"}


# What to say for a slot of each type, and the value Alexa would then put in the slot
SPOKEN_FOR_TYPE = {
    "AMAZON.FirstName": ("Robin", "Robin"),
    "AMAZON.NUMBER": ("twelve", "12"),
    "AMAZON.TIME": ("eight pm", "20:00"),
    "AMAZON.DURATION": ("twenty minutes", "PT20M"),
    "AMAZON.DayOfWeek": ("friday", "friday"),
}


def real_samples() -> list[tuple[str, str]]:
    model = InteractionModel.load(REAL_MODEL)
    return [(spec.name, sample) for spec in model.intents.values() for sample in spec.samples]


@pytest.mark.parametrize(("intent", "sample"), real_samples())
def test_every_sample_of_the_real_model_is_heard_as_its_intent(
    real: Nlu, intent: str, sample: str
) -> None:
    spec = real.model.intents[intent]
    said, expected = sample, {}
    for slot, slot_type in spec.slots.items():
        if "{" + slot + "}" in said:
            words, value = SPOKEN_FOR_TYPE.get(slot_type, ("a quiet walk", "a quiet walk"))
            said = said.replace("{" + slot + "}", words)
            expected[slot] = value
    heard = real.understand(said, today=WEDNESDAY)
    assert heard.intent_name == intent, f"{said!r} was heard as {heard.intent_name}"
    assert heard.slot_values == expected


def test_slots_come_in_alexas_shape_filled_or_not(real: Nlu) -> None:
    heard = real.understand("my name is Jo")
    assert heard.intent == {
        "name": "NamesIntent",
        "confirmationStatus": "NONE",
        "slots": {
            "firstName": {
                "name": "firstName",
                "value": "Jo",
                "confirmationStatus": "NONE",
                "source": "USER",
                "slotValue": {"type": "Simple", "value": "Jo"},
            },
            "secondName": {"name": "secondName", "confirmationStatus": "NONE"},
        },
    }


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("help", "AMAZON.HelpIntent"),
        ("what can we do", "AMAZON.HelpIntent"),
        ("stop", "AMAZON.StopIntent"),
        ("That's all for now!", "AMAZON.StopIntent"),
        ("cancel", "AMAZON.CancelIntent"),
        ("never mind", "AMAZON.CancelIntent"),
        ("yes", "AMAZON.YesIntent"),
        ("yeah", "AMAZON.YesIntent"),
        ("sure", "AMAZON.YesIntent"),
        ("okay", "AMAZON.YesIntent"),
        ("no", "AMAZON.NoIntent"),
        ("nope", "AMAZON.NoIntent"),
        ("repeat", "AMAZON.RepeatIntent"),
        ("say that again", "AMAZON.RepeatIntent"),
        ("start over", "AMAZON.StartOverIntent"),
        ("restart", "AMAZON.StartOverIntent"),
        ("pause", "AMAZON.PauseIntent"),
        ("wait", "AMAZON.PauseIntent"),
        ("give us a minute", "AMAZON.PauseIntent"),
        ("resume", "AMAZON.ResumeIntent"),
        ("continue", "AMAZON.ResumeIntent"),
        ("next", "AMAZON.NextIntent"),
        ("skip", "AMAZON.NextIntent"),
        ("go home", "AMAZON.NavigateHomeIntent"),
    ],
)
def test_built_in_intents_hear_their_standard_phrases(real: Nlu, said: str, intent: str) -> None:
    heard = real.understand(said)
    assert heard.intent_name == claimed_by(real, said, default=intent)
    assert heard.slot_values == {}


def test_nothing_matched_is_the_fallback_intent(real: Nlu) -> None:
    heard = real.understand(GIBBERISH)
    assert heard.intent == {"name": "AMAZON.FallbackIntent", "confirmationStatus": "NONE"}
    assert not heard.opens_session


@pytest.mark.parametrize(
    "said",
    [
        "open closer together",
        "Alexa, open closer together",
        "launch closer together",
        "start closer together",
        "ask closer together",
    ],
)
def test_opening_the_skill_is_a_launch_in_a_new_session(real: Nlu, said: str) -> None:
    heard = real.understand(said)
    assert heard.request_type == "LaunchRequest"
    assert heard.intent is None
    assert heard.opens_session


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("ask closer together for help", "AMAZON.HelpIntent"),
        ("ask closer together to start over", "AMAZON.StartOverIntent"),
        ("tell closer together that's all for now", "AMAZON.StopIntent"),
        ("Alexa, tell closer together to say that again", "AMAZON.RepeatIntent"),
    ],
)
def test_one_shot_forms_carry_the_request_into_a_new_session(
    real: Nlu, said: str, intent: str
) -> None:
    heard = real.understand(said)
    assert heard.request_type == "IntentRequest"
    assert heard.intent_name == intent
    assert heard.opens_session


def test_one_shot_form_keeps_slots(real: Nlu) -> None:
    heard = real.understand("tell closer together we are Sam and Alex")
    assert heard.opens_session
    assert heard.slot_values == {"firstName": "Sam", "secondName": "Alex"}


def test_plain_utterance_does_not_open_a_session(real: Nlu) -> None:
    assert not real.understand("we are Sam and Alex").opens_session


# -- elicitation ---------------------------------------------------------------------------


def eliciting_second_name() -> DialogContext:
    carried = {
        "name": "NamesIntent",
        "confirmationStatus": "NONE",
        "slots": {
            "firstName": {"name": "firstName", "value": "Sam", "confirmationStatus": "NONE"},
            "secondName": {"name": "secondName", "confirmationStatus": "NONE"},
        },
    }
    directive = {
        "type": "Dialog.ElicitSlot",
        "slotToElicit": "secondName",
        "updatedIntent": carried,
    }
    context = DialogContext.from_directives([directive], last_intent=None)
    assert context is not None
    return context


def test_elicited_slot_takes_a_bare_answer_and_keeps_earlier_slots(real: Nlu) -> None:
    heard = real.understand("Alex", dialog=eliciting_second_name())
    assert heard.intent_name == "NamesIntent"
    assert heard.dialog_state == "IN_PROGRESS"
    assert heard.slot_values == {"firstName": "Sam", "secondName": "Alex"}


def test_elicited_slot_takes_the_whole_utterance_when_no_sample_fits(real: Nlu) -> None:
    heard = real.understand("it's Jo & Lee <3", dialog=eliciting_second_name())
    assert heard.intent_name == "NamesIntent"
    assert heard.slot_values == {"firstName": "Sam", "secondName": "it's Jo & Lee <3"}


def test_elicitation_prefers_the_intents_own_samples(real: Nlu) -> None:
    heard = real.understand("we are Kim and Lee", dialog=eliciting_second_name())
    assert heard.slot_values == {"firstName": "Kim", "secondName": "Lee"}
    assert heard.dialog_state == "IN_PROGRESS"


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("stop", "AMAZON.StopIntent"),
        ("cancel", "AMAZON.CancelIntent"),
        ("help", "AMAZON.HelpIntent"),
        ("repeat", "AMAZON.RepeatIntent"),
        ("skip", "AMAZON.NextIntent"),
        ("next", "AMAZON.NextIntent"),
        ("pause", "AMAZON.PauseIntent"),
        ("start over", "AMAZON.StartOverIntent"),
    ],
)
def test_escape_phrases_still_win_while_a_slot_is_elicited(
    real: Nlu, said: str, intent: str
) -> None:
    heard = real.understand(said, dialog=eliciting_second_name())
    assert heard.intent_name == claimed_by(real, said, default=intent)
    assert heard.dialog_state is None


def test_elicitation_uses_the_last_intent_when_the_directive_has_none(real: Nlu) -> None:
    last = real.understand("my name is Sam").intent
    context = DialogContext.from_directives(
        [{"type": "Dialog.ElicitSlot", "slotToElicit": "secondName"}], last_intent=last
    )
    assert context is not None
    heard = real.understand("Alex", dialog=context)
    assert heard.slot_values == {"firstName": "Sam", "secondName": "Alex"}


def test_other_directives_give_no_dialog(real: Nlu) -> None:
    speak = [{"type": "Connections.SendRequest", "name": "AskFor"}]
    assert DialogContext.from_directives(speak, last_intent={"name": "NamesIntent"}) is None


# -- a small model: custom types, typed slots, ranking ------------------------------------


def test_custom_value_resolves_to_its_id_in_alexas_shape(small: Nlu) -> None:
    heard = small.understand("let's do the daily check-in", today=WEDNESDAY)
    assert heard.intent_name == "StartRitualIntent"
    resolutions = {
        "resolutionsPerAuthority": [
            {
                "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.RitualType",
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": "check in", "id": "CHECK_IN"}}],
            }
        ]
    }
    assert heard.intent is not None
    slot = heard.intent["slots"]["ritual"]
    assert slot["value"] == "daily check-in"
    assert slot["resolutions"] == resolutions
    assert slot["slotValue"] == {
        "type": "Simple",
        "value": "daily check-in",
        "resolutions": resolutions,
    }


def test_synonym_resolves_to_the_canonical_value(small: Nlu) -> None:
    heard = small.understand("start review")
    assert heard.resolved("ritual") == [{"name": "weekly review", "id": "WEEKLY_REVIEW"}]


def test_unknown_custom_value_is_no_match(small: Nlu) -> None:
    heard = small.understand("start the dance party")
    assert heard.intent_name == "StartRitualIntent"
    assert heard.slot_values == {"ritual": "the dance party"}
    assert heard.intent is not None
    assert heard.intent["slots"]["ritual"]["resolutions"] == {
        "resolutionsPerAuthority": [
            {
                "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.RitualType",
                "status": {"code": "ER_SUCCESS_NO_MATCH"},
            }
        ]
    }
    assert heard.resolved("ritual") == []


def test_exact_phrase_beats_a_slot_capture(small: Nlu) -> None:
    # "start {ritual}" could take "over", but "start over" is a whole phrase
    assert small.understand("start over").intent_name == "AMAZON.StartOverIntent"


def test_more_literal_words_beat_fewer(small: Nlu) -> None:
    heard = small.understand("I think we feel close again")
    assert heard.intent_name == "FeelingIntent"
    assert heard.slot_values == {"feeling": "close again"}
    assert small.understand("I think we did well").intent_name == "AnswerIntent"


def test_free_text_keeps_what_was_typed(small: Nlu) -> None:
    heard = small.understand('the best part was dinner & a "movie" <3 🎉')
    assert heard.slot_values == {"answer": 'dinner & a "movie" <3 🎉'}


def test_matching_is_deterministic(small: Nlu) -> None:
    first = small.understand("i think we feel seen")
    assert all(small.understand("i think we feel seen") == first for _ in range(3))


def test_typed_slots_are_normalised_as_alexa_does(small: Nlu) -> None:
    heard = small.understand("remind us tomorrow at eight thirty pm", today=WEDNESDAY)
    assert heard.slot_values == {"day": "2025-03-06", "time": "20:30"}
    assert heard.dialog_state == "STARTED"  # the intent has a dialog model
    assert small.understand("set a timer for half an hour").slot_values == {"length": "PT30M"}
    assert small.understand("go to week three").slot_values == {"week": "3"}
    assert small.understand("plan for Sunday").slot_values == {"weekday": "sunday"}


def test_words_that_are_not_of_the_type_do_not_match(small: Nlu) -> None:
    assert small.understand("go to week banana").intent_name == "AMAZON.FallbackIntent"


def test_confirm_intent_turns_yes_into_confirmed(small: Nlu) -> None:
    pending = small.understand("remind us at eight pm").intent
    context = DialogContext.from_directives(
        [{"type": "Dialog.ConfirmIntent", "updatedIntent": pending}], last_intent=None
    )
    assert context is not None
    yes = small.understand("yes", dialog=context)
    assert yes.intent_name == "ReminderIntent"
    assert yes.intent is not None and yes.intent["confirmationStatus"] == "CONFIRMED"
    assert yes.slot_values == {"time": "20:00"}
    no = small.understand("no", dialog=context)
    assert no.intent is not None and no.intent["confirmationStatus"] == "DENIED"


def test_slots_for_fills_resolutions_for_scripted_intents(small: Nlu) -> None:
    slots = small.slots_for("StartRitualIntent", {"ritual": "check-in"})
    values = slots["ritual"]["resolutions"]["resolutionsPerAuthority"][0]["values"]
    assert values == [{"value": {"name": "check in", "id": "CHECK_IN"}}]
    with pytest.raises(KeyError):
        small.slots_for("StartRitualIntent", {"colour": "red"})


def test_a_sample_naming_an_undeclared_slot_is_refused() -> None:
    model = small_model()
    intents = model["interactionModel"]["languageModel"]["intents"]
    intents.append({"name": "BrokenIntent", "samples": ["do {something}"]})
    with pytest.raises(ValueError, match="undeclared slot"):
        Nlu(InteractionModel.from_json(model), DEFAULT_SKILL_ID)


# -- value parsers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("eight", "08:00"),
        ("8", "08:00"),
        ("eight pm", "20:00"),
        ("8pm", "20:00"),
        ("eight in the evening", "20:00"),
        ("nine in the evening", "21:00"),
        ("seven a m", "07:00"),
        ("eight thirty", "08:30"),
        ("8 30 pm", "20:30"),
        ("twelve pm", "12:00"),
        ("twelve am", "00:00"),
        ("half past seven", "07:30"),
        ("quarter to nine", "08:45"),
        ("noon", "12:00"),
        ("evening", "EV"),
        ("morning", "MO"),
        ("night", "NI"),
        ("afternoon", "AF"),
        ("banana", None),
        ("thirteen pm", None),
    ],
)
def test_time(said: str, value: str | None) -> None:
    assert slot_types.parse_time(said.split()) == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("today", "2025-03-05"),
        ("tomorrow", "2025-03-06"),
        ("sunday", "2025-03-09"),
        ("wednesday", "2025-03-12"),
        ("next friday", "2025-03-07"),
        ("march tenth", "2025-03-10"),
        ("march first", "2026-03-01"),
        ("next week", "2025-W11"),
        ("soon", None),
    ],
)
def test_date(said: str, value: str | None) -> None:
    assert slot_types.parse_date(said.split(), WEDNESDAY) == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("twenty minutes", "PT20M"),
        ("an hour", "PT1H"),
        ("half an hour", "PT30M"),
        ("an hour and a half", "PT1H30M"),
        ("two hours and ten minutes", "PT2H10M"),
        ("ninety seconds", "PT90S"),
        ("a week", "P1W"),
        ("minutes", None),
    ],
)
def test_duration(said: str, value: str | None) -> None:
    assert slot_types.parse_duration(said.split()) == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("twenty five", 25),
        ("15", 15),
        ("a hundred and ten", 110),
        ("two thousand and twenty", 2020),
        ("zero", 0),
        ("two three", None),
        ("twenty twenty", None),
    ],
)
def test_number(said: str, value: int | None) -> None:
    assert slot_types.parse_number(said.split()) == value


# -- honest mode: what real Alexa sends ------------------------------------------------------


@pytest.fixture(scope="module")
def honest() -> Nlu:
    return Nlu.from_file(REAL_MODEL, mode="honest")


@pytest.fixture(scope="module")
def honest_small() -> Nlu:
    return Nlu(InteractionModel.from_json(small_model()), SKILL_ID, mode="honest")


FALLBACK = {"name": "AMAZON.FallbackIntent", "confirmationStatus": "NONE"}


def eliciting(intent: str, slot: str, nlu: Nlu) -> DialogContext:
    slots = {
        name: {"name": name, "confirmationStatus": "NONE"}
        for name in nlu.model.intents[intent].slots
    }
    return DialogContext(
        "Dialog.ElicitSlot", {"name": intent, "confirmationStatus": "NONE", "slots": slots}, slot
    )


def eliciting_answer() -> DialogContext:
    return DialogContext(
        "Dialog.ElicitSlot",
        {
            "name": "AnswerIntent",
            "confirmationStatus": "NONE",
            "slots": {"answer": {"name": "answer", "confirmationStatus": "NONE"}},
        },
        "answer",
    )


def test_modes_are_chosen_by_name_and_exact_is_the_default() -> None:
    model = InteractionModel.from_json(small_model())
    assert Nlu(model).mode == "exact"
    assert Nlu(model, mode="honest").mode == "honest"
    with pytest.raises(ValueError, match="unknown NLU mode"):
        Nlu(model, mode="fuzzy")  # type: ignore[arg-type]


def test_a_model_file_is_compiled_once_per_mode(honest: Nlu) -> None:
    assert Nlu.from_file(REAL_MODEL, mode="honest") is honest
    assert Nlu.from_file(str(REAL_MODEL), mode="honest") is honest
    assert Nlu.from_file(REAL_MODEL).mode == "exact"


@pytest.mark.parametrize(
    "said",
    [
        "we went for a walk by the river",
        GIBBERISH,
        "hi there",
        "hello",
        "um",
        "thanks",
        "my name is hello",
        "we had a lovely dinner with friends",
    ],
)
def test_honest_uncovered_speech_is_the_fallback_intent_with_no_words(
    honest: Nlu, said: str
) -> None:
    heard = honest.understand(said)
    assert heard.intent == FALLBACK  # no slots: the skill learns nothing of what was said
    assert heard.dialog_state is None


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("start the check in now please", "StartCheckInIntent"),  # "start the check in"
        ("please start our check in", "StartCheckInIntent"),
        ("um begin the check in", "StartCheckInIntent"),  # "begin our check in"
        ("review weekly", "WeeklyReviewIntent"),  # two words swapped
        ("the weekly review please", "WeeklyReviewIntent"),
        ("alexa, weekly review", "WeeklyReviewIntent"),
        ("i had a terrible day today", "HardDayIntent"),
        ("stop it now", "AMAZON.StopIntent"),
        ("we need a break now", "TimeoutIntent"),
    ],
)
def test_honest_near_misses_of_a_sample_resolve_to_its_intent(
    honest: Nlu, said: str, intent: str
) -> None:
    assert honest.understand(said).intent_name == intent


@pytest.mark.parametrize(
    "said",
    [
        "i had a wonderful day",  # a different content word is a different request
        "check out",
        "deep",  # "too deep" without "too"
        "start the check in with my sister and her kids",  # too many words more
    ],
)
def test_honest_a_different_request_is_not_a_near_miss(honest: Nlu, said: str) -> None:
    assert honest.understand(said).intent == FALLBACK


def test_honest_near_misses_keep_their_slots(honest: Nlu) -> None:
    heard = honest.understand("give us ten more minutes please")
    assert heard.intent_name == "TalkTimerIntent"
    assert heard.slot_values == {"minutes": "10"}
    heard = honest.understand("um, so we are Sam and Alex")
    assert heard.slot_values == {"firstName": "Sam", "secondName": "Alex"}


def test_honest_hears_every_sample_of_the_real_model_as_exact_mode_does(
    real: Nlu, honest: Nlu
) -> None:
    differences = []
    for intent, sample in real_samples():
        spec = real.model.intents[intent]
        said = sample
        for slot, slot_type in spec.slots.items():
            words, _ = SPOKEN_FOR_TYPE.get(slot_type, ("a quiet walk", "a quiet walk"))
            said = said.replace("{" + slot + "}", words)
        exact = real.understand(said, today=WEDNESDAY)
        heard = honest.understand(said, today=WEDNESDAY)
        if (heard.intent_name, heard.slot_values) != (exact.intent_name, exact.slot_values):
            differences.append((said, exact.intent_name, heard.intent_name, heard.slot_values))
    assert not differences


# -- honest mode: names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "name"), [("Sam", "Sam"), ("Jordan Lee", "Jordan Lee"), ("um, Sam", "Sam")]
)
def test_honest_an_elicited_first_name_takes_a_name(honest: Nlu, said: str, name: str) -> None:
    heard = honest.understand(said, dialog=eliciting("NamesIntent", "firstName", honest))
    assert heard.intent_name == "NamesIntent"
    assert heard.dialog_state == "IN_PROGRESS"
    assert heard.slot_values == {"firstName": name}


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("hi there", "AMAZON.FallbackIntent"),
        ("hello", "AMAZON.FallbackIntent"),
        ("um", "AMAZON.FallbackIntent"),
        ("thanks", "AMAZON.FallbackIntent"),
        ("it's Jo & Lee <3", "AMAZON.FallbackIntent"),
        ("we went for a walk", "AMAZON.FallbackIntent"),
        ("okay", "AMAZON.YesIntent"),
        ("stop", "AMAZON.StopIntent"),
    ],
)
def test_honest_a_first_name_slot_never_holds_anything_but_a_name(
    honest: Nlu, said: str, intent: str
) -> None:
    for dialog in (None, eliciting("NamesIntent", "firstName", honest), eliciting_second_name()):
        heard = honest.understand(said, dialog=dialog)
        assert heard.intent_name == claimed_by(honest, said, default=intent)
        assert heard.slot_values == {}
        assert heard.dialog_state is None


def test_honest_names_in_carrier_phrases(honest: Nlu) -> None:
    assert honest.understand("my name is Sam").slot_values == {"firstName": "Sam"}
    assert honest.understand("we're jordan lee and alex").slot_values == {
        "firstName": "Jordan Lee",
        "secondName": "Alex",
    }
    # "there" is no name, so the sample does not match
    assert honest.understand("we are Sam and there").intent == FALLBACK


def test_exact_mode_is_kinder_than_honest_mode(real: Nlu, honest: Nlu) -> None:
    waiting = eliciting_second_name()
    assert real.understand("hi there", dialog=waiting).slot_values["secondName"] == "Hi There"
    assert honest.understand("hi there", dialog=waiting).intent == FALLBACK
    waiting = eliciting_answer()
    assert real.understand("yes", dialog=waiting).slot_values == {"answer": "yes"}
    assert honest.understand("yes", dialog=waiting).intent_name == "AMAZON.YesIntent"


# -- honest mode: while the skill elicits AnswerIntent.answer --------------------------------


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [
        ("yes", "AMAZON.YesIntent", {}),
        ("yeah", "AMAZON.YesIntent", {}),
        ("no thanks", "AMAZON.NoIntent", {}),
        ("stop", "AMAZON.StopIntent", {}),
        ("cancel", "AMAZON.CancelIntent", {}),
        ("help", "AMAZON.HelpIntent", {}),
        ("repeat", "AMAZON.RepeatIntent", {}),
        ("pause", "AMAZON.PauseIntent", {}),
        ("start over", "AMAZON.StartOverIntent", {}),
        ("next", "AMAZON.NextIntent", {}),
        ("resume", "AMAZON.ResumeIntent", {}),
        ("weekly review", "WeeklyReviewIntent", {}),
        ("give us ten minutes", "TalkTimerIntent", {"minutes": "10"}),
        ("i had a terrible day", "HardDayIntent", {}),
        ("we keep arguing", "ProfessionalHelpIntent", {}),
        ("i need support", "LevelIntent", {"level": "support"}),
    ],
)
def test_honest_elicitation_still_switches_to_a_better_fitting_intent(
    honest: Nlu, said: str, intent: str, slots: dict[str, str]
) -> None:
    heard = honest.understand(said, dialog=eliciting_answer())
    assert heard.intent_name == claimed_by(honest, said, default=intent)
    assert heard.slot_values == slots
    assert heard.dialog_state != "IN_PROGRESS"


@pytest.mark.parametrize(
    "said",
    ["we went for a walk by the river and it was lovely", "thanks", "the kids & me <3"],
)
def test_honest_elicited_answer_takes_what_was_said(honest: Nlu, said: str) -> None:
    heard = honest.understand(said, dialog=eliciting_answer())
    assert heard.intent_name == "AnswerIntent"
    assert heard.dialog_state == "IN_PROGRESS"
    answer_type = honest.model.intents["AnswerIntent"].slots["answer"]
    if answer_type == "AMAZON.SearchQuery" or len(said.split()) <= 4:
        assert heard.slot_values == {"answer": said}  # short free text is the skill's to handle
        assert heard.resolved("answer") == []
    else:  # a custom type (before the model moved to SearchQuery): bent to a listed value
        assert heard.resolved("answer")


def test_honest_elicited_answer_drops_a_carrier_phrase_of_its_own_intent(honest: Nlu) -> None:
    heard = honest.understand("the best part was dinner", dialog=eliciting_answer())
    assert heard.slot_values == {"answer": "dinner"}


# -- honest mode on a small model: custom types, typed slots, elicitation --------------------


def test_honest_long_phrase_in_a_custom_slot_is_bent_to_a_listed_value(honest_small: Nlu) -> None:
    heard = honest_small.understand("let's do the weekly review with the whole family tonight")
    assert heard.intent_name == "StartRitualIntent"
    assert heard.slot_values == {"ritual": "weekly review"}
    assert heard.resolved("ritual") == [{"name": "weekly review", "id": "WEEKLY_REVIEW"}]
    assert heard.intent is not None
    status = heard.intent["slots"]["ritual"]["resolutions"]["resolutionsPerAuthority"][0]
    assert status["status"] == {"code": "ER_SUCCESS_MATCH"}


def test_honest_short_unknown_custom_value_is_kept_unresolved(honest_small: Nlu) -> None:
    heard = honest_small.understand("start the dance party")  # custom types are not enumerations
    assert heard.slot_values == {"ritual": "the dance party"}
    assert heard.resolved("ritual") == []


def test_honest_long_phrase_sharing_no_listed_word_does_not_match(honest_small: Nlu) -> None:
    assert honest_small.understand("start the dance party in the kitchen now").intent == FALLBACK
    # a custom type without values cannot take a long phrase; a SearchQuery sample can
    heard = honest_small.understand("i think we feel very close to each other again")
    assert heard.intent_name == "AnswerIntent"
    assert heard.slot_values == {"answer": "we feel very close to each other again"}


def test_honest_near_miss_on_the_small_model(honest_small: Nlu) -> None:
    heard = honest_small.understand("set the timer for twenty minutes")  # "the" for "a"
    assert heard.intent_name == "TimerIntent"
    assert heard.slot_values == {"length": "PT20M"}
    heard = honest_small.understand("so let's do the daily check in")  # one light word more
    assert heard.resolved("ritual") == [{"name": "check in", "id": "CHECK_IN"}]
    # a sample of light words only is said whole: "let's do the" needs all three
    assert honest_small.understand("let's do daily check in").intent == FALLBACK
    heard = honest_small.understand("um remind us at eight pm please", today=WEDNESDAY)
    assert heard.slot_values == {"time": "20:00"}
    assert honest_small.understand("go to month three").intent == FALLBACK
    assert honest_small.understand("go to week banana").intent == FALLBACK


def test_honest_elicited_typed_slot_takes_only_its_type(honest_small: Nlu) -> None:
    waiting = eliciting("ReminderIntent", "time", honest_small)
    heard = honest_small.understand("eight pm", dialog=waiting)
    assert heard.intent_name == "ReminderIntent"
    assert heard.slot_values == {"time": "20:00"}
    assert honest_small.understand("banana bread", dialog=waiting).intent == FALLBACK
    ritual = eliciting("StartRitualIntent", "ritual", honest_small)
    long = honest_small.understand("we baked banana bread with the neighbours", dialog=ritual)
    assert long.intent == FALLBACK


def test_honest_confirmation_still_takes_yes_and_no(honest_small: Nlu) -> None:
    pending = honest_small.understand("remind us at eight pm").intent
    context = DialogContext("Dialog.ConfirmIntent", pending or {})
    heard = honest_small.understand("yes please", dialog=context)
    assert heard.intent is not None and heard.intent["confirmationStatus"] == "CONFIRMED"


def test_honest_matching_is_deterministic(honest: Nlu) -> None:
    said = "start the check in now please"
    first = honest.understand(said, dialog=eliciting_answer())
    assert all(honest.understand(said, dialog=eliciting_answer()) == first for _ in range(3))
