"""An appreciation said again to the partner it was for: "that tom made me coffee" becomes
"you made her coffee" when it is read back to Tom.

Appreciations are stored as they were said, in the speaker's words. Read back, only the
words that point at people change: the listener (their name, he or she, you) becomes
"you", the speaker (I, me, my) becomes their pronoun or their name, "we" becomes "the two
of you", and a verb after a changed subject agrees with it ("he makes" -> "you make").
Every other word stays as it was. When that cannot be done safely (someone else is in
it, or it is a fragment), the text is quoted as said instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# How the turned text fits its sentence, each with its own prompt:
THAT = "that"  # a clause: "... appreciated that {you made her coffee}"
THING = "thing"  # a noun phrase: "... appreciated {your smile}"
FOR = "for"  # a deed: "... thanked you for {making her laugh}"
SAID = "said"  # not turned: "Priya said: {...}"

_WORD = re.compile(r"([^\W\d_]+(?:['’][^\W\d_]+)*)")
_END = re.compile(r"[\s.!?,;:]+$")

_HE = {"he", "him", "his", "himself", "he's", "he'd", "he'll"}
_SHE = {"she", "her", "hers", "herself", "she's", "she'd", "she'll"}
_YOU = {"you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll"}
_THEY = {"they", "them", "their", "theirs", "themselves", "they're", "they've", "they'd"}
_ME = {"i", "me", "my", "mine", "myself", "i'm", "im", "i've", "i'd", "i'll"}
_WE = {"we", "us", "our", "ours", "ourselves", "we're", "we've", "we'll", "we'd"}
# Words for someone other than the two of them: with he or she, who is who is unclear.
_OTHERS = {
    "mom", "mum", "mother", "dad", "father", "parents", "sister", "brother", "son",
    "daughter", "kids", "kid", "children", "child", "baby", "friend", "friends", "boss",
    "neighbor", "neighbors", "neighbour", "neighbours", "grandma", "grandpa", "granny",
    "grandmother", "grandfather", "aunt", "uncle", "cousin", "colleague", "coworker",
    "teacher", "doctor", "nurse", "boy", "girl", "man", "woman", "guy", "lady", "family",
    "wife", "husband", "boyfriend", "girlfriend", "someone", "somebody", "everyone",
    "everybody", "people", "nephew", "niece", "dog", "cat", "puppy", "kitten", "pet",
}  # fmt: skip
_ADVERBS = {
    "always", "really", "just", "never", "also", "still", "even", "often", "sometimes",
    "usually", "actually", "finally", "truly", "totally", "so", "simply", "kindly",
    "quietly", "patiently", "already", "genuinely", "basically", "constantly", "gently",
}  # fmt: skip
# Words after "her" or "his" that show it stands alone ("with her today", "as his").
_AFTER_OBJECT = {
    "to", "for", "with", "and", "but", "or", "so", "when", "while", "that", "this", "today",
    "tonight", "yesterday", "last", "a", "an", "the", "some", "up", "out", "off", "in", "on",
    "at", "about", "back", "again", "too", "after", "before", "because", "by", "from",
    "into", "through", "over", "happy", "better", "special", "safe", "loved", "heard",
    "seen", "more", "every", "all", "how", "what", "if", "as", "than",
}  # fmt: skip
# "made her laugh", but "her laugh": after these verbs, "her" stands alone.
_CAUSING = {
    "made", "make", "makes", "making", "let", "lets", "help", "helps", "helped", "helping",
    "saw", "see", "watched", "heard", "had",
}  # fmt: skip
# After "Tom's": "Tom is" rather than Tom's something.
_IS_BEFORE = {
    "here", "there", "home", "back", "not", "such", "so", "very", "really", "always", "never",
    "just", "a", "an", "the", "my", "amazing", "great", "wonderful", "kind", "sweet",
    "patient", "thoughtful", "funny", "lovely", "caring", "generous", "helpful", "supportive",
    "good", "nice", "brilliant", "beautiful", "strong", "calm", "gentle", "fun", "awesome",
    "incredible", "perfect", "smart", "brave", "honest", "still", "also", "too",
}  # fmt: skip
# After "he's": "has" rather than "is".
_PARTICIPLES = {
    "been", "got", "gotten", "done", "had", "made", "taken", "given", "shown", "become",
    "gone", "kept", "put", "started", "finished", "helped", "tried", "worked", "spent",
}  # fmt: skip
_PAST_OR_MODAL = {
    "can", "could", "will", "would", "should", "might", "must", "may", "shall", "did",
    "didn't", "couldn't", "wouldn't", "can't", "won't", "shouldn't", "had", "hadn't",
    "was", "wasn't", "made", "felt", "got", "went", "came", "saw", "said", "told", "took",
    "gave", "thought", "knew", "found", "left", "kept", "slept", "heard", "ate", "drank",
    "ran", "sat", "stood", "woke", "wrote", "read", "met", "lost", "won", "paid", "bought",
    "brought", "caught", "taught", "fought", "spent", "sent", "built", "held", "meant",
    "became", "began", "sang", "forgot", "let", "put", "cut", "hit", "set", "hurt",
}  # fmt: skip
# Present-tense verbs after "I" that become "she feels": a known list, so nothing is guessed.
_PRESENT = {
    "feel", "need", "want", "love", "like", "know", "think", "get", "miss", "enjoy", "hope",
    "wish", "mean", "see", "find", "try", "go", "say", "look", "appreciate", "trust",
    "care", "worry", "notice", "remember", "forget", "believe", "understand", "adore",
    "cherish", "value", "admire", "laugh", "smile", "cry", "sleep", "work", "come",
    "deserve", "matter", "hate", "mind", "wonder", "realise", "realize", "relax", "rest",
}  # fmt: skip
_AGREE_YOU = {
    "is": "are", "was": "were", "has": "have", "does": "do", "goes": "go", "isn't": "aren't",
    "wasn't": "weren't", "hasn't": "haven't", "doesn't": "don't",
}  # fmt: skip
_AGREE_ME = {"am": "is", "have": "has", "do": "does", "haven't": "hasn't", "don't": "doesn't"}
_THING_START = {
    "the", "a", "an", "your", "his", "her", "my", "our", "this", "that", "these", "those",
    "all", "every", "everything", "how", "what",
}  # fmt: skip
_SUBJECTS = {"you", "he", "she", "i", "we", "you're", "he's", "she's", "i'm", "im", "we're"}
_LIKED = {
    "appreciate", "appreciated", "love", "loved", "like", "liked", "value", "valued",
    "enjoy", "enjoyed", "noticed", "adore", "adored",
}  # fmt: skip
# Words ending in -ing that are not a deed ("you bring me flowers" is a clause).
_NOT_GERUNDS = {
    "bring", "sing", "swing", "sting", "cling", "fling", "spring", "string", "wring", "ring",
    "king", "thing", "nothing", "something", "anything",
}  # fmt: skip


# First names that are also everyday words: only a capital letter says which it is.
_COMMON_WORDS = {
    "will", "may", "hope", "joy", "grace", "faith", "mark", "bill", "rose", "pat", "sue",
    "rob", "drew", "art", "sunny", "summer", "april", "june", "august", "dawn", "amber",
    "ruby", "jean", "guy", "sky", "river", "autumn", "iris", "lily", "violet", "honey",
}  # fmt: skip


# Said on one day, heard in the review on a later one: "today" was that day.
_LATER = (
    (re.compile(r"\b(?:this|that) (morning|afternoon|evening)\b", re.IGNORECASE), r"that \1"),
    (re.compile(r"\btonight\b", re.IGNORECASE), "that night"),
    (re.compile(r"\btoday\b", re.IGNORECASE), "that day"),
    (re.compile(r"\byesterday's\b", re.IGNORECASE), "the previous day's"),
    (re.compile(r"\byesterday\b", re.IGNORECASE), "the day before"),
    (re.compile(r"\btomorrow\b", re.IGNORECASE), "the next day"),
)


def told_later(text: str) -> str:
    """A moment's words as they fit a later day: "you cooked tonight" -> "that night"."""
    for pattern, replacement in _LATER:
        text = pattern.sub(replacement, text)
    return text


