"""The words a person wrote: quoted history and signatures cut, HTML made plain."""

import pytest

from helpdesk.mail.headers import bare_subject, ids_in, normalize_id, ticket_id_in_subject
from helpdesk.mail.text import html_to_text, strip_quoted


@pytest.mark.parametrize(
    "text, reply",
    [
        # Gmail, English, the attribution wrapped over two lines
        (
            "Thanks, got it.\n\nOn Fri, 9 Jan 2026 at 10:00, Helpdesk\n<helpdesk@ks.example> wrote:\n> old",
            "Thanks, got it.",
        ),
        # Gmail in Hindi; the name above the attribution stays
        (
            "धन्यवाद, कागज़ मिल गए।\n\nसुनीता\n\nशुक्र, 9 जन॰ 2026 को 10:00 am बजे Helpdesk "
            "<helpdesk@ks.example> ने लिखा:\n> पुराना",
            "धन्यवाद, कागज़ मिल गए।\n\nसुनीता",
        ),
        # Outlook
        ("Yes.\n\n-----Original Message-----\nFrom: Helpdesk\nSent: Monday\n\nold", "Yes."),
        ("Yes.\n\nFrom: Helpdesk <h@ks.example>\nSent: Monday\nTo: me\n\nold", "Yes."),
        ("Yes.\n" + "_" * 32 + "\nFrom: Helpdesk\n", "Yes."),
        # signatures
        ("Yes.\n-- \nRam Kumar\nBRC Khunti", "Yes."),
        ("Yes.\n\nSent from my iPhone", "Yes."),
        # inline answers between quoted lines
        ("> Which bank?\nCanara Bank\n> Which branch?\nKhunti", "Canara Bank\nKhunti"),
        # a forwarded mail is the question: kept
        (
            "See below.\n\n---------- Forwarded message ---------\nFrom: SHG\n\nLoan?",
            "See below.\n\n---------- Forwarded message ---------\nFrom: SHG\n\nLoan?",
        ),
        # nothing but a quote: the whole text is kept
        ("> only a quote", "> only a quote"),
    ],
)
def test_quoted_history_and_signatures_are_cut(text, reply):
    assert strip_quoted(text) == reply


def test_html_becomes_readable_text():
    html = (
        "<html><head><style>p {color: red}</style><title>x</title></head><body>"
        "<p>Loan&nbsp;status &amp; <b>papers</b>?</p><ul><li>passbook</li><li>Aadhaar</li></ul>"
        "<blockquote>old <br>answer</blockquote><script>alert(1)</script></body></html>"
    )
    assert html_to_text(html) == "Loan status & papers?\n\n- passbook\n- Aadhaar\n\n> old\n> answer"
    assert html_to_text("<p>a</p><p>b</p>line<br>x<pre>  code\n  more</pre>") == (
        "a\n\nb\n\nline\nx\n\n  code\n  more"
    )


def test_message_ids_and_ticket_numbers_are_read_from_headers():
    assert normalize_id("  <abc@x.example> ") == "abc@x.example"
    assert normalize_id("<>") is None
    assert normalize_id("<" + "a" * 300 + "@x>").startswith("sha256:")
    assert ids_in("<a@x> <b@y>\r\n <a@x>") == ["a@x", "b@y"]
    assert ticket_id_in_subject("Re: [ks-000123] loan") == 123
    assert ticket_id_in_subject("KS-000123 without brackets") is None
    assert bare_subject("RE: Fwd: [KS-000123]  Loan  papers") == "Loan papers"


def test_a_malformed_mail_is_read_without_failing():
    from helpdesk.mail.parsing import parse_mail

    mail = parse_mail(
        b"From: \x00bad\x00 <" + b"a" * 300 + b"@x.example>\r\nSubject: \x00hi\x00 there\r\n"
        b"Content-Type: text/plain; charset=klingon\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"!!!not base64!!!\r\n"
    )
    assert (mail.sender, mail.subject, mail.ignore_reason) == ("", "hi there", "no sender")
    assert mail.message_id.startswith("sha256:")
