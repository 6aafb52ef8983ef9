"""An independent access probe: does any demo persona see a case, record, export or API
response it should not? Prints its findings; exits 1 if it finds a leak. Not a pytest test.

The ×1 demo database (``--from-var``, default /tmp/demo1; left as it is) is copied into
``--var`` (default /tmp/probe-var, replaced on each run). The copy is then given what the
demo lacks, so the rules that need it are exercised: some restricted cases (allocated to a
persona, involving the partner personas' agencies, naming a partner persona, or nobody's),
plan actions owned by each partner persona's agency, decisions to share information, and
break-glass accesses (in force and expired). Each child protection record's free text gets a
marker (``PRB-SD-<id>`` in a strategy discussion's decisions, ``PRB-PA-<id>`` in a plan
action …) so that a record's content showing up anywhere it should not is seen at once.

The copy is served by the production server (``safeguard serve``: waitress) on the loopback
interface. Every demo persona of both areas (``north-*`` and ``south-*``, every role) signs
in over HTTP, with the second factor (the TOTP code computed here from the device's key) for
the roles that need one, and then:

1. What the persona should see is worked out here, **independently of the application's
   policy code**, with SQL written from the rules documented in the docstrings of
   ``safeguard.cases.policy`` (cases, restricted cases, break-glass, parts of a case by need
   to know) and ``safeguard.earlyhelp.selectors`` (early help records).
2. It requests, for a sample of ids inside and outside that (all of them for a persona who
   sees few; ids of the other area, restricted cases, ids just above the largest), every GET
   URL pattern of the resolver that takes one object's id (case sub-pages, protection,
   assessment, referral, early help, sharing and household pages) and every GET operation of
   the OpenAPI document; the list pages (case list, my work, my team and its ``?worker=``,
   the front door queue, conference requests, early help, one's own access history, the
   API's lists); and the people search (web and API) for children of the other area and of
   cases the persona should not see, by name, NHS number and UPN.
3. Each answer is judged: a 200 for an object outside the persona's set is a leak; a refusal
   must be 403/404 (401 for the API) and name nobody; and every body (200 or not) is scanned
   for the names, NHS numbers and UPNs of children the persona should not know of, the
   references of cases they should not see, and the markers of records they should not see.
4. It prints a table (persona × requests × allowed × refused × leaks) and each leak with its
   URL pattern and kind (never the personal data itself).

    scripts/uv run --no-sync python benchmarks/probe_access.py [--from-var /tmp/demo1]
        [--var /tmp/probe-var] [--sample 1.0] [--clients 4] [--seed 1]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import html
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import served  # benchmarks/served.py: the script's folder is on the path
from served import HOST

HERE = Path(__file__).resolve().parent
PASSWORD = "safeguard-demo-2026"  # noqa: S105 - the published demo password
ROLES = ("manager", "front_door", "social_worker", "social_worker_2", "chair", "lado",
         "police", "health", "school_dsl", "early_help", "partnership")
PERSONAS = [f"{area}-{role}" for area in ("north", "south") for role in ROLES]
SOCIAL_CARE_ROLES = {"front_door_worker", "social_worker", "team_manager", "conference_chair",
                     "designated_officer"}
NOW = datetime.now(UTC)
NOW_SQL = NOW.strftime("%Y-%m-%d %H:%M:%S")

# ---- the copy and what it is given ---------------------------------------------------------


def prepare(source: Path, var: Path, seed: int) -> None:
    if var.exists():
        shutil.rmtree(var)
    shutil.copytree(source, var)
    db = sqlite3.connect(var / "safeguard.sqlite3")
    rnd = random.Random(seed)
    staff = {u: (sid, aid) for u, sid, aid in db.execute(
        "select u.username, s.id, s.agency_id from auth_user u join agencies_staff s "
        "on s.user_id = u.id")}
    stamp = NOW_SQL
    for area in ("north", "south"):
        la = db.execute("select agency_id from agencies_staff where id=?",
                        (staff[f"{area}-manager"][0],)).fetchone()[0]
        sw = staff[f"{area}-social_worker"][0]
        cases_of = lambda sql, *a: [r[0] for r in db.execute(sql, a)]  # noqa: E731
        restricted: set[int] = set()
        # allocated to the social worker persona (they and their manager see it)
        restricted |= set(rnd.sample(cases_of(
            "select id from cases_case where allocated_worker_id=? and restricted=0", sw), 4))
        # involving each partner persona's agency, nobody of the personas named on it
        for role in ("police", "health", "school_dsl", "early_help"):
            sid, aid = staff[f"{area}-{role}"]
            pool = cases_of(
                "select distinct case_id from cases_involvement where until is null and "
                "agency_id=? and (staff_id is null or staff_id<>?)", aid, sid)
            restricted |= set(rnd.sample(pool, min(3, len(pool))))
            # ... and naming the persona (a live involvement of theirs)
            pool = cases_of("select distinct case_id from cases_involvement where "
                            "until is null and staff_id=?", sid)
            restricted |= set(rnd.sample(pool, min(2, len(pool))))
        restricted |= set(rnd.sample(cases_of(
            "select id from cases_case where local_authority_id=?", la), 6))
        db.executemany("update cases_case set restricted=1 where id=?",
                       [(c,) for c in restricted])
        # plan actions owned by each partner persona's agency and by the authority
        owners = [staff[f"{area}-{r}"][1] for r in ("police", "health", "school_dsl",
                                                    "early_help")] + [la]
        plans = cases_of("select p.id from protection_childprotectionplan p join cases_case c "
                         "on c.id=p.case_id where c.local_authority_id=?", la)
        for plan in rnd.sample(plans, min(80, len(plans))):
            for owner in rnd.sample(owners, 3):
                db.execute("insert into protection_planaction (action, due_on, done_on, "
                           "owner_agency_id, plan_id, owner) values (?, '2026-12-20', null, ?, "
                           "?, 'Probe owner')", ("Probe action", owner, plan))
        # decisions to share: made by the social worker or a partner persona, with another
        partners = [staff[f"{area}-{r}"] for r in ("police", "health", "school_dsl")]
        cases = cases_of("select distinct i.case_id from cases_involvement i join cases_case c "
                         "on c.id=i.case_id where i.until is null and c.local_authority_id=? "
                         "and i.agency_id in (?,?,?)", la, *[p[1] for p in partners])
        for case in rnd.sample(cases, min(60, len(cases))):
            decider = rnd.choice([(sw, la), *partners])
            other = rnd.choice([p for p in [(sw, la), *partners] if p != decider])
            db.execute(
                "insert into sharing_sharingdecision (created_at, updated_at, version, decision, "
                "decided_on, decided_by_role, what, items, with_whom, purpose, consent_sought, "
                "consent_given, consent_not_sought_reason, article_6_basis, "
                "paragraph_18_reason, person_told, person_not_told_reason, action, case_id, "
                "created_by_id, decided_by_id, decided_by_agency_id, with_agency_id) values "
                "(?, ?, 1, 'share', '2026-11-20', 'social_worker', 'Probe what', '[]', "
                "'Probe recipient', 'Probe purpose', 0, null, 'Probe reason', 'e', "
                "'safeguarding', 1, '', '', ?, null, ?, ?, ?)",
                (stamp, stamp, case, decider[0], decider[1], other[1]))
        # break-glass: a partner persona, in force on a case they cannot see (one restricted),
        # and one expired
        for role, live in (("police", True), ("health", True), ("school_dsl", False)):
            sid, aid = staff[f"{area}-{role}"]
            pool = cases_of("select id from cases_case c where local_authority_id=? and not "
                            "exists (select 1 from cases_involvement i where i.case_id=c.id "
                            "and i.agency_id=?)", la, aid)
            for case in rnd.sample(pool, 2):
                until = (NOW + timedelta(hours=8 if live else -1)).strftime(
                    "%Y-%m-%d %H:%M:%S")
                db.execute("insert into cases_breakglass (reason, opened_at, until, case_id, "
                           "staff_id) values ('Probe: out of hours', ?, ?, ?, ?)",
                           (stamp, until, case, sid))
        rc = rnd.choice(sorted(restricted))
        db.execute("insert into cases_breakglass (reason, opened_at, until, case_id, staff_id) "
                   "values ('Probe', ?, ?, ?, ?)", (stamp, (NOW + timedelta(hours=8)).strftime(
                       "%Y-%m-%d %H:%M:%S"), rc, staff[f"{area}-early_help"][0]))
    # markers in every record's free text
    for table, column, tag in MARKED:
        db.execute(f"update {table} set {column} = 'PRB-{tag}-' || id || ' ' || {column}")  # noqa: S608
    db.commit()
    db.close()
    # the copy's schema brought up to the code's (the demo may predate a migration)
    subprocess.run([sys.executable, "-m", "safeguard.cli", "manage", "migrate", "--noinput",
                    "-v", "0"], env=environment(var), check=True)


#: Bodies kept to check the scanner itself: what it finds in them for someone who sees
#: nothing must include a child's name, a case reference and a record's marker.
CONTROL_PATTERNS = ("cases/<int:case_id>/", "/api/v1/cases/{case_id}",
                    "people/cases/<int:case_id>/household/",
                    "protection/strategy-discussions/<int:discussion_id>/",
                    "/api/v1/protection/plans/{plan_id}")
CONTROL: dict[str, str] = {}


#: (table, text column, marker tag): the record's content carries ``PRB-<tag>-<id>``.
MARKED = [
    ("protection_strategydiscussion", "decisions", "SD"),
    ("protection_strategyaction", "action", "SA"),
    ("protection_immediateprotection", "details", "IP"),
    ("protection_section47enquiry", "outcome_notes", "SE"),
    ("protection_conference", "summary", "CF"),
    ("protection_childprotectionplan", "outcomes", "PL"),
    ("protection_coregroupmeeting", "notes", "CG"),
    ("protection_planaction", "action", "PA"),
    ("sharing_sharingdecision", "what", "SH"),
    ("referrals_referral", "concerns", "RF"),
    ("assessments_assessment", "wishes_and_feelings", "AS"),
    ("earlyhelp_earlyhelpassessment", "needs", "EH"),
]

# ---- what each persona should see: the documented rules, in SQL ---------------------------


@dataclass
class Persona:
    username: str
    staff_id: int
    agency_id: int
    role: str
    agency_kind: str
    la_id: int
    team_id: int | None
    social_care: bool = False
    cases: set[int] = field(default_factory=set)
    by_right: set[int] = field(default_factory=set)
    whole: set[int] = field(default_factory=set)
    sees: dict[str, set[int]] = field(default_factory=dict)  # kind → ids
    known_people: set[int] = field(default_factory=set)
    access_history: set[int] = field(default_factory=set)
    strict: dict[str, set[int]] = field(default_factory=dict)  # kind → ids, whole cases only
    allowed_names: set[tuple[str, str]] = field(default_factory=set)  # named in what they see


def should_see(db: sqlite3.Connection, username: str) -> Persona:
    row = db.execute(
        "select s.id, s.agency_id, s.role, a.kind, coalesce(a.area_id, a.id), s.team_id "
        "from auth_user u join agencies_staff s on s.user_id=u.id join agencies_agency a "
        "on a.id=s.agency_id where u.username=? and s.active and u.is_active",
        (username,)).fetchone()
    p = Persona(username, *row)
    S, A = p.staff_id, p.agency_id
    is_la = p.agency_kind == "local_authority"
    p.social_care = is_la and p.role in SOCIAL_CARE_ROLES
    q = lambda sql, *a: {r[0] for r in db.execute(sql, a)}  # noqa: E731

    # Cases. Base: social care of the responsible LA; a partner: a live involvement of the
    # agency (of the person themself, for staff of an LA outside social care).
    if p.social_care:
        base = "c.local_authority_id = :A"
    elif is_la:
        base = ("exists (select 1 from cases_involvement i where i.case_id=c.id and "
                "i.until is null and i.staff_id = :S)")
    else:
        base = ("exists (select 1 from cases_involvement i where i.case_id=c.id and "
                "i.until is null and i.agency_id = :A)")
    named = ("(c.allocated_worker_id = :S or exists (select 1 from agencies_staff w where "
             "w.id=c.allocated_worker_id and w.manager_id = :S) or exists (select 1 from "
             "cases_involvement n where n.case_id=c.id and n.until is null and "
             "n.staff_id = :S))")
    glass = ("exists (select 1 from cases_breakglass b where b.case_id=c.id and "
             "b.staff_id = :S and b.until > :now)")
    args = {"A": A, "S": S, "now": NOW_SQL}
    right = f"({base}) and (c.restricted = 0 or {named})"
    p.by_right = {r[0] for r in db.execute(f"select id from cases_case c where {right}", args)}  # noqa: S608
    p.cases = {r[0] for r in db.execute(  # noqa: S608
        f"select id from cases_case c where ({right}) or {glass}", args)}
    p.whole = ({c for c, la in db.execute("select id, local_authority_id from cases_case")
                if c in p.cases and la == A} if p.social_care else set())
    parts = p.cases - p.whole

    def on(table: str, ids: set[int], col: str = "case_id") -> set[int]:
        rows = db.execute(f"select id, {col} from {table}")  # noqa: S608
        return {i for i, c in rows if c in ids}

    # Parts of a case, for a partner: by the agency, or (staff of an LA outside social
    # care, and anyone else on a case not their authority's) by the person.
    who = "agency_id = :A" if not is_la else "staff_id = :S"
    attended = q(f"select discussion_id from protection_strategyattendee where {who}"  # noqa: S608
                 .replace(":A", str(A)).replace(":S", str(S)))
    invited = q(f"select conference_id from protection_conferenceinvitee where {who}"  # noqa: S608
                .replace(":A", str(A)).replace(":S", str(S)))
    core = q(f"select plan_id from protection_coregroupmember where {who}"  # noqa: S608
             .replace(":A", str(A)).replace(":S", str(S)))
    sd_case = dict(db.execute("select id, case_id from protection_strategydiscussion"))
    sd = on("protection_strategydiscussion", p.whole) | {
        d for d in attended if sd_case[d] in parts}
    ip = on("protection_immediateprotection", p.whole)
    ids = ",".join(map(str, attended or {0}))
    led_to_sd = q("select immediate_protection_id from protection_strategydiscussion where "  # noqa: S608
                  f"immediate_protection_id is not null and id in ({ids})")
    for i, case, acting in db.execute(
            "select id, case_id, acting_agency_id from protection_immediateprotection"):
        if case in parts and ((not is_la and acting == A) or i in led_to_sd):
            ip.add(i)
    cf_case = dict(db.execute("select id, case_id from protection_conference"))
    cf = on("protection_conference", p.whole) | {c for c in invited if cf_case[c] in parts}
    se = on("protection_section47enquiry", p.whole)
    led_to = defaultdict(set)
    for c, e in db.execute("select id, enquiry_id from protection_conference where "
                           "enquiry_id is not null"):
        led_to[e].add(c)
    for e, case, sdid, by_agency, by_staff in db.execute(
            "select id, case_id, strategy_discussion_id, conference_requested_by_id, "
            "conference_requested_by_staff_id from protection_section47enquiry"):
        if case in parts and (sdid in attended or (not is_la and by_agency == A)
                              or (is_la and by_staff == S) or led_to[e] & invited):
            se.add(e)
    pl = on("protection_childprotectionplan", p.whole)
    reviews = defaultdict(set)
    for c, plan in db.execute("select id, plan_id from protection_conference where "
                              "plan_id is not null"):
        reviews[plan].add(c)
    for plan, case, started in db.execute(
            "select id, case_id, started_by_id from protection_childprotectionplan"):
        if case in parts and (plan in core or started in invited or reviews[plan] & invited):
            pl.add(plan)
    pa = set()
    whole_plans = on("protection_childprotectionplan", p.whole)
    for a, plan, owner in db.execute("select id, plan_id, owner_agency_id from "
                                     "protection_planaction"):
        if plan in pl and (plan in whole_plans or (not is_la and owner == A)):
            pa.add(a)
    sa = {a for a, d in db.execute("select id, discussion_id from protection_strategyaction")
          if d in sd}
    cg = {m for m, plan in db.execute("select id, plan_id from protection_coregroupmeeting")
          if plan in pl}
    sh = on("sharing_sharingdecision", p.whole)
    for d, case, by_staff, by_agency, with_agency in db.execute(
            "select id, case_id, decided_by_id, decided_by_agency_id, with_agency_id from "
            "sharing_sharingdecision"):
        if case in parts and ((not is_la and A in (by_agency, with_agency))
                              or (is_la and by_staff == S)):
            sh.add(d)
    # Early help: the lead practitioner, their agency, the contributing agencies, and
    # children's social care of the area.
    eh = q("select e.id from earlyhelp_earlyhelpassessment e where e.lead_practitioner_id=? "
           "or e.agency_id=? or exists (select 1 from "
           "earlyhelp_earlyhelpassessment_contributing_agencies x where "
           "x.earlyhelpassessment_id=e.id and x.agency_id=?) or (? and "
           "e.local_authority_id=?)", S, A, A, int(p.social_care), A)
    p.sees = {
        "case": p.cases,
        "referral": on("referrals_referral", p.cases),
        "assessment": on("assessments_assessment", p.cases),
        "cin_plan": on("assessments_childinneedplan", p.cases),
        "discussion": sd, "immediate": ip, "enquiry": se, "conference": cf, "plan": pl,
        "plan_action": pa, "strategy_action": sa, "core_group_meeting": cg, "sharing": sh,
        "early_help": eh,
        "member": {m for m, h in db.execute(
            "select id, household_id from people_householdmember") if h in _households(
                db, p.cases)},
    }
    p.strict = {"referral": on("referrals_referral", p.whole),
                "assessment": on("assessments_assessment", p.whole)}
    # Who looked at a case: its managers (the allocated worker's manager and the team
    # managers of its team; with neither, every team manager of the authority) in the
    # responsible LA's social care, who see it by their own rights.
    if p.social_care:
        team_managers = defaultdict(set)
        for sid, team in db.execute("select id, team_id from agencies_staff where "
                                    "role='team_manager' and active and agency_id=?", (A,)):
            team_managers[team].add(sid)
        every_manager = set().union(*team_managers.values()) if team_managers else set()
        for c, worker_manager, manager_active, team in db.execute(
                "select c.id, w.manager_id, m.active, c.team_id from cases_case c left join "
                "agencies_staff w on w.id=c.allocated_worker_id left join agencies_staff m "
                "on m.id=w.manager_id where c.local_authority_id=?", (A,)):
            if c not in p.by_right:
                continue
            managers = {worker_manager} if worker_manager and manager_active else set()
            if team is not None:
                managers |= team_managers.get(team, set())
            if not managers:
                managers = every_manager
            if S in managers:
                p.access_history.add(c)
    # People they may know of: the children of their cases and of their early help records,
    # the members of those children's households and those related to them.
    children = {r for c, r in db.execute("select id, child_id from cases_case") if c in p.cases}
    children |= {r for e, r in db.execute("select id, child_id from "
                                          "earlyhelp_earlyhelpassessment") if e in eh}
    known = set(children)
    homes = {h for h, person in db.execute("select household_id, person_id from "
                                           "people_householdmember") if person in children}
    known |= {person for h, person in db.execute("select household_id, person_id from "
                                                 "people_householdmember") if h in homes}
    for child, person in db.execute("select child_id, person_id from people_relationship"):
        if child in children:
            known.add(person)
        if person in children:
            known.add(child)
    p.known_people = known
    # names written into the records they see: who gave consent to early help
    for e, full in db.execute("select id, consent_given_by from earlyhelp_earlyhelpassessment"):
        words = (full or "").lower().split()
        if e in eh and len(words) >= 2:
            p.allowed_names |= {(words[0], words[-1]), (words[-2], words[-1])}
    return p


_HOUSEHOLDS: dict[frozenset[int], set[int]] = {}


def _households(db: sqlite3.Connection, cases: set[int]) -> set[int]:
    key = frozenset(cases)
    if key not in _HOUSEHOLDS:
        children = {r for c, r in db.execute("select id, child_id from cases_case") if c in cases}
        _HOUSEHOLDS[key] = {h for h, person in db.execute(
            "select household_id, person_id from people_householdmember") if person in children}
    return _HOUSEHOLDS[key]


# ---- recognising personal data in a body ---------------------------------------------------


class Lexicon:
    """Every child's name, NHS number and UPN, and every case's reference."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.names: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.nhs: dict[str, int] = {}
        self.upn: dict[str, int] = {}
        self.children: set[int] = set()
        self.person_names: dict[int, tuple[str, str]] = {}
        for pid, is_child, given, family, nhs, upn in db.execute(
                "select id, is_child, given_name, family_name, nhs_number, upn "
                "from people_person"):
            key = (given.lower(), family.lower())
            self.person_names[pid] = key
            self.names[key].add(pid)
            if is_child:
                self.children.add(pid)
                if nhs:
                    self.nhs[nhs] = pid
                if upn:
                    self.upn[upn.upper()] = pid
        self.staff_names = {(f.lower(), la.lower()) for f, la in db.execute(
            "select first_name, last_name from auth_user")}
        # professionals named in the records (referrers, attendees, invitees, core group)
        for table, column in (("referrals_referral", "referrer_name"),
                              ("protection_strategyattendee", "name"),
                              ("protection_conferenceinvitee", "name"),
                              ("protection_coregroupmember", "name")):
            for (full,) in db.execute(f"select distinct {column} from {table}"):  # noqa: S608
                words = (full or "").lower().split()
                if len(words) >= 2:
                    self.staff_names.add((words[0], words[-1]))
                    self.staff_names.add((words[-2], words[-1]))
        self.reference = {ref: cid for cid, ref in db.execute(
            "select id, reference from cases_case")}
        self.case_child = dict(db.execute("select id, child_id from cases_case"))

    def scan(self, text: str, p: Persona) -> list[str]:
        """The kinds of personal data in ``text`` the persona should not see (no values)."""
        found: list[str] = []
        seen_names: set[tuple[str, str]] = set()
        for segment in SEGMENT.split(text):
            if POSTCODE.search(segment):  # an address: its street may be named like a person
                continue
            words = [w.lower() for w in WORD.findall(segment)]
            pairs = []
            for i in range(len(words) - 1):
                if words[i] == "," or words[i + 1] == ",":
                    if words[i + 1] == "," and i + 2 < len(words):  # "Family, Given"
                        pairs.append((words[i + 2], words[i]))
                    continue
                pairs.append((words[i], words[i + 1]))
                if i + 2 < len(words) and words[i + 2] != ",":  # "Given Middle Family"
                    pairs.append((words[i], words[i + 2]))
            for pair in pairs:
                if pair in seen_names:
                    continue
                ids = self.names.get(pair)
                if not ids:
                    continue
                seen_names.add(pair)
                if ids & p.known_people or pair in self.staff_names or \
                        pair in p.allowed_names:
                    continue
                found.append("child's name" if ids & self.children
                             else "family member's name")
                if DUMP is not None:
                    found.append(f"DEBUG {pair} {sorted(ids)[:5]}")
        for digits in NHS.findall(text):
            n = re.sub(r"\D", "", digits)
            if n in self.nhs and self.nhs[n] not in p.known_people:
                found.append("child's NHS number")
        for upn in UPN.findall(text):
            if upn.upper() in self.upn and self.upn[upn.upper()] not in p.known_people:
                found.append("child's UPN")
        for ref in REFERENCE.findall(text):
            cid = self.reference.get(ref)
            if cid is not None and cid not in p.cases:
                found.append("reference of a case not seen")
        for tag, rid in MARKER.findall(text):
            kind = TAG_KIND[tag]
            if int(rid) not in p.sees[kind]:
                found.append(f"content of a {kind.replace('_', ' ')} not seen")
            elif kind in p.strict and int(rid) not in p.strict[kind]:
                found.append(f"QUESTION: a partner sees a {kind}'s content")
        return found


WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|,")
#: Text nodes (an HTML page's, with the tags made " ; ") and JSON values: a name is within one
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")
SEGMENT = re.compile(r";|\n\s*\n")
NHS = re.compile(r"(?<!\d)\d{3}[ \-]?\d{3}[ \-]?\d{4}(?!\d)")
UPN = re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b")
REFERENCE = re.compile(r"(?<!\d)\d{3}-\d{6}(?!\d)")
MARKER = re.compile(r"PRB-([A-Z]{2})-(\d+)")
TAG_KIND = {"SD": "discussion", "SA": "strategy_action", "IP": "immediate", "SE": "enquiry",
            "CF": "conference", "PL": "plan", "CG": "core_group_meeting",
            "PA": "plan_action", "SH": "sharing", "RF": "referral", "AS": "assessment",
            "EH": "early_help"}
#: Content whose visibility to partners the policy's docstring does not settle (it lists
#: what a partner sees — summary, chronology without content, obligations, child protection
#: records by part — and is silent on referrals and assessments; the access matrix treats
#: them as part of the case): found as "QUESTION: …", reported, not counted as leaks.


def text_of(body: bytes, content_type: str) -> str:
    raw = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            data = json.loads(raw)
        except ValueError:
            return raw
        parts: list[str] = []

        def walk(x: object) -> None:
            if isinstance(x, dict):
                if isinstance(x.get("given_name"), str) and isinstance(x.get("family_name"),
                                                                       str):
                    parts.append(f"{x['given_name']} {x['family_name']}")
                for v in x.values():
                    walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)
            elif isinstance(x, str | int) and not isinstance(x, bool):
                parts.append(str(x))
        walk(data)
        return " ;\n".join(parts)
    raw = re.sub(r"<script.*?</script>|<style.*?</style>", " ", raw, flags=re.S)
    # attribute values (hrefs, values) count too: keep them, lose the tags' punctuation
    raw = re.sub(r"<[^>]*?(?:value|href|title|aria-label)=\"([^\"]*)\"[^>]*>", r" \1 ; ", raw)
    return html.unescape(re.sub(r"<[^>]+>", " ; ", raw))