class _Unsafe(Exception):
    """The text cannot be turned without guessing: it is quoted instead."""


@dataclass(frozen=True)
class Turned:
    form: str
    text: str


def listener_view(text: str, speaker: str, listener: str, pronoun: str | None = None) -> Turned:
    """`text`, an appreciation `speaker` said to `listener`, as `listener` should hear it.

    `pronoun` is "he" or "she" for the speaker when known; otherwise their name stands in.
    """
    said = _END.sub("", text.strip())
    parts = _WORD.split(said)  # gap, word, gap, word, ..., gap
    originals = parts[1::2]
    words = [_norm(word) for word in originals]
    name = _first_name(listener)
    quoted = said
    try:
        start, form = _lead_in(words, name)
        if start >= len(words):
            raise _Unsafe
        words, originals = words[start:], originals[start:]
        gaps = ["", *parts[2 * start + 2 :: 2]]  # what lies before each word, then the end
        # Quoted, it still loses its lead-in: "he picked up the kids", not "that he ...".
        quoted = "".join(w + g for w, g in zip(originals, gaps[1:], strict=True)).strip()
        _check_people(originals, words, name, _first_name(speaker))
        form = form or _form(words, gaps, name)
        swapped = _swap(originals, words, gaps, name, speaker, pronoun)
    except _Unsafe:
        return Turned(SAID, _END.sub("", quoted) or said)
    return Turned(form, _END.sub("", swapped).strip())


