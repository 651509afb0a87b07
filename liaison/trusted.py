"""The Jinja environment of the built-in templates (a site with template overrides renders in
liaison.sandbox instead).

It renders exactly what ``jinja2.Environment`` renders, with what every ``{{ value }}``,
``{{ row.name }}`` and ``{{ macro(x) }}`` compiles to made cheaper: the pages of 10,000
physicians make millions of each. markupsafe's ``escape`` of a string builds its result
through ``Markup.__new__``, a Python function (0.95 µs a call); Jinja's ``getattr`` of a key
of a dict (``stats.referrals_90d``) first raises and catches an AttributeError (1.19 µs a
lookup); a macro's call sorts its arguments out in ``Context.call`` and ``Macro.__call__``
(about 3 µs). Here (timeit, best of 9 rounds, 2026-12-03): a string's escape 0.08 µs instead
of 0.29 µs through ``escape_output``, a dict's key 0.05 µs instead of 0.10 µs through
``Trusted.getattr`` (``_Generator``), a plain macro's call through its function (``_Context``).
"""
from __future__ import annotations

import jinja2
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.runtime import Context, Macro, missing
from markupsafe import Markup, escape

try:  # the escaping itself, in C where markupsafe has its speedups (markupsafe >= 2.1)
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - another markupsafe: its escape as it is
    _escape_inner = None

_new_str = str.__new__
_DICT_NAMES = frozenset(dir(dict))  # what ``getattr`` finds on a dict before its keys


def escape_output(value) -> Markup:
    """``markupsafe.escape(value)``: the same text, as Markup."""
    kind = type(value)
    if kind is str and _escape_inner is not None:
        return _new_str(Markup, _escape_inner(value))  # Markup(...) without its checks
    if kind is Markup:
        return value  # already safe: escape() would copy it
    if kind is int:
        return _new_str(Markup, str(value))  # digits and a sign: nothing to escape
    return escape(value)


def escaped_text(value) -> str:
    """``escape_output(value)`` as a plain string, without making a Markup of a string's
    escape (Python that writes HTML itself: ``render.interaction_item``)."""
    if type(value) is str and _escape_inner is not None:
        return _escape_inner(value)
    return escape_output(value)


class _Generator(CodeGenerator):
    """The code of the built-in templates, cheaper where it runs millions of times at 10,000
    physicians, written out as Python's conditional expressions instead of calls:

    - an escaped output is a string's escape, made in C, as a plain string (and an int's
      digits): a template's outputs are only ever joined (``concat``; a macro's or a block's
      joined text is made Markup as a whole, as in Jinja), so making each a Markup, as
      markupsafe's ``escape`` does (0.2 microseconds: a copy of the string), is work for
      nothing. Any other value goes through ``environment.escape_output`` (``escape``);
    - ``x.name`` takes a dict's key at once; any other object, or a missing key, goes through
      ``environment.getattr`` (0.05 microseconds less a lookup)."""

    def _inline_escape(self, frame, finalize) -> bool:
        return (frame.eval_ctx.autoescape and not frame.eval_ctx.volatile
                and finalize.src is None and _escape_inner is not None)

    def _output_child_pre(self, node, frame, finalize) -> None:
        if self._inline_escape(frame, finalize):
            self.write("(environment.escape_inner(_out) if (_kind := type(_out := ")
            return
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize) -> None:
        if self._inline_escape(frame, finalize):
            self.write(")) is str else str(_out) if _kind is int"
                       " else environment.escape_output(_out))")
            return
        super()._output_child_post(node, frame, finalize)

    @optimizeconst
    def visit_Getattr(self, node, frame) -> None:
        if self.environment.is_async or node.attr in _DICT_NAMES:
            super().visit_Getattr(node, frame)  # a dict's own attribute wins over its key
            return
        key = repr(node.attr)
        self.write("(_of[%s] if type(_of := " % key)
        self.visit(node.node, frame)
        self.write(f") is dict and {key} in _of else environment.getattr(_of, {key}))")


_SCOPES = ("_block_vars", "_loop_vars")  # what Jinja 3.1 passes to every call in a block or loop


class _Context(Context):
    """A template's context whose calls of a macro that takes its arguments as they are
    given (no ``caller``, ``varargs`` or ``kwargs``, no keyword argument in the call) call
    the macro's function at once. ``Context.call`` then ``Macro.__call__`` sort the
    arguments out first, about 3 microseconds a call: the pages of 10,000 physicians make
    some 200,000 calls (a brief's cards, a directory row's trend badge)."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        if type(__obj) is Macro and not (__obj.caller or __obj.catch_kwargs
                                          or __obj.catch_varargs or __obj.explicit_caller):
            for scope in _SCOPES:  # dropped, as Context.call drops them for a macro
                kwargs.pop(scope, None)
            count = __obj._argument_count
            if not kwargs and len(args) <= count:
                if len(args) < count:  # the defaults, as Macro.__call__ leaves them to the body
                    args += (missing,) * (count - len(args))
                try:
                    rv = __obj._func(*args)
                except StopIteration:  # as Context.call
                    return __self.environment.undefined(
                        "value was undefined because a callable raised a StopIteration "
                        "exception")
                return Markup(rv) if __self.eval_ctx.autoescape else rv
        return Context.call(__self, __obj, *args, **kwargs)


class Trusted(jinja2.Environment):
    """``jinja2.Environment`` with cheaper escaping of output, lookup of a dict's keys and
    calls of macros."""

    code_generator_class = _Generator
    context_class = _Context
    escape_output = staticmethod(escape_output)
    # what the templates' code calls to escape a string (``_Generator``), in C
    escape_inner = staticmethod(_escape_inner) if _escape_inner is not None else None

    def getattr(self, obj, attribute: str):
        # A dict has no attributes of its own: ``getattr`` finds one only among dict's
        # names, so any other name goes straight to the key, as Jinja would after the
        # AttributeError (and is Undefined when missing, as there).
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:  # jinja2.Environment.getattr, written out (a call less for every other object)
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)
