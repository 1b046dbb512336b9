"""How Alexa's built-in slot types turn heard words into slot values.

Each parser takes the normalised words of a capture (lower case, no punctuation) and returns
the value Alexa would put in the slot, or None when the words are not of that type.
"""

from __future__ import annotations

from datetime import date, timedelta

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def parse_number(words: list[str]) -> int | None:
    """'twenty five', 'a hundred and ten', '15' -> the integer; anything else -> None."""
    if not words:
        return None
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    total = 0
    current = 0
    previous: str | None = None  # kind of the previous word, to refuse 'two three'
    for word in words:
        if word in _UNITS:
            if previous not in (None, "tens", "hundred", "thousand", "and"):
                return None
            current += _UNITS[word]
            kind = "unit"
        elif word in _TEENS:
            if previous not in (None, "hundred", "thousand", "and"):
                return None
            current += _TEENS[word]
            kind = "teen"
        elif word in _TENS:
            if previous not in (None, "hundred", "thousand", "and"):
                return None
            current += _TENS[word]
            kind = "tens"
        elif word == "hundred":
            if previous not in ("unit", "teen", "a"):
                return None
            current = max(current, 1) * 100
            kind = "hundred"
        elif word == "thousand":
            if previous not in ("unit", "teen", "tens", "hundred", "a"):
                return None
            total += max(current, 1) * 1000
            current = 0
            kind = "thousand"
        elif word == "a" and previous is None:
            kind = "a"
        elif word == "and" and previous in ("hundred", "thousand"):
            kind = "and"
        else:
            return None
        previous = kind
    if previous in ("a", "and"):
        return None
    return total + current


def _ordinal(words: list[str]) -> int | None:
    """'twenty first', '21st', 'third' -> day of month."""
    if len(words) == 1:
        word = words[0]
        if word[:-2].isdigit() and word[-2:] in ("st", "nd", "rd", "th"):
            return int(word[:-2])
        if word.isdigit():
            return int(word)
        return _ORDINALS.get(word)
    if len(words) == 2 and words[0] in ("twenty", "thirty") and words[1] in _ORDINALS:
        return _TENS[words[0]] + _ORDINALS[words[1]]
    return None


def _split_glued(words: list[str]) -> list[str]:
    """'8pm' -> '8', 'pm'; 'a', 'm' (from 'a.m.') -> 'am'."""
    out: list[str] = []
    for word in words:
        for suffix in ("am", "pm"):
            if word.endswith(suffix) and word[:-2].isdigit():
                out.extend([word[:-2], suffix])
                break
        else:
            out.append(word)
    joined: list[str] = []
    i = 0
    while i < len(out):
        if out[i] in ("a", "p") and i + 1 < len(out) and out[i + 1] == "m" and i > 0:
            joined.append(out[i] + "m")
            i += 2
        else:
            joined.append(out[i])
            i += 1
    return joined


_TIME_WORDS = {
    ("noon",): "12:00",
    ("midday",): "12:00",
    ("midnight",): "00:00",
    ("morning",): "MO",
    ("this", "morning"): "MO",
    ("in", "the", "morning"): "MO",
    ("afternoon",): "AF",
    ("this", "afternoon"): "AF",
    ("in", "the", "afternoon"): "AF",
    ("evening",): "EV",
    ("this", "evening"): "EV",
    ("in", "the", "evening"): "EV",
    ("night",): "NI",
    ("tonight",): "NI",
    ("at", "night"): "NI",
}
_MORNING = (("am",), ("in", "the", "morning"), ("this", "morning"), ("morning",))
_LATER = (
    ("pm",),
    ("in", "the", "evening"),
    ("in", "the", "afternoon"),
    ("this", "evening"),
    ("this", "afternoon"),
    ("at", "night"),
    ("tonight",),
    ("evening",),
)


def _hour(words: list[str]) -> int | None:
    value = parse_number(words)
    if value is None or value > 24 or len(words) > 2:
        return None
    return value


def _minutes(words: list[str]) -> int | None:
    if not words or words == ["oclock"]:
        return 0
    if words[0] in ("oh", "o") and len(words) == 2 and words[1] in _UNITS:
        return _UNITS[words[1]]
    if len(words) == 1 and words[0].isdigit() and len(words[0]) == 2:
        return int(words[0])
    value = parse_number(words)
    if value is None or value >= 60 or words[0] == "a":
        return None
    return value


def parse_time(words: list[str]) -> str | None:
    """AMAZON.TIME: 'eight' -> '08:00', 'eight pm' -> '20:00', 'evening' -> 'EV'."""
    words = _split_glued(words)
    if not words:
        return None
    if tuple(words) in _TIME_WORDS:
        return _TIME_WORDS[tuple(words)]
    meridiem: str | None = None
    for suffixes, label in ((_MORNING, "am"), (_LATER, "pm")):
        for suffix in suffixes:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                words = words[: -len(suffix)]
                meridiem = label
                break
        if meridiem:
            break
    hour, minute = _clock_reading(words)
    if hour is None or minute is None:
        return None
    if meridiem is not None:
        if hour > 12 or hour == 0:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif hour == 24:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _clock_reading(words: list[str]) -> tuple[int | None, int | None]:
    """'eight thirty', '8 30', 'half past eight', 'quarter to nine' -> (hour, minute)."""
    if len(words) == 1 and words[0].isdigit() and len(words[0]) in (3, 4):
        return int(words[0][:-2]), _checked_minute(int(words[0][-2:]))
    for word, sign in (("past", 1), ("after", 1), ("to", -1), ("till", -1)):
        if word in words:
            at = words.index(word)
            before, after = words[:at], words[at + 1 :]
            offset = {("half",): 30, ("quarter",): 15, ("a", "quarter"): 15}.get(tuple(before))
            if offset is None:
                offset = _minutes(before) if before else None
            hour = _hour(after)
            if offset is None or hour is None or offset == 0:
                return None, None
            if sign > 0:
                return hour, offset
            return (hour - 1) % 24 if hour != 1 else 12, 60 - offset
    for split in (1, 2):
        hour = _hour(words[:split])
        if hour is not None:
            minute = _minutes(words[split:])
            if minute is not None:
                return hour, minute
    return None, None


