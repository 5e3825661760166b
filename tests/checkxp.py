"""A checking array module: a stand-in GPU that proves the device seam on a CPU.

``DeviceArray`` holds a NumPy array but is NOT one (as ``cupy.ndarray`` is
not), and ``CheckedXP`` is NumPy's API over such arrays (as ``cupy`` is).
Every operation checks what crosses the seam and fails with ``SeamLeak``:

- a NumPy array mixed into device math (an operand, an ``out=``, an index,
  a value assigned into a device array): host data must be moved with
  ``backend.to_device`` first;
- a device array turned into NumPy implicitly (``np.asarray``, ``np.array``,
  a NumPy function, assignment into a NumPy array): results must come back
  with ``backend.to_host`` (``.get()``, like CuPy);
- the NumPy features CuPy lacks: ``where=`` on a ufunc (CuPy's ``copyto``
  has it), ``ufunc.reduce`` / ``accumulate`` other than add and multiply,
  ``initial=`` / ``where=`` on reductions, ``take(mode=…)``.

Explicit scalar reads (``float(a.sum())``, ``bool``, ``int``) are allowed, as
CuPy allows them (each is a device → host copy of one number).

``COUNTS`` tallies what a GPU would do: "kernels" (array operations that
compute: on CuPy each is at least one kernel launch; views, reshapes and
basic slices are free), "reads" (numbers or arrays copied device → host,
each a synchronisation) and "copies in" (host → device transfers).

``CHECK`` is the backend ``device="check"``, built like the CUDA one: it
copies data in and out as a GPU would, draws dropout masks with the device
generator's formula (``glassnet.gpu.random``), has a fused "adam" kernel,
and a settable amount of free "device memory" (``set_free_bytes``) so both
the whole-training-set-on-the-device path and the batch-by-batch path run.
"""

from __future__ import annotations

import types
from collections import Counter
from dataclasses import replace

import numpy as np

from glassnet.core import backend
from glassnet.fast.adam import adam_update
from glassnet.gpu.random import uniform as splitmix_uniform


class SeamLeak(AssertionError):
    """Host and device arrays met without an explicit transfer."""


class CupyIncompatible(AssertionError):
    """A NumPy feature the GPU's array module (CuPy) does not have."""


COUNTS: Counter = Counter()
_FREE_METHODS = {"reshape", "transpose", "swapaxes", "view", "squeeze", "ravel"}
_FREE_FUNCTIONS = {"empty", "empty_like", "result_type", "dtype", "shape", "ndim"}
_UFUNC_KW = {"out", "dtype", "casting"}
_REDUCING = {"add", "multiply"}
_SCATTERING = {"add", "maximum", "minimum"}
_NO_KW = {"take": {"mode"}, "clip": {"where"}, "sum": {"where", "initial"},
          "max": {"where", "initial"}, "min": {"where", "initial"},
          "amax": {"where", "initial"}, "amin": {"where", "initial"},
          "mean": {"where"}, "all": {"where"}, "any": {"where"},
          "std": {"where"}, "var": {"where"}, "prod": {"where", "initial"}}


def _leak(what: np.ndarray, where: str) -> SeamLeak:
    return SeamLeak(f"a NumPy array {what.shape} {what.dtype} met device arrays in "
                    f"{where}: move it with backend.to_device() first")


def unwrap(x, where: str):
    """The NumPy array behind a device array (recursing into lists, tuples,
    dicts); plain NumPy arrays are refused."""
    if type(x) is DeviceArray:
        return x._a
    if isinstance(x, np.ndarray):
        raise _leak(x, where)
    if isinstance(x, list | tuple):
        return type(x)(unwrap(v, where) for v in x)
    if isinstance(x, dict):
        return {k: unwrap(v, where) for k, v in x.items()}
    return x


