"""Spot crisis, abuse and professional-help signals in what a partner says.

`detect` runs on every piece of free text before anything is stored or echoed. It is plain
Python on purpose: no SDK imports, no I/O, and its patterns compile on first use, so importing
this module costs next to nothing on a cold start.

The rules are tuned for recall on crisis and abuse: a needless safety message is a small cost,
a missed one is not. Negation only ever suppresses a professional-help match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

__all__ = [
    "SUPPORTED_LOCALES",
    "Concern",
    "SafetyMessage",
    "detect",
    "normalise",
    "safety_message",
]


class Concern(StrEnum):
    CRISIS = "crisis"  # self-harm, suicide, wanting to die
    ABUSE = "abuse"  # violence, threats, fear of a partner, coercion and control
    PROFESSIONAL_HELP = "professional_help"  # hopelessness, escalating conflict, asking for help


@dataclass(frozen=True, slots=True)
class SafetyMessage:
    """Fixed, reviewed wording. `ssml` has no <speak> wrapper (the SDK adds it)."""

    text: str
    ssml: str
    card_title: str
    card_text: str


SUPPORTED_LOCALES: tuple[str, ...] = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")

# ---------------------------------------------------------------------------------------------
# Normalisation: everything the rules see is lower case ASCII words separated by single spaces,
# with contractions spelt out ("i'm" -> "i am", "don't" -> "do not", "cant" -> "can not").
# ---------------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2018\u2019\u201b\u02bc\u02bb`\u00b4\u2032"})

_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bwon't\b", "will not"),
    (r"\bcan't\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bshan't\b", "shall not"),
    (r"\bain't\b", "is not"),
    (r"n't\b", " not"),
    (r"'m\b", " am"),
    (r"'re\b", " are"),
    (r"'ve\b", " have"),
    (r"'ll\b", " will"),
    (r"'d\b", " would"),
    (r"\b(he|she|it|that|there|what|who|where|everything|nothing|life|this)'s\b", r"\1 is"),
    (r"'", ""),  # possessives: "partner's" -> "partners"
)

# Speech recognition and typing often drop the apostrophe; these spellings are not other words.
_BARE_CONTRACTIONS: dict[str, str] = {
    "im": "i am",
    "ive": "i have",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "wont": "will not",
    "isnt": "is not",
    "wasnt": "was not",
    "arent": "are not",
    "werent": "were not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "hes": "he is",
    "shes": "she is",
    "thats": "that is",
    "theres": "there is",
    "whats": "what is",
    "youre": "you are",
    "theyre": "they are",
    "weve": "we have",
    "youve": "you have",
    "theyve": "they have",
    "its": "it is",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "kinda": "kind of",
    "selfharm": "self harm",
}


@cache
def _normalisers() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), r) for p, r in _CONTRACTIONS)


def normalise(text: str) -> str:
    """Lower-case, ASCII-only, contractions expanded, punctuation dropped, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = text.lower().translate(_APOSTROPHES).replace("&", " and ")
    for pattern, replacement in _normalisers():
        text = pattern.sub(replacement, text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(_BARE_CONTRACTIONS.get(w, w) for w in words)


# ---------------------------------------------------------------------------------------------
# Rules. Each is a regular expression over normalised text, wrapped in word boundaries.
# Lookaheads `(?! ...)` carve out everyday idioms; keep them narrow.
# ---------------------------------------------------------------------------------------------

# People who can hurt the speaker at home: partner, ex, parents. "you" is the partner addressed.
_PERSON = (
    r"(?:partner|husband|wife|boyfriend|girlfriend|fiance|fiancee|spouse|other half|hubby"
    r"|ex(?: husband| wife| boyfriend| girlfriend| partner)?|dad|father|mom|mum|mother"
    r"|stepdad|stepfather|stepmom|stepmum|stepmother)"
)
_AGENT = rf"(?:he|she|they|you|my {_PERSON})"
# Words allowed between the agent and the act ("he got drunk and hit me", "he will never hit
# me again"); deliberately not free text, so "thank you, it really hit me" stays ordinary.
_GAP = (
    r"(?:(?:also|always|sometimes|often|even|just|actually|really|then|has|have|had|did|does"
    r"|would|will|was|is|keeps|kept|still|never|again|once|finally|literally|basically"
    r"|apparently|got drunk and|gets drunk and|gets angry and|got angry and|gets mad and"
    r"|got mad and|lost it and|loses it and|snapped and|started to|tried to|is going to"
    r"|was going to|going to|not|says he will|says she will|said he would|said she would) ){0,3}"
)
_OBJ = r"(?:me|us|the kids|the children|my (?:son|daughter|kids|children|baby))"
_FEAR = r"(?:afraid|scared|terrified|frightened|fearful)"
_KIN = r"(?:friends|family|mom|mum|mother|dad|father|parents|sister|sisters|brother|brothers"
_KIN += r"|kids|children|anyone|people|best friend|\w+ friends)"
_I_ADV = r"(?:just |really |honestly |seriously |simply |truly |actually )?"
_INTENT = (
    r"(?:want|wanted|wants|wanting|going|gonna|plan|planning|planned|thinking about|thought about"
    r"|think about|thinking of|considering|considered|tempted|urge|urges|feel like|felt like"
    r"|might|could|should|keep|kept|been|started|start|stop myself from|tried|try|trying)"
)
_WE = (
    r"(?:we|the two of us|both of us|me and (?:him|her|you|my \w+)|(?:he|she|you|my \w+) and i)"
)
_THERAPY = (
    r"(?:(?:some |a |an )?(?:couples |marriage |relationship |professional |outside )?"
    r"(?:therapy|therapist|counselling|counseling|counsellor|counselor|counsel|help)"
    r"|help as a couple)"
)

_RULES: tuple[tuple[Concern, str], ...] = (
    # --- crisis: suicide and self-harm -------------------------------------------------------
    (Concern.CRISIS, r"suicid\w*(?<!suicide squad)(?! (?:squad|doors|drills|sprints|runs|wings)\b)"),
    (Concern.CRISIS, rf"{_INTENT} (?:to )?(?:kill|killing|hurt|hurting|harm|harming|cut|cutting"
     r"|burn|burning|punish|punishing|starve|starving) myself"),
    # "killing myself" alone is often hyperbole about effort or laughter.
    (Concern.CRISIS, r"kill(?:ed|ing|s)? myself(?! (?:laughing|trying|to (?:finish|get|make|meet"
     r"|keep)|at (?:work|the gym)|over (?:this|that|the|work)|working|for (?:this|that|the|work)))"),
    (Concern.CRISIS, r"(?:hurt|hurting|harm|harming|injure|injuring) myself(?! (?:at|in|on|during"
     r"|while|playing|lifting|running|when|doing|falling|skiing|tripping|climbing|moving|by accident"
     r"|accidentally|cooking|chopping)\b)"),
    (Concern.CRISIS, r"hurt(?:ing)? myself on purpose|self (?:harm\w*|injur\w*)"),
    (Concern.CRISIS, r"cut(?:ting)? myself(?! (?:shaving|chopping|cooking|on|with|while|in the"
     r"|slicing|opening|by accident|accidentally)\b)"),
    (Concern.CRISIS, r"cutting (?:myself )?again|cutting my (?:arms?|wrists?|legs?|thighs?|skin)"),
    (Concern.CRISIS, r"(?:been|started|start|back to|urge to|urges to|relapsed|went back to)"
     r" cutting(?! (?:back|down|out|up|off|in|corners|costs|class|classes|school|work|the|a|an"
     r"|some|it|them|ties|sugar|carbs|hair|grass|meat|fruit|vegetables|onions|wood|paper"
     r"|coupons|his|her|their|our|your|my (?!arms?|wrists?|legs?|thighs?|skin)\w+)\b)"),
    (Concern.CRISIS, r"overdos\w*(?! on (?:chocolate|sugar|coffee|caffeine|candy|sweets|cake"
     r"|netflix|tv|television|pizza|cookies|carbs|christmas|cheese|puns|cuteness|sun|sunshine"
     r"|memes|episodes)\b)"),
    (Concern.CRISIS, r"(?:took|take|taking|swallow|swallowed|swallowing) (?:all|a bunch|a handful"
     r"|too many|the whole bottle|a whole bottle|every one)(?: of)?(?: my| the)?"
     r" (?:\w+ )?(?:pills|tablets|meds|medication)"),
    (Concern.CRISIS, r"(?:want|wanted|wants|wanting) to die(?! (?:of|from) (?:embarrassment"
     r"|laughter|laughing|boredom|cuteness)\b)|(?:ready|going) to die\b"),
    (Concern.CRISIS, r"wish (?:i|that i) (?:was|were|had|would be|could be) (?:dead|never born"
     r"|not born|not alive|gone for good)|(?:better|rather be) dead"),
    (Concern.CRISIS, r"rather die(?! than (?:go|eat|wear|watch|do|sit|listen|miss|sing|dance)\b)"),
    (Concern.CRISIS, r"end(?:ing)? (?:it all|my life|my own life|everything)"
     r"|(?:take|taking|took) my (?:own )?life"),
    (Concern.CRISIS, rf"(?:i {_I_ADV}(?:want|need|am going|plan|have to|am ready)|thinking about"
     r"|thought about|think about) (?:to )?end(?:ing)? it(?! (?:with|on|early|there|now|at)\b)"),
    (Concern.CRISIS, r"(?:no reason|nothing|no one|nobody) (?:left )?to live for|no reason to live"
     r"|no will to live|not worth living|reason to go on|no point (?:in )?(?:living|going on"
     r"|being alive|being here)|what is the point (?:of|in) (?:living|going on|being alive"
     r"|life|being here)|life is (?:not worth|pointless|meaningless)"),
    (Concern.CRISIS, rf"i {_I_ADV}(?:do not|did not|no longer|never) {_I_ADV}(?:even )?want to"
     r" (?:live|be alive|exist|go on|keep going|keep living|be around anymore|be around any more"
     r"|be here(?! (?:at first|for (?:the|this|that|a)|on (?:a|the|this)|in (?:the|this)|tonight"
     r"|today|this)\b)|wake up(?! (?:this|that|on|at|early|so early|for|before|in time|in the)\b))"),
    (Concern.CRISIS, r"(?:sleep|go to sleep|fall asleep) and (?:never|not) wake up"
     r"|(?:wish|hope) i (?:would|could|do|will|did) (?:just )?(?:not|never) wake up"
     r"(?! (?:late|early|with|before|at|in|tired|sore|too|again|during|when|the|to|until"
     r"|hungover)\b)"),
    (Concern.CRISIS, rf"i {_I_ADV}(?:can not|could not|am not able to) (?:go on|keep going"
     r"|keep living|take it (?:anymore|any more)|take this (?:anymore|any more)|do this"
     r" (?:anymore|any more)|cope (?:anymore|any more)|handle (?:it|this|life) (?:anymore"
     r"|any more))"),
    (Concern.CRISIS, r"(?:be|are|is) better off (?:without me|if i (?:was|were|am|had) (?:dead|gone"
     r"|not here|not around|never born|never been born))|a burden to (?:everyone|everybody"
     r"|my family|you all|all of you)"),
    (Concern.CRISIS, r"(?:hang|shoot|drown|poison) myself|slit my wrists?|jump(?:ing)? in front"
     r" of (?:a|the) (?:train|bus|car|truck|lorry)|jump(?:ing)? off (?:a|the|this|that)"
     r" (?:bridge|building|roof|balcony|ledge|overpass)|crash(?:ing)? my car on purpose"),
    (Concern.CRISIS, r"(?:give|gave|given|giving) up on life|(?:tired|sick) of (?:living"
     r"|being alive|life)|(?:disappear|vanish) (?:forever|for good|and never come back)"),
    (Concern.CRISIS, r"thoughts (?:of|about) (?:dying|death|suicide|ending it|killing myself"
     r"|hurting myself|not being here)|i (?:keep|have been|can not stop|keep on) thinking about"
     r" (?:dying|death|ending it|not being here|being dead)"),
    (Concern.CRISIS, r"(?:will not|not going to) be (?:around|here) (?:much longer|for much longer"
     r"|anymore|any more)"),
    # --- abuse: violence, threats, fear, coercion and control ----------------------------------
    (Concern.ABUSE, rf"{_AGENT} {_GAP}(?:hit|hits|hitting|slap|slaps|slapped|slapping|punch"
     r"|punches|punched|punching|kick|kicks|kicked|kicking|smack|smacks|smacked|bit|bite|bites"
     r"|spat on|spit on|spits on|burned|burnt|burns|strangle|strangles|strangled|strangling|choke"
     rf"|chokes|choked|choking|hurt|hurts|hurting|attack|attacks|attacked|abuse|abuses|abused"
     rf"|rape|rapes|raped|assaulted|molested|stalks|stalking|stalked) {_OBJ}"
     r"(?! (?:up|back)\b| with (?:a |an |the |some )?(?:\w+ )?(?:idea|joke|question|news"
     r"|compliment|surprise|story|pun|pillow)s?\b| in (?:his|her|their|my) sleep"
     # Emotional hurt from words or forgetting is not violence.
     r"| (?:\w+ ){0,2}when (?:he|she|you|they) (?:said|says|say|forgot|forget|forgets|ignored"
     r"|ignores|ignore|did not|does not|do not|was late|were late|is late|laughed|laughs|joked"
     r"|teased|cancelled|canceled|left|criticized|criticised|compared)\b| by (?:saying|forgetting"
     r"|ignoring|not|laughing|joking|cancelling|canceling)\b)"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}(?:beat|beats|beating) (?:me|us)(?! (?:at|in|to|by|on"
     r"|home|back)\b)|(?:beat|beats|beating) (?:me|us) up"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}(?:push|pushes|pushed|pushing|shove|shoves|shoved|shoving"
     r"|grab|grabs|grabbed|grabbing|shook|shakes|shaking) (?:me|us)(?! (?:to (?!the (?:ground"
     r"|floor|wall))\w+|out of my comfort zone|forward|harder|along|in the right direction|on the"
     r" swings?|into (?:\w+ing|a new|the right|trying)|(?:a|an|some|lunch|dinner|coffee"
     r"|breakfast|a drink|one|awake|gently)|(?:and|for) (?:a )?(?:hug|hugged|kiss|kissed|dance"
     r"|danced)|by the hand)\b)"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}threat\w* (?:me|us)\b|{_AGENT} {_GAP}threat\w* to"
     r" (?:kill|hurt|hit|beat|harm|take (?:the|my|our) (?:kids|children|son|daughter|baby)"
     r"|throw me out|kick me out|leave me with nothing|ruin me)"),
    (Concern.ABUSE, rf"{_AGENT} (?:said|says|told me) (?:he|she|they) (?:would|will|is going to"
     r"|was going to|are going to) (?:kill|hurt|hit|beat|strangle|choke) me"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}threw (?:\w+ ){{0,3}}at (?:me|us)|{_AGENT} {_GAP}threw me"
     r" (?:against|into|down|onto|across|to the (?:floor|ground))|(?:held|holds|pinned|pins)"
     r" me (?:down|against|to the)"),
    (Concern.ABUSE, r"(?:his|her|their) hands? (?:around|round|on) my (?:neck|throat)"
     rf"|{_AGENT} left (?:a |some )?(?:bruise|bruises|marks) on me|bruises from (?:where )?"
     r"(?:he|she|they)|(?:cover|covering|hide|hiding) (?:up )?(?:the|my) bruises"),
    (Concern.ABUSE, rf"{_FEAR} of (?:him|you|my {_PERSON}|her(?= (?:when|because|and|but|so"
     r"|sometimes|lately|now|anymore|at|right|too|again|already|if|since|after|honestly|really"
     r"|these|all|most|every|i|he|she|it|to|for|or)\b|$))(?! (?:leaving|going|moving"
     r"|finding out|getting (?:sick|hurt|bored|lost)|being (?:sad|upset|disappointed|hurt|lonely)"
     r"|losing interest|changing (?:his|her|their) mind|worrying|missing|forgetting)\b)"),
    (Concern.ABUSE, rf"i (?:fear|am in fear of) (?:him|her|my {_PERSON})|fear for my"
     r" (?:life|safety)"),
    (Concern.ABUSE, rf"{_FEAR} of what {_AGENT} (?:will|would|might|could|is going to|may) do"
     rf"|(?:{_FEAR}|worried) (?:that )?{_AGENT} (?:will|would|might|could|is going to|may)"
     r" (?:hurt|hit|kill|beat|attack|strangle|choke|get violent|lose (?:his|her|their) temper"
     r"|snap|explode|take the kids)"),
    (Concern.ABUSE, rf"{_FEAR} (?:to go|of going|to be|to come) home(?! alone)"
     r"|(?:do not|does not|never|not|no longer) feel safe (?:at home|in my (?:own )?home"
     rf"|in (?:this|our|the) house|with (?:him|you|them|my {_PERSON}|her(?! \w+ing))|around"
     rf" (?:him|her|you|them|my {_PERSON}))|(?:not|never) safe at home|unsafe (?:at home"
     rf"|with (?:him|her|my {_PERSON})|around (?:him|her|my {_PERSON}))"),
    (Concern.ABUSE, rf"walk(?:ing)? on eggshells (?:around|with) (?:him|her|you|them"
     rf"|my {_PERSON})"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}(?:will not|would not|does not|did not|never|no longer)"
     rf" let(?:s)? me (?:see|talk to|call|text|visit|meet|spend time with) (?:my |any )?{_KIN}"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}(?:will not|would not|does not|did not|never|no longer)"
     r" let(?:s)? me (?:leave|go out|go anywhere|out of (?:his|her|their) sight|work|get a job"
     r"|drive|have (?:my own )?(?:money|a job|a phone|my phone|friends|a bank account|the car"
     r"|car keys|keys)|use (?:my|the) (?:phone|car))(?! without\b)"),
    (Concern.ABUSE, r"i am not allowed to (?:see|talk to|call|text|visit|meet|spend time with)"
     rf" (?:my |any )?{_KIN}|i am not allowed to (?:leave|go out|go anywhere|work|get a job"
     r"|drive|have (?:my own )?(?:money|a phone|friends|a bank account))"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}(?:controls|controlled|takes|took|keeps|kept|has taken"
     r"|checks|checked|goes through|went through|reads|read|monitors|tracks|tracked) (?:all )?"
     r"(?:of )?(?:my|our|the) (?:money|paycheck|paycheque|pay|wages|salary|bank (?:card|account)"
     r"|cards|credit cards|finances|phone|texts|messages|emails|location|passport)"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}(?:controls|decides) (?:everything i do|who i see|where i go"
     r"|what i wear|what i eat|when i can)|(?:isolates|isolated|cuts|cut|keeps|kept) me"
     rf" (?:off )?(?:from|away from) (?:my |all my )?{_KIN}|{_AGENT} {_GAP}(?:is|gets|has been"
     r"|can be) (?:so |very |really |extremely |super |quite |incredibly )?controlling"
     r"(?! about\b)"),
    (Concern.ABUSE, rf"{_AGENT} {_GAP}(?:locks|locked) me (?:in|out)\b"),
    (Concern.ABUSE, r"(?:forced|forces|force|forcing|made|makes|pressured|pressures|pressuring)"
     r" me (?:to|into) (?:have sex|having sex|sex|sleep with|sexual)|forced (?:himself|herself"
     r"|themselves) on me|\brap(?:e|ed|es|ing)\b|sexual(?:ly)? (?:assault\w*|abuse\w*)"),
    (Concern.ABUSE, r"(?:is|was|being|been|so|very|really|emotionally|physically|verbally"
     r"|financially|an) abusive|abusive (?:relationship|partner|husband|wife|boyfriend|girlfriend"
     r"|marriage|ex)|domestic (?:violence|abuse)|(?:being|been|was|am|got|get|gets) (?:abused"
     r"|beaten|hit|slapped|punched|kicked|choked|strangled|raped|assaulted|attacked|threatened"
     rf"|pushed|shoved) by (?:him|her|them|my {_PERSON})"),
    # --- professional help: hopelessness, escalating conflict, asking for therapy -------------
    (Concern.PROFESSIONAL_HELP, rf"{_WE} (?:just |still |always |constantly )?(?:keep|kept|are"
     r" always|are constantly|can not stop|never stop|keep on|are still) (?:fighting|arguing"
     r"|bickering|yelling at each other|screaming at each other)"),
    (Concern.PROFESSIONAL_HELP, rf"{_WE} (?:fight|argue|fought|argued) (?:every (?:single )?"
     r"(?:day|night|time|weekend)|all the time|constantly|nonstop|non stop|about everything"
     r"|more and more|more than ever|way too much)"),
    (Concern.PROFESSIONAL_HELP, r"(?:fights|fighting|arguments|arguing|rows|conflicts?)"
     r" (?:\w+ ){0,2}(?:escalat\w*|(?:getting|get|got) (?:worse|bigger|nastier|louder"
     r"|more heated|out of hand|ugly|uglier))|(?:always|keeps?|keep on) escalating"
     r"|(?:every|each) (?:conversation|talk|discussion|disagreement|time we talk|little thing)"
     r" (?:\w+ ){0,2}(?:turns|ends|becomes|escalates|blows up)(?: up)? (?:into |in )?(?:a |an )?"
     r"(?:fight|argument|screaming match|shouting match)|(?:screaming|shouting) match"),
    (Concern.PROFESSIONAL_HELP, r"(?:it|this|things|everything|we|us|our relationship"
     r"|our marriage|the relationship|the marriage|i|it all) (?:is|are|am|feel|feels|seem|seems"
     r"|felt|feeling|looks|is feeling) (?:so |completely |totally |pretty |kind of |just |really"
     r" |a bit |a little |getting |more )*hopeless(?! (?:at|with|romantic|when it comes to)\b)"
     r"|hopeless about (?:us|this|the relationship|our relationship|our marriage|the marriage"
     r"|the future|things|our future)|no hope for (?:us|this relationship|our marriage"
     r"|the two of us)"),
    (Concern.PROFESSIONAL_HELP, r"no point (?:in )?(?:even )?trying(?! to\b)|no point (?:in )?"
     r"(?:working on (?:it|this|us)|talking about (?:it|us))|what is the point (?:of|in)"
     r" (?:us|this relationship|trying|even trying|talking)(?! to\b)"),
    (Concern.PROFESSIONAL_HELP, r"(?:we|i|he|she|you|they|both of us) (?:have |has |had |just"
     r" |kind of |basically |both |already |kinda |pretty much )*(?:stopped|quit|given up"
     r"|gave up) (?:trying|making an effort|making (?:an|any) effort|putting in (?:the )?effort"
     r"|caring)(?! to (?:fix|repair|find|get|open|learn|teach|lose|figure|install|set|make"
     r" (?:the|a)|understand (?:the|it|how|why)|remember|cook|bake|train|sleep|read|finish|beat"
     r"|win)\b)|(?:give|gave|given|giving) up on (?:us|this relationship|the relationship"
     r"|our relationship|our marriage|this marriage|each other)"),
    (Concern.PROFESSIONAL_HELP, r"nothing (?:ever |really )?(?:changes|will (?:ever )?change"
     r"|is going to change|is changing|gets better|ever gets better|will get better)(?! (?:at|in"
     r"|on|around) (?:the|this|that|my) (?!relationship\b|marriage\b))|(?:things|it|he|she|you"
     r"|they|we) (?:will |are )?never (?:going to )?(?:change|changes|get better|gets better"
     r"|improve|improves)(?! (?:his|her|their|the|a|my|your|its)\b)"),
    (Concern.PROFESSIONAL_HELP, r"(?:thinking|thought|think|talking|talked|talk|considering"
     r"|considered|wondering|wondered) (?:about|of) (?:getting )?(?:a )?(?:divorce|divorced"
     r"|divorcing|breaking up|splitting up|separating|separation|leaving (?:him|her|you"
     r"|each other|this relationship|the relationship)|ending (?:things|us|this relationship"
     r"|our relationship|the relationship|our marriage))"),
    (Concern.PROFESSIONAL_HELP, r"(?:we|i) (?:should|need to|want to|might|could|are going to"
     r"|have to) (?:get (?:a )?divorce|get divorced|break up|split up|separate|call it quits"
     r"|end (?:this|things|our relationship|us|our marriage))(?! (?:the|a|an|this|that|our)"
     r" (?!relationship\b|marriage\b)\w+)|i want (?:a divorce|to (?:break up|split up|separate"
     r"|leave (?:him|her|you|this relationship|this marriage)))"),
    (Concern.PROFESSIONAL_HELP, r"(?:our|this|the) (?:relationship|marriage) is (?:falling apart"
     r"|failing|in trouble|over|broken|dying|on the rocks)|we are falling apart"),
    (Concern.PROFESSIONAL_HELP, rf"(?:need|should (?:we )?(?:see|try|get|go to|find|look for|book"
     r"|do|start)|want to (?:see|try|go to|start)|thinking (?:about|of) (?:seeing|trying|going to"
     r"|getting|starting)|looking (?:for|into)|could use|might need|try|trying|consider"
     rf"|considering) {_THERAPY}(?<!\bhelp)|(?:need|should (?:we )?get|could use|might need)"
     r" (?:some )?(?:professional|outside) help|help as a couple"),
    (Concern.PROFESSIONAL_HELP, r"(?:couples|marriage|relationship) (?:therapy|therapist"
     r"|counsel\w*|coach\w*)|emotionally focused therapy|should we (?:see|talk to) (?:someone"
     r"|somebody|a professional)|(?:see|talk to) (?:someone|somebody|a professional) together"),
    (Concern.PROFESSIONAL_HELP, r"(?:we are|we feel like|feel like|feels like|we live like"
     r"|we have become|we are just|living like) (?:just )?(?:roommates|flatmates|strangers)"),
    (Concern.PROFESSIONAL_HELP, r"we (?:do not|never|barely|hardly) (?:even )?(?:talk|touch"
     r"|connect|kiss|have sex|spend time together|laugh together) (?:anymore|any more)"),
    (Concern.PROFESSIONAL_HELP, r"i (?:do not|no longer) (?:love|want) (?:you|him|her|this|us)"
     r" (?:anymore|any more)|not sure (?:if )?i (?:still )?love (?:you|him|her)"
     r"|(?:falling|fallen|fell) out of love"),
    (Concern.PROFESSIONAL_HELP, r"(?:i|we) (?:do not|does not|can not) (?:know|think|see)"
     r" (?:if |whether |how )?we can (?:fix|save|make|work out|get past) (?:this|us|it|things)"
     r"|we can not (?:fix|save) (?:this|us|our)|we can not (?:go on|keep going|keep doing this"
     r"|keep living)"),
    (Concern.PROFESSIONAL_HELP, r"i (?:feel|felt|am feeling) (?:so |really |completely |very )?"
     r"(?:alone|lonely) in (?:this|our|the) (?:relationship|marriage)|i am (?:not happy|unhappy)"
     r" in (?:this|our|the) (?:relationship|marriage)"),
)

