"""Function words left out of the index, the ranking and the highlights.

They match nearly every document of their language, so a query word like के or है only
pulled in off-topic articles and lit up every snippet.  Lists are short and conservative:
a content word wrongly listed here becomes unfindable.  Spellings are as ``fold_word``
leaves them (no nukta, chandrabindu as anusvara).
"""

from whoosh.analysis.filters import STOP_WORDS

from helpdesk.knowledge.spelling import fold_word

# Helpdesk queries are often questions; question words only add noise to the ranking.
ENGLISH = STOP_WORDS | {
    "how",
    "what",
    "where",
    "why",
    "which",
    "who",
    "do",
    "does",
    "i",
    "me",
    "my",
    "our",
    "should",
    "there",
    "their",
    "into",
    "about",
}

HINDI = set(
    """
    का के की को से में पर तक है हैं था थी थे हो होता होती होते होना हुआ हुई हुए और या भी ही तो
    कि जो यह ये वह वे वो इस उस इन उन इसे उसे इसका उसका इसकी उसकी इसके उसके इसमें उसमें एक न
    नहीं ना मैं हम आप तुम मुझे हमें आपको मेरा मेरी मेरे हमारा हमारी हमारे आपका आपकी आपके अपना
    अपनी अपने क्या कैसे कैसा कैसी कब कहाँ कहां कौन क्यों किस किसी किसे कोई कुछ लिए लिये साथ द्वारा
    रहा रही रहे गया गई गयी गए गये कर करें करे करना करने करते करता करती जा जाता जाती जाते जाए
    सकता सकती सकते चाहिए अब जब तब फिर यदि अगर लेकिन परंतु किंतु तथा एवं व वाला वाली वाले
    """.split()
)

# Hindi as typed in Latin letters (the romanized query is searched too).
ROMANIZED_HINDI = set(
    """
    ka ke ki ko se mein mai hai hain haen tha thi ho hota hoti hote hua hui hue aur bhi hi
    toh ki jo yeh ye wo woh vo ek nahi nahin nhi na kya kaise kaisa kaisi kab kahan kaun kyon
    kyu kyun kisi koi kuch liye lie saath raha rahi rahe gaya gayi gaye kar karen karein kare
    karna karne karte karta karti mera meri mere hamara hamari hamare apna apni apne chahiye
    """.split()
)

# Words that mark a query as romanized Hindi (not "hi", "to", "ho": English has them too).
ROMANIZED_HINDI_MARKERS = frozenset(
    "ka ke ki ko se mein hai hain nahi nahin nhi kya kaise aur liye karna karen".split()
)

# A few of the commonest function words of the other scripts the analyzer serves.
OTHER_INDIC = set(
    """
    এবং ও যে এই সেই কি কী না নেই আছে জন্য থেকে করে হবে আমি আমার আপনি কেন কোথায় কিভাবে
    আৰু এই সেই কি নাই আছে বাবে পৰা কৰে মই আপুনি
    ਅਤੇ ਦਾ ਦੇ ਦੀ ਨੂੰ ਤੋਂ ਵਿੱਚ ਹੈ ਹਨ ਸੀ ਇਹ ਉਹ ਕਿ ਜੋ ਨਹੀਂ ਕੀ ਕਿਵੇਂ
    અને નો ની નું ના ને થી માં છે હતું આ તે કે જે નથી શું કેવી રીતે
    ଏବଂ ଓ ଏହି ସେହି କି ଯେ ନାହିଁ ଅଛି ପାଇଁ ରୁ କରି କଣ କିପରି
    மற்றும் ஒரு இந்த அந்த என்ன எப்படி இல்லை உள்ளது
    మరియు ఒక ఈ ఆ ఏమి ఎలా లేదు ఉంది కోసం నుండి
    ಮತ್ತು ಒಂದು ಈ ಆ ಏನು ಹೇಗೆ ಇಲ್ಲ ಇದೆ
    ഒരു ഈ ആ ഉണ്ട് ഇല്ല എന്ത് എങ്ങനെ എന്നാൽ പക്ഷേ
    """.split()
)

ALL = frozenset(ENGLISH | ROMANIZED_HINDI | {fold_word(w) for w in HINDI | OTHER_INDIC})
