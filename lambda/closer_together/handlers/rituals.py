"""Starting the rituals besides the daily check-in: appreciation, weekly review, weekly
planning, monthly check-in and the deeper question.

Handlers only translate. Once a ritual is under way, its answers, next, skip, pause, start
over and help go to `checkin.RitualTurnHandler` like any guided ritual's; what is here is
how each one starts, the review's "want to hear more?", and going deeper or lighter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler

from closer_together.dialog import Kind, Waiting
from closer_together.handlers.checkin import RITUAL_WAITS
from closer_together.lazy import lazy
from closer_together.pipeline import respond
from closer_together.request_util import current, expected, intent_name, slot_text
from closer_together.request_util import heard as heard_as
from closer_together.rituals import guided, people, welcome
from closer_together.speech import Line, Reply, line
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

    from closer_together.rituals import deck, review
else:
    deck = lazy("closer_together.rituals.deck")
    review = lazy("closer_together.rituals.review")

# Rituals that are nothing but their guided questions.
GUIDED_INTENTS = {
    "AppreciationIntent": "appreciation",
    "WeeklyPlanningIntent": "planning",
    "MonthlyCheckInIntent": "monthly",
}
# Steps through the deck: deeper (+1) or lighter (-1), as `deck.shift` takes them.
SHIFT_INTENTS = {"GoDeeperIntent": 1, "LighterQuestionIntent": -1}
REVIEW_MORE = Waiting.REVIEW_MORE
MORE_YES = ("AMAZON.YesIntent",)
MORE_NO = (
    "AMAZON.NoIntent",
    "NextQuestionIntent",
    "AMAZON.NextIntent",
    "AMAZON.ResumeIntent",
    "SkipIntent",
)
MORE_OTHER = ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AnswerIntent", "NamesIntent")


class RitualStartHandler(AbstractRequestHandler):
    """Asked for a ritual by name: both names are needed first, then `begin` it."""

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if not turn.household.named:
            reply, turn.expect = welcome.launch(turn.household)
            return respond(handler_input, reply)
        turn.expect = None
        turn.touch()
        return respond(handler_input, self.begin(handler_input, turn))

    def begin(self, handler_input: HandlerInput, turn: Turn) -> Reply:
        raise NotImplementedError


def _resume(turn: Turn, ritual: str, intro: list[Line] | None = None) -> Reply | None:
    """Asked for the ritual already under way today: pick it up where it stands."""
    progress = guided.active(turn.household, turn.today)
    if progress is None or progress.get("ritual") != ritual:
        return None
    return guided.resume(turn.household, guided.PLANS[ritual], turn.now, intro)


class GuidedRitualHandler(RitualStartHandler):
    """ "An appreciation", "plan our week", "our monthly check-in"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in GUIDED_INTENTS

    def begin(self, handler_input: HandlerInput, turn: Turn) -> Reply:
        ritual = GUIDED_INTENTS[str(intent_name(handler_input))]
        return _resume(turn, ritual) or guided.start(
            turn.household, guided.PLANS[ritual], turn.now, turn.speaker
        )


class WeeklyReviewHandler(RitualStartHandler):
    """ "Our weekly review": the week read back, then the review's questions."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "WeeklyReviewIntent"

    def begin(self, handler_input: HandlerInput, turn: Turn) -> Reply:
        resumed = _resume(turn, review.RITUAL)
        if resumed is not None:
            return resumed
        turn.ensure_full()  # the read-back needs the whole week's moments
        reply, more_waits = review.begin(turn.household, turn.now, turn.speaker)
        turn.expect = REVIEW_MORE if more_waits else None
        return reply


class ReviewMoreHandler(AbstractRequestHandler):
    """The answer to "want to hear more?" during the review's read-back."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return expected(handler_input) == REVIEW_MORE and intent_name(handler_input) in (
            *MORE_YES,
            *MORE_NO,
            *MORE_OTHER,
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        intent = intent_name(handler_input)
        if intent == "AMAZON.HelpIntent":
            return respond(handler_input, review.more_help())
        if intent in MORE_YES:
            turn.touch()
            turn.expect = None
            turn.ensure_full()
            return respond(handler_input, review.more(turn.household, turn.now, turn.speaker))
        if intent in MORE_NO:
            turn.touch()
            turn.expect = None
            return respond(handler_input, review.move_on(turn.household, turn.now, turn.speaker))
        # Anything else: the question again, plainly.
        return respond(
            handler_input, Reply([line("review.more.reprompt")], [line("review.more.reprompt")])
        )