# A professional-help phrase is set aside when one of these comes just before it ("we don't
# need therapy", "I don't think it's hopeless"); a clause word ends the look-back.
_NEGATORS = frozenset({"not", "never", "no", "without", "nor", "hardly"})
_CLAUSE_BREAKS = frozenset(
    {"but", "and", "so", "because", "if", "whether", "maybe", "though", "although", "yet", "or"}
    | {"sure", "when", "then", "since", "until", "unless", "wonder", "wondering", "perhaps"}
)
_NEGATION_WINDOW = 4


@cache
def _compiled() -> dict[Concern, re.Pattern[str]]:
    by_concern: dict[Concern, list[str]] = {c: [] for c in Concern}
    for concern, pattern in _RULES:
        by_concern[concern].append(rf"\b(?:{pattern})\b")
    return {c: re.compile("|".join(ps)) for c, ps in by_concern.items()}


def _negated(words_before: list[str]) -> bool:
    for word in reversed(words_before[-_NEGATION_WINDOW:]):
        if word in _CLAUSE_BREAKS:
            return False
        if word in _NEGATORS:
            return True
    return False


def _find(norm: str) -> tuple[Concern, str] | None:
    patterns = _compiled()
    for concern in (Concern.CRISIS, Concern.ABUSE):
        if match := patterns[concern].search(norm):
            return concern, match.group(0)
    for match in patterns[Concern.PROFESSIONAL_HELP].finditer(norm):
        if not _negated(norm[: match.start()].split()):
            return Concern.PROFESSIONAL_HELP, match.group(0)
    return None


