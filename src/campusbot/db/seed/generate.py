"""The generated part of the seed: plausible universities, students and companies from small tables.

Everything is drawn from the `random.Random` passed in (never the global one), so a seed fixes the data.
Names come from realistic patterns over real cities; people and companies are fictional, with emails on
the reserved example.edu / example.org / example.com domains and websites under example.edu / example.com.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from campusbot.db.seed.records import CompanySeed, OpportunitySeed, ProgramSeed, StudentSeed, UniversitySeed


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    cities: tuple[str, ...]
    patterns: tuple[str, ...]  # university names over {city} and {discipline}
    languages: tuple[str, ...]  # teaching languages, repeated for weight
    tuition: tuple[int, int]  # yearly bachelor tuition for international students, USD
    bachelor_years: int
    founded_from: int  # earliest founding year of a generated university
    wage: float  # salary level, United States = 1
    weight: int  # share of generated universities and companies


# fmt: off
COUNTRIES: tuple[Country, ...] = (
    Country("United States",
            ("Boston", "Chicago", "Houston", "Seattle", "Denver", "Atlanta", "Austin", "San Diego", "Pittsburgh",
             "Philadelphia", "New York", "San Francisco"),
            ("University of {city}", "{city} State University", "{city} Institute of Technology", "{city} College"),
            ("English",), (25000, 65000), 4, 1700, 1.0, 6),
    Country("United Kingdom",
            ("London", "Manchester", "Leeds", "Bristol", "Glasgow", "Edinburgh", "Liverpool", "Birmingham",
             "Cardiff", "Sheffield"),
            ("University of {city}", "{city} Metropolitan University", "{city} Polytechnic"),
            ("English",), (22000, 48000), 3, 1800, 0.8, 4),
    Country("Germany",
            ("Berlin", "Hamburg", "Frankfurt", "Stuttgart", "Dresden", "Leipzig", "Bremen", "Aachen", "Bonn",
             "Mannheim", "Freiburg"),
            ("Technische Universität {city}", "Universität {city}", "Hochschule {city}",
             "{city} University of Applied Sciences"),
            ("German", "German", "English"), (0, 0), 3, 1400, 0.75, 4),
    Country("France",
            ("Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux", "Lille", "Nantes", "Strasbourg", "Grenoble",
             "Rennes"),
            ("Université de {city}", "École Polytechnique de {city}", "{city} Business School"),
            ("French", "French", "English"), (200, 4000), 3, 1500, 0.65, 3),
    Country("Spain",
            ("Madrid", "Barcelona", "Valencia", "Bilbao", "Zaragoza", "Granada", "Salamanca", "Málaga",
             "Valladolid"),
            ("Universidad de {city}", "Universidad Politécnica de {city}", "Universidad Europea de {city}"),
            ("Spanish", "Spanish", "English"), (1500, 9000), 4, 1450, 0.5, 3),
    Country("Italy",
            ("Bologna", "Pisa", "Siena", "Bergamo", "Verona", "Trento", "Bari", "Parma", "Pavia", "Salerno"),
            ("Università di {city}", "Politecnico di {city}"),
            ("Italian", "Italian", "English"), (1000, 4500), 3, 1300, 0.5, 3),
    Country("Netherlands",
            ("Amsterdam", "Rotterdam", "Utrecht", "Leiden", "Groningen", "Eindhoven", "Delft", "Maastricht",
             "Tilburg", "Nijmegen"),
            ("Universiteit {city}", "{city} University of Technology", "Hogeschool {city}"),
            ("Dutch", "English", "English"), (9000, 18000), 3, 1575, 0.75, 2),
    Country("Switzerland",
            ("Zurich", "Geneva", "Basel", "Bern", "Lausanne", "Lucerne", "St. Gallen"),
            ("University of {city}", "{city} University of Applied Sciences", "{city} School of Management"),
            ("German", "French", "English"), (1200, 4500), 3, 1460, 1.2, 2),
    Country("Sweden",
            ("Stockholm", "Gothenburg", "Uppsala", "Lund", "Malmö", "Linköping", "Umeå"),
            ("{city} University", "University of {city}", "{city} Institute of Technology"),
            ("Swedish", "English", "English"), (9000, 17000), 3, 1477, 0.7, 2),
    Country("Norway",
            ("Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø"),
            ("University of {city}", "{city} University College"),
            ("Norwegian", "English"), (0, 0), 3, 1811, 0.85, 1),
    Country("Austria",
            ("Graz", "Linz", "Innsbruck", "Salzburg", "Klagenfurt", "Leoben"),
            ("Technische Universität {city}", "Universität {city}"),
            ("German", "German", "English"), (800, 1600), 3, 1365, 0.7, 1),
    Country("Ireland",
            ("Dublin", "Cork", "Galway", "Limerick", "Maynooth"),
            ("University College {city}", "{city} Institute of Technology", "{city} Technological University"),
            ("English",), (12000, 26000), 4, 1845, 0.8, 1),
    Country("Poland",
            ("Warsaw", "Kraków", "Wrocław", "Poznań", "Gdańsk", "Lublin"),
            ("University of {city}", "{city} University of Technology", "{city} University of Economics"),
            ("Polish", "Polish", "English"), (2500, 6000), 3, 1364, 0.35, 2),
    Country("Canada",
            ("Toronto", "Vancouver", "Montreal", "Calgary", "Ottawa", "Edmonton", "Winnipeg", "Halifax",
             "Waterloo", "Victoria"),
            ("University of {city}", "{city} Polytechnic", "{city} Metropolitan University"),
            ("English", "English", "French"), (18000, 48000), 4, 1820, 0.8, 3),
    Country("Australia",
            ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Canberra", "Hobart", "Darwin", "Newcastle"),
            ("University of {city}", "{city} University of Technology", "{city} Institute of Technology"),
            ("English",), (20000, 38000), 3, 1850, 0.85, 3),
    Country("New Zealand",
            ("Auckland", "Wellington", "Christchurch", "Dunedin", "Hamilton"),
            ("University of {city}", "{city} University of Technology", "{city} Polytechnic"),
            ("English",), (20000, 35000), 3, 1869, 0.7, 1),
    Country("Japan",
            ("Tokyo", "Osaka", "Kyoto", "Nagoya", "Sapporo", "Fukuoka", "Sendai", "Kobe", "Hiroshima",
             "Yokohama"),
            ("{city} University", "{city} Institute of Technology", "{city} Metropolitan University",
             "Japanese National University of {discipline}"),
            ("Japanese", "Japanese", "English"), (3500, 9000), 4, 1877, 0.55, 3),
    Country("South Korea",
            ("Seoul", "Busan", "Daejeon", "Incheon", "Daegu", "Gwangju", "Ulsan"),
            ("{city} National University", "{city} University of Science and Technology",
             "Korean National University of {discipline}"),
            ("Korean", "Korean", "English"), (4000, 12000), 4, 1946, 0.55, 2),
    Country("China",
            ("Beijing", "Shanghai", "Shenzhen", "Wuhan", "Nanjing", "Hangzhou", "Chengdu", "Guangzhou", "Harbin",
             "Tianjin"),
            ("{city} University", "{city} Normal University", "{city} University of Technology",
             "{city} University of Finance and Economics", "Chinese National University of {discipline}"),
            ("Chinese", "Chinese", "English"), (3000, 8000), 4, 1895, 0.35, 4),
    Country("India",
            ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Hyderabad", "Kolkata", "Pune", "Ahmedabad", "Jaipur",
             "Kanpur"),
            ("University of {city}", "National Institute of Technology {city}", "{city} Institute of Management",
             "Indian National University of {discipline}"),
            ("English",), (1000, 6000), 4, 1857, 0.15, 4),
    Country("Singapore",
            ("Singapore",),
            ("{city} Institute of Technology", "{city} Management University", "{city} Polytechnic",
             "{city} University of Social Sciences"),
            ("English",), (15000, 32000), 4, 1905, 0.8, 1),
    Country("Brazil",
            ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Porto Alegre", "Curitiba", "Salvador", "Recife",
             "Brasília", "Campinas", "Fortaleza"),
            ("Universidade de {city}", "Universidade Federal de {city}", "Universidade Estadual de {city}",
             "Instituto Federal de {city}"),
            ("Portuguese",), (0, 6000), 4, 1920, 0.25, 3),
    Country("Argentina",
            ("Buenos Aires", "Córdoba", "Rosario", "Mendoza", "La Plata", "Tucumán", "Mar del Plata"),
            ("Universidad de {city}", "Universidad Nacional de {city}", "Universidad Tecnológica de {city}"),
            ("Spanish",), (0, 4000), 5, 1821, 0.2, 2),
    Country("Mexico",
            ("Guadalajara", "Monterrey", "Puebla", "Querétaro", "Mérida", "Tijuana", "León"),
            ("Universidad de {city}", "Universidad Autónoma de {city}", "Instituto Tecnológico de {city}"),
            ("Spanish",), (500, 12000), 4, 1551, 0.25, 2),
    Country("Chile",
            ("Santiago", "Valparaíso", "Concepción", "Antofagasta", "Temuco", "La Serena"),
            ("Universidad de {city}", "Universidad Católica de {city}"),
            ("Spanish",), (5000, 12000), 5, 1842, 0.3, 1),
    Country("Colombia",
            ("Bogotá", "Medellín", "Cali", "Barranquilla", "Cartagena", "Bucaramanga"),
            ("Universidad de {city}", "Universidad Nacional de {city}", "Universidad Tecnológica de {city}"),
            ("Spanish",), (1500, 8000), 5, 1580, 0.2, 1),
    Country("South Africa",
            ("Cape Town", "Johannesburg", "Pretoria", "Durban", "Stellenbosch", "Bloemfontein"),
            ("University of {city}", "{city} University of Technology"),
            ("English",), (3000, 9000), 3, 1829, 0.25, 2),
    Country("Nigeria",
            ("Lagos", "Abuja", "Ibadan", "Kano", "Enugu", "Port Harcourt", "Benin City"),
            ("University of {city}", "{city} State University", "Federal University of Technology {city}"),
            ("English",), (500, 4000), 4, 1948, 0.1, 2),
    Country("Egypt",
            ("Cairo", "Alexandria", "Giza", "Mansoura", "Assiut", "Tanta"),
            ("{city} University", "University of {city}", "{city} Institute of Technology"),
            ("Arabic", "English"), (1500, 7000), 4, 1908, 0.1, 1),
    Country("Turkey",
            ("Istanbul", "Ankara", "Izmir", "Bursa", "Antalya", "Konya", "Eskişehir"),
            ("{city} University", "{city} Technical University", "Turkish National University of {discipline}"),
            ("Turkish", "English"), (500, 6000), 4, 1773, 0.2, 2),
)

DISCIPLINES = ("Science and Technology", "Economics", "the Arts", "Health Sciences", "Agriculture")

# Program names per field (bachelor, master); other fields get "BSc/MSc <field>" or "BA/MA <field>".
PROGRAM_NAMES: dict[str, tuple[str, str]] = {
    "Medicine": ("Bachelor of Medicine", "Master of Medicine"),
    "Law": ("Bachelor of Laws", "Master of Laws"),
    "Business Administration": ("Bachelor of Business Administration", "Master of Business Administration"),
    "Architecture": ("Bachelor of Architecture", "Master of Architecture"),
    "Fine Arts": ("Bachelor of Fine Arts", "Master of Fine Arts"),
    "Education": ("Bachelor of Education", "Master of Education"),
    "Nursing": ("Bachelor of Nursing", "Master of Nursing"),
    "Pharmacy": ("Bachelor of Pharmacy", "Master of Pharmacy"),
}
ARTS_FIELDS = frozenset({"Economics", "Political Science", "Journalism", "Psychology"})
PREMIUM_FIELDS = frozenset({"Medicine", "Law", "Business Administration"})  # cost 30% more where fees are charged

# Student names: (countries, first names, last names).
CULTURES: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (("Spain", "Mexico", "Argentina", "Colombia", "Chile"),
     ("Ana", "Lucía", "Sofía", "Mateo", "Santiago", "Diego", "Valentina", "Camila", "Javier", "Carmen", "Pablo",
      "Martina", "Alejandro", "Isabel", "Andrés", "Elena"),
     ("García", "Martínez", "López", "Rodríguez", "Fernández", "González", "Pérez", "Sánchez", "Ramírez",
      "Torres", "Flores", "Díaz", "Morales", "Romero", "Herrera", "Castro")),
    (("Germany", "Austria", "Switzerland"),
     ("Lukas", "Leon", "Jonas", "Felix", "Paul", "Anna", "Lea", "Hannah", "Emma", "Mia", "Sophie", "Maximilian",
      "Katharina", "Jan", "Julia", "Tobias"),
     ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schäfer",
      "Koch", "Richter", "Klein", "Wolf", "Neumann", "Braun")),
    (("United States", "United Kingdom", "Canada", "Australia", "Ireland", "New Zealand"),
     ("James", "Olivia", "Emily", "Jack", "Charlotte", "William", "Amelia", "Noah", "Grace", "Thomas", "Chloe",
      "Henry", "Ava", "Oliver", "Ella", "Samuel"),
     ("Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Wilson", "Davies", "Evans", "Thompson",
      "Walker", "Clarke", "Wright", "Robinson", "Hughes", "O'Brien")),
    (("France", "Canada", "Switzerland"),
     ("Camille", "Léa", "Chloé", "Manon", "Hugo", "Louis", "Gabriel", "Jules", "Inès", "Arthur", "Zoé", "Théo",
      "Clément", "Élodie"),
     ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
      "Simon", "Laurent", "Lefèvre", "Michel")),
    (("China", "Singapore"),
     ("Wei", "Jing", "Hao", "Xin", "Yu", "Mei", "Jun", "Lei", "Yan", "Ming", "Ting", "Zhen", "Xiaoling", "Li Na"),
     ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu")),
    (("India", "Singapore"),
     ("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Diya", "Arjun", "Kavya", "Rahul", "Sneha", "Aditya",
      "Isha", "Karan", "Meera"),
     ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Rao", "Mehta", "Joshi", "Desai",
      "Chopra", "Banerjee")),
    (("Japan",),
     ("Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Sakura", "Riku", "Mio", "Kenji", "Yuki"),
     ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
      "Yoshida", "Yamada")),
    (("South Korea",),
     ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yoon", "Ji-woo", "Seo-jun", "Su-bin"),
     ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon")),
    (("Brazil",),
     ("João", "Maria", "Pedro", "Beatriz", "Lucas", "Gabriela", "Rafael", "Larissa", "Thiago", "Juliana",
      "Gustavo", "Fernanda"),
     ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira", "Carvalho", "Gomes",
      "Ribeiro", "Araújo")),
    (("Nigeria",),
     ("Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Emeka", "Funmilayo", "Tunde", "Amara", "Ifeanyi", "Chiamaka",
      "Babajide", "Folake"),
     ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Adebayo", "Obi", "Ogunleye", "Chukwu", "Bello",
      "Afolabi")),
    (("Egypt",),
     ("Omar", "Layla", "Youssef", "Nour", "Ahmed", "Mariam", "Karim", "Salma", "Hassan", "Fatima", "Amir", "Rana"),
     ("Hassan", "Mahmoud", "Ali", "Ibrahim", "Mostafa", "Abdelrahman", "Saleh", "Farouk", "Nasser", "Khalil",
      "Haddad", "Mansour")),
    (("Turkey",),
     ("Emre", "Elif", "Can", "Zeynep", "Mehmet", "Ayşe", "Burak", "Selin"),
     ("Kaya", "Demir", "Şahin", "Çelik", "Aksoy", "Öztürk", "Arslan", "Doğan")),
    (("Poland",),
     ("Jakub", "Zofia", "Kacper", "Maja", "Szymon", "Zuzanna", "Michał", "Aleksandra"),
     ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Woźniak")),
    (("Sweden", "Norway"),
     ("Erik", "Astrid", "Lars", "Ingrid", "Oskar", "Freja", "Nils", "Sigrid"),
     ("Andersson", "Johansson", "Karlsson", "Nilsson", "Larsen", "Hansen", "Berg", "Lindqvist")),
    (("Italy",),
     ("Giulia", "Francesco", "Alessandro", "Chiara", "Lorenzo", "Sofia", "Matteo", "Aurora"),
     ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci")),
    (("Netherlands",),
     ("Daan", "Sanne", "Bram", "Fleur", "Sem", "Lotte", "Ruben", "Eva"),
     ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer")),
    (("South Africa",),
     ("Thabo", "Naledi", "Sipho", "Lerato", "Bongani", "Zanele", "Pieter", "Annelie"),
     ("Nkosi", "Dlamini", "Ndlovu", "Khumalo", "van der Merwe", "Botha", "Mokoena", "Naidoo")),
)

INTERESTS = (
    "machine learning", "robotics", "renewable energy", "public health", "startups", "sustainability",
    "data visualization", "cybersecurity", "investing", "music", "photography", "travel", "volunteering",
    "debating", "entrepreneurship", "climate policy", "genetics", "neuroscience", "urban design", "film",
    "creative writing", "human rights", "chess", "football", "basketball", "hiking", "languages",
    "game development", "space exploration", "open source",
)

COMPANY_PREFIXES = (
    "Northwind", "Bluepeak", "Silverfjord", "Ironbridge", "Lumen", "Cobalt", "Meridian", "Harborlight",
    "Evergreen", "Summitview", "Atlas", "Nimbus", "Quanta", "Crescent", "Redwood", "Brightwater", "Polaris",
    "Vertex", "Orion", "Sterling", "Granite", "Keystone", "Riverstone", "Aurora", "Beacon", "Cedar", "Falcon",
    "Helix", "Juniper", "Kestrel", "Lighthouse", "Maplewood", "Novalis", "Onyx", "Pinnacle", "Sapphire",
    "Tidewater", "Willow", "Zenith", "Amberline", "Copperfield", "Driftwood", "Eastgate", "Foxglove",
)

BUDGETS = (0, 2000, 5000, 8000, 10000, 15000, 20000, 30000, 45000, 60000, 80000)  # max yearly tuition, USD

# Per industry: company name suffixes and the fields its internships and jobs are in.
INDUSTRY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "Software": ("Software", "Labs", "Systems", "Cloud", "Analytics"),
    "Finance": ("Capital", "Financial", "Bank", "Investments"),
    "Healthcare": ("Health", "Clinics", "Medical", "Care"),
    "Biotechnology": ("Biosciences", "Therapeutics", "Genomics", "Bio"),
    "Consulting": ("Consulting", "Advisory", "Partners", "Strategy Group"),
    "Manufacturing": ("Industries", "Manufacturing", "Works", "Machinery"),
    "Automotive": ("Motors", "Automotive", "Mobility", "Drive Systems"),
    "Energy": ("Energy", "Power", "Renewables", "Solar"),
    "Telecommunications": ("Telecom", "Networks", "Communications", "Connect"),
    "Retail": ("Retail", "Stores", "Market", "Commerce"),
    "Media": ("Media", "Studios", "Publishing", "Broadcasting"),
    "Aerospace": ("Aerospace", "Aviation", "Space Systems", "Avionics"),
    "Logistics": ("Logistics", "Freight", "Shipping", "Supply Chain"),
    "Education Services": ("Learning", "Education", "Academy", "Tutoring"),
    "Public Sector": ("Public Services", "Development Agency", "Foundation", "Institute"),
}
INDUSTRY_FIELDS: dict[str, tuple[str, ...]] = {
    "Software": ("Computer Science", "Data Science", "Electrical Engineering", "Marketing",
                 "Business Administration"),
    "Finance": ("Finance", "Economics", "Data Science", "Mathematics", "Law"),
    "Healthcare": ("Medicine", "Nursing", "Pharmacy", "Psychology", "Business Administration"),
    "Biotechnology": ("Biology", "Chemistry", "Pharmacy", "Data Science", "Medicine"),
    "Consulting": ("Business Administration", "Economics", "Finance", "Data Science", "Law"),
    "Manufacturing": ("Mechanical Engineering", "Electrical Engineering", "Chemistry", "Business Administration"),
    "Automotive": ("Mechanical Engineering", "Electrical Engineering", "Computer Science", "Physics"),
    "Energy": ("Electrical Engineering", "Environmental Science", "Mechanical Engineering", "Physics",
               "Chemistry", "Civil Engineering"),
    "Telecommunications": ("Electrical Engineering", "Computer Science", "Marketing", "Physics"),
    "Retail": ("Marketing", "Business Administration", "Data Science", "Finance"),
    "Media": ("Journalism", "Marketing", "Fine Arts", "Psychology"),
    "Aerospace": ("Mechanical Engineering", "Electrical Engineering", "Physics", "Mathematics",
                  "Computer Science"),
    "Logistics": ("Business Administration", "Civil Engineering", "Economics", "Data Science"),
    "Education Services": ("Education", "Psychology", "Computer Science", "Mathematics"),
    "Public Sector": ("Political Science", "Law", "Economics", "Environmental Science", "Civil Engineering",
                      "Architecture", "Education"),
}
FIELD_ROLES: dict[str, tuple[str, ...]] = {
    "Computer Science": ("Software Engineer", "Backend Developer", "Frontend Developer",
                         "Site Reliability Engineer"),
    "Data Science": ("Data Scientist", "Machine Learning Engineer", "Data Analyst"),
    "Medicine": ("Resident Physician", "Clinical Research Physician", "Medical Advisor"),
    "Nursing": ("Registered Nurse", "Clinical Nurse", "Nurse Coordinator"),
    "Pharmacy": ("Pharmacist", "Clinical Pharmacist", "Regulatory Affairs Specialist"),
    "Business Administration": ("Business Analyst", "Operations Manager", "Project Coordinator"),
    "Economics": ("Economist", "Economic Analyst", "Pricing Analyst"),
    "Finance": ("Financial Analyst", "Investment Analyst", "Risk Analyst", "Accountant"),
    "Marketing": ("Marketing Specialist", "Growth Marketer", "Brand Manager"),
    "Law": ("Legal Counsel", "Compliance Officer", "Paralegal"),
    "Mechanical Engineering": ("Mechanical Engineer", "Design Engineer", "Manufacturing Engineer"),
    "Electrical Engineering": ("Electrical Engineer", "Hardware Engineer", "Embedded Systems Engineer"),
    "Civil Engineering": ("Civil Engineer", "Structural Engineer", "Site Engineer"),
    "Architecture": ("Architect", "Urban Planner", "BIM Designer"),
    "Psychology": ("UX Researcher", "HR Specialist", "Counselor"),
    "Biology": ("Research Scientist", "Lab Technician", "Bioinformatician"),
    "Chemistry": ("Chemist", "Process Chemist", "Quality Control Analyst"),
    "Physics": ("Physicist", "Optical Engineer", "Simulation Engineer"),
    "Mathematics": ("Quantitative Analyst", "Actuary", "Statistician"),
    "Environmental Science": ("Environmental Consultant", "Sustainability Analyst", "Energy Analyst"),
    "Political Science": ("Policy Analyst", "Public Affairs Officer", "Program Officer"),
    "Education": ("Instructional Designer", "Teacher", "Curriculum Developer"),
    "Fine Arts": ("Graphic Designer", "Illustrator", "Art Director"),
    "Journalism": ("Reporter", "Content Editor", "Communications Officer"),
}
# fmt: on


T = TypeVar("T")
DEGREES = ("bachelor", "master", "phd")
DEGREE_WEIGHTS = (45, 40, 15)
ASCII_LETTERS = str.maketrans({"\u0131": "i", "ł": "l", "ß": "ss", "ø": "o", "æ": "ae"})


def universities(
    rng: random.Random, n: int, fields: Sequence[str], *, taken_names: set[str], taken_ranks: set[int]
) -> tuple[UniversitySeed, ...]:
    """`n` universities over every country, names unique and not in `taken_names`, ranks not in `taken_ranks`."""
    seen = set(taken_names)
    pools = {country.name: _university_names(rng, country, seen) for country in COUNTRIES}
    chosen = _spread(rng, pools, {country.name: country.weight for country in COUNTRIES}, n)
    ranks = rng.sample(sorted(set(range(40, 1501)) - taken_ranks), n)
    by_name = {country.name: country for country in COUNTRIES}
    result = []
    for (country_name, (name, city)), rank in zip(chosen, ranks, strict=True):
        country = by_name[country_name]
        world_rank = None if rng.random() < 0.25 else rank
        if world_rank is None:
            acceptance = rng.uniform(0.25, 0.9)
        else:
            acceptance = 0.05 + 0.75 * world_rank / 1500 + rng.uniform(-0.04, 0.08)
        programs = _programs(rng, country, fields)
        kind = rng.choice(("public", "private", "public research"))
        known_for = " and ".join(p.field_of_study.lower() for p in programs[:2])
        result.append(
            UniversitySeed(
                name=name,
                country=country.name,
                city=city,
                website=None if rng.random() < 0.1 else f"https://{_slug(name)}.example.edu",
                world_rank=world_rank,
                founded_year=round(rng.triangular(country.founded_from, 2010, 1965)),  # mostly modern
                acceptance_rate=Decimal(f"{min(max(acceptance, 0.02), 0.98):.3f}"),
                description=f"A {kind} university in {city}, {country.name}, known for {known_for}.",
                programs=programs,
            )
        )
    return tuple(result)


def students(rng: random.Random, n: int, fields: Sequence[str], *, taken_emails: set[str]) -> tuple[StudentSeed, ...]:
    """`n` students with unique emails on example.edu or example.org, none in `taken_emails`."""
    taken = set(taken_emails)
    result = []
    for _ in range(n):
        countries, first_names, last_names = rng.choice(CULTURES)
        first, last = rng.choice(first_names), rng.choice(last_names)
        domain = "example.edu" if rng.random() < 0.8 else "example.org"
        result.append(
            StudentSeed(
                first_name=first,
                last_name=last,
                email=_unique_email(f"{_ascii(first)}.{_ascii(last)}", domain, taken),
                country=rng.choice(countries),
                field_of_study=rng.choice(fields),
                gpa=None if rng.random() < 0.1 else Decimal(f"{rng.uniform(2.0, 4.0):.2f}"),
                max_tuition=None if rng.random() < 0.15 else Decimal(rng.choice(BUDGETS)),
                interests=tuple(rng.sample(INTERESTS, rng.randint(1, 3))),
            )
        )
    return tuple(result)


def companies(
    rng: random.Random,
    n: int,
    fields: Sequence[str],
    industries: Sequence[str],
    *,
    taken_names: set[str],
    taken_emails: set[str],
) -> tuple[CompanySeed, ...]:
    """`n` companies over every industry, names and emails (on example.com) unique and not taken."""
    seen = set(taken_names)
    pools: dict[str, list[str]] = {}
    for industry in industries:
        suffixes = INDUSTRY_SUFFIXES.get(industry, ("Group",))
        pools[industry] = [name for s in suffixes for p in COMPANY_PREFIXES if (name := f"{p} {s}") not in seen]
        seen.update(pools[industry])
        rng.shuffle(pools[industry])
    chosen = _spread(rng, pools, dict.fromkeys(industries, 1), n)
    vocabulary = set(fields)
    taken = set(taken_emails)
    result = []
    for industry, name in chosen:
        country, city = _place(rng)
        slug = _slug(name)
        hiring = [f for f in INDUSTRY_FIELDS.get(industry, ()) if f in vocabulary] or list(fields)
        result.append(
            CompanySeed(
                name=name,
                industry=industry,
                email=_unique_email(slug.replace("-", "."), "example.com", taken),
                website=None if rng.random() < 0.1 else f"https://{slug}.example.com",
                city=city,
                country=country.name,
                employees=int(10 ** rng.uniform(1, 5)),
                description=f"{name}, a {industry.lower()} employer based in {city}, {country.name}.",
                opportunities=_opportunities(rng, name, country, city, hiring),
            )
        )
    return tuple(result)


def _university_names(rng: random.Random, country: Country, seen: set[str]) -> list[tuple[str, str]]:
    """Every (name, city) the country's patterns give, minus names in `seen` (which it extends), shuffled."""
    pool: dict[str, str] = {}
    for pattern in country.patterns:
        if "{discipline}" in pattern:
            for discipline in DISCIPLINES:
                pool[pattern.format(discipline=discipline)] = rng.choice(country.cities)
        else:
            for city in country.cities:
                pool[pattern.format(city=city)] = city
    names = [(name, city) for name, city in pool.items() if name not in seen]
    seen.update(name for name, _ in names)
    rng.shuffle(names)
    return names


