"""Spot crisis, abuse and professional-help signals in what a partner says.

`detect` runs on every piece of free text before anything is stored or echoed. It is plain
Python on purpose: no SDK imports, no I/O, and its patterns compile on first use, so importing
this module costs next to nothing on a cold start.

The rules are tuned for recall on crisis and abuse: a needless safety message is a small cost,
a missed one is not. Negation only ever suppresses a professional-help match.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from closer_together.safety import Concern, SafetyMessage

__all__ = [
    "SUPPORTED_LOCALES",
    "Concern",
    "SafetyMessage",
    "detect",
    "help_line",
    "normalise",
    "safety_message",
]


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
    spelt = " ".join(_BARE_CONTRACTIONS.get(w, w) for w in words)
    for pattern, replacement in _asr_contractions():
        spelt = pattern.sub(replacement, spelt)
    return spelt


# Apostrophe-less contractions that are also words ("hell", "shed", "ill", "id"): spelt out
# only where a verb follows, so "the garden shed" and "i was ill" stay what they are.
_VERB_AFTER = (
    r"(?=(?:kill|hurt|hit|take|do|never|report|be|find|burn|break|come|regret|see|make|end"
    r"|just|have|go|get|rather|leave|not|show|throw|beat|tell|call|ruin|really|probably|hear)\b)"
)


@cache
def _asr_contractions() -> tuple[tuple[re.Pattern[str], str], ...]:
    pairs = {
        "hell": "he will",
        "shell": "she will",
        "hed": "he would",
        "shed": "she would",
        "ill": "i will",
        "id": "i would",
        "youll": "you will",
        "theyll": "they will",
        "itll": "it will",
        "wed": "we would",
        "theyd": "they would",
        "youd": "you would",
    }
    return tuple(
        (re.compile(rf"\b{word} {_VERB_AFTER}"), f"{spelt} ") for word, spelt in pairs.items()
    )


# ---------------------------------------------------------------------------------------------
# Rules: regular expressions over normalised text. `_any` joins alternatives; each rule is
# wrapped in word boundaries. Lookaheads `(?! ...)` carve out everyday idioms: keep them narrow.
# ---------------------------------------------------------------------------------------------


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


def _words(words: str) -> str:
    return _any(*words.split(","))


# People who can hurt the speaker at home: partner, ex, parents. "you" is the partner addressed.
_PERSON = _words(
    "partner,husband,wife,boyfriend,girlfriend,fiance,fiancee,spouse,other half,hubby,ex,"
    "ex husband,ex wife,ex boyfriend,ex girlfriend,ex partner,dad,father,mom,mum,mother,"
    "stepdad,stepfather,stepmom,stepmum,stepmother"
)
_AGENT = _any("he", "she", "they", "you", f"my {_PERSON}")
# Words allowed between the agent and the act ("he got drunk and hit me", "he will never hit
# me again"); deliberately not free text, so "thank you, it really hit me" stays ordinary.
_GAP = (
    "(?:"
    + _words(
        "also,always,sometimes,often,even,just,actually,really,then,has,have,had,did,does,would,"
        "will,was,is,keeps,kept,still,never,not,again,once,finally,literally,basically,apparently,"
        "got drunk and,gets drunk and,gets angry and,got angry and,gets mad and,got mad and,"
        "lost it and,loses it and,snapped and,started to,tried to,is going to,was going to,"
        "going to,says he will,says she will,said he would,said she would,been,"
        r"\w+ me and"  # "she scratched me and hit me"
    )
    + " ){0,3}"
)
_VICTIM = _any("me", "us", "the kids", "the children", "my (?:son|daughter|kids|children|baby)")
_FEAR = _words("afraid,scared,terrified,frightened,fearful")
_KIN = _words(
    r"friends,family,mom,mum,mother,dad,father,parents,sister,sisters,brother,brothers,kids,"
    r"children,anyone,people,best friend,\w+ friends"
)
_I_ADV = r"(?:just |really |honestly |seriously |simply |truly |actually )?"
# Stated intent overrides the accident carve-outs ("thinking about hurting myself at work").
_INTENT = _words(
    "want,wanted,wants,wanting,going,plan,planning,planned,thinking about,thought about,"
    "think about,thinking of,considering,considered,tempted,urge,urges,feel like,felt like"
)
_WE = _any(
    r"we",
    "the two of us",
    "both of us",
    r"me and (?:him|her|you|my \w+)",
    r"(?:he|she|you|my \w+) and i",
)
_THERAPY = (
    r"(?:some |a |an )?(?:couples |marriage |relationship |professional )?"
    r"(?:therapy|therapist|counsel\w*)"
)
_ANYMORE = "(?:anymore|any more)"

_CRISIS_RULES: tuple[str, ...] = (
    r"suicid\w*(?! (?:squad|doors|drills|sprints|runs|wings)\b)",
    rf"{_INTENT} (?:to )?(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|burn|burning"
    r"|punish|punishing|starve|starving) myself",
    # "killing myself" alone is often hyperbole about effort or laughter.
    r"kill(?:ed|ing|s)? myself(?! "
    + _any(
        "laughing",
        "trying",
        "to (?:finish|get|make|meet|keep)",
        "at (?:work|the gym)",
        "over (?:this|that|the|work)",
        "working",
        "for (?:this|that|the|work)",
    )
    + ")",
    # Accidents: "I hurt myself at the gym", "I cut myself chopping onions".
    r"(?:hurt|hurting|harm|harming|injure|injuring) myself(?! "
    + _words(
        "at,in,on,during,while,playing,lifting,running,when,doing,falling,skiing,tripping,"
        "climbing,moving,by accident,accidentally,cooking,chopping"
    )
    + r"\b)",
    r"cut(?:ting)? myself(?! "
    + _words(
        "shaving,chopping,cooking,on,with,while,in the,slicing,opening,by accident,accidentally"
    )
    + r"\b)",
    r"(?:cut|cutting|hurt|hurting|harm|harming|burn|burned|burnt|burning) myself"
    r" (?:on purpose|deliberately)",
    r"(?:been|started) (?:cutting|burning|hurting|harming|starving|punishing|hitting) myself",
    r"self (?:harm\w*|injur\w*)",
    r"cutting (?:myself )?again",
    r"cutting my (?:arms?|wrists?|legs?|thighs?|skin)",
    # "been cutting" is self-harm unless something else is being cut.
    r"(?:been|started|start|back to|urge to|urges to|relapsed|went back to) cutting(?! "
    + _words(
        "back,down,out,up,off,in,corners,costs,class,classes,school,work,the,a,an,some,it,them,"
        "ties,sugar,carbs,hair,grass,meat,fruit,vegetables,onions,wood,paper,coupons,his,her,"
        "their,our,your,my (?!arms?|wrists?|legs?|thighs?|skin)\\w+"
    )
    + r"\b)",
    r"overdos\w*(?! on "
    + _words(
        "chocolate,sugar,coffee,caffeine,candy,sweets,cake,netflix,tv,television,pizza,cookies,"
        "carbs,christmas,cheese,puns,cuteness,sun,sunshine,memes,episodes"
    )
    + r"\b)",
    r"(?:took|take|taking|swallow|swallowed|swallowing) (?:all|a bunch|a handful|too many"
    r"|the whole bottle|a whole bottle|every one)(?: of)?(?: my| the)? (?:\w+ )?"
    r"(?:pills|tablets|meds|medication)",
    r"(?<!who )(?:want|wanted|wants|wanting) to die(?! (?:of|from) (?:embarrassment|laughter"
    r"|laughing|boredom|cuteness)\b| (?:my|her|his|our|the) hair\b)",
    r"wish (?:i|that i) (?:was|were|had|would be|could be) (?:dead|never born|not born"
    r"|not alive|gone for good)",
    r"(?:better|rather be) dead",
    r"rather die(?! than (?:go|eat|wear|watch|do|sit|listen|miss|sing|dance)\b)",
    r"end(?:ing)? (?:it all|my life|my own life)",
    r"(?:take|taking|took) my (?:own )?life",
    rf"(?:i {_I_ADV}(?:want|wanted|need|am going|plan|am planning|planned|have to|am ready"
    r"|feel like)|thinking about|thought about|think about) (?:to )?end(?:ing)? it"
    r"(?! (?:with|on|early|there|now|at)\b)",
    r"(?:no reason|nothing|no one|nobody) (?:left )?to live for",
    r"no reason to live|no will to live|not worth living|reason to go on",
    r"(?:no|what is the|see the|see any|any) point (?:in |of )?(?:living|going on|being alive"
    r"|being here|life)(?! (?:in|near|here|there|close|downtown|so|with)\b)",
    r"life is (?:not worth|pointless|meaningless)",
    # "I don't want to be here anymore", but not "I don't want to live in this city".
    rf"i {_I_ADV}(?:do not|did not|no longer|never) {_I_ADV}(?:even )?want to "
    + _any(
        r"live(?! (?:in|with|near|there|here|so far|far|close|on|at|abroad|together|next)\b)",
        "be alive",
        "exist",
        r"go on(?! (?:the|a|an|that|this|holiday|vacation|trips?|rides?|dates?|walks?|tour)\b)",
        r"keep going(?! to\b)",
        "keep living",
        f"be around {_ANYMORE}",
        r"be here(?! (?:at first|for (?:the|this|that|a)|on (?:a|the|this)|in (?:the|this)"
        r"|tonight|today|this)\b)",
        r"wake up(?! (?:this|that|on|at|early|so early|for|before|in time|in the)\b)",
    ),
    r"(?:sleep|go to sleep|fall asleep) and (?:never|not) wake up",
    r"wish i (?:could |would )?(?:just )?(?:not|did not|never) exist(?:ed)?"
    r"|wish i (?:could )?(?:just )?stop existing",
    r"(?:wish|hope) i (?:(?:would|could|do|will|did) )?(?:just )?(?:not|never) wake up(?! "
    + _words("late,early,with,before,at,in,tired,sore,too,again,during,when,the,to,until,hungover")
    + r"\b)",
    rf"i {_I_ADV}(?:can not|could not|am not able to) "
    + _any(
        r"go on(?! (?:the|a|an|that|this|holiday|vacation|trips?|rides?|dates?|walks?|tour)\b)",
        "keep going",
        "keep living",
        f"take (?:it|this) {_ANYMORE}",
        f"do this {_ANYMORE}",
        f"cope {_ANYMORE}",
        f"handle (?:it|this|life) {_ANYMORE}",
    ),
    r"(?:be|are|is) better off (?:without me|if i (?:was|were|am|had) (?:dead|gone|not here"
    r"|not around|never born|never been born))",
    r"a burden to (?:everyone|everybody|my family|you all|all of you)",
    r"(?:nobody|no one) (?:would|will|is going to) (?:even )?(?:miss me|care if i (?:died|was gone"
    r"|were gone|was dead|disappeared))",
    r"(?:easier|better) (?:for (?:everyone|everybody|you all|you) )?if i (?:was|were) (?:gone"
    r"|dead|not here|not around)",
    r"(?:hang|shoot|drown|poison) myself|slit my wrists?",
    r"jump(?:ing)? in front of (?:a|the) (?:train|bus|car|truck|lorry)",
    r"jump(?:ing)? off (?:a|the|this|that) (?:bridge|building|roof|balcony|ledge|overpass)",
    r"crash(?:ing)? my car on purpose",
    r"(?:give|gave|given|giving) up on life|(?:tired|sick) of (?:living|being alive|life)",
    r"(?:disappear|vanish) (?:forever|for good|and never come back)",
    r"thoughts (?:of|about) (?:dying|death|suicide|ending it|killing myself|hurting myself"
    r"|not being here)",
    r"i (?:keep |have been |can not stop |keep on |often |always |sometimes )?(?:think|thinking"
    r"|thought) about (?:dying|death|ending it|not being here|being dead|suicide)",
    r"(?:done|finished) with (?:life|living|it all|being alive)",
    r"want (?:it all|everything|my life|this life) to (?:end|stop|be over)",
    rf"(?:will not|not going to) be (?:around|here) (?:much longer|for much longer|{_ANYMORE})",
)

_ABUSE_RULES: tuple[str, ...] = (
    rf"{_AGENT} {_GAP}"
    + _words(
        "hit,hits,hitting,slap,slaps,slapped,slapping,punch,punches,punched,punching,kick,kicks,"
        "kicked,kicking,smack,smacks,smacked,bit,bite,bites,spat on,spit on,spits on,burned,burnt,"
        "burns,strangle,strangles,strangled,strangling,choke,chokes,choked,choking,hurt,hurts,"
        "hurting,attack,attacks,attacked,abuse,abuses,abused,rape,rapes,raped,assaulted,molested,"
        "stalks,stalking,stalked,scratch,scratches,scratched"
    )
    + f" {_VICTIM}(?! "
    + _any(
        r"up\b",
        r"with (?:a |an |the |some )?(?:\w+ )?(?:idea|joke|question|news|compliment|surprise"
        r"|story|pun|pillow)s?\b",
        r"in (?:his|her|their|my) sleep",
        # Hurt by words or forgetting is not violence: "you hurt me when you forgot".
        r"(?:\w+ ){0,2}when (?:he|she|you|they) "
        + _words(
            "said,says,say,forgot,forget,forgets,ignored,ignores,ignore,did not,does not,do not,"
            "was late,were late,is late,laughed,laughs,joked,teased,cancelled,canceled,left,"
            "criticized,criticised,compared"
        )
        + r"\b",
        r"by (?:saying|forgetting|ignoring|not|laughing|joking|cancelling|canceling)\b",
    )
    + ")",
    # "beats me at chess" and "beat me home" are not violence.
    rf"{_AGENT} {_GAP}(?:beat|beats|beating) (?:me|us)"
    r"(?! (?:at|in (?!front)|to|by|on|home|back)\b)",
    r"(?:beat|beats|beating) (?:me|us) up",
    # "she pushed me to apply" and "he grabbed me a coffee" are kindness.
    rf"{_AGENT} {_GAP}"
    + _words(
        "push,pushes,pushed,pushing,shove,shoves,shoved,shoving,grab,grabs,grabbed,grabbing,"
        "shook,shakes,shaking"
    )
    + " (?:me|us)(?! "
    + _any(
        r"to (?!the (?:ground|floor|wall))\w+",
        "out of my comfort zone",
        "forward",
        "harder",
        "along",
        "in the right direction",
        r"on the swings?",
        r"into (?:\w+ing|a new|the right|trying)",
        r"(?:a |an |some )?(?:coffee|drink|snack|beer|tea|sandwich|lunch|dinner|breakfast|seat"
        r"|chair|towel|blanket|jacket|bite|one)",
        "awake",
        "gently",
        r"(?:and|for) (?:we |a )?(?:hug|hugged|kiss|kissed|dance|danced)",
        "by the hand",
    )
    + r"\b)",
    rf"{_AGENT} {_GAP}threat\w* (?:me|us)\b",
    rf"{_AGENT} {_GAP}threat\w* to (?:kill|hurt|hit|beat|harm"
    r"|take (?:the|my|our) (?:kids|children|son|daughter|baby)|throw me out|kick me out"
    r"|leave me with nothing|ruin me)",
    rf"{_AGENT} (?:said|says|told me) (?:he|she|they) (?:would|will|is going to|was going to"
    r"|are going to) (?:kill|hurt|hit|beat|strangle|choke) me",
    rf"{_AGENT} {_GAP}threw (?:\w+ ){{0,3}}at (?:me|us)",
    rf"{_AGENT} {_GAP}threw me (?:against|into|down|onto|across|to the (?:floor|ground))",
    r"(?:held|holds|pinned|pins) me down|(?:pinned|pins) me (?:against|to)"
    r"|(?:held|holds) me against (?:the|a) (?:wall|floor|door|bed|car|ground)",
    r"(?:his|her|their) hands? (?:around|round|on) my (?:neck|throat)",
    rf"{_AGENT} {_GAP}(?:dragged|drags|dragging|pulled|pulls|yanked|yanks) me by (?:my|the)"
    r" (?:hair|arm|arms|neck|throat)",
    rf"{_AGENT} {_GAP}(?:pulled|pulls|yanked|yanks) my hair",
    rf"{_AGENT} left (?:a |some )?(?:bruise|bruises|marks) on me",
    r"bruises from (?:where )?(?:he|she|they)",
    r"(?:cover|covering|hide|hiding) (?:up )?(?:the|my) bruises",
    # Fear of the partner, not of spiders or of missing the train.
    rf"{_FEAR} of "
    + _any(
        "him",
        "you",
        f"my {_PERSON}",
        r"her(?= (?:when|because|and|but|so|sometimes|lately|now|anymore|at|right|too|again"
        r"|already|if|since|after|honestly|really|these|all|most|every|i|he|she|it|to|for|or)\b"
        r"|$)",
    )
    + "(?! "
    + _words(
        "leaving,going,moving,finding out,getting sick,getting hurt,getting bored,getting lost,"
        "being sad,being upset,being disappointed,being hurt,being lonely,losing interest,"
        "changing his mind,changing her mind,changing their mind,worrying,missing,forgetting"
    )
    + r"\b)",
    rf"i (?:fear|am in fear of) (?:him|her|my {_PERSON})|fear for my (?:life|safety)",
    rf"{_FEAR} of what {_AGENT} (?:will|would|might|could|is going to|may) do",
    rf"(?:{_FEAR}|worried) (?:that )?{_AGENT} (?:will|would|might|could|is going to|may) "
    + _words(
        "hurt,hit,kill,beat,attack,strangle,choke,get violent,lose his temper,lose her temper,"
        "lose their temper,snap,explode,take the kids"
    ),
    rf"{_FEAR} (?:to go|of going|to be|to come) home(?! alone)",
    r"(?:do not|does not|never|not|no longer) feel safe "
    + _any(
        "at home",
        "in my (?:own )?home",
        "in (?:this|our|the) house",
        rf"with (?:him|you|them|my {_PERSON}|her(?! \w+ing))",
        rf"around (?:him|her|you|them|my {_PERSON})",
    ),
    r"(?:not|never) safe at home",
    rf"unsafe (?:at home|(?:with|around) (?:him|her|my {_PERSON}))",
    rf"walk(?:ing)? on eggshells (?:around|with) (?:him|her|you|them|my {_PERSON})",
    # Coercive control: isolation, money, phone, movement.
    rf"{_AGENT} {_GAP}(?:will not|would not|does not|did not|never|no longer) lets? me"
    rf" (?:see|talk to|call|text|visit|meet|spend time with) (?:my |any )?{_KIN}",
    rf"{_AGENT} {_GAP}(?:will not|would not|does not|did not|never|no longer) lets? me "
    + _any(
        "leave",
        "go out",
        "go anywhere",
        "out of (?:his|her|their) sight",
        "work",
        "get a job",
        "drive",
        "have (?:my own )?(?:money|a job|a phone|my phone|friends|a bank account"
        "|the car|car keys|keys)",
        "use (?:my|the) (?:phone|car)",
    )
    + r"(?! without\b)",
    r"i am not allowed to (?:see|talk to|call|text|visit|meet|spend time with)"
    rf" (?:my |any )?{_KIN}",
    r"i am not allowed to (?:leave|go out|go anywhere|work|get a job|drive"
    r"|have (?:my own )?(?:money|a phone|friends|a bank account))",
    rf"{_AGENT} {_GAP}"
    + _words(
        "controls,controlled,takes,took,keeps,kept,has taken,checks,checked,goes through,"
        "went through,reads,read,monitors,tracks,tracked,smashes,smashed,destroyed"
    )
    + " (?:all )?(?:of )?(?:my|our) "
    + _words(
        "money,paycheck,paycheque,pay,wages,salary,bank card,bank account,cards,credit cards,"
        "finances,phone,texts,messages,emails,location,passport"
    ),
    rf"{_AGENT} {_GAP}(?:controls|controlled|takes|took|keeps|kept) (?:all )?(?:of )?the"
    r" (?:money|finances|bank cards?|cards|car keys|passports?)",
    rf"{_AGENT} {_GAP}(?:controls|decides) (?:everything i do|who i see|where i go|what i wear"
    r"|what i eat|when i can)",
    rf"{_AGENT} {_GAP}(?:isolates|isolated|cuts|cut|keeps|kept) me (?:off )?(?:from|away from)"
    rf" (?:seeing |talking to |calling |visiting )?(?:my |all my |any )?{_KIN}",
    rf"{_AGENT} {_GAP}(?:is|gets|has been|can be) (?:so |very |really |extremely |super |quite"
    r" |incredibly )?controlling(?! about\b)",
    rf"{_AGENT} {_GAP}(?:locks|locked) me (?:in|out)\b",
    # Violence near the speaker is intimidation even when it misses.
    rf"{_AGENT} {_GAP}(?:is|was|been|gets|got|can be|becomes|became) (?:so |very |really"
    r" |physically |extremely )?violent",
    rf"{_AGENT} {_GAP}(?:punch|punches|punched|kick|kicks|kicked) (?:a hole in |holes in )?"
    r"(?:the )?(?:wall|walls|door)",
    rf"{_AGENT} {_GAP}(?:throws|threw|smashes|smashed|breaks|broke) things",
    # Sexual violence.
    r"(?:forced|forces|force|forcing|made|makes|pressured|pressures|pressuring) me (?:to |into )?"
    r"(?:have sex|having sex|sex|sleep with|sexual)",
    r"forced (?:himself|herself|themselves) on me",
    r"(?:forces|forced|makes|made|pressures|pressured) me (?:to )?do (?:things|stuff"
    r"|sexual things) i (?:do not|did not) want",
    r"rap(?:e|ed|es|ing)",
    r"sexual(?:ly)? (?:assault\w*|abuse\w*)",
    r"(?:is|was|being|been|so|very|really|emotionally|physically|verbally|financially|an) abusive",
    r"abusive (?:relationship|partner|husband|wife|boyfriend|girlfriend|marriage|ex)",
    r"domestic (?:violence|abuse)",
    r"(?:being|been|was|am|got|get|gets) "
    + _words(
        "abused,beaten,hit,slapped,punched,kicked,choked,strangled,raped,assaulted,attacked,"
        "threatened,pushed,shoved"
    )
    + rf" by (?:him|her|them|my {_PERSON})",
)

_PROFESSIONAL_HELP_RULES: tuple[str, ...] = (
    # Conflict that keeps coming back or escalating; one argument about dinner is not this.
    rf"{_WE} (?:just |still |always |constantly )?(?:keep|kept|are always|are constantly"
    r"|can not stop|never stop|keep on|are still) (?:fighting|arguing|bickering"
    r"|yelling at each other|screaming at each other)",
    rf"{_WE} (?:fight|argue|fought|argued) "
    + _any(
        r"every (?:single )?(?:day|night|time|weekend)",
        "all the time",
        "constantly",
        "nonstop",
        "non stop",
        "about everything",
        "more and more",
        "more than ever",
        "way too much",
    ),
    r"we (?:keep|kept) having (?:the same )?(?:fight|argument|fights|arguments)",
    r"(?:the )?same (?:fight|argument) over and over",
    r"we (?:are|have been|were|keep) (?:\w+ )?fighting (?:a lot|so much|all the time|constantly"
    r"|nonstop|every day)",
    # The children's squabbles are not the couple's conflict.
    r"(?<!kids )(?<!children )(?<!childrens )(?<!their )(?<!boys )(?<!girls )"
    r"(?:fights?|fighting|arguments?|arguing|rows?|conflicts?) (?:\w+ ){0,2}(?:escalat\w*"
    r"|(?:getting|gets|get|got) (?:worse|bigger|nastier|louder|more heated|out of hand|ugly"
    r"|uglier))",
    r"(?:always|keeps?|keep on) escalating",
    r"(?:every|each) (?:conversation|talk|discussion|disagreement|time we talk|little thing)"
    r" (?:\w+ ){0,2}(?:turns|ends|becomes|escalates|blows up)(?: up)? (?:into |in )?(?:a |an )?"
    r"(?:fight|argument|screaming match|shouting match)",
    r"(?:screaming|shouting) match",
    # Hopelessness about the relationship; "hopeless at cooking" is modesty.
    r"(?:it|this|things|everything|we|us|our relationship|our marriage|the relationship"
    r"|the marriage|i|it all) (?:is|are|am|feel|feels|seem|seems|felt|feeling|looks|is feeling)"
    r" (?:so |completely |totally |pretty |kind of |just |really |a bit |a little |getting"
    r" |more )*hopeless(?! "
    r"(?:at|with (?!us\b|each other\b|this\b)|romantic|when it comes to"
    r"|trying to (?!talk|fix (?:us|this|things)|make (?:it|this|us) work|reach|connect)"
    r"|about (?!us\b|this\b|the relationship|our\b|the future|things\b|everything\b"
    r"|myself\b|life\b))\b)",
    r"hopeless about (?:us|this|the relationship|our relationship|our marriage|the marriage"
    r"|the future|things|our future)",
    r"no hope for (?:us|this relationship|our marriage|the two of us)",
    r"no point (?:in )?(?:even )?trying(?! to\b)",
    r"no point (?:in )?(?:working on (?:it|this|us)|talking about (?:it|us))",
    r"what is the point (?:of|in) (?:us|this relationship|trying|even trying|talking)(?! to\b)",
    # Stopped trying; "stopped trying to fix the printer" is not about the couple.
    r"(?:we|i|he|she|you|they|both of us) (?:have |has |had |just |kind of |basically |both"
    r" |already |kinda |pretty much )*(?:stopped|quit|given up|gave up) (?:trying"
    r"|making an effort|making (?:an|any) effort|putting in (?:the )?effort|caring)(?! "
    + _any(
        r"to (?:fix|repair|find|get|open|learn|teach|lose|figure|install|set|make (?:the|a)"
        r"|understand (?:the|it|how|why)|remember|cook|bake|train|sleep|read|finish|beat|win)",
        r"(?:new|a|the|on|out|that|this|it|different)",
        r"for (?:a )?(?:baby|kids)",
    )
    + r"\b)",
    r"(?:give|gave|given|giving) up on (?:us|this relationship|the relationship"
    r"|our relationship|our marriage|this marriage|each other)",
    r"nothing (?:ever |really )?(?:changes|will (?:ever )?change|is going to change|is changing"
    r"|gets better|ever gets better|will get better)"
    r"(?! (?:at|in|on|around) (?:the|this|that|my) (?!relationship\b|marriage\b))",
    r"(?:things|it|he|she|they|we|you will) (?:will |are )?never (?:going to )?(?:change|changes"
    r"|get better|gets better|improve|improves)(?! (?:his|her|their|the|a|my|your|its)\b)",
    # Separation.
    r"(?:thinking|thought|think|talking|talked|talk|considering|considered|wondering|wondered)"
    r" (?:about|of) (?:getting )?(?:a )?"
    + _any(
        "divorce",
        "divorced",
        "divorcing",
        "breaking up",
        "splitting up",
        "separating",
        "separation",
        "leaving (?:him|her|you|each other|this relationship|the relationship)",
        "ending (?:things|us|this relationship|our relationship|the relationship|our marriage)",
    ),
    r"(?:we|i) (?:should|need to|want to|might|could|are going to|have to) (?:get (?:a )?divorce"
    r"|get divorced|break up|split up|separate|call it quits|end (?:this|things"
    r"|our relationship|us|our marriage))(?! (?:the|a|an|this|that|our)"
    r" (?!relationship\b|marriage\b)\w+)",
    r"i want (?:a divorce|to (?:break up|split up|separate|leave (?:him|her|you"
    r"|this relationship|this marriage)))",
    r"(?:our|this|the) (?:relationship|marriage) is (?:falling apart|failing|in trouble|over"
    r"|broken|dying|on the rocks)",
    r"we are falling apart",
    # Asking for help.
    r"(?:need|should (?:we )?(?:see|try|get|go to|find|look for|book|do|start)"
    r"|want to (?:see|try|go to|start)|thinking (?:about|of) (?:seeing|trying|going to|getting"
    rf"|starting)|looking (?:for|into)|could use|might need|try|trying|consider|considering)"
    rf" {_THERAPY}(?! for (?:my|his|her|the|our) (?!relationship\b|marriage\b))",
    r"(?:need|should (?:we )?get|could use|might need) (?:some )?(?:professional|outside) help",
    r"(?:we|i) should (?:get|find|look for|ask for) (?:some )?help(?! (?:with|moving|for|from"
    r"|carrying|cleaning)\b)",
    r"(?:our relationship|our marriage|the relationship|this relationship) (?:is|are)"
    r" (?:just )?not working",
    rf"we are (?:just )?not working (?:out|{_ANYMORE})",
    rf"this is not working {_ANYMORE}",
    r"(?:do not|does not) think (?:this|we|us|our relationship|our marriage) (?:is|are) working",
    r"help as a couple",
    r"(?:couples|marriage|relationship) (?:therapy|therapist|counsel\w*|coach\w*)",
    r"emotionally focused therapy",
    r"should we (?:see|talk to) (?:someone|somebody|a professional)"
    r"(?! about (?:the|a|my|his|her|that)\b)",
    r"we (?:really |both )?need (?:some )?help(?! (?:with|moving|to|from|carrying|getting|finding"
    r"|cleaning|for|on|at|in|around)\b)",
    r"help with (?:us|our relationship|our marriage|the relationship|this relationship)",
    r"(?:this|our|the) (?:relationship|marriage) (?:can|could) (?:still |ever )?be (?:saved|fixed)",
    r"(?:save|saving) (?:our|this|the) (?:relationship|marriage)",
    r"(?:see|talk to) (?:someone|somebody|a professional) together",
    # Distance that has hardened.
    r"(?:we (?:are |just |basically |kind of |have become |feel like |live like |are living like"
    r" )+|feels? like |living like )(?:just )?(?:roommates|flatmates|strangers)",
    rf"we (?:do not|never|barely|hardly) (?:even )?(?:talk|touch|connect|kiss|have sex"
    rf"|spend time together|laugh together) {_ANYMORE}",
    rf"i (?:do not|no longer) (?:love|want) (?:you|him|her|this|us) {_ANYMORE}",
    r"not sure (?:if )?i (?:still )?love (?:you|him|her)",
    r"(?:falling|fallen|fell) out of love",
    r"(?:i|we) (?:do not|does not|can not) (?:know|think|see) (?:if |whether |how )?we can"
    r" (?:fix|save|make|work out|get past) (?:this|us|it|things)",
    r"we can not (?:fix|save) (?:this|us|our)",
    r"we can not (?:go on|keep going|keep doing this|keep living)",
    r"i (?:feel|felt|am feeling) (?:so |really |completely |very )?(?:alone|lonely)"
    r" in (?:this|our|the) (?:relationship|marriage)",
    r"i am (?:not happy|unhappy) in (?:this|our|the) (?:relationship|marriage)",
)

_RULES: dict[Concern, tuple[str, ...]] = {
    Concern.CRISIS: _CRISIS_RULES,
    Concern.ABUSE: _ABUSE_RULES,
    Concern.PROFESSIONAL_HELP: _PROFESSIONAL_HELP_RULES,
}

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
    return {
        concern: re.compile("|".join(rf"\b(?:{rule})\b" for rule in rules))
        for concern, rules in _RULES.items()
    }


def _negated(words_before: list[str]) -> bool:
    for word in reversed(words_before[-_NEGATION_WINDOW:]):
        if word in _CLAUSE_BREAKS:
            return False
        if word in _NEGATORS:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Frames: crisis and abuse by meaning. Concepts (who, what, means, injury, control ...) compose
# into frames (content/en-US/safety_frames.json), so a sentence built from known parts is
# caught however it is worded. The rules above stay as a second net.
# ---------------------------------------------------------------------------------------------

_MASK = "_"


@dataclass(frozen=True, slots=True)
class _Frame:
    concern: Concern
    parts: tuple[str, ...]
    gap: int
    unless_next: frozenset[str]
    # Checked before every crisis frame (a threat of suicide used to control is abuse).
    first: bool = False


@dataclass(frozen=True, slots=True)
class _Lexicon:
    # first word (or prefix* of it) -> (concept, the phrase's words)
    exact: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    # first word -> idioms starting with it
    idioms: dict[str, tuple[tuple[str, ...], ...]]
    frames: tuple[_Frame, ...]


def _phrase_words(phrase: str) -> tuple[str, ...]:
    """A lexicon phrase as the words normalised text is made of ("wont" -> "will not").

    Lighter than `normalise` (thousands of phrases load on the first answer); a trailing *
    and a # (any large number) are kept.
    """
    words: list[str] = []
    for word in phrase.lower().replace("'", "").replace("-", " ").split():
        stem, star = (word[:-1], "*") if word.endswith("*") else (word, "")
        spelt = _BARE_CONTRACTIONS.get(stem, "can not" if stem == "cannot" else stem).split()
        spelt[-1] += star
        words.extend(spelt)
    text = " ".join(words)
    for pattern, replacement in _asr_contractions():
        text = pattern.sub(replacement, text)
    return tuple(text.split())


@cache
def _lexicon() -> _Lexicon:
    import json  # the first answer of a container pays for this, never its cold start

    with open(os.path.join(_CONTENT_DIR, "en-US", "safety_frames.json"), encoding="utf-8") as f:
        data = json.load(f)
    concepts: dict[str, list[str]] = data["concepts"]
    frames = []
    for raw in data["frames"]:
        parts = tuple(raw["parts"])
        for part in parts:
            if part not in concepts:
                concepts[part] = [part]  # a literal phrase
        frames.append(
            _Frame(
                Concern(raw["concern"]),
                parts,
                int(raw.get("gap", 3)),
                frozenset(raw.get("unless_next", ())),
                bool(raw.get("first", False)),
            )
        )
    index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for concept, phrases in concepts.items():
        for phrase in phrases:
            words = _phrase_words(phrase)
            if words:
                index.setdefault(words[0].rstrip("*"), []).append((concept, words))
    idioms: dict[str, list[tuple[str, ...]]] = {}
    for idiom in data["idioms"]:
        words = _phrase_words(idiom)
        idioms.setdefault(words[0], []).append(words)
    return _Lexicon(
        exact={k: tuple(v) for k, v in index.items()},
        idioms={k: tuple(v) for k, v in idioms.items()},
        frames=tuple(frames),
    )


# "#" in a phrase: a number large enough to be an overdose or harassment, not "2 ibuprofen".
_NUMBER_WORDS = frozenset(
    {"ten", "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty"}
    | {"hundred", "hundreds", "dozen", "dozens"}
)
_LARGE = 8


def _is_number(word: str) -> bool:
    return (word.isdigit() and int(word) >= _LARGE) or word in _NUMBER_WORDS


def _word_matches(pattern: str, word: str) -> bool:
    if pattern == "#":
        return _is_number(word)
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern


def _spans(words: list[str], lexicon: _Lexicon) -> dict[str, list[tuple[int, int]]]:
    """Where each concept is mentioned: concept -> [(start, end)] word positions."""
    found: dict[str, list[tuple[int, int]]] = {}
    for start, word in enumerate(words):
        candidates = list(lexicon.exact.get(word, ()))
        if _is_number(word):
            candidates.extend(lexicon.exact.get("#", ()))
        for cut in range(3, len(word)):
            candidates.extend(c for c in lexicon.exact.get(word[:cut], ()) if c[1][0][-1] == "*")
        for concept, phrase in candidates:
            end = start + len(phrase)
            if end <= len(words) and all(
                _word_matches(p, w) for p, w in zip(phrase, words[start:end], strict=True)
            ):
                found.setdefault(concept, []).append((start, end))
    return found


def _masked(words: list[str], lexicon: _Lexicon) -> list[str]:
    """Idioms ("dead tired", "killed it at work") become masks that match nothing."""
    masked = list(words)
    for start, word in enumerate(words):
        for idiom in lexicon.idioms.get(word, ()):
            end = start + len(idiom)
            if end <= len(words) and all(
                _word_matches(p, w) for p, w in zip(idiom, words[start:end], strict=True)
            ):
                masked[start:end] = [_MASK] * len(idiom)
    return masked


def _frame_match(frame: _Frame, words: list[str], spans: dict[str, list[tuple[int, int]]]) -> bool:
    """The frame's parts in order, each at most `gap` words after the one before."""
    ends: set[int] | None = None  # where the previous part ended
    for part in frame.parts:
        places = spans.get(part, [])
        ends = {
            end
            for start, end in places
            if ends is None or any(previous <= start <= previous + frame.gap for previous in ends)
        }
        if not ends:
            return False
    return any(end >= len(words) or words[end] not in frame.unless_next for end in ends or ())


