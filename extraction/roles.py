"""Stage: the actors of a draft event and their roles (actor1, actor2, associated), anaphora included."""

from __future__ import annotations

import re
from collections import Counter

from extraction.document import ActorHit, DocState, Document, Draft, bare
from extraction.lexicon import Actor, Trigger, word_set
from extraction.model import EventActor

_AGENT_MARKERS = word_set("agent_marker")
_VICTIM_MARKERS = word_set("victim_marker")
_TARGET_PREPS = word_set("target_preposition")
_SAME_AFTER = re.compile(r"\s+(?:ذاتها|نفسها|ذاته|نفسه)(?!\w)")
_BETWEEN = word_set("between_word")
_PASSIVE = word_set("passive_word")
_AMBIGUOUS_PASSIVE = frozenset(("استهدفت", "واستهدفت", "فاستهدفت"))  # active or passive alike without vowels
_NOT_BY_CIVILIANS = frozenset(("reinforcement", "takeover", "defection", "armed_clash"))  # civilians are no side
_SUBJECT_REACH = 2  # "SDF members opened fire": a head noun may stand between an English subject and its verb
_ENGLISH_OBJECT_WORDS = frozenset(("a", "an", "the", "at", "dozens", "scores", "several", "many", "his", "their"))
_ENGLISH_PASSIVE_REACH = 3  # "was (reportedly) attacked": an English passive stands just before its participle
_AGAINST = frozenset(("ضد", "against"))  # the target of a protest
_MEMBER_NOUNS = word_set("actor_member_noun")  # "اعتقال قادة في الجيش الحر": members of X were taken
_COUNTERPART = word_set("counterpart_word")  # "مع X": X is the other party of a one-sided act
_PARTITIVE = word_set("partitive_word")
_TARGET_NOUNS = word_set("target_noun")  # "سيارة تقل قياديين في X": X is hit, not the attacker
_ROLE_LINKERS = word_set("role_linker")
_KILLING_VERBS = word_set("casualty_assassination_verb")
_MILITIA_WORDS = tuple(word_set("militia_word"))
_DETAINED_PEOPLE = word_set("detained_person")
_LOCATIVE = word_set("place_preposition") | {"of", "from", "capital"}  # before a name that is a place and an actor
_SOURCE_BEFORE = word_set("actor_source_before")  # "..., said the Interior Ministry", "بحسب وزارة الداخلية"
_SOURCE_LAST = frozenset(phrase.rsplit(" ", 1)[-1] for phrase in _SOURCE_BEFORE)  # the word right before the actor
_OBJECT_STOPS = word_set("place_preposition")
_OBJECT_WINDOW = 6  # words after an ambiguous verb in which its object may stand, past an instrument
_OBJECT_CUES = word_set("place_list_plural_kind") | frozenset(word_set("place_cue_kind"))
_DETAINED_WINDOW = 8  # words after an arrest word in which the people taken are named
# one-sided violence: a target named alone is never made the attacker (the attacker is simply unknown)
_NO_PROMOTION = frozenset(("attack", "airstrike", "explosion", "shelling"))


