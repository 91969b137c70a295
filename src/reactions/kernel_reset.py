"""A warm kernel's reset (reactions.warm): what a page changed, put back before the next page.

Runs inside the kernel. `install` (the kernel's prelude) records the state a reset returns to
and puts `reset` in `sys.modules["_reactions_warm"]`; reactions.warm calls it after each page.

First the reset checks everything a page could change against a snapshot taken when the kernel
was started, after its warm-up imports (`Snapshot`, taken by the first reset), and puts back
what changed:

- every attribute of every module loaded then (and `sys.modules` itself), and of every class
  those modules define whose attributes can be set: an attribute replaced or deleted is set
  back to the very object it was (`html.escape = ...`, `pandas.isna = ...`,
  `pandas.DataFrame.to_html = ...`); one added is removed when a page made it (a function,
  class or instance of the page's `__main__`), kept otherwise: what a library adds to itself
  (a cache, an accessor registered by an import) a fresh kernel adds too. In the kernel's own
  machinery (KERNEL_MODULES: pyzmq, ipykernel, IPython, ...), which changes as it serves
  requests, only what a page made is put back;
- `sys.path`, `sys.meta_path`, `sys.path_hooks`, `os.environ` (and `time.tzset` if TZ moved),
  the working directory, the locale (`setlocale(LC_ALL)`), numpy's error state, error callback
  and print options, the handlers of every signal, interval timers (`signal.alarm`), the
  recursion limit, tracing and profiling functions, the decimal context, the default socket
  timeout, logging's root level, handlers and `logging.disable`, the garbage collector's
  switch and thresholds.

Then it starts IPython's session again (namespace, history, execution count), drops every
module of the `reactions` package but this one and reactions.kernel_side (the next page
imports them again: no page's change to them and no module-level cache survives), and puts back
the working directory, warning filters (and so the registries of warnings already shown),
pandas options (through pandas' public options API), altair's data transformer, renderer and
theme and the random generators' states. The objects left after the first reset (the modules
imported at the start) are frozen (`gc.freeze`) once, out of later collections.

What cannot be put back fails the reset (`NotRestored`, after everything else is put back):
reactions.warm then drops the kernel and the next page gets a fresh one. That is a thread
running a page's code, a signal handler not set from Python, a locale the system no longer
accepts, an attribute of a class that refuses to be set, or a function a page made found in a
module the page imported first. A module first imported by a page is kept (taking it out would
leave two copies of its classes, and an extension module cannot be loaded twice) and checked
from then on, as it was when that page ended: a page that both first imports a module and
changes it otherwise is not seen. Objects are compared by identity: what a page changes inside a
mutable object (a module's dict or list) is not seen, except for the lists and settings above.

The check costs 15-35 ms a page over 2,000 modules and 5,000 classes (140,000 attributes): its
comparisons run in C (`Attributes.same`), and the kernel runs it while the worker exports the
page. tests/test_warm.py measures it.

This module stays loaded across resets (with reactions.kernel_side, the kernel's own code, the
modules of the package that do): it holds the snapshot. It imports only the standard library,
and binds the builtins it calls, so a page that replaces one (`builtins.vars = ...`) does not
change how the check runs.
"""

from __future__ import annotations

import functools
import gc
import importlib
import locale
import operator
import os
import random
import signal
import sys
import threading
import time
import types
import warnings

# The builtins the check calls, bound here: a page that replaces one in `builtins` (the check
# puts it back) does not change how the check runs.
from builtins import (  # noqa: UP029
    all,
    dict,
    dir,
    getattr,
    id,
    isinstance,
    len,
    list,
    map,
    repr,
    set,
    tuple,
    type,
    vars,
    zip,
)
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

STATE_MODULE = "_reactions_warm"  # where the kernel's reset lives (reactions.warm calls it)
MEMO_MODULE = "_reactions_drawn"  # reactions.vega's pictures: kept across pages by design
# Modules that are not checked: the user namespace (IPython's reset), the reset's own state,
# the picture memo, and the package (dropped at every reset).
UNCHECKED = frozenset({"__main__", STATE_MODULE, MEMO_MODULE})
# The package's modules the reset keeps loaded: itself (it holds the snapshot; the reset does
# not reset itself) and the kernel's own code (reactions.kernel_side: the class running the
# kernel's IOPub pipe, the prelude). Every other module of the package is dropped.
KEPT = frozenset({__name__, "reactions.kernel_side"})


