"""The rules of the boilerplate pass: each a named test for one kind of page furniture, with
examples it must drop and keep (tests/test_boilerplate.py runs every rule on its own examples).

Add a rule by writing a function (page, line index) -> bool with a docstring, decorated with
`@rule(drops=..., keeps=...)`; its name is the function's, with spaces. Order matters only for
the name a dropped line is recorded under: the first rule that matches names it.
"""

from __future__ import annotations

import re

from annotations.boilerplate import TRIMS, Page, ends_sentence, rule, word_count, word_runs

PAYWALL_TAIL_LINES = 25
"""A subscription notice further from the end than this is not the end of a truncated story."""

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_OR_TIME_TOKEN = re.compile(
    rf"""
    \d{{1,2}}[:.h]\d{{2}}(?:\s*[ap]\.?\s?m\.?)?    # 10:11, 10.11pm, 2:30 p.m.
    | \d{{1,2}}\s*[ap]\.?\s?m\.?\b                 # 5pm
    | \d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}          # 23.05.2011, 2022-04-21
    | \b{_MONTH} | \d{{1,4}}(?:st|nd|rd|th)?\b      # April 21, 2022
    | (?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?     # Thursday
    | \b(?:updated|published|posted|last|on|at|am|pm|today|yesterday)\b
    | \b(?:[ECMP][SD]?T|GMT|UTC|BST|CET|CEST|AST|EDT|EST|IST|JST|AEST)\b
    | [\s,.:|/()–—-]+
    """,
    re.IGNORECASE | re.VERBOSE,
)
_HAS_DATE_OR_TIME = re.compile(
    rf"\d{{1,2}}[:.h]\d{{2}}|\b{_MONTH}\s*\d|\d\s*{_MONTH}|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\[email(?:\s|&nbsp;)*protected\]", re.I)
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")

_WIDGET_LABELS = frozenset(
    {
        "share this post", "share this article", "share this story", "share this page",
        "share this", "share", "share on facebook", "share on twitter", "share on x",
        "share on linkedin", "share on whatsapp", "tweet", "email this", "print",
        "print this page", "print this article", "scroll to top", "back to top",
        "skip to content", "skip to main content", "advertisement", "advertisements",
        "read more", "continue reading", "related articles", "related posts", "related stories",
        "related videos", "related content", "related", "recommended", "recommended for you",
        "most read", "most popular", "trending", "trending now", "more stories", "top stories",
        "more from this section", "you may also like", "you might also like", "sponsored",
        "sponsored content", "location details", "in pictures", "in case you missed it",
        "in case you missed this earlier", "comments", "leave a comment", "view comments",
        "listen to this article", "watch", "video", "photos", "gallery", "next article",
        "previous article", "loading", "loading...", "posted in", "tags", "topics",
    }
)  # fmt: skip
_WIDGET_PATTERN = re.compile(
    r"^(?:show (?:all|more)(?: \d+)?|\d+ comments?|(?:\w+ )?news in pictures|"
    r"(?:image|photo) \d+ of \d+)$"
)


@rule(
    drops=("Share this article", "Scroll to top", "Show all 50", "UK news in pictures",
           "Related Videos", "ADVERTISEMENT"),
    keeps=("Please share this post with your friends.", "Share prices fell 3% on Monday."),
)  # fmt: skip
def widget_label(page: Page, index: int) -> bool:
    """A whole line that is the label of a page widget: sharing, printing, "Related Videos".

    Only exact labels count; a sentence using the same words stays.
    """
    line = page.folded[index]
    return line in _WIDGET_LABELS or bool(_WIDGET_PATTERN.match(line))


_PAYWALL = re.compile(
    r"\bto (?:view|read|see|access|continue reading)(?: (?:the|this))? (?:full|rest of(?: the)?"
    r"|entire|whole) (?:story|article)\b|\bfor the full (?:story|article)\b"
    r"|\balready (?:a )?(?:subscriber|member)\b|\bsubscribers? only\b"
    r"|\bsubscribe (?:now )?to (?:continue|keep) reading\b",
    re.IGNORECASE,
)


@rule(
    drops=(
        "To view the full story, please subscribe to The Haitian Times.\n"
        "You can choose a $60 Annual Subscription.\nJoin now or renew to get:",
        "Subscribe now to our eNATION edition for the full story.\n"
        "For the latest stories download the apps for iOS and Android.",
    ),
    keeps=("The full story of the rescue was told in court on Monday.",),
)
def paywall_tail(page: Page, index: int) -> bool:
    """The notice that the rest of the story is for subscribers, and everything after it.

    What follows such a notice on an extracted page is the offer itself (prices, perks,
    "log in"), never more of the article; only a notice near the end of the text counts.
    """
    start = page.memo("paywall start", lambda: _paywall_start(page))
    return start is not None and index >= start


