"""Train the safety net's third layer: a small logistic model over words, word pairs and stems.

Trained on the development corpora (tests/data/safety_dev.tsv, safety_published.tsv,
crisis_phrasings.txt, ordinary answers) and on the corpora written apart by writers who never
saw the detector (tests/corpus.py's SAFETY_LEARNT), each measured as unseen before it joined.
The corpora in tests/test_safety_net.py's HELD_OUT are never used here: they only measure.
Pure Python and deterministic: the same data gives the same weights. Writes
lambda/closer_together/content/en-US/safety_model.json.

    python scripts/train_safety_model.py [--threshold 0.7] [--arbitrate 0.9]
    python scripts/train_safety_model.py --hold-out safety_writer18.tsv ...

--hold-out trains without the named corpora and prints, for a range of thresholds, the
recall and false alarms of the whole net on them: how a threshold is chosen, on writers the
model has not seen, before they join the data. It writes nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda"), str(ROOT)]

from closer_together.concern_matcher import Model, find, net  # noqa: E402
from closer_together.concerns import CLASSES, features, normalise  # noqa: E402
from tests.corpus import SAFETY_DEVELOPMENT, SAFETY_LEARNT, load_couple_speech  # noqa: E402
from tests.corpus import labelled as rows  # noqa: E402

DATA = ROOT / "tests" / "data"
OUT = ROOT / "lambda" / "closer_together" / "content" / "en-US" / "safety_model.json"
EPOCHS = 30
RATE = 0.2
L2 = 1e-4
KEEP = 0.15  # weights smaller than this are dropped: a smaller file, the same answers


def training_data(leave_out: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    data = [row for name in SAFETY_DEVELOPMENT for row in rows(name)]
    for name in SAFETY_LEARNT:
        if name not in leave_out:
            data += rows(name)
    data += [(c, t) for c, t in rows("crisis_phrasings.txt", "|") if c in ("crisis", "abuse")]
    ordinary = (DATA / "ordinary_answers.txt").read_text("utf-8").splitlines()
    data += [("ordinary", t.strip()) for t in ordinary if t.strip() and not t.startswith("#")]
    data += [("ordinary", u) for c, u in load_couple_speech() if c == "answer"]
    return data


Weights = dict[str, dict[str, float]]


def train(data: list[tuple[str, str]]) -> tuple[Weights, dict[str, float]]:
    weights: dict[str, dict[str, float]] = {c: defaultdict(float) for c in CLASSES}
    bias = dict.fromkeys(CLASSES, 0.0)
    examples = [(features(normalise(text)), label) for label, text in data]
    shuffle = random.Random(7)
    for _ in range(EPOCHS):
        shuffle.shuffle(examples)
        for feats, label in examples:
            scores = {c: bias[c] + sum(weights[c][f] for f in feats) for c in CLASSES}
            top = max(scores.values())
            exp = {c: math.exp(scores[c] - top) for c in CLASSES}
            total = sum(exp.values())
            for c in CLASSES:
                gradient = exp[c] / total - (1.0 if c == label else 0.0)
                bias[c] -= RATE * gradient
                for f in feats:
                    weights[c][f] -= RATE * (gradient + L2 * weights[c][f])
    pruned = {
        c: {f: round(w, 3) for f, w in sorted(ws.items()) if abs(w) >= KEEP}
        for c, ws in weights.items()
    }
    return pruned, {c: round(b, 3) for c, b in bias.items()}


def hold_out(names: tuple[str, ...], weights: Weights, bias: dict[str, float]) -> None:
    """The whole net's figures on corpora the model did not learn from, by threshold."""
    lines = [row for name in names for row in rows(name)]
    base = net()
    for veto in (1.0, 0.999, 0.99, 0.95):
        for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
            model = Model(threshold, 0.9, veto, bias, weights)
            found = [find(normalise(text), base._replace(model=model)) for _, text in lines]
            total: Counter[str] = Counter(c for c, _ in lines)
            hits: Counter[str] = Counter(
                c for (c, _), f in zip(lines, found, strict=True) if f and f[0].value == c
            )
            alarms = sum(
                1
                for (c, _), f in zip(lines, found, strict=True)
                if c == "ordinary" and f and f[0].value in ("crisis", "abuse")
            )
            print(
                f"veto {veto} threshold {threshold}:"
                f" crisis {hits['crisis'] / total['crisis']:.1%}"
                f" abuse {hits['abuse'] / total['abuse']:.1%}"
                f" false alarms {alarms}/{total['ordinary']}"
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--arbitrate", type=float, default=0.9)
    parser.add_argument("--veto", type=float, default=1.0)
    parser.add_argument("--hold-out", nargs="+", default=())
    args = parser.parse_args()
    weights, bias = train(training_data(tuple(args.hold_out)))
    if args.hold_out:
        hold_out(tuple(args.hold_out), weights, bias)
        return 0
    model = {
        "_about": "Made by scripts/train_safety_model.py from the development corpora and the"
        " corpora written apart, each after it was measured unseen."
        " A line is a concern when P(crisis) + P(abuse) exceeds the threshold; a rule's or"
        " frame's hit is crisis (abuse) when P(crisis | concern) exceeds arbitrate"
        " (is below 1 - arbitrate); a frame's hit is set aside when P(ordinary) exceeds veto.",
        "threshold": args.threshold,
        "arbitrate": args.arbitrate,
        "veto": args.veto,
        "bias": bias,
        "weights": weights,
    }
    OUT.write_text(json.dumps(model, separators=(",", ":"), sort_keys=True) + "\n", "utf-8")
    print(f"{sum(len(w) for w in weights.values())} weights -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
