# Shared by the bench/*.sh scripts (sourced, not run): paths, tool checks, the post-count
# arguments, generated repositories and their cleanup, the release build, and a median.
# A script sets RUNS before sourcing it; it sets SIZES from the script's arguments.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$REPO/bench"
OUT_DIR="$BENCH/out"
BIN="$REPO/target/release/budkavle"
SEED="${BENCH_SEED:-2027}"

die() { echo "bench: error: $*" >&2; exit 1; }

# GNU time, not the shell keyword: we need peak RSS (%M).
TIME=/usr/bin/time
if [[ ! -x "$TIME" ]] || ! "$TIME" -f "%e %M" -o /dev/null true 2>/dev/null; then
    die "GNU time is missing at $TIME (needed for wall time and peak memory). Install it: apt-get install -y time"
fi
command -v python3 >/dev/null || die "python3 is missing (needed by bench/gen_posts.py)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number, not '$RUNS'"

# Post counts from the arguments (default 1000 10000) into SIZES.
parse_sizes() {
    SIZES=("$@")
    [[ ${#SIZES[@]} -gt 0 ]] || SIZES=(1000 10000)
    local n
    for n in "${SIZES[@]}"; do
        [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "post counts must be positive numbers, not '$n'"
    done
}

TMPDIRS=()
cleanup() {
    if [[ "${BENCH_KEEP:-}" == 1 ]]; then
        return
    fi
    local d
    for d in "${TMPDIRS[@]}"; do
        rm -rf -- "$d"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_release() {
    if [[ "${BENCH_NO_BUILD:-}" != 1 ]]; then
        echo "bench: cargo build --release" >&2
        (cd "$REPO" && cargo build --release) || die "cargo build --release failed"
    fi
    [[ -x "$BIN" ]] || die "no binary at $BIN; run cargo build --release"
}

# make_repo NAME N [gen_posts.py options…]: a content repository with N generated posts in
# REPO_DIR (registered for cleanup): this repository's strategy, themes and media.
make_repo() {
    local name=$1 n=$2 dir
    shift 2
    dir="$(mktemp -d "${TMPDIR:-/tmp}/budkavle-bench-$name-$n.XXXXXX")"
    TMPDIRS+=("$dir")
    cp "$REPO/strategy.toml" "$dir/"
    cp -R "$REPO/themes" "$dir/"
    mkdir -p "$dir/content/posts"
    if [[ -d "$REPO/content/media" ]]; then
        cp -R "$REPO/content/media" "$dir/content/"
    fi
    python3 "$BENCH/gen_posts.py" --root "$dir" --count "$n" --seed "$SEED" "$@" \
        || die "gen_posts.py failed for N=$n"
    REPO_DIR="$dir"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