def _checked_minute(minute: int) -> int | None:
    return minute if minute < 60 else None


def parse_date(words: list[str], today: date) -> str | None:
    """AMAZON.DATE: 'today', 'tomorrow', 'sunday' (the next one), 'may fifth' -> ISO."""
    words = [w for w in words if w != "on"]
    phrase = " ".join(words)
    if phrase in ("today", "tonight", "this evening"):
        return today.isoformat()
    if phrase == "tomorrow":
        return (today + timedelta(days=1)).isoformat()
    if phrase == "yesterday":
        return (today - timedelta(days=1)).isoformat()
    if phrase == "the day after tomorrow":
        return (today + timedelta(days=2)).isoformat()
    year, week, _ = today.isocalendar()
    if phrase in ("this week", "the week"):
        return f"{year}-W{week:02d}"
    if phrase == "next week":
        year, week, _ = (today + timedelta(days=7)).isocalendar()
        return f"{year}-W{week:02d}"
    if phrase in ("this weekend", "the weekend", "weekend"):
        return f"{year}-W{week:02d}-WE"
    if words and words[0] in ("this", "next", "coming", "the") and len(words) == 2:
        words = words[1:]
    if len(words) == 1 and words[0] in WEEKDAYS:
        ahead = (WEEKDAYS.index(words[0]) - today.weekday()) % 7 or 7
        return (today + timedelta(days=ahead)).isoformat()
    if words and words[0] in _MONTHS:
        day_words = [w for w in words[1:] if w != "the"]
        day = _ordinal(day_words)
        if day is None:
            return None
        month = _MONTHS.index(words[0]) + 1
        for candidate_year in (today.year, today.year + 1):
            try:
                candidate = date(candidate_year, month, day)
            except ValueError:
                return None
            if candidate >= today:
                return candidate.isoformat()
    return None


def parse_day_of_week(words: list[str]) -> str | None:
    """AMAZON.DayOfWeek: the day as heard ('mondays' stays as said)."""
    if len(words) == 1 and (words[0] in WEEKDAYS or words[0].rstrip("s") in WEEKDAYS):
        return words[0]
    return None


_DURATION_UNITS = {
    "second": "S",
    "seconds": "S",
    "sec": "S",
    "secs": "S",
    "minute": "M",
    "minutes": "M",
    "min": "M",
    "mins": "M",
    "hour": "H",
    "hours": "H",
    "hr": "H",
    "hrs": "H",
    "day": "D",
    "days": "D",
    "week": "W",
    "weeks": "W",
}


def parse_duration(words: list[str]) -> str | None:
    """AMAZON.DURATION: 'twenty minutes' -> 'PT20M', 'half an hour' -> 'PT30M'."""
    if not words:
        return None
    parts: dict[str, int] = {}
    phrase = " ".join(words)
    for half_hour in ("half an hour", "a half hour", "half hour"):
        if phrase == half_hour:
            return "PT30M"
    if phrase in ("a quarter of an hour", "quarter of an hour", "a quarter hour"):
        return "PT15M"
    if phrase.endswith(" and a half") and len(words) >= 5:
        # 'an hour and a half': the half belongs to the unit just before it
        half_of = {"H": ("M", 30), "M": ("S", 30)}.get(_DURATION_UNITS.get(words[-4], ""))
        if half_of is None:
            return None
        words = words[:-3]
        parts[half_of[0]] = half_of[1]
    pieces: list[list[str]] = [[]]
    for word in words:
        pieces[-1].append(word)
        if word in _DURATION_UNITS:
            pieces.append([])
    if pieces[-1]:
        return None
    for piece in pieces[:-1]:
        if piece and piece[0] == "and" and len(piece) > 1:
            piece = piece[1:]
        unit = _DURATION_UNITS[piece[-1]]
        amount_words = piece[:-1]
        amount = 1 if amount_words in (["a"], ["an"], ["one"]) else parse_number(amount_words)
        if amount is None or unit in parts:
            return None
        parts[unit] = amount
    return _iso_duration(parts)


def _iso_duration(parts: dict[str, int]) -> str:
    if "W" in parts and len(parts) == 1:
        return f"P{parts['W']}W"
    days = parts.get("D", 0) + 7 * parts.get("W", 0)
    out = "P" + (f"{days}D" if days else "")
    clock = "".join(f"{parts[u]}{u}" for u in ("H", "M", "S") if u in parts)
    return out + ("T" + clock if clock else "")