def resolve_actors(doc: Document, lo: int, hi: int, state: DocState) -> list[ActorHit]:
    """Actor mentions of the sentence with militia, both-sides and latter anaphors resolved."""
    mentions = doc.mentions_in(lo, hi, category="actor")
    strong = [m for m in mentions if m.entry.value.strength != "anaphor"]  # type: ignore[attr-defined]
    history = list(state.actor_history) if len(strong) < len(mentions) else []  # only anaphors read it
    hits: list[ActorHit] = []
    places = {(p.nstart, p.nend) for p in doc.places if lo <= p.nstart < hi}
    for m in mentions:
        actor: Actor = m.entry.value  # type: ignore[assignment]
        if actor.id == "armed_men" and m.definite:
            continue  # "المسلحين": gunmen the text spoke of before, not a new actor
        if actor.strength != "anaphor":
            if (m.nstart, m.nend) in places and bare_before(doc, m.nstart) in _LOCATIVE:
                continue  # "in the east of Damascus": the city, not the government named after it
            if _source_of_report(doc, m.nstart):
                continue  # "..., said the ministry": who tells of the event, not who took part
            if doc.norm.startswith(_MILITIA_WORDS, m.nstart):  # "ميليشيا الحرس الثوري" as one name
                doc.called_militia.add(actor.id)
            hits.append(ActorHit(m.nstart, m.nend, actor))
            history.append(actor)
            continue
        named = [h for h in history if h.strength == "strong" and h.actor_type != "Civilians"]
        if actor.id == "militia_anaphor":
            following = [
                s
                for s in strong
                if 0 <= s.nstart - m.nend <= 3 or (s.nstart - m.nend > 0 and doc.words.distance(m.nend, s.nstart) <= 3)
            ]
            if following:  # "ميليشيا الدفاع الوطني": the name follows; the text calls that actor a militia
                doc.called_militia.add(following[0].entry.value.id)  # type: ignore[attr-defined]
                continue
            militias = [h for h in named if h.actor_type in ("Political Militias", "Identity Militias")]
            if not militias:  # none of militia type: one the text itself called "ميليشيا X"
                militias = [h for h in named if h.id in doc.called_militia]
            if militias:
                chosen = militias[-1]
                if _SAME_AFTER.match(doc.norm, m.nend):  # "الميليشيا ذاتها": the one the article is about
                    counts = Counter(a.id for a in militias)
                    chosen = max(reversed(militias), key=lambda a: counts[a.id])
                hits.append(ActorHit(m.nstart, m.nend, chosen, anaphor=True))
        elif actor.id == "pair_anaphor" and doc.last_pair is not None:
            for h in doc.last_pair:
                hits.append(ActorHit(m.nstart, m.nend, h, via_pair=True, anaphor=True))
        elif actor.id == "pair_anaphor":
            pair: list[Actor] = []
            for h in reversed(named):
                if h not in pair:
                    pair.append(h)
                if len(pair) == 2:
                    break
            for h in reversed(pair):
                hits.append(ActorHit(m.nstart, m.nend, h, via_pair=True, anaphor=True))
        elif actor.id == "org_anaphor":
            rebels = [h for h in named if h.actor_type == "Rebel Groups"]
            if rebels:  # "التنظيم": the armed organisation named before (usually ISIS)
                hits.append(ActorHit(m.nstart, m.nend, rebels[-1], anaphor=True))
        elif actor.id == "body_anaphor":
            bodies = [h for h in named if h.name_ar.startswith("هيئة")]
            if bodies:  # "الهيئة": the body named before by its full name ("هيئة تحرير الشام")
                hits.append(ActorHit(m.nstart, m.nend, bodies[-1], anaphor=True))
        elif actor.id == "cell_anaphor":
            if any(s.nstart - m.nend >= 0 and doc.words.distance(m.nend, s.nstart) <= 3 for s in strong):
                continue  # "خلية لتنظيم داعش": the name follows
            rebels = [h for h in named if h.actor_type == "Rebel Groups"]
            if rebels:
                hits.append(ActorHit(m.nstart, m.nend, rebels[-1], anaphor=True))
        elif actor.id == "latter_anaphor":
            before = doc.word_before(m.nstart, 1)
            if before and (before[0].startswith("ال") or before[0].isdigit()):
                continue  # adjective: "الهجمات الأخيرة"
            if named:
                hits.append(ActorHit(m.nstart, m.nend, named[-1], anaphor=True))
    return hits


def one_sided_actors(
    doc: Document, draft: Draft, hits: list[ActorHit], sentence_hits: list[ActorHit]
) -> list[ActorHit]:
    """Actors of a one-sided act: not those named after مع/ضد (the other party); defectors' group first."""
    kept = []
    trig = draft.triggers[0].pos
    for h in hits:
        before = doc.word_before(h.nstart, 3)
        target = draft.event_type == "protest" and bool(_AGAINST.intersection(before))
        if not _COUNTERPART.isdisjoint(before) and not target:
            continue  # "اشتباكات مع X" names the other party; "مظاهرات ضد X" names whom the protest is against
        if h.via_pair and h.nstart > trig and before and before[0] in _PARTITIVE:
            h = ActorHit(h.nstart, h.nend, h.actor, via_pair=False, anaphor=True)  # "اعتقلت عشرين من الطرفين": victims
        kept.append(h)
    if draft.event_type in ("arrest", "abduction") and not any(
        h.nstart < trig or doc.word_before(h.nstart, 1)[:1] != ["من"] for h in kept
    ):
        earlier = [
            h
            for h in sentence_hits
            if h.nstart < trig and h.actor.strength == "strong" and h.actor.actor_type != "Civilians"
        ]
        if earlier:
            kept.insert(0, earlier[-1])
    if draft.event_type == "defection" and not any(h.nstart < trig for h in kept):
        earlier = [h for h in sentence_hits if h.nstart < draft.lo and h.actor.strength == "strong"]
        if earlier:
            kept.insert(0, earlier[-1])
    return kept


