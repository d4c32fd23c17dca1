"""What a simulated buyer reads and writes (`deploy/buyer_inbox.py`): a kept .eml read back
(its thread, link, offer), the page's forms as a browser without JavaScript submits them,
and a reply threaded and quoted as a mail client writes it."""

import email
from email.policy import default

from deploy.buyer_inbox import answer_form, rating_form, read_eml, reply_to
from services.intake.adapters.mail import email_of

PAGE = """<main>
<form method="post" action="/buyer/tok.en/answer">
  <input type="hidden" name="offer_id" value="offer-7">
  <input type="hidden" name="lang" value="de">
  <button class="yes" type="submit" name="answer" value="accept">Annehmen</button>
</form>
<form method="post" action="/buyer/tok.en/answer">
  <input type="hidden" name="offer_id" value="offer-7">
  <input type="hidden" name="lang" value="de">
  <button class="no" type="submit" name="answer" value="decline">Ablehnen</button>
</form>
<form method="post" action="/buyer/tok.en/rating">
  <input type="hidden" name="lang" value="de">
  <label><input type="radio" name="stars" value="1" required> 1</label>
  <label><input type="radio" name="stars" value="5" required> 5</label>
  <label><input type="radio" name="stars" value="4" required> 4</label>
  <textarea name="comment"></textarea>
  <button class="yes" type="submit">Senden</button>
</form>
</main>"""


def kept_offer(tmp_path, subject: str):
    message = email_of(
        sender="Linen & Co <shop@linen.example>",
        recipient="anna@example.de",
        subject=subject,
        text="Hallo Anna,\n\nWir bieten 10 € an.\n\nIhre Seite:\nhttp://127.0.0.1:8001/buyer/a.b-c\n",
        html="<p>Hallo</p>",
        reply_to="reply+abc.def@replies.localhost",
        message_id="<m1.abc.def@replies.localhost>",
        language="de",
    )
    path = tmp_path / "20261204T120000000000-000001.eml"
    path.write_bytes(b"X-Envelope-To: anna@example.de\r\n" + message.as_bytes())
    return path


def test_a_kept_offer_is_read_back_with_its_thread_link_and_language(tmp_path):
    received = read_eml(kept_offer(tmp_path, "Ihr Fall zu Vorhang: unser Angebot"))
    assert received.thread == "reply+abc.def@replies.localhost"
    assert received.recipient == "anna@example.de"
    assert received.page_link == "http://127.0.0.1:8001/buyer/a.b-c"
    assert received.language == "de" and received.is_offer
    notice = read_eml(kept_offer(tmp_path, "Ihr Fall zu Vorhang: Ihre Erstattung"))
    assert not notice.is_offer


def test_the_page_forms_are_submitted_with_what_the_page_gives():
    form, values = answer_form(PAGE, "decline")
    assert form.action == "/buyer/tok.en/answer"
    assert values == {"offer_id": "offer-7", "lang": "de", "answer": "decline"}
    assert answer_form(PAGE, "accept")[1]["answer"] == "accept"
    assert answer_form("<p>Nothing open</p>", "accept") is None
    form, rating = rating_form(PAGE, liking=1)
    assert form.action.endswith("/rating")
    assert rating["stars"] == "4" and rating["lang"] == "de" and rating["comment"]


def test_a_reply_is_threaded_and_quotes_the_offer(tmp_path):
    received = read_eml(kept_offer(tmp_path, "Ihr Fall zu Vorhang: unser Angebot"))
    reply = email.message_from_bytes(
        reply_to(received, "Ja, einverstanden.").as_bytes(), policy=default
    )
    assert reply["To"] == "reply+abc.def@replies.localhost"
    assert reply["From"] == "anna@example.de"
    assert reply["Subject"] == "Re: Ihr Fall zu Vorhang: unser Angebot"
    assert reply["In-Reply-To"] == "<m1.abc.def@replies.localhost>"
    assert reply["References"] == "<m1.abc.def@replies.localhost>"
    text = reply.get_content()
    assert text.startswith("Ja, einverstanden.\n\nOn ")
    assert "> Wir bieten 10 € an." in text


def test_an_exchange_is_accepted_with_a_variant_the_page_allows():
    page = """<form method="post" action="/buyer/t/answer">
      <input type="hidden" name="offer_id" value="o-1">
      <input type="radio" name="variant" value="SKU-XL" disabled aria-describedby="why">
      <input type="radio" name="variant" value="SKU-L">
      <input type="radio" name="variant" value="SKU-M" checked>
      <button type="submit" name="answer" value="accept">Accept</button></form>"""
    form, values = answer_form(page, "accept")
    assert values == {"offer_id": "o-1", "variant": "SKU-L", "answer": "accept"}
