#!/usr/bin/env python3
"""Generate N realistic, valid budkavle posts into a content repository, deterministically.

Usage: gen_posts.py --root DIR --count N [--seed 2027] [--every-platform]

Posts follow /work/shared/DESIGN.md §3: TOML front matter between `+++` lines, then Markdown.
They use the goal and audience ids of the repository's strategy.toml, Swedish text of 100-1200
characters with links, lists, thread breaks (`---`) and hashtags. Images are taken from
content/media/ (one small PNG is written there if it has none).

The schedule is a municipality's: from 2027-01-01 on, two to four posts on a weekday and up to
two on a weekend day, at 07-08, 10-11, 13-14, 16-17 or 19-20 o'clock (local time in the
strategy's time zone; some dates are written in UTC or +01:00 for the same instant), over as many
years as N needs (10,000 posts: about 12 years). Each post goes to the platforms that suit it
(Instagram only with an image, LinkedIn for jobs and business, X and Threads for some) and that
its `[platforms.*] cadence` (min_gap, max_per_day) still allows, so `budkavle check` finds (almost)
no schedule warnings. Crisis posts go everywhere: the schedule does not bind them.

--every-platform sends every post to every configured platform (Instagram skipped when a post has
no image), as bench/build.sh needs for its "N posts x 7 platforms" target; the schedule then
breaks cadence on purpose.

Standard library only.
"""

import argparse
import datetime
import os
import random
import re
import sys
import tomllib
import zlib
import zoneinfo

PLATFORMS = ["mastodon", "bluesky", "x", "facebook", "instagram", "linkedin", "threads"]

# Sentences a municipality would write. {plats}, {dag}, {tid} are filled in.
SENTENCES = [
    "Under natten plogar vi huvudgatorna och gång- och cykelvägarna i {plats}.",
    "Från och med {dag} är {plats} avstängd för trafik på grund av ledningsarbete.",
    "Vi byter vattenledningar i {plats} och arbetet pågår till slutet av månaden.",
    "Biblioteket i {plats} har öppet till klockan {tid} under hela veckan.",
    "Nu kan du lämna synpunkter på förslaget till ny lekplats i {plats}.",
    "Vi söker förskollärare, undersköterskor och lärare till flera av våra verksamheter.",
    "Sopbilen kommer en dag senare än vanligt i veckan eftersom det är helgdag.",
    "Det är halt på vägarna i morse, så ta det försiktigt när du går eller cyklar.",
    "Kokningsrekommendationen för {plats} gäller tills vidare.",
    "Koka vattnet i minst en minut innan du dricker det eller använder det i mat.",
    "Tack till alla som kom på medborgardialogen i {plats} i går kväll!",
    "Simhallen stänger för underhåll och öppnar igen {dag}.",
    "Kommunfullmäktige sammanträder {dag} klockan {tid} i stadshuset.",
    "Du kan följa mötet direkt på vår webbplats.",
    "Sommarjobb för unga mellan 16 och 19 år går att söka fram till {dag}.",
    "Vi har fått många frågor om bygglov och svarar på de vanligaste här.",
    "Julmarknaden på torget i {plats} är öppen lördag och söndag.",
    "Välkommen på öppet hus på äldreboendet i {plats} på {dag}.",
    "Arbetet med den nya skolan i {plats} går enligt plan.",
    "Vi planterar 400 nya träd längs gatorna i {plats} i höst.",
    "Parkeringsreglerna ändras i centrum från och med {dag}.",
    "Återvinningscentralen har utökade öppettider under våren.",
    "Har du sett en trasig gatlampa? Tipsa oss så lagar vi den.",
    "Kundcenter svarar på frågor vardagar mellan 08.00 och 16.30.",
    "Vi informerar om läget i {plats} så snart vi vet mer.",
    "Barn och unga får gratis entré till museet under sportlovet.",
    "Det blir tillfälliga busshållplatser vid {plats} medan vägen byggs om.",
    "Kommunen har fått pengar från staten för att bygga fler cykelbanor.",
    "Ungdomsrådet bjuder in till möte om fritidsgårdarnas framtid.",
    "Vill du bli familjehem? Kom på en informationsträff {dag} klockan {tid}.",
    "Skolmaten i veckan innehåller mer grönsaker och fisk.",
    "Flera vägar i {plats} får ny asfalt under sommaren.",
    "Läs mer om hur du förbereder dig för en kris hemma.",
    "Nu öppnar vi anmälan till höstens kurser i svenska för nyanlända.",
    "Företagare i {plats} bjuds in till frukostmöte om upphandling.",
    "Vi rensar dagvattenbrunnar i {plats} för att minska risken för översvämning.",
    "Badplatsen i {plats} har fått nya bryggor och en ramp för rullstol.",
    "Förskolan i {plats} får en ny gård med mer grönska och skugga.",
]