def _paywall_start(page: Page) -> int | None:
    """The line that says the rest of the story is for subscribers, if there is one."""
    for index, line in enumerate(page.lines):
        if _PAYWALL.search(line) and len(page.lines) - index <= PAYWALL_TAIL_LINES:
            return index
    return None


_PROMO_STRONG = re.compile(
    r"^(?:subscribe|sign up|sign-up|signup|register)\b"
    r"|\bunsubscribe\b|\bthanks for subscribing\b|\bwas this e-?mail forwarded\b"
    r"|\b(?:subscribe|sign up|signing up|sign-up|register)\b[^.!?]{0,60}"
    r"\b(?:newsletters?|edition|alerts|inbox|premium|bulletin|briefing)\b"
    r"|\b(?:newsletters?|daily edition|briefing)\b[^.!?]{0,80}\b(?:by e-?mail|inbox|sign up|"
    r"free)\b"
    r"|\b(?:pop|enter|put|type|add) your e-?mail\b|\b(?:to|into) your inbox\b"
    r"|\bwe(?:'ll|’ll| will) send you\b|\bnever miss (?:a|the|our|an)\b"
    r"|\binvit\w* your friends\b",
    re.IGNORECASE,
)


@rule(
    drops=("Sign up here.", "Subscribe now to our weekend edition",
           "Never miss the latest news by signing up to our newsletter today!",
           "Get The Times of Israel's Daily Edition by email and never miss our top stories "
           "Free Sign Up",
           "Subscribe to Example Premium to bookmark this article",
           "Every day we'll send you a roundup email of all the latest news.",
           "Thanks for subscribing.", "Was this email forwarded to you?"),
    keeps=("The newspaper said subscriptions fell by 10 per cent last year.",
           "Volunteers can sign up at the town hall, the mayor said on Friday.",
           "The council's newsletter had warned residents about the floods."),
)  # fmt: skip
def subscription_promo(page: Page, index: int) -> bool:
    """A line asking the reader to subscribe or sign up, or selling a newsletter.

    A line that starts with "Subscribe" or "Sign up", or ties a sign-up to a newsletter, an
    edition or an inbox; reporting that mentions subscriptions stays.
    """
    line = page.lines[index]
    return word_count(line) <= 40 and bool(_PROMO_STRONG.search(line))


_COOKIES = re.compile(
    r"\b(?:we|this (?:site|website)|our (?:site|website|partners))\s+uses?\s+cookies\b"
    r"|\bby (?:continuing to (?:browse|use)|using) (?:this|our) (?:site|website)\b"
    r"|\b(?:accept|manage) (?:all )?cookies\b|\bcookie (?:policy|settings|preferences)\b"
    r"|\bnous utilisons des cookies\b|\bwir verwenden cookies\b|\butilizamos cookies\b",
    re.IGNORECASE,
)


@rule(
    drops=(
        "We use cookies to improve your experience. By continuing to browse you agree.",
        "This website uses cookies.",
        "Accept all cookies",
        "Nous utilisons des cookies pour améliorer l'offre que nous vous proposons.",
    ),
    keeps=(
        "The regulator fined the company for the cookies it used to track children, it said.",
        "The bakery sold 2,000 cookies on Saturday.",
    ),
)
def cookie_notice(page: Page, index: int) -> bool:
    """A cookie banner's text: "We use cookies …", "Accept all cookies", "Cookie policy"."""
    line = page.lines[index]
    return word_count(line) <= 60 and bool(_COOKIES.search(line))


_CALL_TO_ACTION = re.compile(
    r"\b(?:click|tap) (?:here|this|the link|below|on the link|the button)\b"
    r"|\bdownload (?:the|our) [^.!?]{0,40}\bapps?\b|\bfollow us\b"
    r"|\bwatch (?:it )?live (?:here|now|on)\b|\blike us on facebook\b"
    r"|\bshare (?:this|your) (?:story|article) on\b",
    re.IGNORECASE,
)


@rule(
    drops=("If you are using the app, click here.", "Click here to watch live",
           "Follow us: Google News | Reddit | Instagram",
           "For breaking news updates download the Nationnews apps for iOS and Android."),
    keeps=("Witnesses said they heard a click before the blast.",
           "The company's app was downloaded a million times, it said."),
)  # fmt: skip
def call_to_action(page: Page, index: int) -> bool:
    """A line telling the reader to click, download the app or follow the site."""
    line = page.lines[index]
    return word_count(line) <= 45 and bool(_CALL_TO_ACTION.search(line))