def pronoun_in(appreciations: Iterable[str]) -> str | None:
    """ "he" or "she", when a partner's own appreciations start by calling the other so."""
    votes = {"he": 0, "she": 0}
    for text in appreciations:
        words = [_norm(word) for word in _WORD.findall(text)]
        try:
            start, _ = _lead_in(words, "")
        except _Unsafe:
            continue
        first = words[start] if start < len(words) else ""
        if first in _HE:
            votes["he"] += 1
        elif first in _SHE:
            votes["she"] += 1
    if votes["he"] == votes["she"]:
        return None
    return "he" if votes["he"] > votes["she"] else "she"


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


def _first_name(name: str) -> str:
    return _norm(name.split()[0]) if name.strip() else ""


def _is_name(original: str) -> bool:
    """ "Will" is a name; "will" said in lower case may be the verb."""
    return original[:1].isupper() or original.split("'")[0].lower() not in _COMMON_WORDS


def _gerund(word: str) -> bool:
    return word.endswith("ing") and len(word) > 4 and word not in _NOT_GERUNDS


def _skip(words: list[str], at: int, also: frozenset[str] = frozenset()) -> int:
    while at < len(words) and (words[at] in _ADVERBS or words[at] in also):
        at += 1
    return at


def _lead_in(words: list[str], name: str) -> tuple[int, str | None]:
    """Where the appreciation itself starts, past "I appreciate that", "thank you for"."""
    at, form = 0, None
    listener = {"you", "him", "her", name} - {""}
    while at < len(words):
        step = _one_lead_in(words, at, name, listener)
        if step is None:
            break
        at, deed = step
        form = FOR if deed else form
    return at, form


def _one_lead_in(
    words: list[str], at: int, name: str, listener: set[str]
) -> tuple[int, bool] | None:
    """The next word after one lead-in starting at `at`, and whether it was "for"."""
    word = words[at]
    found = _liking(words, at, listener) if word == "i" else None
    if found is None and (
        word in {"i'm", "im"} or words[at : at + 2] in (["i", "am"], ["i", "was"])
    ):
        found = _grateful(words, at, listener)
    if found is not None:
        return found
    if words[at : at + 2] == ["thank", "you"] or word == "thanks":
        at += 2 if word == "thank" else 1
        if words[at : at + 2] == ["so", "much"]:
            at += 2
        if at < len(words) and words[at] in listener - {"you"}:
            at += 1
        return at, False
    if word == "for" and at + 1 < len(words):
        return at + 1, True
    if word in {"that", "how", "when"} or words[at : at + 2] == ["the", "way"]:
        clause = at + (2 if word == "the" else 1)
        # Only before a clause: in "that dinner" or "how much", the words are kept.
        if clause < len(words) and (words[clause] in _SUBJECTS or words[clause] == name):
            return clause, False
    return None


