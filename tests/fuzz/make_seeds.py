#!/usr/bin/env python3
"""Writes the fuzzing seed corpora of tests/fuzz/seeds/<harness>/ (tests/fuzz/README.md).

Small valid files of each format, written from the format facts in docs/formats.md with the
Python standard library only, plus a few real files copied from tests/data (origin noted in
tests/fuzz/README.md). Run from the repository root: python3 tests/fuzz/make_seeds.py
"""
import io
import json
import os
import pickle
import shutil
import struct
import sys
import types
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "tests", "fuzz", "seeds")
DATA = os.path.join(ROOT, "tests", "data")


def member(z, name, data):
    """Adds a member to ZipFile z with a fixed date (zipfile would stamp the current time), so
    that the seeds are the same bytes on every run."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = z.compression
    z.writestr(info, data)


def put(harness, name, data):
    d = os.path.join(SEEDS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def copy(harness, rel):
    d = os.path.join(SEEDS, harness)
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(DATA, rel), os.path.join(d, os.path.basename(rel)))


def f32(values):
    return struct.pack("<%df" % len(values), *values)


def matrix(rows, cols, seed=1):
    # deterministic, non-trivial values
    return [((i * 7919 + seed * 104729) % 1000) / 500.0 - 1.0 for i in range(rows * cols)]


def npy(shape, values, descr="<f4", fortran=False):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", "".join("%d, " % s for s in shape) if len(shape) != 1 else "%d," % shape[0])
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    body = f32(values) if descr == "<f4" else struct.pack("<%dd" % len(values), *values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + body


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (shape, values) in tensors.items():
        raw = f32(values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def gguf(tensors, alignment=32):
    def string(s):
        b = s.encode()
        return struct.pack("<Q", len(b)) + b

    kv = [("general.architecture", 8, string("llama")), ("general.alignment", 4, struct.pack("<I", alignment))]
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv))
    for key, kind, value in kv:
        out += string(key) + struct.pack("<I", kind) + value
    offset, blobs = 0, []
    for name, (shape, values) in tensors.items():
        # GGUF lists dimensions fastest-first: ne[0] is the row length
        out += string(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in reversed(shape))
        out += struct.pack("<IQ", 0, offset)  # type 0 = F32
        raw = f32(values)
        blobs.append(raw)
        offset += len(raw) + (-len(raw)) % alignment
    out += b"\x00" * ((-len(out)) % alignment)
    for raw in blobs:
        out += raw + b"\x00" * ((-len(raw)) % alignment)
    return out


def torch_checkpoint(tensors, zip_format=True):
    """A torch.save file made without torch: the pickle names torch's rebuild functions and
    storage classes as globals (never imported by setol), storages as persistent ids."""
    torch_utils = types.ModuleType("torch._utils")
    torch_mod = types.ModuleType("torch")
    collections_mod = sys.modules["collections"]

    def _rebuild_tensor_v2(*args):
        raise RuntimeError("never called")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2

    class FloatStorage:
        pass

    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"
    torch_mod.FloatStorage = FloatStorage
    torch_mod._utils = torch_utils
    saved = {k: sys.modules.get(k) for k in ("torch", "torch._utils")}
    sys.modules["torch"], sys.modules["torch._utils"] = torch_mod, torch_utils

    class Tensor:
        def __init__(self, key, shape):
            self.key, self.shape = key, shape

        def __reduce__(self):
            stride, acc = [], 1
            for d in reversed(self.shape):
                stride.insert(0, acc)
                acc *= d
            n = acc
            storage = Storage(self.key, n)
            return (_rebuild_tensor_v2, (storage, 0, tuple(self.shape), tuple(stride), False, collections_mod.OrderedDict()))

    class Storage:
        def __init__(self, key, n):
            self.key, self.n = key, n

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):  # the legacy format adds view metadata (None: no view)
                return ("storage", FloatStorage, obj.key, "cpu", obj.n) + (() if zip_format else (None,))
            return None

    try:
        state = collections_mod.OrderedDict()
        storages = {}
        for i, (name, (shape, values)) in enumerate(tensors.items()):
            state[name] = Tensor(str(i), shape)
            storages[str(i)] = f32(values)
        buf = io.BytesIO()
        P(buf, protocol=2).dump(state)
        pkl = buf.getvalue()
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    if not zip_format:
        # Legacy: magic number, protocol version, sys_info, the object, the sorted storage keys
        # (five pickles), then each storage as a little-endian int64 element count and its data.
        def dump(obj):
            return pickle.dumps(obj, protocol=2)
        sys_info = {"protocol_version": 1001, "little_endian": True,
                    "type_sizes": {"short": 2, "int": 4, "long": 4}}
        keys = sorted(storages)
        out = dump(0x1950a86a20f9469cfc6c) + dump(1001) + dump(sys_info) + pkl + dump(keys)
        for key in keys:
            out += struct.pack("<q", len(storages[key]) // 4) + storages[key]
        return out
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        member(z, "archive/data.pkl", pkl)
        member(z, "archive/version", "3\n")
        for key, raw in storages.items():
            member(z, "archive/data/" + key, raw)
    return out.getvalue()


def onnx_model(tensors):
    """A self-contained ONNX model (protobuf written by hand, field numbers of onnx.proto): each
    (name, shape, values, kind) is an initializer, kind "raw" (FLOAT in raw_data), "float"
    (FLOAT in float_data) or "f16" (FLOAT16 bit patterns in int32_data); one MatMul node uses
    the first, as exported Linear layers do."""
    def varint(n):
        out = b""
        while True:
            b, n = n & 0x7F, n >> 7
            out += bytes([b | (0x80 if n else 0)])
            if not n:
                return out

    def field(number, payload):  # length-delimited
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    def number(number, n):  # varint
        return varint(number << 3) + varint(n)

    graph = b""
    for name, shape, values, kind in tensors:
        t = b"".join(number(1, d) for d in shape)
        if kind == "f16":
            t += number(2, 10) + field(5, b"".join(varint(struct.unpack("<H", struct.pack("<e", v))[0]) for v in values))
        else:
            t += number(2, 1)
            t += field(9, f32(values)) if kind == "raw" else field(4, f32(values))
        graph += field(5, t + field(8, name.encode()))
    node = field(1, b"x") + field(1, tensors[0][0].encode()) + field(2, b"y") + field(4, b"MatMul")
    graph = field(1, node) + field(2, b"g") + graph
    return number(1, 8) + field(8, number(2, 17)) + field(7, graph)


def npz(members, compressed=False):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            member(z, name + ".npy", data)
    return out.getvalue()


def main():
    # Overwrites the files it writes and leaves the others: seeds/jsonl_parts/ is written by setol
    # itself and seeds/hdf5/small_*.h5 by make_hdf5_seeds.cpp (tests/fuzz/README.md).
    w = {"fc1.weight": ([6, 4], matrix(6, 4)), "fc2.weight": ([3, 6], matrix(3, 6, 2)), "fc2.bias": ([3], matrix(3, 1, 3))}

    put("npy", "f4_c.npy", npy([6, 4], matrix(6, 4)))
    put("npy", "f8_fortran.npy", npy([4, 5], matrix(4, 5), "<f8", True))
    put("npy", "vector.npy", npy([7], matrix(7, 1)))
    copy("npy", "corpus/gnubg-nets-1.07/npy/prune_race.output.weight.npy")

    put("safetensors", "three.safetensors", safetensors(w))
    put("safetensors", "metadata.safetensors", safetensors(w, {"format": "pt"}))
    copy("safetensors", "formats/mlp3-fp8/fp8_e5m2.safetensors")

    index = {"metadata": {"total_size": 200}, "weight_map": {"fc1.weight": "model-00001-of-00002.safetensors",
                                                             "fc2.weight": "model-00002-of-00002.safetensors"}}
    put("st_index", "index.json", json.dumps(index, indent=2).encode())
    put("pt_index", "index.json", json.dumps(dict(index, weight_map={k: v.replace(".safetensors", ".bin")
                                                                     for k, v in index["weight_map"].items()})).encode())
    copy("pt_index", "formats/gnubg-nets-1.07/sharded-bin/pytorch_model.bin.index.json")

    put("gguf", "f32.gguf", gguf(w))

    pt = torch_checkpoint(w)
    put("pytorch", "state_dict.bin", pt)
    put("zip", "state_dict.bin", pt)

    members = {"fc1.weight": npy([6, 4], matrix(6, 4)), "fc2.weight": npy([3, 6], matrix(3, 6, 2))}
    put("npz", "stored.npz", npz(members))
    put("npz", "deflated.npz", npz(members, True))
    put("zip", "stored.npz", npz(members))

    copy("onnx", "formats/onnx/gnubg/model_external.onnx")  # its .data file is not there: refused
    put("onnx", "small.onnx", onnx_model([("fc1.weight", [4, 6], matrix(4, 6), "raw"),
                                          ("fc2.weight", [6, 3], matrix(6, 3, 2), "float"),
                                          ("fc3.weight", [3, 2], matrix(3, 2, 3), "f16")]))

    put("pytorch", "legacy.pt", torch_checkpoint(w, zip_format=False))
    copy("hdf5", "corpus/gnubg-nets-1.07/model.h5")
    keras = io.BytesIO()
    with zipfile.ZipFile(keras, "w", zipfile.ZIP_STORED) as z:
        member(z, "metadata.json", json.dumps({"keras_version": "3.0.0"}))
        member(z, "config.json", json.dumps({"class_name": "Sequential", "config": {"layers": []}}))
        with open(os.path.join(DATA, "corpus/gnubg-nets-1.07/model.h5"), "rb") as f:
            member(z, "model.weights.h5", f.read())
    put("keras", "gnubg.keras", keras.getvalue())


if __name__ == "__main__":
    main()
