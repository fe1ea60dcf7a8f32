"""Languages the call-centre answers in, as BCP 47 tags (DOMAIN.md: language decides who can help)."""

LANGUAGES: dict[str, str] = {
    "en": "English",
    "hi": "हिन्दी (Hindi)",
    "ml": "മലയാളം (Malayalam)",
    "kn": "ಕನ್ನಡ (Kannada)",
    "or": "ଓଡ଼ିଆ (Odia)",
    "as": "অসমীয়া (Assamese)",
    "bn": "বাংলা (Bengali)",
    "mr": "मराठी (Marathi)",
    "gu": "ગુજરાતી (Gujarati)",
    "te": "తెలుగు (Telugu)",
    "ta": "தமிழ் (Tamil)",
    "pa": "ਪੰਜਾਬੀ (Punjabi)",
    "mni": "ꯃꯤꯇꯩꯂꯣꯟ (Manipuri)",
    "ne": "नेपाली (Nepali)",
    "ur": "اردو (Urdu)",
}