def _by_frames(norm: str) -> tuple[Concern, str] | None:
    lexicon = _lexicon()
    words = _masked(norm.split(), lexicon)
    spans = _spans(words, lexicon)
    ordered = [f for f in lexicon.frames if f.first] + [
        f
        for concern in (Concern.CRISIS, Concern.ABUSE)
        for f in lexicon.frames
        if f.concern is concern and not f.first
    ]
    for frame in ordered:
        if _frame_match(frame, words, spans):
            return frame.concern, "+".join(frame.parts)
    return None


# ---------------------------------------------------------------------------------------------
# A third net: a small logistic model over words and word pairs (scripts/train_safety_model.py),
# for wordings neither the rules nor the frames know. Trained on the development corpora only.
# ---------------------------------------------------------------------------------------------

CLASSES = ("crisis", "abuse", "ordinary")


_SUFFIX = re.compile(r"(?:ing|in|ed|es|s|ly|er)$")


def _stem(word: str) -> str:
    """A crude stem ("hitting", "hittin", "hits" -> "hit"): unseen forms of known words."""
    if len(word) <= 4:
        return word
    stem = _SUFFIX.sub("", word)
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "ls":
        stem = stem[:-1]
    return stem if len(stem) >= 3 else word


def features(norm: str) -> set[str]:
    """The words and word pairs of normalised text, idioms masked out, and their stems."""
    words = [w for w in _masked(norm.split(), _lexicon()) if w != _MASK]
    stems = [_stem(w) for w in words]
    return (
        set(words)
        | {f"{a} {b}" for a, b in pairwise(words)}
        | {f"~{s}" for s in stems}
        | {f"~{a} {b}" for a, b in pairwise(stems)}
    )


