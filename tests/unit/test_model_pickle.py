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