PLACES = [
    "Norrby", "Söderstaden", "Älvdalen", "Björkhagen", "Centrum", "Östra hamnen", "Västerås gärde",
    "Lillån", "Kvarnbacken", "Furulund", "Sjöängen", "Ekbacken", "Stationsområdet", "Gamla stan",
]
DAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag", "den 1 mars",
        "den 15 april", "den 3 juni", "den 20 augusti", "den 12 oktober", "den 1 december"]
TIMES = ["08.00", "09.30", "13.00", "16.30", "18.00", "19.00", "20.00"]

TITLES = [
    "Snöröjning i {plats}", "Avstängd gata i {plats}", "Nya vattenledningar i {plats}",
    "Biblioteket i {plats} har kvällsöppet", "Tyck till om lekplatsen i {plats}",
    "Vi söker personal", "Ändrad sophämtning", "Halka i {plats}", "Koka vattnet i {plats}",
    "Medborgardialog i {plats}", "Simhallen stänger för underhåll", "Kommunfullmäktige sammanträder",
    "Sök sommarjobb", "Vanliga frågor om bygglov", "Julmarknad i {plats}", "Öppet hus i {plats}",
    "Ny skola i {plats}", "Fler träd i {plats}", "Nya parkeringsregler", "Återvinningscentralens öppettider",
    "Bli familjehem", "Ny asfalt i {plats}", "Kurser i svenska", "Frukostmöte för företagare",
]

LINKS = [
    ("Läs mer på vår webbplats", "https://www.exempelstad.se/nyheter/{slug}"),
    ("trafikinformation", "https://www.exempelstad.se/trafik-och-gator/{slug}"),
    ("lediga jobb", "https://www.exempelstad.se/jobb/lediga-tjanster"),
    ("lämna dina synpunkter", "https://www.exempelstad.se/dialog/{slug}"),
    ("kartan över arbetsområdet", "https://www.exempelstad.se/karta/{slug}?zoom=15"),
    ("krisinformation", "https://www.exempelstad.se/kris"),
    ("bygglovsguiden", "https://www.exempelstad.se/bygga-bo/bygglov"),
    ("öppettider", "https://www.exempelstad.se/kultur-fritid/oppettider"),
]

LIST_ITEMS = [
    "Ta med legitimation.", "Anmäl dig senast {dag}.", "Parkera vid {plats}.",
    "Koka vattnet i en minut.", "Fyll på flaskor för natten.", "Håll avstånd till maskinerna.",
    "Ring kundcenter på 0123-45 67 00.", "Mejla kommunikation@exempelstad.se.",
    "Följ skyltningen.", "Ta buss 4 eller 7.", "Barn går gratis.", "Mötet tolkas till teckenspråk.",
]

TAGS = ["Exempelstad", "Snöröjning", "Vatten", "Trafik", "Bibliotek", "Jobb", "Sommarjobb",
        "Medborgardialog", "Skola", "Förskola", "Omsorg", "Kultur", "Idrott", "Miljö", "Bygglov",
        "Julmarknad", "Återvinning", "Kollektivtrafik", "Näringsliv", "Fritid"]