def _liking(words: list[str], at: int, listener: set[str]) -> tuple[int, bool] | None:
    """Past "I (really) appreciate", "I love it when", "I appreciate you for"."""
    verb = _skip(words, at + 1)
    if verb >= len(words) or words[verb] not in _LIKED:
        return None
    at = verb + 1
    if words[at : at + 2] == ["it", "when"]:
        return at + 1, False
    if at < len(words) and words[at] in listener:
        following = words[at + 1] if at + 1 < len(words) else ""
        if following == "for":
            return at + 1, False  # "I appreciate you for ...": "for" is next
        if words[at] != "her" and not _gerund(following):
            raise _Unsafe  # "I love you so much" is said as it is; "her smile" is not
    return at, False


def _grateful(words: list[str], at: int, listener: set[str]) -> tuple[int, bool] | None:
    """Past "I'm (so) grateful", "I am thankful to him"."""
    feeling = _skip(words, at + (1 if words[at] != "i" else 2), frozenset({"very"}))
    if feeling >= len(words) or words[feeling] not in {"grateful", "thankful"}:
        return None
    at = feeling + 1
    thanked = words[at + 1] if at + 1 < len(words) else ""
    if words[at : at + 1] == ["to"] and thanked in listener:
        at += 2  # "grateful to him for ..."
    return at, False


def _check_people(originals: list[str], words: list[str], name: str, speaker: str) -> None:
    """Raise when he or she might be someone other than the listener."""
    he = any(word in _HE for word in words)
    she = any(word in _SHE for word in words)
    if any(word in _THEY for word in words) or (he and she):
        raise _Unsafe
    if not (he or she):
        return
    if any(word in _OTHERS or word in _YOU for word in words):
        raise _Unsafe  # "you" and "he", or "my sister" and "she": two people
    known = {name, speaker} | _HE | _SHE | _ME | _SUBJECTS | _THING_START | _ADVERBS
    # A capitalised word other than their names is likely someone else ("Sarah").
    for original, word in zip(originals, words, strict=True):
        if original[:1].isupper() and word.split("'")[0] not in known and word not in known:
            raise _Unsafe


def _form(words: list[str], gaps: list[str], name: str) -> str:
    first = words[0]
    second = words[1] if len(words) > 1 else ""
    if first in {"you", "him", "her", name} and _gerund(second):
        return THING  # "you listening to me"
    if first in _SUBJECTS or first == name:
        if not second or gaps[1].strip():
            raise _Unsafe  # "he", "Tom & Jerry": no clause to say "that" before
        return THAT
    if _gerund(first):
        return FOR
    if first in _THING_START or first == f"{name}'s":
        return THING
    raise _Unsafe  # "coffee", "made me laugh": a fragment


def _swap(
    originals: list[str],
    words: list[str],
    gaps: list[str],
    name: str,
    speaker: str,
    pronoun: str | None,
) -> str:
    """The words with every reference to a person turned; the rest exactly as said."""
    out = list(originals)
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else None
        # Punctuation between two words ends a phrase: in "for her, always" she is "you".
        alone = (
            after is None
            or after in _AFTER_OBJECT
            or bool(gaps[i + 1].strip())
            or (i > 0 and words[i - 1] in _CAUSING)
        )
        if word in {"he", "she"} or (name and word == name and _is_name(originals[i])):
            out[i] = "you"
            if not _coordinated(words, i, name):
                _agree_you(words, out, i + 1)
        elif name and word == f"{name}'s" and _is_name(originals[i]):
            # "Tom's bike" is "your bike"; "Tom's so kind" is "you're so kind".
            if after in _PARTICIPLES:
                out[i] = "you've"
            else:
                out[i] = "you're" if after is None or after in _IS_BEFORE else "your"
        elif word in _TO_YOU:
            out[i] = _TO_YOU[word]
        elif word == "her":
            out[i] = "you" if alone or _gerund(after or "") else "your"
        elif word == "his":
            out[i] = "yours" if alone else "your"
        elif word in {"he's", "she's"}:
            verb = _skip(words, i + 1)
            has = verb < len(words) and words[verb] in _PARTICIPLES
            out[i] = "you've" if has else "you're"
        elif word in _ME:
            out[i] = _speaker_word(words, out, i, name, speaker, pronoun)
        elif word in _WE:
            out[i] = _we(word)
    return "".join(gap + word for gap, word in zip(gaps, [*out, ""], strict=True))


