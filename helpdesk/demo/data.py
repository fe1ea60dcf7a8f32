"""Demo data: the geography of the NRO's documents, the people who use the helpdesk, the
callers, and the short phrases that recur in ticket threads.

Places come from the source documents (DOMAIN.md and the seeds): where a document names
only a district (Bihar's Gaya and Muzaffarpur MEC project), the block carries the
district's name. No figure here is invented: the demo data states no amounts or counts.
"""

#: one password per role; public, printed by `flask --app wsgi seed-demo`
DEMO_PASSWORDS: dict[str, str] = {
    "admin": "admin-demo-1",
    "manager": "manager-demo-1",
    "agent": "agent-demo-1",
    "mentor": "mentor-demo-1",
    "brc": "brc-demo-1",
}
EMAIL_DOMAIN = "demo.ks-nro.in"
#: created last: when it exists, the demo data is complete
MARKER_EMAIL = f"admin@{EMAIL_DOMAIN}"

ENTERPRISE = "enterprise"
CONVERGENCE = "convergence"
BOTH = (ENTERPRISE, CONVERGENCE)

#: (code, block, district, state, domains the block works in, weight in the demo traffic)
BLOCKS: list[tuple[str, str, str, str, tuple[str, ...], int]] = [
    # Jharkhand: the MEC project and the SVEP BRC in Khuntpani; PRI-CBO convergence pilots
    ("JH-KHUNTPANI", "Khuntpani", "West Singhbhum", "IN-JH", BOTH, 5),
    ("JH-SIKARIPADA", "Sikaripada", "Dumka", "IN-JH", (CONVERGENCE,), 1),
    ("JH-GHATSHILA", "Ghatshila", "East Singhbhum", "IN-JH", (CONVERGENCE,), 1),
    ("JH-RAIDIH", "Raidih", "Gumla", "IN-JH", (CONVERGENCE,), 1),
    ("JH-TORPA", "Torpa", "Khunti", "IN-JH", (CONVERGENCE,), 1),
    ("JH-BUNDU", "Bundu", "Ranchi", "IN-JH", (CONVERGENCE,), 1),
    # Bihar: the documents name the MEC project's districts only
    ("BR-GAYA", "Gaya", "Gaya", "IN-BR", (ENTERPRISE,), 4),
    ("BR-MUZAFFARPUR", "Muzaffarpur", "Muzaffarpur", "IN-BR", (ENTERPRISE,), 4),
    # Rajasthan: SVEP blocks with all-women MEC groups
    ("RJ-BEGUN", "Begun", "Chittorgarh", "IN-RJ", (ENTERPRISE,), 4),
    ("RJ-KEKRI", "Kekri", "Ajmer", "IN-RJ", (ENTERPRISE,), 4),
    ("KA-GANGAVATHI", "Gangavathi", "Koppal", "IN-KA", BOTH, 3),
    ("KA-KOPPAL", "Koppal", "Koppal", "IN-KA", BOTH, 2),
    ("KA-GUBBI", "Gubbi", "Tumkur", "IN-KA", BOTH, 2),
    ("KA-PAVAGADA", "Pavagada", "Tumkur", "IN-KA", BOTH, 2),
    ("MH-MOHOL", "Mohol", "Solapur", "IN-MH", BOTH, 2),
    ("MH-SHAHPUR", "Shahpur", "Thane", "IN-MH", BOTH, 2),
    ("MH-DEOLI", "Deoli", "Wardha", "IN-MH", BOTH, 2),
    # Odisha and Assam: PRI-CBO convergence only
    ("OD-GUMMA", "Gumma", "Gajapati", "IN-OD", (CONVERGENCE,), 2),
    ("OD-DHARAMSHALA", "Dharamshala", "Jajpur", "IN-OD", (CONVERGENCE,), 1),
    ("OD-MALKANGIRI", "Malkangiri", "Malkangiri", "IN-OD", (CONVERGENCE,), 1),
    ("OD-BALISANKARA", "Balisankara", "Sundargarh", "IN-OD", (CONVERGENCE,), 1),
    ("AS-LAHORIGHAT", "Lahorighat", "Morigaon", "IN-AS", (CONVERGENCE,), 2),
    ("AS-BAJIAGAON", "Bajiagaon", "Nagaon", "IN-AS", (CONVERGENCE,), 2),
    # Kerala: SVEP blocks, whose BRCs belong to a BNS-EP
    ("KL-VADAVUCODE", "Vadavucode", "Ernakulam", "IN-KL", (ENTERPRISE,), 4),
    ("KL-PARAKKODE", "Parakkode", "Pathanamthitta", "IN-KL", (ENTERPRISE,), 4),
]

