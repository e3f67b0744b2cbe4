"""Write a synthetic Dossier archive for benchmarking.

    python benchmarks/generate.py OUT_DIR [--articles N] [--seed S]

``generate(root, n_articles, seed)`` is deterministic: the same arguments give
byte-identical files.  It writes

* ``site.yaml``;
* ``content/articles/*.md``: ``n_articles`` articles of about 700 words of
  news-like prose in paragraphs of 40-120 words, each with about ten entity
  mentions (a name or an alias inside a sentence);
* ``content/entities/<type>/*.md``: ``n_articles // 5`` entities (people,
  organisations, places, events and about twenty outlets), each with 1-3
  aliases.  Every name and alias contains a made-up core word that belongs to
  that entity alone, so names are globally unique and no entity's name is a
  whole-word part of another entity's name;
* ``content/annotations/<article>.md`` for a fifth of the articles, 2-4
  annotations each, quoting a 6-12-word passage that occurs exactly once in
  the article's text;
* ``content/pages/about.md``.

Prose comes from sentence templates whose slots are filled from word lists,
indexed by bytes from ``Random.randbytes`` (fast: 10,000 articles in a few
seconds).  No sentence is written twice by chance (a sentence whose words came
out as an earlier one's is drawn again): the templates' sentences would
otherwise collide with the square of the archive's size (reports sharing a
sentence by chance: 2 of 1,000, 455 of 10,000, 33,159 of 100,000).  Shared
passages come from wire copy instead, as in a real archive: about one report
in ``WIRE_EVERY`` reprints one to three adjacent sentences of a recent report
of its story, so they grow with the archive, not with its square.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import time
import zlib
from collections import deque
from pathlib import Path

# --------------------------------------------------------------------------
# Word lists.  Keep them free of characters Markdown or a typographer would
# change (quotes, apostrophes, dashes, asterisks, underscores, brackets).

W = {
    "adj_org": "regional national municipal provincial local independent parliamentary state district city federal "
               "public central harbour water planning health transport finance energy environment ethics appeals "
               "audit procurement licensing housing education justice interior".split(),
    "body": "council committee ministry regulator board tribunal commission agency watchdog department authority "
            "cabinet assembly ombudsman treasury court panel inspectorate senate trust utility union coalition "
            "consortium lender insurer developer operator contractor auditor".split(),
    "verb_past": ["approved", "rejected", "delayed", "postponed", "reviewed", "questioned", "announced", "disclosed",
                  "published", "defended", "criticised", "suspended", "cancelled", "extended", "revised", "withdrew",
                  "endorsed", "challenged", "investigated", "audited", "amended", "signed", "renewed", "blocked",
                  "leaked", "quietly dropped", "formally adopted", "fast tracked", "scrapped", "reopened",
                  "restructured", "shelved", "overturned", "upheld", "released", "tabled", "backed", "opposed",
                  "examined", "scrutinised"],
    "verb_pres": ["approves", "rejects", "delays", "postpones", "reviews", "questions", "defends", "suspends",
                  "cancels", "extends", "revises", "withdraws", "challenges", "blocks", "scraps", "reopens",
                  "shelves", "backs", "opposes", "signs"],
    "verb_inf_t": ["review", "publish", "revise", "defend", "scrap", "extend", "renegotiate", "audit", "appeal",
                   "reconsider", "delay", "finalise", "suspend", "expand", "simplify", "challenge"],
    "adj": ["revised", "controversial", "long awaited", "disputed", "preliminary", "confidential", "draft", "final",
            "interim", "multiyear", "emergency", "unpublished", "amended", "proposed", "annual", "leaked",
            "redacted", "joint", "independent", "internal", "delayed", "costly", "ambitious", "modest", "sweeping",
            "narrow", "secret", "binding", "informal", "temporary", "rushed", "stalled"],
    "domain": ["housing", "water", "transport", "energy", "harbour", "hospital", "school", "road", "rail", "pension",
               "port", "airport", "bridge", "flood defence", "waste", "fisheries", "mining", "forestry", "broadband",
               "tram", "ferry", "dam", "pipeline", "grid", "tunnel", "stadium", "prison", "police", "courthouse",
               "library", "clinic", "sewage", "solar", "wind farm", "land", "tax", "tourism", "farming", "lottery",
               "museum"],
    "noun": ["budget", "contract", "report", "proposal", "plan", "audit", "settlement", "agreement", "tender",
             "licence", "review", "strategy", "loan", "subsidy", "deal", "inquiry", "programme", "policy",
             "framework", "schedule", "memorandum", "assessment", "permit", "survey", "bid", "grant", "lease",
             "bond issue", "rescue package", "investigation"],
    "region": ["northern", "southern", "eastern", "western", "central", "coastal", "rural", "upland", "island",
               "border", "inner", "outer", "riverside", "lakeside", "industrial", "old"],
    "area": ["district", "province", "valley", "port", "county", "quarter", "suburbs", "towns", "villages", "estuary",
             "municipality", "region", "peninsula", "highlands", "delta", "borough"],
    "time": ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday",
             "last week", "earlier this month", "late last year", "this spring", "in January", "in February",
             "in March", "in April", "in May", "in June", "in July", "in August", "in September", "in October",
             "in November", "in December", "overnight", "at the weekend", "last month", "in recent weeks",
             "after months of talks", "ahead of the elections", "during a heated session"],
    "time_cap": ["On Monday", "On Tuesday", "On Wednesday", "On Thursday", "On Friday", "Last week",
                 "Earlier this month", "Late last year", "This spring", "Last month", "In recent weeks",
                 "After months of talks", "Ahead of the elections", "At the weekend", "Overnight",
                 "During a heated session"],
    "month": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"],
    "attrib": ["according to officials familiar with the matter", "according to documents seen by reporters",
               "a spokesperson confirmed", "two people briefed on the talks said", "records show",
               "sources said", "minutes of the meeting show", "a person with knowledge of the decision said",
               "people close to the process said", "an internal memo shows", "budget papers show",
               "court filings show", "according to figures obtained by reporters",
               "officials confirmed", "a senior official said", "according to the published agenda",
               "the minutes record", "correspondence seen by reporters shows", "an auditor noted",
               "a draft of the document shows"],
    "role": ["residents", "officials", "engineers", "lawyers", "auditors", "contractors", "union members", "nurses",
             "teachers", "farmers", "fishermen", "shopkeepers", "commuters", "tenants", "pensioners", "students",
             "campaigners", "councillors", "investors", "inspectors", "doctors", "drivers", "volunteers",
             "landlords", "workers", "analysts", "economists", "prosecutors", "journalists", "activists"],
    "role_cap": ["Residents", "Officials", "Engineers", "Lawyers", "Auditors", "Contractors", "Union members",
                 "Nurses", "Teachers", "Farmers", "Fishermen", "Shopkeepers", "Commuters", "Tenants", "Pensioners",
                 "Students", "Campaigners", "Councillors", "Investors", "Inspectors", "Doctors", "Volunteers",
                 "Landlords", "Workers", "Analysts", "Economists"],
    "say": ["said", "argued", "warned", "insisted", "claimed", "noted", "told reporters", "confirmed", "suggested",
            "acknowledged", "maintained", "conceded", "stressed", "complained", "predicted", "believed"],
    "modal": ["would", "could", "might", "should", "will", "may", "was likely to", "was unlikely to",
              "is expected to", "was set to", "is due to", "appeared likely to"],
    "vinf": ["go ahead", "be delayed", "cost more than planned", "be revised", "face legal challenges",
             "need further approval", "be scrapped", "run over budget", "be reviewed again", "require new funding",
             "collapse", "be put to a vote", "be referred to the courts", "proceed in stages", "be renegotiated",
             "be completed on time", "attract new bidders", "stall", "be extended", "survive the election",
             "be quietly abandoned", "be split into phases"],
    "adv": ["next year", "before the summer", "within weeks", "by the end of the year", "without further scrutiny",
            "in its current form", "as planned", "at the earliest", "under the new rules", "despite objections",
            "if funding allows", "later than promised", "sooner than expected", "for the foreseeable future",
            "in the coming months", "after the audit"],
    "vpp": ["opposed", "supported", "campaigned against", "lobbied for", "raised concerns about", "questioned",
            "praised", "criticised", "monitored", "documented", "written about", "investigated", "benefited from",
            "complained about", "challenged in court", "overseen"],
    "state": ["under review", "on hold", "still being negotiated", "not yet public", "subject to appeal",
              "due for renewal", "far behind schedule", "over budget", "close to completion", "in doubt",
              "unaffordable", "largely unchanged", "politically sensitive", "legally binding", "confidential",
              "incomplete"],
    "state2": ["published", "finalised", "signed", "made public", "put to a vote", "approved", "reviewed",
               "debated", "costed", "tendered", "audited", "released"],
    "conseq": ["raising questions about oversight", "prompting calls for an inquiry", "leaving residents without answers",
               "angering local campaigners", "and officials declined to comment", "drawing opposition criticism",
               "a move critics called premature", "though no timetable was given", "surprising many observers",
               "reviving a long running dispute", "which officials said was routine", "a decision open to appeal",
               "though the figures were disputed", "adding to pressure on ministers",
               "in a split vote", "according to people present"],
    "complaint": ["repeated", "formal", "written", "anonymous", "detailed", "growing", "angry", "persistent"],
}

# Made-up word parts for entity core words ("Varenko", "Tash").
SYLLABLES = ("var en ko mir el tash or lin dov kes sor bal tek ru nav ost zel kar ham vel dru ask "
             "pol vin mar tor sil ben gar lev um rad fen os cor ith").split()
FIRST_NAMES = ("Mirel Anouk Teodor Ilsa Bram Corin Dalia Emek Farah Gideon Halla Ines Jorun Kasim Lene Matthias "
               "Nadia Oskar Petra Quentin Rosa Stellan Tamsin Ulla Vesna Wilhelm Yara Zoran Agnes Bertil Cato "
               "Delphine Elin Frode Greta Hugo Ivo Jana Konrad Liesel").split()
TITLES = ["Dr", "Judge", "Minister", "Professor", "Senator", "Inspector", "Councillor", "Commissioner"]
ORG_KINDS = ["Institute", "Holdings", "Group", "Foundation", "Authority", "Partners", "Bank", "Logistics", "Energy",
             "Trust", "Union", "Party", "Construction", "Capital", "Utilities", "Shipping", "Agency", "Consortium"]
PLACE_KINDS = ["Valley", "Bay", "Harbour", "District", "Heights", "Island", "Plains", "Sound", "Point", "Fields"]
EVENT_KINDS = [("Summit", "talks"), ("Accord", "agreement"), ("Floods", "flooding"), ("Inquiry", "hearings"),
               ("Strike", "walkout"), ("Scandal", "affair"), ("Conference", "forum"), ("Blackout", "outage"),
               ("Tender", "bidding round"), ("Referendum", "vote")]
OUTLET_KINDS = ["Herald", "Gazette", "Courier", "Post", "Tribune", "Observer", "Chronicle", "Times", "Daily",
                "Record", "Standard", "Dispatch", "Sentinel", "Ledger", "Echo", "Mail", "Review", "Star",
                "Examiner", "Telegraph"]
REPORTERS = ["Ana Holt", "Sam Okafor", "Lea Lindqvist", "Tom Barros", "Nina Castell", "Omar Reyes",
             "Judith Kane", "Pavel Novak", "Rita Moreau", "Ben Adeyemi", "Clara Voss", "Ewan Rook",
             "Mina Sato", "Luca Ferri", "Hanna Berg", "Ivan Petrov"]
STORIES = ["harbour-contract", "grid-tender", "flood-funds"]
TAGS = ["budget", "courts", "energy", "housing", "transport", "water", "health", "education", "environment",
        "procurement", "elections", "policing", "fisheries", "mining", "tourism", "labour", "pensions", "tax",
        "planning", "audit", "lobbying", "media", "agriculture", "infrastructure", "ports", "rail", "flooding",
        "corruption", "regulation", "local-government"]
CLAIMS = ["figure-contract-value", "figure-households-affected", "figure-jobs", "figure-cost-overrun",
          "figure-evacuated", "figure-turnout", "figure-subsidy", "figure-bidders"]

# Sentence templates: "{slot}" names a word list; "{P}" etc. an entity mention
# (P person, O organisation, L place, E event, U outlet); "{num}", "{pct}" numbers.
PLAIN = [
    "The {adj_org} {body} {verb_past} the {adj} {domain} {noun} {time}, {attrib}.",
    "{role_cap} in the {region} {area} {say} that the {domain} {noun} {modal} {vinf} {adv}.",
    "Figures released {time} showed that {num} {role} had {vpp} the {adj} {domain} {noun}.",
    "It was unclear whether the {adj_org} {body} {modal} {vinf} {adv}.",
    "The {domain} {noun} is {state}, {attrib}, {conseq}.",
    "Costs for the {domain} {noun} have risen by {pct} since {month}, {conseq}.",
    "{a_adj_cap} {noun} prepared for the {adj_org} {body} {time} put the cost at {num} thousand, {conseq}.",
    "{role_cap} {say} the {body} had failed to consult them on the {domain} {noun}, {conseq}.",
    "In {month}, the {adj_org} {body} {verb_past} {a_adj} {noun} covering the {region} {area}.",
    "Critics {say} the {adj} {domain} {noun} {modal} {vinf} {adv}, {conseq}.",
    "Officials in the {region} {area} would not say when the {domain} {noun} is {state2}.",
    "About {num} {role} met {time} to discuss the {adj} {domain} {noun}.",
    "The {adj_org} {body} has not said how the {domain} {noun} is funded, {attrib}.",
    "Documents show the {adj_org} {body} {verb_past} an earlier {domain} {noun} in {month}, {conseq}.",
    "Support for the {adj} {noun} among {role} fell to {pct}, according to a survey published {time}.",
    "{time_cap}, the {adj_org} {body} {verb_past} the {noun} for the {region} {area}, {conseq}.",
    "Several {role} said they learned of the {adj} {domain} {noun} in {month}.",
    "The {adj_org} {body} said it would {verb_inf_t} the {domain} {noun} {adv}.",
    "Under the {adj} {noun}, about {num} {role} in the {region} {area} would be affected.",
    "The decision follows {complaint} complaints from {role} and {role} in the {region} {area}.",
    "{role_cap} and {role} have {vpp} the {domain} {noun} since {month}, {attrib}.",
    "The {adj} {domain} {noun} was {state2} {time} after {num} {role} signed a petition.",
]
MENTION = {
    "P": [
        "{P}, who has {vpp} the {domain} {noun} since {month}, {say} it {modal} {vinf} {adv}.",
        "{P} {say} the {adj} {domain} {noun} was {state}, {attrib}.",
        "In an interview {time}, {P} {say} that the {adj_org} {body} had {verb_past} the {noun}.",
        "{P} did not comment on the {adj} {domain} {noun} {time}.",
        "Asked about the {domain} {noun}, {P} {say} that {role} in the {region} {area} had been consulted.",
    ],
    "O": [
        "A spokesperson for {O} {say} the {domain} {noun} was {state}.",
        "{O} {verb_past} the {adj} {domain} {noun} {time}, {attrib}.",
        "Records show {O} received {num} thousand under the {domain} {noun} in {month}.",
        "{O} has {vpp} the {adj} {noun} since {month}, {conseq}.",
    ],
    "L": [
        "In {L}, {role} {say} the {domain} {noun} {modal} {vinf} {adv}.",
        "The {adj} {domain} {noun} for {L} was {state}, {attrib}.",
        "About {num} {role} in {L} are expected to be affected by the {adj} {noun}.",
    ],
    "E": [
        "Since the {E}, the {adj_org} {body} has {vpp} the {domain} {noun}.",
        "{role_cap} who attended the {E} {say} the {domain} {noun} was {state}.",
        "The {adj} {noun} was first discussed at the {E} in {month}, {attrib}.",
    ],
    "U": [
        "{U} reported {time} that the {adj_org} {body} had {verb_past} the {domain} {noun}.",
        "According to {U}, the {adj} {domain} {noun} is {state}.",
    ],
}
TITLES_T = [
    "{body_cap} {verb_pres} {adj} {domain} {noun}",
    "Questions grow over {domain} {noun} in {region} {area}",
    "{role_cap} {verb_pres_people} {domain} {noun} plan",
    "{domain_cap} {noun} {state} as {body} {verb_pres} review",
    "Inside the {adj} {domain} {noun}",
    "{role_cap} in {region} {area} fear {domain} {noun} delay",
]
W["a_adj"] = [("an " if w[0] in "aeiou" else "a ") + w for w in W["adj"]]
W["a_adj_cap"] = [w.capitalize() for w in W["a_adj"]]
W["body_cap"] = [w.capitalize() for w in W["body"]]
W["domain_cap"] = [w.capitalize() for w in W["domain"]]
W["verb_pres_people"] = ["protest", "back", "question", "challenge", "welcome", "oppose", "fear", "doubt"]

TYPE_DIRS = {"person": "people", "organisation": "organisations", "place": "places", "event": "events",
             "outlet": "outlets"}
TYPE_CODE = {"person": "P", "organisation": "O", "place": "L", "event": "E", "outlet": "U"}

_SLOT = re.compile(r"\{(\w+)\}")
_WORDS = re.compile(r"[a-z0-9]+")
WIRE_EVERY = 40  # one report in this many reprints a passage of a recent report of its story
WIRE_RECENT = 64  # the reports of a story a reprint is taken from (the latest ones)


def _sentence_key(text: str) -> int:
    """A sentence's words, lower-cased, without punctuation (as Dossier compares sentences), as a number."""
    words = " ".join(_WORDS.findall(text.lower())).encode()
    return zlib.crc32(words) | zlib.adler32(words) << 32