# ---- the server and signing in -------------------------------------------------------------


def environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",
                                                              "DJANGO_SETTINGS_MODULE")}
    env["SAFEGUARD_VAR"] = str(var)
    return env


def totp(hex_key: str, step: int = 30, digits: int = 6, t0: int = 0, drift: int = 0) -> str:
    counter = int((time.time() - t0) // step) + drift
    mac = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return f"{code:0{digits}d}"


DEMO_TOTP_KEY = base64.b32decode("SAFEGUARDDEMOTOTPSECRETFORTRYING").hex()


def sign_in(port: int, username: str, db: sqlite3.Connection) -> str:
    """The Cookie header of ``username``'s session: the second factor's code from their
    confirmed authenticator in the copy's database (or the demo's published key)."""
    def code(who: str) -> str:
        device = db.execute("select d.key, d.step, d.digits, d.t0, d.drift from "
                            "otp_totp_totpdevice d join auth_user u on u.id=d.user_id where "
                            "u.username=? and d.confirmed order by d.id", (who,)).fetchone()
        return totp(*device) if device else totp(DEMO_TOTP_KEY)

    return served.sign_in(port, username, PASSWORD, code)


# ---- the URL patterns ----------------------------------------------------------------------

#: URL argument → the kind of object whose id it takes.
ARGUMENT_KIND = {
    "case_id": "case", "referral_id": "referral", "assessment_id": "assessment",
    "record_id": "immediate", "discussion_id": "discussion", "enquiry_id": "enquiry",
    "conference_id": "conference", "decision_id": "sharing", "member_id": "member",
    "action_id": "plan_action",
}
#: GET routes that are POST-only or not about one object, left out of the id walk.
NOT_GET = {"cases/<int:case_id>/break-glass/", "cases/alerts/<int:alert_id>/seen/",
           "referrals/<int:referral_id>/authorise/", "assessments/<int:assessment_id>/authorise/",
           "protection/plans/<int:plan_id>/actions/<int:action_id>/done/"}


def routes(var: Path) -> tuple[list[str], list[str]]:
    """The resolver's page routes and the OpenAPI document's GET paths (Django set up on
    the copy, read only)."""
    os.environ.update(environment(var))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.config.settings")
    import django

    django.setup()
    from django.urls import URLPattern, URLResolver, get_resolver

    from safeguard.api.api import api

    found: list[str] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver(), "")
    paths = [p for p, ops in api.get_openapi_schema()["paths"].items() if "get" in ops]
    return [r for r in found if not r.startswith("api/")], paths


