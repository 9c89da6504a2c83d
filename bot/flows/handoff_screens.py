"""What residents and builders read about a handoff, in every language: who covers an area,
the consent screen, offers before and after Accept, what each side is told. Pure: words and
buttons only; the rules are in `bot.flows.handoff` and `bot.flows.tiers`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.directory import Builder, Municipality
from bot.domain import ACCEPTED, OFFERED, Handoff
from bot.flows.handoff import (
    ACCEPT,
    ASK,
    ASSIGN,
    CLOSE,
    CONTACT_WAYS,
    FORGOTTEN,
    HANDOFF,
    MUNICIPALITY,
    NO,
    PASS,
    WRITE,
    YES,
    Lookup,
    Where,
    routed,
)
from bot.flows.initiative import CATEGORIES, NEEDS
from bot.replies import (
    N_,
    NN_,
    NP_,
    Button,
    Code,
    LanguageName,
    Listing,
    Moment,
    Msg,
    Param,
    Reply,
    Said,
)
from bot.routing import Route


def _just(value: Param) -> Msg:
    """A message that is only its parameter (no words of its own to translate)."""
    return Msg("{value}", {"value": value})


def _languages(codes: Sequence[str]) -> Msg:
    """Language names in the reader's language, separated by the reader's comma."""
    keys = [f"l{i}" for i in range(len(codes))]
    params: dict[str, Param] = dict(zip(keys, map(LanguageName, codes), strict=True))
    params["sep"] = LIST_SEPARATOR
    return Msg("{sep}".join(f"{{{k}}}" for k in keys), params)


# Between the items of a short list: a comma and a space, or the reader's own comma ("، ").
LIST_SEPARATOR = NP_("list", ", ")


def _builder_line(builder: Builder, lookup: Lookup) -> Msg:
    return N_(
        "<b>{name}</b>, {organisation}\nSpeaks: {languages}",
        name=Code(builder.name),
        organisation=Code(lookup.organisation_name(builder)),
        languages=_languages(builder.languages),
    )


def who_covers(found: Route, where: Where, lookup: Lookup) -> Reply:
    """Who covers the resident's area, and the way to ask them for contact.

    A border area first asks which municipality; no builder at all says so honestly, with
    the municipality's general contact (the caller also tells the operators)."""
    if len(found.municipalities) > 1 and where.municipality is None:
        return Reply.of(
            N_(
                "Your area {area} lies in two municipalities. In which one do you live?",
                area=Code(_place(where)),
            ),
            buttons=tuple(
                (
                    Button(
                        Code(m.name),
                        f"{HANDOFF}:{MUNICIPALITY}:{_with(where, m.code).token()}",
                        "🏛",
                    ),
                )
                for m in found.municipalities
            ),
        )
    if not found.found:
        return no_builder(found, where, routed(lookup, "", where, everyone=True).builders, lookup)
    first = found.tiers[0]
    lines: list[Msg] = [
        NN_(
            "This community builder works in your area {area}:",
            "These community builders work in your area {area}:",
            len(first),
            area=Code(_place(where)),
        ),
        *(_builder_line(b, lookup) for b in first),
        N_(
            "A community builder helps residents with plans for the neighbourhood. It is free. "
            "Do you want one of them to contact you?"
        ),
    ]
    ask = Button(NP_("button", "Ask them to contact me"), f"{HANDOFF}:{ASK}:{where.token()}", "🤝")
    home = Button(NP_("button", "Back to the menu"), "m:menu", "🏠")
    return Reply(tuple(lines), ((ask,), (home,)))


def _with(where: Where, municipality: str) -> Where:
    return Where(where.area, where.point, municipality, where.plan)


def _place(where: Where) -> str:
    return f"{where.area:04d}" if where.area is not None else "📍"


def no_builder(
    found: Route,
    where: Where,
    elsewhere: Sequence[Builder] = (),
    lookup: Lookup | None = None,
) -> Reply:
    """No builder for the area: honestly, with where else to go. `elsewhere` are builders
    of the area who cannot be reached in the bot (no account yet, or on holiday): their
    organisation can be contacted directly."""
    if elsewhere and lookup is not None:
        lines: list[Msg] = [
            N_(
                "The community builders for your area {area} cannot be reached through this bot "
                "at the moment. The people who run this bot now know.",
                area=Code(_place(where)),
            )
        ]
        for code in dict.fromkeys(b.organisation for b in elsewhere):
            organisation = lookup.directory.organisation(code)
            if organisation is not None and organisation.contact is not None:
                c = organisation.contact
                lines.append(
                    N_(
                        "You can contact {organisation} directly: {contact}",
                        organisation=Code(organisation.name),
                        contact=Code(" · ".join(p for p in (c.phone, c.email, c.web) if p)),
                    )
                )
    else:
        lines = [
            N_(
                "Sorry. I do not know a community builder for your area {area} yet. "
                "The people who run this bot now know that one is missing.",
                area=Code(_place(where)),
            )
        ]
    for municipality in found.municipalities:
        lines.append(_general_contact(municipality))
    if not found.municipalities:
        lines.append(N_("You can also ask your municipality. They can tell you who can help."))
    return Reply(tuple(lines), ((Button(NP_("button", "Back to the menu"), "m:menu", "🏠"),),))