class DeeperQuestionHandler(RitualStartHandler):
    """ "A deeper question": this week's question from the deck."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "DeeperQuestionIntent"

    def begin(self, handler_input: HandlerInput, turn: Turn) -> Reply:
        return _resume(turn, deck.RITUAL) or deck.begin(
            turn.household, turn.voice.catalog.data("deck"), turn.now, turn.speaker
        )


class DepthShiftHandler(RitualStartHandler):
    """ "Go deeper" / "something lighter", during a deeper question or to start one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if expected(handler_input) not in (None, *RITUAL_WAITS):
            return False  # the session waits for something else (a yes or no, a name)
        return intent_name(handler_input) in SHIFT_INTENTS

    def begin(self, handler_input: HandlerInput, turn: Turn) -> Reply:
        by = SHIFT_INTENTS[str(intent_name(handler_input))]
        cards = turn.voice.catalog.data("deck")
        progress = guided.active(turn.household, turn.today)
        if progress is not None and progress.get("ritual") == deck.RITUAL:
            return deck.shift(turn.household, cards, turn.now, by)
        return deck.begin(turn.household, cards, turn.now, turn.speaker, by)


# The one-shot appreciation's words wait here while we ask whose they were.
SHARED = "appreciation.shared"
APPRECIATION = "appreciation"


class ShareAppreciationHandler(RitualStartHandler):
    """ "Tell Closer Together I appreciate how you ...": one appreciation, in one shot.

    It starts the appreciation ritual with this partner's words (a ritual under way waits
    where it is), then asks the other partner for theirs. Without a recognised voice we
    ask whose words they were first: an appreciation is never filed under the wrong name.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "ShareAppreciationIntent"

    def begin(self, handler_input: HandlerInput, turn: Turn) -> Reply:
        text = turn.heard.text
        if not text:
            return _resume(turn, APPRECIATION) or guided.start(
                turn.household, guided.PLANS[APPRECIATION], turn.now, turn.speaker
            )
        if turn.speaker is not None:
            return appreciate(turn, turn.speaker, text)
        turn.session[SHARED] = text
        turn.expect = Waiting.WHO_APPRECIATION
        names = people.names(turn.household)
        return Reply(
            [line("who.appreciation", **names)],
            [line("who.appreciation.reprompt", **names)],
            elicit=people.NAMES_SLOT,
        )


def appreciate(turn: Turn, partner: int, text: str) -> Reply:
    """`partner`'s appreciation, as their answer in today's appreciation ritual."""
    plan = guided.PLANS[APPRECIATION]
    progress = guided.active(turn.household, turn.today)
    if progress is None or progress.get("ritual") != APPRECIATION:
        guided.start(turn.household, plan, turn.now, partner)
    return guided.answer(turn.household, plan, turn.now, text, partner)


class WhoseAppreciationHandler(AbstractRequestHandler):
    """The answer to "was that Sam or Alex?" after a one-shot appreciation."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return expected(handler_input) is Waiting.WHO_APPRECIATION and heard_as(
            handler_input
        ).kind in (Kind.ANSWER, Kind.MISSED, Kind.NOT_ANSWER)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        text = str(turn.session.pop(SHARED, "") or "")
        said = (slot_text(handler_input, "firstName") or turn.heard.text or "").lower()
        partner = next(
            (i for i, p in enumerate(turn.household.partners) if p.name.lower() in said), None
        )
        if partner is None or not text:
            return respond(
                handler_input,
                Reply(
                    [line("who.appreciation.unclear"), *welcome.menu(turn.household)],
                    [line("menu.reprompt")],
                ),
            )
        if turn.person_id:
            turn.household.link_person(partner, turn.person_id)
        turn.touch()
        return respond(handler_input, appreciate(turn, partner, text))


HANDLERS: list[AbstractRequestHandler] = [
    WhoseAppreciationHandler(),
    ReviewMoreHandler(),
    DepthShiftHandler(),
    WeeklyReviewHandler(),
    DeeperQuestionHandler(),
    GuidedRitualHandler(),
    ShareAppreciationHandler(),
]
