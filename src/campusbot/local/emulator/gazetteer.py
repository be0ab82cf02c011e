"""The word lists behind the emulator's built-in slot types: AMAZON.Country and AMAZON.City.

Canonical spellings follow the seed data and the bot's vocabulary (`bot/vocabulary.py`): "United States",
"United Kingdom", "South Korea", "Munich", "São Paulo", "Bengaluru". Aliases and adjectives map what people
type ("USA", "the UK", "german universities", "NYC", "Bangalore") onto them.
"""

from __future__ import annotations

# fmt: off
COUNTRIES: tuple[str, ...] = (
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Antigua and Barbuda", "Argentina", "Armenia",
    "Australia", "Austria", "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium",
    "Belize", "Benin", "Bhutan", "Bolivia", "Bosnia and Herzegovina", "Botswana", "Brazil", "Brunei", "Bulgaria",
    "Burkina Faso", "Burundi", "Cambodia", "Cameroon", "Canada", "Cape Verde", "Central African Republic", "Chad",
    "Chile", "China", "Colombia", "Comoros", "Costa Rica", "Croatia", "Cuba", "Cyprus", "Czech Republic",
    "Democratic Republic of the Congo", "Denmark", "Djibouti", "Dominica", "Dominican Republic", "Ecuador",
    "Egypt", "El Salvador", "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Ethiopia", "Fiji", "Finland",
    "France", "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece", "Grenada", "Guatemala", "Guinea",
    "Guinea-Bissau", "Guyana", "Haiti", "Honduras", "Hong Kong", "Hungary", "Iceland", "India", "Indonesia", "Iran",
    "Iraq", "Ireland", "Israel", "Italy", "Ivory Coast", "Jamaica", "Japan", "Jordan", "Kazakhstan", "Kenya",
    "Kiribati", "Kosovo", "Kuwait", "Kyrgyzstan", "Laos", "Latvia", "Lebanon", "Lesotho", "Liberia", "Libya",
    "Liechtenstein", "Lithuania", "Luxembourg", "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta",
    "Marshall Islands", "Mauritania", "Mauritius", "Mexico", "Micronesia", "Moldova", "Monaco", "Mongolia",
    "Montenegro", "Morocco", "Mozambique", "Myanmar", "Namibia", "Nauru", "Nepal", "Netherlands", "New Zealand",
    "Nicaragua", "Niger", "Nigeria", "North Korea", "North Macedonia", "Norway", "Oman", "Pakistan", "Palau",
    "Palestine", "Panama", "Papua New Guinea", "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar",
    "Republic of the Congo", "Romania", "Russia", "Rwanda", "Saint Kitts and Nevis", "Saint Lucia",
    "Saint Vincent and the Grenadines", "Samoa", "San Marino", "Sao Tome and Principe", "Saudi Arabia", "Senegal",
    "Serbia", "Seychelles", "Sierra Leone", "Singapore", "Slovakia", "Slovenia", "Solomon Islands", "Somalia",
    "South Africa", "South Korea", "South Sudan", "Spain", "Sri Lanka", "Sudan", "Suriname", "Sweden",
    "Switzerland", "Syria", "Taiwan", "Tajikistan", "Tanzania", "Thailand", "Timor-Leste", "Togo", "Tonga",
    "Trinidad and Tobago", "Tunisia", "Turkey", "Turkmenistan", "Tuvalu", "Uganda", "Ukraine",
    "United Arab Emirates", "United Kingdom", "United States", "Uruguay", "Uzbekistan", "Vanuatu", "Vatican City",
    "Venezuela", "Vietnam", "Yemen", "Zambia", "Zimbabwe",
)

# Adjectives and demonyms: "german universities", "a swiss school". Only used next to a noun from
# ADJECTIVE_NOUNS in free text, or alone as the answer to a country prompt.
COUNTRY_ADJECTIVES: dict[str, str] = {
    "american": "United States", "british": "United Kingdom", "english": "United Kingdom",
    "scottish": "United Kingdom", "welsh": "United Kingdom", "german": "Germany", "french": "France",
    "spanish": "Spain", "italian": "Italy", "portuguese": "Portugal", "dutch": "Netherlands", "belgian": "Belgium",
    "swiss": "Switzerland", "austrian": "Austria", "irish": "Ireland", "swedish": "Sweden", "norwegian": "Norway",
    "danish": "Denmark", "finnish": "Finland", "icelandic": "Iceland", "polish": "Poland", "czech": "Czech Republic",
    "slovak": "Slovakia", "hungarian": "Hungary", "romanian": "Romania", "bulgarian": "Bulgaria",
    "greek": "Greece", "turkish": "Turkey", "russian": "Russia", "ukrainian": "Ukraine", "croatian": "Croatia",
    "serbian": "Serbia", "slovenian": "Slovenia", "estonian": "Estonia", "latvian": "Latvia",
    "lithuanian": "Lithuania", "canadian": "Canada", "mexican": "Mexico", "brazilian": "Brazil",
    "argentinian": "Argentina", "argentine": "Argentina", "chilean": "Chile", "colombian": "Colombia",
    "peruvian": "Peru", "venezuelan": "Venezuela", "uruguayan": "Uruguay", "cuban": "Cuba",
    "australian": "Australia", "kiwi": "New Zealand", "chinese": "China", "japanese": "Japan",
    "korean": "South Korea", "south korean": "South Korea", "indian": "India", "pakistani": "Pakistan",
    "bangladeshi": "Bangladesh", "sri lankan": "Sri Lanka", "nepali": "Nepal", "singaporean": "Singapore",
    "malaysian": "Malaysia", "indonesian": "Indonesia", "thai": "Thailand", "vietnamese": "Vietnam",
    "filipino": "Philippines", "taiwanese": "Taiwan", "israeli": "Israel", "saudi": "Saudi Arabia",
    "emirati": "United Arab Emirates", "qatari": "Qatar", "iranian": "Iran", "iraqi": "Iraq",
    "lebanese": "Lebanon", "jordanian": "Jordan", "egyptian": "Egypt", "moroccan": "Morocco",
    "tunisian": "Tunisia", "algerian": "Algeria", "nigerian": "Nigeria", "ghanaian": "Ghana", "kenyan": "Kenya",
    "ethiopian": "Ethiopia", "south african": "South Africa", "new zealand": "New Zealand",
}