def _general_contact(municipality: Municipality) -> Msg:
    contact = municipality.contact
    parts = [p for p in (contact.phone, contact.email, contact.web) if p]
    return N_(
        "You can contact the municipality of {municipality}: {contact}",
        municipality=Code(municipality.name),
        contact=Code(" · ".join(parts)),
    )


def missing_builder(where: Where, language: str) -> Reply:
    """For the operators: a resident found nobody (only the area and the language)."""
    return Reply.of(
        N_(
            "A resident looked for a community builder in area {area} (language: {language}), "
            "but there is none in the directory who can be reached in the bot.",
            area=Code(_place(where)),
            language=LanguageName(language),
        )
    )


def consent(handoff: Handoff, lookup: Lookup) -> Reply:
    """Exactly what will be shared, with whom and when; nothing goes before a yes."""
    first = [b for b in (lookup.builder(i) for i in handoff.tiers[0]) if b is not None]
    organisations = sorted(
        {
            lookup.organisation_name(b)
            for tier in handoff.tiers
            for i in tier
            if (b := lookup.builder(i))
        }
    )
    lines: list[Msg] = [
        N_("<b>Before I send anything, please read this.</b>"),
        NN_(
            "I will ask this community builder to contact you:",
            "I will ask these community builders to contact you. The first one who says yes "
            "helps you:",
            len(first),
        ),
        *(_builder_line(b, lookup) for b in first),
    ]
    if len(handoff.tiers) > 1:
        lines.append(
            N_(
                "If none of them can help within a working day, I ask a colleague of theirs: "
                "{organisations}.",
                organisations=Code(", ".join(organisations)),
            )
        )
    lines += [
        N_(
            "<b>They see first:</b> the kind of plan, your area {area}, your language, what you "
            "need, how you want contact, and if an interpreter helps.",
            area=Code(_area_text(handoff)),
        ),
        N_(
            "<b>Only the one who says yes also sees:</b> your name, what you wrote or said, "
            "and your phone number or address if you gave them."
        ),
        N_(
            "Nothing goes to the municipality, the IND, benefits agencies or anyone else. "
            "You can stop sharing at any time under “My requests for contact”, or delete "
            "everything with /forget."
        ),
        N_("Do you agree that I send this?"),
    ]
    reference = handoff.reference
    return Reply(
        tuple(lines),
        (
            (Button(NP_("button", "Yes, send it"), f"{HANDOFF}:{YES}:{reference}", "✅"),),
            (Button(NP_("button", "No, do not send"), f"{HANDOFF}:{NO}:{reference}", "✖"),),
        ),
    )


def _area_text(handoff: Handoff) -> str:
    return f"{handoff.area:04d}" if handoff.area is not None else "-"


def under_16() -> Reply:
    """UAVG art. 5: below 16, a parent gives consent; the bot keeps nothing of this."""
    return Reply.of(
        N_(
            "Thank you for telling me. You are younger than 16. Then a parent or carer must "
            "agree before I share anything about you. Please ask a parent or carer to do this "
            "with you, on their phone. I did not keep your answers."
        )
    )


def sent(handoff: Handoff, asked: int) -> Reply:
    """Sent: `asked` builders got the offer now (none: the coordinator will choose)."""
    return Reply.of(
        NN_(
            "Sent. I asked the community builder. When they say yes, I tell you here. "
            "Your reference is {reference}.",
            "Sent. I asked {count} community builders. When one of them says yes, I tell you "
            "here. Your reference is {reference}.",
            max(asked, 1),
            reference=Code(handoff.reference),
        )
    )


NOT_SENT = N_("OK. I did not send anything. Your answers are deleted.")


def _label(options: Iterable[Any], value: str) -> Msg | Code:
    return next((o.label for o in options if o.value == value), Code(value))


def _needs(details: Mapping[str, Any]) -> Param:
    needs = [n for n in details.get("needs") or () if isinstance(n, str)]
    if not needs:
        return N_("nothing named")
    return Listing(tuple(_as_msg(_label(NEEDS, n)) for n in needs))


def _as_msg(label: Msg | Code) -> Msg:
    return label if isinstance(label, Msg) else _just(label)


def _kind(details: Mapping[str, Any]) -> Param:
    category = details.get("category")
    if not isinstance(category, str):
        return N_("a question or an idea (no plan yet)")
    return _as_msg(_label(CATEGORIES, category))