#: the language most callers of a state speak (BCP 47)
STATE_LANGUAGE: dict[str, str] = {
    "IN-JH": "hi",
    "IN-BR": "hi",
    "IN-RJ": "hi",
    "IN-KA": "kn",
    "IN-MH": "mr",
    "IN-OD": "or",
    "IN-AS": "as",
    "IN-KL": "ml",
}

#: (email local part, name, languages): first-line agents of the national call-centre
AGENTS: list[tuple[str, str, list[str]]] = [
    ("agent.hindi", "Pooja Sharma", ["hi", "en"]),
    ("agent.hindi2", "Rakesh Kumar Singh", ["hi", "en"]),
    ("agent.malayalam", "Anjali Nair", ["ml", "en"]),
    ("agent.kannada", "Kavya Hegde", ["kn", "en"]),
    ("agent.marathi", "Snehal Kulkarni", ["mr", "hi", "en"]),
    ("agent.odia", "Subhashree Mohanty", ["or", "hi", "en"]),
    ("agent.assamese", "Bhaswati Borah", ["as", "bn", "en"]),
]

_ENTERPRISE_SKILLS = [
    "business-opportunity",
    "business-plan",
    "bank-linkage",
    "market-linkage",
    "bookkeeping",
    "mec-fees-mou",
    "training",
    "benchmarking",
]
_CONVERGENCE_SKILLS = [
    "cbo-structure",
    "gram-sabha",
    "livelihoods",
    "social-development",
    "schemes",
]

#: (email local part, name, languages, skills, states) -- Mentor MECs and Mentor RPs from
#: Kerala (trained in spoken Hindi; Kannada speakers for Karnataka), internal mentors
#: grown from the local cadre, and an NRO thematic anchor for the PTS and the MIS
MENTORS: list[tuple[str, str, list[str], list[str], list[str]]] = [
    (
        "mentor.enterprise",
        "Lathika Sasidharan",
        ["ml", "hi", "en"],
        _ENTERPRISE_SKILLS,
        ["IN-JH", "IN-BR", "IN-RJ"],
    ),
    (
        "mentor.svep.kerala",
        "Beena Chandran",
        ["ml", "en"],
        [
            "business-plan",
            "bank-linkage",
            "market-linkage",
            "bookkeeping",
            "replicable-models",
            "cbo-structure",
        ],
        ["IN-KL"],
    ),
    (
        "mentor.kannada",
        "Rajeshwari Bhat",
        ["kn", "ml", "en"],
        [
            "business-plan",
            "market-linkage",
            "replicable-models",
            "training",
            "mec-fees-mou",
            "gram-sabha",
            "livelihoods",
        ],
        ["IN-KA"],
    ),
    (
        "mentor.convergence",
        "Sujatha Pillai",
        ["ml", "hi", "mr", "en"],
        _CONVERGENCE_SKILLS,
        ["IN-JH", "IN-MH", "IN-RJ", "IN-KA"],
    ),
    (
        "mentor.internal.jharkhand",
        "Sunita Purty",
        ["hi", "en"],
        ["business-plan", "bookkeeping", "training", "pts-mis", "replicable-models"],
        ["IN-JH"],
    ),
    (
        "mentor.internal.assam",
        "Mridula Hazarika",
        ["as", "bn", "en"],
        _CONVERGENCE_SKILLS,
        ["IN-AS"],
    ),
    ("mentor.internal.odisha", "Sasmita Nayak", ["or", "hi", "en"], _CONVERGENCE_SKILLS, ["IN-OD"]),
    (
        "mentor.mis",
        "Arun Thomas",
        ["ml", "hi", "en"],
        ["pts-mis", "benchmarking"],
        ["IN-JH", "IN-BR", "IN-RJ", "IN-KA", "IN-MH", "IN-KL"],
    ),
]

