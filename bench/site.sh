#!/usr/bin/env bash
# Archive-site benchmark: `budkavle build` (platform renderings and the archive site) side by side
# with Debian's `hugo` building the same generated posts, in one run on one machine.
#
#   bench/site.sh [N]          default: 10000 posts
#
# One content repository with N posts from bench/gen_posts.py (fixed seed; this repository's
# strategy.toml, themes/ and content/media/), committed to git once, as a real content repository
# is (so budkavle's version history walk is part of the time). From the same post files a minimal
# Hugo site is made in a temp dir: Hugo reads the `+++` TOML front matter as it is, one layout
# renders each post (title, date, images with alt text, body, tags, goal) into a page of its own,
# plus the paginated start page (20 per page, as budkavle's), tag pages, RSS and the sitemap
# Hugo makes by default. budkavle does more in its build: every post × platform rendering
# (dist/platforms), version pages, a monthly archive, Atom and JSON feeds, the search index and
# the JSON export.
#
# Both are timed from a clean output folder (dist/ or public/ removed before each run, untimed)
# with GNU time, BENCH_RUNS times each (default 3), alternating, after one warm-up each. The
# median wall time of each and the ratio hugo / budkavle are reported; budkavle's incremental
# rebuild (nothing changed) and `build --only site` (the archive alone, no platform renderings)
# are reported too, and a rebuild after one post was edited. Targets (issue 15): `--only site`
# 5x faster than Hugo, the whole build 2.5x, no more memory than Hugo, a rebuild with nothing
# changed in 0.3 s (answered by the build cache, .budkavle/cache) and with one post edited 0.5 s.
#
# Environment:
#   BENCH_RUNS=3       timed runs per tool (the median is reported)
#   BENCH_SEED=2027    seed for the post generator
#   BENCH_NO_BUILD=1   skip `cargo build --release`
#   BENCH_NO_GIT=1     do not make the content repository a git repository
#   BENCH_KEEP=1       keep the generated folders (their paths are printed)
#   BENCH_STRICT=1     exit 1 when budkavle is not faster than Hugo
#   TMPDIR=/dev/shm    generate and build in memory
#
# Results are printed and written to bench/out/site.txt (git-ignored).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$REPO/bench"
OUT_DIR="$BENCH/out"
BIN="$REPO/target/release/budkavle"
RUNS="${BENCH_RUNS:-3}"
SEED="${BENCH_SEED:-2027}"
N="${1:-10000}"

die() { echo "bench: error: $*" >&2; exit 1; }

TIME=/usr/bin/time
if [[ ! -x "$TIME" ]] || ! "$TIME" -f "%e %M" -o /dev/null true 2>/dev/null; then
    die "GNU time is missing at $TIME (needed for wall time and peak memory). Install it: apt-get install -y time"
fi
command -v python3 >/dev/null || die "python3 is missing (needed by bench/gen_posts.py)"
command -v hugo >/dev/null || die "hugo is missing. Install Debian's: apt-get install -y hugo"
command -v git >/dev/null || die "git is missing: apt-get install -y git"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number, not '$RUNS'"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "the post count must be a positive number, not '$N'"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/budkavle-site-bench.XXXXXX")"
cleanup() {
    if [[ "${BENCH_KEEP:-}" == 1 ]]; then
        echo "bench: keeping $WORK" >&2
    else
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "${BENCH_NO_BUILD:-}" != 1 ]]; then
    echo "bench: cargo build --release" >&2
    (cd "$REPO" && cargo build --release) || die "cargo build --release failed"
fi
[[ -x "$BIN" ]] || die "no binary at $BIN; run cargo build --release"

# --- The content repository ---------------------------------------------------------------------
SRC="$WORK/repo"
mkdir -p "$SRC/content/posts"
cp "$REPO/strategy.toml" "$SRC/"
cp -R "$REPO/themes" "$SRC/"
if [[ -d "$REPO/content/media" ]]; then cp -R "$REPO/content/media" "$SRC/content/"; fi
echo "bench: generating $N posts" >&2
python3 "$BENCH/gen_posts.py" --root "$SRC" --count "$N" --seed "$SEED" >&2 || die "gen_posts.py failed"
if [[ "${BENCH_NO_GIT:-}" != 1 ]]; then
    git_quiet() {
        git -c user.name=bench -c user.email=bench@example.org -c commit.gpgsign=false \
            -c init.defaultBranch=main -C "$SRC" "$@" >/dev/null
    }
    git_quiet init -q
    git_quiet add -A
    git_quiet commit -q -m "generated posts"
fi

