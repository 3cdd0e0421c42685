#!/usr/bin/python3
"""Writes split_fixtures.json: the rows Dataset.Split and Folds.KFold choose for a seed, computed here from the published
algorithms, not from FastNN: SplitMix64 seeding xoshiro256** (D. Blackman, S. Vigna, https://prng.di.unimi.it/
xoshiro256starstar.c, splitmix64.c), Lemire's unbiased bounded integer from the high 32 bits of a draw (2019), and
Fisher-Yates from the last index down, as Dataset.Split documents its steps: shuffle the rows (or each class's rows, in
class order, stratified), hold out round-half-away-from-zero(fraction * count) from the front, then shuffle the training
part and the validation part with the same generator.

Run once with any python3 (/usr/bin/python3 make_split_fixtures.py); the output is committed and read by
SplitFixtureTests. A seed's split is what a user's held-out figures depend on: a change of it shows here.
"""
import json
import math

MASK = (1 << 64) - 1


def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro:
    def __init__(self, seed):
        seed &= MASK
        self.s = []
        for _ in range(4):
            seed, word = splitmix(seed)
            self.s.append(word)

    def next64(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        product = (self.next64() >> 32) * n
        if (product & 0xFFFFFFFF) < n:
            threshold = (2**32 - n) % n
            while (product & 0xFFFFFFFF) < threshold:
                product = (self.next64() >> 32) * n
        return product >> 32


def shuffle(values, rng):
    for i in range(len(values) - 1, 0, -1):
        j = rng.below(i + 1)
        values[i], values[j] = values[j], values[i]


def round_away(x):
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def split(classes, fraction, seed, stratified):
    rng = Xoshiro(seed)
    rows = range(len(classes))
    groups = [[r for r in rows if classes[r] == c] for c in sorted(set(classes))] if stratified else [list(rows)]
    train, validation = [], []
    for group in groups:
        shuffle(group, rng)
        held = round_away(fraction * len(group))
        validation += group[:held]
        train += group[held:]
    shuffle(train, rng)
    shuffle(validation, rng)
    return train, validation


def kfold(rows, k, seed):
    order = list(range(rows))
    shuffle(order, Xoshiro(seed))
    parts = [[] for _ in range(k)]
    for i, row in enumerate(order):
        parts[i % k].append(row)
    return [sorted(p) for p in parts]


classes = [0] * 14 + [1] * 9 + [2] * 7
cases = []
for fraction, seed, stratified in [(0.25, 0, False), (0.2, 7, False), (0.3, 12345, True), (0.5, -3, True)]:
    train, validation = split(classes, fraction, seed, stratified)
    cases.append({"fraction": fraction, "seed": seed, "stratified": stratified, "train": train, "validation": validation})
folds = [{"rows": 23, "k": 4, "seed": 5, "parts": kfold(23, 4, 5)}]
out = {"magic": "FastNN split fixtures", "version": 1, "classes": classes, "splits": cases, "kfold": folds}
with open("split_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
