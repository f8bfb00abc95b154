"""Generates the Riverton demo data set (interchange CSV files in this folder).

A fictional city with two years of meetings, money and ties, and a few planted conflicts:
the police department funds its review board, a former officer sits on the board, the union
gives money to councilmembers, a board member is married to a sergeant, the board chair and the
chief meet privately every other week, and since March 2026 the inspector general has lunched
with the chief every four weeks. Deterministic: run it again and the files are the same.

    python demo/generate.py
"""
import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
START, END = date(2024, 12, 1), date(2026, 11, 20)
rng = random.Random(7)

entities, relationships, meetings, attendance, disclosures = [], [], [], [], []


def entity(ext, name, kind, jurisdiction="City of Riverton", parent="", description="", website=""):
    entities.append(dict(external_id=ext, name=name, kind=kind, jurisdiction=jurisdiction, parent=parent, description=description, website=website))
    return ext


def rel(source, target, type_, start="", end="", amount="", analyst_score="", notes=""):
    ext = f"r-{len(relationships) + 1:04d}"
    relationships.append(dict(external_id=ext, source=source, target=target, type=type_, start_date=str(start), end_date=str(end),
                              amount=str(amount), analyst_score=str(analyst_score),
                              source_url=f"https://records.riverton.example.org/{ext}", notes=notes))
    return ext


# meetings held in public have published minutes; private ones and focus groups have none to cite
MINUTED = {"advisory_board", "community_forum", "community_policing", "council_hearing"}


def meeting(day, type_, title, people, location="", neighborhood="", summary="", organizer=None):
    ext = f"m-{len(meetings) + 1:04d}"
    source_url = f"https://records.riverton.example.org/minutes/{ext}" if type_ in MINUTED else ""
    meetings.append(dict(external_id=ext, date=str(day), type=type_, title=title, location=location, neighborhood=neighborhood,
                         summary=summary, source_url=source_url))
    for person in dict.fromkeys(people):
        attendance.append(dict(meeting=ext, entity=person, role="organizer" if person == organizer else "attendee"))
    return ext


def every(days, first=START, last=END):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=days)


# --- organisations ------------------------------------------------------------------------
pd = entity("rv-pd", "Riverton Police Department", "police_department", website="https://police.riverton.example.org")
precincts = {n: entity(f"rv-pd-{n.lower()}", f"{n} Precinct", "police_department", parent=pd) for n in ("North", "South", "Central")}
so = entity("hc-so", "Harlan County Sheriff's Office", "sheriffs_office", "Harlan County")
entity("st-sp", "State Police Troop B", "state_police", "State")
entity("fed-fbi", "FBI Riverton Resident Agency", "federal_agency", "Federal")
pu = entity("rv-poa", "Riverton Police Officers' Association", "police_union")
du = entity("hc-dsa", "Harlan County Deputy Sheriffs' Association", "police_union", "Harlan County")
crb = entity("rv-crb", "Civilian Police Review Board", "oversight_body", description="Reviews complaints against officers")
oig = entity("rv-oig", "Office of the Inspector General for Public Safety", "oversight_body")
council = entity("rv-council", "Riverton City Council", "government_body")
psc = entity("rv-psc", "Public Safety Committee", "government_body", parent=council)
county = entity("hc-commission", "Harlan County Commission", "government_body", "Harlan County")
alliance = entity("rv-alliance", "Riverton Civil Rights Alliance", "civil_rights_org")
reform = entity("rv-reform", "Justice Reform Riverton", "reform_advocacy_group")
adv = {n: entity(f"rv-adv-{n.lower()}", f"{n} Precinct Community Advisory Board", "advisory_board") for n in ("North", "South")}
eastside = entity("rv-eastside", "Eastside Neighbors Association", "community_group")
faith = entity("rv-faith", "Riverton Interfaith Council", "community_group")
ironclad = entity("rv-ironclad", "Ironclad Security LLC", "business")
towing = entity("rv-towing", "Riverton Towing Co.", "business")

# --- people -------------------------------------------------------------------------------
mayor = entity("p-mayor", "Mayor Dana Whitfield", "elected_official")
councillors = [entity(f"p-cm-{i}", f"Councilmember {n}", "elected_official") for i, n in enumerate(
    ["Alex Moreno", "Priya Shah", "Tom Becker", "Grace Liu", "Marcus Reed", "Elena Petrova", "Sam Adeyemi"], 1)]
