"""Generates a large synthetic data set in the interchange format, for benchmarks.

    python bench/generate_dataset.py OUT_DIR [--entities 20000] [--relationships 100000]
                                            [--meetings 50000] [--attendance 1000000] [--seed 1]

The shape is that of a state's worth of communities: jurisdictions of a few hundred entities
each (organisations such as departments with precincts, unions, oversight bodies, councils,
groups and businesses, and the people who work for, lead or sit on them). Relationships and
meetings stay mostly within a jurisdiction, as they do in life; meetings of every type over four
years, mostly small (private meetings, focus groups, advisory boards) with some large forums.
Deterministic for a given seed.
"""
import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

ORG_KINDS = [
    ("police_department", 0.10), ("sheriffs_office", 0.02), ("state_police", 0.01), ("federal_agency", 0.01),
    ("police_union", 0.05), ("oversight_body", 0.08), ("civil_rights_org", 0.08), ("reform_advocacy_group", 0.07),
    ("government_body", 0.12), ("community_group", 0.2), ("advisory_board", 0.12), ("business", 0.14),
]
REL_TYPES = [
    ("employed_by", 0.30), ("member_of", 0.18), ("leads", 0.04), ("oversees", 0.02), ("budget_authority", 0.01),
    ("appoints", 0.01), ("funds", 0.05), ("contributes_to", 0.08), ("endorses", 0.03), ("represents", 0.01),
    ("advises", 0.04), ("lobbies", 0.03), ("partners_with", 0.04), ("family", 0.06), ("personal", 0.10),
]
MEETING_TYPES = [
    ("private_meeting", 0.40, (2, 4)), ("focus_group", 0.12, (6, 14)), ("advisory_board", 0.18, (8, 25)),
    ("community_policing", 0.12, (6, 30)), ("council_hearing", 0.08, (20, 60)), ("community_forum", 0.10, (40, 120)),
]
START = date(2022, 1, 1)
DAYS = 4 * 365


LOCAL = 0.9  # share of ties and attendance that stay within one jurisdiction
PER_JURISDICTION = 300


def pick(rng, weighted):
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def day(rng):
    return START + timedelta(days=rng.randrange(DAYS))


def generate(out: Path, n_entities: int, n_relationships: int, n_meetings: int, n_attendance: int, seed: int) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_jurisdictions = max(1, n_entities // PER_JURISDICTION)
    n_orgs = max(50, n_entities // 20)
    orgs_in = [[] for _ in range(n_jurisdictions)]
    people_in = [[] for _ in range(n_jurisdictions)]
    with open(out / "entities.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["external_id", "name", "kind", "jurisdiction", "parent", "description", "website"])
        departments = [[] for _ in range(n_jurisdictions)]
        for i in range(n_orgs):
            j = i % n_jurisdictions
            kind = pick(rng, ORG_KINDS)
            parent = ""
            if kind == "police_department" and departments[j] and rng.random() < 0.5:
                parent = rng.choice(departments[j])
            elif kind == "police_department":
                departments[j].append(f"o{i:06d}")
            orgs_in[j].append(f"o{i:06d}")
            w.writerow([f"o{i:06d}", f"Organisation {i}", kind, f"Jurisdiction {j:03d}", parent, "", ""])
        for i in range(n_orgs, n_entities):
            j = i % n_jurisdictions
            kind = "elected_official" if rng.random() < 0.03 else "person"
            people_in[j].append(f"p{i:06d}")
            w.writerow([f"p{i:06d}", f"Person {i}", kind, f"Jurisdiction {j:03d}", "", "", ""])
    orgs = [o for group in orgs_in for o in group]
    people = [p for group in people_in for p in group]

    def local(pool_in, pool_all, j):
        return rng.choice(pool_in[j] if pool_in[j] and rng.random() < LOCAL else pool_all)

    with open(out / "relationships.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["external_id", "source", "target", "type", "start_date", "end_date", "amount", "analyst_score", "source_url", "notes"])
        for i in range(n_relationships):
            j = rng.randrange(n_jurisdictions)
            rel_type = pick(rng, REL_TYPES)
            if rel_type in ("employed_by", "member_of", "leads"):
                source, target = local(people_in, people, j), local(orgs_in, orgs, j)
            elif rel_type in ("family", "personal"):
                source, target = local(people_in, people, j), local(people_in, people, j)
            elif rel_type in ("contributes_to", "endorses"):
                source, target = local(orgs_in, orgs, j), local(people_in, people, j)
            else:
                source, target = local(orgs_in, orgs, j), local(orgs_in, orgs, j)
            if source == target:
                target = rng.choice(orgs if target in orgs_in[j] else people)
                if source == target:
                    continue
            start = day(rng) - timedelta(days=rng.randrange(3000))
            end = ""
            if rel_type not in ("contributes_to", "endorses") and rng.random() < 0.3:
                end = (start + timedelta(days=rng.randrange(1, 2000))).isoformat()
            amount = rng.randrange(100, 500000) if rel_type in ("funds", "contributes_to") else ""
            analyst = rng.randrange(0, 11) if rng.random() < 0.02 else ""
            w.writerow([f"r{i:07d}", source, target, rel_type, start.isoformat(), end, amount, analyst, f"https://example.org/r{i}", ""])
    sizes, places = [], []
    with open(out / "meetings.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["external_id", "date", "type", "title", "location", "neighborhood", "summary"])
        for i in range(n_meetings):
            mtype = pick(rng, [(t[0], t[1]) for t in MEETING_TYPES])
            lo, hi = next(t[2] for t in MEETING_TYPES if t[0] == mtype)
            sizes.append(rng.randint(lo, hi))
            places.append(rng.randrange(n_jurisdictions))
            w.writerow([f"m{i:06d}", day(rng).isoformat(), mtype, f"Meeting {i}", "", f"Area {i % 40}", ""])
    scale = n_attendance / max(1, sum(sizes))  # so the attendance total matches what was asked
    with open(out / "attendance.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["meeting", "entity", "role"])
        written = 0
        for i, (size, j) in enumerate(zip(sizes, places)):
            size = max(2, round(size * scale))
            if i == len(sizes) - 1:
                size = max(2, n_attendance - written)
            here = orgs_in[j] + people_in[j]
            chosen = set(rng.sample(here, min(len(here), round(size * LOCAL))))
            while len(chosen) < size:
                chosen.add(rng.choice(orgs + people))
            for k, who in enumerate(sorted(chosen)):
                w.writerow([f"m{i:06d}", who, "organizer" if k == 0 else "attendee"])
                written += 1
    with open(out / "disclosures.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["external_id", "discloser", "relationship", "disclosed_on", "statement"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entities", type=int, default=20000)
    parser.add_argument("--relationships", type=int, default=100000)
    parser.add_argument("--meetings", type=int, default=50000)
    parser.add_argument("--attendance", type=int, default=1000000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.entities, args.relationships, args.meetings, args.attendance, args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