def _spread(rng: random.Random, pools: dict[str, list[T]], weights: dict[str, int], n: int) -> list[tuple[str, T]]:
    """`n` (key, item) pairs popped from the pools: one per key first, then by weight; shuffled."""
    chosen = [(key, pool.pop()) for key, pool in pools.items() if pool][:n]
    while len(chosen) < n:
        keys = [key for key, pool in pools.items() if pool]
        if not keys:
            raise ValueError(f"the name patterns give only {len(chosen)} distinct names, {n} wanted")
        key = rng.choices(keys, weights=[weights[k] for k in keys])[0]
        chosen.append((key, pools[key].pop()))
    rng.shuffle(chosen)
    return chosen


def _programs(rng: random.Random, country: Country, fields: Sequence[str]) -> tuple[ProgramSeed, ...]:
    """4-12 programs in distinct fields (so (name, degree) is unique within the university)."""
    programs = []
    for field in rng.sample(list(fields), rng.randint(4, min(12, len(fields)))):
        degree = rng.choices(DEGREES, weights=DEGREE_WEIGHTS)[0]
        low, high = country.tuition
        factor = {"bachelor": 1.0, "master": 1.15, "phd": 0.3}[degree] * (1.3 if field in PREMIUM_FIELDS else 1.0)
        if degree == "bachelor":
            years = "6" if field == "Medicine" else "5" if field == "Architecture" else str(country.bachelor_years)
        else:
            years = rng.choice(("1", "1.5", "2", "2")) if degree == "master" else rng.choice(("3", "4", "5"))
        english = degree != "bachelor" and rng.random() < 0.5
        min_gpa = rng.uniform(2.5, 3.8) + (0.2 if field == "Medicine" else 0.0)
        programs.append(
            ProgramSeed(
                name=_program_name(field, degree),
                field_of_study=field,
                degree=degree,
                tuition=Decimal(min(200_000, int(round(rng.uniform(low, high) * factor, -1)))),
                language="English" if english else rng.choice(country.languages),
                duration_years=Decimal(years),
                min_gpa=None if rng.random() < 0.25 else Decimal(f"{min_gpa:.2f}"),
            )
        )
    return tuple(programs)


