"""Writes tiny.pth: a torch.save-shaped zip of a score_sde-shaped dict
{optimizer, model, ema, step} with two parameters, the buffer sigmas
(float64) and one frozen parameter W, small enough to seed the fuzzer.

Needs only the Python standard library: stand-ins for torch's storage class
and tensor rebuild function are registered under torch's names, so pickle
writes the same global references as torch.save does.

    python3 gen_tiny.py   # in this directory
"""
import collections
import io
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


def main():
    w = Tensor("0", FloatStorage, "f", [0.5, -1.0, 2.0, 0.25, 3.0, -0.5], [2, 3])
    b = Tensor("1", FloatStorage, "f", [0.1, 0.2], [2])
    fw = Tensor("2", FloatStorage, "f", [1.5], [1])
    sig = Tensor("3", DoubleStorage, "d", [50.0, 1.0, 0.01], [3])
    ema_w = Tensor("4", FloatStorage, "f", [0.4, -0.9, 1.9, 0.2, 2.9, -0.4], [2, 3])
    ema_b = Tensor("5", FloatStorage, "f", [0.11, 0.19], [2])
    model = collections.OrderedDict([
        ("module.sigmas", sig), ("module.all_modules.0.W", fw),
        ("module.all_modules.1.weight", w), ("module.all_modules.1.bias", b)])
    state = {
        "optimizer": {"state": {}, "param_groups": [{"lr": 2e-4, "params": [0, 1, 2]}]},
        "model": model,
        "ema": {"decay": 0.999, "num_updates": 0, "shadow_params": [ema_w, ema_b]},
        "step": 7,
    }
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(state)
    entries = [("archive/data.pkl", buf.getvalue())]
    entries += [("archive/data/" + t.key, t.data) for t in (w, b, fw, sig, ema_w, ema_b)]
    entries += [("archive/version", b"3\n")]
    with zipfile.ZipFile("tiny.pth", "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            # A fixed date keeps the file the same from run to run.
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)


if __name__ == "__main__":
    main()
