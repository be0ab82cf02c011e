"""Writes tests/e2e/dialogues/*.yaml from the lists below: `.venv/bin/python scripts/write_dialogues.py` (then review and commit the files)."""
import yaml, pathlib
out = pathlib.Path("tests/e2e/dialogues")
for f in out.glob("*.yaml"): f.unlink()
convs = {}
def add(cat, name, turns):
    convs.setdefault(cat, []).append({"name": name, "turns": turns})
R, RR, CR, FO, RO = "RecommendUniversity", "RefineRecommendation", "ChooseResult", "FindOpportunities", "RefineOpportunities"
# follow-up: another country
for field, a, b, say in [
    ("computer science", "Germany", "Brazil", "what about in Brazil?"),
    ("medicine", "Germany", "Canada", "and in canada?"),
    ("business", "United Kingdom", "France", "what about in france"),
    ("law", "United States", "Australia", "what about in Australia?"),
    ("computer science", "Canada", "Japan", "ok what about in japan"),
    ("economics", "Spain", "Italy", "and in Italy?"),
    ("psychology", "Netherlands", "Germany", "what about in germany then"),
    ("mechanical engineering", "Germany", "United States", "what about in the USA?"),
    ("data science", "United States", "United Kingdom", "and in the UK?"),
    ("architecture", "Italy", "Spain", "what about in spain?"),
]:
    add("followup_country", f"{field} in {a}, then {b}", [
        {"say": f"recommend {field} in {a}", "intent": R, "state": "Fulfilled", "slots": {"country": a}},
        {"say": say, "intent": RR, "state": "Fulfilled", "slots": {"country": b}, "expect": [b.split()[-1]]},
    ])
# follow-up: budget
for field, country, budget, say in [
    ("computer science", "Germany", "5000", "only ones under 5000 dollars"),
    ("medicine", "United States", "40000", "only ones under 40000 dollars please"),
    ("business", "Canada", "20000", "what if my budget is 20000"),
    ("law", "United Kingdom", "30000", "only ones under 30000 dollars"),
    ("physics", "Germany", "1000", "what if my budget is 1000"),
    ("nursing", "Australia", "25000", "only ones under 25000 dollars"),
    ("finance", "United States", "50000", "what if my budget is 50000 dollars"),
    ("chemistry", "France", "10000", "only ones under 10000 dollars"),
]:
    add("followup_budget", f"{field} in {country} under {budget}", [
        {"say": f"I want to study {field} in {country}", "intent": R, "state": "Fulfilled"},
        {"say": say, "intent": RR, "state": "Fulfilled", "slots": {"maxTuition": budget, "country": country}},
    ])
# cheapest / best ranked in one go
for say, field, region, order in [
    ("whats the cheapest computer science master in europe?", "Computer Science", "Europe", "cheapest"),
    ("cheapest universities for medicine in Germany", "Medicine", None, "cheapest"),
    ("what's the cheapest business program in asia", "Business Administration", "Asia", "cheapest"),
    ("most affordable universities for law in Canada", "Law", None, "cheapest"),
    ("best ranked universities for physics in the United States", "Physics", None, "best ranked"),
    ("where can I study economics in latin america", "Economics", "Latin America", None),
    ("psychology universities in europe", "Psychology", "Europe", None),
    ("where can I study computer science in asia", "Computer Science", "Asia", None),
]:
    slots = {"fieldOfStudy": field}
    if region: slots["region"] = region
    if order: slots["ordering"] = order
    expect = []
    if order == "cheapest": expect.append("Cheapest")
    if order == "best ranked": expect.append("Best ranked")
    if region: expect.append(f"in {region}")
    add("ordering_region", say, [{"say": say, "intent": R, "state": "Fulfilled", "slots": slots, "expect": expect}])
# follow-up: ordering
for field, country, say, order in [
    ("computer science", "United States", "cheaper ones", "cheapest"),
    ("medicine", "United Kingdom", "show me the cheapest ones", "cheapest"),
    ("business", "Germany", "sort them by best ranked", "best ranked"),
    ("law", "Canada", "cheapest ones please", "cheapest"),
    ("mechanical engineering", "Germany", "show me the best ranked ones", "best ranked"),
    ("data science", "Canada", "show me the most affordable ones", "cheapest"),
]:
    add("followup_ordering", f"{field} in {country}, {say}", [
        {"say": f"recommend universities for {field} in {country}", "intent": R, "state": "Fulfilled"},
        {"say": say, "intent": RR, "state": "Fulfilled", "slots": {"ordering": order, "country": country}},
    ])