_BYLINE_NAME = re.compile(
    r"^[Bb][Yy]\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|del|and|&))*"
    r"(?:\s*[,|/–—-]\s*.*)?$"
)
_BYLINE_LABEL = re.compile(
    r"^(?:article by|written by|words by|story by|posted|posted on|published|published on|"
    r"updated|updated on|last updated|auteur|autor|author|edition|édition|editing|reporting|"
    r"reporting by|text|photos?|by)\s*:?\s*$",
    re.IGNORECASE,
)
_BYLINE_LABELLED = re.compile(
    r"^(?:(?:auteur|autor|author|édition|edition|text|words|reporter)\s*:"
    r"|(?:article|editing|reporting|written|words|story) by\b)\s*[^!?]{1,60}$",
    re.IGNORECASE,
)
_STAFF = re.compile(
    r"^(?:[A-Z][\w’'-]*\s+){0,3}(?:staff|senior|chief|political|foreign|special|freelance)?\s?"
    r"(?:reporter|correspondent|writer|editor|contributor)s?$",
    re.IGNORECASE,
)
_CONTRIBUTED = re.compile(
    r"^[^.!?]{2,80}\bcontributed (?:reporting )?to this (?:report|story|article)\.?$",
    re.IGNORECASE,
)


@rule(
    drops=("By EARYEL BOWLEG", "By Evan Symon, August 14, 2020 2:30 pm", "Posted on",
           "Article by\nKareem Smith", "Published on\nApril 21, 2022",
           "Auteur : Kossivi Tiassou", "Tribune Staff Reporter",
           "Alex Isenstadt contributed to this report."),
    keeps=("By Tuesday, the council had agreed to the plan.", "Text with escapes and more.",
           "By then the fire had spread to the roof.",
           "The reporter was released after two days."),
)  # fmt: skip
def byline(page: Page, index: int) -> bool:
    """A byline or credit line: "By A. Writer", "Article by" and the name after it, "Staff
    Reporter", "X contributed to this report".

    A line starting "By" counts only when a name follows and it does not end like a sentence.
    """
    line = page.lines[index].strip()
    if word_count(line) > 14:
        return False
    if _BYLINE_LABEL.match(line) or _BYLINE_LABELLED.match(line) or _CONTRIBUTED.match(line):
        return True
    if _BYLINE_NAME.match(line) and not ends_sentence(line):
        return True
    if _STAFF.match(line) and word_count(line) <= 5:
        return True
    # The value under a bare label ("Article by" / "Kareem Smith").
    previous = page.lines[index - 1].strip() if index else ""
    return bool(_BYLINE_LABEL.match(previous)) and word_count(line) <= 5 and not ends_sentence(line)


_CONTACT_START = re.compile(
    r"^(?:to reach|contact|reach|e-?mail|write to|send (?:us )?(?:your )?(?:tips|news|"
    r"letters)|tips?|follow|for more information)\b",
    re.IGNORECASE,
)
_READER = re.compile(r"\b(?:you|your|me|us)\b", re.IGNORECASE)


@rule(
    drops=("ebowleg@tribunemedia.net", "To reach the editor, contact Emma@example.org",
           "You can contact CorkBeo on Facebook, Twitter, or email news@corkbeo.ie",
           "Email the author at [email protected]",
           "As usual, if you have tips, just hit reply or message me at steve@example.com.",
           "Tips? Write to me at a@example.com. Email my colleagues Kim Lee at kim@example.com "
           "and Pat Roe at pat@example.com with anything you think we should cover next week, "
           "or simply reply to this message and tell us what you would like to read about."),
    keeps=("On polling days hours are extended to 9 p.m.; the board said questions can go to "
           "vote@example.gov or the hotline.",
           "Police said the suspect had sent emails to the school."),
)  # fmt: skip
def contact_line(page: Page, index: int) -> bool:
    """A line giving an e-mail address to write to: the reporter's, the newsroom's.

    The address must come with a line that is short, starts like a contact line ("To reach",
    "Contact", "Email") or speaks to the reader; an address inside reporting stays.
    """
    line = page.lines[index].strip()
    if not _EMAIL.search(line):
        return False
    rest = _EMAIL.sub("", line).strip(" .,;:()<>")
    if word_count(rest) <= 3:
        return True
    if len(_EMAIL.findall(line)) >= 2 and word_count(line) <= 60 and _READER.search(line):
        return True  # a newsletter's "write to me at …, or to my colleagues at …" box
    return word_count(line) <= 30 and bool(_CONTACT_START.match(line) or _READER.search(line))