# The kernel's own machinery changes its modules' state as it serves requests (pyzmq starts its
# garbage collector on the first large message): there only what a page made is put back.
KERNEL_MODULES = frozenset(
    {
        "IPython",
        "comm",
        "ipykernel",
        "jupyter_client",
        "jupyter_core",
        "tornado",
        "traitlets",
        "zmq",
    }
)


class NotRestored(RuntimeError):
    """A page changed what the reset cannot put back: the kernel is to be replaced."""


def checked_module(name: str) -> bool:
    return not (name in UNCHECKED or name == "reactions" or name.startswith("reactions."))


def page_made(value: object) -> bool:
    """A function or class a page's cell defined, or an instance of such a class (their module
    is the user namespace)."""
    return "__main__" in (
        getattr(value, "__module__", None),
        getattr(type(value), "__module__", None),
    )


def replaced(before: object, now: object) -> bool:
    """Another object; a bound method made again of the same function and object is not
    (ipykernel binds `builtins.input` and `getpass.getpass` anew for every request)."""
    if now is before:
        return False
    return not (isinstance(now, types.MethodType) and now == before)


@dataclass(slots=True)
class Attributes:
    """The attributes of a module or class as they were: names and the objects they named."""

    owner: Any
    names: tuple[str, ...]
    values: tuple[object, ...]
    kernel: bool  # of the kernel's own machinery (KERNEL_MODULES)

    @classmethod
    def of(cls, owner: Any, kernel: bool) -> Attributes:
        namespace = vars(owner)
        return cls(owner, tuple(namespace), tuple(namespace.values()), kernel)

    def same(self) -> bool:
        """Every name names the same object, in the same order (the fast path: all in C)."""
        namespace = vars(self.owner)
        return (
            len(namespace) == len(self.names)
            and all(map(operator.is_, namespace, self.names))
            and all(map(operator.is_, namespace.values(), self.values))
        )

    def put_back(self) -> list[str]:
        """Set back what was replaced or deleted, remove what was added; say what it did."""
        label = getattr(self.owner, "__name__", repr(self.owner))
        if not isinstance(self.owner, types.ModuleType):
            label = f"{getattr(self.owner, '__module__', '?')}.{self.owner.__qualname__}"
        now = dict(vars(self.owner))
        before = dict(zip(self.names, self.values, strict=True))
        done = []
        for name, value in before.items():
            if self.kernel and not page_made(now.get(name)):
                continue  # the kernel's own state, as it serves requests
            if name not in now:
                self._set(name, value)
                done.append(f"{label}.{name} (deleted) put back")
            elif replaced(value, now[name]):
                self._set(name, value)
                done.append(f"{label}.{name} put back")
        for name in now.keys() - before.keys():
            # What a library adds to itself (a cache, an accessor registered by a module's
            # import) is what a fresh kernel would add too: kept. What a page made is not.
            if page_made(now[name]):
                self._delete(name)
                done.append(f"{label}.{name} (added) removed")
        fresh = Attributes.of(self.owner, self.kernel)  # the same objects, perhaps reordered
        self.names, self.values = fresh.names, fresh.values
        return done

    def _set(self, name: str, value: object) -> None:
        try:
            if isinstance(self.owner, types.ModuleType):
                vars(self.owner)[name] = value  # past a module class's own __setattr__
            else:
                type.__setattr__(self.owner, name, value)
        except (AttributeError, TypeError) as error:
            raise NotRestored(f"cannot set {self.owner!r}.{name} back: {error}") from None

    def _delete(self, name: str) -> None:
        try:
            if isinstance(self.owner, types.ModuleType):
                del vars(self.owner)[name]
            else:
                type.__delattr__(self.owner, name)
        except (AttributeError, TypeError, KeyError) as error:
            raise NotRestored(f"cannot remove {self.owner!r}.{name}: {error}") from None