def detect(text: str) -> Concern | None:
    """The most serious concern in `text` (crisis, then abuse, then professional help)."""
    if not text or not text.strip():
        return None
    found = _find(normalise(text))
    return found[0] if found else None


# ---------------------------------------------------------------------------------------------
# Messages: reviewed JSON per locale, loaded on first use and kept for the container's life.
# ---------------------------------------------------------------------------------------------

_CONTENT_DIR = Path(__file__).resolve().parent / "content"
_FIELDS = ("text", "ssml", "card_title", "card_text")

# For any locale without reviewed local numbers: never guess a number.
_FALLBACK: dict[Concern, SafetyMessage] = {
    Concern.CRISIS: SafetyMessage(
        text=(
            "I'm really glad you said that, and I want you to have support right now. I can't"
            " call emergency services for you, so if you're in danger, please call your local"
            " emergency number yourself. The website find a helpline dot com lists free,"
            " confidential helplines in your country. You don't have to go through this alone."
        ),
        ssml=(
            "I'm really glad you said that, and I want you to have support right now. I can't"
            " call emergency services for you, so if you're in danger, please call your local"
            " emergency number yourself. The website find a helpline dot com lists free,"
            " confidential helplines in your country. You don't have to go through this alone."
        ),
        card_title="Support is available",
        card_text=(
            "If you are in danger, call your local emergency number. Alexa can't call emergency"
            " services for you.\nFree, confidential helplines in your country: findahelpline.com"
        ),
    ),
    Concern.ABUSE: SafetyMessage(
        text=(
            "Thank you for telling me. You deserve to be safe. If you're in danger right now,"
            " please call your local emergency number; I can't call emergency services for you."
            " The website find a helpline dot com lists free, confidential domestic abuse"
            " services in your country, for you on your own."
        ),
        ssml=(
            "Thank you for telling me. You deserve to be safe. If you're in danger right now,"
            " please call your local emergency number; I can't call emergency services for you."
            " The website find a helpline dot com lists free, confidential domestic abuse"
            " services in your country, for you on your own."
        ),
        card_title="You deserve to be safe",
        card_text=(
            "If you are in danger, call your local emergency number. Alexa can't call emergency"
            " services for you.\nFree, confidential domestic abuse support: findahelpline.com"
        ),
    ),
    Concern.PROFESSIONAL_HELP: SafetyMessage(
        text=(
            "That sounds really hard, and you don't have to sort it out alone. This skill is not"
            " therapy. Emotionally Focused Therapy helps couples who feel stuck or far apart;"
            " individual therapy can help with what each of you carries; and relationship"
            " coaching teaches structured ways to talk. If either of you ever feels unsafe,"
            " start with support just for you."
        ),
        ssml=(
            "That sounds really hard, and you don't have to sort it out alone. This skill is not"
            " therapy. Emotionally Focused Therapy helps couples who feel stuck or far apart;"
            " individual therapy can help with what each of you carries; and relationship"
            " coaching teaches structured ways to talk. If either of you ever feels unsafe,"
            " start with support just for you."
        ),
        card_title="Support for the two of you",
        card_text=(
            "This skill is not therapy. Emotionally Focused Therapy (EFT) is made for couples;"
            " individual therapy helps each partner; relationship coaching builds communication"
            " skills. If anyone feels unsafe at home, start with individual or domestic abuse"
            " support, not couples therapy."
        ),
    ),
}


