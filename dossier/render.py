"""Jinja2 environment (layouts/ of the archive, falling back file by file to the
repository's own layouts/) and the small view helpers templates get."""
from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import os
import types
from pathlib import Path

import jinja2
import jinja2.meta
import jinja2.runtime
from jinja2.loaders import split_template_path
from jinja2.utils import internalcode
from markupsafe import Markup
from markupsafe import escape as markup_escape

from .errors import DossierError
from .frontmatter import CONTROL, bad_character, normalize_newlines, not_utf8
from .suggest import brief


def default_layouts() -> Path:
    """The default theme: the copy an installed wheel carries inside the package
    (``dossier/layouts``), else the source checkout's top-level ``layouts/``."""
    package = Path(__file__).resolve().parent
    packaged = package / "layouts"
    return packaged if packaged.is_dir() else package.parent / "layouts"


DEFAULT_LAYOUTS = default_layouts()


def layout_dirs(root: Path) -> list[Path]:
    dirs = []
    for d in (root / "layouts", DEFAULT_LAYOUTS):
        if d.is_dir() and d.resolve() not in [x.resolve() for x in dirs]:
            dirs.append(d)
    return dirs


def human_date(value) -> str:
    if not isinstance(value, dt.date):
        return ""
    return _human_date(value)


@functools.lru_cache(maxsize=4096)
def _human_date(value: dt.date) -> str:
    """Memoised: an archive has a few hundred dates and its pages print them tens of thousands of times."""
    return f"{value.day} {value:%B %Y}"


def _escape_replacing(text: str) -> str:
    """``str(markupsafe.escape(text))`` of plain text, the same five marks the same way, in Python."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
            .replace("'", "&#39;"))


_FUNCTION, _METHOD, _BUILTIN = types.FunctionType, types.MethodType, types.BuiltinFunctionType


def _plain(obj) -> bool:
    """Whether ``obj`` is a function, a method of one or a builtin that carries no ``jinja_pass_arg`` mark
    (``pass_context`` and the like): ``hasattr(obj, "jinja_pass_arg")`` looks in a function's ``__dict__``
    (its type has no such attribute), a method's in its function's, and a builtin has none; a failed
    ``hasattr`` costs about three times a look in the dict."""
    kind = type(obj)
    if kind is _FUNCTION:
        return "jinja_pass_arg" not in obj.__dict__
    if kind is _METHOD:
        func = obj.__func__
        return type(func) is _FUNCTION and "jinja_pass_arg" not in func.__dict__
    return kind is _BUILTIN


class Context(jinja2.runtime.Context):
    """Jinja's render context, calling a plain function or method at once: what ``Context.call`` does
    for one that is not marked ``pass_context`` (or the like), without the two probes for the mark
    (``__call__``'s, then its own) it makes before every call (about fifteen an article page)."""

    @internalcode
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        if not _plain(__obj):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a"
                                                " StopIteration exception")


try:  # MarkupSafe's own escaping in C, without the ``Markup`` it wraps it in: 0.2 µs a sentence, not 0.9
    from markupsafe._speedups import _escape_inner as escape_text
except ImportError:  # pragma: no cover - MarkupSafe without its C speedups (or a later one without it)
    escape_text = _escape_replacing


def output_escape(value, /):
    """What ``markupsafe.escape`` gives, as the text of its ``Markup`` (a ``Markup`` given is its own
    text): what a template's compiled code calls on every ``{{ ... }}`` it writes (about thirty an
    article page). Each of those results is only ever joined into the page's text (Jinja's ``concat``,
    or a macro's, a call block's, a ``{% set %}`` or ``{% filter %}`` block's buffer, joined), where a
    ``Markup`` and its text make the same characters; making the ``Markup`` (``str.__new__`` and the
    ``__html__`` probe) was two thirds of each call."""
    if type(value) is str:
        return escape_text(value)
    if type(value) is Markup:
        return value  # its ``__html__`` is itself
    return markup_escape(value)  # any other object: MarkupSafe's own way (``__html__``, ``str``)


# The contexts the render running in this thread made and that are its own (see ``Template.render``).
_rendering: contextvars.ContextVar[list | None] = contextvars.ContextVar("dossier_rendering", default=None)