@dataclass(slots=True)
class Setting:
    """A piece of process state: how to read it, compare it, and write it back."""

    name: str
    read: Callable[[], Any]
    write: Callable[[Any], object]
    same: Callable[[Any, Any], bool] = operator.eq
    saved: Any = None

    def record(self) -> Setting:
        self.saved = self.read()
        return self

    def put_back(self) -> list[str]:
        if self.same(self.saved, self.read()):
            return []
        try:
            self.write(self.saved)
        except NotRestored:
            raise
        except Exception as error:
            raise NotRestored(f"cannot put {self.name} back: {error}") from None
        return [f"{self.name} put back"]


def same_objects(before: list[object], now: list[object]) -> bool:
    return len(before) == len(now) and all(map(operator.is_, before, now))


IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: built-in and most extension types


def classes_of(module: types.ModuleType) -> Iterator[type]:
    """The classes a module defines (not those it imports from elsewhere) whose attributes can
    be set (an extension type's cannot: nothing to check)."""
    name = module.__name__
    for value in list(vars(module).values()):
        if (
            isinstance(value, type)
            and not value.__flags__ & IMMUTABLE_TYPE
            and value.__dict__.get("__module__") == name
        ):
            yield value


class Snapshot:
    """What a page could change in this process, recorded now; `put_back` checks and restores."""

    def __init__(self) -> None:
        self.modules: dict[str, object] = {}  # sys.modules as it was
        self.attributes: dict[int, Attributes] = {}  # by id of module or class
        self.threads = set(threading.enumerate())
        for name, module in list(sys.modules.items()):
            self._adopt(name, module)
        self.settings = [setting.record() for setting in settings()]

    def _adopt(self, name: str, module: object) -> None:
        self.modules[name] = module
        if not self._checked(name, module) or not isinstance(module, types.ModuleType):
            return
        kernel = name.split(".")[0] in KERNEL_MODULES
        for owner in (module, *classes_of(module)):
            if id(owner) not in self.attributes:
                self.attributes[id(owner)] = Attributes.of(owner, kernel)

    @staticmethod
    def _checked(name: str, module: object) -> bool:
        """Not the user namespace under another name either (multiprocessing's __mp_main__)."""
        return checked_module(name) and module is not sys.modules.get("__main__")

    def changed(self) -> list[Attributes]:
        """The modules and classes whose attributes differ (the cheap check)."""
        return [attributes for attributes in self.attributes.values() if not attributes.same()]

    def put_back(self) -> list[str]:
        """Restore what a page changed; say what. Raises NotRestored, after restoring all it
        can, when something cannot be put back (then the kernel is to be replaced)."""
        done: list[str] = []
        problems: list[str] = []

        def attempt(step: Callable[[], list[str]]) -> None:
            try:
                done.extend(step())
            except NotRestored as error:
                problems.append(str(error))

        modules = sys.modules
        for name, module in self.modules.items():
            if self._checked(name, module) and modules.get(name) is not module:
                modules[name] = module  # type: ignore[assignment]
                done.append(f"sys.modules[{name!r}] put back")
        for name in [name for name in modules if name not in self.modules]:
            module = modules[name]
            if self._checked(name, module) and isinstance(module, types.ModuleType):
                made = [key for key, value in vars(module).items() if page_made(value)]
                if made:
                    problems.append(f"{name} (first imported by a page) holds its {made}")
            self._adopt(name, module)
        for attributes in self.changed():
            attempt(attributes.put_back)
        for setting in self.settings:
            attempt(setting.put_back)
        # A Thread keeps the function it runs in the private `_target` (no public accessor):
        # read, never changed, with getattr (a thread subclass may not have it).
        started = [
            thread
            for thread in threading.enumerate()
            if thread not in self.threads
            and (page_made(thread) or page_made(getattr(thread, "_target", None)))
        ]
        if started:  # a library's own (pyzmq's garbage collector, a pool's worker) is kept
            problems.append(f"threads running a page's code: {started}")
        if problems:
            raise NotRestored("; ".join(problems))
        return done