def _contact_way(details: Mapping[str, Any]) -> Msg:
    way = str(details.get("contact"))
    return next(
        (label for value, label in CONTACT_WAYS if value == way),
        NP_("contact", "Through this chat"),
    )


def _yes_no(flag: bool) -> Msg:
    return NP_("button", "Yes") if flag else NP_("button", "No")


def _lines(*lines: Msg) -> Msg:
    """Several short lines as one paragraph (a card reads better without blank lines)."""
    keys = [f"l{i}" for i in range(len(lines))]
    return Msg("\n".join(f"{{{k}}}" for k in keys), dict(zip(keys, lines, strict=True)))


def summary(handoff: Handoff) -> tuple[Msg, ...]:
    """What a builder sees before accepting: no name, no words of the resident's own."""
    return (_lines(*_facts(handoff)),)


def _facts(handoff: Handoff) -> tuple[Msg, ...]:
    details = handoff.details
    return (
        N_("Kind: {kind}", kind=_kind(details)),
        N_("Area: {area}", area=Code(_area_text(handoff))),
        N_("Language: {language}", language=LanguageName(handoff.language)),
        N_("Needs: {needs}", needs=_needs(details)),
        N_("Contact: {way}", way=_contact_way(details)),
        N_("Interpreter wanted: {answer}", answer=_yes_no(bool(details.get("interpreter")))),
    )


def offer(handoff: Handoff, due: dt.datetime) -> Reply:
    reference = handoff.reference
    return Reply(
        (
            N_("<b>New request for contact</b> ({reference})", reference=Code(reference)),
            *summary(handoff),
            N_("Please answer before {moment}.", moment=Moment(due)),
        ),
        (
            (
                Button(NP_("button", "Accept"), f"b:{ACCEPT}:{reference}", "✅"),
                Button(NP_("button", "Pass"), f"b:{PASS}:{reference}", "↪"),
            ),
        ),
    )


def taken(reference: str) -> Reply:
    """An offer someone else accepted, or whose time ran out: its buttons go."""
    return Reply.of(
        N_(
            "Request {reference} is now with another community builder. You do not need to "
            "do anything.",
            reference=Code(reference),
        )
    )


def too_late(reference: str) -> Reply:
    return Reply.of(
        N_(
            "Request {reference} is already taken by someone else, or no longer open. "
            "Nothing changed.",
            reference=Code(reference),
        )
    )


def passed(reference: str) -> Reply:
    return Reply.of(
        N_(
            "OK, you passed on request {reference}. I will ask someone else.",
            reference=Code(reference),
        )
    )


def accepted_details(handoff: Handoff) -> tuple[Reply, ...]:
    """Everything the builder who accepted may now see, with the resident's own words quoted
    as written (their language named) and each voice note sent again."""
    details = handoff.details
    lines: list[Msg] = [
        N_("<b>Request {reference} is yours now.</b>", reference=Code(handoff.reference)),
        *summary(handoff),
        N_("Name: {name}", name=_said(details.get("name"), handoff.language)),
    ]
    voices: list[Reply] = []
    for key, label in (
        ("title", N_("Plan: {text}")),
        ("plan", N_("About the plan: {text}")),
        ("about", N_("What they wrote: {text}")),
    ):
        value = details.get(key)
        if value is None:
            continue
        if isinstance(value, dict) and "voice" in value:
            caption = Msg(label.msgid, {"text": N_("this voice message")})
            voices.append(Reply((caption,), voice=str(value["voice"])))
            lines.append(Msg(label.msgid, {"text": N_("voice message, below")}))
        else:
            lines.append(Msg(label.msgid, {"text": Said(str(value), handoff.language)}))
    if details.get("phone"):
        lines.append(N_("Phone: {phone}", phone=Code(str(details["phone"]))))
    if details.get("address"):
        lines.append(N_("Address: {address}", address=_said(details["address"], handoff.language)))
    lines.append(
        N_("Please contact them soon. The resident knows your name and that you will contact them.")
    )
    return (Reply(tuple(lines), case_buttons(handoff.reference)), *voices)


def _said(value: Any, language: str) -> Param:
    if isinstance(value, dict):
        return N_("voice message, below")
    return Said(str(value or ""), language)


def resident_told(handoff: Handoff, builder: Builder, lookup: Lookup) -> Reply:
    """The resident hears who accepted, and when to expect contact."""
    lines: list[Msg] = [
        N_(
            "Good news: {name} of {organisation} will contact you about request {reference}.",
            name=Code(builder.name),
            organisation=Code(lookup.organisation_name(builder)),
            reference=Code(handoff.reference),
        ),
        N_(
            "Community builders usually get in touch within two working days. Contact: {way}.",
            way=_contact_way(handoff.details),
        ),
    ]
    shown = [p for p in (builder.phone, builder.email) if p]
    if shown:
        lines.append(N_("You can also reach them: {contact}", contact=Code(" · ".join(shown))))
    return Reply(tuple(lines), ((write_to_builder(handoff.reference, builder.name),),))