def kind_of(route: str) -> str | None:
    """The kind of the object a route is about (its last id argument but household
    members and decisions, which go with their case), or None for a list."""
    args = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route)
    names = [a or b for a, b in args]
    if "plan_id" in names:
        return "cin_plan" if "child-in-need-plans" in route else "plan"
    if "assessment_id" in names and route.startswith(("early-help", "/api/v1/early-help")):
        return "early_help"
    for name in reversed(names):
        if name in ARGUMENT_KIND:
            return ARGUMENT_KIND[name]
    return None


# ---- the probe -----------------------------------------------------------------------------


@dataclass
class Request:
    persona: str
    pattern: str
    url: str
    kind: str | None  # the object's kind (None: a list or search)
    obj: int | None
    api: bool
    target_child: int | None = None


@dataclass
class Tally:
    requests: int = 0
    allowed: int = 0
    refused: int = 0
    other: Counter = field(default_factory=Counter)
    leaks: list[tuple[str, str, str]] = field(default_factory=list)  # (pattern, kind, status)
    questions: list[tuple[str, str]] = field(default_factory=list)
    other_where: list[tuple[str, str]] = field(default_factory=list)
    divergent: list[str] = field(default_factory=list)  # refused, though the rules allow


def plan_requests(p: Persona, db: sqlite3.Connection, pages: list[str], api_paths: list[str],
                  lex: Lexicon, rnd: random.Random, sample: float) -> list[Request]:
    out: list[Request] = []
    ids_of = {
        "case": "cases_case", "referral": "referrals_referral",
        "assessment": "assessments_assessment", "cin_plan": "assessments_childinneedplan",
        "discussion": "protection_strategydiscussion",
        "immediate": "protection_immediateprotection",
        "enquiry": "protection_section47enquiry", "conference": "protection_conference",
        "plan": "protection_childprotectionplan", "sharing": "sharing_sharingdecision",
        "early_help": "earlyhelp_earlyhelpassessment", "member": "people_householdmember",
    }
    case_of_kind: dict[str, dict[int, int]] = {}
    la_of_case = dict(db.execute("select id, local_authority_id from cases_case"))
    restricted = {r[0] for r in db.execute("select id from cases_case where restricted=1")}
    for kind, table in ids_of.items():
        if kind in ("case", "early_help"):
            continue
        if kind == "member":
            case_of_kind[kind] = {}
            continue
        case_of_kind[kind] = dict(db.execute(f"select id, case_id from {table}"))  # noqa: S608

    def pick(kind: str, n_in: int, n_out: int) -> list[int]:
        table = ids_of[kind]
        every = [r[0] for r in db.execute(f"select id from {table}")]  # noqa: S608
        top = max(every, default=0)
        inside = sorted(p.sees[kind] & set(every))
        outside = sorted(set(every) - p.sees[kind])
        chosen = inside if len(inside) <= max(n_in, 30) and kind == "case" else \
            rnd.sample(inside, min(n_in, len(inside)))
        if kind in case_of_kind:
            near = [i for i in outside if case_of_kind[kind].get(i) in p.cases]  # parts refused
            other_la = [i for i in outside
                        if la_of_case.get(case_of_kind[kind].get(i)) not in (p.la_id, None)]
            own_la = [i for i in outside if i not in set(near) | set(other_la)]
        elif kind == "case":
            near = [i for i in outside if i in restricted]
            other_la = [i for i in outside if la_of_case[i] != p.la_id]
            own_la = [i for i in outside if i not in set(near) | set(other_la)]
        else:
            near, other_la, own_la = [], [], outside
        k = max(1, n_out // 3)
        refused = (rnd.sample(near, min(k, len(near))) + rnd.sample(other_la, min(k, len(other_la)))
                   + rnd.sample(own_la, min(n_out - 2 * k, len(own_la))))
        return chosen + refused + [top + 1, top + 2]

    n = lambda x: max(2, int(x * sample))  # noqa: E731
    picks = {
        "case": pick("case", n(20), n(30)),
        "referral": pick("referral", n(6), n(8)),
        "assessment": pick("assessment", n(6), n(8)),
        "cin_plan": pick("cin_plan", n(4), n(6)),
        "discussion": pick("discussion", n(8), n(10)),
        "immediate": pick("immediate", n(6), n(6)),
        "enquiry": pick("enquiry", n(6), n(8)),
        "conference": pick("conference", n(8), n(10)),
        "plan": pick("plan", n(8), n(10)),
        "sharing": pick("sharing", n(6), n(8)),
        "early_help": pick("early_help", n(6), n(8)),
    }
    sharing_case = case_of_kind["sharing"]
    members = list(db.execute("select m.id, c.id from people_householdmember m join "
                              "cases_case c on c.child_id=m.person_id"))
    case_child = lex.case_child

    def fill(route: str, kind: str, obj: int, api: bool) -> str:
        def value(name: str) -> str:
            if name == "section":
                return "wishes_and_feelings"
            if name in ("case_id",) and kind in ("sharing", "member"):
                return str(case_for[obj])
            return str(obj)
        pat = r"\{(\w+)\}" if api else r"<(?:\w+:)?(\w+)>"
        url = re.sub(pat, lambda m: value(m.group(1)), route)
        return url if api else "/" + url

    case_for: dict[int, int] = {}
    # sharing decisions: with their own case, and (an id of another case's) with a case seen
    seen_cases = sorted(p.cases) or [1]
    for d in picks["sharing"]:
        case_for[d] = sharing_case.get(d, rnd.choice(seen_cases))
    mixed = []
    for d in rnd.sample(picks["sharing"], min(4, len(picks["sharing"]))):
        if d in sharing_case and sharing_case[d] not in p.cases and p.cases:
            mixed.append(d)
    # household members: of cases seen and not, and one not theirs on a case seen
    member_ids = []
    rnd.shuffle(members)
    inside = [m for m in members if m[1] in p.cases][: n(4)]
    outside = [m for m in members if m[1] not in p.cases][: n(6)]
    for m, c in inside + outside:
        member_ids.append(m)
        case_for[m] = c
    if p.cases and outside:
        m = outside[0][0] + 0  # a member of another case's household, on a case they see
        member_ids.append(-m)
        case_for[-m] = rnd.choice(seen_cases)
    picks["member"] = member_ids

    all_routes = [(r, False) for r in pages if r not in NOT_GET] + [(a, True) for a in api_paths]
    for route, api in all_routes:
        kind = kind_of(route)
        if kind is None:
            continue
        ids = picks.get(kind, [])
        if kind == "case" and not route.rstrip("/").endswith("<int:case_id>") and \
                not route.endswith("{case_id}") and len(ids) > n(16):
            # the case's sub-pages: a share of the sample, inside and outside
            inside = [i for i in ids if i in p.cases]
            ids = inside[: n(6)] + [i for i in ids if i not in p.cases][: n(10)]
        for obj in ids:
            real = abs(obj)
            url = fill(route, kind, real, api)
            if kind == "member" and obj < 0:
                url = fill(route, kind, real, api).replace(
                    f"/cases/{case_for.get(real, 0)}/", f"/cases/{case_for[obj]}/")
            child = None
            if kind == "case":
                child = case_child.get(real)
            out.append(Request(p.username, route, url, kind, obj, api, child))
    for d in mixed:  # a decision asked for under a case the persona sees
        c = rnd.choice(seen_cases)
        out.append(Request(p.username, "sharing/cases/<int:case_id>/<int:decision_id>/",
                           f"/sharing/cases/{c}/{d}/", "sharing", d, False))
        out.append(Request(p.username, "/api/v1/sharing/cases/{case_id}/decisions/{decision_id}",
                           f"/api/v1/sharing/cases/{c}/decisions/{d}", "sharing", d, True))

    # lists
    lists = ["/cases/", "/cases/work/", "/cases/team/", "/referrals/queue/",
             "/protection/conference-requests/", "/early-help/", "/",
             "/api/v1/cases", "/api/v1/referrals/queue", "/api/v1/work?scope=mine",
             "/api/v1/work?scope=team", "/api/v1/early-help"]
    pages_of_cases = max(1, (len(p.cases) + 49) // 50)
    for page in {2, pages_of_cases, pages_of_cases + 1, rnd.randint(1, pages_of_cases)}:
        lists.append(f"/cases/?page={page}")
        lists.append(f"/api/v1/cases?page={page}")
    for page in (2, 3):
        lists.append(f"/referrals/queue/?page={page}")
    workers = [r[0] for r in db.execute("select id from agencies_staff where role in "
                                        "('social_worker','team_manager','front_door_worker')")]
    for w in rnd.sample(workers, 4):
        lists.append(f"/cases/team/?worker={w}")
    for url in lists:
        out.append(Request(p.username, urlsplit(url).path + ("?…" if "?" in url else ""),
                           url, None, None, url.startswith("/api/")))
    # people search: children of cases not seen (of both areas), and one seen
    unseen = [c for c in lex.case_child if c not in p.cases]
    searches = []
    for case in rnd.sample(unseen, min(n(12), len(unseen))):
        child = lex.case_child[case]
        given, family = lex.person_names[child]
        searches.append(("name", f"{given} {family}", child))
    nhs = [(k, v) for k, v in lex.nhs.items() if v not in p.known_people]
    for number, child in rnd.sample(nhs, min(n(4), len(nhs))):
        searches.append(("nhs_number", number, child))
    upns = [(k, v) for k, v in lex.upn.items() if v not in p.known_people]
    for upn, child in rnd.sample(upns, min(n(4), len(upns))):
        searches.append(("upn", upn, child))
    if p.cases:
        child = lex.case_child[rnd.choice(sorted(p.cases))]
        searches.append(("name", " ".join(lex.person_names[child]), None))
    for field_, value, child in searches:
        q = urlencode({field_: value})
        out.append(Request(p.username, f"people/search/?{field_}=…", f"/people/search/?{q}",
                           None, None, False, child))
        out.append(Request(p.username, f"/api/v1/people/search?{field_}=…",
                           f"/api/v1/people/search?{q}", None, None, True, child))
    return out


def judge(req: Request, status: int, location: str, body: str, p: Persona, lex: Lexicon,
          tally: Tally) -> None:
    tally.requests += 1
    if status == 200:
        tally.allowed += 1
        if req.kind is not None:
            visible = p.sees.get(req.kind, set())
            obj = abs(req.obj) if req.obj is not None else None
            if req.kind == "member":
                # a household member's page: under a case they see, of that case's household
                ok = req.obj is not None and req.obj > 0 and obj in visible
            elif req.pattern.endswith(("access/",)):
                ok = obj in p.access_history
            else:
                ok = obj in visible
            if not ok:
                tally.leaks.append((req.pattern, f"answered 200 for a {req.kind} not seen",
                                    "200"))
    elif status in (401, 403, 404):
        tally.refused += 1
        read = (re.search(r"(>/|\})$", req.pattern) or req.pattern.endswith(
            ("household/", "/timeline", "/decisions", "/reports"))) and \
            "access/" not in req.pattern and "<slug:" not in req.pattern
        if read and req.kind not in (None, "member") and req.obj is not None and \
                req.obj in p.sees.get(req.kind, set()):
            tally.divergent.append(req.pattern)
    elif status in (301, 302, 303):
        tally.other[f"{status}"] += 1
        tally.other_where.append((req.pattern, f"{status} → "
                                  + re.sub(r"\d+", "N", urlsplit(location).path)))
        if "sign-in" in location:
            tally.leaks.append((req.pattern, "sent to sign in (session lost?)", str(status)))
    else:
        tally.other[str(status)] += 1
        tally.other_where.append((req.pattern, str(status)))
    if req.pattern.startswith(("people/search/", "/api/v1/people/search")):
        # the search form shows back what was searched for: that is the persona's own
        from urllib.parse import parse_qsl
        for _k, v in parse_qsl(urlsplit(req.url).query):
            body = re.sub(re.escape(v), " ", body, flags=re.I)
    if status == 200 and req.pattern in CONTROL_PATTERNS and req.pattern not in CONTROL:
        CONTROL[req.pattern] = body
    before = len(tally.leaks)
    debug: list[str] = []
    for what in lex.scan(body, p):
        if what.startswith("DEBUG"):
            debug.append(what)
            continue
        if what.startswith("QUESTION"):
            tally.questions.append((req.pattern, what))
        else:
            tally.leaks.append((req.pattern, what, str(status)))
    if status != 200 and req.target_child is not None:
        name = " ".join(lex.person_names[req.target_child])
        if name.lower() in body.lower() and req.target_child not in p.known_people:
            tally.leaks.append((req.pattern, "refusal names the child", str(status)))
    if DUMP is not None and len(tally.leaks) > before:
        DUMP.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"\W+", "_", f"{p.username}_{req.url}")[:150]
        (DUMP / f"{name}.txt").write_text(f"{req.url}\n{tally.leaks[before:]}\n{debug}\n\n{body}")


DUMP: Path | None = None


def run_persona(port: int, cookie: str, reqs: list[Request], p: Persona, lex: Lexicon,
                tally: Tally, clients: int) -> None:
    lock = threading.Lock()
    queue = list(reversed(reqs))

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                req = queue.pop()
            for attempt in range(2):
                try:
                    conn.request("GET", quote(req.url, safe="/?=&%:;,+"),
                                 headers={"Cookie": cookie, "Accept": "text/html"})
                    resp = conn.getresponse()
                    body = resp.read()
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=120)
                    if attempt:
                        with lock:
                            tally.other["connection error"] += 1
                        body = None
            if body is None:
                continue
            text = text_of(body, resp.getheader("Content-Type") or "")
            with lock:
                judge(req, resp.status, resp.getheader("Location") or "", text, p, lex, tally)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-var", type=Path, default=Path("/tmp/demo1"))
    parser.add_argument("--var", type=Path, default=Path("/tmp/probe-var"))
    parser.add_argument("--sample", type=float, default=0.7, help="scale the samples")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="the server's threads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--personas", default="", help="comma-separated (default: all)")
    parser.add_argument("--dump", type=Path, default=None,
                        help="write the bodies of answers with a leak here (personal data!)")
    args = parser.parse_args()
    global DUMP
    DUMP = args.dump
    if args.var.resolve() == args.from_var.resolve():
        raise SystemExit("--var must not be --from-var: the probe changes its copy")
    started = time.perf_counter()
    print(f"Copying {args.from_var} to {args.var} and adding restricted cases, plan actions, "
          "decisions to share, break-glass and markers …", flush=True)
    prepare(args.from_var, args.var, args.seed)
    pages, api_paths = routes(args.var)
    db = sqlite3.connect(args.var / "safeguard.sqlite3")
    lex = Lexicon(db)
    port_no = served.free_port()
    log = args.var / "probe-serve.log"
    server = served.serve(environment(args.var), port_no, log, threads=args.threads,
                          answers="/sign-in", within=90)
    rnd = random.Random(args.seed)
    tallies: dict[str, Tally] = {}
    sizes: dict[str, int] = {}
    patterns: set[str] = set()
    personas = [x for x in args.personas.split(",") if x] or PERSONAS
    try:
        for username in personas:
            t0 = time.perf_counter()
            p = should_see(db, username)
            sizes[username] = len(p.cases)
            reqs = plan_requests(p, db, pages, api_paths, lex, rnd, args.sample)
            # the persona's own access history last, when it holds this probe's reads
            reqs.append(Request(username, "account/access-history/", "/account/access-history/",
                                None, None, False))
            patterns |= {r.pattern for r in reqs}
            cookie = sign_in(port_no, username, db)
            tally = tallies[username] = Tally()
            run_persona(port_no, cookie, reqs[:-1], p, lex, tally, args.clients)
            run_persona(port_no, cookie, reqs[-1:], p, lex, tally, 1)
            print(f"  {username:<24} sees {len(p.cases):>5} cases; {tally.requests:>5} requests"
                  f" in {time.perf_counter() - t0:5.1f} s, {len(tally.leaks)} leaks", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    elapsed = time.perf_counter() - started
    nobody = Persona("nobody", 0, 0, "", "", 0, None,
                     sees={k: set() for k in TAG_KIND.values()}, strict={})
    control = Counter(w for body in CONTROL.values() for w in lex.scan(body, nobody)
                      if not w.startswith("DEBUG"))
    need = {"child's name", "reference of a case not seen"}
    markers = [w for w in control if w.startswith("content of")]
    control_ok = need <= set(control) and bool(markers) and len(CONTROL) == len(
        CONTROL_PATTERNS)
    print(f"\nScanner control ({len(CONTROL)} bodies of {len(CONTROL_PATTERNS)} patterns, "
          f"scanned as someone who sees nothing): "
          + ", ".join(f"{w} ×{n}" for w, n in sorted(control.items()))
          + ("" if control_ok else "  — CONTROL FAILED: the scanner misses personal data"))
    print(f"\n{'persona':<24} {'sees':>6} {'requests':>9} {'allowed':>8} {'refused':>8} "
          f"{'other':>6} {'leaks':>6}")
    for username, t in tallies.items():
        print(f"{username:<24} {sizes[username]:>6} {t.requests:>9} {t.allowed:>8} "
              f"{t.refused:>8} {sum(t.other.values()):>6} {len(t.leaks):>6}"
              + (f"   other: {dict(t.other)}" if t.other else ""))
    total = sum(t.requests for t in tallies.values())
    print(f"{'total':<24} {'':>6} {total:>9} {sum(t.allowed for t in tallies.values()):>8} "
          f"{sum(t.refused for t in tallies.values()):>8} "
          f"{sum(sum(t.other.values()) for t in tallies.values()):>6} "
          f"{sum(len(t.leaks) for t in tallies.values()):>6}")
    print(f"\n{len(patterns)} URL patterns probed, {total} requests in {elapsed:.0f} s "
          f"({total / elapsed:.0f}/s overall).")
    leaks = Counter((u.split("-", 1)[1], pat, what, st) for u, t in tallies.items()
                    for pat, what, st in t.leaks)
    if leaks:
        print(f"\nLEAKS ({sum(leaks.values())}), by role, URL pattern and what leaked:")
        for (role, pat, what, st), count in sorted(leaks.items()):
            areas = sorted({u.split("-")[0] for u, t in tallies.items()
                            if u.split("-", 1)[1] == role
                            and any(x[:2] == (pat, what) for x in t.leaks)})
            print(f"  {role:<16} {pat:<64} HTTP {st}: {what} ×{count} ({'/'.join(areas)})")
    else:
        print("\nNo leaks found.")
    questions = Counter((u.split("-", 1)[1], pat, what) for u, t in tallies.items()
                        for pat, what in t.questions)
    if questions:
        print("\nNot counted (the policy's docstring does not settle these):")
        for (role, pat, what), count in sorted(questions.items()):
            print(f"  {role:<16} {pat:<64} {what} ×{count}")
    divergent = Counter((u.split("-", 1)[1], pat) for u, t in tallies.items()
                        for pat in t.divergent)
    if divergent:
        print("\nRefused though the documented rules allow it (role, URL pattern, count):")
        for (role, pat), count in sorted(divergent.items()):
            print(f"  {role:<16} {pat:<64} ×{count}")
    others = Counter((pat, st) for t in tallies.values() for pat, st in t.other_where)
    if others:
        print("\nAnswers neither 200 nor a refusal (URL pattern, status, count):")
        for (pat, st), count in sorted(others.items()):
            print(f"  {pat:<72} {st} ×{count}")
    return 1 if leaks or not control_ok else 0


if __name__ == "__main__":
    sys.exit(main())