def settings() -> list[Setting]:
    """The process state checked beside module attributes (module-specific ones only when the
    module was loaded)."""

    def set_path(value: list[str]) -> None:
        sys.path[:] = value

    def set_meta_path(value: list[Any]) -> None:
        sys.meta_path[:] = value

    def set_path_hooks(value: list[Any]) -> None:
        sys.path_hooks[:] = value

    def set_environ(value: dict[str, str]) -> None:
        zone = os.environ.get("TZ")
        os.environ.clear()
        os.environ.update(value)
        if zone != value.get("TZ"):
            time.tzset()  # (time.tzname is then a new tuple: put back by the next reset)

    def set_gc(value: bool) -> None:
        (gc.enable if value else gc.disable)()

    found = [
        Setting("sys.path", lambda: list(sys.path), set_path),
        Setting("sys.meta_path", lambda: list(sys.meta_path), set_meta_path, same_objects),
        Setting("sys.path_hooks", lambda: list(sys.path_hooks), set_path_hooks, same_objects),
        Setting("os.environ", lambda: dict(os.environ), set_environ),
        Setting("working directory", os.getcwd, os.chdir),
        Setting("locale", lambda: locale.setlocale(locale.LC_ALL), set_locale),
        Setting("recursion limit", sys.getrecursionlimit, sys.setrecursionlimit),
        Setting("trace function", sys.gettrace, sys.settrace, operator.is_),
        Setting("profile function", sys.getprofile, sys.setprofile, operator.is_),
        Setting("garbage collection", gc.isenabled, set_gc),
        Setting("gc thresholds", gc.get_threshold, lambda value: gc.set_threshold(*value)),
    ]
    for number in sorted(signal.valid_signals()):
        if number in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.getsignal(number)
        except (OSError, ValueError):
            continue
        found.append(
            Setting(
                f"handler of signal {number}",
                functools.partial(signal.getsignal, number),
                functools.partial(set_handler, number),
                operator.is_,
            )
        )
    for timer in ("ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF"):
        which = getattr(signal, timer)
        found.append(
            Setting(
                f"signal.{timer}", functools.partial(armed, which), functools.partial(disarm, which)
            )
        )
    modules = sys.modules
    if "numpy" in modules:
        numpy: Any = modules["numpy"]
        found += [
            Setting("numpy error state", numpy.geterr, lambda value: numpy.seterr(**value)),
            Setting("numpy error callback", numpy.geterrcall, numpy.seterrcall, operator.is_),
            Setting(
                "numpy print options",
                numpy.get_printoptions,
                lambda value: numpy.set_printoptions(**value),
            ),
        ]
    if "decimal" in modules:
        decimal: Any = modules["decimal"]
        found.append(
            Setting(
                "decimal context",
                lambda: decimal.getcontext().copy(),
                lambda value: decimal.setcontext(value.copy()),
                lambda before, now: repr(before) == repr(now),
            )
        )
    if "socket" in modules:
        socket: Any = modules["socket"]
        found.append(
            Setting("socket default timeout", socket.getdefaulttimeout, socket.setdefaulttimeout)
        )
    if "logging" in modules:
        logging: Any = modules["logging"]

        def set_logging(value: tuple[int, list[Any], int]) -> None:
            logging.root.setLevel(value[0])
            logging.root.handlers[:] = value[1]
            logging.disable(value[2])

        found.append(
            Setting(
                "logging root",
                lambda: (
                    logging.root.level,
                    list(logging.root.handlers),
                    logging.root.manager.disable,
                ),
                set_logging,
                lambda before, now: (
                    before[0] == now[0] and same_objects(before[1], now[1]) and before[2] == now[2]
                ),
            )
        )
    return found


def set_locale(value: str) -> None:
    try:
        locale.setlocale(locale.LC_ALL, value)
    except locale.Error as error:
        raise NotRestored(f"cannot set the locale back to {value!r}: {error}") from None


def set_handler(number: int, handler: Any) -> None:
    if handler is None:  # a handler not set from Python: it cannot be set again
        raise NotRestored(f"the handler of signal {number} was not set from Python")
    signal.signal(number, handler)


def armed(which: int) -> bool:
    return signal.getitimer(which) != (0.0, 0.0)


def disarm(which: int, was_armed: bool) -> None:
    if was_armed:
        raise NotRestored("an interval timer the kernel had running was stopped")
    signal.setitimer(which, 0)