_TO_YOU = {
    "him": "you", "himself": "yourself", "herself": "yourself", "hers": "yours",
    "he'd": "you'd", "she'd": "you'd", "he'll": "you'll", "she'll": "you'll",
}  # fmt: skip


def _coordinated(words: list[str], i: int, name: str) -> bool:
    """ "Tom and I", "he and I": a plural subject, whose verb needs no change."""
    if words[i + 1 : i + 2] in (["and"], ["or"]):
        return True
    people = _HE | _SHE | _YOU | _ME | _WE | _OTHERS | {name}
    return i > 1 and words[i - 1] in {"and", "or"} and words[i - 2] in people


def _agree_you(words: list[str], out: list[str], at: int) -> None:
    """ "he makes" -> "you make": the verb after a subject that became "you"."""
    i = _skip(words, at)
    if i >= len(words):
        return
    if words[i + 1 : i + 2] in (["and"], ["or"]):
        _agree_you(words, out, i + 2)  # "he cooks and cleans"
    verb = words[i]
    if verb in _AGREE_YOU:
        out[i] = _AGREE_YOU[verb]
    elif verb.endswith("ies") and len(verb) > 4:
        out[i] = verb[:-3] + "y"
    elif re.search(r"(ch|sh|x|ss|zz|o)es$", verb):
        out[i] = verb[:-2]
    elif verb.endswith("s") and not verb.endswith(("ss", "us", "is")) and len(verb) > 3:
        out[i] = verb[:-1]


def _speaker_word(
    words: list[str], out: list[str], i: int, name: str, speaker: str, pronoun: str | None
) -> str:
    """I, me, my as the speaker's pronoun, or their name when it is not known."""
    word = words[i]
    she = pronoun == "she"
    if word == "me":
        return speaker if pronoun is None else ("her" if she else "him")
    if word == "my":
        return f"{speaker}'s" if pronoun is None else ("her" if she else "his")
    if word == "mine":
        return f"{speaker}'s" if pronoun is None else ("hers" if she else "his")
    if word == "myself":
        if pronoun is None:
            raise _Unsafe  # "Priya made Priya proud" would not do
        return "herself" if she else "himself"
    subject = speaker if pronoun is None else pronoun
    if word in {"i'm", "im", "i've"}:
        return f"{subject}'s"
    if word == "i'll":
        return f"{subject} will" if pronoun is None else f"{pronoun}'ll"
    if word == "i'd":
        if pronoun is None:
            raise _Unsafe  # "would" or "had": not guessed
        return f"{pronoun}'d"
    if not _coordinated(words, i, name):
        _agree_me(words, out, i + 1)
    return subject


def _agree_me(words: list[str], out: list[str], at: int) -> None:
    """ "I feel" -> "she feels"; a verb not known for sure makes the text unsafe."""
    i = _skip(words, at)
    if i >= len(words):
        return
    joined = words[i + 2] if i + 2 < len(words) else ""
    if joined in _PRESENT and words[i + 1] in {"and", "or"}:
        _agree_me(words, out, i + 2)  # "I laugh and relax"
    verb = words[i]
    if verb in _AGREE_ME:
        out[i] = _AGREE_ME[verb]
    elif verb in _PAST_OR_MODAL or verb.endswith("ed"):
        return
    elif verb in {"go", "do"} or (verb in _PRESENT and re.search(r"(s|sh|ch|x|z)$", verb)):
        out[i] = verb + "es"
    elif verb in _PRESENT:
        out[i] = verb[:-1] + "ies" if re.search(r"[^aeiou]y$", verb) else verb + "s"
    else:
        raise _Unsafe


def _we(word: str) -> str:
    """ "we", "us", "our": both of them, as Alexa says it to one of them."""
    if word == "we'd":
        raise _Unsafe  # "would" or "had": not guessed
    return {
        "our": "your", "ours": "yours", "ourselves": "yourselves", "we're": "the two of you are",
        "we've": "the two of you have", "we'll": "the two of you will",
    }.get(word, "the two of you")  # fmt: skip