_CREDIT_END = re.compile(
    r"\((?:photos?|pictures?|pictured|images?|file|credit|photograph|courtesy)\b[^()]{0,80}\)"
    r"\.?$",
    re.IGNORECASE,
)
_CREDIT_START = re.compile(
    r"^\(?(?:photos?|pictures?|images?|photograph|photo credit|credit|caption|source)s?\s*:",
    re.IGNORECASE,
)
_CREDIT_ANY = re.compile(
    r"\b(?:photos?|pictures?|images?|photograph)s? (?:by|courtesy of|credit)\b"
    r"|\bgetty images\b|\bafp via getty\b|\bshutterstock\b|\bap photo\b|/\s?reuters\b",
    re.IGNORECASE,
)


@rule(
    drops=("The team training ahead of the match. (FILE)",
           "Crowds at the harbour on Sunday (Picture by Jane Roe)", "Photo: John Doe/AP",
           "Firefighters at the scene. Photograph by Ann Lee", "(Getty Images)"),
    keeps=("Police released a photo of the suspect on Tuesday.",
           "The picture by the river was painted in 1890, the museum said."),
)  # fmt: skip
def photo_credit(page: Page, index: int) -> bool:
    """A photo credit, or an image caption ending in one: "(Picture by …)", "Photo: …", "(FILE)".

    A sentence about a photo stays; a credit must be labelled as one ("Photo:", "Picture by",
    an agency's name) on a short line, or close it in brackets.
    """
    line = page.lines[index].strip()
    if _CREDIT_END.search(line) or _CREDIT_START.match(line):
        return word_count(line) <= 45
    return word_count(line) <= 25 and bool(_CREDIT_ANY.search(line)) and "said" not in line


_PHOTO_POSITION = re.compile(
    r"\((?:pictured|left|right|centre|center|above|below|top|bottom|inset|file photo)\b[^()]{0,120}"
    r"\)$",
    re.IGNORECASE,
)


@rule(
    drops=(
        "Save British farms from cheap imports (pictured, broiler chickens at a farm)",
        "Council met on Tuesday to discuss the budget for next year and the state of the roads",
    ),
    keeps=(
        "Thousands of jobs at risk as pubs and restaurants slam 'devastating' decision",
        "The mayor met on Tuesday to discuss the budget for next year, officials said.",
    ),
)
def photo_caption(page: Page, index: int) -> bool:
    """An image caption: a line that does not end like a sentence and either says where the
    picture is ("(pictured, …)", "(left)") or repeats ten words in a row of the text above it.

    Headings do not end like sentences either, but they neither point at a picture nor echo
    the text before them (a deck above the text that sums it up stays).
    """
    line = page.lines[index].strip()
    if ends_sentence(line) or word_count(line) < 8:
        return False
    if _PHOTO_POSITION.search(line):
        return True
    first = page.first_line_with_run
    return any(first[run] < index for run in word_runs(page.word_keys[index]))


_COPYRIGHT = re.compile(
    r"©|\(c\) \d{4}|^copyright\b[^.!?]{0,40}\b(?:19|20)\d\d\b|\ball rights reserved\b",
    re.IGNORECASE,
)


@rule(
    drops=("© 2022, Example.com.", "Copyright 2020 The Gazette. All rights reserved."),
    keeps=(
        "The band sued over copyright in the song, lawyers said.",
        "Copyright lawyers said the case could take years.",
    ),
)
def copyright_notice(page: Page, index: int) -> bool:
    """A copyright line: "© 2022, Site.com.", "All rights reserved"."""
    line = page.lines[index]
    return word_count(line) <= 25 and bool(_COPYRIGHT.search(line))


@rule(
    drops=(
        "10:11 pm CST.",
        "April 21, 2022",
        "Updated: Thursday, 23.05.2011 14:02",
        "Posted on 3 March 2021",
    ),
    keeps=("At 10:11 pm the lights went out.", "2022", "May 1 was a Sunday."),
)
def time_stamp(page: Page, index: int) -> bool:
    """A line that is nothing but a date or a time, with words like "Updated" around it."""
    line = page.lines[index].strip()
    if word_count(line) > 10 or not _HAS_DATE_OR_TIME.search(line):
        return False
    return not _DATE_OR_TIME_TOKEN.sub("", line).strip()