def _spread(words: list[str]) -> tuple[str, ...]:
    """A 256-entry table so a random byte picks a word (near-uniformly)."""
    return tuple(words[i % len(words)] for i in range(256))


class _Template:
    __slots__ = ("fmt", "tables", "mention", "n_words", "num_slot")

    def __init__(self, text: str, tables: dict) -> None:
        self.mention = None
        cats = []
        self.num_slot = -1
        for name in _SLOT.findall(text):
            if name in TYPE_CODE.values():
                self.mention = name
                continue
            if name in ("num", "pct"):
                self.num_slot = len(cats)
            cats.append(tables[name])
        self.fmt = _SLOT.sub(lambda m: "{E}" if m.group(1) in TYPE_CODE.values() else "{}", text)
        self.tables = tuple(cats)


def _tables(rng: random.Random) -> dict:
    t = {k: _spread(v) for k, v in W.items()}
    nums = []
    for _ in range(256):
        n = rng.choice((rng.randint(12, 99), rng.randint(100, 999), rng.randint(1000, 48000)))
        nums.append(f"{n:,}")
    t["num"] = tuple(nums)
    t["pct"] = _spread([f"{n} per cent" for n in range(3, 96)])
    return t


def _core_words(rng: random.Random, count: int, reserved: set[str]) -> list[str]:
    out: list[str] = []
    seen = set(reserved)
    while len(out) < count:
        k = 2 if rng.random() < 0.5 else 3
        word = "".join(rng.choice(SYLLABLES) for _ in range(k))
        if len(word) < 4 or word in seen:
            continue
        seen.add(word)
        out.append(word.capitalize())
    return out