def assign_roles(doc: Document, draft: Draft, hits: list[ActorHit]) -> list[EventActor]:
    """actor1 = who did it, actor2 = target or other side, from 'بين X و Y', word order and markers."""
    trig = draft.triggers[0].pos
    ordered: list[tuple[Actor, str]] = []
    i, j = doc.words.index_range(draft.lo, draft.hi)
    texts = doc.words.texts
    between = None if _BETWEEN.isdisjoint(texts[i:j]) else next(k for k in range(i, j) if texts[k] in _BETWEEN)
    if between is not None and draft.event_type in ("armed_clash", "meeting", "attack"):
        after = [h for h in hits if h.nstart > doc.words.starts[between]]
        distinct: list[Actor] = []
        for h in after:
            if h.actor not in distinct:
                distinct.append(h.actor)
        if len(distinct) >= 2:
            doc.last_pair = (distinct[0], distinct[1])
            ordered = [(distinct[0], "actor1"), (distinct[1], "actor2")]
            ordered += [(a, "associated") for a in distinct[2:]]
            others = [h.actor for h in hits if h.actor not in distinct]
            ordered += [(a, "associated") for a in others]
            return _dedupe(ordered)
    trig_word = doc.words.index_range(draft.lo, trig)[1]
    passive = any(
        texts[k] in _PASSIVE
        and not (texts[k] in _AMBIGUOUS_PASSIVE and _has_object(doc, k))
        and (not texts[k].isascii() or trig_word - k <= _ENGLISH_PASSIVE_REACH)  # "was injured when X opened fire"
        for k in range(i, trig_word)
    )
    firm_targets: set[int] = set()  # indexes in `ordered` of actors the text marks as hit: never promoted
    for h in sorted(hits, key=lambda h: h.nstart):
        before = [bare(w) for w in doc.word_before(h.nstart, 2)]
        firm = False
        if draft.event_type in ("armed_clash", "meeting", "defection", "reinforcement", "takeover", "protest"):
            role = "actor1" if not ordered else "actor2"
            if draft.event_type in ("reinforcement", "takeover", "protest") and ordered:
                role = "associated"
            if draft.event_type == "protest" and _AGAINST.intersection(doc.word_before(h.nstart, 3)):
                role = "actor2"  # "تظاهر الأهالي ضد الهيئة": whom the protest is against
            if draft.event_type in _NOT_BY_CIVILIANS and h.actor.actor_type == "Civilians":
                role = "associated"  # "فرضت طوقاً ومنعت الأهالي", "قتل 5 بينهم طفل في اشتباكات": affected, not a side
        elif id(h) in draft.attached:
            role = "actor1"
        elif h.actor.actor_type != "Civilians" and _english_subject(doc, h):
            role = "actor1"  # "when X's patrols shot at": the subject of an active verb did it
        elif draft.event_type in ("arrest", "abduction"):
            member = len(before) > 1 and before[0] in ("في", "in") and before[1] in _MEMBER_NOUNS  # "قادة في X"
            victim = h.actor.actor_type == "Civilians" or (h.nstart > trig and (before[:1] == ["من"] or member))
            firm = member and h.nstart > trig  # X's people were taken: X never becomes the one who took them
            role = "actor2" if victim or any(r == "actor1" for _, r in ordered) else "actor1"
        elif before and before[0] in _AGENT_MARKERS and before[1:2] != ["من"]:
            role = "actor1"  # "قتلت خلية لداعش": the agent word binds closer than the death verb before it
        elif h.actor.actor_type == "Civilians" or _victim_of_casualty(doc, h):
            role, firm = "actor2", True
        elif not _AGENT_MARKERS.isdisjoint(before):
            role = "actor1"
        elif _after_target_noun(doc, h.nstart):
            role, firm = "actor2", True
        elif h.nstart < trig:
            # "استهدفت قوات النظام البلدة": the verb right before the actor is active, its subject the doer
            firm = (passive and not _verb_subject(doc, h)) or bool(before and before[0] in _TARGET_PREPS)
            role = "actor2" if firm else "actor1"
        elif not _VICTIM_MARKERS.isdisjoint(before):
            role = "actor2"
        elif (
            draft.triggers[0].trigger.form in ("past", "generic")
            and not draft.triggers[0].mention.definite
            and not any(r == "actor1" for _, r in ordered)
        ):
            role = "actor1"
        else:
            role = "actor2"
        if firm:
            firm_targets.add(len(ordered))
        ordered.append((h.actor, role))
    if not any(r == "actor1" for _, r in ordered):
        for i, (actor, _) in enumerate(ordered):
            if actor.actor_type != "Civilians" and not (
                (draft.event_type in _NO_PROMOTION or draft.event_type in ("arrest", "abduction")) and i in firm_targets
            ):
                ordered[i] = (actor, "actor1")
                break
    return _dedupe(ordered)


