"""Password rules, and a password check that costs the same whether or not the account exists.

The rules refuse the passwords people actually pick first: the commonest ones of the public
breach lists (those of 8+ characters: shorter ones fail the length rule anyway), and a few
common words (including this programme's own names) however decorated with digits and
symbols ("Welcome@123", "P@ssw0rd!", "kudumbashree2024").
"""

import re
import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.i18n import N_

#: the field messages below name these numbers: change them together
MIN_LENGTH = 8
MAX_LENGTH = 200

#: commonest passwords of 8+ characters (lower case), from the public top-1000 lists
COMMON_PASSWORDS = frozenset(
    """
    12345678 123456789 1234567890 0123456789 12345678910 11111111 111111111 1111111111
    00000000 000000000 22222222 55555555 66666666 77777777 88888888 99999999 12341234
    12121212 11223344 112233445566 123123123 123321123 147258369 159357456 987654321
    87654321 98765432 123456780 1234554321 13131313 69696969 20202020 10203040
    12344321 123654789 147852369 741852963 789456123 456789123 321654987 963852741
    password password1 password12 password123 password1234 passw0rd p4ssw0rd pa55word
    password! password@123 pass@123 pass1234 passpass passwort motdepasse contraseña
    qwerty123 qwerty1234 qwertyui qwertyuiop qwerty12 qwerty11 qwertyu1 1qwerty1
    1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx 1qaz2wsx3edc zaq12wsx zaq1zaq1 zaq1xsw2
    qazwsx123 qazwsxedc qweasdzxc 123qweasd qweasd123 q1w2e3r4 q1w2e3r4t5 qwer1234
    1234qwer asdf1234 asdfghjk asdfghjkl asdfasdf zxcvbnm1 zxcvbnm zxcvbnm123 abcd1234
    abc12345 abcdefgh abcdefg1 abcd123456 a1b2c3d4 aa123456 a12345678 aaaaaaaa
    iloveyou iloveyou1 iloveyou2 loveyou1 lovelove welcome1 welcome123 welcome@123
    admin123 admin1234 admin@123 administrator root1234 letmein1 letmein123 trustno1
    changeme changeme1 default1 test1234 test12345 testtest guest123 user1234
    sunshine princess football baseball basketball superman batman123 starwars
    whatever jennifer michelle charlie1 computer internet corvette mercedes
    liverpool chelsea1 arsenal1 manchester football1 cricket1 sachin10 dhoni007
    master12 monkey12 dragon12 shadow12 michael1 jordan23 freedom1 midnight
    samsung1 samsung123 nokia123 google123 facebook instagram whatsapp
    india123 india@123 india1234 bharat123 hindustan jaihind1 jaishreeram
    omsairam sairam123 krishna1 krishna123 ganesh123 hanuman1 shivashiva
    kerala123 mumbai123 delhi123 kolkata1 chennai1 bangalore hyderabad
    kudumbashree kudumbashree1 kudumbashree123 helpdesk helpdesk1 helpdesk123
    callcentre callcenter support1 support123 nrlm1234 svep1234
    """.split()
)

#: words that stay guessable whatever digits and symbols surround them
COMMON_WORDS = frozenset(
    """
    password passwort pass qwerty qwertyuiop asdf asdfgh asdfghjkl zxcvbn zxcvbnm abc abcd
    abcdef letmein welcome admin administrator root user guest test login secret changeme
    default iloveyou love india bharat hindustan jaihind jaishreeram krishna ganesh shiva
    hanuman sairam omsairam mumbai delhi kerala monkey dragon sunshine princess football
    cricket master superman batman computer internet samsung nokia google
    kudumbashree helpdesk callcentre callcenter support nrlm svep
    """.split()
)

# How people decorate a word: "P@ssw0rd!" is "password" in disguise.
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "3": "e", "$": "s", "5": "s"})
_DECORATION = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def password_problem(password: str | None, *, email: str | None = None) -> str | None:
    """Why ``password`` may not be used, as a short field message; None if it may."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return N_("at least 8 characters")  # MIN_LENGTH
    if len(password) > MAX_LENGTH:
        return N_("at most 200 characters")  # MAX_LENGTH
    lowered = password.lower()
    core = _DECORATION.sub("", lowered).translate(_LEET)
    if lowered in COMMON_PASSWORDS or core in COMMON_WORDS or len(set(lowered)) < 4:
        return N_("too common: choose a password that is harder to guess")
    if email:
        address = email.strip().lower()
        if lowered == address or core == address.split("@")[0]:
            return N_("must not be your e-mail address")
    return None


_dummy_hashes: dict[str, str] = {}


def check_without_account(password: str) -> None:
    """Spend what checking a real password costs: sign-in for an e-mail nobody has must
    take as long as for one that exists, or the timing tells which e-mails have accounts."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    dummy = _dummy_hashes.get(method)
    if dummy is None:
        dummy = _dummy_hashes[method] = generate_password_hash(
            secrets.token_urlsafe(16), method=method
        )
    check_password_hash(dummy, password)