# --- The same posts as a Hugo site --------------------------------------------------------------
HUGO_SITE="$WORK/hugo"
mkdir -p "$HUGO_SITE/layouts/_default" "$HUGO_SITE/content" "$HUGO_SITE/static"
cp -R "$SRC/content/posts" "$HUGO_SITE/content/posts"
if [[ -d "$SRC/content/media" ]]; then cp -R "$SRC/content/media" "$HUGO_SITE/static/media"; fi
cp "$REPO/themes/default/site/static/style.css" "$HUGO_SITE/static/style.css" 2>/dev/null || true
cat >"$HUGO_SITE/config.toml" <<'EOF'
baseURL = "http://127.0.0.1/"
languageCode = "sv"
title = "Exempelstad"
# The generated posts are dated from 2027 on; budkavle's archive shows them all too.
buildFuture = true
paginate = 20
disableHugoGeneratorInject = true
[taxonomies]
tag = "tags"
EOF
cat >"$HUGO_SITE/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ .Title }} – {{ .Site.Title }}</title><link rel="stylesheet" href="/style.css"></head>
<body><a class="skip" href="#main">Till innehållet</a><header><a href="/">{{ .Site.Title }}</a></header><main id="main">{{ block "main" . }}{{ end }}</main><footer><a href="/tillganglighet/">Tillgänglighetsredogörelse</a></footer></body>
</html>
EOF
cat >"$HUGO_SITE/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<article lang="{{ with .Params.lang }}{{ . }}{{ else }}sv{{ end }}"><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.UTC.Format "2006-01-02T15:04:05Z" }}">{{ .Date.Format "2006-01-02 15:04" }}</time></p>
{{ range .Params.media }}<figure><img src="/media/{{ path.Base .path }}" alt="{{ .alt }}"></figure>{{ end }}
{{ .Content }}
{{ with .Params.tags }}<ul class="tags">{{ range . }}<li><a href="{{ "tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a></li>{{ end }}</ul>{{ end }}
{{ with .Params.goal }}<p>Mål: {{ . }}</p>{{ end }}</article>{{ end }}
EOF
cat >"$HUGO_SITE/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1><ol>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.UTC.Format "2006-01-02T15:04:05Z" }}">{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}</ol>
{{ with .Paginator }}<nav>{{ if .HasPrev }}<a href="{{ .Prev.URL }}">Nyare</a>{{ end }} {{ if .HasNext }}<a href="{{ .Next.URL }}">Äldre</a>{{ end }}</nav>{{ end }}{{ end }}
EOF
cp "$HUGO_SITE/layouts/_default/list.html" "$HUGO_SITE/layouts/index.html"

BUDKAVLE_CMD=("$BIN" --quiet --root "$SRC" build)
# The archive alone (`build --only site`): the like-for-like comparison with Hugo.
SITE_CMD=("$BIN" --quiet --root "$SRC" build --only site)
HUGO_CMD=(hugo --quiet --source "$HUGO_SITE" --destination "$HUGO_SITE/public")
clean_budkavle() { rm -rf -- "$SRC/dist"; sync; }
clean_hugo() { rm -rf -- "$HUGO_SITE/public" "$HUGO_SITE/resources"; sync; }

# Warm-up: fills the page cache, and proves both tools accept the posts.
log="$WORK/build.log"
"${BUDKAVLE_CMD[@]}" >"$log" 2>&1 || { cat "$log" >&2; die "budkavle build failed on the generated posts"; }
"${HUGO_CMD[@]}" >"$log" 2>&1 || { cat "$log" >&2; die "hugo failed on the generated posts"; }
[[ -d "$SRC/dist/site" ]] || die "budkavle build wrote no dist/site: this binary does not build the archive site"
pages_budkavle="$(find "$SRC/dist/site" -name '*.html' | wc -l | tr -d ' ')"
pages_hugo="$(find "$HUGO_SITE/public" -name '*.html' | wc -l | tr -d ' ')"
files_budkavle="$(find "$SRC/dist" -type f | wc -l | tr -d ' ')"
files_site="$(find "$SRC/dist/site" -type f | wc -l | tr -d ' ')"
files_hugo="$(find "$HUGO_SITE/public" -type f | wc -l | tr -d ' ')"

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A WALLS CPUS PEAK
timed() { # name clean-function command...
    local name=$1 clean=$2 tf="$WORK/time" wall kb user sys
    shift 2
    if [[ -n "$clean" ]]; then "$clean"; fi
    if ! "$TIME" -f "%e %M %U %S" -o "$tf" "$@" >"$log" 2>&1; then
        cat "$log" >&2
        die "$name failed in a timed run"
    fi
    read -r wall kb user sys < <(tail -n 1 "$tf")
    WALLS[$name]+="$wall "
    CPUS[$name]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') "
    if ((kb > ${PEAK[$name]:-0})); then PEAK[$name]=$kb; fi
    echo "bench: $name: ${wall} s wall (${user} s user, ${sys} s sys), $((kb / 1024)) MB" >&2
}

