"""What the intake benchmarks send: varied multilingual ticket bodies (English, Hindi and
Malayalam text, every category, requester phones written in different ways so contacts are
created and then reused), the same for the helpdesk and for any peer it is compared with."""

from __future__ import annotations

import json
import random

BLOCKS = [
    # code, name, district, state
    ("JH-KHT-KHUNTI", "Khunti", "Khunti", "IN-JH"),
    ("JH-WSB-KHUNTPANI", "Khuntpani", "West Singhbhum", "IN-JH"),
    ("BR-GAY-BODHGAYA", "Bodh Gaya", "Gaya", "IN-BR"),
    ("KL-PKD-ATTAPPADI", "Attappadi", "Palakkad", "IN-KL"),
    ("OD-KPT-KORAPUT", "Koraput", "Koraput", "IN-OD"),
    ("UP-BRB-BAHRAICH", "Bahraich", "Bahraich", "IN-UP"),
]

SUBJECTS = {
    "en": [
        "Loan from the bank not sanctioned after three months",
        "How to prepare the business plan for a tailoring unit",
        "CREAM training dates for new MEC members",
        "PTS app does not sync the monthly data",
        "Buyer for millet products at the weekly haat",
        "Fees for the MEC service and the MoU with the CLF",
        "Book-keeping register for a goat rearing enterprise",
        "Café Kudumbashree model: how to start in our block",
    ],
    "hi": [
        "बैंक से ऋण तीन महीने बाद भी स्वीकृत नहीं हुआ",
        "सिलाई इकाई के लिए व्यवसाय योजना कैसे बनाएं",
        "नए एमईसी सदस्यों के लिए प्रशिक्षण की तारीख़ें",
        "पीटीएस ऐप मासिक आँकड़े सिंक नहीं कर रहा है",
        "साप्ताहिक हाट में मोटे अनाज के उत्पादों के लिए ख़रीदार",
        "बकरी पालन उद्यम के लिए बही-खाता रजिस्टर",
        "ग्राम सभा की बैठक में स्वयं सहायता समूह की भागीदारी",
        "सामुदायिक निधि से ऋण की किस्त कैसे चुकाएं",
    ],
    "ml": [
        "ബാങ്ക് വായ്പ മൂന്ന് മാസമായിട്ടും അനുവദിച്ചില്ല",
        "തയ്യൽ യൂണിറ്റിനുള്ള ബിസിനസ് പ്ലാൻ എങ്ങനെ തയ്യാറാക്കാം",
        "കഫേ കുടുംബശ്രീ മാതൃക ഞങ്ങളുടെ ബ്ലോക്കിൽ തുടങ്ങാൻ",
        "ആഴ്ചച്ചന്തയിൽ ഉൽപ്പന്നങ്ങൾക്ക് വാങ്ങുന്നവരെ കണ്ടെത്താൻ",
    ],
}
SENTENCES = {
    "en": [
        "The caller runs a small enterprise with four members of her self-help group.",
        "She has already submitted the documents to the branch manager twice.",
        "The community resource person asked us to contact the call-centre.",
        "They need the information before the next meeting of the cluster federation.",
        "The enterprise has been running for two years and the profit is falling.",
        "Please call back in the afternoon, the phone is shared with the family.",
        "The mentor visited last month but the problem is still not solved.",
    ],
    "hi": [
        "कॉल करने वाली दीदी अपने स्वयं सहायता समूह की चार सदस्यों के साथ छोटा उद्यम चलाती हैं।",
        "उन्होंने शाखा प्रबंधक को दो बार सभी दस्तावेज़ जमा कर दिए हैं।",
        "सामुदायिक संसाधन व्यक्ति ने उन्हें कॉल-सेंटर से संपर्क करने को कहा।",
        "अगली संकुल संघ बैठक से पहले उन्हें यह जानकारी चाहिए।",
        "उद्यम दो साल से चल रहा है पर मुनाफ़ा घट रहा है।",
        "कृपया दोपहर में वापस कॉल करें, फ़ोन परिवार के साथ साझा है।",
        "मेंटर पिछले महीने आए थे लेकिन समस्या अभी भी हल नहीं हुई है।",
    ],
    "ml": [
        "വിളിച്ചയാൾ അയൽക്കൂട്ടത്തിലെ നാല് അംഗങ്ങളോടൊപ്പം ഒരു ചെറിയ സംരംഭം നടത്തുന്നു.",
        "ബ്രാഞ്ച് മാനേജർക്ക് രണ്ടുതവണ രേഖകൾ സമർപ്പിച്ചു.",
        "അടുത്ത സിഡിഎസ് യോഗത്തിന് മുമ്പ് വിവരം ആവശ്യമാണ്.",
        "ദയവായി ഉച്ചയ്ക്ക് ശേഷം തിരികെ വിളിക്കുക.",
    ],
}
NAMES = [
    "Sunita Devi",
    "Rekha Kumari",
    "Anita Oraon",
    "Pushpa Munda",
    "Lakshmi Bai",
    "Sarita Mahto",
    "Geeta Soren",
    "Bindu K.",
    "Shyamala P.",
    "Meena Toppo",
    "सुनीता देवी",
    "रेखा कुमारी",
    "पुष्पा मुंडा",
    "ബിന്ദു കെ.",
]


def phone_pool(size: int, rng: random.Random) -> list[str]:
    """Distinct valid Indian mobile numbers, each written one of the ways callers give it."""
    numbers = rng.sample(range(10**8), size)
    pool = []
    for i, n in enumerate(numbers):
        digits = f"{rng.choice('6789')}{rng.choice('0123456789')}{n:08d}"
        form = i % 4
        pool.append(
            [
                f"+91{digits}",
                f"0{digits[:5]} {digits[5:]}",
                digits,
                f"+91 {digits[:5]} {digits[5:]}",
            ][form]
        )
    return pool


def ticket_bodies(count: int, categories: list[str], phones: list[str], seed: int) -> list[bytes]:
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        language = rng.choices(["hi", "en", "ml"], weights=[5, 3, 2])[0]
        sentences = SENTENCES[language]
        description = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 8)))
        body = {
            "subject": rng.choice(SUBJECTS[language]),
            "description": description,
            "category": rng.choice(categories),
            "priority": rng.choices(["low", "normal", "high", "urgent"], weights=[2, 6, 2, 1])[0],
            "channel": rng.choices(["phone", "api", "web", "sms"], weights=[6, 2, 1, 1])[0],
            "language": language,
            "block": rng.choice(BLOCKS)[0],
        }
        if rng.random() < 0.9:
            # a skewed pick: some callers ring often, most once or twice
            phone = phones[
                min(int(rng.paretovariate(1.2)) - 1, len(phones) - 1)
                if rng.random() < 0.3
                else rng.randrange(len(phones))
            ]
            body["requester"] = {"name": rng.choice(NAMES), "phone": phone}
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies
