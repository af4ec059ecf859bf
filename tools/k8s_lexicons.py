#!/usr/bin/python3
"""Prints the vigil-lexicons Kubernetes ConfigMap made from a lexicon dir.

    tools/k8s_lexicons.py [--lexicons lexicons] [--namespace vigil] | kubectl apply -f -

ConfigMap keys cannot hold "/", so lexicons/learned/insult.tsv becomes the
key "learned.insult.tsv"; deploy/k8s/deployment.yaml maps each key back to
its path (tests/deploy/deploy_test.py checks that the two agree). The output
is JSON, which kubectl reads as YAML. Fails when the data would not fit a
ConfigMap (1 MiB).
"""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT = 1024 * 1024  # Kubernetes' size limit for a ConfigMap


def lexicon_files(directory):
    """(key, relative path, text) for every file under `directory`."""
    files = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            relative = os.path.relpath(path, directory)
            with open(path, encoding="utf-8") as f:
                files.append((relative.replace(os.sep, "."), relative, f.read()))
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
    size = sum(len(key) + len(text.encode()) for key, _, text in files)
    if size > LIMIT:
        sys.exit(f"k8s_lexicons: {size} bytes do not fit a ConfigMap ({LIMIT})")
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "vigil-lexicons",
            "namespace": args.namespace,
            "labels": {"app.kubernetes.io/name": "vigil"},
        },
        "data": {key: text for key, _, text in files},
    }
    json.dump(configmap, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