ADJECTIVE_NOUNS: frozenset[str] = frozenset(
    {
        "university", "universities", "uni", "unis", "school", "schools", "college", "colleges", "program",
        "programs", "programme", "programmes", "degree", "degrees", "institution", "institutions", "campus",
        "campuses", "company", "companies", "student", "students", "citizen", "national", "one", "ones",
    }
)

# AMAZON.City: world cities, all the cities of the seed data among them (a unit test checks that).
CITIES: tuple[str, ...] = (
    # Europe
    "Aachen", "Aarhus", "Amsterdam", "Antwerp", "Athens", "Augsburg", "Barcelona", "Bari", "Basel", "Belfast",
    "Belgrade", "Bergamo", "Bergen", "Berlin", "Bern", "Bilbao", "Birmingham", "Bochum", "Bologna", "Bonn",
    "Bordeaux", "Bratislava", "Bremen", "Brighton", "Bristol", "Brno", "Brussels", "Bucharest", "Budapest",
    "Cambridge", "Cardiff", "Cologne", "Copenhagen", "Cork", "Delft", "Dortmund", "Dresden", "Dublin",
    "Düsseldorf", "Edinburgh", "Eindhoven", "Espoo", "Essen", "Florence", "Frankfurt", "Freiburg", "Galway",
    "Gdańsk", "Geneva", "Genoa", "Ghent", "Glasgow", "Gothenburg", "Göttingen", "Granada", "Graz", "Grenoble",
    "Groningen", "Hamburg", "Hanover", "Heidelberg", "Helsinki", "Innsbruck", "Istanbul", "Karlsruhe", "Kiel",
    "Kraków", "Kyiv", "Lausanne", "Leeds", "Leicester", "Leiden", "Leipzig", "Leoben", "Leuven", "Lille",
    "Limerick", "Linköping", "Lisbon", "Liverpool", "Ljubljana", "London", "Lublin", "Lund", "Luxembourg", "Lyon",
    "Maastricht", "Madrid", "Málaga", "Malmö", "Manchester", "Mannheim", "Marseille", "Maynooth", "Milan",
    "Montpellier", "Moscow", "Munich", "Münster", "Nantes", "Naples", "Newcastle", "Nice", "Nijmegen",
    "Nottingham", "Nuremberg", "Oslo", "Oxford", "Padua", "Palermo", "Paris", "Parma", "Pavia", "Pisa", "Porto",
    "Poznań", "Prague", "Reykjavik", "Riga", "Rennes", "Rome", "Rotterdam", "Salamanca", "Salerno", "Salzburg",
    "Seville", "Sheffield", "Siena", "Sofia", "Southampton", "St. Gallen", "Stavanger", "Stockholm", "Strasbourg",
    "Stuttgart", "Tallinn", "The Hague", "Thessaloniki", "Tilburg", "Toulouse", "Trento", "Tromsø", "Trondheim",
    "Turin", "Tübingen", "Umeå", "Uppsala", "Utrecht", "Valencia", "Valladolid", "Venice", "Verona", "Vienna",
    "Vilnius", "Warsaw", "Wrocław", "Würzburg", "Zagreb", "Zaragoza", "Zurich", "Ankara", "Antalya", "Bursa",
    "Eskişehir", "Izmir", "Konya", "Klagenfurt", "Saint Petersburg",
    # Americas
    "Antofagasta", "Atlanta", "Austin", "Bahía Blanca", "Baltimore", "Barranquilla", "Belo Horizonte", "Berkeley",
    "Bogotá", "Boston", "Brasília", "Buenos Aires", "Calgary", "Cali", "Campinas", "Cartagena", "Chicago",
    "Cleveland", "Concepción", "Córdoba", "Curitiba", "Dallas", "Denver", "Detroit", "Edmonton", "Guadalajara",
    "Halifax", "Hamilton", "Havana", "Honolulu", "Houston", "Kingston", "La Plata", "La Serena", "León", "Lima",
    "Los Angeles", "Mar del Plata", "Medellín", "Mendoza", "Mérida", "Mexico City", "Miami", "Minneapolis",
    "Montevideo", "Monterrey", "Montreal", "Nashville", "New Haven", "New Orleans", "New York", "Ottawa",
    "Philadelphia", "Phoenix", "Pittsburgh", "Porto Alegre", "Portland", "Princeton", "Puebla", "Quebec City",
    "Querétaro", "Quito", "Recife", "Rio de Janeiro", "Rosario", "Salt Lake City", "Salvador", "San Diego",
    "San Francisco", "San Jose", "Santiago", "São Paulo", "Seattle", "St. Louis", "Tijuana", "Toronto", "Tucumán",
    "Valparaíso", "Vancouver", "Victoria", "Washington", "Waterloo", "Winnipeg", "Caracas", "Panama City",
    "San Juan", "Guatemala City",
    # Asia and Oceania
    "Adelaide", "Ahmedabad", "Auckland", "Bangkok", "Beijing", "Bengaluru", "Brisbane", "Busan", "Canberra",
    "Chengdu", "Chennai", "Christchurch", "Daegu", "Daejeon", "Darwin", "Delhi", "Dhaka", "Doha", "Dubai",
    "Dunedin", "Fukuoka", "Guangzhou", "Gwangju", "Hangzhou", "Hanoi", "Harbin", "Hiroshima", "Hobart",
    "Ho Chi Minh City", "Hong Kong", "Hyderabad", "Incheon", "Islamabad", "Jaipur", "Jakarta", "Jerusalem",
    "Kanpur", "Karachi", "Kathmandu", "Kobe", "Kolkata", "Kuala Lumpur", "Kyoto", "Lahore", "Manila", "Melbourne",
    "Mumbai", "Nagoya", "Nanjing", "New Delhi", "Osaka", "Perth", "Pune", "Riyadh", "Sapporo", "Sendai", "Seoul",
    "Shanghai", "Shenzhen", "Singapore", "Sydney", "Taipei", "Tel Aviv", "Tianjin", "Tokyo", "Ulsan", "Wellington",
    "Wuhan", "Xi'an", "Yokohama", "Abu Dhabi", "Almaty", "Tashkent", "Colombo", "Macau", "Gold Coast",
    "Newcastle upon Tyne",
    # Africa and the Middle East
    "Abuja", "Accra", "Addis Ababa", "Alexandria", "Algiers", "Assiut", "Benin City", "Bloemfontein", "Cairo",
    "Cape Town", "Casablanca", "Dakar", "Dar es Salaam", "Durban", "Enugu", "Giza", "Ibadan", "Johannesburg",
    "Kampala", "Kano", "Kigali", "Lagos", "Mansoura", "Marrakesh", "Nairobi", "Port Harcourt", "Pretoria",
    "Stellenbosch", "Tunis", "Amman", "Beirut",
)

