"""The hand-written core set: real universities, fixed students and fictional companies that tests and chat
scripts rely on. `build_seed` always puts these rows first, whatever the seed; change them only together
with the promises below.

Tuition is yearly in USD (German public universities: 0); min_gpa is on the 0-4 scale; salaries are USD,
monthly for internships and yearly for jobs.

Promises
- The six UniversityName values of definition.yaml are here, with these exact names and places:
  Technical University of Munich (Munich, Germany, world rank 37, founded 1868), University of Toronto
  (Toronto, Canada, rank 21), ETH Zurich (Zurich, Switzerland, rank 7), University of Melbourne (Melbourne,
  Australia, rank 14), Universidad de Buenos Aires (Buenos Aires, Argentina, rank 95, tuition-free),
  National University of Singapore (Singapore, Singapore, rank 8).
- Technical University of Munich offers "MSc Computer Science" (Computer Science, master, 0 USD, English,
  2 years, min GPA 3.0).
- Medicine in Germany: Heidelberg University (Heidelberg) and Charité - Universitätsmedizin Berlin (Berlin;
  its name has an en dash, see CHARITE) offer 4 Medicine programs, all at 0 USD; Heidelberg's "Medicine
  (Staatsexamen)" is a 6-year bachelor in German with min GPA 3.9.
- Computer science in Canada: University of Toronto's "BSc Computer Science" (bachelor, 48000 USD) and
  "MSc Computer Science" (master, 22000 USD).
- Data science in Singapore: National University of Singapore's "MSc Data Science and Machine Learning"
  (master, 32000 USD, English).
- Also: Universidade de São Paulo, University of Cape Town, Sorbonne University, University of Tokyo,
  Indian Institute of Technology Bombay and University of Oxford (BA Computer Science at 50000 USD).
- Students (all @example.edu): ana.garcia (Ana García, Spain, Computer Science, GPA 3.7, max tuition 15000,
  interests machine learning and robotics); liam.oconnor (Liam O'Connor, Ireland, Medicine, 3.9, 60000);
  priya.sharma (India, Data Science, 3.5, 40000); jonas.weber (Germany, Mechanical Engineering, no GPA,
  5000); mei.chen (Singapore, Finance, 3.85, no tuition limit); emeka.okafor (Nigeria, Electrical
  Engineering, 3.2, 10000); zoe.lefevre (Zoë Lefèvre, France, Journalism, 3.1, 3000); lucas.oliveira (Brazil,
  Law, 2.8, 8000).
- Companies (emails <name>@example.com): Northwind Analytics (Software, Berlin) with Software Engineering
  and Data Science internships in Berlin and a remote Backend Engineer job; Lakeshore Software (Software,
  Toronto) with a Software Engineering internship in Toronto; Thameside Capital (Finance, London) with
  Financial Analyst, Risk Analyst and Quantitative Analyst jobs and an Investment Banking internship in
  London; Alpenrose Therapeutics (Biotechnology, Basel); Harbourside Health (Healthcare, Melbourne, a Health
  Data Analyst job in Sydney); Lion City Logistics (Logistics, Singapore); Río Verde Energía (Energy, Buenos
  Aires); Brightpath Learning (Education Services, Bengaluru, a remote job and a remote internship);
  Kestrel Media Group (Media, New York).
"""

from __future__ import annotations

from decimal import Decimal

from campusbot.db.seed.records import CompanySeed, OpportunitySeed, ProgramSeed, StudentSeed, UniversitySeed