sheriff = entity("p-sheriff", "Sheriff Wade Collins", "elected_official", "Harlan County")
commissioners = [entity(f"p-hc-{i}", f"Commissioner {n}", "elected_official", "Harlan County") for i, n in enumerate(["Ruth Hale", "Omar Haddad", "Jo Kim"], 1)]
chief = entity("p-chief", "Chief Laura Benton", "person")
deputy_chief = entity("p-dchief", "Deputy Chief Ray Ortiz", "person")
captains = {n: entity(f"p-capt-{n.lower()}", f"Captain {s} ({n})", "person") for n, s in zip(precincts, ("Nguyen", "Walsh", "Okafor"))}
sergeant = entity("p-sgt-hale", "Sergeant Chris Hale", "person")
officers = [entity(f"p-off-{i:02d}", f"Officer {n}", "person") for i, n in enumerate(
    ["Diaz", "Fischer", "Grant", "Ito", "Jensen", "Kowalski", "Lopez", "Mensah", "Novak", "Price", "Quinn", "Rossi", "Silva", "Torres"], 1)]
deputies = [entity(f"p-dep-{i}", f"Deputy {n}", "person", "Harlan County") for i, n in enumerate(["Boyd", "Carver", "Doyle", "Ellis"], 1)]
poa_president = entity("p-poa-pres", "Officer Mike Dorsey, POA President", "person")
dsa_president = entity("p-dsa-pres", "Deputy Ann Pike, DSA President", "person", "Harlan County")
crb_chair = entity("p-crb-chair", "Board Chair Evelyn Marsh", "person")
crb_members = [entity(f"p-crb-{i}", f"Board Member {n}", "person") for i, n in enumerate(["Jordan Hale", "Frank Russo", "Amira Said", "Kevin Brooks", "Lucia Vega"], 1)]
ig = entity("p-ig", "Inspector General Henry Cole", "person")
alliance_dir = entity("p-alliance-dir", "Director Keisha Grant (Civil Rights Alliance)", "person")
reform_dir = entity("p-reform-dir", "Director Paul Adler (Justice Reform)", "person")
adv_chairs = {n: entity(f"p-adv-{n.lower()}", f"Advisory Chair {s}", "person") for n, s in zip(adv, ("Rosa Delgado", "Ben Carter"))}
ironclad_owner = entity("p-ironclad", "Vince Moreau (Ironclad Security)", "person")
residents = [entity(f"p-res-{i:03d}", f"Resident {i:03d}", "person") for i in range(1, 81)]

# --- formal ties --------------------------------------------------------------------------
rel(crb, pd, "oversees", "2017-04-01")
rel(oig, pd, "oversees", "2019-01-01")
rel(psc, pd, "oversees", "2012-01-01")
rel(council, pd, "budget_authority", "1990-01-01")
rel(county, so, "budget_authority", "1990-01-01")
rel(mayor, pd, "appoints", "2023-01-01", notes="The mayor appoints the chief")
rel(mayor, oig, "appoints", "2023-01-01")
rel(county, so, "oversees", "2000-01-01")
rel(pu, pd, "represents", "1978-01-01")
rel(du, so, "represents", "1981-01-01")
rel("st-sp", "fed-fbi", "partners_with", "2021-03-01", notes="Joint task force MOU")
rel(pd, "st-sp", "partners_with", "2022-06-01")
rel(ironclad, pd, "partners_with", "2024-09-01", notes="Event security MOU")
rel(reform, pd, "advises", "2023-05-01", analyst_score=5)
rel(alliance, council, "lobbies", "2022-01-01")
rel(pu, council, "lobbies", "2021-01-01")
for n, p in precincts.items():
    rel(captains[n], p, "leads", "2021-01-01")
    rel(captains[n], pd, "employed_by", "2003-06-01")
    rel(adv[n] if n in adv else reform, p, "advises", "2022-01-01") if n in adv else None
