#!/usr/bin/python3
"""ViLexNorm error-reduction rate of `vigil normalize` (measuring only).

ViLexNorm (../shared/data/vilexnorm, CC BY-NC-SA: measuring only, nothing
derived from it ships) pairs social-media sentences with their normalized
form. For each original whitespace token, the gold is what it became in the
normalized sentence (aligned with difflib: equal runs token by token, a
replaced token by what replaced it, one or several words); tokens in other
changes (n tokens to m, n > 1 and n != m) are left out and counted. vigil's
output for a token is the normalized text of the tokens inside its bytes
(`vigil normalize --json`, with `--restore` the restored words). Compared
in lower case, without spaces (vigil splits punctuation off words).

  accuracy = tokens whose output equals the gold / tokens
  ERR = (accuracy - accuracy of leaving every token as is)
        / (1 - accuracy of leaving every token as is)

Run from the repository root after building:
  /usr/bin/python3 tools/quality/vilexnorm_err.py [--restore]
      [--lexicons DIR] [FILE]
"""
import csv
import difflib
import json
import subprocess
import sys


def units(original, normalized):
    """(begin, end, gold) per original token that aligns."""
    spans, pos = [], 0
    for tok in original.split():
        begin = original.index(tok, pos)
        pos = begin + len(tok)
        spans.append((len(original[:begin].encode()),
                      len(original[:pos].encode()), tok))
    a = [t for _, _, t in spans]
    b = normalized.split()
    out, skipped = [], 0
    matcher = difflib.SequenceMatcher(a=[t.lower() for t in a],
                                      b=[t.lower() for t in b],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                out.append((spans[i1 + k][0], spans[i1 + k][1], b[j1 + k]))
        elif op == "replace" and i2 - i1 == 1:
            out.append((spans[i1][0], spans[i1][1], " ".join(b[j1:j2])))
        else:
            skipped += i2 - i1
    return out, skipped


def squash(s):
    return "".join(s.lower().split())


def main():
    args, files = [], []
    argv = sys.argv[1:]
    while argv:
        a = argv.pop(0)
        if a == "--lexicons" and argv:  # another lexicon directory
            args += [a, argv.pop(0)]
        elif a.startswith("--"):
            args.append(a)
        else:
            files.append(a)
    path = files[0] if files else "../shared/data/vilexnorm/dev.csv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    originals = [r["original"].replace("\n", " ") for r in rows]
    proc = subprocess.run(["build/vigil", "normalize", "--json"] + args,
                          input="\n".join(originals) + "\n",
                          capture_output=True, text=True, check=True)
    outputs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(outputs) == len(rows)
    total = right = bare_right = skipped = 0
    for row, original, out in zip(rows, originals, outputs):
        aligned, s = units(original, row["normalized"].replace("\n", " "))
        skipped += s
        for begin, end, gold in aligned:
            words = []
            for t in out["tokens"]:
                if begin <= t["begin"] and t["end"] <= end:
                    r = t.get("restoration")
                    words.append(r["best"] if r and r["restored"] else
                                 t["text"])
            written = original.encode()[begin:end].decode()
            total += 1
            right += squash(" ".join(words)) == squash(gold)
            bare_right += squash(written) == squash(gold)
    acc, base = right / total, bare_right / total
    print(f"{path}: {len(rows)} sentences, {total} tokens aligned "
          f"({skipped} left out)")
    print(f"  leaving tokens as written  {base:.4f}")
    print(f"  vigil normalize {' '.join(args):10s} {acc:.4f}")
    print(f"  error-reduction rate       {(acc - base) / (1 - base):.4f}")


if __name__ == "__main__":
    main()