def read_pandas_options(pandas: Any) -> dict[str, Any]:
    """Every pandas option and its value, read through `pandas.options` (each level of option
    names is an attribute; `dir` lists a level's names). Reading a deprecated option warns
    (pandas 3 keeps five): not here."""
    found: dict[str, Any] = {}
    level = type(pandas.options)

    def read(node: Any, prefix: str) -> None:
        for name in dir(node):
            value = getattr(node, name)
            if isinstance(value, level):
                read(value, f"{prefix}{name}.")
            else:
                found[prefix + name] = value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read(pandas.options, "")
    return found


def unchanged(before: object, now: object) -> bool:
    try:
        return now is before or bool(now == before)
    except Exception:  # a value that cannot say (an array): set back
        return False


def put_back_pandas_options(pandas: Any, saved: dict[str, Any]) -> None:
    """Set each option a page changed back with `pandas.set_option` (its validator and
    callback run, as when the page set it). One pandas cannot set back fails the reset."""
    now = read_pandas_options(pandas)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setting a deprecated option warns
        for key, value in saved.items():
            if key in now and not unchanged(value, now[key]):
                try:
                    pandas.set_option(key, value)
                except Exception as error:
                    raise NotRestored(f"cannot set pandas option {key} back: {error}") from None


def install(check: bool) -> None:
    """Record the state a reset returns to and put the reset in sys.modules[STATE_MODULE] (the
    kernel's prelude calls this after its warm-up imports). With `check` (a kernel that renders
    page after page), the first reset, which follows at once, takes the snapshot of what pages
    could change, and every later one checks it and puts back what a page changed."""
    import altair
    import numpy
    import pandas

    shell: Any = importlib.import_module("IPython").get_ipython()
    cwd = os.getcwd()
    filters = list(warnings.filters)
    pandas_options = read_pandas_options(pandas)
    random_state = random.getstate()
    numpy_random = numpy.random.get_state()
    registries: list[tuple[Any, str, dict[str, Any]]] = [
        (registry, registry.active, dict(registry.options))
        for registry in (altair.data_transformers, altair.renderers)
    ]
    theme = altair.theme.active
    snapshot: list[Snapshot] = []  # taken by the first reset
    frozen: list[int] = []  # the objects the first reset froze (gc.freeze), how many

    def reset() -> list[str]:
        """Reset the kernel (see the module's docstring); what it put back, in words."""
        # First what a page changed in modules, classes and the process (before IPython's
        # reset, which would call a method a page replaced), then what is reset every time.
        mark = time.perf_counter()
        done = snapshot[0].put_back() if snapshot else []
        state.check_seconds = time.perf_counter() - mark  # type: ignore[attr-defined]
        shell.reset(new_session=True)  # namespace, history, outputs, execution count
        for name in [name for name in sys.modules if not checked_module(name)]:
            if name.startswith("reactions") and name not in KEPT:
                del sys.modules[name]
        os.chdir(cwd)
        put_back_pandas_options(pandas, pandas_options)
        # resetwarnings() marks every registry of warnings already shown stale ("once" and
        # "default"); then the filters the kernel started with, in the same list
        warnings.resetwarnings()
        cast(list[Any], warnings.filters)[:] = filters
        random.setstate(random_state)
        numpy.random.set_state(numpy_random)
        for registry, active, options in registries:
            registry.enable(active, **options)
        altair.theme.enable(theme)
        if check and not snapshot:
            snapshot.append(Snapshot())
        gc.collect()
        if not frozen:
            # What is left after the first reset is the state of the modules imported at the
            # start (and the snapshot): frozen, the collections of later pages (IPython's reset
            # runs one as well) skip it (0.13 s each, for 266,000 objects). Once only: what a
            # page leaves behind (a library's cache) is not frozen, so it is still collected
            # when it becomes garbage; frozen at every reset it never would be, page after page.
            gc.freeze()
            frozen.append(gc.get_freeze_count())
        state.restored = done  # type: ignore[attr-defined]
        return done

    state = types.ModuleType(STATE_MODULE, "The warm kernel's reset (reactions.kernel_reset).")
    state.reset = reset  # type: ignore[attr-defined]
    state.snapshot = snapshot  # type: ignore[attr-defined]
    state.restored = []  # type: ignore[attr-defined]
    state.frozen = frozen  # type: ignore[attr-defined]
    sys.modules[STATE_MODULE] = state