# corrections
for field, a, b, say in [
    ("computer science", "Germany", "Austria", "no, I meant Austria"),
    ("medicine", "Spain", "Italy", "no I meant italy"),
    ("business", "France", "Switzerland", "sorry, actually in Switzerland"),
    ("law", "Canada", "United States", "no I meant the United States"),
    ("economics", "Japan", "South Korea", "no, I meant south korea"),
    ("psychology", "Ireland", "United Kingdom", "actually in the UK"),
    ("biology", "Sweden", "Norway", "no i meant norway"),
    ("mathematics", "Poland", "Germany", "actually in germany"),
]:
    add("correction", f"{field}: {a} corrected to {b}", [
        {"say": f"{field} universities in {a}", "intent": R, "state": "Fulfilled"},
        {"say": say, "intent": RR, "state": "Fulfilled", "slots": {"country": b}},
    ])
# ordinals
for field, country, say, pos in [
    ("computer science", "United States", "tell me more about the first one", "1"),
    ("medicine", "United Kingdom", "tell me more about the second one", "2"),
    ("business", "United States", "the third one", "3"),
    ("law", "United States", "tell me more about the second", "2"),
    ("computer science", "Germany", "the first one", "1"),
    ("economics", "United States", "tell me more about the first", "1"),
    ("mechanical engineering", "United States", "the second one", "2"),
    ("finance", "United Kingdom", "tell me more about the second one", "2"),
    ("medicine", "United States", "the 1st one", None),
    ("physics", "United States", "tell me more about that university", None),
]:
    turn = {"say": say, "intent": CR, "state": "Fulfilled", "expect": [" is in "]}
    if pos: turn["slots"] = {"position": pos}
    add("ordinal", f"{field} in {country}, {say}", [
        {"say": f"recommend {field} in {country}", "intent": R, "state": "Fulfilled"},
        turn,
    ])
# tuition there
for field, country, say in [
    ("computer science", "United States", "how much does it cost there"),
    ("medicine", "United Kingdom", "what is the tuition there"),
    ("business", "United States", "how much does it cost there?"),
    ("law", "United States", "what is the tuition there?"),
    ("economics", "United Kingdom", "ok how much does it cost there"),
]:
    add("tuition_there", f"{field} in {country}, {say}", [
        {"say": f"recommend {field} in {country}", "intent": R, "state": "Fulfilled"},
        {"say": say, "intent": CR, "state": "Fulfilled", "expect": ["tuition"]},
    ])
# opportunities with filters
for say, slots, expect in [
    ("are there any remote internships in fintech?", {"industry": "Finance", "kind": "internship", "workMode": "remote"}, ["remote"]),
    ("find me an internship in Berlin", {"city": "Berlin", "kind": "internship"}, []),
    ("any remote jobs in software", {"industry": "Software", "kind": "job", "workMode": "remote"}, ["remote"]),
    ("find internships in computer science", {"fieldOfStudy": "Computer Science", "kind": "internship"}, ["internship"]),
    ("show healthcare jobs in London", {"industry": "Healthcare", "kind": "job", "city": "London"}, []),
    ("are there any jobs for finance graduates", {"fieldOfStudy": "Finance", "kind": "job"}, []),
    ("internships in the consulting industry", {"industry": "Consulting", "kind": "internship"}, []),
    ("any remote internships for data science students", {"fieldOfStudy": "Data Science", "kind": "internship", "workMode": "remote"}, []),
]:
    add("opportunity_filters", say, [{"say": say, "intent": FO, "state": "Fulfilled", "slots": slots, "expect": expect}])
# opportunities follow-ups
for first, say, slots in [
    ("find computer science internships in Berlin", "and in Munich?", {"city": "Munich", "fieldOfStudy": "Computer Science"}),
    ("show me software jobs in London", "what about Paris", {"city": "Paris", "industry": "Software"}),
    ("find internships in finance", "only remote ones", {"workMode": "remote", "fieldOfStudy": "Finance"}),
    ("find computer science jobs", "what about internships", {"kind": "internship"}),
    ("show me jobs in Toronto", "any remote ones?", {"workMode": "remote"}),
    ("find internships in the software industry", "what about healthcare instead", {"industry": "Healthcare"}),
    ("find marketing internships in New York", "and in Chicago?", {"city": "Chicago", "fieldOfStudy": "Marketing"}),
    ("show me finance jobs", "only internships", {"kind": "internship", "fieldOfStudy": "Finance"}),
]:
    add("opportunity_followup", f"{first}, then {say}", [
        {"say": first, "intent": FO, "state": "Fulfilled"},
        {"say": say, "intent": RO, "state": "Fulfilled", "slots": slots},
    ])
# switches
for first, second, intent in [
    ("recommend computer science in Germany", "find internships in Berlin", FO),
    ("find software jobs in London", "recommend universities for medicine in the UK", R),
    ("recommend law in Canada", "tell me about ETH Zurich", "GetUniversityInfo"),
    ("find internships in computer science", "recommend computer science in Germany", R),
    ("tell me about the University of Toronto", "recommend business in Canada", R),
]:
    add("switch", f"{first} -> {second}", [
        {"say": first, "state": "Fulfilled"},
        {"say": second, "intent": intent, "state": "Fulfilled"},
    ])