@dataclass(frozen=True, slots=True)
class _Model:
    threshold: float
    bias: dict[str, float]
    weights: dict[str, dict[str, float]]


@cache
def _model() -> _Model:
    import json

    with open(os.path.join(_CONTENT_DIR, "en-US", "safety_model.json"), encoding="utf-8") as f:
        data = json.load(f)
    return _Model(float(data["threshold"]), data["bias"], data["weights"])


def _by_model(norm: str) -> tuple[Concern, str] | None:
    import math

    model = _model()
    feats = features(norm)
    scores = {c: model.bias[c] + sum(model.weights[c].get(f, 0.0) for f in feats) for c in CLASSES}
    top = max(scores.values())
    exp = {c: math.exp(scores[c] - top) for c in CLASSES}
    total = sum(exp.values())
    if (exp["crisis"] + exp["abuse"]) / total <= model.threshold:
        return None
    concern = Concern.CRISIS if exp["crisis"] >= exp["abuse"] else Concern.ABUSE
    return concern, "model"


def _find(norm: str) -> tuple[Concern, str] | None:
    patterns = _compiled()
    if match := patterns[Concern.CRISIS].search(norm):
        return Concern.CRISIS, match.group(0)
    by_meaning = _by_frames(norm)  # crisis frames outrank the abuse rules below
    if by_meaning is not None and by_meaning[0] is Concern.CRISIS:
        return by_meaning
    if match := patterns[Concern.ABUSE].search(norm):
        return Concern.ABUSE, match.group(0)
    if by_meaning is not None:
        return by_meaning
    for match in patterns[Concern.PROFESSIONAL_HELP].finditer(norm):
        if not _negated(norm[: match.start()].split()):
            return Concern.PROFESSIONAL_HELP, match.group(0)
    # Last: the model knows crisis, abuse and ordinary talk, not a couple's call for help.
    return _by_model(norm)