def _source_of_report(doc: Document, pos: int) -> bool:
    """True when a reporting word ("said", "according to", "بحسب", "نقلا عن") stands right before the actor."""
    before = doc.word_before(pos, 1)
    if not before or (before[0] not in _SOURCE_LAST and before[0] != "the"):
        return False  # most actors: no reporting word right before them
    words = doc.words.prev_words(pos, 3)  # nearest first; "the" may stand between ("said the ministry")
    if words and words[0][2] == "the":
        words = words[1:]
    if not words:
        return False
    start, _, word = words[0]
    if word in ("said", "says"):  # ", said the ministry" tells who spoke; "sources said the X group's men" does not
        return doc.norm[max(start - 3, 0) : start].rstrip().endswith((",", '"', "'"))
    return word in _SOURCE_BEFORE or (len(words) > 1 and f"{words[1][2]} {word}" in _SOURCE_BEFORE)


def bare_before(doc: Document, pos: int) -> str:
    """The word before `pos` without its clitics, or "" at the start."""
    before = doc.word_before(pos, 1)
    return bare(before[0]) if before else ""


def _has_object(doc: Document, k: int) -> bool:
    """"استهدفت بقذائف مدفعية قرية X": a place or target named right after the verb (past its instrument) is its
    object, so the verb is active ("was targeted" takes none)."""
    texts, starts = doc.words.texts, doc.words.starts
    place_starts = {p.nstart for p in doc.places}
    for n in range(k + 1, min(k + 1 + _OBJECT_WINDOW, len(texts))):
        word = texts[n]
        if starts[n] in place_starts or bare(word) in _TARGET_NOUNS or bare(word) in _OBJECT_CUES:
            return True
        if not texts[k + 1].startswith("ب") or bare(word) in _OBJECT_STOPS:
            return False  # no instrument ("بقذائف مدفعية ثقيلة") first, or a preposition ("قرب قرية X"): no object
    return False


def _english_subject(doc: Document, hit: ActorHit) -> bool:
    """True when an English actor is followed within two words by an active trigger ("gunmen attacked", "IS attack")."""
    if not doc.norm[hit.nstart : hit.nend].isascii():
        return False
    following = doc.words.next_words(hit.nend, _SUBJECT_REACH)
    if not following:
        return False
    for m in doc.mentions_in(hit.nend, following[-1][1] + 1, category="trigger"):
        trigger: Trigger = m.entry.value  # type: ignore[assignment]
        if _PASSIVE.intersection(doc.word_before(m.nstart, 1)):
            continue
        if trigger.form != "casualty" or _english_object_after(doc, m.nend):
            return True  # "gunmen attacked", "security forces killed two protesters" (not "two soldiers killed in")
    return False


def _english_object_after(doc: Document, pos: int) -> bool:
    """True when an English killing word is followed by whom it killed: a number or a determiner ("killed two")."""
    following = doc.words.next_words(pos, 1)
    if not following:
        return False
    start, end, word = following[0]
    return word.isdigit() or word in _ENGLISH_OBJECT_WORDS or bool(doc.mentions_in(start, end, category="number"))


def _verb_subject(doc: Document, hit: ActorHit) -> bool:
    """True when an ambiguous verb ("استهدفت": targeted / was targeted) stands right before the actor: its subject."""
    before = doc.word_before(hit.nstart, 1)
    return bool(before) and before[0] in _AMBIGUOUS_PASSIVE


