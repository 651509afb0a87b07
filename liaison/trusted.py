"""The Jinja environment of the built-in templates (a site with template overrides renders in
liaison.sandbox instead).

It renders exactly what ``jinja2.Environment`` renders, with the two calls that every
``{{ value }}`` and ``{{ row.name }}`` compiles to made cheaper. At 10,000 physicians the
pages and snippets make 8.1 million escapes and 10.6 million lookups: markupsafe's ``escape``
of a string (6.5 million of them) builds its result through ``Markup.__new__``, a Python
function (0.95 µs a call; 0.5 µs here), and Jinja's ``getattr`` of a key of a dict (3.9
million: ``stats.referrals_90d``) first raises and catches an AttributeError (1.19 µs a
lookup; 0.19 µs here).
"""
from __future__ import annotations

import jinja2
from jinja2.compiler import CodeGenerator
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
    """An escaped output calls ``environment.escape_output`` instead of ``escape``."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)


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
            for scope in _SCOPES:  # a macro takes its context's variables, not the caller's
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