def detect(text: str) -> Concern | None:
    """The most serious concern in `text` (crisis, then abuse, then professional help)."""
    if not text or not text.strip():
        return None
    found = _find(normalise(text))
    return found[0] if found else None


# ---------------------------------------------------------------------------------------------
# Messages: reviewed JSON per locale, loaded on first use and kept for the container's life.
# ---------------------------------------------------------------------------------------------

# os.path rather than pathlib: pathlib is not otherwise loaded on a cold start.
_CONTENT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "content")
_FIELDS = ("text", "ssml", "card_title", "card_text")


def _spoken_as_is(text: str, card_title: str, card_text: str) -> SafetyMessage:
    # No numbers to read digit by digit, so the plain text is already valid SSML.
    return SafetyMessage(text=text, ssml=text, card_title=card_title, card_text=card_text)


# For any locale without reviewed local numbers: never guess a number.
_FALLBACK: dict[Concern, SafetyMessage] = {
    Concern.CRISIS: _spoken_as_is(
        "I'm really glad you told me, and I want you to have support right now. I can't call"
        " emergency services for you, so if you're in danger, please call your local emergency"
        " number yourself. The website find a helpline dot com lists free, confidential"
        " helplines in your country. You don't have to go through this alone.",
        "Support is available",
        "If you are in danger, call your local emergency number. Alexa can't call emergency"
        " services for you.\nFree, confidential helplines in your country: findahelpline.com",
    ),
    Concern.ABUSE: _spoken_as_is(
        "Thank you for telling me. You deserve to be safe. If you're in danger right now, please"
        " call your local emergency number; I can't call emergency services for you. The website"
        " find a helpline dot com lists free, confidential domestic abuse services in your"
        " country, where you can talk to someone on your own.",
        "You deserve to be safe",
        "If you are in danger, call your local emergency number. Alexa can't call emergency"
        " services for you.\nFree, confidential domestic abuse support: findahelpline.com",
    ),
    Concern.PROFESSIONAL_HELP: _spoken_as_is(
        "That sounds really hard, and it's worth getting real support for it. This skill is not"
        " therapy. Emotionally Focused Therapy is made for couples who feel stuck or far apart;"
        " individual therapy can help with what each of you is carrying; and relationship"
        " coaching teaches structured ways to talk. If either of you ever feels unsafe, start"
        " with support just for you.",
        "Support for the two of you",
        "This skill is not therapy. Emotionally Focused Therapy (EFT) is made for couples;"
        " individual therapy helps each partner; relationship coaching builds communication"
        " skills. If anyone feels unsafe at home, start with individual or domestic abuse"
        " support, not couples therapy. findahelpline.com lists free services near you.",
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

    with open(os.path.join(_CONTENT_DIR, locale, "safety.json"), encoding="utf-8") as f:
        data = json.load(f)
    messages = data["messages"]
    loaded: dict[Concern, SafetyMessage] = {}
    for concern in Concern:
        entry = messages[concern.value]
        missing = [f for f in _FIELDS if not isinstance(entry.get(f), str) or not entry[f]]
        if missing:
            raise ValueError(f"{locale}/safety.json: {concern.value} lacks {missing}")
        loaded[concern] = SafetyMessage(**{f: entry[f] for f in _FIELDS})
    return loaded


_FALLBACK_HELP_LINE = (
    "If things ever feel like too much, the website find a helpline dot com lists free,"
    " confidential helplines in your country."
)


@cache
def _help_line(locale: str) -> str:
    import json

    with open(os.path.join(_CONTENT_DIR, locale, "safety.json"), encoding="utf-8") as f:
        return str(json.load(f)["help_line"]["ssml"])


def help_line(locale: str | None) -> str:
    """One calm sentence with the locale's crisis line, said with product help (SSML)."""
    canonical = _canonical_locale(locale)
    return _FALLBACK_HELP_LINE if canonical is None else _help_line(canonical)


def safety_message(concern: Concern, locale: str | None) -> SafetyMessage:
    """The fixed message for `concern` in `locale`; unknown locales get findahelpline.com."""
    canonical = _canonical_locale(locale)
    if canonical is None:
        return _FALLBACK[concern]
    return _load_locale(canonical)[concern]
