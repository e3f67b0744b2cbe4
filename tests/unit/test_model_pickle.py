"""Records cross the pool's pipes and the build cache by pickle: each comes back equal, every field kept."""
from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import pytest

from dossier import model

SAMPLES = {str: "text é", int: 7, dt.date: dt.date(2023, 9, 24), "bytes": b"\x00data", "frozenset": frozenset({"a"})}


def _sample(cls):
    values = {}
    for f in dataclasses.fields(cls):
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        if "tuple" in kind:
            values[f.name] = ("one", f.name)
        elif "dict" in kind:
            values[f.name] = {f.name: 3}
        elif "bytes" in kind:
            values[f.name] = SAMPLES["bytes"]
        elif "frozenset" in kind:
            values[f.name] = SAMPLES["frozenset"]
        elif "date" in kind:
            values[f.name] = SAMPLES[dt.date]
        elif "int" in kind:
            values[f.name] = len(f.name)
        elif "bool" in kind:
            values[f.name] = True
        else:
            values[f.name] = f"{f.name} é"
    return cls(**values), values


RECORDS = [model.Article, model.Entity, model.Page, model.Annotation, model.Claim, model.Mention, model.Output]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_a_record_comes_back_from_pickle_with_every_field(cls, protocol):
    record, values = _sample(cls)
    back = pickle.loads(pickle.dumps(record, protocol))
    assert type(back) is cls and back == record
    assert {f.name: getattr(back, f.name) for f in dataclasses.fields(cls)} == values  # fields outside == too


def _both(**spec):
    """Two frozen slotted dataclasses of the same fields: one with ``model.quick_init``, one with the dataclass's own."""
    made = []
    for quick in (True, False):
        cls = dataclasses.make_dataclass("R", [(name, *kind) if isinstance(kind, tuple) else (name, kind)
                                               for name, kind in spec.items()], frozen=True, slots=True)
        if quick:
            model.quick_init(cls)
        made.append(cls)
    return made


_FIELDS = {"a": str, "b": int, "c": (int, 3), "d": (tuple, ()), "e": (list, dataclasses.field(default_factory=list)),
           "f": (dict, dataclasses.field(default_factory=dict, compare=False))}


@pytest.mark.parametrize("cls", RECORDS + [model.ArticleHead], ids=lambda c: c.__name__)
def test_every_record_has_the_quick_init_with_the_dataclasss_parameters(cls):
    import inspect

    assert cls.__init__.__code__.co_filename == f"<quick_init {cls.__name__}>"
    assert cls.__init__.__qualname__ == f"{cls.__name__}.__init__"
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [f.name for f in dataclasses.fields(cls)]
    for p, f in zip(params, dataclasses.fields(cls)):
        if f.default is not dataclasses.MISSING:
            assert p.default is f.default
        elif f.default_factory is dataclasses.MISSING:
            assert p.default is inspect.Parameter.empty
    record, values = _sample(cls)
    assert {f.name: getattr(record, f.name) for f in dataclasses.fields(cls)} == values
    required = [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]
    bare = cls(*(values[n] for n in required))  # every default in place, each factory's made afresh
    again = cls(*(values[n] for n in required))
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING:
            assert getattr(bare, f.name) == f.default_factory() and getattr(bare, f.name) is not getattr(again, f.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, dataclasses.fields(cls)[0].name, "x")


def test_the_quick_init_makes_what_the_dataclasss_own_makes():
    quick, own = _both(**_FIELDS)
    assert quick.__init__.__code__.co_filename == "<quick_init R>" != own.__init__.__code__.co_filename
    for args, kwargs in ((("x", 1), {}), (("x", 1, 2, (5,), [6], {7: 8}), {}), (("x",), {"b": 2, "e": [1]}),
                         ((), {"a": "y", "b": 0, "f": {"k": 1}})):
        q, o = quick(*args, **kwargs), own(*args, **kwargs)
        assert dataclasses.astuple(q) == dataclasses.astuple(o) and q.f == o.f
        assert q.e is not quick(*args, **kwargs).e or "e" in kwargs or len(args) > 4
    for args, kwargs in (((), {}), (("x",), {}), (("x", 1), {"a": "y"}), (("x", 1, 2, 3, 4, 5, 6), {}),
                         (("x", 1), {"g": 1})):
        with pytest.raises(TypeError) as q:
            quick(*args, **kwargs)
        with pytest.raises(TypeError) as o:
            own(*args, **kwargs)
        assert str(q.value).replace("R.__init__", "") == str(o.value).replace("R.__init__", "")


def test_the_quick_init_leaves_the_dataclasss_own_where_it_cannot_stand_in():
    for spec in ({"a": str, "b": (int, dataclasses.field(default=0, init=False))},
                 {"a": str, "b": (int, dataclasses.field(kw_only=True))}, {"a": str, "_b": int}, {"self": str}):
        quick, own = _both(**spec)
        assert not quick.__init__.__code__.co_filename.startswith("<quick_init")

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self):
            if self.a < 0:
                raise ValueError(self.a)

    model.quick_init(Checked)
    with pytest.raises(ValueError):
        Checked(-1)


def test_heads_and_entities_hash_as_their_slug_and_equal_ones_hash_alike():
    """``ArticleHead`` and ``Entity`` hash as their slug (the string keeps it): equal records hash alike,
    records differing elsewhere than the slug stay unequal keys, and a memo keyed by them still finds them."""
    import datetime as dt
    from dataclasses import replace

    from dossier.model import ArticleHead, Entity

    head = ArticleHead("a-report", "A report", "outlet", dt.date(2024, 1, 2), "content/articles/a-report.md",
                       tags=("x",))
    ent = Entity("met", "Met", "organisation", "content/entities/met.md", aliases=("the Met",))
    for record, changed in ((head, replace(head, title="Another")), (ent, replace(ent, aliases=()))):
        same = replace(record)
        assert same == record and same is not record and hash(same) == hash(record) == hash(record.slug)
        assert changed != record and hash(changed) == hash(record)
        memo = {(record,): 1}
        assert memo.get((same,)) == 1 and memo.get((changed,)) is None
        assert len({record, same, changed}) == 2