#: (email local part, name, block code): staff of the BRCs of SVEP blocks
BRC_STAFF: list[tuple[str, str, str]] = [
    ("brc.khuntpani", "Salomi Bodra", "JH-KHUNTPANI"),
    ("brc.begun", "Manju Kanwar", "RJ-BEGUN"),
    ("brc.kekri", "Kiran Sen", "RJ-KEKRI"),
    ("brc.vadavucode", "Sindhu Paulose", "KL-VADAVUCODE"),
    ("brc.parakkode", "Reshmi Raju", "KL-PARAKKODE"),
]

ALL_STATES = sorted(STATE_LANGUAGE)
#: (email local part, name, languages, states)
MANAGERS: list[tuple[str, str, list[str], list[str]]] = [
    ("manager", "Deepa Menon", ["ml", "hi", "en"], ALL_STATES),
    (
        "manager.convergence",
        "Harikrishnan Ramachandran",
        ["ml", "hi", "en"],
        ["IN-AS", "IN-JH", "IN-KA", "IN-MH", "IN-OD", "IN-RJ"],
    ),
]
ADMIN = ("admin", "Vishnu Prasad")

#: callers' names by state: MECs / CRP-EPs and LRG members, mostly women
CALLER_NAMES: dict[str, list[str]] = {
    "IN-JH": [
        "Deepika Hembrom",
        "Jyoti Tiu",
        "Anita Sundi",
        "Pushpa Munda",
        "Mariam Purty",
        "Sukhmati Soy",
        "Rashmi Kerketta",
        "Basanti Gope",
        "Lalita Tudu",
        "Sumitra Oraon",
        "Phulmani Hansda",
        "Sarita Kujur",
        "Marshila Minz",
        "Anjali Toppo",
        "Shanti Bage",
    ],
    "IN-BR": [
        "Rinku Devi",
        "Sunita Kumari",
        "Pooja Kumari",
        "Manju Devi",
        "Rekha Sinha",
        "Kiran Paswan",
        "Anita Mahto",
        "Sarita Devi",
    ],
    "IN-RJ": [
        "Kamla Meena",
        "Santosh Kanwar",
        "Geeta Bairwa",
        "Lali Bai Gurjar",
        "Sushila Regar",
        "Mamta Saini",
        "Prem Devi Jat",
        "Sita Bhil",
    ],
    "IN-KA": [
        "Lakshmi Hiremath",
        "Savitha Gowda",
        "Renuka Patil",
        "Shobha Naik",
        "Mahadevi Kori",
        "Girija Reddy",
        "Nagamma Talawar",
        "Ashwini Kumbar",
        "Yallamma Madar",
        "Bhagya Lakshmi",
        "Sunanda Hugar",
        "Pavithra Gowda",
        "Roopa Nayak",
    ],
    "IN-MH": [
        "Sunanda Jadhav",
        "Vaishali Pawar",
        "Manisha Shinde",
        "Rupali Kale",
        "Sangita Wagh",
        "Kavita Bhoir",
        "Archana Ingle",
        "Jayashree More",
        "Sunita Patil",
    ],
    "IN-OD": [
        "Sabitri Sabar",
        "Jamuna Gamango",
        "Pramila Behera",
        "Kuni Mallik",
        "Sasmita Raika",
        "Minati Jena",
        "Rashmita Kisan",
        "Lipika Pradhan",
        "Basanti Majhi",
    ],
    "IN-AS": [
        "Rumi Bora",
        "Junmoni Saikia",
        "Anjali Das",
        "Monalisa Nath",
        "Pranita Deka",
        "Rina Pator",
        "Dipali Bordoloi",
    ],
    "IN-KL": [
        "Sreeja Mohan",
        "Bindu Varghese",
        "Lissy Thomas",
        "Ambili Rajan",
        "Suma Kuttappan",
        "Jaya Prakash",
        "Shiji Baby",
        "Rajani Sasi",
    ],
}