def _program_name(field: str, degree: str) -> str:
    if degree == "phd":
        return f"PhD {field}"
    bachelor, master = PROGRAM_NAMES.get(field) or (
        (f"BA {field}", f"MA {field}") if field in ARTS_FIELDS else (f"BSc {field}", f"MSc {field}")
    )
    return bachelor if degree == "bachelor" else master


def _opportunities(
    rng: random.Random, company: str, home: Country, home_city: str, fields: Sequence[str]
) -> tuple[OpportunitySeed, ...]:
    """1-8 internships and jobs, mostly in the company's city or country, (title, city) unique."""
    result: list[OpportunitySeed] = []
    seen: set[tuple[str, str]] = set()
    for _ in range(rng.randint(1, 8)):
        field = rng.choice(fields)
        role = rng.choice(FIELD_ROLES.get(field, (f"{field} Specialist",)))
        kind = "internship" if rng.random() < 0.45 else "job"
        title = f"{role} Intern" if kind == "internship" else role
        where = rng.random()
        if where < 0.6:
            country, city = home, home_city
        elif where < 0.8:
            country, city = home, rng.choice(home.cities)
        else:
            country, city = _place(rng)
        remote = rng.random() < 0.15
        if kind == "internship":  # monthly
            salary = int(round(rng.uniform(900, 3200) * country.wage, -1))
        else:  # yearly
            salary = int(round(rng.uniform(45_000, 140_000) * country.wage, -2))
        if (title, city) in seen:
            continue
        seen.add((title, city))
        located = f"remote, based in {city}" if remote else f"in {city}"
        result.append(
            OpportunitySeed(
                title=title,
                kind=kind,
                field_of_study=field,
                city=city,
                country=country.name,
                remote=remote,
                salary=None if rng.random() < 0.1 else Decimal(salary),
                description=f"{title} at {company}, {located}, {country.name}.",
            )
        )
    return tuple(result)


def _place(rng: random.Random) -> tuple[Country, str]:
    country = rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]
    return country, rng.choice(country.cities)


def _unique_email(local: str, domain: str, taken: set[str]) -> str:
    """`local@domain`, or `local2@domain`, `local3@domain`... whichever is not in `taken` (then added)."""
    email, number = f"{local}@{domain}", 1
    while email in taken:
        number += 1
        email = f"{local}{number}@{domain}"
    taken.add(email)
    return email


def _ascii(text: str) -> str:
    """Lowercase ASCII letters and digits only: "O'Brien" -> "obrien", "Çelik" -> "celik"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(ASCII_LETTERS))
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


def _slug(name: str) -> str:
    """A DNS label: "Universität Bonn" -> "universitat-bonn"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(ASCII_LETTERS))
    return re.sub(r"[^a-z0-9]+", "-", decomposed.encode("ascii", "ignore").decode().lower()).strip("-")