def _d(value: int | str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _program(
    name: str, field: str, degree: str, tuition: int, language: str, years: int | str, min_gpa: str | None
) -> ProgramSeed:
    return ProgramSeed(name, field, degree, Decimal(tuition), language, Decimal(years), _d(min_gpa))


def _university(
    name: str,
    country: str,
    city: str,
    website: str,
    rank: int | None,
    founded: int,
    acceptance: str | None,
    description: str,
    *programs: ProgramSeed,
) -> UniversitySeed:
    return UniversitySeed(name, country, city, website, rank, founded, _d(acceptance), description, programs)


def _student(
    first: str,
    last: str,
    email: str,
    country: str,
    field: str,
    gpa: str | None,
    max_tuition: int | None,
    *interests: str,
) -> StudentSeed:
    return StudentSeed(first, last, email, country, field, _d(gpa), _d(max_tuition), interests)


def _opportunity(
    title: str, kind: str, field: str, city: str, country: str, salary: int | None, *, remote: bool = False
) -> OpportunitySeed:
    where = "remote, based in" if remote else "in"
    article = "An" if kind == "internship" else "A"
    description = f"{article} {kind} in {field.lower()} {where} {city}, {country}."
    return OpportunitySeed(title, kind, field, city, country, remote, _d(salary), description)


def _company(
    name: str,
    industry: str,
    email: str,
    city: str,
    country: str,
    employees: int,
    description: str,
    *opportunities: OpportunitySeed,
) -> CompanySeed:
    website = "https://" + email.split("@")[0].replace(".", "-") + ".example.com"
    return CompanySeed(name, industry, email, website, city, country, employees, description, opportunities)


CS, DS, MED = "Computer Science", "Data Science", "Medicine"
CHARITE = "Charité \u2013 Universitätsmedizin Berlin"  # with an en dash, as the hospital spells it

# fmt: off

UNIVERSITIES: tuple[UniversitySeed, ...] = (
    _university(
        "Technical University of Munich", "Germany", "Munich", "https://www.tum.de", 37, 1868, "0.080",
        "A public technical university in Munich known for engineering, computer science and natural sciences.",
        _program("MSc Computer Science", CS, "master", 0, "English", 2, "3.0"),
        _program("MSc Data Engineering and Analytics", DS, "master", 0, "English", 2, "3.0"),
        _program("BSc Mechanical Engineering", "Mechanical Engineering", "bachelor", 0, "German", 3, "2.8"),
        _program("BSc Electrical Engineering", "Electrical Engineering", "bachelor", 0, "German", 3, "2.8"),
        _program("PhD Physics", "Physics", "phd", 0, "English", "3.5", "3.3"),
    ),
    _university(
        "University of Toronto", "Canada", "Toronto", "https://www.utoronto.ca", 21, 1827, "0.430",
        "Canada's largest research university, with strengths in computer science, medicine and business.",
        _program("BSc Computer Science", CS, "bachelor", 48000, "English", 4, "3.5"),
        _program("MSc Computer Science", CS, "master", 22000, "English", 2, "3.3"),
        _program("Bachelor of Commerce", "Business Administration", "bachelor", 47000, "English", 4, "3.4"),
        _program("Master of Public Policy", "Political Science", "master", 30000, "English", 2, "3.2"),
        _program("PhD Psychology", "Psychology", "phd", 7000, "English", 5, "3.5"),
    ),
    _university(
        "ETH Zurich", "Switzerland", "Zurich", "https://ethz.ch", 7, 1855, "0.270",
        "A public science and technology university in Zurich, home of more than twenty Nobel laureates.",
        _program("MSc Computer Science", CS, "master", 1700, "English", "1.5", "3.5"),
        _program("MSc Data Science", DS, "master", 1700, "English", 2, "3.5"),
        _program("BSc Mechanical Engineering", "Mechanical Engineering", "bachelor", 1700, "German", 3, None),
        _program("MSc Architecture", "Architecture", "master", 1700, "German", 2, "3.3"),
        _program("PhD Physics", "Physics", "phd", 1700, "English", 4, "3.5"),
    ),
    _university(
        "University of Melbourne", "Australia", "Melbourne", "https://www.unimelb.edu.au", 14, 1853, "0.700",
        "Australia's second-oldest university, a research university in central Melbourne.",
        _program("Master of Data Science", DS, "master", 33000, "English", 2, "3.0"),
        _program("Bachelor of Commerce", "Business Administration", "bachelor", 31000, "English", 3, "3.0"),
        _program("Bachelor of Biomedicine", "Biology", "bachelor", 34000, "English", 3, "3.2"),
        _program("Master of Nursing Science", "Nursing", "master", 32000, "English", 2, "3.0"),
        _program("Juris Doctor", "Law", "master", 36000, "English", 3, "3.3"),
    ),
    _university(
        "Universidad de Buenos Aires", "Argentina", "Buenos Aires", "https://www.uba.ar", 95, 1821, None,
        "Argentina's largest public university, tuition-free and open to all who pass its common first cycle.",
        _program("Medicina", MED, "bachelor", 0, "Spanish", 6, None),
        _program("Abogacía", "Law", "bachelor", 0, "Spanish", 6, None),
        _program("Licenciatura en Ciencias de la Computación", CS, "bachelor", 0, "Spanish", 5, None),
        _program("Licenciatura en Economía", "Economics", "bachelor", 0, "Spanish", 5, None),
        _program("Arquitectura", "Architecture", "bachelor", 0, "Spanish", 6, None),
    ),
    _university(
        "National University of Singapore", "Singapore", "Singapore", "https://www.nus.edu.sg", 8, 1905, "0.050",
        "Singapore's flagship research university, leading in Asia for computing, engineering and business.",
        _program("MSc Data Science and Machine Learning", DS, "master", 32000, "English", "1.5", "3.2"),
        _program("Bachelor of Computing in Computer Science", CS, "bachelor", 28000, "English", 4, "3.6"),
        _program("Bachelor of Business Administration", "Business Administration", "bachelor", 26000, "English",
                 4, "3.5"),
        _program("Bachelor of Science in Pharmacy", "Pharmacy", "bachelor", 30000, "English", 4, "3.5"),
        _program("PhD Chemistry", "Chemistry", "phd", 15000, "English", 4, "3.4"),
    ),
    _university(
        "Heidelberg University", "Germany", "Heidelberg", "https://www.uni-heidelberg.de", 87, 1386, "0.180",
        "Germany's oldest university, a public research university renowned for medicine and the life sciences.",
        _program("Medicine (Staatsexamen)", MED, "bachelor", 0, "German", 6, "3.9"),
        _program("PhD Medical Sciences", MED, "phd", 0, "English", 3, "3.5"),
        _program("MSc Molecular Biosciences", "Biology", "master", 0, "English", 2, "3.0"),
        _program("BSc Psychology", "Psychology", "bachelor", 0, "German", 3, "3.7"),
        _program("BSc Physics", "Physics", "bachelor", 0, "German", 3, None),
    ),
    _university(
        CHARITE, "Germany", "Berlin", "https://www.charite.de", None, 1710,
        "0.040",
        "One of Europe's largest university hospitals, the joint medical school of Berlin's universities.",
        _program("Humanmedizin (Modellstudiengang)", MED, "bachelor", 0, "German", "6.5", "3.9"),
        _program("MSc Molecular Medicine", MED, "master", 0, "English", 2, "3.3"),
        _program("MSc Medical Neurosciences", "Biology", "master", 0, "English", 2, "3.3"),
        _program("BSc Applied Nursing Science", "Nursing", "bachelor", 0, "German", 4, None),
    ),
    _university(
        "University of Cape Town", "South Africa", "Cape Town", "https://www.uct.ac.za", 173, 1829, "0.260",
        "South Africa's oldest university, on the slopes of Table Mountain, leading in Africa for research.",
        _program("MBChB Medicine and Surgery", MED, "bachelor", 9500, "English", 6, "3.6"),
        _program("BSc Computer Science", CS, "bachelor", 6500, "English", 3, "3.0"),
        _program("Master of Business Administration (MBA)", "Business Administration", "master", 27000,
                 "English", 1, "3.0"),
        _program("MPhil Climate Change and Sustainable Development", "Environmental Science", "master", 7000,
                 "English", 1, "3.0"),
    ),
    _university(
        "Universidade de São Paulo", "Brazil", "São Paulo", "https://www5.usp.br", 85, 1934, "0.060",
        "Brazil's largest public university, tuition-free, admitting students through the FUVEST exam.",
        _program("Medicina", MED, "bachelor", 0, "Portuguese", 6, None),
        _program("Engenharia Civil", "Civil Engineering", "bachelor", 0, "Portuguese", 5, None),
        _program("Bacharelado em Ciência da Computação", CS, "bachelor", 0, "Portuguese", 4, None),
        _program("Mestrado em Economia", "Economics", "master", 0, "Portuguese", 2, "3.0"),
    ),
    _university(
        "Sorbonne University", "France", "Paris", "https://www.sorbonne-universite.fr", 59, 1257, "0.100",
        "A public research university in the heart of Paris, heir to the medieval Sorbonne.",
        _program("Licence Mathématiques", "Mathematics", "bachelor", 190, "French", 3, None),
        _program("Master Informatique", CS, "master", 270, "French", 2, "3.0"),
        _program("Master Physique", "Physics", "master", 270, "French", 2, "3.0"),
        _program("Master Journalisme", "Journalism", "master", 270, "French", 2, "3.2"),
        _program("PhD Chemistry", "Chemistry", "phd", 420, "English", 3, "3.3"),
    ),
    _university(
        "University of Tokyo", "Japan", "Tokyo", "https://www.u-tokyo.ac.jp", 28, 1877, "0.340",
        "Japan's leading national university, strong across engineering, sciences and public policy.",
        _program("Bachelor of Engineering in Mechanical Engineering", "Mechanical Engineering", "bachelor", 3600,
                 "Japanese", 4, None),
        _program("Master of Information Science and Technology", CS, "master", 3600, "English", 2, "3.3"),
        _program("Bachelor of Economics", "Economics", "bachelor", 3600, "Japanese", 4, None),
        _program("Master of Public Policy", "Political Science", "master", 3600, "English", 2, "3.2"),
        _program("PhD Chemistry", "Chemistry", "phd", 3600, "English", 3, "3.3"),
    ),
    _university(
        "Indian Institute of Technology Bombay", "India", "Mumbai", "https://www.iitb.ac.in", 149, 1958, "0.010",
        "A public technical university in Mumbai, admitting undergraduates through the JEE Advanced exam.",
        _program("BTech Computer Science and Engineering", CS, "bachelor", 2700, "English", 4, None),
        _program("BTech Electrical Engineering", "Electrical Engineering", "bachelor", 2700, "English", 4, None),
        _program("MTech Civil Engineering", "Civil Engineering", "master", 1000, "English", 2, "3.0"),
        _program("MSc Mathematics", "Mathematics", "master", 1000, "English", 2, "3.0"),
        _program("PhD Physics", "Physics", "phd", 500, "English", 5, "3.2"),
    ),
    _university(
        "University of Oxford", "United Kingdom", "Oxford", "https://www.ox.ac.uk", 3, 1096, "0.150",
        "The oldest university in the English-speaking world, a collegiate research university.",
        _program("BA Computer Science", CS, "bachelor", 50000, "English", 3, "3.9"),
        _program("BA Philosophy, Politics and Economics", "Political Science", "bachelor", 45000, "English", 3,
                 "3.9"),
        _program("Bachelor of Medicine, Bachelor of Surgery", MED, "bachelor", 60000, "English", 6, "3.9"),
        _program("MSc Financial Economics", "Finance", "master", 73000, "English", 1, "3.7"),
        _program("DPhil Engineering Science", "Mechanical Engineering", "phd", 38000, "English", 4, "3.7"),
    ),
)

STUDENTS: tuple[StudentSeed, ...] = (
    _student("Ana", "García", "ana.garcia@example.edu", "Spain", CS, "3.7", 15000,
             "machine learning", "robotics"),
    _student("Liam", "O'Connor", "liam.oconnor@example.edu", "Ireland", MED, "3.9", 60000,
             "public health", "neuroscience"),
    _student("Priya", "Sharma", "priya.sharma@example.edu", "India", DS, "3.5", 40000,
             "machine learning", "data visualization", "cricket"),
    _student("Jonas", "Weber", "jonas.weber@example.edu", "Germany", "Mechanical Engineering", None, 5000,
             "renewable energy", "cycling"),
    _student("Mei", "Chen", "mei.chen@example.edu", "Singapore", "Finance", "3.85", None,
             "fintech", "investing"),
    _student("Emeka", "Okafor", "emeka.okafor@example.edu", "Nigeria", "Electrical Engineering", "3.2", 10000,
             "renewable energy", "embedded systems"),
    _student("Zoë", "Lefèvre", "zoe.lefevre@example.edu", "France", "Journalism", "3.1", 3000,
             "human rights", "photography"),
    _student("Lucas", "Oliveira", "lucas.oliveira@example.edu", "Brazil", "Law", "2.8", 8000,
             "human rights", "debating"),
)

COMPANIES: tuple[CompanySeed, ...] = (
    _company(
        "Northwind Analytics", "Software", "northwind.analytics@example.com", "Berlin", "Germany", 350,
        "A Berlin software company building analytics platforms for European retailers.",
        _opportunity("Software Engineering Intern", "internship", CS, "Berlin", "Germany", 2200),
        _opportunity("Data Science Intern", "internship", DS, "Berlin", "Germany", 2200),
        _opportunity("Backend Engineer", "job", CS, "Berlin", "Germany", 85000, remote=True),
    ),
    _company(
        "Lakeshore Software", "Software", "lakeshore.software@example.com", "Toronto", "Canada", 120,
        "A Toronto software studio making scheduling tools for hospitals and universities.",
        _opportunity("Software Engineering Intern", "internship", CS, "Toronto", "Canada", 3000),
        _opportunity("Frontend Developer", "job", CS, "Toronto", "Canada", 90000),
        _opportunity("Product Marketing Intern", "internship", "Marketing", "Toronto", "Canada", 2400),
    ),
    _company(
        "Thameside Capital", "Finance", "thameside.capital@example.com", "London", "United Kingdom", 900,
        "A London investment firm managing pension and endowment portfolios.",
        _opportunity("Financial Analyst", "job", "Finance", "London", "United Kingdom", 75000),
        _opportunity("Risk Analyst", "job", "Finance", "London", "United Kingdom", 70000),
        _opportunity("Quantitative Analyst", "job", "Mathematics", "London", "United Kingdom", 110000),
        _opportunity("Investment Banking Intern", "internship", "Finance", "London", "United Kingdom", 4000),
    ),
    _company(
        "Alpenrose Therapeutics", "Biotechnology", "alpenrose.therapeutics@example.com", "Basel", "Switzerland",
        640,
        "A Basel biotechnology company developing antibody therapies for autoimmune diseases.",
        _opportunity("Research Scientist", "job", "Biology", "Basel", "Switzerland", 105000),
        _opportunity("Laboratory Research Intern", "internship", "Chemistry", "Basel", "Switzerland", 3200),
        _opportunity("Regulatory Affairs Specialist", "job", "Pharmacy", "Basel", "Switzerland", 95000),
    ),
    _company(
        "Harbourside Health", "Healthcare", "harbourside.health@example.com", "Melbourne", "Australia", 2300,
        "A Melbourne network of community hospitals and clinics.",
        _opportunity("Graduate Registered Nurse", "job", "Nursing", "Melbourne", "Australia", 62000),
        _opportunity("Clinical Research Intern", "internship", MED, "Melbourne", "Australia", 2600),
        _opportunity("Health Data Analyst", "job", DS, "Sydney", "Australia", 80000),
    ),
    _company(
        "Lion City Logistics", "Logistics", "lion.city.logistics@example.com", "Singapore", "Singapore", 1500,
        "A Singapore freight forwarder running sea and air logistics across Southeast Asia.",
        _opportunity("Supply Chain Analyst", "job", "Business Administration", "Singapore", "Singapore", 55000),
        _opportunity("Data Analyst Intern", "internship", DS, "Singapore", "Singapore", 1500),
    ),
    _company(
        "Río Verde Energía", "Energy", "rio.verde.energia@example.com", "Buenos Aires", "Argentina", 480,
        "An Argentine renewable energy developer operating wind and solar farms.",
        _opportunity("Renewable Energy Engineering Intern", "internship", "Electrical Engineering",
                     "Buenos Aires", "Argentina", 700),
        _opportunity("Sustainability Analyst", "job", "Environmental Science", "Córdoba", "Argentina", 24000),
        _opportunity("Wind Farm Engineer", "job", "Mechanical Engineering", "Bahía Blanca", "Argentina", 30000),
    ),
    _company(
        "Brightpath Learning", "Education Services", "brightpath.learning@example.com", "Bengaluru", "India", 260,
        "A Bengaluru education technology company offering online tutoring in mathematics and science.",
        _opportunity("Instructional Designer", "job", "Education", "Bengaluru", "India", 18000, remote=True),
        _opportunity("Mathematics Content Intern", "internship", "Mathematics", "Bengaluru", "India", 400,
                     remote=True),
        _opportunity("Software Engineer", "job", CS, "Bengaluru", "India", 30000),
    ),
    _company(
        "Kestrel Media Group", "Media", "kestrel.media.group@example.com", "New York", "United States", 780,
        "A New York digital publisher of news and culture magazines.",
        _opportunity("Reporter", "job", "Journalism", "New York", "United States", 65000),
        _opportunity("Editorial Intern", "internship", "Journalism", "New York", "United States", 3000),
        _opportunity("Graphic Design Intern", "internship", "Fine Arts", "New York", "United States", 2800,
                     remote=True),
    ),
)
# fmt: on