def _fancy(key) -> bool:
    """An index with arrays in it (a gather kernel), not basic slicing (a view)."""
    keys = key if isinstance(key, tuple) else (key,)
    return any(type(k) is DeviceArray or isinstance(k, list) for k in keys)


def wrap(r):
    """Device arrays from NumPy results (NumPy scalars become 0-d arrays, as
    CuPy's reductions return 0-d arrays)."""
    if isinstance(r, np.ndarray):
        return DeviceArray(r)
    if isinstance(r, np.generic):
        return DeviceArray(np.asarray(r))
    if isinstance(r, tuple):
        return tuple(wrap(v) for v in r)
    if isinstance(r, list):
        return [wrap(v) for v in r]
    return r


def _check_kw(name: str, kwargs: dict) -> None:
    bad = set(kwargs) & _NO_KW.get(name, set())
    if bad:
        raise CupyIncompatible(f"{name}({', '.join(sorted(bad))}=…) does not exist "
                               "in CuPy")


def _method(name: str):
    def call(self, *args, **kwargs):
        _check_kw(name, kwargs)
        COUNTS["kernels"] += name not in _FREE_METHODS
        COUNTS["reads"] += name == "tolist"
        fn = getattr(self._a, name)
        return wrap(fn(*unwrap(args, f".{name}()"), **unwrap(kwargs, f".{name}()")))
    call.__name__ = name
    return call


def _binary(op):
    def call(self, other):
        COUNTS["kernels"] += 1
        return wrap(op(self._a, unwrap(other, f"operator {op.__name__}")))
    return call


def _reflected(op):
    def call(self, other):
        COUNTS["kernels"] += 1
        return wrap(op(unwrap(other, f"operator {op.__name__}"), self._a))
    return call


def _inplace(op):
    def call(self, other):
        COUNTS["kernels"] += 1
        op(self._a, unwrap(other, f"operator {op.__name__}="), out=self._a)
        return self
    return call