ALTS = {
    "bibliotek-jul": "Biblioteket i vinterskrud med tända ljusslingor i fönstren.",
    "julmarknad": "Marknadsstånd på torget med granar och människor i vinterkläder.",
    "kran-kokning": "En kastrull med kokande vatten på en spis.",
    "omsorg": "En undersköterska hjälper en äldre man upp ur en fåtölj.",
    "parkstraket-karta": "Karta över Parkstråket där den avstängda sträckan är markerad i rött.",
    "plogbil": "En orange plogbil röjer snö på en gata i gryningen.",
    "sommarjobb": "Tre ungdomar i gula västar krattar löv i en park.",
}

KINDS = ["news"] * 70 + ["event"] * 20 + ["campaign"] * 8 + ["crisis"] * 2


def tiny_png(path):
    """A 16×16 grey PNG, written with zlib only."""
    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + (zlib.crc32(kind + data) & 0xFFFFFFFF).to_bytes(4, "big"))
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 16 for _ in range(16))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (16).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


def media_files(root):
    media = os.path.join(root, "content", "media")
    os.makedirs(media, exist_ok=True)
    files = sorted(f for f in os.listdir(media)
                   if f.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp"))
                   and os.path.isfile(os.path.join(media, f)))
    if not files:
        tiny_png(os.path.join(media, "bench-bild.png"))
        files = ["bench-bild.png"]
    return files


def fill(rng, s, slug=""):
    return (s.replace("{plats}", rng.choice(PLACES)).replace("{dag}", rng.choice(DAYS))
            .replace("{tid}", rng.choice(TIMES)).replace("{slug}", slug))


def slugify(s):
    s = s.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", s)).strip("-")


def sentence(rng, used):
    """A sentence not yet used in this post (a writer does not say the same thing twice)."""
    s = rng.choice([x for x in SENTENCES if x not in used] or SENTENCES)
    used.add(s)
    return fill(rng, s)


def paragraph(rng, slug, link_chance, used):
    sents = [sentence(rng, used) for _ in range(rng.randint(1, 3))]
    if rng.random() < link_chance:
        text, url = rng.choice(LINKS)
        sents.append(f"[{text}]({fill(rng, url, slug)})." if text[0].isupper()
                     else f"Se {'' if rng.random() < 0.5 else 'gärna '}[{text}]({fill(rng, url, slug)}).")
    return " ".join(sents)


def body(rng, slug):
    target = rng.choice([rng.randint(100, 300), rng.randint(200, 600), rng.randint(500, 1200)])
    thread = rng.random() < 0.25
    blocks = []
    used = set()
    length = 0
    while length < target:
        r = rng.random()
        if r < 0.12 and blocks:
            items = [fill(rng, x) for x in rng.sample(LIST_ITEMS, rng.randint(2, 4))]
            ordered = rng.random() < 0.3
            block = "\n".join((f"{i}. " if ordered else "- ") + it for i, it in enumerate(items, 1))
        else:
            block = paragraph(rng, slug, 0.35, used)
        if length + len(block) > 1200:
            break
        blocks.append(block)
        length += len(block) + 2
    if not blocks:  # always at least 100 characters
        blocks.append(paragraph(rng, slug, 1.0, used))
    while sum(len(b) for b in blocks) < 100:
        blocks.append(sentence(rng, used))
    if thread and len(blocks) >= 2:
        out = []
        for i, b in enumerate(blocks):
            if i and rng.random() < 0.6:
                out.append("---")
            out.append(b)
        blocks = out
    while len("\n\n".join(blocks)) > 1200 and len(blocks) > 1:
        blocks.pop()
    if blocks[-1] == "---":
        blocks.pop()
    return "\n\n".join(blocks) + "\n"


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_duration(text):
    """'2h', '1d', '90m', '1h 30m', '1d2h' -> timedelta, or None."""
    parts = re.findall(r"(\d+)\s*([dhms])", text or "")
    if not parts or re.sub(r"[\d\sdhms]", "", text):
        return None
    unit = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    return datetime.timedelta(seconds=sum(int(n) * unit[u] for n, u in parts))


# Posting windows (local hour, minute) for a day: any two are at least 2 h 15 min apart.
WINDOWS = [(7, 0), (10, 0), (13, 0), (16, 0), (19, 0)]


def days(rng, tz):
    """Yields (local datetimes of the posts) for each day from 2027-01-01 on."""
    day = datetime.date(2027, 1, 1)
    while True:
        weekend = day.weekday() >= 5
        k = rng.choice([0, 1, 1, 2]) if weekend else rng.choice([2, 2, 3, 3, 4])
        windows = sorted(rng.sample(range(len(WINDOWS)), k))
        yield [datetime.datetime(day.year, day.month, day.day, WINDOWS[w][0],
                                 WINDOWS[w][1] + rng.choice([0, 0, 15, 30, 45]), tzinfo=tz)
               for w in windows]
        day += datetime.timedelta(days=1)


class Schedule:
    """Per platform, the strategy's cadence and what is already scheduled."""

    def __init__(self, strategy, platforms, tz):
        self.tz = tz
        self.rules = {}
        for p in platforms:
            c = strategy["platforms"][p].get("cadence", {})
            self.rules[p] = (parse_duration(c.get("min_gap", "")), c.get("max_per_day"))
        self.last = {}
        self.per_day = {}

    # Gaps are measured between instants (UTC): Python subtracts two times of one zone by the clock.
    def allows(self, p, when):
        gap, most = self.rules[p]
        when = when.astimezone(datetime.timezone.utc)
        if gap and p in self.last and when - self.last[p] < gap:
            return False
        day = when.astimezone(self.tz).date()
        return not (most is not None and self.per_day.get((p, day), 0) >= most)

    def take(self, p, when):
        self.last[p] = when.astimezone(datetime.timezone.utc)
        key = (p, when.astimezone(self.tz).date())
        self.per_day[key] = self.per_day.get(key, 0) + 1