CITY_ALIASES: dict[str, str] = {
    "nyc": "New York", "new york city": "New York", "ny": "New York", "la": "Los Angeles", "sf": "San Francisco",
    "san fran": "San Francisco", "dc": "Washington", "washington dc": "Washington", "washington d.c.": "Washington",
    "philly": "Philadelphia", "münchen": "Munich", "muenchen": "Munich", "köln": "Cologne", "koeln": "Cologne",
    "wien": "Vienna", "zürich": "Zurich", "zuerich": "Zurich", "genève": "Geneva", "geneve": "Geneva",
    "milano": "Milan", "roma": "Rome", "firenze": "Florence", "venezia": "Venice", "napoli": "Naples",
    "torino": "Turin", "lisboa": "Lisbon", "praha": "Prague", "warszawa": "Warsaw", "bangalore": "Bengaluru",
    "bombay": "Mumbai", "calcutta": "Kolkata", "madras": "Chennai", "peking": "Beijing", "saigon": "Ho Chi Minh City",
    "den haag": "The Hague", "the hague": "The Hague", "kiev": "Kyiv", "st petersburg": "Saint Petersburg",
    "st. petersburg": "Saint Petersburg", "st gallen": "St. Gallen", "sankt gallen": "St. Gallen",
    "st louis": "St. Louis", "rio": "Rio de Janeiro", "sao paulo": "São Paulo", "hannover": "Hanover",
    "nürnberg": "Nuremberg", "nuernberg": "Nuremberg", "frankfurt am main": "Frankfurt", "cracow": "Kraków",
    "gdansk": "Gdańsk", "poznan": "Poznań", "wroclaw": "Wrocław", "tromso": "Tromsø",
    "malmo": "Malmö", "umea": "Umeå", "linkoping": "Linköping", "goteborg": "Gothenburg", "göteborg": "Gothenburg",
    "montréal": "Montreal", "québec": "Quebec City", "quebec": "Quebec City", "bogota": "Bogotá",
    "medellin": "Medellín", "brasilia": "Brasília", "mexico df": "Mexico City", "cdmx": "Mexico City",
    "kl": "Kuala Lumpur", "hcmc": "Ho Chi Minh City",
}
# fmt: on
