"""The retrieval-quality corpus, as data: campusbot documents that the database does not hold.

Fictional but realistic: the admission rules, scholarships, visa and work notes, housing, company handbooks and
campus services a student or a partner company would upload. Some topics are deliberately close (two
scholarships, two company handbooks, visa vs. residence vs. work rules) so retrieval has to tell them apart.
`bench/data/make_corpus.py` writes each document in its format (md, html, txt, pdf, docx) into
`bench/data/corpus/`, and the sample set into `samples/documents/`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Doc:
    key: str  # file name; its extension is the format
    title: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, paragraphs)
    sample: bool = False  # also one of the sample documents `make demo` uploads


DOCS: tuple[Doc, ...] = (
    Doc(
        "admission-rules-2027.md",
        "campusbot partner admission rules 2027",
        (
            (
                "Who these rules apply to",
                (
                    "These rules apply to every bachelor and master application that goes through campusbot to one "
                    "of its partner universities for the 2027 intakes. A partner university may add requirements "
                    "for a programme, never remove them.",
                ),
            ),
            (
                "Application windows",
                (
                    "The winter intake window opens on 1 December 2026 and closes on 15 February 2027 at 23:59 "
                    "Central European Time. The summer intake window runs from 1 June to 15 July 2027.",
                    "Late applications are not considered, even when documents were delayed by the post.",
                ),
            ),
            (
                "Required documents",
                (
                    "Every application needs certified copies of all transcripts, a CV in English, a motivation "
                    "letter of at most 1,000 words and a copy of the passport page with the photo.",
                    "Transcripts in languages other than English, German, French or Spanish need a sworn translation.",
                ),
            ),
            (
                "Language requirements",
                (
                    "English-taught programmes ask for IELTS Academic 6.5 with no band below 6.0, or TOEFL iBT 90. "
                    "Applicants whose previous degree was taught entirely in English are exempt. German-taught "
                    "programmes ask for TestDaF level 4 in all parts or the DSH-2 exam.",
                ),
            ),
            (
                "Application fee",
                (
                    "The processing fee is 35 euros per application and is not refunded. Applicants with a "
                    "recognised refugee status do not pay the fee.",
                ),
            ),
            (
                "Decisions",
                (
                    "Applicants hear back within six weeks after the window closes. A conditional admission can be "
                    "given when the final degree certificate is still missing; it must then be handed in before "
                    "30 September 2027, otherwise the admission lapses.",
                ),
            ),
        ),
        sample=True,
    ),
    Doc(
        "aurora-merit-scholarship.pdf",
        "Aurora Merit Scholarship 2027",
        (
            (
                "What the scholarship pays",
                (
                    "The Aurora Merit Scholarship pays 4,800 euros per academic year to students starting a master "
                    "programme at a campusbot partner university. Forty scholarships are awarded for the 2027 "
                    "intake. The money is paid in two instalments, in October and in April.",
                ),
            ),
            (
                "Who can apply",
                (
                    "Applicants need a bachelor grade in the top 15 percent of their graduating class and an "
                    "admission or conditional admission to a partner master programme. Nationality does not matter.",
                ),
            ),
            (
                "Deadline and selection",
                (
                    "Applications close on 14 February 2027 at noon Central European Time. Shortlisted applicants "
                    "are invited to a 20-minute video interview in the second week of March; results are sent by "
                    "email before 15 April 2027.",
                ),
            ),
            (
                "Keeping the scholarship",
                (
                    "The scholarship is renewed for the second year when the student has earned at least 45 ECTS "
                    "credits and keeps a grade average of 2.5 or better on the German scale. It cannot be combined "
                    "with the Helix need-based grant.",
                ),
            ),
        ),
        sample=True,
    ),
    Doc(
        "helix-need-based-grant.docx",
        "Helix need-based grant",
        (
            (
                "Purpose",
                (
                    "The Helix grant supports students whose families cannot pay for living costs. It is funded by "
                    "the Helix Foundation and administered by the campusbot student office.",
                ),
            ),
            (
                "Amount and duration",
                (
                    "The grant pays 350 euros a month for twelve months, transferred on the first working day of "
                    "each month. It can be applied for again for a second year.",
                ),
            ),
            (
                "Eligibility",
                (
                    "The combined yearly gross income of the applicant's parents must be below 42,000 euros. "
                    "Students who already receive a merit scholarship such as Aurora are not eligible.",
                    "Grant holders may work at most 20 hours a week during the lecture period.",
                ),
            ),
            (
                "How to apply",
                (
                    "Send the income statements of both parents for the last tax year, a bank statement and the "
                    "enrolment certificate to the student office before 31 March 2027.",
                ),
            ),
        ),
    ),
    Doc(
        "student-visa-notes.html",
        "Student visa notes",
        (
            (
                "The national visa for study",
                (
                    "Students from countries outside the EU need a national visa for study purposes before they "
                    "travel. Tourist or Schengen visas cannot be converted later.",
                ),
            ),
            (
                "Blocked account",
                (
                    "The embassy asks for proof of 11,904 euros for the first year, usually as a blocked account "
                    "from which 992 euros can be withdrawn each month. A scholarship letter can replace part of the "
                    "amount.",
                ),
            ),
            (
                "Visa appointment",
                (
                    "Book the appointment as soon as the admission letter arrives: in Lagos and Nairobi the waiting "
                    "time is about eight weeks. Bring the admission letter, the blocked account confirmation, proof "
                    "of health insurance and two biometric photos. The visa fee is 75 euros.",
                ),
            ),
            (
                "After arrival",
                (
                    "The visa is valid for the first months only. Register your address within 14 days and apply "
                    "for the residence permit at the foreigners' office within 90 days of arrival.",
                ),
            ),
        ),
        sample=True,
    ),
    Doc(
        "working-while-studying.txt",
        "Working while studying",
        (
            (
                "How much international students may work",
                (
                    "Students from outside the EU may work 140 full days or 280 half days per calendar year without "
                    "asking the foreigners' office. Jobs as a student assistant at the university do not count "
                    "towards this limit.",
                ),
            ),
            (
                "Mini-jobs",
                (
                    "A mini-job pays at most 556 euros a month and is free of income tax and social insurance for "
                    "the student. Employers still need your tax identification number.",
                ),
            ),
            (
                "Internships",
                (
                    "A mandatory internship that is part of the study regulations does not count towards the 140 "
                    "days. A voluntary internship does, even when it is unpaid.",
                ),
            ),
        ),
        sample=True,
    ),
    Doc(
        "kestrel-hall-housing.md",
        "Kestrel Hall housing",
        (
            (
                "Rent",
                (
                    "Rooms in Kestrel Hall cost 410 euros a month. Heating, electricity and internet are included. "
                    "Rent is due on the third working day of the month.",
                ),
            ),
            (
                "Deposit",
                (
                    "The deposit is two months of rent. It is paid back within 30 days after you move out, minus "
                    "the cost of any damage found at the final inspection.",
                ),
            ),
            (
                "House rules",
                (
                    "Quiet hours start at 22:00 and end at 7:00. Guests may stay at most three nights a month. "
                    "Smoking is not allowed anywhere in the building, balconies included.",
                ),
            ),
            (
                "Applying for a room",
                (
                    "Apply through the housing portal at least three months before the semester starts. Rooms are "
                    "given in the order applications arrive; the waiting list is usually two to four months long.",
                ),
            ),
        ),
        sample=True,
    ),
    Doc(
        "nordlicht-robotics-intern-handbook.docx",
        "Nordlicht Robotics intern handbook",
        (
            (
                "Working time",
                (
                    "Interns at Nordlicht Robotics work 32 hours a week, Monday to Thursday. Fridays are kept free "
                    "for university courses and the internship report.",
                ),
            ),
            (
                "Pay and benefits",
                (
                    "Interns are paid 1,450 euros a month. Every day in the office comes with a meal allowance of "
                    "9 euros for the canteen.",
                ),
            ),
            (
                "Remote work",
                (
                    "After the first month, interns may work from home two days a week, agreed with their mentor "
                    "one week ahead.",
                ),
            ),
            (
                "First week",
                (
                    "Every intern is given a mentor from their team, a badge and a laptop on the first day. The "
                    "safety training for the robot lab is mandatory before entering it.",
                ),
            ),
            (
                "Holidays",
                ("Interns earn two days of paid holiday for every full month of the internship.",),
            ),
        ),
        sample=True,
    ),
    Doc(
        "tidewater-analytics-employee-handbook.pdf",
        "Tidewater Analytics employee handbook",
        (
            (
                "Probation",
                (
                    "New employees at Tidewater Analytics have a probation period of six months, during which "
                    "either side can end the contract with two weeks' notice.",
                ),
            ),
            (
                "Working hours and home office",
                (
                    "Core hours are from 10:00 to 15:00. Employees may work from home up to three days a week; "
                    "team days in the office are Tuesdays.",
                ),
            ),
            (
                "Leave",
                (
                    "Full-time employees get 30 days of annual leave. Unused days must be taken before 31 March of "
                    "the following year.",
                ),
            ),
            (
                "Expenses and learning",
                (
                    "Travel expenses must be claimed within 30 days with receipts. Every employee has a learning "
                    "budget of 1,200 euros a year for courses, books and conferences.",
                ),
            ),
        ),
    ),
    Doc(
        "library-services.html",
        "Library services",
        (
            (
                "Opening hours",
                (
                    "The central library is open from 8:00 to 24:00 every day during the lecture period, and from "
                    "9:00 to 20:00 in the semester breaks.",
                ),
            ),
            (
                "Laptop loans",
                ("Students with a campus card can borrow a laptop for 14 days. Late returns cost 0.50 euros per day.",),
            ),
            (
                "Interlibrary loan and group rooms",
                (
                    "Books from other libraries can be ordered for a fee of 1.50 euros each. Group study rooms can "
                    "be booked up to seven days ahead, for at most three hours.",
                ),
            ),
            ("Printing", ("Printing and copying costs 5 cents per black-and-white page.",)),
        ),
    ),
    Doc(
        "exam-regulations.md",
        "Examination regulations",
        (
            (
                "Registration",
                (
                    "Students register for each exam online at least four weeks before the exam date. They can "
                    "withdraw without giving a reason until seven days before the exam.",
                ),
            ),
            (
                "Illness",
                (
                    "A student who misses an exam through illness must hand in a medical certificate within three "
                    "working days, otherwise the exam counts as failed.",
                ),
            ),
            (
                "Attempts and grades",
                (
                    "Every exam can be taken three times. Grades go from 1.0 (best) to 5.0; 4.0 is the lowest "
                    "passing grade.",
                ),
            ),
            (
                "Master's thesis",
                ("The master's thesis must be submitted within six months after it was registered.",),
            ),
        ),
    ),
    Doc(
        "health-insurance-guide.txt",
        "Health insurance guide",
        (
            (
                "Public health insurance",
                (
                    "Students under 30 can join a public health insurer at the student rate of about 137 euros a "
                    "month, long-term care insurance included.",
                ),
            ),
            (
                "Exemption",
                (
                    "Students who prefer private insurance must ask for an exemption from public insurance at "
                    "enrolment. The exemption cannot be undone for the rest of the studies.",
                ),
            ),
            (
                "Travel insurance for the visa",
                (
                    "For the visa application, a travel health insurance covering the first three months is "
                    "enough; the full insurance starts with enrolment.",
                ),
            ),
        ),
    ),
    Doc(
        "campus-it-services.md",
        "Campus IT services",
        (
            (
                "Accounts and passwords",
                (
                    "Your campus account is created at enrolment. A forgotten password is reset at the IT service "
                    "desk in person, with a photo ID. Multi-factor authentication is mandatory for all accounts "
                    "since January 2026.",
                ),
            ),
            (
                "Wi-Fi and VPN",
                (
                    "The campus Wi-Fi is eduroam. From outside the campus, the VPN client gives access to library "
                    "databases and licensed services.",
                ),
            ),
            (
                "Storage and software",
                (
                    "Every student gets 50 GB of cloud storage. MATLAB, SPSS and Microsoft Office can be installed "
                    "on private computers free of charge while you are enrolled.",
                ),
            ),
        ),
    ),
    Doc(
        "orientation-week.html",
        "Orientation week",
        (
            (
                "Dates",
                (
                    "Orientation week for the winter semester starts on Monday, 5 October 2026, one week before "
                    "lectures begin.",
                ),
            ),
            (
                "Programme",
                (
                    "New students are paired with a buddy from a higher semester. The week includes a city tour, "
                    "a library introduction and an evening boat trip.",
                ),
            ),
            (
                "Matriculation",
                (
                    "Matriculation is completed in person at the Student Service Center. Bring the admission "
                    "letter, passport and proof of health insurance. The semester ticket for local transport costs "
                    "215 euros.",
                ),
            ),
        ),
    ),
    Doc(
        "thesis-guidelines.docx",
        "Master's thesis guidelines",
        (
            (
                "Registration and supervision",
                (
                    "Register the thesis with the examination office using the registration form signed by two "
                    "supervisors, at least one of them a professor of the faculty.",
                ),
            ),
            (
                "Length and format",
                (
                    "A master's thesis has 60 to 80 pages without the appendix. It is submitted as a PDF through "
                    "the plagiarism check and as two printed, bound copies.",
                ),
            ),
            (
                "Defence",
                (
                    "The defence is a 30-minute talk followed by questions. The written thesis counts for 80 "
                    "percent of the grade and the defence for 20 percent.",
                ),
            ),
        ),
    ),
    Doc(
        "career-fair-2027.pdf",
        "campusbot career fair 2027",
        (
            (
                "Date and place",
                (
                    "The campusbot career fair takes place on 12 March 2027 in the main hall, from 10:00 to 17:00. "
                    "About 80 companies take part, among them Nordlicht Robotics and Tidewater Analytics.",
                ),
            ),
            (
                "Preparing",
                (
                    "Students register online for free. The career service checks CVs in the two weeks before the "
                    "fair; book a 15-minute slot through the portal.",
                ),
            ),
            (
                "For companies",
                (
                    "A company stand costs 900 euros, including two lunch vouchers and a listing in the fair "
                    "brochure. Registration for companies closes on 31 January 2027.",
                ),
            ),
        ),
    ),
    Doc(
        "mental-health-counselling.md",
        "Psychological counselling",
        (
            (
                "What is offered",
                (
                    "Students can have up to ten free counselling sessions per year. Sessions are confidential and "
                    "held in English, German or Spanish.",
                ),
            ),
            (
                "Appointments",
                (
                    "A first appointment is usually available within five working days. Book by phone or at the "
                    "counselling office in building C.",
                ),
            ),
            (
                "In a crisis",
                ("Outside office hours, the crisis line answers 24 hours a day, every day of the year.",),
            ),
        ),
    ),
    Doc(
        "semester-contribution.txt",
        "Semester contribution and fees",
        (
            (
                "Amount",
                (
                    "The semester contribution is 312 euros: 215 euros for the semester ticket, 85 euros for the "
                    "student services organisation and 12 euros for the student union.",
                ),
            ),
            (
                "Deadline",
                (
                    "Pay by 15 August for the winter semester and by 15 February for the summer semester, using "
                    "your student number as the payment reference. Late payment costs an extra 25 euros.",
                ),
            ),
            (
                "Not paying",
                ("Students who have not paid four weeks after the deadline are exmatriculated.",),
            ),
        ),
    ),
    Doc(
        "internship-regulations.pdf",
        "Internship regulations",
        (
            (
                "Mandatory internship",
                (
                    "Bachelor students complete a mandatory internship of at least twelve weeks, worth 15 ECTS "
                    "credits. The internship office must approve the position before it starts.",
                ),
            ),
            (
                "Report",
                (
                    "After the internship, students hand in a report of about ten pages and a certificate from "
                    "the company.",
                ),
            ),
            (
                "Internships abroad",
                (
                    "The internship may be done abroad. Within Europe, an Erasmus internship grant of 540 euros a "
                    "month is available for up to six months.",
                ),
            ),
        ),
    ),
)