def _canonical_locale(locale: str | None) -> str | None:
    if not locale:
        return None
    lang, _, region = locale.strip().replace("_", "-").partition("-")
    candidate = f"{lang.lower()}-{region.upper()}"
    return candidate if candidate in SUPPORTED_LOCALES else None


@cache
def _load_locale(locale: str) -> dict[Concern, SafetyMessage]:
    import json  # only needed the first time a safety message is spoken

    data = json.loads((_CONTENT_DIR / locale / "safety.json").read_text(encoding="utf-8"))
    messages = data["messages"]
    loaded: dict[Concern, SafetyMessage] = {}
    for concern in Concern:
        entry = messages[concern.value]
        missing = [f for f in _FIELDS if not isinstance(entry.get(f), str) or not entry[f]]
        if missing:
            raise ValueError(f"{locale}/safety.json: {concern.value} lacks {missing}")
        loaded[concern] = SafetyMessage(**{f: entry[f] for f in _FIELDS})
    return loaded


def safety_message(concern: Concern, locale: str | None) -> SafetyMessage:
    """The fixed message for `concern` in `locale`; unknown locales get findahelpline.com."""
    canonical = _canonical_locale(locale)
    if canonical is None:
        return _FALLBACK[concern]
    return _load_locale(canonical)[concern]