rel(chief, pd, "leads", "2022-03-01")
rel(chief, pd, "employed_by", "1999-08-01")
rel(deputy_chief, pd, "employed_by", "2001-02-01")
rel(sergeant, pd, "employed_by", "2008-03-01")
rel(sergeant, precincts["North"], "employed_by", "2019-01-01")
for i, o in enumerate(officers):
    p = list(precincts.values())[i % 3]
    rel(o, pd, "employed_by", date(2005 + i % 15, 1 + i % 12, 1))
    rel(o, p, "employed_by", date(2018 + i % 5, 1 + i % 12, 1))
for i, d in enumerate(deputies):
    rel(d, so, "employed_by", date(2010 + i, 3, 1))
rel(sheriff, so, "leads", "2019-01-01")
rel(poa_president, pu, "leads", "2020-01-01")
rel(poa_president, pd, "employed_by", "2002-01-01")
rel(dsa_president, du, "leads", "2021-01-01")
rel(dsa_president, so, "employed_by", "2006-01-01")
rel(crb_chair, crb, "leads", "2023-02-01")
rel(crb_chair, crb, "member_of", "2021-02-01")
for i, m in enumerate(crb_members):
    rel(m, crb, "member_of", date(2021 + i % 4, 2 + i, 1))
rel(ig, oig, "leads", "2023-06-01")
rel(alliance_dir, alliance, "leads", "2018-01-01")
rel(reform_dir, reform, "leads", "2020-01-01")
for n, c in adv_chairs.items():
    rel(c, adv[n], "leads", "2022-01-01")
rel(ironclad_owner, ironclad, "leads", "2015-01-01")
for c in councillors:
    rel(c, council, "member_of", "2023-01-01")
for c in councillors[:3]:
    rel(c, psc, "member_of", "2023-01-01")
for c in commissioners:
    rel(c, county, "member_of", "2021-01-01")
for r in residents[:10]:
    rel(r, adv["North"], "member_of", "2023-01-01")
for r in residents[10:20]:
    rel(r, adv["South"], "member_of", "2023-01-01")
for r in residents[20:30]:
    rel(r, eastside, "member_of", "2020-01-01")

# --- money and planted conflicts ----------------------------------------------------------
rel(council, pd, "funds", "2025-07-01", amount=48_500_000, notes="FY2026 appropriation")
rel(county, so, "funds", "2025-07-01", amount=21_000_000, notes="FY2026 appropriation")
rel(pd, crb, "funds", "2024-01-01", amount=60000, notes="Training stipend paid by the department (planted: funding dependence)")
rel(pd, ironclad, "funds", "2025-01-15", amount=240000, notes="Event security contract")
rel(pd, towing, "funds", "2023-01-01", "2024-12-31", amount=85000, notes="Towing rotation contract, ended")
rel(pu, oig, "funds", "2021-01-01", "2023-06-30", amount=15000, notes="Conference sponsorship, ended long ago")
former = crb_members[1]
rel(former, pd, "employed_by", "1996-05-01", "2021-08-31", notes="Retired sergeant (planted: revolving door)")
rel(crb_members[0], sergeant, "family", "2011-06-18", notes="Married (planted: personal tie)")
rel(councillors[3], poa_president, "personal", "2015-01-01", notes="Business partners in a restaurant")
rel(pu, councillors[0], "contributes_to", "2024-09-15", amount=7500)
rel(pu, councillors[0], "contributes_to", "2025-10-01", amount=5000)
rel(pu, councillors[1], "contributes_to", "2025-03-10", amount=2500)
c3 = rel(pu, councillors[2], "contributes_to", "2025-04-02", amount=1500)
endorse = rel(pu, mayor, "endorses", "2025-08-20")
rel(du, sheriff, "endorses", "2022-09-01", notes="Not a conflict: the sheriff leads, not oversees")
rel(du, commissioners[0], "contributes_to", "2025-02-01", amount=3000)
rel(chief, mayor, "contributes_to", "2024-10-01", amount=500)
rel(ironclad_owner, councillors[4], "contributes_to", "2025-05-05", amount=2000)
disclosures.append(dict(external_id="d-0001", discloser=councillors[2], relationship=c3, disclosed_on="2025-04-20", statement="Reported on my campaign finance filing.",
                        source_url="https://records.riverton.example.org/campaign-finance/p-cm-3/2025-q1"))
