#!/usr/bin/python3
"""Calls a running vigil server from Python (Debian's python3-grpcio).

    examples/python_client.py [--target 127.0.0.1:50051] [--token T]
                              [--source S] [--id-prefix P] TEXT...

Generates the vigil.v1 Python modules from proto/ with protoc and the gRPC
Python plugin (packages protobuf-compiler, protobuf-compiler-grpc) into a
temporary directory, then analyzes each TEXT with AnalysisService.Analyze
and a stream with AnalyzeStream, and prints the verdicts.
"""
import argparse
import importlib
import os
import subprocess
import sys
import tempfile

import grpc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_stubs():
    """Generates and imports vigil/v1/analysis_pb2{,_grpc}."""
    out = tempfile.mkdtemp(prefix="vigil_py_")
    subprocess.run(
        ["protoc", "--proto_path=" + os.path.join(ROOT, "proto"),
         "--python_out=" + out, "--grpc_python_out=" + out,
         "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
         "vigil/v1/analysis.proto"],
        check=True)
    for d in ("vigil", "vigil/v1"):
        open(os.path.join(out, d, "__init__.py"), "a").close()
    sys.path.insert(0, out)
    return (importlib.import_module("vigil.v1.analysis_pb2"),
            importlib.import_module("vigil.v1.analysis_pb2_grpc"))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", default="127.0.0.1:50051")
    parser.add_argument("--token", help="bearer token, if the server has tokens")
    parser.add_argument("--source", default="", help="the posts' source")
    parser.add_argument("--id-prefix", default="py-",
                        help="post ids are this prefix + a number")
    parser.add_argument("--no-stream", action="store_true",
                        help="skip the AnalyzeStream part")
    parser.add_argument("texts", nargs="+")
    args = parser.parse_args()
    pb, pb_grpc = load_stubs()
    metadata = [("authorization", "Bearer " + args.token)] if args.token else []
    with grpc.insecure_channel(args.target) as channel:
        stub = pb_grpc.AnalysisServiceStub(channel)
        for i, text in enumerate(args.texts):
            response = stub.Analyze(
                pb.AnalyzeRequest(post=pb.Post(id=f"{args.id_prefix}{i}",
                                               source=args.source, text=text)),
                metadata=metadata, timeout=10)
            v = response.verdict
            print(f"{response.post_id}: flagged={v.flagged} "
                  f"categories={list(v.flagged_categories)} "
                  f"lexicon={v.lexicon_version}")
            for hit in v.hits:
                span = text.encode()[hit.begin:hit.end].decode()
                print(f"  {hit.category}: '{span}' = {hit.term} "
                      f"(weight {hit.weight:.1f}, via {list(hit.via)})")
        if args.no_stream:
            return
        requests = (pb.AnalyzeRequest(post=pb.Post(id=f"stream-{i}", text=t))
                    for i, t in enumerate(args.texts))
        flagged = [r.post_id for r in stub.AnalyzeStream(
            requests, metadata=metadata, timeout=10) if r.verdict.flagged]
        print("stream flagged:", flagged)


if __name__ == "__main__":
    main()