def write_to_builder(reference: str, name: str | None) -> Button:
    """The resident's way into the "Write to …" mode of an accepted case."""
    label = (
        NP_("button", "Write to the community builder")
        if name is None
        else NP_("button", "Write to {name}", name=Code(name))
    )
    return Button(label, f"{HANDOFF}:{WRITE}:{reference}", "✉")


def case_buttons(reference: str) -> tuple[tuple[Button, ...], ...]:
    """The builder's buttons on a case they hold: write to the resident, close it."""
    return (
        (Button(NP_("button", "Write to the resident"), f"b:{WRITE}:{reference}", "✉"),),
        (Button(NP_("button", "Close case"), f"b:{CLOSE}:{reference}", "🏁"),),
    )


def assign_choices(handoff: Handoff, coordinator: Builder, lookup: Lookup) -> Reply:
    """For a team's coordinator, when nobody took a handoff: assign it to someone."""
    team = [
        b
        for b in lookup.directory.builders
        if b.team_key == coordinator.team_key and b.id in lookup.accounts
    ]
    return Reply(
        (
            N_(
                "<b>Nobody took request {reference}.</b> Please assign it to someone in your team.",
                reference=Code(handoff.reference),
            ),
            *summary(handoff),
        ),
        tuple(
            (Button(Code(b.name), f"b:{ASSIGN}:{handoff.reference}:{b.id}", "👤"),) for b in team
        ),
    )


def unassigned_digest(handoffs: Sequence[Handoff]) -> Reply:
    """For the operators, once a day: handoffs nobody took (references and areas only)."""
    return Reply.of(
        NN_(
            "{count} request for contact was not taken by any community builder:",
            "{count} requests for contact were not taken by any community builder:",
            len(handoffs),
        ),
        _just(
            Listing(
                tuple(
                    N_(
                        "{reference}: area {area}, since {moment}",
                        reference=Code(h.reference),
                        area=Code(_area_text(h)),
                        moment=Moment(h.created_at),
                    )
                    for h in handoffs
                )
            )
        ),
    )


def case_card(found: Handoff, builder_id: str) -> Reply:
    """One line of a builder's open cases: an offer waiting for them, or a case they hold."""
    if found.state == OFFERED and found.builder != builder_id:
        return Reply(
            (
                N_("<b>Waiting for your answer</b> ({reference})", reference=Code(found.reference)),
                *summary(found),
            ),
            (
                (
                    Button(NP_("button", "Accept"), f"b:{ACCEPT}:{found.reference}", "✅"),
                    Button(NP_("button", "Pass"), f"b:{PASS}:{found.reference}", "↪"),
                ),
            ),
        )
    about = found.details.get("about")
    who: tuple[Msg, ...] = (
        (FORGOTTEN_CARD,)
        if found.details.get(FORGOTTEN)
        else (
            N_("Name: {name}", name=_said(found.details.get("name"), found.language)),
            N_("What they wrote: {text}", text=_said(about, found.language)),
        )
        if isinstance(about, str)
        else (N_("Name: {name}", name=_said(found.details.get("name"), found.language)),)
    )
    return Reply(
        (
            N_("<b>Your case</b> ({reference})", reference=Code(found.reference)),
            *summary(found),
            *who,
        ),
        case_buttons(found.reference) if found.state == ACCEPTED else (),
    )


FORGOTTEN_CARD = N_("The resident asked to delete their data. Their name and words are removed.")


def resident_forgot(reference: str) -> Reply:
    """For the builder who holds a case whose resident used their right to be forgotten."""
    return Reply.of(
        N_(
            "The resident of request {reference} used their right to be forgotten. Please "
            "delete what you noted.",
            reference=Code(reference),
        )
    )


def no_longer_yours(reference: str) -> Reply:
    """For a builder removed from the directory: an offer or a case they had moves on."""
    return Reply.of(
        N_(
            "Request {reference} is no longer yours, because you are no longer in the list of "
            "community builders. You do not need to do anything.",
            reference=Code(reference),
        )
    )


def new_person(reference: str) -> Reply:
    """For the resident whose builder left the directory: the coordinator assigns someone."""
    return Reply.of(
        N_(
            "The community builder of your request {reference} can no longer help you. A new "
            "person will be in touch with you.",
            reference=Code(reference),
        )
    )


def expired(reference: str) -> Reply:
    """An offer whose time ran out: its buttons go."""
    return Reply.of(
        N_(
            "The time to answer request {reference} is over. I asked someone else. You do not "
            "need to do anything.",
            reference=Code(reference),
        )
    )