class Template(jinja2.Template):
    """Jinja's template, whose compiled code escapes what it writes with :func:`output_escape`, and
    whose render leaves no reference cycle behind (``render``)."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        if namespace.get("escape") is markup_escape:  # what the compiled module imported from jinja2.runtime
            namespace["escape"] = output_escape
        return super()._from_namespace(environment, namespace, globals)

    def new_context(self, vars=None, shared=False, locals=None):
        """Jinja's, and a context made for the running render alone is noted for ``render`` to undo:
        the page's own (``vars``: what ``render`` was given) and those of what it imports or includes
        ``with context`` (``shared``). A module imported without context is made with neither; Jinja
        keeps it on its template for every later render, so its context is left as it is."""
        ctx = super().new_context(vars, shared, locals)
        made = _rendering.get()
        if made is not None and (shared or vars is not None):
            made.append(ctx)
        return ctx

    def render(self, *args, **kwargs):
        """Jinja's render; then the variables of every context the render made are dropped.

        A macro is a closure over the context of the template that defines it, and that context's
        variables hold the macro: each page (its own layouts' macros, ``base.html``'s, those imported
        ``with context``) leaves such a cycle, and through the contexts' ``parent`` the page's whole
        view (its body's HTML, the records it shows). A build runs with the cyclic collector off, so
        those waited for a collection (``pool._call``): 130 objects an article page, about 2 s of a
        10,000-article build's CPU in the render workers' collections. Once the page's text is made
        nothing reads those contexts again; without their variables no cycle is left and reference
        counting frees the page's objects as soon as the page is written."""
        made: list = []
        token = _rendering.set(made)
        try:
            return super().render(*args, **kwargs)
        finally:
            _rendering.reset(token)
            for ctx in made:
                ctx.vars.clear()


class Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals a plain dict of the environment's and its own.

    Jinja gives a template a ``ChainMap`` of them, so that a global set on the environment after the
    template was loaded still reaches it; every render copies that map into the page's context, key
    by key through the ``ChainMap`` (three times an article page: the page, ``base.html``, the macros
    imported with context). Dossier sets no global after making the environment, so a dict, copied
    at once, holds the same. Its contexts are :class:`Context`."""

    context_class = Context
    template_class = Template

    def make_globals(self, d):
        return {**self.globals, **d} if d else dict(self.globals)


class Loader(jinja2.FileSystemLoader):
    """Jinja's file loader, where a template that is not UTF-8 text, or holds a control character
    (which would make every page it writes ill-formed), is a located template error
    (``layouts/x.html:3: ...``), as a content file would be, not a ``UnicodeDecodeError``."""

    def get_source(self, environment, template):
        try:
            got = super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            for folder in self.searchpath:
                path = os.path.join(folder, *split_template_path(template))
                if os.path.isfile(path):
                    with open(path, "rb") as f:
                        line = f.read(exc.start).count(b"\n") + 1
                    raise jinja2.TemplateSyntaxError(not_utf8(exc), line, template, path) from None
            raise  # pragma: no cover - the file went away between the two reads
        text = normalize_newlines(got[0])
        bad = CONTROL.search(text)
        if bad:
            raise jinja2.TemplateSyntaxError(f"{bad_character(bad.group())} in the template; remove it",
                                             text.count("\n", 0, bad.start()) + 1, template, got[1])
        return got


def make_env(root: Path) -> jinja2.Environment:
    """The templates' environment; ``cache_size=-1``: every template loaded is kept in a plain dict
    (a theme has tens of them), not an LRU cache locked and reordered on each lookup (an article page
    looks up ``base.html`` and ``_macros.html``)."""
    env = Environment(loader=Loader([str(d) for d in layout_dirs(root)]),
                      autoescape=True, trim_blocks=True, lstrip_blocks=True,
                      undefined=jinja2.StrictUndefined, auto_reload=False, cache_size=-1)
    env.filters["date"] = human_date
    env.filters["isodate"] = lambda d: d.isoformat() if isinstance(d, dt.date) else ""
    return env


def compile_pages(env: jinja2.Environment) -> dict[str, jinja2.Template]:
    """Every page template (``*.html``) of ``env`` compiled, by name; one that fails is left out, for
    its page to report. ``env`` keeps them (``auto_reload`` off): asked for again, they come at once."""
    done = {}
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        try:
            done[name] = env.get_template(name)
        except jinja2.TemplateError:
            pass
    return done


class MacroMemo:
    """``memo(macro, *args)`` in a template: what ``macro(*args)`` gives, made once per build (per
    render process) for each distinct set of arguments, then reused.

    A long listing calls the same few macros thousands of times with the same records (an
    article's line in every list that shows it); a Jinja macro call costs tens of microseconds,
    a lookup here about one. Only for macros whose output depends on their arguments and on what
    is the same on every page of a build (the helpers, the configuration), never on the page's
    own view: the default theme's ``article_item``, ``entity_chip``, ``kind_label``. A fresh memo is
    made for every build, so nothing outlives a change of the archive.
    """

    __slots__ = ("_made",)

    def __init__(self) -> None:
        self._made: dict = {}

    def __call__(self, macro, *args, **kwargs):
        if not kwargs:  # the usual call: its key made and looked up at once (a page makes tens of calls)
            try:
                return self._made[(macro._func.__code__, args)]
            except (KeyError, AttributeError, TypeError):
                pass
        func = getattr(macro, "_func", None)
        if func is None or "caller" in kwargs:  # not a macro, or a call block: called as it is
            return macro(*args, **kwargs)
        key = (func.__code__, args, tuple(sorted(kwargs.items()))) if kwargs else (func.__code__, args)
        try:
            return self._made[key]
        except KeyError:
            made = self._made[key] = macro(*args, **kwargs)
            return made
        except TypeError:  # an argument that cannot be a key (a list): called as it is
            return macro(*args, **kwargs)


class TemplateRuntimeError(jinja2.TemplateError):
    """A Python error raised while a template ran (``{{ 1 // 0 }}``, a template extending itself, ...)."""

    def __init__(self, original: Exception) -> None:
        super().__init__(f"{original}")
        self.original = original


class LocatedTemplateError(jinja2.TemplateError):
    """A template error located where it happened (in a worker: its traceback does not cross the pipe)."""

    def __init__(self, located: DossierError) -> None:
        super().__init__(located.message)
        self.located = located


def render_template(tmpl: jinja2.Template, context: dict) -> str:
    """Render; any error the template's own code raises becomes a ``jinja2.TemplateError``."""
    try:
        return tmpl.render(context)
    except jinja2.TemplateError:
        raise
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise TemplateRuntimeError(exc) from exc


def _template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The innermost template frame of a traceback: (file, line).  Jinja rewrites its frames so that
    they carry the template's file name and line; older frames keep ``__jinja_template__``."""
    name, line = None, 0
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".html"):
            name = code.co_filename
            tmpl = tb.tb_frame.f_globals.get("__jinja_template__")
            try:
                line = tmpl.get_corresponding_lineno(tb.tb_lineno) if tmpl else tb.tb_lineno
            except Exception:  # pragma: no cover - best effort only
                line = 0
        tb = tb.tb_next
    return name, line


def template_error(exc: Exception, root: Path) -> DossierError:
    """The located error of a Jinja error, the path relative to the archive root when it can be."""
    if isinstance(exc, LocatedTemplateError):
        return exc.located
    original = getattr(exc, "original", exc)
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "layouts"
    line = getattr(exc, "lineno", 0) or 0
    if line == 0:
        found, line = _template_frame(original)
        name = found or name
    try:
        name = Path(name).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        name = Path(name).as_posix()
        if DEFAULT_LAYOUTS.as_posix() in name:
            name = "layouts/" + name.split(DEFAULT_LAYOUTS.as_posix() + "/", 1)[1]
    text = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        text = f"template {brief(exc.name)} not found (in layouts/ or the default theme)"
    elif isinstance(original, RecursionError):
        text = "templates nest without end: does a template extend or include itself?"
    elif original is not exc:
        text = f"{type(original).__name__}: {text}"
    return DossierError(name, line, f"template error: {brief(text, 200)[1:-1]}")


def template_signatures(env: jinja2.Environment, layout_files: list, known: dict | None = None) -> dict[str, tuple]:
    """For every template, the signature of the templates a render of it can load: itself and
    everything it extends, includes or imports, followed to the end (a name computed at run
    time counts as every template). Signature = (name, digest of the bytes) of each, sorted: the same
    in every run, so the build cache can keep pages across runs. ``known``: digest of a template's
    bytes -> the templates it names (None: any), from an earlier build (the build cache keeps it); left
    with this build's templates' only."""
    stamps: dict[str, tuple] = {}
    refs: dict[str, frozenset | None] = {}
    for _d, rel, path in reversed(layout_files):  # the archive's own layouts/ win over the theme
        if rel.endswith(".html"):
            stamps[rel] = (rel, hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest())
    last, known = dict(known or {}), known if known is not None else {}
    known.clear()
    for rel, (_rel, stamp) in stamps.items():
        found = last.get(stamp, ())
        if found is not None and not isinstance(found, frozenset):
            found = _referenced(env, rel)
        refs[rel] = known[stamp] = found
    every = tuple(sorted(stamps.values()))
    out = {}
    for name in stamps:
        seen, todo = set(), [name]
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            if refs.get(t, set()) is None:
                seen = None
                break
            todo.extend(refs.get(t, ()))
        out[name] = every if seen is None else tuple(sorted(stamps.get(t, (t,)) for t in seen))
    return out


def _referenced(env: jinja2.Environment, rel: str) -> frozenset | None:
    """The templates ``rel`` extends, includes or imports by name; None when it may load any (a name
    computed at run time) or does not parse (its render fails and is reported: it depends on all)."""
    try:
        source = env.loader.get_source(env, rel)[0]
        found = frozenset(jinja2.meta.find_referenced_templates(env.parse(source)))
    except jinja2.TemplateError:
        return None
    return None if None in found else found