_RELATED_PREFIX = re.compile(
    r"^(?:more|read more|related|see also|also read|read also|also see|recommended|"
    r"must read|don'?t miss|further reading|latest|trending|watch|listen|more on this story)"
    r"\s*(?::|»|>|›)\s*\S",
    re.IGNORECASE,
)
_MORE_END = re.compile(r"(?:…|\.\.\.|\s)\s*(?:read )?more\s*[»›>]*$", re.IGNORECASE)
_DATED_LIST_ITEM = re.compile(rf"^\s*[-–•*]\s.+\s[-–—]\s{_MONTH} \d{{1,2}}, \d{{4}}$", re.I)


@rule(
    drops=("MORE: Storm leaves thousands without power", "READ MORE: Five things to know",
           "Council approves new budget … more",
           "- Movie Theaters Refuse To Open Over Ban - October 9, 2020"),
    keeps=("More than 200 people were evacuated.", "Residents want more.",
           "Related cases were heard in Ohio and Texas."),
)  # fmt: skip
def related_link(page: Page, index: int) -> bool:
    """A link to another story: "MORE: …", "READ MORE: …", a headline ending "… more", a dated
    list of headlines, or a line that is wholly the text of one of the page's links.
    """
    line = page.lines[index].strip()
    if word_count(line) > 30:
        return False
    if _RELATED_PREFIX.match(line) or _DATED_LIST_ITEM.match(line):
        return True
    if _MORE_END.search(line) and not ends_sentence(line[: -len("more")]):
        return word_count(line) >= 3
    folded = page.folded[index]
    return word_count(line) >= 3 and folded in page.anchors and not ends_sentence(line)


@rule(
    drops=("https://www.facebook.com/Example/posts/2800731780195723",
           "— Seth Goldstein (@Rabbi_360) January 7, 2020"),
    keeps=("The post is at example.com, the group said.",),
)  # fmt: skip
def embed_residue(page: Page, index: int) -> bool:
    """What is left of an embedded post: a bare link, or a tweet's "— Name (@handle) date" line."""
    line = page.lines[index].strip()
    return bool(_URL_LINE.match(line) or _EMBED_ATTRIBUTION.match(line))


_EMBED_ATTRIBUTION = re.compile(
    rf"^[—–-]\s*[^()]{{1,60}}\(@\w{{1,30}}\)\s+{_MONTH}\s+\d{{1,2}},\s+\d{{4}}$", re.I
)


@rule(
    drops=("Вuy chеap watchеs onlinе at the bеst prісes",),
    keeps=(
        "Президент России Владимир Путин встретился с CEO компании.",
        "The word Москва means Moscow.",
    ),
)
def mixed_script(page: Page, index: int) -> bool:
    """A line in look-alike letters: words mixing Latin and Cyrillic, the mark of spam adverts.

    Real text in either script, or both side by side, has no word that mixes them.
    """
    line = page.lines[index]
    if not _CYRILLIC.search(line):
        return False
    mixed = [w for w in line.split() if _CYRILLIC.search(w) and _LATIN.search(w)]
    return len(mixed) >= 2 or (len(mixed) == 1 and word_count(line) <= 4)


@rule(
    drops=("- A SIMPLE GUIDE: How do I protect myself?", "- VISUAL GUIDE: The outbreak in maps"),
    keeps=("- The council met on Monday.", "NATO: the alliance at 75 is a survey of members."),
)
def guide_link(page: Page, index: int) -> bool:
    """A list item promoting another piece by an upper-case label: "- A SIMPLE GUIDE: …"."""
    line = page.lines[index].strip()
    match = re.match(r"^[-–•*]\s+([A-Z][A-Z’' ]{3,40}):", line)
    return bool(match) and word_count(match.group(1)) >= 2


@rule(
    drops=("The council met on Tuesday to discuss the budget for next year and the state of the "
           "roads",),
    keeps=("Yes.", "The council met on Tuesday to discuss the roads."),
)  # fmt: skip
def repeated_line(page: Page, index: int) -> bool:
    """A line that repeats an earlier one word for word (a caption echoing the text, a live blog
    printing an entry twice). Lines under five words may repeat ("Yes.").
    """
    key = page.word_keys[index]
    return len(key) >= 5 and page.first_line_with[key] < index


# --- trims: pieces cut from the end of a line that is kept ----------------------------------

TRIMS.extend(
    [
        # A reporter's initials closing a story: "… at the weekend. (NM)".
        ("sign off", re.compile(r"(?<=[.!?\"”’'])\s+\([A-Z]{2,4}\)$")),
        # The link an embedded post ends with: "… heritage. pic.twitter.com/CIHDX5qmux".
        ("embed link", re.compile(r"\s+(?:pic\.twitter\.com|https?://t\.co)/\w+$")),
    ]
)