disclosures.append(dict(external_id="d-0002", discloser=mayor, relationship=endorse, disclosed_on="2025-08-25", statement="Public endorsement, noted in the ethics register.",
                        source_url="https://records.riverton.example.org/ethics-register/2025-08-25"))

# --- meetings -----------------------------------------------------------------------------
for d in every(14, START + timedelta(days=3)):
    meeting(d, "private_meeting", "Board chair and chief: case backlog", [crb_chair, chief], "Police HQ, 4th floor", organizer=crb_chair)
for d in every(30, START + timedelta(days=8)):
    meeting(d, "private_meeting", "Budget briefing", [councillors[0], chief, deputy_chief], "City Hall 301", organizer=councillors[0])
for d in every(30, START + timedelta(days=12)):
    meeting(d, "private_meeting", "Association lunch", [councillors[3], poa_president], "Marlow's Grill", organizer=poa_president)
for d in every(21, START + timedelta(days=5)):
    meeting(d, "private_meeting", "Event security planning", [ironclad_owner, deputy_chief], "Ironclad office", organizer=ironclad_owner)
for n in adv:
    for d in every(30, START + timedelta(days=15 + (n == "South") * 7)):
        members = residents[:10] if n == "North" else residents[10:20]
        meeting(d, "advisory_board", f"{n} Precinct advisory board", [adv_chairs[n], captains[n]] + rng.sample(members, 6) + rng.sample(officers, 1),
                f"{n} Precinct community room", n, organizer=adv_chairs[n])
for d in every(91, START + timedelta(days=40)):
    meeting(d, "focus_group", "Stops and searches focus group", [reform_dir, captains["Central"]] + rng.sample(residents[30:], 8), "Library annex", "Central", organizer=reform_dir)
for d in every(30, START + timedelta(days=20)):
    nb = rng.choice(["Eastside", "Central", "North", "South", "Riverside"])
    meeting(d, "community_forum", f"Community safety forum ({nb})", [alliance_dir, deputy_chief] + rng.sample(residents, 45), "High school auditorium", nb, organizer=alliance_dir)
for d in every(45, START + timedelta(days=10)):
    nb = rng.choice(["Eastside", "North", "South"])
    meeting(d, "community_policing", f"Neighbourhood walk ({nb})", [eastside, captains["North" if nb == "North" else "South"]] + rng.sample(officers, 2) + rng.sample(residents[20:30], 5), nb + " park", nb)
for d in every(91, START + timedelta(days=30)):
    meeting(d, "council_hearing", "Public safety hearing", councillors[:3] + [chief, ig, alliance_dir, poa_president] + rng.sample(residents, 30), "Council chambers", organizer=councillors[0])
for d in every(60, START + timedelta(days=25)):
    meeting(d, "private_meeting", "Sheriff and commission chair", [sheriff, commissioners[0]], "County building", organizer=commissioners[0])
# new this year: the inspector general has lunched with the chief every four weeks since March 2026,
# so the office's closeness to the department it oversees climbs month by month on the pair page
for d in every(28, date(2026, 3, 4)):
    meeting(d, "private_meeting", "Inspector general and chief: working lunch", [ig, chief], "Marlow's Grill", organizer=ig)

# entered twice (planted: the Sources page lists the two as possible duplicates, to merge, and undo)
towing_twin = entity("rv-towing-co", "Riverton Towing Co", "business", description="Tow operator on the city rotation")
rel(towing_twin, council, "lobbies", "2025-02-01", notes="Rotation contract renewal (the same company as rv-towing, entered twice)")


def write(name, rows, columns):
    with open(HERE / name, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


write("entities.csv", entities, ["external_id", "name", "kind", "jurisdiction", "parent", "description", "website"])
write("relationships.csv", relationships, ["external_id", "source", "target", "type", "start_date", "end_date", "amount", "analyst_score", "source_url", "notes"])
write("meetings.csv", meetings, ["external_id", "date", "type", "title", "location", "neighborhood", "summary", "source_url"])
write("attendance.csv", attendance, ["meeting", "entity", "role"])
write("disclosures.csv", disclosures, ["external_id", "discloser", "relationship", "disclosed_on", "statement", "source_url"])
print(f"{len(entities)} entities, {len(relationships)} relationships, {len(meetings)} meetings, {len(attendance)} attendance rows")