# One post in the middle, edited (a sentence appended, not committed) before each timed
# "one post edited" rebuild.
EDIT_POST="$(find "$SRC/content/posts" -name '*.md' | sort | sed -n "$(( (N + 1) / 2 ))p")"
edit_post() { printf '\nTillägg %s för mätningen.\n' "$RANDOM" >>"$EDIT_POST"; }

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= RUNS; i++)); do
    timed budkavle-site clean_budkavle "${SITE_CMD[@]}"
    timed budkavle clean_budkavle "${BUDKAVLE_CMD[@]}"
    timed hugo clean_hugo "${HUGO_CMD[@]}"
    timed budkavle-rebuild "" "${BUDKAVLE_CMD[@]}"
    timed budkavle-edit edit_post "${BUDKAVLE_CMD[@]}"
done

# shellcheck disable=SC2086
{
    b_wall="$(median ${WALLS[budkavle]})"; b_cpu="$(median ${CPUS[budkavle]})"
    h_wall="$(median ${WALLS[hugo]})"; h_cpu="$(median ${CPUS[hugo]})"
    r_wall="$(median ${WALLS[budkavle-rebuild]})"; r_cpu="$(median ${CPUS[budkavle-rebuild]})"
    s_wall="$(median ${WALLS[budkavle-site]})"; s_cpu="$(median ${CPUS[budkavle-site]})"
    e_wall="$(median ${WALLS[budkavle-edit]})"; e_cpu="$(median ${CPUS[budkavle-edit]})"
}
ratio="$(awk -v h="$h_wall" -v b="$b_wall" 'BEGIN { if (b > 0) printf "%.2f", h / b; else print "inf" }')"
ratio_site="$(awk -v h="$h_wall" -v b="$s_wall" 'BEGIN { if (b > 0) printf "%.2f", h / b; else print "inf" }')"
verdict="$(awk -v h="$h_wall" -v b="$b_wall" 'BEGIN { print (b < h) ? "PASS" : "FAIL" }')"

report="$(
    echo "archive site benchmark — $(date '+%Y-%m-%d %H:%M %Z')"
    dirty=""
    git -C "$REPO" diff --quiet HEAD -- src themes 2>/dev/null || dirty=" (+ uncommitted changes)"
    echo "commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$dirty, $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "$(hugo version | cut -d' ' -f1-2); load average before the runs: $LOAD_BEFORE"
    echo "$N posts (seed $SEED), content repository in git: $([[ "${BENCH_NO_GIT:-}" == 1 ]] && echo no || echo yes); in ${TMPDIR:-/tmp}"
    echo "median of $RUNS timed runs after 1 warm-up, clean output folder each run; cpu = user + sys"
    echo
    printf '%-26s  %8s  %8s  %8s  %10s  %10s\n' "build" "wall s" "cpu s" "peak MB" "html pages" "files"
    printf '%-26s  %8.2f  %8.2f  %8.0f  %10s  %10s\n' "budkavle build (clean)" "$b_wall" "$b_cpu" "$((${PEAK[budkavle]} / 1024))" "$pages_budkavle" "$files_budkavle"
    printf '%-26s  %8.2f  %8.2f  %8.0f  %10s  %10s\n' "budkavle --only site" "$s_wall" "$s_cpu" "$((${PEAK[budkavle-site]} / 1024))" "$pages_budkavle" "$files_site"
    printf '%-26s  %8.2f  %8.2f  %8.0f  %10s  %10s\n' "hugo (clean)" "$h_wall" "$h_cpu" "$((${PEAK[hugo]} / 1024))" "$pages_hugo" "$files_hugo"
    printf '%-26s  %8.2f  %8.2f  %8.0f  %10s  %10s\n' "budkavle build (no change)" "$r_wall" "$r_cpu" "$((${PEAK[budkavle-rebuild]} / 1024))" "-" "-"
    printf '%-26s  %8.2f  %8.2f  %8.0f  %10s  %10s\n' "budkavle build (1 edited)" "$e_wall" "$e_cpu" "$((${PEAK[budkavle-edit]} / 1024))" "-" "-"
    echo
    echo "ratio hugo / budkavle wall (clean, whole build): $ratio — target: budkavle faster than Hugo: $verdict"
    echo "ratio hugo / budkavle wall (clean, archive only): $ratio_site"
    echo "(budkavle's files include dist/platforms: every post × platform rendering, .json + .txt)"
)"
printf '%s\n' "$report"
mkdir -p "$OUT_DIR"
printf '%s\n' "$report" >"$OUT_DIR/site.txt"

if [[ "${BENCH_STRICT:-}" == 1 && $verdict != PASS ]]; then
    exit 1
fi
