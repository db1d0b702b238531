"""Writes tiny.pth and mlp.pth: torch.save-shaped zips of score_sde-shaped
dicts {optimizer, model, ema, step}. tiny.pth has two parameters, the buffer
sigmas (float64) and one frozen parameter W, small enough to seed the
fuzzer; mlp.pth has the parameters of sdevk's MLP of mlp.toml.

Needs only the Python standard library: stand-ins for torch's storage class
and tensor rebuild function are registered under torch's names, so pickle
writes the same global references as torch.save does.

    python3 gen_tiny.py   # in this directory
"""
import collections
import io
import math
import os
import pickle
import struct
import sys
import types
import zipfile

torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils


class FloatStorage:
    pass


class DoubleStorage:
    pass


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


FloatStorage.__module__ = DoubleStorage.__module__ = "torch"
_rebuild_tensor_v2.__module__ = "torch._utils"
torch.FloatStorage, torch.DoubleStorage = FloatStorage, DoubleStorage
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class Storage:
    """A storage record; pickled by reference, as torch.save does."""

    def __init__(self, key, cls, n):
        self.key, self.cls, self.n = key, cls, n


class Tensor:
    """A contiguous tensor over its own storage record."""

    def __init__(self, key, cls, fmt, values, shape):
        self.key, self.shape = key, shape
        self.storage = Storage(key, cls, len(values))
        self.data = struct.pack("<%d%s" % (len(values), fmt), *values)

    def __reduce__(self):
        stride, s = [], 1
        for d in reversed(self.shape):
            stride.insert(0, s)
            s *= d
        return (_rebuild_tensor_v2,
                (self.storage, 0, tuple(self.shape), tuple(stride), False, collections.OrderedDict()))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        # torch.save's reference to a storage: ('storage', class, key, location, size)
        if isinstance(obj, Storage):
            return ("storage", obj.cls, obj.key, "cpu", obj.n)
        return None


def write(path, model, shadow, step, adam=None):
    """Writes a score_sde-shaped checkpoint: model is [(name, tensor)] (the
    names get DataParallel's "module."), shadow the EMA list, adam torch's
    optimizer state {parameter index: {step, exp_avg, exp_avg_sq}}."""
    adam = adam or {}
    state = {
        # torch numbers model.parameters(): the buffer sigmas is not one.
        "optimizer": {"state": adam, "param_groups": [{"lr": 2e-4, "params": list(range(len(model) - 1))}]},
        "model": collections.OrderedDict(("module." + k, v) for k, v in model),
        "ema": {"decay": 0.999, "num_updates": 0, "shadow_params": shadow},
        "step": step,
    }
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(state)
    tensors = [v for _, v in model] + shadow
    tensors += [t for st in adam.values() for t in st.values() if isinstance(t, Tensor)]
    entries = [("archive/data.pkl", buf.getvalue())]
    entries += [("archive/data/" + t.key, t.data) for t in tensors]
    entries += [("archive/version", b"3\n")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            # A fixed date keeps the file the same from run to run.
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)


def tiny():
    w = Tensor("0", FloatStorage, "f", [0.5, -1.0, 2.0, 0.25, 3.0, -0.5], [2, 3])
    b = Tensor("1", FloatStorage, "f", [0.1, 0.2], [2])
    fw = Tensor("2", FloatStorage, "f", [1.5], [1])
    sig = Tensor("3", DoubleStorage, "d", [50.0, 1.0, 0.01], [3])
    ema_w = Tensor("4", FloatStorage, "f", [0.4, -0.9, 1.9, 0.2, 2.9, -0.4], [2, 3])
    ema_b = Tensor("5", FloatStorage, "f", [0.11, 0.19], [2])
    model = [("sigmas", sig), ("all_modules.0.W", fw),
             ("all_modules.1.weight", w), ("all_modules.1.bias", b)]
    # Adam's state of parameter 1 (all_modules.1.weight; 0 is the frozen W,
    # which has none), with the step as a one-element tensor as PyTorch
    # >= 1.12 writes it.
    adam = {1: {"step": Tensor("6", FloatStorage, "f", [7.0], []),
                "exp_avg": Tensor("7", FloatStorage, "f", [0.01, -0.02, 0.03, -0.04, 0.05, -0.06], [2, 3]),
                "exp_avg_sq": Tensor("8", FloatStorage, "f", [1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4], [2, 3])}}
    write("tiny.pth", model, [ema_w, ema_b], 7, adam)


# The parameters of sdevk's MLP for testdata/mlp.toml (2-D data, hidden 8,
# one hidden layer, Fourier embedding of width 4), in its Params() order.
MLP_PARAMS = [
    ("score.temb.fourier", [2]),
    ("score.temb.0.w", [4, 8]), ("score.temb.0.b", [8]),
    ("score.temb.1.w", [8, 8]), ("score.temb.1.b", [8]),
    ("score.h0.w", [10, 8]), ("score.h0.b", [8]),
    ("score.out.w", [8, 2]), ("score.out.b", [2]),
]


def mlp():
    """mlp.pth: weights for sdevk's MLP under score_sde's layout, to test
    import and score end to end before the U-Nets exist. Values are
    deterministic; the EMA differs from the raw weights."""
    model, shadow, key = [], [], 0
    for name, shape in MLP_PARAMS:
        n = 1
        for d in shape:
            n *= d
        raw = [math.sin(1.7 * i + len(name)) * 0.6 for i in range(n)]
        if name.endswith("fourier"):
            raw = [3.0, -5.0]
        model.append((name, Tensor(str(key), FloatStorage, "f", raw, shape)))
        key += 1
        if not name.endswith("fourier"):  # frozen: not in shadow_params
            ema = [0.8 * v + 0.05 for v in raw]
            shadow.append(Tensor(str(key), FloatStorage, "f", ema, shape))
            key += 1
    write("mlp.pth", [("sigmas", Tensor(str(key), DoubleStorage, "d", [10.0, 0.01], [2]))] + model, shadow, 42)


def put_seed(name, b):
    """Writes b as a seed of FuzzRead, in go test's corpus format."""
    text = "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else "\\x%02x" % c for c in b)
    with open(os.path.join("fuzz", "FuzzRead", name), "w") as f:
        f.write('go test fuzz v1\n[]byte("%s")\n' % text)


def seeds():
    """Cut and bit-flipped variants of tiny.pth, and an empty zip."""
    raw = open("tiny.pth", "rb").read()
    os.makedirs(os.path.join("fuzz", "FuzzRead"), exist_ok=True)
    put_seed("cut_directory", raw[:len(raw) - 30])
    put_seed("cut_in_pickle", raw[:300])
    flip = bytearray(raw)
    flip[len(raw) // 3] ^= 0x10
    put_seed("flipped_bit", bytes(flip))
    # The end-of-central-directory record alone, counting no entries.
    eocd = bytearray(raw[raw.rfind(b"PK\x05\x06"):])
    eocd[8:20] = bytes(12)
    put_seed("empty_zip", bytes(eocd))


if __name__ == "__main__":
    tiny()
    mlp()
    seeds()