class DeviceArray:
    """An array on the checking device: NumPy inside, not a NumPy array."""

    __slots__ = ("_a",)
    __array_priority__ = 1000
    __hash__ = None

    def __init__(self, a: np.ndarray):
        assert isinstance(a, np.ndarray) and type(a) is np.ndarray, type(a)
        self._a = a

    # -- the seam -----------------------------------------------------------
    def get(self) -> np.ndarray:
        """The explicit device → host copy (CuPy's ``ndarray.get``)."""
        COUNTS["reads"] += 1
        return self._a.copy()

    def __array__(self, dtype=None, copy=None):
        raise SeamLeak(f"a device array {self.shape} was converted to NumPy "
                       "implicitly (np.asarray / np.array / a host array's "
                       "assignment): use backend.to_host()")

    def __array_function__(self, func, types, args, kwargs):
        raise SeamLeak(f"numpy.{func.__name__} was called on a device array: use "
                       "the model's xp for device math, backend.to_host() for "
                       "host work")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # a NumPy scalar on the left (np.float32(2) * a) lands here, as in CuPy
        f = getattr(CheckedUfunc(ufunc), "__call__" if method == "__call__"
                    else method)
        return f(*inputs, **kwargs)

    # -- scalars (explicit reads of one number) ------------------------------
    def __float__(self):
        COUNTS["reads"] += 1
        return float(self._a)

    def __int__(self):
        COUNTS["reads"] += 1
        return int(self._a)

    def __bool__(self):
        COUNTS["reads"] += 1
        return bool(self._a)

    def item(self):
        COUNTS["reads"] += 1
        return self._a.item()

    # -- shape and indexing ---------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    nbytes = property(lambda self: self._a.nbytes)
    itemsize = property(lambda self: self._a.itemsize)
    strides = property(lambda self: self._a.strides)
    T = property(lambda self: DeviceArray(self._a.T))

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (DeviceArray(self._a[i, ...]) for i in range(len(self._a)))

    def __getitem__(self, key):
        COUNTS["kernels"] += _fancy(key)
        key = unwrap(key, "an index")
        r = self._a[key]
        if not isinstance(r, np.ndarray):          # one element: a 0-d view
            r = self._a[(*key, ...) if isinstance(key, tuple) else (key, ...)]
        return DeviceArray(r)

    def __setitem__(self, key, value):
        COUNTS["kernels"] += 1
        self._a[unwrap(key, "an index")] = unwrap(value, "an assignment")

    def __repr__(self):
        return f"DeviceArray({self._a!r})"

    for _name in ("reshape", "transpose", "swapaxes", "ravel", "flatten", "squeeze",
                  "copy", "astype", "fill", "sum", "mean", "max", "min", "std",
                  "var", "all", "any", "argmax", "argmin", "prod", "cumsum", "dot",
                  "clip", "nonzero", "round", "view", "tolist"):
        locals()[_name] = _method(_name)

    for _op, _names in ((np.add, ("add",)), (np.subtract, ("sub",)),
                        (np.multiply, ("mul",)), (np.true_divide, ("truediv",)),
                        (np.floor_divide, ("floordiv",)), (np.power, ("pow",)),
                        (np.remainder, ("mod",)), (np.matmul, ("matmul",)),
                        (np.bitwise_and, ("and",)), (np.bitwise_or, ("or",)),
                        (np.bitwise_xor, ("xor",))):
        locals()[f"__{_names[0]}__"] = _binary(_op)
        locals()[f"__r{_names[0]}__"] = _reflected(_op)
        if _op is not np.matmul:
            locals()[f"__i{_names[0]}__"] = _inplace(_op)
    for _op, _name in ((np.less, "lt"), (np.less_equal, "le"), (np.greater, "gt"),
                       (np.greater_equal, "ge"), (np.equal, "eq"),
                       (np.not_equal, "ne")):
        locals()[f"__{_name}__"] = _binary(_op)
    del _op, _names, _name

    def __neg__(self):
        COUNTS["kernels"] += 1
        return wrap(-self._a)

    def __pos__(self):
        COUNTS["kernels"] += 1
        return wrap(+self._a)

    def __abs__(self):
        COUNTS["kernels"] += 1
        return wrap(abs(self._a))

    def __invert__(self):
        COUNTS["kernels"] += 1
        return wrap(~self._a)


class CheckedUfunc:
    """A NumPy ufunc over device arrays, with CuPy's keywords and methods."""

    def __init__(self, ufunc: np.ufunc):
        self._u = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        bad = set(kwargs) - _UFUNC_KW
        if bad:
            raise CupyIncompatible(f"CuPy's ufuncs take only out=, dtype=, "
                                   f"casting=; {self.__name__} got {sorted(bad)} "
                                   "(for a masked write use xp.copyto(dst, src, "
                                   "where=mask))")
        where = f"xp.{self.__name__}"
        COUNTS["kernels"] += 1
        r = self._u(*unwrap(args, where), **unwrap(kwargs, where))
        return _same_out(r, kwargs.get("out"))

    def _only(self, method: str, names: set[str]):
        COUNTS["kernels"] += 1
        if self.__name__ not in names:
            raise CupyIncompatible(f"CuPy has no {self.__name__}.{method} (only "
                                   f"{sorted(names)}): use the array methods "
                                   "(a.max(axis=…)) instead")

    def reduce(self, a, axis=0, dtype=None, out=None, keepdims=False):
        self._only("reduce", _REDUCING)
        w = f"xp.{self.__name__}.reduce"
        return wrap(self._u.reduce(unwrap(a, w), axis=axis, dtype=dtype,
                                   out=unwrap(out, w), keepdims=keepdims))

    def accumulate(self, a, axis=0, dtype=None, out=None):
        self._only("accumulate", _REDUCING)
        w = f"xp.{self.__name__}.accumulate"
        return wrap(self._u.accumulate(unwrap(a, w), axis=axis, dtype=dtype,
                                       out=unwrap(out, w)))

    def at(self, a, indices, b=None):
        self._only("at", _SCATTERING)
        w = f"xp.{self.__name__}.at"
        self._u.at(unwrap(a, w), unwrap(indices, w), unwrap(b, w))

    def outer(self, A, B, **kwargs):
        COUNTS["kernels"] += 1
        w = f"xp.{self.__name__}.outer"
        return wrap(self._u.outer(unwrap(A, w), unwrap(B, w), **unwrap(kwargs, w)))


