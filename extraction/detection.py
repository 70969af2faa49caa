"""Stage: which trigger words report an event (not accusation, threat, denial, trend, summary, ...)."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from itertools import pairwise

from extraction.document import Document, Trig, family
from extraction.grouping import other_act_between
from extraction.lexicon import Mention, Trigger, requirement_regex, word_map, word_set
from extraction.model import VIOLENT_TYPES
from extraction.text import anchored_finditer

SCOPED_CUES = frozenset(
    ("accusation", "threat", "denial", "false_claim", "speculation", "conditional", "demand", "slogan")
)
_CONCLUDE_BEFORE, _CONCLUDE_AFTER = 4, 2  # words between a verb of concluding and the truce or talks it concludes
_CONCLUDE_LED = 10  # words from the verb to "إلى اتفاق" / "لاتفاق": its subject may stand between
_PROTEST_ADVERBS = word_set("protest_adverb")
_RELATIVE = frozenset(("التي", "الذي", "اللتين", "اللذين", "اللتان", "اللذان", "which", "that"))
_VERBAL_WINDOW = 6  # words around a generic attack word in which a speech word makes it a verbal attack
_SUMMARY_WORDS = word_set("summary_word")
_WITNESS_VERBS = word_set("witness_verb")
_STRIKES = frozenset(("shelling", "airstrike"))
_PROTESTER_WORDS = ("متظاهر", "محتج", "protester", "protestor", "demonstrator")
_VICTIM_WINDOW = 4  # words between a killing word and the protesters it killed ("قتلت قوات الأمن متظاهراً")
_ELABORATED_TYPES = _STRIKES  # acts a later "حيث استهدفت ..." goes on describing
_BLAST_WORDS = ("انفجار", "انفجر", "explosion", "blast")  # the sound or effect of a blast, not a device
# "تشهد إدلب منذ أسابيع اشتباكات", "تتعرض الغوطة منذ أشهر لقصف": what a place has been living through, not one event
_ONGOING_ANCHORS = ("تشهد", "يشهد", "تتعرض", "يتعرض", "تعيش", "يعيش", "تعاني", "يعاني")
_ONGOING_VERB = re.compile(r"(?<!\w)[وف]?(?:تشهد|يشهد|تتعرض|يتعرض|تعيش|يعيش|تعاني|يعاني)(?!\w)")
_CONTINUING = re.compile(r"\w*\s+(?:مستمره|متواصله|متكرره|متزايده|يوميه|شبه يوميه)(?!\w)")
_ROLE_WORDS = word_map("protest_role_word")  # "منظمي المظاهرات": a role named after protests
_LIES_UNDER = word_set("control_state_word")  # "الواقعة تحت سيطرة": a state of control
_GOES_ON = word_set("goes_on")  # "تستمر", "لم تنقطع": with "منذ", a movement that goes on, not one event
_SINCE_NEAR = 12  # words between "تستمر" and its "منذ ..."
_SHORT_SINCE = word_set("since_short")  # "منذ صباح اليوم": within the day, a concrete act that goes on
_ROSE_VERBS = word_set("toll_rose_verb")  # "ارتفعت حصيلة ...": the toll of one event, updated
_SINCE_SPAN = re.compile(
    r"(?<!\w)[وف]?منذ\s+(?:(?:اكثر من|نحو|قرابه|حوالي)\s+)?(?:(?:\d+|عده)\s+)?"
    r"(?:اسابيع|اسبوعين|اشهر|شهور|شهرين|سنوات|سنتين|عامين|اعوام|فتره|مده|شهرا|عاما|اسبوعا|سنه|اسبوع|شهر)(?!\w)"
    # ten days or more: "منذ 20 يوماً", "منذ عشرين يوماً", "منذ خمسة عشر يوماً"
    r"|(?<!\w)[وف]?منذ\s+(?:(?:اكثر من|نحو|قرابه|حوالي)\s+)?"
    r"(?:\d\d+|عده|(?:[^\W\d]+\s+)?[^\W\d]*(?:عشر|ين))\s+(?:ايام|يوما)(?!\w)"
)


def live_triggers(doc: Document, lo: int, hi: int, bounds: list[tuple[int, str]]) -> list[Trig]:
    """Triggers of the sentence that report an event (not accusation, threat, denial, speculation, ...)."""
    cues = doc.mentions_in(lo, hi, category="cue")
    running_total = any(c.entry.kind == "cumulative" for c in cues)  # "حصيلة ... منذ مطلع العام": many events
    protesters_at = [
        a.nstart
        for a in doc.mentions_in(lo, hi, category="actor")
        if getattr(a.entry.value, "actor_type", None) == "Protesters"
    ]
    out: list[Trig] = []
    campaign = False
    for m in doc.mentions_in(lo, hi, category="trigger"):
        trig: Trigger = m.entry.value  # type: ignore[assignment]
        if trig.requires and not _requirement_met(doc, m, trig.requires, lo, hi):
            continue
        if running_total and trig.form == "casualty":
            continue
        if trig.form == "arrangement" and not any(c.entry.kind == "conclude" and _concludes(doc, c, m) for c in cues):
            continue  # "في ظل الهدنة": a truce in force is context, "توصل الطرفان إلى هدنة" is an event
        adverb = trig.event_type == "protest" and doc.norm[m.nstart : m.nend] in _PROTEST_ADVERBS
        if adverb and not any(p < m.nstart for p in protesters_at):
            continue  # "انشق احتجاجا على": why something was done; "خرج المتظاهرون احتجاجا" stays a protest
        ongoing = trig.form in ("noun", "generic") and _ongoing(doc, m, cues, lo, hi)
        if ongoing and not _own_day(doc, m, lo, hi):  # "..., وقتل اليوم ثلاثة بقصف مدفعي": today's shelling stands
            campaign = True
            continue
        if _modal(doc, m, cues, bounds, lo, hi):
            continue
        out.append(Trig(m, trig))
    if campaign and not _one_day(doc, lo, hi):
        return []  # "منذ 20 يوماً تشهد الغوطة حملة قصف ... أسفرت عن مقتل 250": the campaign's total, no one event
    specific = [
        t
        for t in out
        if t.trigger.form not in ("casualty", "generic")
        and t.trigger.event_type in VIOLENT_TYPES
        and t.trigger.event_type != "abduction"
    ]
    chains = [doc.chain_start(t.pos, lo) for t in out]
    out = [_elaborated(doc, t, c, specific) for t, c in zip(out, chains, strict=True)]
    specific_chains = {doc.chain_start(t.pos, lo) for t in specific}
    named = {(c, t.trigger.event_type) for t, c in zip(out, chains, strict=True) if t.trigger.form != "generic"}
    out = [  # "وصول التعزيزات": the specific noun of the same act carries the event
        t
        for t, c in zip(out, chains, strict=True)
        if not (
            t.trigger.form == "generic"
            and t.trigger.event_type not in VIOLENT_TYPES
            and (c, t.trigger.event_type) in named
        )
    ]
    strike_chains = {doc.chain_start(t.pos, lo) for t in specific if t.trigger.event_type in _STRIKES}
    if strike_chains:  # "دوي انفجارات ناجمة عن غارات": the blasts are the strike's, not an explosion of their own
        out = [
            t
            for t in out
            if not (
                t.trigger.event_type == "explosion"
                and doc.norm.startswith(_BLAST_WORDS, t.pos)
                and doc.chain_start(t.pos, lo) in strike_chains
            )
        ]
    killings = [t.mention.nend for t in out if t.trigger.form == "casualty"]
    if killings:  # "killed one protester", "قتلت قوات الأمن متظاهراً": the protesters are the dead, not a protest told
        out = [t for t in out if not _protesters_killed(doc, t, killings)]
    chains = [doc.chain_start(t.pos, lo) for t in out]
    if specific:  # "استهدفت طائرة مسيرة": the drone says how; "قُتل ... جراء قصف": the shelling is the event
        out = [
            t
            for t, c in zip(out, chains, strict=True)
            if t.trigger.form != "casualty" and not (t.trigger.form == "generic" and c in specific_chains)
        ]
    elif any(t.trigger.form != "casualty" for t in out):
        out = [t for t in out if t.trigger.form != "casualty"]
    fresh = {
        family(t.trigger.event_type) for t in out if not t.mention.definite and t.trigger.event_type in VIOLENT_TYPES
    }
    if any(not t.mention.definite for t in out):  # "وفي رد على القصف، استهدفت ...": القصف only points back
        fresh_at = [t.pos for t in out if not t.mention.definite]
        out = [
            t
            for t in out
            if not (t.mention.definite and family(t.trigger.event_type) in fresh)
            or all(other_act_between(doc, min(t.pos, f), max(t.pos, f)) for f in fresh_at)
        ]  # "قتل اثنان جراء القصف على مسرابا، كما سقطت قذائف على حرستا": two acts
    background_ends = [m.nend for m in cues if m.entry.kind == "background"]
    pointing_back = [  # "وعقب الغارات، استقدم ...": the definite strike after عقب/بعد is the one told before
        t
        for t in out
        if t.mention.definite
        and t.trigger.event_type in VIOLENT_TYPES
        and any(e <= t.mention.nstart and doc.adjacent(e, t.mention.nstart) for e in background_ends)
    ]
    if pointing_back and len(pointing_back) < len(out):
        out = [t for t in out if t not in pointing_back]
    kept = {id(t.mention) for t in out}
    doc.dropped_definite = [
        m.nstart
        for m in doc.mentions_in(lo, hi, category="trigger")
        if m.definite and id(m) not in kept and m.entry.kind in VIOLENT_TYPES
    ]
    definite_violent = [
        m.nstart for m in doc.mentions_in(lo, hi, category="trigger") if m.definite and m.entry.kind in VIOLENT_TYPES
    ] + doc.targeted_in(lo, hi)  # "حول الموقع المستهدف"
    out = [
        t
        for t in out
        if t.trigger.event_type in VIOLENT_TYPES
        or t.trigger.event_type == "meeting"  # "اتفاق لوقف إطلاق النار وإيقاف القصف": the deal stops the strikes
        or not any(t.pos < v and doc.words.distance(t.mention.nend, v) <= 4 for v in definite_violent)
    ]  # "طوق حول موقع الاستهداف"
    violent_ends = [t.mention.nend for t in out if t.trigger.event_type in VIOLENT_TYPES]
    first_violent = min(
        (m.nstart for m in doc.mentions_in(lo, hi, category="trigger") if m.entry.kind in VIOLENT_TYPES), default=hi
    )
    out = [
        t
        for t in out
        if not (
            t.trigger.event_type == "reinforcement"
            and t.pos > first_violent
            and doc.text[t.mention.start : t.mention.end].rstrip("ًٌٍ").endswith("ا")
        )
    ]
    return [
        t
        for t in out
        if t.trigger.event_type in VIOLENT_TYPES
        or not any(e <= t.pos and doc.words.distance(e, t.pos) <= 3 for e in violent_ends)
    ]  # "استهدفت رتلاً": a target


def _protesters_killed(doc: Document, t: Trig, killings: list[int]) -> bool:
    """True for a word naming protesters ("protesters", "متظاهرين") a few words after a killing word."""
    if t.trigger.event_type != "protest" or not doc.norm.startswith(_PROTESTER_WORDS, t.mention.nstart):
        return False
    return any(k <= t.mention.nstart and doc.words.distance(k, t.mention.nstart) <= _VICTIM_WINDOW for k in killings)


def _elaborated(doc: Document, t: Trig, chain: int, specific: list[Trig]) -> Trig:
    """"تصعّد قوات النظام قصفها، حيث استهدفت بلدات ...": a generic attack after حيث tells how the act before went on."""
    if t.trigger.form != "generic" or t.trigger.event_type != "attack" or not doc.norm.startswith("حيث", chain):
        return t
    before = [s for s in specific if s.pos < chain and s.trigger.event_type in _ELABORATED_TYPES]
    if not before:
        return t
    return Trig(t.mention, replace(t.trigger, event_type=before[-1].trigger.event_type))


def _requirement_met(doc: Document, m: Mention, requires: tuple[str, ...], lo: int, hi: int) -> bool:
    """True when a required word (or, for "@actor", an actor name) follows the trigger within six words."""
    window = next((int(r[1:]) for r in requires if r.startswith("~")), 10)
    following = doc.words.next_words(m.nend, window)
    if not following:
        return False
    if "@actor" in requires:
        limit = following[-1][1]
        if any(m.nend <= a.nstart < limit for a in doc.mentions_in(lo, hi, category="actor")):
            return True
    return requirement_regex(requires).search(doc.norm, m.nend, following[-1][1]) is not None


def _concludes(doc: Document, cue: Mention, m: Mention) -> bool:
    """True when a verb of concluding stands up to four words before an arrangement word, or two after it."""
    if cue.nend <= m.nstart:
        between = doc.words.distance(cue.nend, m.nstart)
        word = doc.words.starts[doc.words.index_at(m.nstart)]
        led = doc.word_before(m.nstart, 1) == ["الي"] or doc.norm[word : m.nstart] in ("ل", "ول")
        # "توصلت اللجنة المركزية الممثلة عن الأحياء إلى اتفاق": the subject stands between the verb and its "إلى"
        return between <= _CONCLUDE_BEFORE or (led and between <= _CONCLUDE_LED)
    if m.nend > cue.nstart or doc.words.distance(m.nend, cue.nstart) > _CONCLUDE_AFTER:
        return False
    if doc.norm[cue.nstart : cue.nend] == "held":
        return False  # "the ceasefire having held so far": it lasted; "held talks" names the verb before
    # "الهدنة التي أعلنت عنها روسيا في آب": a truce named by what was done with it once, not concluded now
    return _RELATIVE.isdisjoint(w for _, _, w in doc.words.between(m.nend, cue.nstart))


def _near(doc: Document, a: Mention, b: Mention, words: int) -> bool:
    """True when two mentions stand within `words` words of each other, in either order."""
    if a.nend <= b.nstart:
        return doc.words.distance(a.nend, b.nstart) <= words
    return b.nend <= a.nstart and doc.words.distance(b.nend, a.nstart) <= words


def _ongoing_verbs(doc: Document) -> list[int]:
    """Starts of the present "witnesses / is exposed to" verbs of the document, found once (str.find anchors)."""
    if doc.ongoing_verbs is None:
        doc.ongoing_verbs = [
            found.start() for found in anchored_finditer(_ONGOING_VERB, doc.norm, _ONGOING_ANCHORS, back=2)
        ]
    return doc.ongoing_verbs


def _ongoing(doc: Document, m: Mention, cues: list[Mention], lo: int, hi: int) -> bool:
    """True when a present "witnesses / is exposed to" before the noun and a span of weeks or more frame it."""
    verbs = _ongoing_verbs(doc)
    if not verbs or verbs[0] >= m.nstart:
        return False  # most documents: no such verb before the noun, nothing more to look at
    chain_lo = doc.chain_start(m.nstart, lo)
    chain_hi = min((c.nstart for c in cues if c.entry.kind == "reset" and c.nstart > m.nstart), default=hi)
    i = bisect_left(verbs, chain_lo)
    if i == len(verbs) or verbs[i] >= m.nstart:
        return False
    if _SINCE_SPAN.search(doc.norm, lo, chain_hi) is not None:  # "ومنذ 20 يوماً، تشهد الغوطة حملة قصف"
        return True
    return _CONTINUING.match(doc.norm, m.nend) is not None  # "تشهد درعا هجمات مستمرة": attacks that go on


def _modal(doc: Document, m: Mention, cues: list[Mention], bounds: list[tuple[int, str]], lo: int, hi: int) -> bool:
    """True when the trigger sits in the scope of an accusation, threat, denial, speculation, intent, ..."""
    resets = [c.nstart for c in cues if c.entry.kind == "reset"]
    after = doc.words.next_words(m.nend, 1)
    before = doc.word_before(m.nstart, 1)
    if (after and after[0][2] in _SUMMARY_WORDS) or (before and before[0] == "او") or (after and after[0][2] == "او"):
        return True  # "الهجمات الأخيرة", "اعتقالات أو تجاوزات": a summary or a generic mention
    c_start, c_end, _ = doc.clause(m.nstart, bounds, lo, hi)
    trigger: Trigger = m.entry.value  # type: ignore[assignment]
    if trigger.form in ("noun", "generic") and _ongoing(doc, m, cues, lo, hi) and not _own_day(doc, m, lo, hi):
        return True
    if trigger.event_type == "takeover" and before and before[0] in _LIES_UNDER:
        return True  # "درعا، الواقعة تحت سيطرة قوات النظام": who holds a place, not a capture
    role = _ROLE_WORDS.get(before[0]) if before and trigger.event_type == "protest" else None
    if role == "person" or (role == "activity" and m.definite):
        return True  # "أحد منظمي المظاهرات", "بتهمة تنظيم المظاهرات"; "قاموا بتنظيم مظاهرة" is one
    if _continuing_since(doc, c_start, c_end) and not _own_day(doc, m, lo, hi, since=False):
        return True  # "تستمر الاحتجاجات في السويداء منذ 20 آب": a movement that goes on, not one protest
    for c in cues:
        kind = c.entry.kind
        if kind == "verbal":
            if trigger.form == "generic" and trigger.event_type == "attack" and _near(doc, c, m, _VERBAL_WINDOW):
                return True  # "هاجم الوزير الحكومة بشدة": words, not arms
        elif kind in SCOPED_CUES and c.nend <= m.nstart:
            if not any(c.nend <= r < m.nstart for r in resets):
                return True
        elif kind in ("intent", "negation") and c.nend <= m.nstart:
            limit = 3 if kind == "intent" else 2
            following = doc.words.next_words(c.nend, 1)
            if kind == "negation" and following and following[0][2] in _WITNESS_VERBS and c_start <= c.nstart:
                return True  # "لم تشهد المدينة أي اشتباكات": the whole clause is negated
            if doc.words.distance(c.nend, m.nstart) <= limit:
                return True
        elif kind == "trend":
            if c.entry.value == "عمليات":
                if c.nend <= m.nstart and doc.words.distance(c.nend, m.nstart) == 0:
                    return True
            elif c.entry.value == "حصيلة" and _toll_rose(doc, c, cues):
                continue  # "ارتفعت حصيلة القصف على بلدة X إلى 15": one event's toll, updated
            elif c_start <= c.nstart < c_end and not _one_day(doc, c_start, c_end):
                return True  # "سلسلة غارات منذ صباح اليوم": a series within one day is one concrete event
    return False


def _toll_rose(doc: Document, cue: Mention, cues: list[Mention]) -> bool:
    """True when "حصيلة" follows a verb of rising ("ارتفعت حصيلة") and no running total is told ("منذ مطلع العام")."""
    before = doc.word_before(cue.nstart, 1)
    rose = bool(before) and before[0].lstrip("و") in _ROSE_VERBS
    return rose and not any(c.entry.kind == "cumulative" and c.entry.value != "حصيلة" for c in cues)


def _continuing_since(doc: Document, lo: int, hi: int) -> bool:
    """True when the clause says something goes on ("تستمر", "لم تنقطع", "ما زالت") since a time ("منذ ...") near it."""
    if "منذ" not in doc.norm[lo:hi]:
        return False  # most clauses: no "since", nothing to look at
    texts = [w for _, _, w in doc.words.between(lo, hi)]
    pairs = enumerate(pairwise([*texts, ""]))
    since = [i for i, (w, nxt) in pairs if w.lstrip("و") == "منذ" and nxt not in _SHORT_SINCE]
    if not since:
        return False
    goes_on = [i for i, w in enumerate(texts) if w in _GOES_ON]
    goes_on += [i for i, pair in enumerate(pairwise(texts)) if " ".join(pair) in _GOES_ON]
    return any(abs(i - j) <= _SINCE_NEAR for i in goes_on for j in since)


def _own_day(doc: Document, m: Mention, lo: int, hi: int, since: bool = True) -> bool:
    """True when a one-day date of the sentence belongs to this trigger: no other trigger stands between them.

    With `since=False` a date after "منذ" does not count: it is when something began, not the day of an act.
    """
    others = [t.nstart for t in doc.mentions_in(lo, hi, category="trigger") if t.nstart != m.nstart]
    for d in doc.dates:
        if not since and doc.word_before(d.nstart, 1) == ["منذ"]:
            continue
        if lo <= d.nstart < hi and d.precision == "day":
            a, b = sorted((d.nstart, m.nstart))
            if not any(a < t < b for t in others):
                return True
    return False


def _one_day(doc: Document, lo: int, hi: int) -> bool:
    """True when the clause dates itself to one day ("صباح اليوم", "أمس")."""
    return any(lo <= d.nstart < hi and d.precision == "day" for d in doc.dates)
