"""The sandbox that a site's template overrides and its decks render in (SPEC §3, Templates).

* No access to Python internals, files or the environment: Jinja's SandboxedEnvironment
  (attributes starting with ``_``, functions' globals, unsafe callables are refused), and
  none to pydantic's own API on a record (``PYDANTIC_API``: ``parse_file`` reads any file,
  ``parse_raw(..., proto='pickle')`` unpickles, that is runs code); a record's fields and
  Liaison's own properties stay readable.
* No changing the statistics: the figures a template is given are shared by every page a
  process renders and by the files written after the pages, so a figure's methods that
  change it (``Rov.add``) are refused: a template's ``add`` changed stats.json and
  exports/practices.csv.
* No changing the records: a list or dict a template is given (a practice's tags, the list of
  practices) is shared in the same way, and ``practice.tags.append(x)`` reached the search
  index, on the pages the build rendered (an incremental build renders some), so that the site
  of a build differed from that of a cold one. A list's or a dict's methods that change it are
  refused, but on those the template made itself (``[…]``, ``{…}``, ``dict(…)``, ``a + b``,
  ``|list``, ``|sort``: ``_MadeList``, ``_MadeDict``), so that
  ``{% set _ = keep.append(x) %}`` on a list of its own, a common idiom, stays.
* No huge numbers or strings: an operation that would build an integer of more than
  MAX_INT_BITS bits, or a string or list of more than MAX_SIZE characters or items, is refused
  before it is built (``**``, ``*``, ``+``, ``~``, ``%``, the padding filters and string
  methods). Jinja's sandbox caps ``range()`` at MAX_RANGE items already.
* No hang: a render that runs longer than SECONDS is stopped at the line it has reached.
  The clock is a SIGALRM interval timer, armed once for a batch of renders (``BUDGET.armed()``,
  in the main thread of each process only: the forked workers are each their own main
  thread) and ticking every TICK seconds; a render only notes when it starts
  (``BUDGET.begin()``), so that marking a page costs nothing measurable. What counts is the
  processor time the render has used (a busy CI machine must not fail a large page that
  takes a second: 10,000 physicians' index takes 0.65 s in the sandbox), or WALL_FACTOR times
  the budget of wall-clock time, whichever comes first.

* No taking the machine's memory: the size limits hold for one operation, and a loop keeping
  what each step builds (a million-character string a step, a list that doubles) took all the
  machine's memory within the time budget, and the kernel killed the build. Where the batch
  is armed, a render may take MEMORY bytes of address space more than the process had when
  it began (RLIMIT_AS, set at each render's start, Linux); past that its allocation fails,
  and the render is stopped as one over its time budget is (``TemplateMemory``).

Every refusal is a jinja2 SecurityError (a TemplateError): it becomes a diagnostic at the
template's or the deck's line like any other template error.
"""
from __future__ import annotations

import functools
import os
import random
import re
import signal
import sys
import threading
import time
from contextlib import contextmanager

import jinja2
from jinja2 import filters as jinja_filters
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment, modifies_known_mutable

from liaison.figures import _Figures


class HintedUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose message for a missing attribute or key names the closest one the
    object has: "'dict object' has no attribute 'nmae' (did you mean 'name'?)"."""
    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        message = super()._undefined_message
        obj, name = self._undefined_obj, self._undefined_name
        if obj is jinja2.utils.missing or obj is None or not isinstance(name, str) \
                or self._undefined_hint is not None:  # (the sandbox's "… is unsafe": no other name)
            return message
        from liaison.diagnostics import did_you_mean

        if isinstance(obj, dict):
            names = [k for k in obj if isinstance(k, str)]
        else:
            names = [*getattr(type(obj), "model_fields", ()),
                     *(a for a in dir(obj) if not a.startswith("_") and a not in PYDANTIC_API)]
        return message + did_you_mean(name, list(dict.fromkeys(names)))


_UNDEFINED_NAME = re.compile(r"^'([A-Za-z_][A-Za-z0-9_]*)' is undefined$")


def undefined_name_hint(message: str, names) -> str:
    """For "'physican' is undefined", the closest of the names a template could use (its
    context and the environment's globals): " (did you mean 'physician'?)", or ""."""
    m = _UNDEFINED_NAME.match(message)
    if not m:
        return ""
    from liaison.diagnostics import did_you_mean

    return did_you_mean(m.group(1), sorted({n for n in names if isinstance(n, str) and not n.startswith("_")}))


MAX_SIZE = 1_000_000  # characters of a string, items of a list, built by one operation
MAX_INT_BITS = 10_000  # about 3,000 decimal digits
SECONDS = 5.0  # the wall-clock budget of one render
TICK = 0.5  # how often the timer looks at the render in progress
WALL_FACTOR = 3  # a render stops after SECONDS of processor time or 3 × SECONDS of wall time
MEMORY = 1 << 30  # bytes of address space a render may take beyond what the process had

_NUMBERS = re.compile(r"\d+")


class TemplateTimeout(SecurityError):
    """A render ran over its time budget."""


class TemplateMemory(TemplateTimeout):
    """A render ran over its memory budget (stopped as one over its time budget is: a template
    stopped so is not rendered again for the other pages that use it)."""


def _refuse(what: str) -> SecurityError:
    return SecurityError(f"refused: {what} (templates run in a sandbox with limits)")


def _size(value) -> int | None:
    if isinstance(value, (str, list, tuple)):
        return len(value)
    return None


def _check_width(number, what: str) -> None:
    if isinstance(number, int) and number > MAX_SIZE:
        raise _refuse(f"{what} of {number:,} characters is over the limit of {MAX_SIZE:,}")


def _check_format(fmt) -> None:
    """A format string ('%…', '{:…}') whose widths or precisions would build huge text."""
    if isinstance(fmt, str):
        for number in _NUMBERS.findall(fmt):
            # (a number of fewer digits than MAX_SIZE is under it: only the others are read)
            if len(number) >= len(str(MAX_SIZE)) and int(number) > MAX_SIZE:
                raise _refuse(f"a format width of {int(number):,} characters is over the "
                              f"limit of {MAX_SIZE:,}")


def _check_power(base, exponent) -> None:
    if isinstance(base, bool) or isinstance(exponent, bool):
        return
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        bits = exponent * (abs(base).bit_length() - 1)
        if bits > MAX_INT_BITS:
            raise _refuse(f"{base} ** {exponent} would be a number of about {int(bits * 0.30103):,} "
                          f"digits; the limit is about {int(MAX_INT_BITS * 0.30103):,}")


def _check_product(left, right) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
            raise _refuse(f"a product of about {int((left.bit_length() + right.bit_length()) * 0.30103):,} "
                          f"digits is over the limit of about {int(MAX_INT_BITS * 0.30103):,}")
        return
    for seq, times in ((left, right), (right, left)):
        n = _size(seq)
        if n is not None and isinstance(times, int) and n * times > MAX_SIZE:
            kind = "string" if isinstance(seq, str) else "list"
            raise _refuse(f"a {kind} of {n * times:,} {'characters' if kind == 'string' else 'items'} "
                          f"is over the limit of {MAX_SIZE:,}")


def _check_sum(left, right) -> None:
    a, b = _size(left), _size(right)
    if a is not None and b is not None and a + b > MAX_SIZE:
        raise _refuse(f"a value of {a + b:,} characters or items is over the limit of {MAX_SIZE:,}")


def sized(value):
    """What ``~`` built, if it is not too long (it is at most twice the limit)."""
    if isinstance(value, str) and len(value) > MAX_SIZE:
        raise _refuse(f"a string of {len(value):,} characters is over the limit of {MAX_SIZE:,}")
    return value


def _check_str_method(name: str, text: str, args: tuple, kwargs: dict) -> None:
    first = args[0] if args else None
    if name in ("ljust", "rjust", "center", "zfill"):
        _check_width(first if first is not None else kwargs.get("width"), "a padded string")
    elif name == "expandtabs":
        size = first if first is not None else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            _check_width(size * (text.count("\t") + 1), "a string")
    elif name == "join":
        n = len(first) if hasattr(first, "__len__") else 0
        _check_width(len(text) * n, "a joined string")
    elif name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        if isinstance(old, str) and isinstance(new, str):
            times = text.count(old) if old else len(text) + 1
            _check_width(len(text) + times * len(new), "a string")
    elif name in ("format", "format_map"):
        _check_format(text)


def _wrap_filters(filters: dict) -> None:
    """The filters that can make a short text huge check their arguments first."""

    def center(value, width=80):
        _check_width(width, "a centred string")
        return jinja_filters.do_center(value, width)

    def indent(s, width=4, first=False, blank=False):
        per = len(width) if isinstance(width, str) else width
        if isinstance(per, int):
            _check_width(per * (str(s).count("\n") + 1) + len(str(s)), "an indented string")
        return jinja_filters.do_indent(s, width, first, blank)

    @jinja2.pass_eval_context
    def join(eval_ctx, value, d="", attribute=None):
        if hasattr(value, "__len__") and isinstance(d, str):
            _check_width(len(d) * len(value), "a joined string")
        return sized(jinja_filters.sync_do_join(eval_ctx, value, d, attribute))

    @jinja2.pass_eval_context
    def replace(eval_ctx, s, old, new, count=None):
        _check_str_method("replace", str(s), (str(old), str(new)), {})
        return jinja_filters.do_replace(eval_ctx, s, old, new, count)

    def format_(value, *args, **kwargs):
        _check_format(value)
        return jinja_filters.do_format(value, *args, **kwargs)

    filters.update(center=center, indent=indent, join=join, replace=replace, format=format_)


# The ``random`` filter and ``lipsum`` draw from generators seeded with what they are given
# (and the template and as-of date), not from the process's: jinja's made two builds of a deck
# or template that used them differ (SPEC §5: two builds of the same input are byte-identical).
_DRAWING = threading.Lock()  # lipsum draws from the random module's own generator


def _seed(*parts) -> str:
    """A text of ``parts`` to seed a generator with: text and numbers as they are, anything
    else by its type's name (a record's repr may show a set, in an order of the process)."""
    return repr([p if isinstance(p, (str, int, float, type(None))) else
                 [x if isinstance(x, (str, int, float)) else type(x).__name__ for x in p]
                 if isinstance(p, list) else type(p).__name__ for p in parts])


@jinja2.pass_context
def _random(context, seq):
    """jinja's ``random`` filter: an item of ``seq``, the same one for the same items in the
    same template at the same as-of date."""
    items = list(seq)
    if not items:
        return context.environment.undefined("No random item, sequence was empty.")
    return random.Random(_seed(context.name, context.get("as_of"), items)).choice(items)


def _lipsum(n=5, html=True, min=20, max=100):  # noqa: A002 - jinja's names
    if isinstance(n, int) and isinstance(max, int) and n * max > MAX_SIZE // 10:
        raise _refuse(f"lipsum of {n} paragraphs of up to {max} words is over the limit")
    from jinja2.utils import generate_lorem_ipsum

    with _DRAWING:  # (serve renders in threads)
        state = random.getstate()
        random.seed(_seed("lipsum", n, html, min, max))
        try:
            return generate_lorem_ipsum(n, html, min, max)
        finally:
            random.setstate(state)


# the names of the methods that change a list, dict, set or deque (those of jinja's
# modifies_known_mutable): it is asked only of these, not of every attribute a template reads
_CHANGING = frozenset((
    "add", "append", "appendleft", "clear", "difference_update", "discard", "extend",
    "extendleft", "insert", "pop", "popitem", "popleft", "remove", "reverse", "rotate",
    "setdefault", "sort", "symmetric_difference_update", "update"))


class _MadeList(list):
    """A list a template made: it may change it (the lists it is given, it may not)."""
    __slots__ = ()


class _MadeDict(dict):
    """A dict a template made: it may change it."""
    __slots__ = ()


def made(value):
    """``value`` (a list or dict a template has just built) as one the template may change."""
    if isinstance(value, list):
        return _MadeList(value)
    if isinstance(value, dict):
        return _MadeDict(value)
    return value


def _making(function):
    """A filter or global whose list or dict is new: the template may change it. (``wraps``
    keeps the function's ``jinja_pass_arg`` too.)"""
    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        return made(function(*args, **kwargs))

    return wrapped


class _Generator(CodeGenerator):
    """``a ~ b`` checks the length of what it built; a list or dict written in the template
    (``[…]``, ``{…}``, and the constant ones the compiler folded) is one it may change."""

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")

    def visit_List(self, node, frame) -> None:
        self.write("environment.made(")
        super().visit_List(node, frame)
        self.write(")")

    def visit_Dict(self, node, frame) -> None:
        self.write("environment.made(")
        super().visit_Dict(node, frame)
        self.write(")")

    def visit_Const(self, node, frame) -> None:
        if isinstance(node.value, (list, dict)):
            self.write("environment.made(")
            super().visit_Const(node, frame)
            self.write(")")
        else:
            super().visit_Const(node, frame)


def _pydantic_api() -> frozenset:
    from pydantic import BaseModel

    return frozenset(name for name in dir(BaseModel) if not name.startswith("_"))


PYDANTIC_API = _pydantic_api()  # parse_file, parse_raw, model_validate, model_fields, …


def _a_record(obj) -> bool:
    from pydantic import BaseModel

    return isinstance(obj, BaseModel) or (isinstance(obj, type) and issubclass(obj, BaseModel))


class Sandbox(SandboxedEnvironment):
    """A SandboxedEnvironment with limits on the size of what one operation builds; renders
    are timed by BUDGET where a batch has armed it."""

    code_generator_class = _Generator
    intercepted_binops = frozenset(("*", "**", "+", "%"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _wrap_filters(self.filters)
        self.filters["random"] = _random
        self.globals["lipsum"] = _lipsum
        for name in ("list", "sort", "dictsort"):
            self.filters[name] = _making(self.filters[name])
        self.globals["dict"] = _making(self.globals["dict"])

    made = staticmethod(made)

    @staticmethod
    def sized(value):
        return sized(value)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if attr in PYDANTIC_API and _a_record(obj) \
                and attr not in (obj if isinstance(obj, type) else type(obj)).model_fields:
            return False
        if isinstance(obj, _Figures) and attr not in obj._names and attr != "as_dict":
            return False  # (``Rov.add``: a figure's methods other than as_dict change it)
        if attr in _CHANGING and modifies_known_mutable(obj, attr) \
                and not isinstance(obj, (_MadeList, _MadeDict)):
            return False  # (``practice.tags.append``: what the template was given)
        return super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj, attribute):
        if isinstance(attribute, str) and modifies_known_mutable(obj, attribute):
            kind = "dict" if isinstance(obj, dict) else "list" if isinstance(obj, list) \
                else type(obj).__name__
            return self.undefined(
                f"{attribute!r} would change a {kind} the template was given, which other "
                "pages show too: a template changes only the lists and dicts it made "
                "([…], {…}, a + b, |list)", name=attribute, obj=obj, exc=SecurityError)
        return super().unsafe_undefined(obj, attribute)

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_product(left, right)
        elif operator == "+":
            _check_sum(left, right)
        elif operator == "%":
            _check_format(left)
        result = self.binop_table[operator](left, right)
        return _MadeList(result) if type(result) is list else result  # (a + b, [x] * n: new)

    def handle_exception(self, source=None):
        """A render whose allocation failed (over its memory budget, BUDGET) is stopped with
        a diagnostic at the line it had reached, as one over its time budget is."""
        from jinja2.debug import rewrite_traceback_stack

        exc = rewrite_traceback_stack(source=source)
        if isinstance(exc, MemoryError):
            stopped = TemplateMemory(
                f"the template took more than {_in_words(BUDGET.memory)} of memory and was "
                "stopped here (a list or a text that grows in a loop?)")
            raise stopped.with_traceback(exc.__traceback__) from None
        raise exc

    def wrap_str_format(self, value):
        """``'…'.format`` and ``format_map``: jinja (3.1.5 on) wraps them when they are read, so
        that ``call`` never sees them; a width or precision over the limit is refused here."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - jinja's signature
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _check_str_method(getattr(__obj, "__name__", ""), owner, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


class Budget:
    """The wall-clock budget of renders (see the module's docstring)."""

    def __init__(self, seconds: float = SECONDS, memory: int = MEMORY):
        self.seconds = seconds
        self.memory = memory
        # when the render in progress began: (processor time, wall-clock time)
        self.started: tuple[float, float] | None = None
        # where the batch is armed: (this process's id, /proc/self/statm open, the address
        # space limit it had); the limit set last
        self.sizing: tuple[int, int, tuple[int, int]] | None = None
        self.limit: int | None = None

    def begin(self) -> bool:
        """Note that a render starts (unless one is in progress: a deck in a page); pass what
        it returns to ``end``."""
        if self.started is None:
            self.started = (time.process_time(), time.monotonic())
            if self.sizing is not None:
                self._limit_memory()
            return True
        return False

    def _limit_memory(self) -> None:
        """The render starting may take ``memory`` bytes of address space more than the
        process has now (the limit is moved only when it would move by 1/16 of that)."""
        import resource

        pid, statm, (soft, hard) = self.sizing
        if pid != os.getpid():  # a forked process that did not arm its own batch
            return
        try:
            size = int(os.pread(statm, 64, 0).split()[0]) * PAGE_SIZE
        except (OSError, ValueError, IndexError):
            return
        limit = size + self.memory
        for cap in (soft, hard):
            if cap != resource.RLIM_INFINITY:
                limit = min(limit, cap)
        if self.limit is not None and abs(limit - self.limit) < self.memory // 16:
            return
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            self.limit = limit
        except (ValueError, OSError):
            pass

    def end(self, began: bool) -> None:
        if began:
            self.started = None

    def _alarm(self, signum, frame) -> None:
        started = self.started
        if started is None:
            return
        if time.process_time() - started[0] > self.seconds \
                or time.monotonic() - started[1] > self.seconds * WALL_FACTOR:
            self.started = None  # raised once; the caller's end() is harmless
            raise TemplateTimeout(
                f"the template ran for more than {self.seconds:g} second"
                f"{'' if self.seconds == 1 else 's'} and was stopped here "
                "(a loop too large?)")

    @contextmanager
    def armed(self):
        """Time the renders of this block (in the main thread only; elsewhere, renders are
        not timed). The previous SIGALRM handler and timer are restored afterwards."""
        if threading.current_thread() is not threading.main_thread() \
                or not hasattr(signal, "setitimer"):
            yield self
            return
        try:
            previous = signal.signal(signal.SIGALRM, self._alarm)
        except ValueError:  # not the main interpreter
            yield self
            return
        timer = signal.setitimer(signal.ITIMER_REAL, TICK, TICK)
        armed_at = time.monotonic()
        started = self.started
        sizing, limit = self.sizing, self.limit
        self.sizing, self.limit = _sizing(), None
        try:
            yield self
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            self.started = started
            if self.sizing is not None:
                _pid, statm, before = self.sizing
                os.close(statm)
                if self.limit is not None:
                    _restore_limit(before)
            self.sizing, self.limit = sizing, limit
            if timer[0] > 0:  # someone else's timer: what was left of it
                left = max(timer[0] - (time.monotonic() - armed_at), 0.001)
                signal.setitimer(signal.ITIMER_REAL, left, timer[1])


def _in_words(size: int) -> str:
    """A memory budget as its message says it: ``1 GB``, ``256 MB``."""
    return f"{size >> 30} GB" if size >= 1 << 30 and not size % (1 << 30) else f"{size >> 20} MB"


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _sizing() -> tuple[int, int, tuple[int, int]] | None:
    """What the memory budget needs (Linux): this process's id, /proc/self/statm open (its
    size) and its address space limit now; None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import resource

        before = resource.getrlimit(resource.RLIMIT_AS)
        return os.getpid(), os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)), before
    except (ImportError, OSError, ValueError):
        return None


def _restore_limit(before: tuple[int, int]) -> None:
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_AS, before)
    except (ValueError, OSError):
        pass


BUDGET = Budget()