def _slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def _a(phrase: str) -> str:
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def _yaml_list(items) -> str:
    return "[" + ", ".join(items) + "]"


def _build_entities(rng: random.Random, n_entities: int, reserved: set[str]) -> list[dict]:
    n_outlets = max(1, min(20, n_entities // 5))
    rest = max(0, n_entities - n_outlets)
    counts = {"person": rest * 40 // 100, "organisation": rest * 25 // 100, "place": rest * 20 // 100}
    counts["event"] = rest - sum(counts.values())
    counts["outlet"] = n_outlets
    cores = _core_words(rng, n_entities, reserved)
    taken_aliases: set[str] = set()

    def acronym(words: list[str]) -> str | None:
        a = "".join(w[0] for w in words).upper()
        if len(a) < 3 or a in taken_aliases or a.lower() in reserved:
            return None
        return a

    entities = []
    ci = 0
    for etype in ("outlet", "person", "organisation", "place", "event"):
        for i in range(counts[etype]):
            core = cores[ci]
            ci += 1
            if etype == "person":
                first = rng.choice(FIRST_NAMES)
                name = f"{first} {core}"
                aliases = [core]
                extra = [f"{rng.choice(TITLES)} {first} {core}", f"{rng.choice(TITLES)} {core}"]
                aliases += rng.sample(extra, rng.randint(0, 2))
                role = rng.choice(["chief executive", "spokesperson", "director", "chair", "treasurer",
                                   "former minister", "lawyer", "engineer", "auditor", "campaigner"])
                desc = f"{_a(role).capitalize()} involved in the {rng.choice(W['domain'])} {rng.choice(W['noun'])}."
            elif etype == "organisation":
                kind = ORG_KINDS[i % len(ORG_KINDS)]
                mid = rng.choice(["", "", "Development", "National", "Regional"])
                words = [core] + ([mid] if mid else []) + [kind]
                name = " ".join(words)
                aliases = [core]
                a = acronym(words)
                if a and rng.random() < 0.6:
                    aliases.append(a)
                if rng.random() < 0.3:
                    aliases.append(f"{core} {kind} Ltd")
                desc = f"{_a(rng.choice(W['adj_org'])).capitalize()} {kind.lower()} with interests in {rng.choice(W['domain'])}."
            elif etype == "place":
                kind = rng.choice(PLACE_KINDS)
                name = f"{core} {kind}"
                aliases = [core]
                if rng.random() < 0.4:
                    aliases.append(f"Port {core}")
                desc = f"{_a(rng.choice(W['region'])).capitalize()} {rng.choice(W['area'])} of about {rng.randint(2, 400)},000 people."
            elif etype == "event":
                kind, alt = rng.choice(EVENT_KINDS)
                name = f"{core} {kind}"
                aliases = [f"{core} {alt}"]
                if rng.random() < 0.4:
                    aliases.append(f"{core} {kind} of 2023")
                desc = f"The {kind.lower()} over the {rng.choice(W['domain'])} {rng.choice(W['noun'])}."
            else:
                kind = OUTLET_KINDS[i % len(OUTLET_KINDS)]
                name = f"{core} {kind}"
                aliases = [f"The {core} {kind}"]
                a = acronym([core, kind])
                if a is None or rng.random() < 0.5:
                    a = None
                aliases.append(a or core)
                desc = f"A {rng.choice(['daily', 'weekly', 'online'])} news outlet."
            taken_aliases.update(aliases)
            taken_aliases.add(name)
            ent = {"type": etype, "name": name, "aliases": aliases, "slug": _slugify(name),
                   "code": TYPE_CODE[etype], "desc": desc}
            if etype == "event":
                ent["date"] = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(365))
            entities.append(ent)
    return entities


class _Writer:
    """Produces sentences and paragraphs from the templates, fast."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        tables = _tables(rng)
        self.plain = _spread([_Template(t, tables) for t in PLAIN])
        self.mention = {k: [_Template(t, tables) for t in v] for k, v in MENTION.items()}
        self.titles = [_Template(t, tables) for t in TITLES_T]
        self.randbytes = rng.randbytes
        self.seen: set[int] = set()  # every sentence written so far (see _sentence_key)

    def sentence(self, tpl: _Template, bs: bytes) -> str:
        return tpl.fmt.format(*[t[b] for t, b in zip(tpl.tables, bs)])

    def article(self, cast: list[dict], mention_rate: int, total: int):
        """Return (paragraphs, sentences) where sentences are (text, has_mention, number or None)."""
        paragraphs: list[str] = []
        sentences: list[tuple[str, bool, str | None]] = []
        used: set[str] = set()
        words = 0
        randbytes = self.randbytes
        plain = self.plain
        ncast = len(cast)
        pending = None  # a sentence too long for the last paragraph starts the next one
        while words < total:
            target = 45 + randbytes(1)[0] % 66  # 45..110
            parts: list[str] = []
            wc = 0
            while wc < target:
                bs = randbytes(24)
                if pending is None:
                    if bs[0] < mention_rate and ncast:
                        ent = cast[bs[1] % ncast]
                        opts = self.mention[ent["code"]]
                        tpl = opts[bs[2] % len(opts)]
                        if ent["slug"] in used:
                            names = ent["names"]
                            mtext = names[bs[3] % len(names)]
                        else:
                            used.add(ent["slug"])
                            mtext = ent["name"]
                        s = tpl.fmt.format(*[t[b] for t, b in zip(tpl.tables, bs[4:])], E=mtext)
                        has = True
                    else:
                        tpl = plain[bs[1]]
                        s = tpl.fmt.format(*[t[b] for t, b in zip(tpl.tables, bs[4:])])
                        has = False
                    key = _sentence_key(s)
                    if key in self.seen:  # never the same words twice by chance: draw again
                        continue
                    self.seen.add(key)
                    num = tpl.tables[tpl.num_slot][bs[4 + tpl.num_slot]] if tpl.num_slot >= 0 else None
                    item = (s, has, num, s.count(" ") + 1)
                else:
                    item, pending = pending, None
                if wc + item[3] > 120:
                    pending = item
                    break
                parts.append(item[0])
                sentences.append(item[:3])
                wc += item[3]
            paragraphs.append(" ".join(parts))
            words += wc
        return paragraphs, sentences

    def title(self, cast: list[dict]) -> str:
        bs = self.randbytes(12)
        if cast and bs[0] < 100:
            ent = cast[bs[1] % len(cast)]
            link = ("under scrutiny over", "linked to", "defends", "in row over", "questioned on")[bs[2] % 5]
            return f"{ent['name']} {link} {W['domain'][bs[3] % len(W['domain'])]} {W['noun'][bs[4] % len(W['noun'])]}"
        tpl = self.titles[bs[5] % len(self.titles)]
        s = self.sentence(tpl, bs[6:])
        return s[0].upper() + s[1:]


def _pick_quotes(rng: random.Random, body: str, sentences, k: int, need_number: bool = False):
    """Up to ``k`` distinct 6-12-word passages, each occurring once in ``body``, from mention-free sentences."""
    cands = [s for s in sentences if not s[1] and s[0].count(" ") >= 7]
    numbered = [s for s in cands if s[2]] if need_number else []
    out: list[tuple[str, str | None]] = []
    keys: set[str] = set()
    for attempt in range(k * 8):
        if len(out) >= k or not cands:
            break
        first_numbered = bool(numbered) and not out and attempt < 8
        pool = numbered if first_numbered else cands
        text, _has, num = pool[rng.randrange(len(pool))]
        words = text.split(" ")
        n = rng.randint(6, min(12, len(words)))
        if first_numbered:
            # the number's word index, so the quote contains the value
            nw = text[: text.index(num)].count(" ")
            lo, hi = max(0, nw - n + 1), min(nw, len(words) - n)
            if lo > hi:
                continue
            start = rng.randint(lo, hi)
        else:
            start = rng.randint(0, len(words) - n)
        quote = " ".join(words[start:start + n]).rstrip(",.")
        # Unique in the article, not overlapping another quote, and a distinct permalink
        # (Dossier derives an annotation's id from its quote's first six words).
        key = "-".join(re.findall(r"[a-z0-9]+", quote.lower())[:6])
        if body.count(quote) != 1 or key in keys or any(quote in q or q in quote for q, _ in out):
            continue
        keys.add(key)
        if first_numbered:
            out.append((quote, num))
        else:
            out.append((quote, None))
    return out


def _reprint(rng: random.Random, paragraphs: list[str], source: list) -> list[str]:
    """``paragraphs`` with one to three adjacent sentences of ``source`` (another report's sentences)
    put before one of its paragraphs: a passage of wire copy."""
    n = min(len(source), rng.randint(1, 3))
    start = rng.randrange(len(source) - n + 1)
    at = rng.randrange(len(paragraphs))
    copy = " ".join(text for text, _has, _num in source[start:start + n])
    return paragraphs[:at] + [copy + " " + paragraphs[at]] + paragraphs[at + 1:]


def generate(root: Path, n_articles: int = 1000, seed: int = 1) -> None:
    """Write a synthetic archive of ``n_articles`` articles into ``root`` (its ``content`` is replaced)."""
    root = Path(root)
    rng = random.Random(seed)
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(
        "title: Benchmark archive\ndescription: Synthetic archive\nlanguage: en\nbase_url: https://bench.example.org/\n", encoding="utf-8")

    reserved = {w.lower() for words in W.values() for phrase in words for w in phrase.split()}
    reserved |= {w.lower() for w in FIRST_NAMES + TITLES + ORG_KINDS + PLACE_KINDS + OUTLET_KINDS}
    reserved |= {w.lower() for a, b in EVENT_KINDS for w in (a + " " + b).split()}
    reserved |= {w.lower() for r in REPORTERS for w in r.split()}
    reserved |= {"the", "and", "of", "in", "on", "at", "to", "for", "by", "a", "an", "it", "is", "was", "port",
                 "ltd", "about", "since", "who", "has", "had", "with"}
    entities = _build_entities(rng, max(1, n_articles // 5), reserved)
    for e in entities:
        e["names"] = [e["name"], *e["aliases"]]
    outlets = [e for e in entities if e["type"] == "outlet"]
    others = [e for e in entities if e["type"] != "outlet"] or list(outlets)
    rng.shuffle(others)
    # Popularity: a few entities appear everywhere, most rarely (Zipf-like).
    cum, acc = [], 0.0
    for i in range(len(others)):
        acc += 1.0 / (i + 1) ** 0.8
        cum.append(acc)

    for e in entities:
        d = content / "entities" / TYPE_DIRS[e["type"]]
        d.mkdir(parents=True, exist_ok=True)
    for sub in ("articles", "annotations", "pages"):
        (content / sub).mkdir(parents=True, exist_ok=True)

    writer = _Writer(rng)
    for e in entities:
        lines = ["---", f"name: {e['name']}", f"type: {e['type']}", f"aliases: {_yaml_list(e['aliases'])}",
                 f"description: {e['desc']}"]
        if "date" in e:
            lines.append(f"date: {e['date'].isoformat()}")
        lines.append("---")
        rel = rng.choice(others)
        notes, _ = writer.article([rel] if rel is not e else [], 40, 60)
        text = "\n".join(lines) + "\n" + "\n\n".join(notes[:1]) + "\n"
        (content / "entities" / TYPE_DIRS[e["type"]] / f"{e['slug']}.md").write_text(text, encoding="utf-8")

    (content / "pages" / "about.md").write_text(
        "---\ntitle: About this archive\norder: 1\n---\nA synthetic archive generated for benchmarking Dossier. "
        "Every name in it is invented.\n", encoding="utf-8")

    annotated = set(rng.sample(range(n_articles), n_articles // 5))
    start = dt.date(2023, 1, 1)
    width = len(str(n_articles))
    claim_values: dict[str, str] = {}
    wire: dict[str, deque] = {}  # story -> the sentences of its latest reports
    for i in range(n_articles):
        n_cast = rng.randint(3, 6)
        cast = []
        seen_slugs = set()
        for ent in rng.choices(others, cum_weights=cum, k=n_cast):
            if ent["slug"] not in seen_slugs:
                seen_slugs.add(ent["slug"])
                cast.append(ent)
        title = writer.title(cast)
        slug = f"{_slugify(title)[:60].rstrip('-')}-{i + 1:0{width}d}"
        outlet = outlets[rng.randrange(len(outlets))]
        published = start + dt.timedelta(days=rng.randrange(365))
        story = STORIES[rng.randrange(len(STORIES))]
        tags = rng.sample(TAGS, rng.randint(1, 3))
        byline = REPORTERS[rng.randrange(len(REPORTERS))] if rng.random() < 0.85 else "Staff reporter"
        # ~10 mentions in ~40 sentences: a sentence carries a mention with probability 56/256.
        paragraphs, sentences = writer.article(cast, 56, rng.randint(640, 760))
        recent = wire.setdefault(story, deque(maxlen=WIRE_RECENT))
        if recent and rng.randrange(WIRE_EVERY) == 0:
            paragraphs = _reprint(rng, paragraphs, recent[rng.randrange(len(recent))])
        recent.append(sentences)
        body = "\n\n".join(paragraphs)
        front = (f"---\ntitle: {title}\noutlet: {outlet['slug']}\npublished: {published.isoformat()}\n"
                 f"byline: {byline}\nstory: {story}\ntags: {_yaml_list(tags)}\n---\n")
        (content / "articles" / f"{slug}.md").write_text(front + body + "\n", encoding="utf-8")

        if i in annotated:
            k = rng.randint(2, 4)
            want_discrepancy = rng.random() < 0.35
            quotes = _pick_quotes(rng, body, sentences, k, need_number=want_discrepancy)
            blocks = []
            for quote, num in quotes:
                attr = ""
                r = rng.random()
                if num is not None:
                    claim = rng.choice(CLAIMS)
                    attr = f'{{.discrepancy claim="{claim}" value="{num}"}}\n'
                    other = claim_values.setdefault(claim, num)
                    note = f"Other reports give a different figure; the earliest account said {other}."
                elif r < 0.35:
                    attr = "{.context}\n"
                    note = writer.sentence(writer.plain[rng.randrange(256)], rng.randbytes(20))
                else:
                    note = writer.sentence(writer.plain[rng.randrange(256)], rng.randbytes(20))
                if cast and rng.random() < 0.5:
                    note += f" See [[{cast[rng.randrange(len(cast))]['slug']}]]."
                blocks.append(f"{attr}> {quote}\n\n{note}\n")
            (content / "annotations" / f"{slug}.md").write_text("\n".join(blocks), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a synthetic Dossier archive for benchmarks.")
    ap.add_argument("out", type=Path, help="archive folder to write (its content/ is replaced)")
    ap.add_argument("--articles", "-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    generate(args.out, args.articles, args.seed)
    secs = time.perf_counter() - t0
    files = sum(1 for p in (args.out / "content").rglob("*.md"))
    print(f"wrote {files} files for {args.articles} articles into {args.out} in {secs:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