#: an agent asks for what is missing (the ticket then waits on the requester)
ASK_DETAILS: dict[str, str] = {
    "en": "To check this we need a few more details: the name of the enterprise, the SHG and "
    "the village. Please call back or send an SMS quoting {number}.",
    "hi": "इसकी जाँच के लिए हमें थोड़ी और जानकारी चाहिए: उद्यम का नाम, स्वयं सहायता समूह और गाँव "
    "का नाम। कृपया {number} बताकर दोबारा फ़ोन करें या SMS भेजें।",
    "ml": "ഇത് പരിശോധിക്കാൻ കുറച്ചുകൂടി വിവരങ്ങൾ വേണം: സംരംഭത്തിന്റെ പേര്, അയൽക്കൂട്ടം, വാർഡ്. "
    "ദയവായി {number} എന്ന നമ്പർ പറഞ്ഞ് വീണ്ടും വിളിക്കുകയോ SMS അയയ്ക്കുകയോ ചെയ്യുക.",
    "kn": "ಇದನ್ನು ಪರಿಶೀಲಿಸಲು ನಮಗೆ ಇನ್ನಷ್ಟು ಮಾಹಿತಿ ಬೇಕು: ಉದ್ಯಮದ ಹೆಸರು, ಸ್ವಸಹಾಯ ಸಂಘ ಮತ್ತು ಗ್ರಾಮದ "
    "ಹೆಸರು. ದಯವಿಟ್ಟು {number} ಸಂಖ್ಯೆಯನ್ನು ತಿಳಿಸಿ ಮತ್ತೆ ಕರೆ ಮಾಡಿ ಅಥವಾ SMS ಕಳುಹಿಸಿ.",
    "mr": "हे तपासण्यासाठी आम्हाला आणखी माहिती हवी आहे: उद्योगाचे नाव, बचत गट आणि गावाचे नाव. "
    "कृपया {number} क्रमांक सांगून पुन्हा फोन करा किंवा SMS पाठवा.",
    "or": "ଏହା ଯାଞ୍ଚ କରିବା ପାଇଁ ଆମକୁ ଆଉ କିଛି ତଥ୍ୟ ଦରକାର: ସ୍ୱୟଂ ସହାୟକ ଗୋଷ୍ଠୀ, ଗ୍ରାମ ପଞ୍ଚାୟତ ଓ "
    "ଗାଁର ନାମ। ଦୟାକରି {number} ନମ୍ବର କହି ପୁଣି ଫୋନ କରନ୍ତୁ କିମ୍ବା SMS ପଠାନ୍ତୁ।",
    "as": "এইটো পৰীক্ষা কৰিবলৈ আমাক আৰু কিছু তথ্যৰ প্ৰয়োজন: আত্মসহায়ক গোট, গাঁও পঞ্চায়ত আৰু "
    "গাঁৱৰ নাম। অনুগ্ৰহ কৰি {number} নম্বৰটো কৈ পুনৰ ফোন কৰক বা SMS পঠিয়াওক।",
}

