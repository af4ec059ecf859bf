#!/usr/bin/python3
"""Prints the vigil-lexicons Kubernetes ConfigMaps made from a lexicon dir.

    tools/k8s_lexicons.py [--lexicons lexicons] [--namespace vigil] | kubectl apply -f -

A ConfigMap holds at most 1 MiB and the learned lexicons are larger than
that together, so the files are packed, in path order, first fit, into
ConfigMaps named vigil-lexicons, vigil-lexicons-2, ...; the pod mounts them
all as one directory (a projected volume in deploy/k8s/deployment.yaml).
ConfigMap keys cannot hold "/", so lexicons/learned/insult.tsv becomes the
key "learned.insult.tsv"; deployment.yaml maps each key back to its path
(tests/deploy/deploy_test.py checks that the two agree). The output is a
JSON List, which kubectl reads as YAML. Fails when one file alone would not
fit a ConfigMap. The syllable language model (lm/syllables.tsv.gz, gzip,
1.3 MB) is left out: it is binary and larger than a ConfigMap. The image
carries it with the rest of lexicons/ (deploy/docker/Dockerfile), so the
manifest's language_model line is pointed at the image's copy (IMAGE_LEXICONS);
a new model reaches the pods with a new image.
"""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT = 1024 * 1024  # Kubernetes' size limit for a ConfigMap
IMAGE_LEXICONS = "/usr/share/vigil/lexicons"  # deploy/docker/Dockerfile


def image_language_model(manifest):
    """The manifest with its language_model file read from the image."""
    lines = []
    for line in manifest.split("\n"):
        cols = line.split("\t")
        if cols[0] == "language_model" and len(cols) == 3 and \
                not cols[1].startswith("/"):
            cols[1] = f"{IMAGE_LEXICONS}/{cols[1]}"
        lines.append("\t".join(cols))
    return "\n".join(lines)


def lexicon_files(directory):
    """(key, relative path, text) for every file under `directory`."""
    files = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            relative = os.path.relpath(path, directory)
            if relative.split(os.sep)[0] == "lm":
                continue  # binary and over a ConfigMap's size: in the image
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if relative == "manifest.tsv":
                text = image_language_model(text)
            files.append((relative.replace(os.sep, "."), relative, text))
    keys = [key for key, _, _ in files]
    if len(set(keys)) != len(keys):
        sys.exit("k8s_lexicons: two files map to the same ConfigMap key")
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lexicons", default=os.path.join(ROOT, "lexicons"))
    parser.add_argument("--namespace", default="vigil")
    args = parser.parse_args()
    files = lexicon_files(args.lexicons)
    # Kubernetes counts the keys and values of a ConfigMap's data.
    budget = LIMIT
    packs = []  # [(size, {key: text})]
    for key, _, text in files:
        size = len(key) + len(text.encode())
        if size > budget:
            sys.exit(f"k8s_lexicons: {key} ({size} bytes) does not fit a "
                     f"ConfigMap ({LIMIT})")
        for i, (used, data) in enumerate(packs):
            if used + size <= budget:
                data[key] = text
                packs[i] = (used + size, data)
                break
        else:
            packs.append((size, {key: text}))
    items = []
    for i, (_, data) in enumerate(packs):
        items.append({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "vigil-lexicons" + ("" if i == 0 else f"-{i + 1}"),
                "namespace": args.namespace,
                "labels": {"app.kubernetes.io/name": "vigil"},
            },
            "data": data,
        })
    json.dump({"apiVersion": "v1", "kind": "List", "items": items}, sys.stdout,
              ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