def _to_device(a, dtype=None, copy=None):
    """xp.asarray / xp.array: host data is copied in (a transfer), device
    arrays pass through (cast when ``dtype`` differs)."""
    if type(a) is DeviceArray:
        if dtype is None or np.dtype(dtype) == a.dtype:
            return a.copy() if copy else a
        COUNTS["kernels"] += 1
        return DeviceArray(a._a.astype(dtype))
    COUNTS["copies in"] += 1
    if isinstance(a, list | tuple) and any(type(v) is DeviceArray for v in a):
        return DeviceArray(np.array(unwrap(a, "xp.asarray"), dtype=dtype))
    return DeviceArray(np.array(a, dtype=dtype, copy=True))


class CheckedXP(types.ModuleType):
    """NumPy's namespace over device arrays (what ``cupy`` is to CuPy arrays)."""

    def __init__(self, module=np, name: str = "glassnet_checked_xp"):
        super().__init__(name)
        self._np = module
        if module is np:
            self.asarray = self.array = self.ascontiguousarray = _to_device

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        obj = getattr(self._np, attr)
        if isinstance(obj, np.ufunc):
            wrapped = CheckedUfunc(obj)
        elif isinstance(obj, types.ModuleType):
            wrapped = CheckedXP(obj, f"{self.__name__}.{attr}")
        elif callable(obj) and not isinstance(obj, type):
            wrapped = _function(obj, attr)
        else:
            wrapped = obj                     # dtypes, classes, constants
        setattr(self, attr, wrapped)
        return wrapped


def _function(fn, name: str):
    def call(*args, **kwargs):
        _check_kw(name, kwargs)
        where = f"xp.{name}"
        COUNTS["kernels"] += name not in _FREE_FUNCTIONS
        r = fn(*unwrap(args, where), **unwrap(kwargs, where))
        return _same_out(r, kwargs.get("out"))
    call.__name__ = name
    return call


def _same_out(r, out):
    """``out`` itself when the result is written there (as CuPy returns it)."""
    if type(out) is tuple and len(out) == 1:
        out = out[0]
    if type(out) is DeviceArray and r is out._a:
        return out
    return wrap(r)


XP = CheckedXP()
_FREE = {"bytes": 1 << 40}


def set_free_bytes(n: int) -> None:
    """The "device memory" the checking backend reports as free."""
    _FREE["bytes"] = int(n)


def _fill_uniform(key: int, out: DeviceArray) -> DeviceArray:
    COUNTS["kernels"] += 1                    # one kernel on the GPU
    out._a[...] = splitmix_uniform(key, out.shape, out.dtype)
    return out


def _adam(params, grads, m, v, **hyper) -> None:
    """The fused Adam update as the CUDA backend has it: one kernel (here the
    CPU's in-place form on the arrays behind the device arrays)."""
    COUNTS["kernels"] += 1
    a = [unwrap(x, "the adam kernel") for x in (params, grads, m, v)]
    adam_update(np, *a, np.empty_like(a[0]), **hyper)


CHECK = backend.Backend("check", XP, fill_uniform=_fill_uniform,
                        kernels={"adam": _adam}, free_bytes=lambda: _FREE["bytes"],
                        ufunc_where=False)
#: the same device without fused kernels: the formulas' generic xp forms run
PLAIN = replace(CHECK, name="check-plain", kernels={})
backend.register(CHECK)
backend.register(PLAIN)