def wanted(rng, configured, kind, goal, audiences, has_image):
    """The platforms a communicator would pick for this post, before the schedule has its say."""
    if kind == "crisis":
        return [p for p in configured if p != "instagram" or has_image]
    business = goal == "kompetensforsorjning" or {"arbetssokande", "foretagare"} & set(audiences)
    chance = {"mastodon": 0.9, "bluesky": 0.85, "facebook": 0.85, "x": 0.5, "threads": 0.45,
              "instagram": 0.6 if has_image else 0.0, "linkedin": 0.8 if business else 0.03}
    return [p for p in configured if rng.random() < chance.get(p, 0.5)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--root", required=True, help="content repository (with strategy.toml)")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--every-platform", action="store_true",
                    help="every post to every configured platform (Instagram only with an image)")
    a = ap.parse_args()

    with open(os.path.join(a.root, "strategy.toml"), "rb") as f:
        strategy = tomllib.load(f)
    goals = [g["id"] for g in strategy.get("goals", [])]
    audiences = [x["id"] for x in strategy.get("audiences", [])]
    configured = [p for p in PLATFORMS if p in strategy.get("platforms", {})
                  and strategy["platforms"][p].get("enabled", True)]
    tz = zoneinfo.ZoneInfo(strategy.get("organisation", {}).get("timezone", "Europe/Stockholm"))
    utc_plus_1 = datetime.timezone(datetime.timedelta(hours=1))
    images = media_files(a.root)

    rng = random.Random(a.seed)
    schedule = Schedule(strategy, configured, tz)
    posts_dir = os.path.join(a.root, "content", "posts")
    crisis_ids = []
    calendar = days(rng, tz)
    slots = []
    last_day = None
    for n in range(a.count):
        while not slots:
            slots = next(calendar)
        when = slots.pop(0)
        last_day = when.date()
        title = fill(rng, rng.choice(TITLES))
        slug = f"{slugify(title)}-{n:05d}"
        kind = rng.choice(KINDS)
        month = os.path.join(posts_dir, f"{when.year}", f"{when.month:02d}")
        os.makedirs(month, exist_ok=True)

        fm = [f"title = {toml_str(title)}"]
        if rng.random() < 0.1:
            fm.append(f'id = "bench-{n:05d}"')
        r = rng.random()
        if r < 0.1:
            fm.append("date = " + when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        elif r < 0.15:
            fm.append("date = " + when.astimezone(utc_plus_1).strftime("%Y-%m-%dT%H:%M:%S") + "+01:00")
        else:
            fm.append("date = " + when.strftime("%Y-%m-%dT%H:%M:%S"))
        goal = rng.choice(goals) if goals else None
        if goal:
            fm.append(f"goal = {toml_str(goal)}")
        picks = rng.sample(audiences, rng.randint(1, min(3, len(audiences)))) if audiences else []
        if picks:
            fm.append("audiences = [" + ", ".join(map(toml_str, picks)) + "]")
        if kind != "news" or rng.random() < 0.5:
            fm.append(f'kind = "{kind}"')
        tags = rng.sample(TAGS, rng.randint(0, 3))
        if tags:
            fm.append("tags = [" + ", ".join(map(toml_str, tags)) + "]")
        draft = rng.random() < 0.02
        has_image = rng.random() < 0.85

        if a.every_platform:
            platforms = [p for p in configured if p != "instagram" or has_image]
        else:
            platforms = wanted(rng, configured, kind, goal, picks, has_image)
            if kind != "crisis" and not draft:  # crisis posts and drafts take no slot
                platforms = [p for p in platforms if schedule.allows(p, when)]
                if not platforms:
                    free = [p for p in configured if p != "instagram" and schedule.allows(p, when)]
                    platforms = free[:1] or [configured[0]]
                for p in platforms:
                    schedule.take(p, when)
            elif not platforms:
                platforms = [configured[0]]
        skip_instagram = "instagram" in configured and "instagram" not in platforms
        if platforms == [p for p in configured if p != "instagram"] and rng.random() < 0.5:
            pass  # everywhere but Instagram: said with `[platform.instagram] skip = true`
        elif platforms != configured:
            fm.append("platforms = [" + ", ".join(map(toml_str, platforms)) + "]")
            skip_instagram = False
        earlier = [i for i, d in crisis_ids if d < when - datetime.timedelta(days=1)]
        if kind == "crisis" and earlier and rng.random() < 0.5:
            fm.append(f'updates = "{rng.choice(earlier)}"')
        if draft:
            fm.append("draft = true")

        tables = []
        if has_image:
            for img in rng.sample(images, rng.choice([1, 1, 1, 2])):
                stem = os.path.splitext(img)[0]
                alt = ALTS.get(stem) or f"Bild från Exempelstads kommun: {stem.replace('-', ' ')}."
                tables.append(f'[[media]]\npath = "../../../media/{img}"\nalt = {toml_str(alt)}')
        if skip_instagram:
            tables.append("[platform.instagram]\nskip = true")
        if "mastodon" in platforms and rng.random() < 0.05:
            tables.append('[platform.mastodon]\ntext = "Kort version för Mastodon: ' + fill(rng, rng.choice(SENTENCES)) + '"')
        if kind == "crisis":
            tables.append(
                "[crisis]\nevent = \"Störning i dricksvattnet\"\ncategory = \"Infra\"\nurgency = \"Immediate\"\n"
                "severity = \"Moderate\"\ncertainty = \"Observed\"\n"
                f"expires = {(when + datetime.timedelta(days=2)).strftime('%Y-%m-%dT%H:%M:%S')}\n"
                f"area = {{ description = {toml_str(rng.choice(PLACES))} }}")

        post_id = f"bench-{n:05d}" if any(l.startswith("id = ") for l in fm) else slug
        if kind == "crisis" and not draft:  # an update must answer a post that is published
            crisis_ids.append((post_id, when))
        text = "+++\n" + "\n".join(fm) + "\n" + "".join("\n" + t + "\n" for t in tables) + "+++\n\n" + body(rng, slug)
        with open(os.path.join(month, slug + ".md"), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"wrote {a.count} post{'' if a.count == 1 else 's'} to {posts_dir} (2027-01-01 to {last_day})", file=sys.stderr)


if __name__ == "__main__":
    main()