# start over, cancel, thanks
for field, country, say in [
    ("computer science", "Germany", "start over"),
    ("medicine", "Canada", "let's start again"),
    ("law", "United States", "cancel"),
    ("business", "France", "never mind"),
    ("economics", "Spain", "reset"),
    ("physics", "Italy", "forget it"),
]:
    add("start_over", f"{field} in {country}, then {say}", [
        {"say": f"recommend {field} in {country}", "intent": R, "state": "Fulfilled"},
        {"say": say, "intent": "StartOver", "state": "Fulfilled", "expect": ["start over"]},
        {"say": "what about in Brazil?", "intent": "FallbackIntent"},
    ])
for say in ["thanks!", "thank you", "great thanks", "thanks a lot, bye"]:
    add("thanks", f"recommend, then {say}", [
        {"say": "recommend computer science in Canada", "intent": R, "state": "Fulfilled"},
        {"say": say, "intent": "Thanks", "state": "Fulfilled", "expect": ["welcome"]},
    ])
# typos
for first, follow, slots in [
    ("recomend compter science in germny", "wat about in brasil", {"country": "Brazil"}),
    ("recommend medecine in canda", "and in frnace?", {"country": "France"}),
    ("I wnat to study busines in the uk", "what about in spian", {"country": "Spain"}),
    ("recommend law in austrlia", "no i ment canada", {"country": "Canada"}),
    ("recommend phsyics in germany", "cheapr ones", {"ordering": "cheapest"}),
    ("recommend computr science in the usa", "tell me more abot the second one", None),
]:
    second = {"say": follow, "state": "Fulfilled"}
    if slots:
        second.update(intent=RR, slots=slots)
    else:
        second.update(intent=CR, slots={"position": "2"})
    add("typos", first, [{"say": first, "intent": R, "state": "Fulfilled"}, second])
# follow-ups without a context are not follow-ups
for say in ["what about in Brazil?", "the first one", "cheaper ones", "and in Munich?"]:
    add("no_context", f"{say} as a first turn", [{"say": say, "expect_not": ["Top universities"]},
                                                 {"say": "recommend computer science in Germany", "intent": R, "state": "Fulfilled"}])
# database route for costs by country; other languages
for say, country in [
    ("how much does it cost to study in the netherlands", "Netherlands"),
    ("how expensive is it to study in germany?", "Germany"),
    ("what are the tuition fees in canada", "Canada"),
    ("how much is tuition in the united states for computer science", "United States"),
]:
    # the intent is Lex's pick (FallbackIntent, or RecommendUniversity for "study in germany"): the answer counts
    add("tuition_country", say, [{"say": say, "state": "Fulfilled",
                                  "expect": [f"in {country}", "ranges from"], "expect_not": ["documents"]}])
for say, expect in [
    ("hola, quiero estudiar medicina en España", "only understand English"),
    ("bonjour, je veux étudier le droit", "only understand English"),
    ("ich möchte Informatik in Berlin studieren", "only understand English"),
]:
    # whichever intent the en_US model picks for foreign text, the reply says the bot only speaks English
    add("language", say, [{"say": say, "state": "Fulfilled", "expect": [expect]},
                          {"say": "recommend computer science in Spain", "intent": R, "state": "Fulfilled"}])
# what Help suggests works when said (the registration and profile lines belong to the identity work)
add("help_suggestions", "the help message's examples work", [
    {"say": "help", "intent": "Help", "expect": ["what about in Canada?"]},
    {"say": "recommend a university for medicine in Germany", "intent": R, "state": "Fulfilled"},
    {"say": "what about in Canada?", "intent": RR, "state": "Fulfilled", "slots": {"country": "Canada"}},
    {"say": "cheaper ones", "intent": RR, "state": "Fulfilled", "slots": {"ordering": "cheapest"}},
    {"say": "tell me more about the first one", "intent": CR, "state": "Fulfilled", "expect": [" is in "]},
    {"say": "start over", "intent": "StartOver", "state": "Fulfilled"},
])
add("help_suggestions", "the help message's other examples work", [
    {"say": "computer science programs under 20000 dollars", "intent": R, "state": "Fulfilled"},
    {"say": "tell me about ETH Zurich", "intent": "GetUniversityInfo", "state": "Fulfilled"},
    {"say": "find software engineering internships in Berlin", "intent": FO, "state": "Fulfilled"},
    {"say": "only remote ones", "intent": RO, "state": "Fulfilled", "slots": {"workMode": "remote"}},
    {"say": "which companies are hiring in finance", "intent": FO, "state": "Fulfilled"},
])
n = 0
for cat, items in convs.items():
    for i, conv in enumerate(items, 1):
        (out / f"{cat}_{i:02d}.yaml").write_text(yaml.safe_dump(conv, sort_keys=False, allow_unicode=True, width=120))
        n += 1
print(n, "conversations", sum(len(c["turns"]) for v in convs.values() for c in v), "turns")