#: the agent's first answer on a question a mentor will take up
HOLDING_REPLY: dict[str, str] = {
    "en": "Thank you. Your question {number} is with a mentor who knows this subject; "
    "you will get the answer soon.",
    "hi": "धन्यवाद। आपका प्रश्न {number} इस विषय के मेंटर को भेज दिया है; जल्द ही उत्तर मिलेगा।",
    "ml": "നന്ദി. നിങ്ങളുടെ ചോദ്യം {number} ഈ വിഷയം അറിയുന്ന മെന്ററിന് കൈമാറി; ഉടൻ മറുപടി ലഭിക്കും.",
    "kn": "ಧನ್ಯವಾದಗಳು. ನಿಮ್ಮ ಪ್ರಶ್ನೆ {number} ಈ ವಿಷಯದ ಮೆಂಟರ್‌ಗೆ ಕಳುಹಿಸಲಾಗಿದೆ; ಬೇಗ ಉತ್ತರ ಸಿಗುತ್ತದೆ.",
    "mr": "धन्यवाद. तुमचा प्रश्न {number} या विषयातील मेंटरकडे पाठवला आहे; लवकरच उत्तर मिळेल.",
    "or": "ଧନ୍ୟବାଦ। ଆପଣଙ୍କ ପ୍ରଶ୍ନ {number} ଏହି ବିଷୟର ମେଣ୍ଟରଙ୍କୁ ପଠାଯାଇଛି; ଶୀଘ୍ର ଉତ୍ତର ମିଳିବ।",
    "as": "ধন্যবাদ। আপোনাৰ প্ৰশ্ন {number} এই বিষয়ৰ মেন্টৰলৈ পঠিওৱা হৈছে; সোনকালে উত্তৰ পাব।",
}

#: the requester answers the agent's question
REQUESTER_DETAILS: dict[str, str] = {
    "en": "I have sent the details by SMS. Please check and tell me what to do.",
    "hi": "मैंने जानकारी SMS से भेज दी है। कृपया देखकर बताइए कि आगे क्या करना है।",
    "ml": "വിവരങ്ങൾ SMS ആയി അയച്ചിട്ടുണ്ട്. പരിശോധിച്ച് അടുത്തതായി എന്ത് ചെയ്യണമെന്ന് പറയണം.",
    "kn": "ಮಾಹಿತಿಯನ್ನು SMS ಮೂಲಕ ಕಳುಹಿಸಿದ್ದೇನೆ. ದಯವಿಟ್ಟು ನೋಡಿ ಮುಂದೆ ಏನು ಮಾಡಬೇಕು ಎಂದು ತಿಳಿಸಿ.",
    "mr": "मी माहिती SMS ने पाठवली आहे. कृपया पाहून पुढे काय करायचे ते सांगा.",
    "or": "ମୁଁ ତଥ୍ୟ SMS ରେ ପଠାଇଛି। ଦୟାକରି ଦେଖି କୁହନ୍ତୁ ଆଗକୁ କ'ଣ କରିବି।",
    "as": "মই তথ্যখিনি SMS যোগে পঠিয়াইছোঁ। অনুগ্ৰহ কৰি চাই কওক এতিয়া কি কৰিব লাগিব।",
}

#: the requester confirms the answer helped (before the ticket is resolved)
REQUESTER_THANKS: dict[str, str] = {
    "en": "Thank you, it is clear now.",
    "hi": "धन्यवाद, अब समझ में आ गया।",
    "ml": "നന്ദി, ഇപ്പോൾ കാര്യം മനസ്സിലായി.",
    "kn": "ಧನ್ಯವಾದಗಳು, ಈಗ ಅರ್ಥವಾಯಿತು.",
    "mr": "धन्यवाद, आता समजले.",
    "or": "ଧନ୍ୟବାଦ, ଏବେ ବୁଝିପାରିଲି।",
    "as": "ধন্যবাদ, এতিয়া বুজি পালোঁ।",
}

#: call-centre staff write their internal notes in English
AGENT_NOTES = [
    "Caller was not reachable at first; called back and took the details.",
    "Same caller has phoned before about her enterprises; see her earlier tickets.",
    "Informed the BRC coordinator of the block by phone.",
    "Caller speaks the local dialect; a colleague helped with the call.",
    "Poor network in the village; the call dropped twice.",
    "Checked the knowledge base; no article covers this case yet.",
]
ESCALATION_NOTE = "Escalating to {mentor}: needs a mentor for {category} who can speak {language}."
MENTOR_NOTES = [
    "I will call the MEC tomorrow and visit the BRC on my next field visit.",
    "Discussed with the block team of the SRLM; waiting for their reply.",
    "Asked the MEC group to bring the registers to the next review meeting.",
]