def add_detained_civilians(doc: Document, draft: Draft) -> None:
    """ "اعتقل ... شابين": people taken without a named group are civilians (actor2)."""
    civilians = doc.lexicon.actors.get("civilians")
    if civilians is None:
        return
    for t in draft.triggers:
        following = doc.words.next_words(t.mention.nend, _DETAINED_WINDOW)
        if any(bare(w) in _DETAINED_PEOPLE and draft.lo <= a < draft.hi for a, _, w in following):
            draft.actors.append(EventActor(civilians.id, civilians.name, civilians.name_ar, "actor2", "Civilians"))
            return


def _after_target_noun(doc: Document, pos: int) -> bool:
    """True when a target noun (سيارة، مقرات، تقل، قياديين) stands before `pos`, past linker words only."""
    for word in doc.word_before(pos, 4):
        stem = bare(word)
        if word in _TARGET_NOUNS or stem in _TARGET_NOUNS:
            return True
        if not (word in _ROLE_LINKERS or stem in _ROLE_LINKERS or word.isdigit()):
            return False
    return False


def _victim_of_casualty(doc: Document, hit: ActorHit) -> bool:
    """True when a death or injury word stands shortly before the actor ("مقتل 3 عناصر من X")."""
    window = doc.words.prev_words(hit.nstart, 4)
    if window:
        cues = [
            m
            for m in doc.mentions_in(window[-1][0], hit.nstart, category="cue")
            if m.entry.kind in ("killed", "injured") and bare(doc.norm[m.nstart : m.nend]) not in _KILLING_VERBS
        ]  # "اغتال مسلحون": the killers follow the verb, not the victims
        if cues and not doc.mentions_in(cues[-1].nend, hit.nstart, category="trigger"):
            return True  # "مقتل 3 عناصر من X", not "قتلوا بهجوم لخلايا X"
    after = doc.words.next_words(hit.nend, 3)  # "4 عناصر من قسد قتلوا"
    return bool(after) and any(
        m.entry.kind in ("killed", "injured") for m in doc.mentions_in(hit.nend, after[-1][1], category="cue")
    )


def as_protesters(doc: Document, actor: EventActor, draft: Draft) -> EventActor:
    """Civilians who demonstrate are protesters; name_ar keeps the text's word for them (المزارعين)."""
    if actor.actor_type != "Civilians" or actor.role != "actor1":
        return actor
    surface = protesters_word(doc, draft) or actor.name_ar
    return EventActor("protesters", "Protesters (Syria)", surface, "actor1", "Protesters")


def protesters_word(doc: Document, draft: Draft) -> str | None:
    """The sentence's word for those who protest ("الأهالي", "المعلمين"): the first before the trigger, else after."""
    trigger = draft.triggers[0].mention.nstart
    mentions = doc.mentions_in(draft.sentence_lo, draft.sentence_hi, category="actor")
    words = [m for m in mentions if m.entry.kind == "civilians"]
    before = [m for m in words if m.nstart < trigger]
    chosen = before[0] if before else (words[0] if words else None)
    return None if chosen is None else doc.text[chosen.start : chosen.end]


def name_surfaces(doc: Document, actors: list[EventActor], hits: list[ActorHit]) -> None:
    """Give each actor the words the text names it with ("قوات الأسد", "مسلحين مجهولين"), from its first named hit."""
    for actor in actors:
        hit = next((h for h in hits if h.actor.id == actor.id and not h.anaphor), None)
        if hit is not None and actor.surface is None:
            start = hit.nstart
            word_start = doc.words.starts[doc.words.index_at(start)]
            if start - 2 >= word_start and doc.norm.startswith("ال", start - 2):
                start -= 2  # "والقوات الحكومية": the name as written keeps its article, not the conjunction
            actor.surface = doc.text[doc.offsets[start] : doc.offsets[hit.nend - 1] + 1].strip("\"'“”«»#")


def _dedupe(pairs: list[tuple[Actor, str]]) -> list[EventActor]:
    """One EventActor per actor, first role wins."""
    seen: set[str] = set()
    out: list[EventActor] = []
    for actor, role in pairs:
        if actor.id in seen:
            continue
        seen.add(actor.id)
        out.append(EventActor(actor.id, actor.name, actor.name_ar, role, actor.actor_type))
    return out
